package storage

import (
	"encoding/json"
	"time"
	"unicode/utf8"

	"github.com/kundenkartei/kundenkartei/model"
)

// Notes are most of what a database holds and most of what a sync
// carries, and encoding/json spends about 6 µs decoding one and 3 µs
// encoding it, mostly on reflection. encodeRecord and decodeRecord do
// notes by hand and everything else with encoding/json; the results are
// the same bytes and values encoding/json gives (the stored form must stay
// byte-identical across devices and versions), which the tests check
// against encoding/json on generated and fuzzed notes.

// encodeRecord encodes a record as json.Marshal does.
func encodeRecord(v any) ([]byte, error) {
	if n, ok := v.(*model.Note); ok {
		if b, ok := appendNote(make([]byte, 0, 400+len(n.Device)+len(n.Author)+len(n.Text)+len(n.By)), n); ok {
			return b, nil
		}
	}
	return json.Marshal(v)
}

// decodeRecord decodes a record as json.Unmarshal does.
func decodeRecord(raw []byte, v any) error {
	if n, ok := v.(*model.Note); ok && decodeNote(raw, n) {
		return nil
	}
	return json.Unmarshal(raw, v)
}

// appendNote appends n as json.Marshal encodes it; false when a time
// cannot be encoded (json.Marshal then reports why).
func appendNote(b []byte, n *model.Note) ([]byte, bool) {
	ok := true
	b = append(b, `{"id":`...)
	b = appendUUID(b, n.ID)
	b = append(b, `,"created":`...)
	b, ok = appendTime(b, n.Created, ok)
	b = append(b, `,"updated":`...)
	b, ok = appendTime(b, n.Updated, ok)
	b = append(b, `,"device":`...)
	b = appendJSONString(b, n.Device)
	b = append(b, `,"author":`...)
	b = appendJSONString(b, n.Author)
	if n.Deleted {
		b = append(b, `,"deleted":true`...)
	} else {
		b = append(b, `,"deleted":false`...)
	}
	b = append(b, `,"customer_id":`...)
	b = appendUUID(b, n.CustomerID)
	b = append(b, `,"at":`...)
	b, ok = appendTime(b, n.At, ok)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, string(n.Kind))
	b = append(b, `,"text":`...)
	b = appendJSONString(b, n.Text)
	b = append(b, `,"impression":`...)
	b = appendJSONString(b, string(n.Impression))
	b = append(b, `,"by":`...)
	b = appendJSONString(b, n.By)
	b = append(b, `,"replaces":`...)
	b = appendUUID(b, n.Replaces)
	return append(b, '}'), ok
}

// appendUUID appends id as its MarshalText in quotes.
func appendUUID(b []byte, id model.ID) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i, x := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[x>>4], hex[x&15])
	}
	return append(b, '"')
}

// appendTime appends t as its MarshalJSON; ok turns false when t cannot
// be encoded (a year beyond 9999, an odd zone).
func appendTime(b []byte, t time.Time, ok bool) ([]byte, bool) {
	b = append(b, '"')
	out, err := t.AppendText(b)
	if err != nil {
		return b, false
	}
	return append(out, '"'), ok
}

// decodeNote decodes raw into n when raw is a note exactly as
// json.Marshal writes it (members in order, no spaces, strings without
// escapes); it reports false, and leaves n as it was, for anything else,
// which encoding/json then reads.
func decodeNote(raw []byte, n *model.Note) bool {
	var x model.Note
	p := scan{b: raw}
	ok := p.lit(`{"id":`) && p.uuid(&x.ID) &&
		p.lit(`,"created":`) && p.time(&x.Created) &&
		p.lit(`,"updated":`) && p.time(&x.Updated) &&
		p.lit(`,"device":`) && p.str(&x.Device) &&
		p.lit(`,"author":`) && p.str(&x.Author) &&
		p.lit(`,"deleted":`) && p.bool(&x.Deleted) &&
		p.lit(`,"customer_id":`) && p.uuid(&x.CustomerID) &&
		p.lit(`,"at":`) && p.time(&x.At) &&
		p.lit(`,"kind":`) && p.str((*string)(&x.Kind)) &&
		p.lit(`,"text":`) && p.str(&x.Text) &&
		p.lit(`,"impression":`) && p.str((*string)(&x.Impression)) &&
		p.lit(`,"by":`) && p.str(&x.By) &&
		p.lit(`,"replaces":`) && p.uuid(&x.Replaces) &&
		p.lit(`}`) && p.i == len(raw)
	if ok {
		*n = x
	}
	return ok
}

// scan reads the canonical JSON of decodeNote.
type scan struct {
	b []byte
	i int
}

func (p *scan) lit(s string) bool {
	if len(p.b)-p.i < len(s) || string(p.b[p.i:p.i+len(s)]) != s {
		return false
	}
	p.i += len(s)
	return true
}

// raw returns the content of a string without escapes or control
// characters, and with valid UTF-8 (encoding/json would replace invalid
// bytes).
func (p *scan) raw() ([]byte, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, false
	}
	start := p.i + 1
	ascii := true
	for j := start; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			s := p.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			p.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

func (p *scan) str(v *string) bool {
	s, ok := p.raw()
	if ok {
		*v = string(s)
	}
	return ok
}

func (p *scan) uuid(v *model.ID) bool {
	s, ok := p.raw()
	return ok && v.UnmarshalText(s) == nil
}

func (p *scan) time(v *time.Time) bool {
	s, ok := p.raw()
	return ok && v.UnmarshalText(s) == nil
}

func (p *scan) bool(v *bool) bool {
	switch {
	case p.lit("true"):
		*v = true
	case p.lit("false"):
		*v = false
	default:
		return false
	}
	return true
}
