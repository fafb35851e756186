package storage

import (
	"bytes"
	"encoding/json"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/model/crdt"
)

// Conflicts are derived from the records (crdt.Record.Conflicts): the
// conflict bucket is an index of them, rewritten with every write of a
// record, so every device that merged the same ops lists the same ones.
// Resolving one writes ordinary ops, which sync and resolve it everywhere.

// conflictKey is type 0 id field 0 element-key 0 lost-hlc lost-device:
// all of a record's conflicts share the prefix type 0 id.
func conflictKey(c *model.Conflict) []byte {
	return key(conflictPrefix(c.Type, c.ID), []byte(c.Field), sep, []byte(c.Key), sep,
		u64(uint64(c.LostStamp.HLC)), []byte(c.LostStamp.Device))
}

func conflictPrefix(typ model.RecordType, id model.ID) []byte {
	return key([]byte(typ), sep, idBytes(id))
}

// putConflicts replaces the conflicts indexed for a record by cs and
// returns how many of cs are new.
func (w *writer) putConflicts(typ model.RecordType, id model.ID, cs []model.Conflict) (int, error) {
	bk := w.tx.Bucket(bucketConflict)
	prefix := conflictPrefix(typ, id)
	var had [][]byte
	c := bk.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		had = append(had, bytes.Clone(k))
	}
	if len(had) == 0 && len(cs) == 0 {
		return 0, nil
	}
	added := 0
	keep := make([][]byte, 0, len(cs))
	for i := range cs {
		k := conflictKey(&cs[i])
		keep = append(keep, k)
		if !slices.ContainsFunc(had, func(h []byte) bool { return bytes.Equal(h, k) }) {
			added++
		}
		raw, err := json.Marshal(&cs[i])
		if err != nil {
			return 0, err
		}
		if err := bk.Put(k, raw); err != nil {
			return 0, err
		}
	}
	for _, k := range had {
		if !slices.ContainsFunc(keep, func(h []byte) bool { return bytes.Equal(h, k) }) {
			if err := bk.Delete(k); err != nil {
				return 0, err
			}
		}
	}
	return added, nil
}

// Conflicts returns the open conflicts, newest first; see model.ConflictService.
func (db *DB) Conflicts() ([]model.Conflict, error) {
	var out []model.Conflict
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketConflict).ForEach(func(k, v []byte) error {
			var c model.Conflict
			if err := json.Unmarshal(v, &c); err != nil {
				return model.WrapError(model.EINTERNAL, err, "decode conflict")
			}
			out = append(out, c)
			return nil
		})
	})
	slices.SortStableFunc(out, func(a, b model.Conflict) int {
		switch {
		case a.LostStamp.After(b.LostStamp):
			return -1
		case b.LostStamp.After(a.LostStamp):
			return 1
		}
		return 0
	})
	return out, err
}

// DismissConflict keeps the current state; see model.ConflictService.
func (db *DB) DismissConflict(c model.Conflict) error {
	return db.update(func(w *writer) error {
		switch c.Kind {
		case model.ConflictDeleted:
			return w.rewrite(c.Type, c.ID, model.FieldDeleted, "", nil)
		case model.ConflictMerged:
			return w.rewrite(c.Type, c.ID, "merged_into", "", nil)
		}
		return w.rewrite(c.Type, c.ID, c.Field, c.Key, nil)
	})
}

// ResolveConflict takes the lost side; see model.ConflictService.
func (db *DB) ResolveConflict(c model.Conflict) error {
	return db.update(func(w *writer) error {
		switch c.Kind {
		case model.ConflictDeleted:
			return w.rewrite(c.Type, c.ID, model.FieldDeleted, "", json.RawMessage("false"))
		case model.ConflictMerged:
			return w.takeIntoSurvivor(c)
		}
		return w.rewrite(c.Type, c.ID, c.Field, c.Key, c.Lost)
	})
}

// rewrite writes v (nil: the field's current value; for a set element,
// the element's newest value) to a field of a stored record as a local
// op that replaces every value this device knows of it.
func (w *writer) rewrite(typ model.RecordType, id model.ID, field, elemKey string, v json.RawMessage) error {
	if newRecord(typ) == nil {
		return model.Errorf(model.EINVALID, "unknown record type %q", typ)
	}
	r, err := w.crdtRecord(typ, id)
	if err != nil {
		return err
	}
	if v == nil {
		v = r.Fields[field]
		if elemKey != "" {
			if v = r.Clk.Sets[field].Newest(elemKey); v == nil {
				return nil // the element is gone: nothing to keep
			}
		}
		if len(v) == 0 {
			v = json.RawMessage("null")
		}
	}
	fc := fieldClock{HLC: w.db.clock.Now(), Device: w.db.device, Author: w.db.author()}
	op, err := r.Rewrite(field, elemKey, v, fc)
	if err != nil {
		return model.WrapError(model.EINVALID, err, "%s %s", typ, id)
	}
	return w.applyLocal(typ, id, []model.Op{op})
}

// crdtRecord returns the merge state of a stored record.
func (w *writer) crdtRecord(typ model.RecordType, id model.ID) (*crdt.Record, error) {
	raw := recBucket(w.tx, typ).Get(idBytes(id))
	if raw == nil {
		return nil, model.Errorf(model.ENOTFOUND, "%s %s not found", typ, id)
	}
	fields, err := fieldsOf(raw)
	if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "decode %s %s", typ, id)
	}
	clk, err := loadClocks(w.tx, typ, id)
	if err != nil {
		return nil, err
	}
	return &crdt.Record{Type: typ, ID: id, Fields: fields, Clk: clk}, nil
}

// applyLocal writes ops made on this device for a stored record the way
// remote ones are merged: record, clocks, log, indexes and conflicts.
func (w *writer) applyLocal(typ model.RecordType, id model.ID, ops []model.Op) error {
	idb := idBytes(id)
	m := &merged{typ: typ, id: id, ops: ops, oldRaw: bytes.Clone(recBucket(w.tx, typ).Get(idb)),
		oldClk: bytes.Clone(clockBucket(w.tx, typ).Get(idb))}
	mergeRecord(m, w.region)
	var res model.ApplyResult
	return w.applyMerged(m, &res)
}

// takeIntoSurvivor hands the fields a merged customer received after its
// merge to the survivor (set fields element by element, other fields
// replaced), then writes the merge again so the conflicts end.
func (w *writer) takeIntoSurvivor(c model.Conflict) error {
	d, err := w.crdtRecord(model.TypeCustomer, c.ID)
	if err != nil {
		return err
	}
	sid := owner(w.tx, c.Into)
	s, err := getLive[model.Customer](w.tx, model.TypeCustomer, sid)
	if err != nil {
		return err
	}
	sf, err := jsonFields(s)
	if err != nil {
		return err
	}
	for _, x := range d.Conflicts() {
		if x.Kind != model.ConflictMerged {
			continue
		}
		v := x.Lost
		if crdt.IsSetField(model.TypeCustomer, x.Field) {
			if v, err = joinLists(sf[x.Field], x.Lost); err != nil {
				return model.WrapError(model.EINVALID, err, "customer %s: %s", sid, x.Field)
			}
		}
		sf[x.Field] = v
	}
	raw, err := json.Marshal(sf)
	if err != nil {
		return err
	}
	next := new(model.Customer)
	if err := json.Unmarshal(raw, next); err != nil {
		return model.WrapError(model.EINVALID, err, "customer %s", sid)
	}
	if err := prepareCustomer(next); err != nil {
		return err
	}
	if err := w.save(model.TypeCustomer, next, false); err != nil {
		return err
	}
	return w.rewrite(model.TypeCustomer, c.ID, "merged_into", "", nil)
}

// joinLists appends the elements of the JSON array b to those of a.
func joinLists(a, b json.RawMessage) (json.RawMessage, error) {
	var x, y []json.RawMessage
	if len(a) > 0 {
		if err := json.Unmarshal(a, &x); err != nil {
			return nil, err
		}
	}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &y); err != nil {
			return nil, err
		}
	}
	return json.Marshal(append(x, y...))
}

var _ model.ConflictService = (*DB)(nil)
