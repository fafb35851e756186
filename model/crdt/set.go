package crdt

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// Dot names the op that added a set element: its stamp.
type Dot struct {
	HLC    model.HLC `json:"h"`
	Device string    `json:"d"`
}

func dotOf(c FieldClock) Dot { return Dot{c.HLC, c.Device} }

func (d Dot) stamp() model.Stamp { return model.Stamp{HLC: d.HLC, Device: d.Device} }

// before reports whether d orders before e.
func (d Dot) before(e Dot) bool { return e.stamp().After(d.stamp()) }

// Pos is where an element stands in the list users see: the stamp of the
// op that placed it there and its index in that op. Every device sorts by
// it, so the order is the same everywhere; an element keeps its place
// when its details change.
type Pos struct {
	HLC    model.HLC `json:"h"`
	Device string    `json:"d"`
	I      int       `json:"i"`
}

func (p Pos) cmp(q Pos) int {
	switch {
	case p.HLC != q.HLC:
		return cmpU(uint64(p.HLC), uint64(q.HLC))
	case p.Device != q.Device:
		return strings.Compare(p.Device, q.Device)
	}
	return p.I - q.I
}

func cmpU(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// Entry is one added value of an element.
type Entry struct {
	Dot Dot             `json:"t"`
	Pos Pos             `json:"o"`
	V   json.RawMessage `json:"v"`
}

// Elem is the state of one element key: the values added and not removed
// (Live, ascending by dot; more than one only after concurrent changes of
// the same element, the newest is shown) and the dots removals named.
type Elem struct {
	Live []Entry `json:"l,omitempty"`
	Rm   []Dot   `json:"r,omitempty"`
}

// Set is the state of a set-valued field: an observed-remove set keyed by
// the element key. An element is present while one of its added values is
// live; a removal names the dots it saw, so additions it did not see
// survive (add wins). Wm is the stamp of the newest whole-list assignment
// (an op written before sets existed): values added before it are gone.
type Set struct {
	Wm    *Dot             `json:"w,omitempty"`
	Elems map[string]*Elem `json:"e,omitempty"`
}

// delta is the value of a set op: which dots to remove per element key,
// and which values to add with the op's own stamp as their dot.
type delta struct {
	Rm  []rmEntry  `json:"rm,omitempty"`
	Add []addEntry `json:"add,omitempty"`
}

type rmEntry struct {
	K string `json:"k"`
	D []Dot  `json:"d"`
}

type addEntry struct {
	K string          `json:"k"`
	O Pos             `json:"o"`
	V json.RawMessage `json:"v"`
}

// IsDelta reports whether an op value is a set delta rather than a whole
// value: deltas accumulate, so every one of them matters, not only the
// newest per field.
func IsDelta(v json.RawMessage) bool {
	for _, c := range v {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c == '{'
	}
	return false
}

// keyFunc returns the key of one element given as JSON.
type keyFunc func(raw json.RawMessage) (string, error)

// setFields names the set-valued fields of each record type with the key
// their elements are merged by. The keys depend on the element alone
// (never on a device setting such as the phone region), so every device
// computes the same ones.
var setFields = map[model.RecordType]map[string]keyFunc{
	model.TypeCustomer: {
		"tags":           keyOf(func(s string) string { return model.Fold(s) }),
		"emails":         keyOf(func(e model.Email) string { return model.NormalizeEmail(e.Address) }),
		"phones":         keyOf(func(p model.Phone) string { return model.PhoneKey(p.Number, model.DefaultRegion) }),
		"addresses":      keyOf(addressKey),
		"external_uids":  keyOf(strings.TrimSpace),
		"consents":       keyOf(consentKey),
		"extra":          keyOf(extraKey),
		"not_duplicates": keyOf(func(id model.ID) string { return id.String() }),
	},
}

// IsSetField reports whether field of typ merges element by element.
func IsSetField(typ model.RecordType, field string) bool { return setFields[typ][field] != nil }

func keyOf[T any](fn func(T) string) keyFunc {
	return func(raw json.RawMessage) (string, error) {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", err
		}
		return fn(v), nil
	}
}

func addressKey(a model.Address) string {
	return model.Fold(a.Street) + "|" + model.Fold(a.POBox) + "|" + model.Fold(a.PostalCode) + "|" + model.Fold(a.City)
}

func consentKey(k model.Consent) string {
	return k.Channel + "|" + model.Fold(k.Purpose) + "|" + k.GivenAt.UTC().Format(time.RFC3339Nano)
}

func extraKey(x model.ExtraProp) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(x.Group) + "." + strings.ToUpper(x.Name))
	names := sortedKeys(x.Params)
	for _, n := range names {
		b.WriteString(";" + strings.ToUpper(n) + "=" + strings.ToLower(strings.Join(x.Params[n], ",")))
	}
	return b.String() + ":" + x.Value
}

// add inserts e under key k unless it was removed; it reports a change.
func (s *Set) add(k string, e Entry) bool {
	if s.Wm != nil && e.Dot.before(*s.Wm) {
		return false
	}
	el := s.elem(k)
	if slices.Contains(el.Rm, e.Dot) {
		return false
	}
	i, found := slices.BinarySearchFunc(el.Live, e.Dot, func(x Entry, d Dot) int { return cmpDot(x.Dot, d) })
	if found {
		return false
	}
	el.Live = slices.Insert(el.Live, i, e)
	return true
}

// remove drops the values of key k added by dots and remembers the dots,
// so a value that arrives after its removal stays out.
func (s *Set) remove(k string, dots []Dot) bool {
	el := s.elem(k)
	changed := false
	for _, d := range dots {
		if (s.Wm != nil && d.before(*s.Wm)) || slices.Contains(el.Rm, d) {
			continue
		}
		i, _ := slices.BinarySearchFunc(el.Rm, d, cmpDot)
		el.Rm = slices.Insert(el.Rm, i, d)
		el.Live = slices.DeleteFunc(el.Live, func(e Entry) bool { return e.Dot == d })
		changed = true
	}
	return changed
}

// raise applies a whole-list assignment stamped d: values added before d
// are gone.
func (s *Set) raise(d Dot) bool {
	if s.Wm != nil && !s.Wm.before(d) {
		return false
	}
	s.Wm = &d
	for _, el := range s.Elems {
		el.Live = slices.DeleteFunc(el.Live, func(e Entry) bool { return e.Dot.before(d) })
		el.Rm = slices.DeleteFunc(el.Rm, func(r Dot) bool { return r.before(d) })
	}
	return true
}

func (s *Set) elem(k string) *Elem {
	if s.Elems == nil {
		s.Elems = map[string]*Elem{}
	}
	el := s.Elems[k]
	if el == nil {
		el = &Elem{}
		s.Elems[k] = el
	}
	return el
}

// compact drops elements that hold nothing.
func (s *Set) compact() {
	for k, el := range s.Elems {
		if len(el.Live) == 0 && len(el.Rm) == 0 {
			delete(s.Elems, k)
		}
	}
}

func cmpDot(a, b Dot) int {
	switch {
	case a == b:
		return 0
	case a.before(b):
		return -1
	}
	return 1
}

// shown is one element as users see it.
type shown struct {
	key string
	e   Entry
}

// shownElems returns the present elements in display order: each with
// its newest live value, sorted by position, then key.
func (s *Set) shownElems() []shown {
	var out []shown
	for k, el := range s.Elems {
		if n := len(el.Live); n > 0 {
			out = append(out, shown{k, el.Live[n-1]})
		}
	}
	slices.SortFunc(out, func(a, b shown) int {
		if c := a.e.Pos.cmp(b.e.Pos); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	return out
}

// visible is the field's JSON value: the shown elements as an array, or
// null when there are none.
func (s *Set) visible() json.RawMessage {
	els := s.shownElems()
	if len(els) == 0 {
		return json.RawMessage("null")
	}
	b := []byte{'['}
	for i, x := range els {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, x.e.V...)
	}
	return append(b, ']')
}

// splitArray returns the elements of a JSON array (none for null).
func splitArray(raw json.RawMessage) ([]json.RawMessage, error) {
	var out []json.RawMessage
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	err := json.Unmarshal(raw, &out)
	return out, err
}

// keyed returns the elements of a JSON array with their keys, the first
// of several with one key only.
func keyed(kf keyFunc, raw json.RawMessage) ([]string, []json.RawMessage, error) {
	elems, err := splitArray(raw)
	if err != nil {
		return nil, nil, err
	}
	keys := make([]string, 0, len(elems))
	vals := elems[:0]
	for _, e := range elems {
		k, err := kf(e)
		if err != nil {
			return nil, nil, err
		}
		if slices.Contains(keys, k) {
			continue
		}
		keys = append(keys, k)
		vals = append(vals, compactJSON(e))
	}
	return keys, vals, nil
}

// compactJSON removes insignificant space, so equal elements compare equal.
func compactJSON(v json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return v
	}
	return b.Bytes()
}

// Newest returns the newest live value of element k, nil when absent.
func (s *Set) Newest(k string) json.RawMessage {
	if s == nil || s.Elems[k] == nil || len(s.Elems[k].Live) == 0 {
		return nil
	}
	l := s.Elems[k].Live
	return l[len(l)-1].V
}
