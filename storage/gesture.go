package storage

import (
	"bytes"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// Gesture returns a live gesture.
func (db *DB) Gesture(id model.ID) (*model.Gesture, error) {
	var g *model.Gesture
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		g, err = getLive[model.Gesture](tx, model.TypeGesture, id)
		return err
	})
	return g, err
}

// CreateGesture stores a new gesture for a live customer.
func (db *DB) CreateGesture(g *model.Gesture) error {
	if g.ID == model.NilID {
		g.ID = model.NewID()
	}
	g.Deleted = false
	g.Normalize()
	if g.StatusChanged.IsZero() {
		g.StatusChanged = db.now().UTC()
	}
	if err := g.Validate(); err != nil {
		return err
	}
	return db.update(func(w *writer) error { return createGesture(w, g) })
}

func createGesture(w *writer, g *model.Gesture) error {
	if _, err := getLive[model.Customer](w.tx, model.TypeCustomer, g.CustomerID); err != nil {
		return err
	}
	if g.EventID != model.NilID {
		if _, err := getLive[model.Event](w.tx, model.TypeEvent, g.EventID); err != nil {
			return err
		}
	}
	return w.save(model.TypeGesture, g, true)
}

// UpdateGesture replaces a live gesture. A status change must follow the lifecycle.
func (db *DB) UpdateGesture(g *model.Gesture) error {
	g.Normalize()
	if err := g.Validate(); err != nil {
		return err
	}
	return db.update(func(w *writer) error {
		old, err := getLive[model.Gesture](w.tx, model.TypeGesture, g.ID)
		if err != nil {
			return err
		}
		if g.Status != old.Status {
			if !model.CanMove(old.Status, g.Status) {
				return statusError(old.Status, g.Status)
			}
			g.StatusChanged = db.now().UTC()
		}
		return w.save(model.TypeGesture, g, false)
	})
}

func statusError(from, to model.GestureStatus) error {
	return &model.Error{Code: model.EINVALID, Message: "invalid gesture",
		Fields: []model.FieldError{{Field: "status", Key: "validation.status_step", Message: "a gesture cannot go from " + string(from) + " to " + string(to)}}}
}

// SetGestureStatus moves a gesture along its lifecycle.
func (db *DB) SetGestureStatus(id model.ID, s model.GestureStatus) error {
	return db.update(func(w *writer) error {
		g, err := getLive[model.Gesture](w.tx, model.TypeGesture, id)
		if err != nil {
			return err
		}
		if g.Status == s {
			return nil
		}
		if !model.CanMove(g.Status, s) {
			return statusError(g.Status, s)
		}
		g.Status, g.StatusChanged = s, db.now().UTC()
		return w.save(model.TypeGesture, g, false)
	})
}

// RevertGestureStatus puts back a status the gesture had before a change
// (undo), without the lifecycle check a step forwards gets.
func (db *DB) RevertGestureStatus(id model.ID, s model.GestureStatus, changed time.Time) error {
	if !slices.Contains(model.GestureStatuses, s) {
		return statusError("", s)
	}
	return db.update(func(w *writer) error {
		g, err := getLive[model.Gesture](w.tx, model.TypeGesture, id)
		if err != nil {
			return err
		}
		if g.Status == s {
			return nil
		}
		g.Status, g.StatusChanged = s, changed.UTC()
		return w.save(model.TypeGesture, g, false)
	})
}

// DeleteGesture tombstones a gesture.
func (db *DB) DeleteGesture(id model.ID) error {
	return db.update(func(w *writer) error {
		g, err := getLive[model.Gesture](w.tx, model.TypeGesture, id)
		if err != nil {
			return err
		}
		g.Deleted = true
		return w.save(model.TypeGesture, g, false)
	})
}

// Gestures returns live gestures matching f, newest first (soonest to
// expire first with f.ExpiringTo).
func (db *DB) Gestures(f model.GestureFilter) ([]model.Gesture, error) {
	var out []model.Gesture
	keep := func(g *model.Gesture) bool {
		if len(f.Kinds) > 0 && !containsGestureKind(f.Kinds, g.Kind) {
			return false
		}
		if len(f.Statuses) > 0 && !containsGestureStatus(f.Statuses, g.Status) {
			return false
		}
		if f.EventID != model.NilID && g.EventID != f.EventID {
			return false
		}
		if !f.From.IsZero() && g.Created.Before(f.From) || !f.To.IsZero() && !g.Created.Before(f.To) {
			return false
		}
		if !f.ExpiringTo.IsZero() && !expiringIn(g.ValidUntil, f.ExpiringFrom, f.ExpiringTo) {
			return false
		}
		_, live := db.dir.Summary(g.CustomerID) // the directory holds exactly the live customers
		return live
	}
	if !f.ExpiringTo.IsZero() && len(f.Statuses) > 0 && f.CustomerID == model.NilID && f.EventID == model.NilID {
		return db.expiringGestures(f, keep)
	}
	err := db.view(func(tx *bolt.Tx) error {
		var gs []model.Gesture
		var err error
		switch {
		case f.CustomerID != model.NilID:
			gs, err = listByPrefix[model.Gesture](tx, idxGeCust, idBytes(f.CustomerID), model.TypeGesture)
		case f.EventID != model.NilID:
			gs, err = listByPrefix[model.Gesture](tx, idxGeEvent, idBytes(f.EventID), model.TypeGesture)
		case len(f.Statuses) > 0:
			for _, s := range f.Statuses {
				part, err := listByPrefix[model.Gesture](tx, idxGeStatus, append([]byte(s), 0), model.TypeGesture)
				if err != nil {
					return err
				}
				gs = append(gs, part...)
			}
		default:
			out, err = newestGestures(tx, f, keep)
			return err
		}
		if err != nil {
			return err
		}
		for i := range gs {
			if keep(&gs[i]) {
				out = append(out, gs[i])
			}
		}
		return nil
	})
	sortSlice(out, func(a, b *model.Gesture) bool {
		if !a.Created.Equal(b.Created) {
			return a.Created.After(b.Created)
		}
		return bytes.Compare(a.ID[:], b.ID[:]) > 0
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, err
}

// newestGestures walks the creation index from the newest gesture (or from
// f.To) back to f.From and keeps up to f.Limit that keep accepts, so a
// limited list decodes only what it shows.
func newestGestures(tx *bolt.Tx, f model.GestureFilter, keep func(*model.Gesture) bool) ([]model.Gesture, error) {
	var out []model.Gesture
	c := tx.Bucket(bucketIdx).Bucket(idxGeCreated).Cursor()
	recs := recBucket(tx, model.TypeGesture)
	var k []byte
	if f.To.IsZero() {
		k, _ = c.Last()
	} else if k, _ = c.Seek(u64(uint64(f.To.UnixMilli()) + 1)); k == nil { // past every key of To's millisecond
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	from := ms(f.From)
	for ; k != nil; k, _ = c.Prev() {
		if !f.From.IsZero() && bytes.Compare(k[:8], from) < 0 {
			break
		}
		var g model.Gesture
		if err := jsonDecode(recs.Get(k[len(k)-16:]), &g); err != nil {
			return nil, err
		}
		ownerOf(tx, &g)
		if keep(&g) {
			out = append(out, g)
			if f.Limit > 0 && len(out) >= f.Limit {
				break
			}
		}
	}
	return out, nil
}

// expiringIn reports whether the day d is set and lies in [from, to].
func expiringIn(d, from, to model.Date) bool {
	if d.IsZero() {
		return false
	}
	t := d.Time(0, time.UTC)
	return (from.IsZero() || !t.Before(from.Time(0, time.UTC))) && !t.After(to.Time(0, time.UTC))
}

// expiringGestures serves Gestures for a filter with statuses and an
// expiry range from the status index, whose keys are ordered by
// valid-until day within a status: only the gestures in the range are
// read, and with a limit only the soonest of each status. The Today view
// asks this of 50,000 gestures, and decoding them all kept hundreds of
// megabytes of the file mapped.
func (db *DB) expiringGestures(f model.GestureFilter, keep func(*model.Gesture) bool) ([]model.Gesture, error) {
	var out []model.Gesture
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketIdx).Bucket(idxGeStatus).Cursor()
		recs := recBucket(tx, model.TypeGesture)
		to := f.ExpiringTo.String()
		for _, st := range f.Statuses {
			prefix := append([]byte(st), 0)
			from := key(prefix, []byte(f.ExpiringFrom.String()))
			n := 0
			for k, _ := c.Seek(from); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				day := k[len(prefix) : len(k)-17] // valid-until, before "0x00 id"
				if string(day) > to {
					break
				}
				var g model.Gesture
				if err := jsonDecode(recs.Get(k[len(k)-16:]), &g); err != nil {
					return err
				}
				if keep(&g) {
					out = append(out, g)
					if n++; f.Limit > 0 && n >= f.Limit {
						break
					}
				}
			}
		}
		return nil
	})
	sortSlice(out, func(a, b *model.Gesture) bool {
		if a.ValidUntil != b.ValidUntil {
			return a.ValidUntil.Time(0, time.UTC).Before(b.ValidUntil.Time(0, time.UTC))
		}
		return bytes.Compare(a.ID[:], b.ID[:]) < 0
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, err
}

func containsGestureKind(ks []model.GestureKind, k model.GestureKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func containsGestureStatus(ss []model.GestureStatus, s model.GestureStatus) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Event returns a live event.
func (db *DB) Event(id model.ID) (*model.Event, error) {
	var e *model.Event
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		e, err = getLive[model.Event](tx, model.TypeEvent, id)
		return err
	})
	return e, err
}

// CreateEvent stores a new event.
func (db *DB) CreateEvent(e *model.Event) error {
	if e.ID == model.NilID {
		e.ID = model.NewID()
	}
	e.Deleted = false
	e.Normalize()
	if err := e.Validate(); err != nil {
		return err
	}
	return db.update(func(w *writer) error { return w.save(model.TypeEvent, e, true) })
}

// UpdateEvent replaces a live event.
func (db *DB) UpdateEvent(e *model.Event) error {
	e.Normalize()
	if err := e.Validate(); err != nil {
		return err
	}
	return db.update(func(w *writer) error {
		if _, err := getLive[model.Event](w.tx, model.TypeEvent, e.ID); err != nil {
			return err
		}
		return w.save(model.TypeEvent, e, false)
	})
}

// Events returns all live events by start.
func (db *DB) Events() ([]model.Event, error) {
	var out []model.Event
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		out, err = listByPrefix[model.Event](tx, idxEvStart, nil, model.TypeEvent)
		return err
	})
	return out, err
}

// Invite creates one invitation per customer not yet invited to the event,
// all in one transaction.
func (db *DB) Invite(eventID model.ID, customers []model.ID, template model.Gesture) (int, error) {
	n := 0
	now := db.now().UTC()
	err := db.update(func(w *writer) error {
		n = 0
		ev, err := getLive[model.Event](w.tx, model.TypeEvent, eventID)
		if err != nil {
			return err
		}
		invited := map[model.ID]bool{}
		existing, err := listByPrefix[model.Gesture](w.tx, idxGeEvent, idBytes(eventID), model.TypeGesture)
		if err != nil {
			return err
		}
		for _, g := range existing {
			invited[g.CustomerID] = true
		}
		for _, cid := range customers {
			if invited[cid] || !customerLive(w.tx, cid) {
				continue
			}
			invited[cid] = true
			g := template
			g.Meta = model.Meta{ID: model.NewID()}
			g.CustomerID, g.EventID, g.Kind = cid, eventID, model.GestureInvite
			if g.Title == "" {
				g.Title = ev.Name
			}
			if g.Occasion == "" {
				g.Occasion = model.OccasionEvent
			}
			g.Normalize()
			if g.Status == model.GestureIdea {
				g.Status = model.GestureOffered
			}
			g.StatusChanged = now
			if err := g.Validate(); err != nil {
				return err
			}
			if err := createGesture(w, &g); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
