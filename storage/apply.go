package storage

import (
	"bytes"
	"encoding/json"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// merged is one record's share of an ApplyOps batch, merged from the
// record's stored bytes and its ops alone, so that it can be worked out on
// other cores ahead of the write transaction (decoding, merging, encoding
// and most index keys are the bulk of applying). The transaction then only
// checks that the stored bytes are still the ones merged from and writes
// the results.
type merged struct {
	typ    model.RecordType
	id     model.ID
	ops    []model.Op
	oldRaw []byte // the stored record it was merged from (nil: none), a copy
	oldClk []byte // its stored clocks, a copy
	region string // of the phone numbers in the listing keys

	err       error
	applied   []*model.Op // ops that changed a field, logged in order
	logs      [][]byte    // their change-log entries
	ignored   int
	conflicts []model.Conflict // losing values of concurrent edits (Seen unset)
	old, rec  any              // decoded before and after; rec nil when nothing changed
	raw, clk  []byte           // the record and clocks to store
	// Listing keys of a customer before and after (see listingKeys),
	// worked out here because folding and phone parsing are costly; the
	// transaction drops them when the customer is merged into another.
	oldKeys, newKeys []ikey
	set              []string // names of the fields the ops set
}

// mergeRecord merges m.ops into m.oldRaw/m.oldClk: per field the newer
// stamp wins; the loser of a concurrent edit is kept as a conflict.
func mergeRecord(m *merged, region string) {
	m.region = region
	m.err = m.merge()
	if m.err != nil || len(m.applied) == 0 {
		return
	}
	m.logs = make([][]byte, len(m.applied))
	for i, op := range m.applied {
		m.logs[i] = encodeOp(op)
	}
	if c, ok := m.old.(*model.Customer); ok && live(&c.Meta) {
		m.oldKeys = listingKeys(c, region)
	}
	if c, ok := m.rec.(*model.Customer); ok && live(&c.Meta) {
		m.newKeys = listingKeys(c, region)
	}
}

func (m *merged) merge() error {
	if m.oldRaw == nil && len(m.ops) == 1 && m.ops[0].Field == model.FieldAll {
		// The common case of sync: a record new to this device, created
		// in one op. No merging, no conflict possible.
		return m.create(&m.ops[0])
	}
	fields, err := fieldsOf(m.oldRaw)
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "decode %s %s", m.typ, m.id)
	}
	clk, err := decodeClocks(m.oldClk, m.typ, m.id)
	if err != nil {
		return err
	}
	for i := range m.ops {
		op := &m.ops[i]
		if op.Type != m.typ {
			return model.Errorf(model.EINVALID, "op for %s %s names type %s", m.typ, op.ID, op.Type)
		}
		changed, err := m.mergeOp(fields, &clk, op)
		if err != nil {
			return err
		}
		if changed {
			m.applied = append(m.applied, op)
		} else {
			m.ignored++
		}
	}
	if len(m.applied) == 0 {
		return nil
	}
	if m.oldRaw != nil {
		m.old = newRecord(m.typ)
		if err := decodeRecord(m.oldRaw, m.old); err != nil {
			return model.WrapError(model.EINTERNAL, err, "decode %s %s", m.typ, m.id)
		}
		// Only the fields the ops set are decoded onto a copy.
		m.rec, err = patchRecord(m.old, fields, m.set)
	} else if later, ok := m.createdThenEdited(); ok {
		// A record created and edited in one batch: its creation value
		// is the record as its device encoded it, which the record codec
		// decodes fast; the fields the later ops set are decoded onto it.
		base := newRecord(m.typ)
		if err = decodeRecord(m.ops[0].Value, base); err == nil {
			m.rec, err = patchRecord(base, fields, later)
		}
	} else {
		m.rec = newRecord(m.typ)
		err = decodeRecord(appendFields(nil, fields), m.rec)
	}
	if err != nil {
		return model.WrapError(model.EINVALID, err, "op %s %s: bad field value", m.typ, m.id)
	}
	meta := metaOf(m.rec)
	newest := clk.newest()
	meta.ID, meta.Updated, meta.Device, meta.Author = m.id, newest.HLC.Time(), newest.Device, newest.Author
	if m.raw, err = encodeRecord(m.rec); err != nil {
		return err
	}
	m.clk = appendClocks(nil, &clk)
	return nil
}

// createdThenEdited reports whether m's ops are one creating op (FieldAll)
// followed by field ops only, and returns the fields those set. The
// record's fields are then the creation value's members (but the meta
// fields, which merging sets anew) with the later ops' winning values.
func (m *merged) createdThenEdited() ([]string, bool) {
	if m.ops[0].Field != model.FieldAll {
		return nil, false
	}
	var later []string
	for i := range m.ops[1:] {
		f := m.ops[1+i].Field
		if f == model.FieldAll {
			return nil, false
		}
		if !slices.Contains(later, f) {
			later = append(later, f)
		}
	}
	return later, true
}

// create builds a record that does not exist yet from its creation op,
// decoding the value straight into the record type.
func (m *merged) create(op *model.Op) error {
	rec := newRecord(op.Type)
	if err := decodeRecord(op.Value, rec); err != nil {
		return model.WrapError(model.EINVALID, err, "op %s %s: bad record value", op.Type, op.ID)
	}
	fc := fieldClock{HLC: op.HLC, Device: op.Device, Author: op.Author}
	meta := metaOf(rec)
	meta.ID, meta.Updated, meta.Device, meta.Author = op.ID, op.HLC.Time(), op.Device, op.Author
	raw, err := encodeRecord(rec)
	if err != nil {
		return err
	}
	m.rec, m.raw, m.clk = rec, raw, appendClocks(nil, &clocks{Base: &fc})
	m.applied = []*model.Op{op}
	return nil
}

// mergeOp applies one op to the record's fields and clocks in memory.
func (m *merged) mergeOp(fields map[string]json.RawMessage, clk *clocks, op *model.Op) (bool, error) {
	vals := map[string]json.RawMessage{op.Field: op.Value}
	in := fieldClock{HLC: op.HLC, Device: op.Device, Author: op.Author, Prev: op.Prev}
	if op.Field == model.FieldAll {
		var err error
		if vals, err = fieldsOf(op.Value); err != nil {
			return false, model.WrapError(model.EINVALID, err, "op %s %s: bad record value", op.Type, op.ID)
		}
		if clk.Base == nil {
			// Fields set before by newer partial ops keep their own stamps.
			clk.Base = &fieldClock{HLC: op.HLC, Device: op.Device, Author: op.Author}
			in = *clk.Base
			for f := range vals {
				if _, ok := clk.Fields[f]; !ok {
					clk.Fields = withField(clk.Fields, f, fieldClock{}) // placeholder: not set yet
				}
			}
		}
	}
	changed := false
	for _, f := range sortedKeys(vals) {
		v := vals[f]
		if model.MetaFields[f] {
			continue
		}
		cur, ok := clk.get(f)
		if ok && cur.HLC == 0 { // placeholder from a FieldAll that arrived after partial ops
			ok = false
		}
		switch {
		case !ok:
			fields[f] = v
			clk.set(f, in)
			m.setField(f)
			changed = true
		case in.stamp() == cur.stamp():
			// already known
		case in.stamp().After(cur.stamp()):
			if in.Prev < cur.HLC && !bytes.Equal(fields[f], v) {
				m.conflict(op, f, v, in, fields[f], cur)
			}
			fields[f] = v
			clk.set(f, in)
			m.setField(f)
			changed = true
		default:
			if cur.Prev < in.HLC && !bytes.Equal(fields[f], v) {
				m.conflict(op, f, fields[f], cur, v, in)
			}
		}
	}
	return changed, nil
}

func (m *merged) setField(f string) {
	if !slices.Contains(m.set, f) {
		m.set = append(m.set, f)
	}
}

// conflict keeps the losing value of a concurrent edit for review.
func (m *merged) conflict(op *model.Op, field string, kept json.RawMessage, keptBy fieldClock, lost json.RawMessage, lostBy fieldClock) {
	m.conflicts = append(m.conflicts, model.Conflict{
		Type: op.Type, ID: op.ID, Field: field,
		Kept: kept, KeptStamp: keptBy.stamp(), Lost: lost, LostStamp: lostBy.stamp(), LostBy: lostBy.Author,
	})
}

// prepare reads the stored bytes of the records of one chunk in a read
// transaction and merges them, spread over the CPUs.
func (db *DB) prepare(chunk [][]model.Op, region string) ([]*merged, error) {
	out := make([]*merged, len(chunk))
	err := db.view(func(tx *bolt.Tx) error {
		for i, ops := range chunk {
			op := &ops[0]
			m := &merged{typ: op.Type, id: op.ID, ops: ops}
			if b := recBucket(tx, op.Type); b != nil {
				m.oldRaw = bytes.Clone(b.Get(idBytes(op.ID)))
			}
			if m.oldRaw != nil {
				m.oldClk = bytes.Clone(clockBucket(tx, op.Type).Get(idBytes(op.ID)))
			}
			out[i] = m
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	parallel(len(out), 64, func(lo, hi int) error {
		for _, m := range out[lo:hi] {
			mergeRecord(m, region) // its error stays in m
		}
		return nil
	})
	return out, nil
}

// applyMerged writes a record merged ahead of the transaction. When the
// stored bytes changed since (a local save between two chunks), it is
// merged again from the current ones.
func (w *writer) applyMerged(m *merged, res *model.ApplyResult) error {
	idb := idBytes(m.id)
	cur := recBucket(w.tx, m.typ).Get(idb)
	var curClk []byte
	if cur != nil {
		curClk = clockBucket(w.tx, m.typ).Get(idb)
	}
	if m.stale(cur, curClk, w.region) {
		m = &merged{typ: m.typ, id: m.id, ops: m.ops, oldRaw: cur, oldClk: curClk}
		mergeRecord(m, w.region)
	}
	if m.err != nil {
		return m.err
	}
	res.Ignored += m.ignored
	for i := range m.conflicts {
		if err := w.putConflict(&m.conflicts[i], res); err != nil {
			return err
		}
	}
	if len(m.applied) == 0 {
		return nil
	}
	for _, op := range m.applied {
		res.Applied++
		if d := w.db.clock.Observe(op.HLC); d > res.Drift {
			res.Drift = d
		}
	}
	rb, cb := recBucket(w.tx, m.typ), clockBucket(w.tx, m.typ)
	rb.FillPercent, cb.FillPercent = 0.9, 0.9
	if err := rb.Put(idb, m.raw); err != nil {
		return err
	}
	if err := cb.Put(idb, m.clk); err != nil {
		return err
	}
	for _, b := range m.logs {
		if err := w.logRaw(b); err != nil {
			return err
		}
	}
	c, ok := m.rec.(*model.Customer)
	if !ok {
		return w.reindex(m.typ, m.old, m.rec)
	}
	oldKeys := m.oldKeys
	if old, ok := m.old.(*model.Customer); ok && hiddenByMerge(w.tx, old) {
		oldKeys = nil
	}
	return w.reindexCustomer(m.old, c, oldKeys, m.newKeys)
}

// stale reports whether the stored record, its clocks or the phone
// region changed since m was merged.
func (m *merged) stale(cur, curClk []byte, region string) bool {
	return (cur == nil) != (m.oldRaw == nil) || !bytes.Equal(cur, m.oldRaw) ||
		!bytes.Equal(curClk, m.oldClk) || m.region != region
}

// putConflict stores a conflict unless it is kept already.
func (w *writer) putConflict(c *model.Conflict, res *model.ApplyResult) error {
	k := conflictKey(*c)
	bk := w.tx.Bucket(bucketConflict)
	if bk.Get(k) != nil {
		return nil
	}
	c.Seen = w.db.now().UTC()
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	res.Conflicts++
	return bk.Put(k, raw)
}
