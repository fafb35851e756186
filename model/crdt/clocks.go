package crdt

import (
	"encoding/json"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/kundenkartei/kundenkartei/model"
)

// FieldClock is the stamp of one field's current value, and the stamp of
// the value it replaced (Prev), which tells concurrent edits from
// sequential ones.
type FieldClock struct {
	HLC    model.HLC `json:"h"`
	Device string    `json:"d"`
	Author string    `json:"a,omitempty"`
	Prev   model.HLC `json:"p,omitempty"`
}

// Stamp returns the clock's total-order stamp.
func (c FieldClock) Stamp() model.Stamp { return model.Stamp{HLC: c.HLC, Device: c.Device} }

// Clocks is a record's merge state beside its fields: Base is the stamp
// of the op that created the record, Fields only the stamps that differ
// from it. Rivals keeps, per scalar field, the values of concurrent edits
// that lost and that no later edit has replaced yet; Sets the element
// state of set-valued fields once an op other than the creating one
// touched them (see Set). The form is canonical, so two devices that
// merged the same ops store equal bytes.
type Clocks struct {
	Base   *FieldClock           `json:"b,omitempty"`
	Fields map[string]FieldClock `json:"f,omitempty"`
	Rivals map[string][]Rival    `json:"r,omitempty"`
	Sets   map[string]*Set       `json:"s,omitempty"`
}

// Rival is a losing value of a concurrent edit of a scalar field.
type Rival struct {
	FieldClock
	V json.RawMessage `json:"v"`
}

// Get returns the clock of field, or the creation stamp.
func (c *Clocks) Get(field string) (FieldClock, bool) {
	if fc, ok := c.Fields[field]; ok {
		return fc, true
	}
	if c.Base != nil {
		return *c.Base, true
	}
	return FieldClock{}, false
}

// Set records the clock of field.
func (c *Clocks) Set(field string, fc FieldClock) {
	if c.Base != nil && *c.Base == fc {
		delete(c.Fields, field)
		return
	}
	if c.Fields == nil {
		c.Fields = map[string]FieldClock{}
	}
	c.Fields[field] = fc
}

// Newest returns the stamp of the newest change to the record.
func (c *Clocks) Newest() FieldClock {
	var n FieldClock
	if c.Base != nil {
		n = *c.Base
	}
	for _, fc := range c.Fields {
		if fc.Stamp().After(n.Stamp()) {
			n = fc
		}
	}
	return n
}

// DecodeClocks decodes stored clocks; nil raw gives none.
func DecodeClocks(raw []byte) (Clocks, error) {
	var c Clocks
	if raw != nil {
		if err := json.Unmarshal(raw, &c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// AppendClocks appends c as json.Marshal encodes it (the stored form must
// stay byte-identical across devices and versions), without reflection for
// the stamps every record has: every merged or created record writes its
// clocks. Rivals and set state, rare, go through encoding/json.
func AppendClocks(b []byte, c *Clocks) []byte {
	b = append(b, '{')
	n := 0
	sep := func() {
		if n > 0 {
			b = append(b, ',')
		}
		n++
	}
	if c.Base != nil {
		sep()
		b = append(b, `"b":`...)
		b = appendFieldClock(b, c.Base)
	}
	if len(c.Fields) > 0 {
		sep()
		b = append(b, `"f":{`...)
		for i, f := range sortedKeys(c.Fields) {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendJSONString(b, f)
			b = append(b, ':')
			fc := c.Fields[f]
			b = appendFieldClock(b, &fc)
		}
		b = append(b, '}')
	}
	if len(c.Rivals) > 0 {
		sep()
		r, _ := json.Marshal(c.Rivals) // plain data, never fails
		b = append(append(b, `"r":`...), r...)
	}
	if len(c.Sets) > 0 {
		sep()
		s, _ := json.Marshal(c.Sets)
		b = append(append(b, `"s":`...), s...)
	}
	return append(b, '}')
}

func appendFieldClock(b []byte, fc *FieldClock) []byte {
	b = append(b, `{"h":`...)
	b = strconv.AppendUint(b, uint64(fc.HLC), 10)
	b = append(b, `,"d":`...)
	b = AppendJSONString(b, fc.Device)
	if fc.Author != "" {
		b = append(b, `,"a":`...)
		b = AppendJSONString(b, fc.Author)
	}
	if fc.Prev != 0 {
		b = append(b, `,"p":`...)
		b = strconv.AppendUint(b, uint64(fc.Prev), 10)
	}
	return append(b, '}')
}

// AppendJSONString appends s as a JSON string, escaped as json.Marshal
// escapes it. Device IDs, field names, names and most text need no
// escapes (valid UTF-8 is copied as it is) and are copied directly.
func AppendJSONString(b []byte, s string) []byte {
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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
