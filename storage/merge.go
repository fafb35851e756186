package storage

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// Merging duplicates.
//
// A merge is nothing but fields of the merged customer: MergedInto names
// the survivor, Merge keeps what the survivor's contact data was before, so
// it syncs as ordinary field ops and merges by the usual rules. Notes,
// follow-ups and gestures keep the customer ID they were written with;
// storage indexes them under the customer's owner: the end of the chain of
// merges (see owner). A note another device adds to the duplicate while
// offline therefore lands under the survivor too, whatever order the ops
// arrive in, and undoing the merge (clearing MergedInto) brings every record
// back to the duplicate.

// owner returns the customer whose timeline id's records belong to: id
// itself, or the survivor it was merged into, following chains. Two devices
// may merge A into B and B into A at once; in such a cycle the smallest ID
// owns, so every device picks the same one.
func owner(tx *bolt.Tx, id model.ID) model.ID { return ownerIn(tx.Bucket(bucketMerged), id) }

// ownerIn is owner for b, the merged bucket of a transaction (nil when
// there is none): for loops that look up many.
func ownerIn(b *bolt.Bucket, id model.ID) model.ID {
	if b == nil || id == model.NilID {
		return id
	}
	next := b.Get(idBytes(id))
	if next == nil {
		return id // the common case: not merged
	}
	seen := []model.ID{id}
	for next != nil {
		var cur model.ID
		copy(cur[:], next)
		for i, s := range seen {
			if s == cur {
				return minID(seen[i:])
			}
		}
		seen = append(seen, cur)
		next = b.Get(idBytes(cur))
	}
	return seen[len(seen)-1]
}

func minID(ids []model.ID) model.ID {
	m := ids[0]
	for _, id := range ids[1:] {
		if bytes.Compare(id[:], m[:]) < 0 {
			m = id
		}
	}
	return m
}

// ownerOf sets the customer of a note, follow-up or gesture read from
// storage to its owner, so callers see the survivor of a merge.
func ownerOf(tx *bolt.Tx, rec any) {
	switch r := rec.(type) {
	case *model.Note:
		r.CustomerID = owner(tx, r.CustomerID)
	case *model.FollowUp:
		r.CustomerID = owner(tx, r.CustomerID)
	case *model.Gesture:
		r.CustomerID = owner(tx, r.CustomerID)
	}
}

// keepCustomer undoes ownerOf before a record is written back: a record
// read with the survivor as its customer keeps the ID it was written with,
// so an undone merge still finds it.
func keepCustomer(tx *bolt.Tx, old, rec any) {
	var stored model.ID
	var cur *model.ID
	switch r := rec.(type) {
	case *model.Note:
		cur = &r.CustomerID
		if o, ok := old.(*model.Note); ok {
			stored = o.CustomerID
		}
	case *model.FollowUp:
		cur = &r.CustomerID
		if o, ok := old.(*model.FollowUp); ok {
			stored = o.CustomerID
		}
	case *model.Gesture:
		cur = &r.CustomerID
		if o, ok := old.(*model.Gesture); ok {
			stored = o.CustomerID
		}
	default:
		return
	}
	if stored != model.NilID && *cur != stored && owner(tx, stored) == *cur {
		*cur = stored
	}
}

// remerge follows a change of c.MergedInto: it updates the merged bucket
// and moves the index entries of every record whose owner changed. Owners
// can change only for customers that owned through c, and their records
// are all indexed under c's owner before the change or after it.
func (w *writer) remerge(c *model.Customer) error {
	before := owner(w.tx, c.ID)
	b := w.tx.Bucket(bucketMerged)
	var err error
	if c.MergedInto == model.NilID {
		err = b.Delete(idBytes(c.ID))
	} else {
		err = b.Put(idBytes(c.ID), idBytes(c.MergedInto))
	}
	if err != nil {
		return err
	}
	after := owner(w.tx, c.ID)
	for _, r := range []model.ID{before, after} {
		if r != c.ID {
			if err := w.relist(r); err != nil {
				return err
			}
		}
	}
	roots := []model.ID{before}
	for _, r := range []model.ID{after, c.ID} {
		if !slices.Contains(roots, r) {
			roots = append(roots, r)
		}
	}
	for _, r := range roots {
		if err := w.rehome(r); err != nil {
			return err
		}
	}
	return nil
}

// relist adds or removes the customer index entries of r when a change of
// another customer's merge made r listed or hidden: in a cycle of merges
// (two devices merged each into the other) the owner is listed.
func (w *writer) relist(r model.ID) error {
	c, err := get[model.Customer](w.tx, model.TypeCustomer, r)
	if model.ErrorCode(err) == model.ENOTFOUND {
		return nil // not arrived yet
	} else if err != nil {
		return err
	}
	if !live(&c.Meta) {
		return nil
	}
	keys := listingKeys(c, w.region)
	idx := w.tx.Bucket(bucketIdx)
	has := hasKey(idx.Bucket(keys[0].bucket), keys[0].key)
	want := listed(w.tx, c)
	if has == want {
		return nil
	}
	for _, k := range keys {
		if want {
			err = idx.Bucket(k.bucket).Put(k.key, nil)
		} else {
			err = idx.Bucket(k.bucket).Delete(k.key)
		}
		if err != nil {
			return err
		}
	}
	w.touched[r] = true
	if _, ok := w.custs[r]; !ok {
		w.custs[r] = c
	}
	return nil
}

// hasKey reports whether b holds k. Index values are empty, and Get
// returns nil for an empty value put in the same transaction, so the key
// is looked for with a cursor.
func hasKey(b *bolt.Bucket, k []byte) bool {
	got, _ := b.Cursor().Seek(k)
	return bytes.Equal(got, k)
}

// childIndexes are the indexes keyed by customer (customer id first), with
// the record type they list.
var childIndexes = []struct {
	idx []byte
	typ model.RecordType
}{{idxNoteCust, model.TypeNote}, {idxFUCust, model.TypeFollowUp}, {idxGeCust, model.TypeGesture}}

// rehome moves the records indexed under customer r whose owner is no
// longer r to their owner, and marks the customers for new stats.
func (w *writer) rehome(r model.ID) error {
	w.touched[r], w.dirty[r] = true, true
	prefix := idBytes(r)
	for _, ci := range childIndexes {
		idx := w.tx.Bucket(bucketIdx).Bucket(ci.idx)
		recs := recBucket(w.tx, ci.typ)
		var keys [][]byte
		c := idx.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			var ref struct {
				CustomerID model.ID `json:"customer_id"`
			}
			if err := jsonDecode(recs.Get(k[len(k)-16:]), &ref); err != nil {
				return err
			}
			o := owner(w.tx, ref.CustomerID)
			if o == r {
				continue
			}
			if err := idx.Delete(k); err != nil {
				return err
			}
			if err := idx.Put(key(idBytes(o), k[16:]), nil); err != nil {
				return err
			}
			w.touched[o], w.dirty[o] = true, true
		}
	}
	return nil
}

// MergeCustomers merges duplicate into survivor in one transaction; see
// model.DuplicateService.
func (db *DB) MergeCustomers(survivor, duplicate model.ID) error {
	if survivor == duplicate {
		return model.Errorf(model.EINVALID, "a customer cannot be merged into itself")
	}
	return db.update(func(w *writer) error {
		s, err := getLive[model.Customer](w.tx, model.TypeCustomer, survivor)
		if err != nil {
			return err
		}
		d, err := getLive[model.Customer](w.tx, model.TypeCustomer, duplicate)
		if err != nil {
			return err
		}
		before, err := jsonFields(s)
		if err != nil {
			return err
		}
		model.MergeCustomer(s, d, false, w.region)
		s.NotDuplicates = withoutID(s.NotDuplicates, d.ID)
		if err := prepareCustomer(s); err != nil {
			return err
		}
		after, err := jsonFields(s)
		if err != nil {
			return err
		}
		info := &model.MergeInfo{At: w.db.now().UTC(), Author: w.db.author(), Before: map[string]json.RawMessage{}, After: map[string]json.RawMessage{}}
		for _, fs := range []map[string]json.RawMessage{after, before} {
			for f := range fs {
				if model.MetaFields[f] || bytes.Equal(after[f], before[f]) {
					continue
				}
				info.Before[f], info.After[f] = orNull(before[f]), orNull(after[f])
			}
		}
		if err := w.save(model.TypeCustomer, s, false); err != nil {
			return err
		}
		d.MergedInto, d.Merge = s.ID, info
		return w.save(model.TypeCustomer, d, false)
	})
}

// UndoMerge brings a merged customer back; see model.DuplicateService.
func (db *DB) UndoMerge(id model.ID) ([]string, error) {
	var kept []string
	err := db.update(func(w *writer) error {
		d, err := get[model.Customer](w.tx, model.TypeCustomer, id)
		if err != nil {
			return err
		}
		if !live(&d.Meta) || d.MergedInto == model.NilID {
			return model.Errorf(model.ENOTFOUND, "customer %s is not merged", id)
		}
		if s, err := get[model.Customer](w.tx, model.TypeCustomer, d.MergedInto); err == nil && live(&s.Meta) && d.Merge != nil {
			cur, err := jsonFields(s)
			if err != nil {
				return err
			}
			restore := map[string]json.RawMessage{}
			fields := map[string]bool{}
			for f := range d.Merge.Before {
				fields[f] = true
			}
			for f := range d.Merge.After {
				fields[f] = true
			}
			for f := range fields {
				if v := d.Merge.After[f]; bytes.Equal(cur[f], v) || (cur[f] == nil && string(v) == "null") {
					restore[f] = d.Merge.Before[f]
				} else {
					kept = append(kept, f)
				}
			}
			if len(restore) > 0 {
				for f, v := range restore {
					if v == nil {
						v = json.RawMessage("null")
					}
					cur[f] = v
				}
				raw, err := json.Marshal(cur)
				if err != nil {
					return err
				}
				back := new(model.Customer)
				if err := json.Unmarshal(raw, back); err != nil {
					return model.WrapError(model.EINTERNAL, err, "restore customer %s", s.ID)
				}
				if err := w.save(model.TypeCustomer, back, false); err != nil {
					return err
				}
			}
		}
		d.MergedInto, d.Merge = model.NilID, nil
		return w.save(model.TypeCustomer, d, false)
	})
	sort.Strings(kept)
	return kept, err
}

// Merges lists the customers merged into others, newest merge first.
func (db *DB) Merges() ([]model.MergeEntry, error) {
	var out []model.MergeEntry
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		out, err = mergesInto(tx, model.NilID)
		return err
	})
	return out, err
}

// mergesInto lists the live merged customers whose records belong to
// survivor now (any survivor for NilID), newest merge first. The owner of
// a cycle of merges is listed, not merged, and left out.
func mergesInto(tx *bolt.Tx, survivor model.ID) ([]model.MergeEntry, error) {
	var out []model.MergeEntry
	err := tx.Bucket(bucketMerged).ForEach(func(k, _ []byte) error {
		id := idAtEnd(k)
		o := owner(tx, id)
		if o == id || (survivor != model.NilID && o != survivor) {
			return nil
		}
		d, err := get[model.Customer](tx, model.TypeCustomer, id)
		if err != nil {
			return err
		}
		if !live(&d.Meta) {
			return nil
		}
		e := model.MergeEntry{Duplicate: d.ID, DuplicateName: d.DisplayName(), Survivor: o}
		if d.Merge != nil {
			e.At, e.Author = d.Merge.At, d.Merge.Author
		}
		if s, err := get[model.Customer](tx, model.TypeCustomer, o); err == nil {
			e.SurvivorName = s.DisplayName()
		}
		out = append(out, e)
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, err
}

// NotDuplicates records on both customers that they differ.
func (db *DB) NotDuplicates(a, b model.ID) error {
	if a == b {
		return model.Errorf(model.EINVALID, "a customer cannot differ from itself")
	}
	return db.update(func(w *writer) error {
		ca, err := getLive[model.Customer](w.tx, model.TypeCustomer, a)
		if err != nil {
			return err
		}
		cb, err := getLive[model.Customer](w.tx, model.TypeCustomer, b)
		if err != nil {
			return err
		}
		for _, p := range [][2]*model.Customer{{ca, cb}, {cb, ca}} {
			if slices.Contains(p[0].NotDuplicates, p[1].ID) {
				continue
			}
			p[0].NotDuplicates = append(p[0].NotDuplicates, p[1].ID)
			if err := w.save(model.TypeCustomer, p[0], false); err != nil {
				return err
			}
		}
		return nil
	})
}

// Duplicates lists possible duplicate pairs from the email, phone and name
// indexes (which hold only listed customers). A pair found for several
// reasons ranks above one found for one: the same email and the same name
// is almost surely one person, a shared family address much less so. Only
// the pairs that make the list are checked against the user's dismissals.
func (db *DB) Duplicates(limit int) ([]model.Duplicate, bool, error) {
	var out []model.Duplicate
	more := false
	err := db.view(func(tx *bolt.Tx) error {
		cands := map[[2]model.ID]*dupCandidate{}
		var order []*dupCandidate
		add := func(reason model.DuplicateReason, value string, group []model.ID) {
			ss := make([]*model.CustomerSummary, 0, len(group))
			for _, id := range group {
				if s, ok := db.dir.Summary(id); ok {
					ss = append(ss, s)
				}
			}
			sort.SliceStable(ss, func(i, j int) bool { return ss[i].Created.Before(ss[j].Created) })
			nameOnly := (reason == model.DupName || reason == model.DupSimilarName) && strings.HasSuffix(value, "|")
			// Small groups are compared pair by pair; in large ones (a very
			// common name) each is paired with the oldest only.
			firsts := len(ss) - 1
			if len(ss) > 12 {
				firsts = 1
			}
			for i := 0; i < firsts; i++ {
				for j := i + 1; j < len(ss); j++ {
					a, b := ss[i], ss[j]
					p := [2]model.ID{a.ID, b.ID}
					if bytes.Compare(p[0][:], p[1][:]) > 0 {
						p[0], p[1] = p[1], p[0]
					}
					c := cands[p]
					if nameOnly && (a.City == "" || model.Fold(a.City) != model.Fold(b.City)) && c == nil {
						// A common name alone, in two places, is two people;
						// it only adds weight to a pair found otherwise.
						continue
					}
					if c == nil {
						c = &dupCandidate{d: model.Duplicate{A: a.ID, B: b.ID, Reason: reason, Value: value}}
						cands[p] = c
						order = append(order, c)
					}
					c.score |= dupWeight[reason]
				}
			}
		}
		idx := tx.Bucket(bucketIdx)
		for _, g := range []struct {
			b      []byte
			reason model.DuplicateReason
		}{{idxCustEmail, model.DupEmail}, {idxCustPhone, model.DupPhone}, {idxCustName, model.DupName}} {
			groupIndex(idx.Bucket(g.b), func(v string, ids []model.ID) bool {
				if g.reason != model.DupName || usableNameKey(v) {
					add(g.reason, v, ids)
				}
				return true
			})
		}
		// Similar names: group the name index by a spelling-insensitive key.
		similar := map[string][]model.ID{}
		var keys []string
		idx.Bucket(idxCustName).ForEach(func(k, _ []byte) error {
			v := string(k[:len(k)-17])
			if !usableNameKey(v) {
				return nil
			}
			name, company, _ := strings.Cut(v, "|")
			sk := model.SimilarName(name) + "|" + company
			if _, ok := similar[sk]; !ok {
				keys = append(keys, sk)
			}
			similar[sk] = append(similar[sk], idAtEnd(k))
			return nil
		})
		for _, sk := range keys {
			if len(similar[sk]) > 1 {
				add(model.DupSimilarName, sk, similar[sk])
			}
		}
		// Strongest first; within a score, in the order found (by reason,
		// then by the shared value).
		sort.SliceStable(order, func(i, j int) bool { return order[i].score > order[j].score })
		dismissed := func(a, b model.ID) bool {
			c, err := get[model.Customer](tx, model.TypeCustomer, a)
			return err == nil && slices.Contains(c.NotDuplicates, b)
		}
		for _, c := range order {
			if dismissed(c.d.A, c.d.B) || dismissed(c.d.B, c.d.A) {
				continue
			}
			if limit > 0 && len(out) >= limit {
				more = true
				break
			}
			out = append(out, c.d)
		}
		return nil
	})
	return out, more, err
}

// dupCandidate is a pair found by the duplicate search, with the reasons
// it was found for as a score.
type dupCandidate struct {
	d     model.Duplicate // Reason and Value: the first (strongest) reason found
	score int
}

// dupWeight ranks the reasons: any stronger reason outweighs all weaker
// ones together, and a second reason lifts a pair above the same first
// reason alone.
var dupWeight = map[model.DuplicateReason]int{model.DupEmail: 8, model.DupPhone: 4, model.DupName: 2, model.DupSimilarName: 1}

// usableNameKey reports whether a name key says enough to suggest a
// duplicate: a person's name with at least two words, or a company name.
func usableNameKey(v string) bool {
	name, company, _ := strings.Cut(v, "|")
	return strings.Contains(name, " ") || (name == "" && company != "")
}

// groupIndex calls fn for every run of keys "value 0x00 id" with the same
// value; it stops when fn returns false and reports whether it ran through.
func groupIndex(b *bolt.Bucket, fn func(value string, ids []model.ID) bool) bool {
	var cur []byte
	var ids []model.ID
	c := b.Cursor()
	for k, _ := c.First(); ; k, _ = c.Next() {
		var v []byte
		if k != nil {
			v = k[:len(k)-17]
		}
		if k == nil || !bytes.Equal(v, cur) {
			if len(ids) > 1 && !fn(string(cur), ids) {
				return false
			}
			if k == nil {
				return true
			}
			cur, ids = append(cur[:0], v...), ids[:0]
		}
		ids = append(ids, idAtEnd(k))
	}
}

// jsonFields returns a record's JSON fields by name.
func jsonFields(rec any) (map[string]json.RawMessage, error) {
	raw, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	return fieldsOf(raw)
}

// orNull is v, or JSON null for a field that is absent.
func orNull(v json.RawMessage) json.RawMessage {
	if v == nil {
		return json.RawMessage("null")
	}
	return v
}

func withoutID(ids []model.ID, id model.ID) []model.ID {
	var out []model.ID
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}
