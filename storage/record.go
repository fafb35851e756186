package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/model/crdt"
)

// fieldClock and clocks are the merge state beside every record; the
// merge rule that keeps them lives in model/crdt.
type (
	fieldClock = crdt.FieldClock
	clocks     = crdt.Clocks
)

// metaOf returns the Meta of a pointer to a model record.
func metaOf(rec any) *model.Meta {
	switch r := rec.(type) {
	case *model.Customer:
		return &r.Meta
	case *model.Note:
		return &r.Meta
	case *model.FollowUp:
		return &r.Meta
	case *model.Gesture:
		return &r.Meta
	case *model.Event:
		return &r.Meta
	}
	panic(fmt.Sprintf("storage: not a record: %T", rec))
}

// newRecord returns a pointer to a zero record of typ, or nil for an unknown type.
func newRecord(typ model.RecordType) any {
	switch typ {
	case model.TypeCustomer:
		return new(model.Customer)
	case model.TypeNote:
		return new(model.Note)
	case model.TypeFollowUp:
		return new(model.FollowUp)
	case model.TypeGesture:
		return new(model.Gesture)
	case model.TypeEvent:
		return new(model.Event)
	}
	return nil
}

func recBucket(tx *bolt.Tx, typ model.RecordType) *bolt.Bucket {
	return tx.Bucket(bucketRec).Bucket([]byte(typ))
}

func clockBucket(tx *bolt.Tx, typ model.RecordType) *bolt.Bucket {
	return tx.Bucket(bucketClock).Bucket([]byte(typ))
}

// get decodes the record id of type typ into a new T. Deleted records are
// returned too; callers that want live ones check Deleted. ENOTFOUND when absent.
func get[T any](tx *bolt.Tx, typ model.RecordType, id model.ID) (*T, error) {
	raw := recBucket(tx, typ).Get(idBytes(id))
	if raw == nil {
		return nil, model.Errorf(model.ENOTFOUND, "%s %s not found", typ, id)
	}
	v := new(T)
	if err := decodeRecord(raw, v); err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "decode %s %s", typ, id)
	}
	ownerOf(tx, any(v))
	return v, nil
}

// getLive is get for records that are not tombstoned.
func getLive[T any](tx *bolt.Tx, typ model.RecordType, id model.ID) (*T, error) {
	v, err := get[T](tx, typ, id)
	if err != nil {
		return nil, err
	}
	if !live(metaOf(any(v))) {
		return nil, model.Errorf(model.ENOTFOUND, "%s %s was deleted or is not complete yet", typ, id)
	}
	if c, ok := any(v).(*model.Customer); ok && !listed(tx, c) {
		return nil, model.Errorf(model.ENOTFOUND, "customer %s was merged into %s", id, c.MergedInto)
	}
	return v, nil
}

func loadClocks(tx *bolt.Tx, typ model.RecordType, id model.ID) (clocks, error) {
	return decodeClocks(clockBucket(tx, typ).Get(idBytes(id)), typ, id)
}

// decodeClocks decodes stored clocks; nil raw gives none.
func decodeClocks(raw []byte, typ model.RecordType, id model.ID) (clocks, error) {
	c, err := crdt.DecodeClocks(raw)
	if err != nil {
		return c, model.WrapError(model.EINTERNAL, err, "decode clocks of %s %s", typ, id)
	}
	return c, nil
}

func putClocks(tx *bolt.Tx, typ model.RecordType, id model.ID, c clocks) error {
	return clockBucket(tx, typ).Put(idBytes(id), appendClocks(nil, &c))
}

// appendClocks appends c in its stored form (see crdt.AppendClocks).
func appendClocks(b []byte, c *clocks) []byte { return crdt.AppendClocks(b, c) }

// save writes rec, a pointer to a model record, as a local change: a new
// record is logged as one FieldAll op, an existing one as one op per field
// that differs from the stored value (a set delta for set-valued fields,
// see crdt.Record.Local). Meta is filled from the stamp. Nothing is
// written when nothing changed.
func (w *writer) save(typ model.RecordType, rec any, isNew bool) error {
	m := metaOf(rec)
	b := recBucket(w.tx, typ)
	oldRaw := b.Get(idBytes(m.ID))
	switch {
	case isNew && oldRaw != nil:
		return model.Errorf(model.ECONFLICT, "%s %s exists already", typ, m.ID)
	case !isNew && oldRaw == nil:
		return model.Errorf(model.ENOTFOUND, "%s %s not found", typ, m.ID)
	}
	var old any
	if oldRaw != nil {
		old = newRecord(typ)
		if err := decodeRecord(oldRaw, old); err != nil {
			return model.WrapError(model.EINTERNAL, err, "decode %s %s", typ, m.ID)
		}
		om := metaOf(old)
		m.Created = om.Created // never changed by an update
		keepCustomer(w.tx, old, rec)
	}
	stamp := w.db.clock.Now()
	fc := fieldClock{HLC: stamp, Device: w.db.device, Author: w.db.author()}
	if m.Created.IsZero() {
		m.Created = stamp.Time()
	}
	m.Updated, m.Device, m.Author = stamp.Time(), fc.Device, fc.Author
	if old == nil {
		return w.saveNew(typ, rec, b, fc)
	}
	newRaw, err := encodeRecord(rec)
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "encode %s", typ)
	}
	ops, r, err := w.localOps(typ, m.ID, oldRaw, newRaw, fc)
	if err != nil {
		return err
	}
	if len(ops) == 0 {
		*m = *metaOf(old) // report the stored meta back: nothing changed
		return nil
	}
	// Set fields show the merged elements (deduplicated, in their
	// order), as on every device that applies the ops.
	if sets := setFieldsOf(typ, r.Changed); len(sets) > 0 {
		if err := patchFields(rec, r.Fields, sets); err != nil {
			return model.WrapError(model.EINTERNAL, err, "%s %s", typ, m.ID)
		}
		if newRaw, err = encodeRecord(rec); err != nil {
			return model.WrapError(model.EINTERNAL, err, "encode %s", typ)
		}
	}
	if err := b.Put(idBytes(m.ID), newRaw); err != nil {
		return err
	}
	if err := putClocks(w.tx, typ, m.ID, r.Clk); err != nil {
		return err
	}
	for i := range ops {
		if err := w.log(&ops[i]); err != nil {
			return err
		}
	}
	if _, err := w.putConflicts(typ, m.ID, r.Conflicts()); err != nil {
		return err
	}
	return w.reindex(typ, old, rec)
}

// saveNew writes a new record, stamped fc, and logs it as one FieldAll
// op: the whole record is the value (merging skips its meta fields).
// The op, the record (as the op's value) and the clocks are encoded into
// one piece of the writer's slab, the record once.
func (w *writer) saveNew(typ model.RecordType, rec any, b *bolt.Bucket, fc fieldClock) error {
	m := metaOf(rec)
	op := model.Op{Type: typ, ID: m.ID, Field: model.FieldAll, HLC: fc.HLC, Device: fc.Device, Author: fc.Author}
	buf := appendOpHead(w.slab.next(2048), &op)
	at := len(buf)
	buf, ok := w.appendNewRecord(buf, rec)
	if !ok { // what encodeRecord leaves to encoding/json
		raw, err := encodeRecord(rec)
		if err != nil {
			return model.WrapError(model.EINTERNAL, err, "encode %s", typ)
		}
		buf = append(buf[:at], raw...)
	}
	raw := buf[at:len(buf):len(buf)]
	buf = appendOpTail(buf, &op)
	entry := buf[:len(buf):len(buf)]
	buf = appendClocks(buf, &clocks{Base: &fc})
	clk := buf[len(entry):]
	w.slab.used(buf)
	if err := b.Put(idBytes(m.ID), raw); err != nil {
		return err
	}
	if err := clockBucket(w.tx, typ).Put(idBytes(m.ID), clk); err != nil {
		return err
	}
	if err := w.logRaw(entry); err != nil {
		return err
	}
	return w.reindex(typ, nil, rec)
}

// appendNewRecord appends a new record's encoding as encodeRecord gives
// it, a customer's fields from what SaveCustomers worked out ahead when
// it did; false when encodeRecord must encode it.
func (w *writer) appendNewRecord(b []byte, rec any) ([]byte, bool) {
	switch r := rec.(type) {
	case *model.Customer:
		if r.Merge != nil {
			return b, false
		}
		b, ok := appendMeta(b, &r.Meta)
		if a, found := w.ahead.customer(r.ID); found && a.body != nil {
			return append(b, a.body...), ok
		}
		return appendCustomerBody(b, r, ok)
	case *model.Note:
		return appendNote(b, r)
	}
	return b, false
}

// localOps returns the ops of a local change of a stored record from
// oldRaw to newRaw, stamped fc, and the merge state they lead to.
func (w *writer) localOps(typ model.RecordType, id model.ID, oldRaw, newRaw []byte, fc fieldClock) ([]model.Op, *crdt.Record, error) {
	oldFields, err := fieldsOf(oldRaw)
	if err != nil {
		return nil, nil, model.WrapError(model.EINTERNAL, err, "decode %s %s", typ, id)
	}
	clk, err := loadClocks(w.tx, typ, id)
	if err != nil {
		return nil, nil, err
	}
	newFields, err := fieldsOf(newRaw)
	if err != nil {
		return nil, nil, model.WrapError(model.EINTERNAL, err, "encode %s", typ)
	}
	for f := range oldFields {
		if _, ok := newFields[f]; !ok {
			newFields[f] = json.RawMessage("null") // an omitted field was cleared
		}
	}
	r := &crdt.Record{Type: typ, ID: id, Fields: oldFields, Clk: clk}
	var ops []model.Op
	for _, f := range sortedKeys(newFields) {
		v := newFields[f]
		if model.MetaFields[f] || bytes.Equal(v, oldFields[f]) {
			continue
		}
		op, ok, err := r.Local(f, v, fc)
		if err != nil {
			return nil, nil, model.WrapError(model.EINVALID, err, "%s %s", typ, id)
		}
		if ok {
			ops = append(ops, op)
		}
	}
	return ops, r, nil
}

// setFieldsOf returns the set-valued fields among names.
func setFieldsOf(typ model.RecordType, names []string) []string {
	var out []string
	for _, f := range names {
		if crdt.IsSetField(typ, f) {
			out = append(out, f)
		}
	}
	return out
}

// patchFields decodes the named fields from fields into rec, a pointer to
// a model record.
func patchFields(rec any, fields map[string]json.RawMessage, names []string) error {
	p, err := patchRecord(rec, fields, names)
	if err != nil {
		return err
	}
	reflect.ValueOf(rec).Elem().Set(reflect.ValueOf(p).Elem())
	return nil
}

// appendFields joins fields, each valid JSON already, into one object for
// decoding; unlike json.Marshal it does not re-validate and compact them.
func appendFields(b []byte, fields map[string]json.RawMessage) []byte {
	b = append(b, '{')
	for i, f := range sortedKeys(fields) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, f)
		b = append(b, ':')
		if v := fields[f]; len(v) > 0 {
			b = append(b, v...)
		} else {
			b = append(b, "null"...)
		}
	}
	return append(b, '}')
}

// log appends op to the change log.
func (w *writer) log(op *model.Op) error { return w.logRaw(encodeOp(op)) }

// logRaw appends an op encoded by encodeOp to the change log.
func (w *writer) logRaw(entry []byte) error {
	bk := w.tx.Bucket(bucketLog)
	// Keys only ever grow, so a full page is never written to again:
	// filling pages completely halves the log's pages and what a commit writes.
	bk.FillPercent = 1
	seq, err := bk.NextSequence()
	if err != nil {
		return err
	}
	return bk.Put(u64(seq), entry)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// encodeOp writes op as the JSON encoding/json would, without re-scanning
// the already valid value: the change log is written on every save.
func encodeOp(op *model.Op) []byte {
	b := appendOpHead(make([]byte, 0, len(op.Value)+160), op)
	if len(op.Value) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, op.Value...)
	}
	return appendOpTail(b, op)
}

// appendOpHead appends encodeOp's encoding of op up to its value.
func appendOpHead(b []byte, op *model.Op) []byte {
	b = append(b, `{"t":`...)
	b = appendJSONString(b, string(op.Type))
	b = append(b, `,"id":"`...)
	b = append(b, op.ID.String()...)
	b = append(b, `","f":`...)
	b = appendJSONString(b, op.Field)
	return append(b, `,"v":`...)
}

// appendOpTail appends encodeOp's encoding of op after its value.
func appendOpTail(b []byte, op *model.Op) []byte {
	b = append(b, `,"h":`...)
	b = strconv.AppendUint(b, uint64(op.HLC), 10)
	b = append(b, `,"d":`...)
	b = appendJSONString(b, op.Device)
	b = append(b, `,"a":`...)
	b = appendJSONString(b, op.Author)
	b = append(b, `,"p":`...)
	b = strconv.AppendUint(b, uint64(op.Prev), 10)
	return append(b, '}')
}

// appendJSONString appends s as a JSON string, escaped as json.Marshal
// escapes it (see crdt.AppendJSONString).
func appendJSONString(b []byte, s string) []byte { return crdt.AppendJSONString(b, s) }
