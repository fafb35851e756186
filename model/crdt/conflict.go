package crdt

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/kundenkartei/kundenkartei/model"
)

// Conflicts returns the conflicts of r, derived from its fields and clocks
// only, so every device that merged the same ops finds the same ones:
//   - a scalar field's rivals whose value differs from the kept one;
//   - a set element with more than one live value (changed on two devices
//     at once): each older value against the newest;
//   - on a deleted record, every field written after the deletion's stamp;
//   - on a customer merged into another, every field written after the
//     merge's stamp (the edit did not reach the survivor).
//
// An edit that replaces the kept value, a new deletion or a new merge
// stamp ends them.
func (r *Record) Conflicts() []model.Conflict {
	var out []model.Conflict
	for _, f := range sortedKeys(r.Clk.Rivals) {
		kept, _ := r.get(f)
		for _, rv := range r.Clk.Rivals[f] {
			if bytes.Equal(rv.V, r.Fields[f]) {
				continue
			}
			out = append(out, r.conflict(model.ConflictConcurrent, f, "", r.Fields[f], kept.Stamp(), rv.V, rv.FieldClock))
		}
	}
	for _, f := range sortedKeys(r.Clk.Sets) {
		if !elementConflicts[f] {
			continue // the key is the whole value: nothing to lose
		}
		s := r.Clk.Sets[f]
		for _, k := range sortedKeys(s.Elems) {
			live := s.Elems[k].Live
			if len(live) < 2 {
				continue
			}
			w := live[len(live)-1]
			for _, e := range live[:len(live)-1] {
				if !bytes.Equal(e.V, w.V) {
					out = append(out, r.conflict(model.ConflictConcurrent, f, k, w.V, w.Dot.stamp(), e.V, FieldClock{HLC: e.Dot.HLC, Device: e.Dot.Device}))
				}
			}
		}
	}
	switch {
	case string(r.Fields[model.FieldDeleted]) == "true":
		out = append(out, r.after(model.ConflictDeleted, model.FieldDeleted, model.NilID)...)
	case r.Type == model.TypeCustomer:
		var into model.ID
		if v := r.Fields["merged_into"]; len(v) > 0 && json.Unmarshal(v, &into) == nil && into != model.NilID {
			out = append(out, r.after(model.ConflictMerged, "merged_into", into)...)
		}
	}
	return out
}

// elementConflicts are the set fields whose elements have details beside
// their key (a label, a withdrawal date): two devices changing them at
// once is a conflict. A tag written "VIP" and "vip" is not.
var elementConflicts = map[string]bool{"emails": true, "phones": true, "addresses": true, "consents": true}

// mergeFields are a merged customer's fields that belong to the merge
// itself, not to the data it handed to the survivor.
var mergeFields = []string{"merged_into", "merge", "not_duplicates", model.FieldDeleted, model.FieldCreated}

// after returns a conflict for every field that the device which deleted
// or merged the record (the op on field by) had not seen: written with a
// stamp above the op's Prev, which for this version's deletions and
// merges is the newest stamp of the record that device knew. (Ops of
// earlier versions name the field's own previous stamp: their edits
// between creation and deletion are listed too, once, until dismissed.)
func (r *Record) after(kind model.ConflictKind, by string, into model.ID) []model.Conflict {
	at, ok := r.get(by)
	if !ok {
		return nil
	}
	var out []model.Conflict
	name := r.customerName()
	for _, f := range sortedKeys(r.Fields) {
		if model.MetaFields[f] || slices.Contains(mergeFields, f) {
			continue
		}
		fc, ok := r.get(f)
		if !ok || fc.HLC <= at.Prev || !fc.Stamp().After(r.base()) {
			continue
		}
		c := r.conflict(kind, f, "", json.RawMessage("null"), at.Stamp(), r.Fields[f], fc)
		c.Into, c.Name = into, name
		out = append(out, c)
	}
	return out
}

// customerName is a customer record's display name (model.Customer.
// DisplayName), "" for other records: the directory no longer lists a
// deleted or merged customer, so its conflicts carry the name.
func (r *Record) customerName() string {
	if r.Type != model.TypeCustomer {
		return ""
	}
	var c model.Customer
	for f, p := range map[string]any{"kind": &c.Kind, "given_name": &c.GivenName, "family_name": &c.FamilyName,
		"company": &c.Company, "emails": &c.Emails, "phones": &c.Phones} {
		if v := r.Fields[f]; len(v) > 0 {
			_ = json.Unmarshal(v, p) // a field that does not decode adds nothing to the name
		}
	}
	return c.DisplayName()
}

// base is the creation stamp (zero when the creation has not arrived).
func (r *Record) base() model.Stamp {
	if r.Clk.Base == nil {
		return model.Stamp{}
	}
	return r.Clk.Base.Stamp()
}

func (r *Record) conflict(kind model.ConflictKind, f, k string, kept json.RawMessage, ks model.Stamp, lost json.RawMessage, lc FieldClock) model.Conflict {
	by := lc.Author
	if by == "" {
		by = ShortDevice(lc.Device)
	}
	return model.Conflict{Kind: kind, Type: r.Type, ID: r.ID, Field: f, Key: k,
		Kept: kept, KeptStamp: ks, Lost: lost, LostStamp: lc.Stamp(), LostBy: by, Seen: lc.HLC.Time()}
}

// ShortDevice is how a device without a user name is named to users: the
// start of its ID.
func ShortDevice(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
