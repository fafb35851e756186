package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// fieldClock is the stamp of one field's current value, and the stamp of
// the value it replaced (Prev), which tells concurrent edits from sequential ones.
type fieldClock struct {
	HLC    model.HLC `json:"h"`
	Device string    `json:"d"`
	Author string    `json:"a,omitempty"`
	Prev   model.HLC `json:"p,omitempty"`
}

func (c fieldClock) stamp() model.Stamp { return model.Stamp{HLC: c.HLC, Device: c.Device} }

// clocks holds the stamps of a record's fields: Base is the stamp of the
// op that created the record, Fields only those that differ from it. The
// form is canonical, so two devices that merged the same ops store equal bytes.
type clocks struct {
	Base   *fieldClock           `json:"b,omitempty"`
	Fields map[string]fieldClock `json:"f,omitempty"`
}

func (c *clocks) get(field string) (fieldClock, bool) {
	if fc, ok := c.Fields[field]; ok {
		return fc, true
	}
	if c.Base != nil {
		return *c.Base, true
	}
	return fieldClock{}, false
}

func (c *clocks) set(field string, fc fieldClock) {
	if c.Base != nil && *c.Base == fc {
		delete(c.Fields, field)
		return
	}
	if c.Fields == nil {
		c.Fields = map[string]fieldClock{}
	}
	c.Fields[field] = fc
}

// newest returns the stamp of the newest change to the record.
func (c *clocks) newest() fieldClock {
	var n fieldClock
	if c.Base != nil {
		n = *c.Base
	}
	for _, fc := range c.Fields {
		if fc.stamp().After(n.stamp()) {
			n = fc
		}
	}
	return n
}

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
	var c clocks
	if raw != nil {
		if err := json.Unmarshal(raw, &c); err != nil {
			return c, model.WrapError(model.EINTERNAL, err, "decode clocks of %s %s", typ, id)
		}
	}
	return c, nil
}

func putClocks(tx *bolt.Tx, typ model.RecordType, id model.ID, c clocks) error {
	return clockBucket(tx, typ).Put(idBytes(id), appendClocks(nil, &c))
}

// appendClocks appends c as json.Marshal encodes it (the stored form must
// stay byte-identical across devices and versions), without reflection:
// every merged or created record writes its clocks.
func appendClocks(b []byte, c *clocks) []byte {
	b = append(b, '{')
	if c.Base != nil {
		b = append(b, `"b":`...)
		b = appendFieldClock(b, c.Base)
	}
	if len(c.Fields) > 0 {
		if c.Base != nil {
			b = append(b, ',')
		}
		b = append(b, `"f":{`...)
		for i, f := range sortedKeys(c.Fields) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, f)
			b = append(b, ':')
			fc := c.Fields[f]
			b = appendFieldClock(b, &fc)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendFieldClock(b []byte, fc *fieldClock) []byte {
	b = append(b, `{"h":`...)
	b = strconv.AppendUint(b, uint64(fc.HLC), 10)
	b = append(b, `,"d":`...)
	b = appendJSONString(b, fc.Device)
	if fc.Author != "" {
		b = append(b, `,"a":`...)
		b = appendJSONString(b, fc.Author)
	}
	if fc.Prev != 0 {
		b = append(b, `,"p":`...)
		b = strconv.AppendUint(b, uint64(fc.Prev), 10)
	}
	return append(b, '}')
}

// save writes rec, a pointer to a model record, as a local change: a new
// record is logged as one FieldAll op, an existing one as one op per field
// that differs from the stored value. Meta is filled from the stamp.
// Nothing is written when nothing changed.
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
	newRaw, err := encodeRecord(rec)
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "encode %s", typ)
	}
	var ops []model.Op
	var clk clocks
	if old == nil {
		// The whole record is the value; merging skips its meta fields.
		ops = append(ops, model.Op{Type: typ, ID: m.ID, Field: model.FieldAll, Value: newRaw, HLC: stamp, Device: fc.Device, Author: fc.Author})
		clk.Base = &fc
	} else {
		oldFields, err := fieldsOf(oldRaw)
		if err != nil {
			return model.WrapError(model.EINTERNAL, err, "decode %s %s", typ, m.ID)
		}
		if clk, err = loadClocks(w.tx, typ, m.ID); err != nil {
			return err
		}
		newFields, err := fieldsOf(newRaw)
		if err != nil {
			return model.WrapError(model.EINTERNAL, err, "encode %s", typ)
		}
		for f := range oldFields {
			if _, ok := newFields[f]; !ok {
				newFields[f] = json.RawMessage("null") // an omitted field was cleared
			}
		}
		names := sortedKeys(newFields)
		for _, f := range names {
			v := newFields[f]
			if model.MetaFields[f] || bytes.Equal(v, oldFields[f]) {
				continue
			}
			prev, _ := clk.get(f)
			at := stamp
			if prev.HLC >= at {
				// The value carries a stamp further ahead than the clock
				// follows (model.MaxAdopt): this change must still win
				// on every device, so it is ordered right after it.
				at = prev.HLC + 1
			}
			ops = append(ops, model.Op{Type: typ, ID: m.ID, Field: f, Value: v, HLC: at, Device: fc.Device, Author: fc.Author, Prev: prev.HLC})
			clk.set(f, fieldClock{HLC: at, Device: fc.Device, Author: fc.Author, Prev: prev.HLC})
		}
		if len(ops) == 0 {
			*m = *metaOf(old) // report the stored meta back: nothing changed
			return nil
		}
	}
	if err := b.Put(idBytes(m.ID), newRaw); err != nil {
		return err
	}
	if err := putClocks(w.tx, typ, m.ID, clk); err != nil {
		return err
	}
	for i := range ops {
		if err := w.log(&ops[i]); err != nil {
			return err
		}
	}
	return w.reindex(typ, old, rec)
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

func withField(m map[string]fieldClock, f string, fc fieldClock) map[string]fieldClock {
	if m == nil {
		m = map[string]fieldClock{}
	}
	m[f] = fc
	return m
}

func conflictKey(c model.Conflict) []byte {
	return key([]byte(c.Type), sep, idBytes(c.ID), []byte(c.Field), sep, u64(uint64(c.LostStamp.HLC)), []byte(c.LostStamp.Device))
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
	b := make([]byte, 0, len(op.Value)+160)
	b = append(b, `{"t":`...)
	b = appendJSONString(b, string(op.Type))
	b = append(b, `,"id":"`...)
	b = append(b, op.ID.String()...)
	b = append(b, `","f":`...)
	b = appendJSONString(b, op.Field)
	b = append(b, `,"v":`...)
	if len(op.Value) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, op.Value...)
	}
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
// escapes it. Device IDs, field names, names and most text need no
// escapes (valid UTF-8 is copied as it is) and are copied directly.
func appendJSONString(b []byte, s string) []byte {
	if !plainJSON(s) {
		q, _ := json.Marshal(s) // never fails for a string
		return append(b, q...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// plainJSON reports whether json.Marshal writes s between quotes as it
// is: no quote, backslash, control character or HTML-sensitive <, >, &,
// no invalid UTF-8, no line or paragraph separator (U+2028, U+2029).
func plainJSON(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}
