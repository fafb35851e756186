package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// maxPhoto bounds a stored photo; vCards from phones carry a few hundred KB at most.
const maxPhoto = 5 << 20

// Customer returns a live customer; for a merged one, the survivor.
func (db *DB) Customer(id model.ID) (*model.Customer, error) {
	var c *model.Customer
	err := db.view(func(tx *bolt.Tx) error {
		var err error
		c, err = getLive[model.Customer](tx, model.TypeCustomer, owner(tx, id))
		return err
	})
	return c, err
}

// prepareNewCustomer gives a new customer its ID (unless it brings one),
// then normalizes and validates it.
func prepareNewCustomer(c *model.Customer) error {
	if c.ID == model.NilID {
		c.ID = model.NewID()
	}
	c.Deleted = false
	return prepareCustomer(c)
}

// prepareCustomer normalizes and validates c.
func prepareCustomer(c *model.Customer) error {
	c.Normalize()
	return c.Validate()
}

// CreateCustomer stores a new customer.
func (db *DB) CreateCustomer(c *model.Customer) error {
	if err := prepareNewCustomer(c); err != nil {
		return err
	}
	return db.update(func(w *writer) error { return w.save(model.TypeCustomer, c, true) })
}

// CaptureLead stores a new customer, its first note and an optional
// follow-up in one transaction.
func (db *DB) CaptureLead(c *model.Customer, n *model.Note, f *model.FollowUp) error {
	if err := prepareNewCustomer(c); err != nil {
		return err
	}
	n.CustomerID = c.ID
	if err := db.prepareNote(n, model.NilID); err != nil {
		return model.WrapError(model.EINVALID, err, "note of the new customer")
	}
	if f != nil {
		f.CustomerID, f.NoteID = c.ID, n.ID
		if err := prepareFollowUp(f); err != nil {
			return model.WrapError(model.EINVALID, err, "follow-up of the new customer")
		}
	}
	return db.update(func(w *writer) error {
		if err := w.save(model.TypeCustomer, c, true); err != nil {
			return err
		}
		if err := w.save(model.TypeNote, n, true); err != nil {
			return err
		}
		if f == nil {
			return nil
		}
		return w.save(model.TypeFollowUp, f, true)
	})
}

// UpdateCustomer replaces a live customer.
func (db *DB) UpdateCustomer(c *model.Customer) error {
	if err := prepareCustomer(c); err != nil {
		return err
	}
	return db.update(func(w *writer) error {
		old, err := getLive[model.Customer](w.tx, model.TypeCustomer, c.ID)
		if err != nil {
			return err
		}
		c.Deleted = false
		c.Photo = old.Photo // photos change through SetPhoto only
		return w.save(model.TypeCustomer, c, false)
	})
}

// DeleteCustomer tombstones a customer.
func (db *DB) DeleteCustomer(id model.ID) error {
	return db.setCustomerDeleted(id, true)
}

// RestoreCustomer undoes DeleteCustomer.
func (db *DB) RestoreCustomer(id model.ID) error {
	return db.setCustomerDeleted(id, false)
}

func (db *DB) setCustomerDeleted(id model.ID, deleted bool) error {
	return db.update(func(w *writer) error {
		c, err := get[model.Customer](w.tx, model.TypeCustomer, id)
		if err != nil {
			return err
		}
		if c.Deleted == deleted {
			if deleted {
				return model.Errorf(model.ENOTFOUND, "customer %s was deleted", id)
			}
			return nil
		}
		c.Deleted = deleted
		return w.save(model.TypeCustomer, c, false)
	})
}

// Timeline returns a customer with its notes, follow-ups and gestures.
func (db *DB) Timeline(id model.ID) (*model.Timeline, error) {
	tl := &model.Timeline{}
	err := db.view(func(tx *bolt.Tx) error {
		id := owner(tx, id) // a merged customer's link opens the survivor
		c, err := getLive[model.Customer](tx, model.TypeCustomer, id)
		if err != nil {
			return err
		}
		tl.Customer = *c
		notes, err := notesOf(tx, id)
		if err != nil {
			return err
		}
		if tl.FollowUps, err = listByPrefix[model.FollowUp](tx, idxFUCust, idBytes(id), model.TypeFollowUp); err != nil {
			return err
		}
		if tl.Gestures, err = listByPrefix[model.Gesture](tx, idxGeCust, idBytes(id), model.TypeGesture); err != nil {
			return err
		}
		tl.Stats = model.ComputeStats(notes, tl.FollowUps, tl.Gestures)
		tl.Notes = currentNotes(notes)
		tl.Merged, err = mergesInto(tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(tl.Notes, func(i, j int) bool { return tl.Notes[i].At.After(tl.Notes[j].At) })
	sort.SliceStable(tl.FollowUps, func(i, j int) bool { return tl.FollowUps[i].Due.After(tl.FollowUps[j].Due) })
	sort.SliceStable(tl.Gestures, func(i, j int) bool { return tl.Gestures[i].Created.After(tl.Gestures[j].Created) })
	return tl, nil
}

// currentNotes drops notes that a live revision replaced.
func currentNotes(notes []model.Note) []model.Note {
	replaced := map[model.ID]bool{}
	for _, n := range notes {
		if n.Replaces != model.NilID {
			replaced[n.Replaces] = true
		}
	}
	out := notes[:0:0]
	for _, n := range notes {
		if !replaced[n.ID] {
			out = append(out, n)
		}
	}
	return out
}

// Photo returns a stored photo.
func (db *DB) Photo(key string) ([]byte, error) {
	var out []byte
	err := db.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketPhoto).Get([]byte(key))
		if v == nil {
			return model.Errorf(model.ENOTFOUND, "photo %s not found", key)
		}
		out = append([]byte(nil), v...)
		return nil
	})
	return out, err
}

// SetPhoto stores data as the customer's photo; nil removes it. Photos are
// kept by content hash, so the same picture is stored once.
func (db *DB) SetPhoto(id model.ID, data []byte) error {
	if len(data) > maxPhoto {
		return &model.Error{Code: model.EINVALID, Message: "photo too large", Fields: []model.FieldError{{Field: "photo", Key: "validation.photo_size", Message: "photo is larger than 5 MB"}}}
	}
	if data != nil && !strings.HasPrefix(http.DetectContentType(data), "image/") {
		return &model.Error{Code: model.EINVALID, Message: "not an image", Fields: []model.FieldError{{Field: "photo", Key: "validation.photo_type", Message: "photo is not an image"}}}
	}
	return db.update(func(w *writer) error {
		c, err := getLive[model.Customer](w.tx, model.TypeCustomer, id)
		if err != nil {
			return err
		}
		k, err := putPhoto(w.tx, data)
		if err != nil {
			return err
		}
		c.Photo = k
		return w.save(model.TypeCustomer, c, false)
	})
}

// putPhoto stores data under its hash and returns the key ("" for nil).
func putPhoto(tx *bolt.Tx, data []byte) (string, error) {
	if data == nil {
		return "", nil
	}
	sum := sha256.Sum256(data)
	k := hex.EncodeToString(sum[:])
	return k, tx.Bucket(bucketPhoto).Put([]byte(k), data)
}
