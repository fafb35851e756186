package storage

import (
	"encoding/json"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// SubjectData returns everything stored about a customer, read in one
// transaction; see model.PrivacyService. It finds the same records an
// erasure removes, so the access export and the erasure cannot disagree
// about what belongs to the person.
func (db *DB) SubjectData(id model.ID) (*model.SubjectData, error) {
	d := &model.SubjectData{Exported: db.now().UTC(), Device: db.device}
	err := db.view(func(tx *bolt.Tx) error {
		if isErased(tx, id) {
			return model.Errorf(model.ENOTFOUND, "customer %s was erased", id)
		}
		if _, err := get[model.Customer](tx, model.TypeCustomer, id); err != nil {
			return err
		}
		if o := owner(tx, id); o != id {
			return model.Errorf(model.EINVALID, "customer %s was merged into %s", id, o)
		}
		custs := map[model.ID]bool{id: true}
		for _, m := range mergedInto(tx, id) {
			custs[m] = true
		}
		recs, err := collectPerson(tx, custs)
		if err != nil {
			return err
		}
		ids := map[model.ID]bool{}
		for _, r := range recs {
			ids[metaOf(r.rec).ID] = true
			if err := addSubjectRecord(tx, d, id, r.rec); err != nil {
				return err
			}
		}
		sortSubject(d)
		if d.Conflicts, err = subjectConflicts(tx, ids); err != nil {
			return err
		}
		d.Changes, err = historyOf(tx, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// addSubjectRecord files one of the person's records into d, with the
// photo of a customer and the event of an invitation.
func addSubjectRecord(tx *bolt.Tx, d *model.SubjectData, id model.ID, rec any) error {
	switch r := rec.(type) {
	case *model.Customer:
		if r.Photo != "" && d.Photo == nil && r.ID == id {
			if p := tx.Bucket(bucketPhoto).Get([]byte(r.Photo)); p != nil {
				d.Photo = append([]byte(nil), p...)
			}
		}
		if r.ID == id {
			d.Customer = *r
		} else {
			d.Merged = append(d.Merged, *r)
		}
	case *model.Note:
		d.Notes = append(d.Notes, *r)
	case *model.FollowUp:
		d.FollowUps = append(d.FollowUps, *r)
	case *model.Gesture:
		d.Gestures = append(d.Gestures, *r)
		if r.EventID == model.NilID {
			return nil
		}
		for _, e := range d.Events {
			if e.ID == r.EventID {
				return nil
			}
		}
		ev, err := get[model.Event](tx, model.TypeEvent, r.EventID)
		if model.ErrorCode(err) == model.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		d.Events = append(d.Events, *ev)
	}
	return nil
}

// sortSubject orders the records of d oldest first.
func sortSubject(d *model.SubjectData) {
	sort.SliceStable(d.Merged, func(i, j int) bool { return d.Merged[i].Created.Before(d.Merged[j].Created) })
	sort.SliceStable(d.Notes, func(i, j int) bool { return d.Notes[i].Created.Before(d.Notes[j].Created) })
	sort.SliceStable(d.FollowUps, func(i, j int) bool { return d.FollowUps[i].Created.Before(d.FollowUps[j].Created) })
	sort.SliceStable(d.Gestures, func(i, j int) bool { return d.Gestures[i].Created.Before(d.Gestures[j].Created) })
	sort.SliceStable(d.Events, func(i, j int) bool { return d.Events[i].Start.Before(d.Events[j].Start) })
}

// subjectConflicts returns the conflicts kept for the records ids.
func subjectConflicts(tx *bolt.Tx, ids map[model.ID]bool) ([]model.Conflict, error) {
	var out []model.Conflict
	err := tx.Bucket(bucketConflict).ForEach(func(k, v []byte) error {
		var c model.Conflict
		if err := json.Unmarshal(v, &c); err != nil {
			return model.WrapError(model.EINTERNAL, err, "decode conflict %x", k)
		}
		if ids[c.ID] {
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// historyOf returns the change log of the records ids, oldest first.
func historyOf(tx *bolt.Tx, ids map[model.ID]bool) ([]model.HistoryEntry, error) {
	var out []model.HistoryEntry
	err := tx.Bucket(bucketLog).ForEach(func(k, v []byte) error {
		if id, _, ok := logHead(v); ok && !ids[id] {
			return nil
		}
		var op model.Op
		if err := json.Unmarshal(v, &op); err != nil {
			return model.WrapError(model.EINTERNAL, err, "decode log entry %x", k)
		}
		if !ids[op.ID] {
			return nil
		}
		out = append(out, model.HistoryEntry{Type: op.Type, ID: op.ID, Field: op.Field, Value: op.Value,
			At: op.HLC.Time(), Device: op.Device, Author: op.Author})
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, err
}
