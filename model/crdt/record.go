package crdt

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/kundenkartei/kundenkartei/model"
)

// Record is one record's merge state: its fields as JSON by name and
// their clocks. Apply changes it by one op; applying the same ops in any
// order, any number of times, gives the same Fields and the same Clocks.
type Record struct {
	Type   model.RecordType
	ID     model.ID
	Fields map[string]json.RawMessage
	Clk    Clocks
	// Changed names the fields whose value ops changed, in order.
	Changed []string
	// Split splits a JSON object into its members (nil: encoding/json);
	// storage passes a faster one.
	Split func([]byte) (map[string]json.RawMessage, error)
}

// Apply merges op into r and reports whether it changed r's state (a
// value, a rival or a set element). Scalar fields keep the value with the
// newest stamp; a concurrent loser stays as a rival until an edit that
// saw it replaces it. Set-valued fields merge element by element (see Set).
func (r *Record) Apply(op *model.Op) (bool, error) {
	if r.Fields == nil {
		r.Fields = map[string]json.RawMessage{}
	}
	vals := map[string]json.RawMessage{op.Field: op.Value}
	in := FieldClock{HLC: op.HLC, Device: op.Device, Author: op.Author, Prev: op.Prev}
	create := op.Field == model.FieldAll
	if create {
		var err error
		split := r.Split
		if split == nil {
			split = objectFields
		}
		if vals, err = split(op.Value); err != nil {
			return false, model.WrapError(model.EINVALID, err, "op %s %s: bad record value", op.Type, op.ID)
		}
		if r.Clk.Base == nil {
			// Fields set before by newer partial ops keep their own stamps.
			r.Clk.Base = &FieldClock{HLC: op.HLC, Device: op.Device, Author: op.Author}
			in = *r.Clk.Base
			for f := range vals {
				if _, ok := r.Clk.Fields[f]; !ok && !model.MetaFields[f] {
					r.Clk.Fields = withField(r.Clk.Fields, f, FieldClock{}) // placeholder: not set yet
				}
			}
		}
	}
	changed := false
	if create && in == *r.Clk.Base {
		// The creation holds every field; one it leaves out is null. So a
		// field that ops set before the creation arrived meets the
		// creation's value on every device, whatever the order.
		for f, fc := range r.Clk.Fields {
			if _, ok := vals[f]; !ok && fc.HLC != 0 && setFields[r.Type][f] == nil {
				vals[f] = json.RawMessage("null")
			}
		}
	}
	for _, f := range sortedKeys(vals) {
		if model.MetaFields[f] {
			continue
		}
		var ok bool
		var err error
		if kf := setFields[r.Type][f]; kf != nil {
			ok, err = r.applySet(f, kf, vals[f], in, create)
		} else {
			ok = r.applyScalar(f, vals[f], in)
		}
		if err != nil {
			return false, model.WrapError(model.EINVALID, err, "op %s %s: bad value of %s", op.Type, op.ID, f)
		}
		changed = changed || ok
	}
	return changed, nil
}

// get is Clk.Get without the placeholders of a creation that arrived
// after partial ops.
func (r *Record) get(f string) (FieldClock, bool) {
	c, ok := r.Clk.Get(f)
	return c, ok && c.HLC != 0
}

func (r *Record) mark(f string) {
	if !slices.Contains(r.Changed, f) {
		r.Changed = append(r.Changed, f)
	}
}

// applyScalar merges one value of a scalar field. Of every op on the
// field, the one with the newest stamp wins; the others stay as rivals
// unless an op's Prev shows that its writer had seen them (or something
// newer): an op with stamp HLC at or below the newest Prev of the field
// is replaced. Both are decided by the set of ops alone, so the order of
// arrival does not matter.
func (r *Record) applyScalar(f string, v json.RawMessage, in FieldClock) bool {
	cur, ok := r.get(f)
	if !ok {
		r.Fields[f] = v
		r.Clk.Set(f, in)
		r.mark(f)
		return true
	}
	if in.Stamp() == cur.Stamp() {
		return false
	}
	rivals := r.Clk.Rivals[f]
	if len(rivals) == 0 && in.Prev >= cur.HLC && in.Stamp().After(cur.Stamp()) {
		// The common case: an edit of the value it saw.
		r.Fields[f] = v
		r.Clk.Set(f, in)
		r.mark(f)
		return true
	}
	maxPrev := max(in.Prev, cur.Prev)
	for _, rv := range rivals {
		if rv.Stamp() == in.Stamp() {
			return false
		}
		maxPrev = max(maxPrev, rv.Prev)
	}
	if in.HLC <= maxPrev {
		return false // replaced already by an edit we know
	}
	rivals = slices.Clone(rivals)
	if in.Stamp().After(cur.Stamp()) {
		rivals = append(rivals, Rival{FieldClock: cur, V: orNull(r.Fields[f])})
		r.Fields[f] = v
		r.Clk.Set(f, in)
		r.mark(f)
	} else {
		rivals = append(rivals, Rival{FieldClock: in, V: orNull(v)})
	}
	rivals = slices.DeleteFunc(rivals, func(rv Rival) bool { return rv.HLC <= maxPrev })
	slices.SortFunc(rivals, func(a, b Rival) int { return cmpDot(dotOf(b.FieldClock), dotOf(a.FieldClock)) })
	if len(rivals) == 0 {
		delete(r.Clk.Rivals, f)
	} else {
		if r.Clk.Rivals == nil {
			r.Clk.Rivals = map[string][]Rival{}
		}
		r.Clk.Rivals[f] = rivals
	}
	return true
}

// applySet merges one op on a set-valued field: a delta (the ops this
// version writes), or a whole list: a record's creation, which adds its
// elements, or an op written before sets existed, which assigns the list
// (adds its elements and removes every value added before it).
func (r *Record) applySet(f string, kf keyFunc, v json.RawMessage, in FieldClock, create bool) (bool, error) {
	cur, had := r.get(f)
	if _, explicit := r.Clk.Sets[f]; create && !explicit && !had {
		// A plain creation: the state stays implicit (see set).
		r.Fields[f] = v
		r.Clk.Set(f, in)
		r.mark(f)
		return true, nil
	}
	s, err := r.set(f, kf)
	if err != nil {
		return false, err
	}
	d := dotOf(in)
	changed := false
	if IsDelta(v) {
		var dl delta
		if err := json.Unmarshal(v, &dl); err != nil {
			return false, err
		}
		for _, x := range dl.Rm {
			changed = s.remove(x.K, x.D) || changed
		}
		for _, x := range dl.Add {
			changed = s.add(x.K, Entry{Dot: d, Pos: x.O, V: compactJSON(x.V)}) || changed
		}
	} else {
		keys, elems, err := keyed(kf, v)
		if err != nil {
			return false, err
		}
		if !create {
			changed = s.raise(d)
		}
		for i, e := range elems {
			changed = s.add(keys[i], Entry{Dot: d, Pos: Pos{in.HLC, in.Device, i}, V: e}) || changed
		}
	}
	newer := !had || in.Stamp().After(cur.Stamp())
	if newer {
		r.Clk.Set(f, in) // the field's stamp is its newest op's
	}
	if !changed {
		return newer, nil
	}
	s.compact()
	if r.Clk.Sets == nil {
		r.Clk.Sets = map[string]*Set{}
	}
	r.Clk.Sets[f] = s
	if vis := s.visible(); !bytes.Equal(vis, r.Fields[f]) {
		r.Fields[f] = vis
		r.mark(f)
	}
	return true, nil
}

// set returns the element state of field f. A field that only
// a record's creation (or a version before sets) wrote has none stored:
// its state is the list as stored, every element added by the field's
// stamp, and, for a list an op assigned, nothing older than that stamp.
func (r *Record) set(f string, kf keyFunc) (*Set, error) {
	if s, ok := r.Clk.Sets[f]; ok {
		return s, nil // changed in place only where a change is reported
	}
	s := &Set{}
	c, ok := r.get(f)
	if !ok {
		return s, nil
	}
	keys, elems, err := keyed(kf, r.Fields[f])
	if err != nil {
		return nil, err
	}
	d := dotOf(c)
	for i, e := range elems {
		s.elem(keys[i]).Live = []Entry{{Dot: d, Pos: Pos{c.HLC, c.Device, i}, V: e}}
	}
	if _, assigned := r.Clk.Fields[f]; assigned {
		s.Wm = &d
	}
	return s, nil
}

// Local makes the op of a local edit that sets field f to v, stamped c,
// and applies it to r. For a scalar field the op carries v; for a set
// field, the delta from the elements r shows to those of v: removals name
// the dots this device had seen, additions and changed elements are added
// anew. ok is false when v changes nothing.
func (r *Record) Local(f string, v json.RawMessage, c FieldClock) (op model.Op, ok bool, err error) {
	op = r.localOp(f, v, c)
	c.HLC = op.HLC
	if kf := setFields[r.Type][f]; kf != nil {
		d, err := r.setDelta(f, kf, v, c)
		if err != nil || d == nil {
			return op, false, err
		}
		op.Value = d
	} else if bytes.Equal(r.Fields[f], v) {
		return op, false, nil
	}
	_, err = r.Apply(&op)
	return op, err == nil, err
}

// Rewrite makes the op of a local edit that writes v to field f even when
// it holds v already, so that it replaces every rival the device knows:
// how a conflict is resolved for all devices. For a set field it writes
// the element with key k anew (or removes it when v is null).
func (r *Record) Rewrite(f, k string, v json.RawMessage, c FieldClock) (model.Op, error) {
	op := r.localOp(f, v, c)
	c.HLC = op.HLC
	if kf := setFields[r.Type][f]; kf != nil {
		s, err := r.set(f, kf)
		if err != nil {
			return op, err
		}
		var dl delta
		pos := Pos{c.HLC, c.Device, 0}
		if el := s.Elems[k]; el != nil {
			rm := rmEntry{K: k}
			for _, e := range el.Live {
				rm.D = append(rm.D, e.Dot)
				pos = e.Pos
			}
			dl.Rm = append(dl.Rm, rm)
		}
		if string(v) != "null" {
			dl.Add = append(dl.Add, addEntry{K: k, O: pos, V: v})
		}
		if op.Value, err = json.Marshal(dl); err != nil {
			return op, err
		}
	}
	_, err := r.Apply(&op)
	return op, err
}

// localOp is the op of a local edit of f to v stamped c. A value may
// carry a stamp further ahead than the local clock (which follows remote
// clocks only so far): the edit is then ordered right after it, so it
// still wins on every device.
func (r *Record) localOp(f string, v json.RawMessage, c FieldClock) model.Op {
	op := model.Op{Type: r.Type, ID: r.ID, Field: f, Value: v, HLC: c.HLC, Device: c.Device, Author: c.Author, Prev: r.prev(f, v, c.HLC)}
	if op.Prev >= op.HLC {
		op.HLC = op.Prev + 1
	}
	return op
}

// prev is the Prev of a local op that writes v to f: the stamp of the
// value it replaces; for a deletion or a merge, the newest stamp of the
// whole record, which tells the edits this device had seen when it
// deleted or merged the record from those it had not (see Conflicts).
func (r *Record) prev(f string, v json.RawMessage, at model.HLC) model.HLC {
	cur, _ := r.get(f)
	if !endsRecord(r.Type, f, v) {
		return cur.HLC
	}
	// Other fields of the same local change carry at itself.
	n := cur.HLC
	if r.Clk.Base != nil && r.Clk.Base.HLC < at {
		n = max(n, r.Clk.Base.HLC)
	}
	for _, fc := range r.Clk.Fields {
		if fc.HLC < at {
			n = max(n, fc.HLC)
		}
	}
	return n
}

// endsRecord reports whether writing v to f deletes or merges the record.
func endsRecord(typ model.RecordType, f string, v json.RawMessage) bool {
	switch {
	case f == model.FieldDeleted:
		return string(v) == "true"
	case f == "merged_into" && typ == model.TypeCustomer:
		var id model.ID
		return json.Unmarshal(v, &id) == nil && id != model.NilID
	}
	return false
}

// setDelta returns the delta from the elements r shows in field f to
// those of the list v, nil when there is none.
func (r *Record) setDelta(f string, kf keyFunc, v json.RawMessage, c FieldClock) (json.RawMessage, error) {
	s, err := r.set(f, kf)
	if err != nil {
		return nil, err
	}
	keys, elems, err := keyed(kf, v)
	if err != nil {
		return nil, err
	}
	var dl delta
	drop := func(k string) {
		el := s.Elems[k]
		rm := rmEntry{K: k}
		for _, e := range el.Live {
			rm.D = append(rm.D, e.Dot)
		}
		dl.Rm = append(dl.Rm, rm)
	}
	var last *Pos
	for i, k := range keys {
		fresh := Pos{c.HLC, c.Device, i}
		el := s.Elems[k]
		if el == nil || len(el.Live) == 0 {
			dl.Add = append(dl.Add, addEntry{K: k, O: fresh, V: elems[i]})
			last = &fresh
			continue
		}
		w := el.Live[len(el.Live)-1]
		pos := w.Pos
		if last != nil && pos.cmp(*last) <= 0 {
			pos = fresh // moved before an element it followed
		}
		if pos != w.Pos || !bytes.Equal(w.V, elems[i]) {
			drop(k)
			dl.Add = append(dl.Add, addEntry{K: k, O: pos, V: elems[i]})
		}
		last = &pos
	}
	for _, x := range s.shownElems() {
		if !slices.Contains(keys, x.key) {
			drop(x.key)
		}
	}
	if len(dl.Rm) == 0 && len(dl.Add) == 0 {
		return nil, nil
	}
	return json.Marshal(dl)
}

func withField(m map[string]FieldClock, f string, fc FieldClock) map[string]FieldClock {
	if m == nil {
		m = map[string]FieldClock{}
	}
	m[f] = fc
	return m
}

// orNull is v, or JSON null for a value that is absent.
func orNull(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	return v
}

// objectFields splits a JSON object into its members.
func objectFields(raw []byte) (map[string]json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	err := json.Unmarshal(raw, &m)
	return m, err
}
