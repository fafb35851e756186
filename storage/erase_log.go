package storage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// Buckets of erasures, made by the first erasure (a database without them
// has erased nothing), see buckets.go.
var (
	bucketErased     = []byte("erased")
	bucketErasedSync = []byte("erased_sync")
)

// The erasure log is a file beside the database ("<db>.erasures", one JSON
// model.Erasure per line) that outlives the database file: a restore
// replaces the database with a backup that may predate an erasure, and
// Open erases again every customer the log names and the database does
// not know as erased. Backups are never taken of it, so it is never
// restored to an older state. It holds no personal data.
func (db *DB) erasureLogPath() string { return db.path + ".erasures" }

// appendErasureLog adds e to the erasure log at path and syncs it.
func appendErasureLog(path string, e model.Erasure) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "open erasure log %s", path)
	}
	line := append(e.Value(), '\n')
	_, err = f.Write(line)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "write erasure log %s", path)
	}
	return nil
}

// readErasureLog reads the erasure log at path; a missing file is empty.
// A damaged line is an error naming the file and line: an erasure the log
// cannot tell must not be skipped silently.
func readErasureLog(path string) ([]model.Erasure, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "open erasure log %s", path)
	}
	defer f.Close()
	var out []model.Erasure
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var e model.Erasure
		if err := json.Unmarshal(text, &e); err != nil || e.ID == model.NilID || e.HLC == 0 {
			return nil, model.Errorf(model.EINVALID, "erasure log %s, line %d: not an erasure record", path, line)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "read erasure log %s", path)
	}
	return out, nil
}

// reapplyErasures erases again what the erasure log names and the
// database does not know (a restored backup), and adds to the log what
// the database knows and the log lacks (an erasure that came by sync
// before the log was written, or a log that was lost). Open calls it.
func (db *DB) reapplyErasures() error {
	path := db.erasureLogPath()
	logged, err := readErasureLog(path)
	if err != nil {
		return err
	}
	known, err := db.Erasures()
	if err != nil {
		return err
	}
	inDB := map[model.ID]bool{}
	for _, e := range known {
		inDB[e.ID] = true
	}
	inLog := map[model.ID]bool{}
	var missing []model.Erasure
	for _, e := range logged {
		inLog[e.ID] = true
		if !inDB[e.ID] {
			missing = append(missing, e)
			inDB[e.ID] = true
		}
	}
	for _, e := range known {
		if !inLog[e.ID] {
			if err := appendErasureLog(path, e); err != nil {
				return err
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	for _, e := range missing {
		db.clock.Observe(e.HLC)
		if err := db.update(func(w *writer) error { return w.erase(e) }); err != nil {
			return err
		}
	}
	return db.afterErase()
}

// markUncompacted notes that the sync target still holds segments of this
// device written before the erasure; see UncompactedErasures.
func (w *writer) markUncompacted(id model.ID) error {
	b, err := w.tx.CreateBucketIfNotExists(bucketErasedSync)
	if err != nil {
		return err
	}
	return b.Put(idBytes(id), nil)
}

// UncompactedErasures returns the erasures this device has made or
// applied whose erased values its own segments in the sync target may
// still hold: the syncer writes a fresh snapshot of the change log (which
// no longer holds them), removes the older segments, and then calls
// MarkErasuresCompacted with these IDs.
func (db *DB) UncompactedErasures() ([]model.ID, error) {
	var out []model.ID
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketErasedSync)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			out = append(out, idAtEnd(k))
			return nil
		})
	})
	return out, err
}

// MarkErasuresCompacted records that this device's segments in the sync
// target no longer hold the values of the erasures ids.
func (db *DB) MarkErasuresCompacted(ids []model.ID) error {
	return translate(db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketErasedSync)
		if b == nil {
			return nil
		}
		for _, id := range ids {
			if err := b.Delete(idBytes(id)); err != nil {
				return err
			}
		}
		return nil
	}))
}

// logHead reads the record ID and field of a change-log entry as
// encodeOp writes it ({"t":…,"id":"…","f":…), without decoding the value;
// ok is false for any other shape.
func logHead(v []byte) (id model.ID, field []byte, ok bool) {
	rest, found := bytes.CutPrefix(v, []byte(`{"t":"`))
	if !found {
		return id, nil, false
	}
	i := bytes.IndexByte(rest, '"')
	if i < 0 {
		return id, nil, false
	}
	rest, found = bytes.CutPrefix(rest[i:], []byte(`","id":"`))
	if !found || len(rest) < 36 {
		return id, nil, false
	}
	if err := id.UnmarshalText(rest[:36]); err != nil {
		return id, nil, false
	}
	rest, found = bytes.CutPrefix(rest[36:], []byte(`","f":"`))
	if !found {
		return id, nil, false
	}
	if i = bytes.IndexByte(rest, '"'); i < 0 {
		return id, nil, false
	}
	for _, c := range rest[:i] {
		if c < 0x20 || c >= 0x80 || c == '\\' {
			return id, nil, false // not a plain field name: let encoding/json read it
		}
	}
	return id, rest[:i], true
}

// logEntry decodes the parts of a change-log entry erasure needs.
func logEntry(v []byte) (model.ID, string, error) {
	if id, f, ok := logHead(v); ok {
		return id, string(f), nil
	}
	var op model.Op
	if err := json.Unmarshal(v, &op); err != nil {
		return model.NilID, "", err
	}
	return op.ID, op.Field, nil
}

// dropLog removes from the change log every op of an erased record, and
// the ops of a merge into or out of an erased customer on the other side
// (a duplicate's undo information, a survivor's fields at the merge's
// stamp: they hold the erased person's data, and later ops have
// superseded them, since the merge was undone). Erasure ops stay.
func (w *writer) dropLog(ids, custs map[model.ID]bool) error {
	b := w.tx.Bucket(bucketLog)
	type side struct {
		id  model.ID
		hlc model.HLC
	}
	partners := map[side]bool{}
	partnerIDs := map[model.ID]bool{}
	var del [][]byte
	err := b.ForEach(func(k, v []byte) error {
		id, field, err := logEntry(v)
		if err != nil {
			return model.WrapError(model.EINTERNAL, err, "decode log entry %x", k)
		}
		if field == model.FieldErased {
			return nil
		}
		if field == "merged_into" || (field == model.FieldAll && custs[id]) {
			var op model.Op
			if err := json.Unmarshal(v, &op); err != nil {
				return model.WrapError(model.EINTERNAL, err, "decode log entry %x", k)
			}
			if into := mergedTarget(&op); into != model.NilID && custs[id] != custs[into] {
				partners[side{id, op.HLC}], partners[side{into, op.HLC}] = true, true
				partnerIDs[id], partnerIDs[into] = true, true
			}
		}
		if ids[id] {
			del = append(del, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(partners) > 0 {
		err = b.ForEach(func(k, v []byte) error {
			var op model.Op
			if id, _, ok := logHead(v); ok && !partnerIDs[id] {
				return nil
			}
			if err := json.Unmarshal(v, &op); err != nil {
				return model.WrapError(model.EINTERNAL, err, "decode log entry %x", k)
			}
			if op.Field != model.FieldErased && partners[side{op.ID, op.HLC}] && !ids[op.ID] {
				del = append(del, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, k := range del {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// mergedTarget returns the customer a merged_into op (or a creating op
// that carries merged_into) names, NilID when none.
func mergedTarget(op *model.Op) model.ID {
	raw := op.Value
	if op.Field == model.FieldAll {
		var f struct {
			MergedInto model.ID `json:"merged_into"`
		}
		if json.Unmarshal(raw, &f) != nil {
			return model.NilID
		}
		return f.MergedInto
	}
	var id model.ID
	if json.Unmarshal(raw, &id) != nil {
		return model.NilID
	}
	return id
}
