package storage

import (
	"bytes"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// FollowUp returns a live follow-up.
func (db *DB) FollowUp(id model.ID) (*model.FollowUp, error) {
	var f *model.FollowUp
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		f, err = getLive[model.FollowUp](tx, model.TypeFollowUp, id)
		return err
	})
	return f, err
}

// prepareFollowUp fills a new follow-up's ID and validates it.
func prepareFollowUp(f *model.FollowUp) error {
	if f.ID == model.NilID {
		f.ID = model.NewID()
	}
	f.Deleted, f.Sequence = false, 0
	f.Normalize()
	return f.Validate()
}

// CreateFollowUp stores a new follow-up for a live customer.
func (db *DB) CreateFollowUp(f *model.FollowUp) error {
	if err := prepareFollowUp(f); err != nil {
		return err
	}
	return db.update(func(w *writer) error {
		if _, err := getLive[model.Customer](w.tx, model.TypeCustomer, f.CustomerID); err != nil {
			return err
		}
		return w.save(model.TypeFollowUp, f, true)
	})
}

// UpdateFollowUp replaces a live follow-up and raises its Sequence when
// anything changed, so calendars take the new version.
func (db *DB) UpdateFollowUp(f *model.FollowUp) error {
	f.Normalize()
	if err := f.Validate(); err != nil {
		return err
	}
	return db.update(func(w *writer) error {
		old, err := getLive[model.FollowUp](w.tx, model.TypeFollowUp, f.ID)
		if err != nil {
			return err
		}
		if _, err := getLive[model.Customer](w.tx, model.TypeCustomer, f.CustomerID); err != nil {
			return err
		}
		if f.Status != old.Status {
			f.DoneAt = db.doneAt(f.Status)
		}
		return saveFollowUp(w, old, f)
	})
}

// saveFollowUp saves f over old, raising the sequence when something changed.
func saveFollowUp(w *writer, old, f *model.FollowUp) error {
	f.Deleted = old.Deleted
	f.Sequence = old.Sequence
	probe := *f
	probe.Meta = old.Meta
	if equalJSON(&probe, old) {
		f.Meta = old.Meta
		return nil
	}
	f.Sequence = old.Sequence + 1
	return w.save(model.TypeFollowUp, f, false)
}

// doneAt is when a follow-up that moves to s was settled: now, or zero
// when it is open again.
func (db *DB) doneAt(s model.FollowUpStatus) time.Time {
	if s == model.FollowUpOpen {
		return time.Time{}
	}
	return db.now().UTC()
}

// SetFollowUpStatus marks a follow-up done, cancelled or open again.
func (db *DB) SetFollowUpStatus(id model.ID, s model.FollowUpStatus) error {
	return db.update(func(w *writer) error {
		old, err := getLive[model.FollowUp](w.tx, model.TypeFollowUp, id)
		if err != nil {
			return err
		}
		f := *old
		f.Status = s
		if err := f.Validate(); err != nil {
			return err
		}
		if s == old.Status {
			return nil
		}
		f.DoneAt = db.doneAt(s)
		return saveFollowUp(w, old, &f)
	})
}

// DeleteFollowUp tombstones a follow-up; calendars learn of it as a cancellation.
func (db *DB) DeleteFollowUp(id model.ID) error {
	return db.update(func(w *writer) error {
		old, err := getLive[model.FollowUp](w.tx, model.TypeFollowUp, id)
		if err != nil {
			return err
		}
		f := *old
		f.Deleted = true
		f.Sequence++
		return w.save(model.TypeFollowUp, &f, false)
	})
}

// FollowUps returns live follow-ups matching f, by due time ascending.
func (db *DB) FollowUps(f model.FollowUpFilter) ([]model.FollowUp, error) {
	var out []model.FollowUp
	tag := model.Fold(f.Tag)
	err := db.view(func(tx *bolt.Tx) error {
		keep := func(x *model.FollowUp) bool {
			if len(f.Statuses) > 0 && !containsStatus(f.Statuses, x.Status) {
				return false
			}
			if f.Assignee != "" && x.Assignee != f.Assignee {
				return false
			}
			if !f.From.IsZero() && x.Due.Before(f.From) || !f.To.IsZero() && !x.Due.Before(f.To) {
				return false
			}
			if _, live := db.dir.Summary(x.CustomerID); !live {
				return false
			}
			if tag != "" {
				c, err := get[model.Customer](tx, model.TypeCustomer, x.CustomerID)
				if err != nil || !c.HasTag(f.Tag) {
					return false
				}
			}
			return true
		}
		if f.CustomerID != model.NilID {
			fus, err := listByPrefix[model.FollowUp](tx, idxFUCust, idBytes(f.CustomerID), model.TypeFollowUp)
			if err != nil {
				return err
			}
			for i := range fus {
				if keep(&fus[i]) {
					out = append(out, fus[i])
				}
			}
			sortSlice(out, func(a, b *model.FollowUp) bool { return a.Due.Before(b.Due) })
			return nil
		}
		// By status when asked (Today wants the open ones), else by due time.
		if len(f.Statuses) > 0 {
			for _, st := range f.Statuses {
				if err := scanDue(tx, idxFUStatus, append([]byte(st), 0), f, keep, &out); err != nil {
					return err
				}
			}
			sortSlice(out, func(a, b *model.FollowUp) bool { return a.Due.Before(b.Due) })
			return nil
		}
		return scanDue(tx, idxFUDue, nil, f, keep, &out)
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, err
}

// scanDue walks an index whose keys are prefix, due ms, id from f.From to
// f.To and collects the follow-ups keep accepts, up to f.Limit.
func scanDue(tx *bolt.Tx, idx, prefix []byte, f model.FollowUpFilter, keep func(*model.FollowUp) bool, out *[]model.FollowUp) error {
	c := tx.Bucket(bucketIdx).Bucket(idx).Cursor()
	recs := recBucket(tx, model.TypeFollowUp)
	from := prefix
	if !f.From.IsZero() {
		from = key(prefix, ms(f.From))
	}
	var end []byte
	if !f.To.IsZero() {
		end = key(prefix, ms(f.To))
	}
	n := 0
	for k, _ := c.Seek(from); k != nil && bytes.HasPrefix(k, prefix) && (end == nil || bytes.Compare(k[:len(prefix)+8], end) < 0); k, _ = c.Next() {
		var x model.FollowUp
		if err := jsonDecode(recs.Get(k[len(k)-16:]), &x); err != nil {
			return err
		}
		ownerOf(tx, &x)
		if keep(&x) {
			*out = append(*out, x)
			if n++; f.Limit > 0 && n >= f.Limit {
				break
			}
		}
	}
	return nil
}

func containsStatus(ss []model.FollowUpStatus, s model.FollowUpStatus) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
