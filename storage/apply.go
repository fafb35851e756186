package storage

import (
	"bytes"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/model/crdt"
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
	conflicts []model.Conflict // the record's conflicts after merging (see crdt.Record.Conflicts)
	fresh     bool             // a record created by one op: it has no conflicts
	old, rec  any              // decoded before and after; rec nil when nothing changed
	raw, clk  []byte           // the record and clocks to store
	// Listing keys of a customer before and after (see listingKeys),
	// worked out here because folding and phone parsing are costly; the
	// transaction drops them when the customer is merged into another.
	oldKeys, newKeys []ikey
	set              []string // names of the fields the ops set
}

// mergeRecord merges m.ops into m.oldRaw/m.oldClk by the rule of
// model/crdt: per scalar field the newer stamp wins, set fields merge
// element by element, and the record's conflicts are derived anew.
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
		m.fresh = true
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
	r := &crdt.Record{Type: m.typ, ID: m.id, Fields: fields, Clk: clk, Split: fieldsOf}
	for i := range m.ops {
		op := &m.ops[i]
		if op.Type != m.typ {
			return model.Errorf(model.EINVALID, "op for %s %s names type %s", m.typ, op.ID, op.Type)
		}
		changed, err := r.Apply(op)
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
	m.set = r.Changed
	m.conflicts = r.Conflicts()
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
	newest := r.Clk.Newest()
	meta.ID, meta.Updated, meta.Device, meta.Author = m.id, newest.HLC.Time(), newest.Device, newest.Author
	if m.raw, err = encodeRecord(m.rec); err != nil {
		return err
	}
	m.clk = appendClocks(nil, &r.Clk)
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
	if len(m.applied) == 0 {
		return nil
	}
	if !m.fresh {
		n, err := w.putConflicts(m.typ, m.id, m.conflicts)
		if err != nil {
			return err
		}
		res.Conflicts += n
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
