package storage

import (
	"bytes"
	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// Erasures travel as ops (model.FieldErased). ApplyOps hands every batch
// to takeErasures before merging: it carries out the erasures the batch
// brings and drops every op of an erased record, in whatever order the
// ops come. An edit another device made offline before it learned of the
// erasure is dropped like any other, not kept as a conflict (a conflict
// would hold the erased data); so is a note, follow-up or gesture created
// for an erased customer, whose ID is then remembered as erased too, so
// its later edits are dropped as well.

// takeErasures erases what the erasure ops in ops name and returns the
// ops that remain to merge.
func (db *DB) takeErasures(ops []model.Op) ([]model.Op, error) {
	var incoming []model.Erasure
	for i := range ops {
		op := &ops[i]
		if op.Field != model.FieldErased {
			continue
		}
		var e model.Erasure
		if err := json.Unmarshal(op.Value, &e); err != nil || op.Type != model.TypeCustomer || e.ID != op.ID {
			return nil, model.Errorf(model.EINVALID, "op erasing %s %s has an invalid value", op.Type, op.ID)
		}
		e.HLC, e.Device, e.Author = op.HLC, op.Device, op.Author
		incoming = append(incoming, e)
	}
	if err := db.applyErasures(incoming); err != nil {
		return nil, err
	}
	erased, err := db.erasedIDs()
	if err != nil || len(erased) == 0 {
		return ops, err
	}
	kept := ops[:0:0]
	children := map[model.ID]model.ID{} // new records of erased customers → their erasure
	for _, op := range ops {
		if op.Field == model.FieldErased || erased[op.ID] != model.NilID {
			continue
		}
		if op.Field == model.FieldAll && op.Type != model.TypeCustomer && op.Type != model.TypeEvent {
			if by := erased[valueCustomer(op.Value)]; by != model.NilID {
				children[op.ID] = by
				erased[op.ID] = by
				continue
			}
		}
		kept = append(kept, op)
	}
	if len(children) > 0 {
		err = translate(db.bolt.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketErased)
			for id, by := range children {
				if err := b.Put(idBytes(id), idBytes(by)); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	return kept, err
}

// applyErasures carries out the erasures this database does not know yet:
// the erasure log first, then one transaction each, then the file's free
// pages and the directory once for all.
func (db *DB) applyErasures(list []model.Erasure) error {
	done := 0
	for _, e := range list {
		var known bool
		if err := db.view(func(tx *bolt.Tx) error { known = erasureOf(tx, e.ID) != nil; return nil }); err != nil {
			return err
		}
		if known {
			continue
		}
		db.clock.Observe(e.HLC)
		if err := appendErasureLog(db.erasureLogPath(), e); err != nil {
			return err
		}
		if err := db.update(func(w *writer) error { return w.erase(e) }); err != nil {
			return err
		}
		done++
	}
	if done == 0 {
		return nil
	}
	return db.afterErase()
}

// erasedIDs returns every erased record ID with the customer whose
// erasure took it (its own ID for an erased customer); empty when nothing
// was ever erased, which costs one lookup.
func (db *DB) erasedIDs() (map[model.ID]model.ID, error) {
	out := map[model.ID]model.ID{}
	err := db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketErased)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			id := idAtEnd(k)
			if len(v) == 16 {
				out[id] = idAtEnd(v)
			} else {
				out[id] = id
			}
			return nil
		})
	})
	return out, err
}

// valueCustomer reads the customer_id of a record's JSON without decoding
// the rest: ApplyOps may bring 100,000 new records.
func valueCustomer(v []byte) model.ID {
	const field = `"customer_id":"`
	i := bytes.Index(v, []byte(field))
	var id model.ID
	if i < 0 || len(v) < i+len(field)+36 {
		return model.NilID
	}
	if id.UnmarshalText(v[i+len(field):i+len(field)+36]) != nil {
		return model.NilID
	}
	return id
}
