package crdt

import "github.com/kundenkartei/kundenkartei/model"

// Compactor keeps the ops of a log that decide its records, so a snapshot
// of them merges into the same records as the whole log: every creating
// op and every set delta (they accumulate), per field the newest whole
// value, and the scalar values still rivals of it (see Record.Apply).
type Compactor struct {
	kept []model.Op
	at   map[fieldKey][]int // positions in kept of a field's scalar ops
}

type fieldKey struct {
	t     model.RecordType
	id    model.ID
	field string
}

// Add takes the next op of the log.
func (c *Compactor) Add(op model.Op) {
	if op.Field == model.FieldAll || IsDelta(op.Value) {
		c.kept = append(c.kept, op)
		return
	}
	if c.at == nil {
		c.at = map[fieldKey][]int{}
	}
	k := fieldKey{op.Type, op.ID, op.Field}
	idx := append(c.at[k], len(c.kept))
	c.kept = append(c.kept, op)
	// Keep the newest and, for scalars, those no op's Prev covers.
	newest, maxPrev := idx[0], model.HLC(0)
	for _, i := range idx {
		if c.kept[i].Stamp().After(c.kept[newest].Stamp()) {
			newest = i
		}
		maxPrev = max(maxPrev, c.kept[i].Prev)
	}
	set := IsSetField(op.Type, op.Field)
	live := idx[:0]
	for _, i := range idx {
		if i == newest || (!set && c.kept[i].HLC > maxPrev) {
			live = append(live, i)
		} else {
			c.kept[i].Field = "" // dropped; removed in Ops
		}
	}
	c.at[k] = live
}

// Ops returns the kept ops in log order.
func (c *Compactor) Ops() []model.Op {
	out := c.kept[:0:0]
	for _, op := range c.kept {
		if op.Field != "" {
			out = append(out, op)
		}
	}
	return out
}
