package storage

import (
	"bytes"
	"encoding/json"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// Erasing a person for good; see model.PrivacyService for what goes.
//
// An erasure is one write transaction (eraseTx) that removes the records,
// their clocks, stats, index entries, conflicts and change-log entries and
// records the erasure in the erased bucket, followed by work outside it:
// the erasure is appended to the erasure log beside the database (first,
// so a crash in between re-applies it at the next start), the directory is
// rebuilt and its snapshot rewritten, and the free pages that still hold
// old copies of the erased records are overwritten (see scrub).

// Erase erases a customer for good; see model.PrivacyService.
func (db *DB) Erase(id model.ID) (model.Erasure, error) {
	var e model.Erasure
	err := db.view(func(tx *bolt.Tx) error {
		if erasureOf(tx, id) != nil {
			return model.Errorf(model.ECONFLICT, "customer %s was erased already", id)
		}
		c, err := get[model.Customer](tx, model.TypeCustomer, id)
		if err != nil {
			return err
		}
		if o := owner(tx, id); o != id {
			return model.Errorf(model.EINVALID, "customer %s was merged into %s: erase that one, or undo the merge first", id, o)
		}
		e.Merged = mergedInto(tx, c.ID)
		return nil
	})
	if err != nil {
		return e, err
	}
	stamp := db.clock.Now()
	e.ID, e.At, e.Device, e.Author, e.HLC = id, stamp.Time().UTC(), db.device, db.author(), stamp
	// The log outside the database first: should anything below fail or
	// the program stop, the next start erases again.
	if err := appendErasureLog(db.erasureLogPath(), e); err != nil {
		return e, err
	}
	if err := db.update(func(w *writer) error { return w.erase(e) }); err != nil {
		return e, err
	}
	return e, db.afterErase()
}

// Erasures lists the erasures the database knows, newest first.
func (db *DB) Erasures() ([]model.Erasure, error) {
	var out []model.Erasure
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketErased)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(v) == 0 || v[0] != '{' {
				return nil // a record erased with its customer
			}
			var e model.Erasure
			if err := json.Unmarshal(v, &e); err != nil {
				return model.WrapError(model.EINTERNAL, err, "decode erasure %x", k)
			}
			out = append(out, e)
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].HLC > out[j].HLC })
	return out, err
}

// erasureOf returns the erasure of customer id, nil when it was not erased.
func erasureOf(tx *bolt.Tx, id model.ID) []byte {
	b := tx.Bucket(bucketErased)
	if b == nil {
		return nil
	}
	if v := b.Get(idBytes(id)); len(v) > 0 && v[0] == '{' {
		return v
	}
	return nil
}

// isErased reports whether the record id went with an erasure.
func isErased(tx *bolt.Tx, id model.ID) bool {
	b := tx.Bucket(bucketErased)
	return b != nil && b.Get(idBytes(id)) != nil
}

// mergedInto returns the customers whose records belong to id through
// merges (id itself left out), in ID order.
func mergedInto(tx *bolt.Tx, id model.ID) []model.ID {
	var out []model.ID
	tx.Bucket(bucketMerged).ForEach(func(k, _ []byte) error {
		if d := idAtEnd(k); d != id && owner(tx, d) == id {
			out = append(out, d)
		}
		return nil
	})
	return out
}

// erasedRecord is one record an erasure removes, decoded as stored.
type erasedRecord struct {
	typ model.RecordType
	rec any
}

// erase removes the erasure's customer, the customers merged into it and
// everything attached to them, records the erasure, and logs its op (with
// the erasure's own stamp: applying it again anywhere changes nothing). A
// customer that is not stored (a restored older backup, an erasure synced
// before the customer) is recorded all the same, so its ops are dropped
// when they come.
func (w *writer) erase(e model.Erasure) error {
	if erasureOf(w.tx, e.ID) != nil {
		return nil
	}
	custs := map[model.ID]bool{e.ID: true}
	for _, id := range append(e.Merged, mergedInto(w.tx, e.ID)...) {
		custs[id] = true
	}
	recs, err := collectPerson(w.tx, custs)
	if err != nil {
		return err
	}
	// Index keys first: children are indexed under their owner, which the
	// merged bucket decides until it loses the erased customers.
	idx := w.tx.Bucket(bucketIdx)
	for _, r := range recs {
		// Another device may have merged the customer into one that stays:
		// that one's stats lose the erased records.
		if o := owner(w.tx, customerOf(r.rec)); r.typ != model.TypeCustomer && !custs[o] {
			w.touched[o], w.dirty[o] = true, true
		}
		for _, k := range indexKeys(w.tx, r.typ, r.rec, w.region) {
			if err := idx.Bucket(k.bucket).Delete(k.key); err != nil {
				return err
			}
		}
	}
	erased, err := w.tx.CreateBucketIfNotExists(bucketErased)
	if err != nil {
		return err
	}
	ids := map[model.ID]bool{}
	for _, r := range recs {
		if err := w.dropRecord(r, custs, erased, e.ID); err != nil {
			return err
		}
		ids[metaOf(r.rec).ID] = true
	}
	for id := range custs {
		ids[id] = true
		if err := erased.Put(idBytes(id), idBytes(e.ID)); err != nil {
			return err
		}
	}
	if err := erased.Put(idBytes(e.ID), e.Value()); err != nil {
		return err
	}
	if err := w.dropConflicts(ids); err != nil {
		return err
	}
	if err := w.dropLog(ids, custs); err != nil {
		return err
	}
	if err := w.markUncompacted(e.ID); err != nil {
		return err
	}
	op := model.Op{Type: model.TypeCustomer, ID: e.ID, Field: model.FieldErased, Value: e.Value(), HLC: e.HLC, Device: e.Device, Author: e.Author}
	return w.log(&op)
}

// collectPerson decodes the customers in custs and every note, follow-up
// and gesture of theirs, deleted ones and old versions included. Children
// are found by a scan: the indexes hold live records only. A record that
// does not name a customer's ID in its bytes cannot be one of theirs, so
// only those that do are decoded.
func collectPerson(tx *bolt.Tx, custs map[model.ID]bool) ([]erasedRecord, error) {
	var out []erasedRecord
	var texts [][]byte
	for id := range custs {
		c, err := get[model.Customer](tx, model.TypeCustomer, id)
		if err == nil {
			out = append(out, erasedRecord{model.TypeCustomer, c})
		} else if model.ErrorCode(err) != model.ENOTFOUND {
			return nil, err
		}
		texts = append(texts, []byte(id.String()))
	}
	for _, typ := range []model.RecordType{model.TypeNote, model.TypeFollowUp, model.TypeGesture} {
		err := recBucket(tx, typ).ForEach(func(k, v []byte) error {
			if !containsAny(v, texts) {
				return nil
			}
			rec := newRecord(typ)
			if err := decodeRecord(v, rec); err != nil {
				return model.WrapError(model.EINTERNAL, err, "decode %s %x", typ, k)
			}
			if custs[customerOf(rec)] {
				out = append(out, erasedRecord{typ, rec})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// customerOf returns the customer ID a note, follow-up or gesture was
// written with.
func customerOf(rec any) model.ID {
	switch r := rec.(type) {
	case *model.Note:
		return r.CustomerID
	case *model.FollowUp:
		return r.CustomerID
	case *model.Gesture:
		return r.CustomerID
	}
	return model.NilID
}

func containsAny(v []byte, subs [][]byte) bool {
	for _, s := range subs {
		if bytes.Contains(v, s) {
			return true
		}
	}
	return false
}

// dropRecord removes one erased record with its clocks, and for a
// customer its stats, merge entry and photo; a child is remembered in the
// erased bucket under the erasure's customer.
func (w *writer) dropRecord(r erasedRecord, custs map[model.ID]bool, erased *bolt.Bucket, by model.ID) error {
	id := metaOf(r.rec).ID
	for _, b := range []*bolt.Bucket{recBucket(w.tx, r.typ), clockBucket(w.tx, r.typ)} {
		if err := b.Delete(idBytes(id)); err != nil {
			return err
		}
	}
	w.changed[r.typ] = append(w.changed[r.typ], id)
	if r.typ == model.TypeFollowUp {
		if err := dropCalStamps(w.tx, id); err != nil {
			return err
		}
	}
	c, ok := r.rec.(*model.Customer)
	if !ok {
		return erased.Put(idBytes(id), idBytes(by))
	}
	w.dels = append(w.dels, id)
	for _, b := range [][]byte{bucketStats, bucketMerged} {
		if err := w.tx.Bucket(b).Delete(idBytes(id)); err != nil {
			return err
		}
	}
	if c.Photo == "" || photoUsed(w.tx, c.Photo, custs) {
		return nil
	}
	return w.tx.Bucket(bucketPhoto).Delete([]byte(c.Photo))
}

// dropCalStamps removes a follow-up's stamps of the .ics export (a hash of
// what was exported about the person), in every export profile.
func dropCalStamps(tx *bolt.Tx, id model.ID) error {
	root := tx.Bucket(bucketCalStamp)
	if root == nil {
		return nil
	}
	return root.ForEachBucket(func(k []byte) error {
		return root.Bucket(k).Delete(idBytes(id))
	})
}

// photoUsed reports whether a customer outside custs shows the photo key
// (photos are stored by content, so two customers may share one).
func photoUsed(tx *bolt.Tx, photo string, custs map[model.ID]bool) bool {
	want := []byte(`"photo":"` + photo + `"`)
	used := false
	recBucket(tx, model.TypeCustomer).ForEach(func(k, v []byte) error {
		if !used && bytes.Contains(v, want) && !custs[idAtEnd(k)] {
			used = true
		}
		return nil
	})
	return used
}

// dropConflicts removes the conflicts kept for the erased records.
func (w *writer) dropConflicts(ids map[model.ID]bool) error {
	b := w.tx.Bucket(bucketConflict)
	var del [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var c struct {
			ID model.ID `json:"id"`
		}
		if err := json.Unmarshal(v, &c); err != nil {
			return model.WrapError(model.EINTERNAL, err, "decode conflict %x", k)
		}
		if ids[c.ID] {
			del = append(del, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range del {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
