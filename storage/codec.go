package storage

import (
	"encoding/json"
	"reflect"
	"strconv"
	"time"
	"unicode/utf16"
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
	switch r := v.(type) {
	case *model.Note:
		if b, ok := appendNote(make([]byte, 0, 400+len(r.Device)+len(r.Author)+len(r.Text)+len(r.By)), r); ok {
			return b, nil
		}
	case *model.Customer:
		if b, ok := appendCustomer(make([]byte, 0, 1024), r); ok {
			return b, nil
		}
	}
	return json.Marshal(v)
}

// decodeRecord decodes a record as json.Unmarshal does.
func decodeRecord(raw []byte, v any) error {
	switch r := v.(type) {
	case *model.Note:
		if decodeNote(raw, r) {
			return nil
		}
	case *model.Customer:
		if decodeCustomer(raw, r) {
			return nil
		}
	}
	return json.Unmarshal(raw, v)
}

// appendNote appends n as json.Marshal encodes it; false when a time
// cannot be encoded (json.Marshal then reports why).
func appendNote(b []byte, n *model.Note) ([]byte, bool) {
	b, ok := appendMeta(b, &n.Meta)
	b = appendUUID(append(b, `,"customer_id":`...), n.CustomerID)
	b, ok = appendTime(append(b, `,"at":`...), n.At, ok)
	b = appendJSONString(append(b, `,"kind":`...), string(n.Kind))
	b = appendJSONString(append(b, `,"text":`...), n.Text)
	b = appendJSONString(append(b, `,"impression":`...), string(n.Impression))
	b = appendJSONString(append(b, `,"by":`...), n.By)
	b = appendUUID(append(b, `,"replaces":`...), n.Replaces)
	return append(b, '}'), ok
}

// appendMeta opens a record's object with its meta fields, as
// json.Marshal writes the embedded model.Meta; false when a time cannot
// be encoded.
func appendMeta(b []byte, m *model.Meta) ([]byte, bool) {
	b = appendUUID(append(b, `{"id":`...), m.ID)
	b, ok := appendTime(append(b, `,"created":`...), m.Created, true)
	b, ok = appendTime(append(b, `,"updated":`...), m.Updated, ok)
	b = appendJSONString(append(b, `,"device":`...), m.Device)
	b = appendJSONString(append(b, `,"author":`...), m.Author)
	return appendBool(append(b, `,"deleted":`...), m.Deleted), ok
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
	ok := p.meta(&x.Meta) &&
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

// meta reads what appendMeta writes.
func (p *scan) meta(m *model.Meta) bool {
	return p.lit(`{"id":`) && p.uuid(&m.ID) &&
		p.lit(`,"created":`) && p.time(&m.Created) &&
		p.lit(`,"updated":`) && p.time(&m.Updated) &&
		p.lit(`,"device":`) && p.str(&m.Device) &&
		p.lit(`,"author":`) && p.str(&m.Author) &&
		p.lit(`,"deleted":`) && p.bool(&m.Deleted)
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

// str reads a JSON string. Escapes are decoded as encoding/json decodes
// them (json.Marshal writes &, < and > as \u0026, \u003c, \u003e: 14 %
// of the large demo set's customers have an "&" in the company); a
// surrogate escape reports false, and encoding/json reads the record.
func (p *scan) str(v *string) bool {
	s, ok := p.raw()
	if ok {
		*v = string(s)
		return true
	}
	return p.escaped(v)
}

// shortEscapes are the characters of JSON's one-letter escapes.
var shortEscapes = [256]byte{'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// escaped is str for a string raw refused: one with escapes.
func (p *scan) escaped(v *string) bool {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return false
	}
	var out []byte
	for j := p.i + 1; j < len(p.b); j++ {
		c := p.b[j]
		switch {
		case c == '"':
			if !utf8.Valid(out) {
				return false
			}
			*v, p.i = string(out), j+1
			return true
		case c < 0x20:
			return false
		case c != '\\':
			out = append(out, c)
			continue
		}
		if j++; j >= len(p.b) {
			return false
		}
		switch e := p.b[j]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b', 'f', 'n', 'r', 't':
			out = append(out, shortEscapes[e])
		case 'u':
			if j+4 >= len(p.b) {
				return false
			}
			r, err := strconv.ParseUint(string(p.b[j+1:j+5]), 16, 32)
			if err != nil || utf16.IsSurrogate(rune(r)) {
				return false
			}
			out = utf8.AppendRune(out, rune(r))
			j += 4
		default:
			return false
		}
	}
	return false
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

// appendCustomer appends c as json.Marshal encodes it; false for what it
// leaves to json.Marshal: a merge record (maps of raw JSON), or a time
// that cannot be encoded.
func appendCustomer(b []byte, c *model.Customer) ([]byte, bool) {
	if c.Merge != nil {
		return b, false
	}
	b, ok := appendMeta(b, &c.Meta)
	return appendCustomerBody(b, c, ok)
}

// appendCustomerBody appends what follows the meta fields in c's
// encoding (see appendCustomer), which does not depend on them: an
// import works it out for its next chunk while a chunk is written.
// ok turns false as appendCustomer's does.
func appendCustomerBody(b []byte, c *model.Customer, ok bool) ([]byte, bool) {
	b = appendJSONString(append(b, `,"kind":`...), string(c.Kind))
	b = appendJSONString(append(b, `,"salutation":`...), c.Salutation)
	b = appendJSONString(append(b, `,"letter_form":`...), c.LetterForm)
	b = appendJSONString(append(b, `,"given_name":`...), c.GivenName)
	b = appendJSONString(append(b, `,"family_name":`...), c.FamilyName)
	b = appendJSONString(append(b, `,"company":`...), c.Company)
	b = appendJSONString(append(b, `,"position":`...), c.Position)
	b = appendList(append(b, `,"emails":`...), c.Emails, func(b []byte, e *model.Email) []byte {
		return appendLabelled(b, e.Label, `,"address":`, e.Address, e.Pref)
	})
	b = appendList(append(b, `,"phones":`...), c.Phones, func(b []byte, ph *model.Phone) []byte {
		return appendLabelled(b, ph.Label, `,"number":`, ph.Number, ph.Pref)
	})
	b = appendList(append(b, `,"addresses":`...), c.Addresses, func(b []byte, a *model.Address) []byte {
		b = appendJSONString(append(b, `{"label":`...), a.Label)
		b = appendJSONString(append(b, `,"street":`...), a.Street)
		b = appendJSONString(append(b, `,"extended":`...), a.Extended)
		b = appendJSONString(append(b, `,"pobox":`...), a.POBox)
		b = appendJSONString(append(b, `,"postal_code":`...), a.PostalCode)
		b = appendJSONString(append(b, `,"city":`...), a.City)
		b = appendJSONString(append(b, `,"region":`...), a.Region)
		b = appendJSONString(append(b, `,"country":`...), a.Country)
		b = appendPref(b, a.Pref)
		if a.Group != "" {
			b = appendJSONString(append(b, `,"group":`...), a.Group)
		}
		return append(b, '}')
	})
	b = appendJSONString(append(b, `,"website":`...), c.Website)
	b = appendJSONString(append(b, `,"birthday":`...), c.Birthday.String())
	b = appendJSONString(append(b, `,"since":`...), c.Since.String())
	b = appendList(append(b, `,"tags":`...), c.Tags, appendJSONStringAt)
	b = appendJSONString(append(b, `,"segment":`...), c.Segment)
	b = appendJSONString(append(b, `,"source":`...), c.Source)
	b = strconv.AppendInt(append(b, `,"rhythm_days":`...), int64(c.RhythmDays), 10)
	b = appendJSONString(append(b, `,"memo":`...), c.Memo)
	b = appendList(append(b, `,"consents":`...), c.Consents, func(b []byte, x *model.Consent) []byte {
		b = appendJSONString(append(b, `{"channel":`...), x.Channel)
		b = appendJSONString(append(b, `,"purpose":`...), x.Purpose)
		b = append(b, `,"given_at":`...)
		b, ok = appendTime(b, x.GivenAt, ok)
		b = appendJSONString(append(b, `,"source":`...), x.Source)
		b = append(b, `,"withdrawn":`...)
		b, ok = appendTime(b, x.Withdrawn, ok)
		return append(b, '}')
	})
	b = appendJSONString(append(b, `,"photo":`...), c.Photo)
	b = appendList(append(b, `,"external_uids":`...), c.ExternalUIDs, appendJSONStringAt)
	b = appendList(append(b, `,"extra":`...), c.Extra, func(b []byte, x *model.ExtraProp) []byte {
		b = append(b, '{')
		if x.Group != "" {
			b = append(appendJSONString(append(b, `"group":`...), x.Group), ',')
		}
		b = appendJSONString(append(b, `"name":`...), x.Name)
		if len(x.Params) > 0 {
			b = append(b, `,"params":{`...)
			for i, k := range sortedKeys(x.Params) {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(appendJSONString(b, k), ':')
				b = appendList(b, x.Params[k], appendJSONStringAt)
			}
			b = append(b, '}')
		}
		b = appendJSONString(append(b, `,"value":`...), x.Value)
		return append(b, '}')
	})
	return appendCustomerOptional(b, c), ok
}

// appendCustomerOptional appends the omitempty fields that close c's
// encoding, and the closing brace.
func appendCustomerOptional(b []byte, c *model.Customer) []byte {
	for _, f := range [...]struct {
		key, v string
	}{{`,"name_prefix":`, c.NamePrefix}, {`,"name_suffix":`, c.NameSuffix}, {`,"department":`, c.Department}} {
		if f.v != "" { // omitempty
			b = appendJSONString(append(b, f.key...), f.v)
		}
	}
	if c.MergedInto != model.NilID {
		b = appendUUID(append(b, `,"merged_into":`...), c.MergedInto)
	}
	if len(c.NotDuplicates) > 0 {
		b = appendList(append(b, `,"not_duplicates":`...), c.NotDuplicates, func(b []byte, id *model.ID) []byte { return appendUUID(b, *id) })
	}
	return append(b, '}')
}

// appendLabelled appends a model.Email or model.Phone: its label, its
// one value under key, and pref.
func appendLabelled(b []byte, label, key, value string, pref bool) []byte {
	b = appendJSONString(append(b, `{"label":`...), label)
	b = appendJSONString(append(b, key...), value)
	return append(appendPref(b, pref), '}')
}

// appendPref appends `,"pref":true` when pref is set (json.Marshal omits
// false).
func appendPref(b []byte, pref bool) []byte {
	if pref {
		b = append(b, `,"pref":true`...)
	}
	return b
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

func appendJSONStringAt(b []byte, s *string) []byte { return appendJSONString(b, *s) }

// appendList appends xs as a JSON array (null when nil, as json.Marshal).
func appendList[T any](b []byte, xs []T, elem func([]byte, *T) []byte) []byte {
	if xs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, &xs[i])
	}
	return append(b, ']')
}

// decodeCustomer is decodeNote for a customer, which it decodes only
// into a zero one (encoding/json decodes into what is there).
func decodeCustomer(raw []byte, c *model.Customer) bool {
	if !reflect.ValueOf(c).Elem().IsZero() {
		return false
	}
	var x model.Customer
	p := scan{b: raw}
	ok := p.meta(&x.Meta) &&
		p.lit(`,"kind":`) && p.str((*string)(&x.Kind)) &&
		p.lit(`,"salutation":`) && p.str(&x.Salutation) &&
		p.lit(`,"letter_form":`) && p.str(&x.LetterForm) &&
		p.lit(`,"given_name":`) && p.str(&x.GivenName) &&
		p.lit(`,"family_name":`) && p.str(&x.FamilyName) &&
		p.lit(`,"company":`) && p.str(&x.Company) &&
		p.lit(`,"position":`) && p.str(&x.Position) &&
		p.lit(`,"emails":`) && scanList(&p, &x.Emails, func(p *scan, e *model.Email) bool {
		return p.labelled(&e.Label, `,"address":`, &e.Address, &e.Pref)
	}) &&
		p.lit(`,"phones":`) && scanList(&p, &x.Phones, func(p *scan, ph *model.Phone) bool {
		return p.labelled(&ph.Label, `,"number":`, &ph.Number, &ph.Pref)
	}) &&
		p.lit(`,"addresses":`) && scanList(&p, &x.Addresses, (*scan).address) &&
		p.lit(`,"website":`) && p.str(&x.Website) &&
		p.lit(`,"birthday":`) && p.date(&x.Birthday) &&
		p.lit(`,"since":`) && p.date(&x.Since) &&
		p.lit(`,"tags":`) && scanList(&p, &x.Tags, (*scan).str) &&
		p.lit(`,"segment":`) && p.str(&x.Segment) &&
		p.lit(`,"source":`) && p.str(&x.Source) &&
		p.lit(`,"rhythm_days":`) && p.int(&x.RhythmDays) &&
		p.lit(`,"memo":`) && p.str(&x.Memo) &&
		p.lit(`,"consents":`) && scanList(&p, &x.Consents, func(p *scan, k *model.Consent) bool {
		return p.lit(`{"channel":`) && p.str(&k.Channel) && p.lit(`,"purpose":`) && p.str(&k.Purpose) &&
			p.lit(`,"given_at":`) && p.time(&k.GivenAt) && p.lit(`,"source":`) && p.str(&k.Source) &&
			p.lit(`,"withdrawn":`) && p.time(&k.Withdrawn) && p.lit(`}`)
	}) &&
		p.lit(`,"photo":`) && p.str(&x.Photo) &&
		p.lit(`,"external_uids":`) && scanList(&p, &x.ExternalUIDs, (*scan).str) &&
		p.lit(`,"extra":`) && scanList(&p, &x.Extra, func(p *scan, e *model.ExtraProp) bool {
		return p.lit(`{`) && (!p.lit(`"group":`) || p.str(&e.Group) && p.lit(`,`)) &&
			p.lit(`"name":`) && p.str(&e.Name) &&
			(!p.lit(`,"params":{`) || p.params(&e.Params)) &&
			p.lit(`,"value":`) && p.str(&e.Value) && p.lit(`}`)
	}) &&
		(!p.lit(`,"name_prefix":`) || p.str(&x.NamePrefix)) &&
		(!p.lit(`,"name_suffix":`) || p.str(&x.NameSuffix)) &&
		(!p.lit(`,"department":`) || p.str(&x.Department)) &&
		(!p.lit(`,"merged_into":`) || p.uuid(&x.MergedInto)) &&
		(!p.lit(`,"not_duplicates":`) || scanList(&p, &x.NotDuplicates, (*scan).uuid)) &&
		p.lit(`}`) && p.i == len(raw)
	if ok {
		*c = x
	}
	return ok
}

// scanList reads a JSON array of elements read by elem, or null; an
// empty array gives an empty slice, not nil, as with encoding/json.
func scanList[T any](p *scan, v *[]T, elem func(*scan, *T) bool) bool {
	if p.lit("null") {
		*v = nil
		return true
	}
	if !p.lit("[") {
		return false
	}
	out := []T{}
	if p.lit("]") {
		*v = out
		return true
	}
	for {
		var x T
		if !elem(p, &x) {
			return false
		}
		out = append(out, x)
		if p.lit("]") {
			*v = out
			return true
		}
		if !p.lit(",") {
			return false
		}
	}
}

// address reads an address as json.Marshal writes it.
func (p *scan) address(a *model.Address) bool {
	return p.lit(`{"label":`) && p.str(&a.Label) && p.lit(`,"street":`) && p.str(&a.Street) &&
		p.lit(`,"extended":`) && p.str(&a.Extended) && p.lit(`,"pobox":`) && p.str(&a.POBox) &&
		p.lit(`,"postal_code":`) && p.str(&a.PostalCode) && p.lit(`,"city":`) && p.str(&a.City) &&
		p.lit(`,"region":`) && p.str(&a.Region) && p.lit(`,"country":`) && p.str(&a.Country) &&
		p.pref(&a.Pref) && (!p.lit(`,"group":`) || p.str(&a.Group)) && p.lit(`}`)
}

// labelled reads what appendLabelled writes.
func (p *scan) labelled(label *string, key string, value *string, pref *bool) bool {
	return p.lit(`{"label":`) && p.str(label) && p.lit(key) && p.str(value) && p.pref(pref) && p.lit(`}`)
}

// pref reads an optional `,"pref":true` (json.Marshal omits false).
func (p *scan) pref(v *bool) bool {
	if p.lit(`,"pref":`) {
		return p.bool(v)
	}
	return true
}

func (p *scan) date(v *model.Date) bool {
	s, ok := p.raw()
	return ok && v.UnmarshalText(s) == nil
}

// int reads an integer as json.Marshal writes one.
func (p *scan) int(v *int) bool {
	j := p.i
	if j < len(p.b) && p.b[j] == '-' {
		j++
	}
	digits := j
	for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
		j++
	}
	if j == digits || j-digits > 1 && p.b[digits] == '0' {
		return false
	}
	if j < len(p.b) && (p.b[j] == '.' || p.b[j] == 'e' || p.b[j] == 'E') {
		return false
	}
	n, err := strconv.ParseInt(string(p.b[p.i:j]), 10, strconv.IntSize)
	if err != nil {
		return false
	}
	*v, p.i = int(n), j
	return true
}

// params reads the members of a vCard parameter map after its "{".
func (p *scan) params(v *map[string][]string) bool {
	m := map[string][]string{}
	if !p.lit("}") {
		for {
			var k string
			var vals []string
			if !p.str(&k) || !p.lit(":") || !scanList(p, &vals, (*scan).str) {
				return false
			}
			m[k] = vals
			if p.lit("}") {
				break
			}
			if !p.lit(",") {
				return false
			}
		}
	}
	*v = m
	return true
}
