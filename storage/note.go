package storage

import (
	"bytes"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// AddNote stores a new note for a live customer.
func (db *DB) AddNote(n *model.Note) error {
	return db.addNote(n, model.NilID)
}

// ReviseNote stores n as a new version of the note old; the old version
// stays in the database (notes are append-only) but leaves the timeline.
func (db *DB) ReviseNote(old model.ID, n *model.Note) error {
	if old == model.NilID {
		return model.Errorf(model.EINVALID, "revise: no note given")
	}
	return db.addNote(n, old)
}

// prepareNote fills a new note's defaults and validates it.
func (db *DB) prepareNote(n *model.Note, replaces model.ID) error {
	n.ID = model.NewID()
	n.Created = n.Meta.Created.UTC()
	n.Deleted = false
	n.Replaces = replaces
	if n.By == "" {
		n.By = db.author()
	}
	if n.At.IsZero() {
		n.At = db.now()
	}
	n.Normalize()
	return n.Validate()
}

func (db *DB) addNote(n *model.Note, replaces model.ID) error {
	if err := db.prepareNote(n, replaces); err != nil {
		return err
	}
	return db.update(func(w *writer) error {
		if _, err := getLive[model.Customer](w.tx, model.TypeCustomer, n.CustomerID); err != nil {
			return err
		}
		if replaces != model.NilID {
			old, err := getLive[model.Note](w.tx, model.TypeNote, replaces)
			if err != nil {
				return err
			}
			if old.CustomerID != n.CustomerID {
				return model.Errorf(model.EINVALID, "a revision must keep the note's customer")
			}
		}
		return w.save(model.TypeNote, n, true)
	})
}

// DeleteNote tombstones a note.
func (db *DB) DeleteNote(id model.ID) error {
	return db.update(func(w *writer) error {
		n, err := getLive[model.Note](w.tx, model.TypeNote, id)
		if err != nil {
			return err
		}
		n.Deleted = true
		return w.save(model.TypeNote, n, false)
	})
}

// RestoreNote undoes DeleteNote; a note that is not deleted stays as it is.
func (db *DB) RestoreNote(id model.ID) error {
	return db.update(func(w *writer) error {
		n, err := get[model.Note](w.tx, model.TypeNote, id)
		if err != nil {
			return err
		}
		if !n.Deleted {
			return nil
		}
		n.Deleted = false
		return w.save(model.TypeNote, n, false)
	})
}

// Notes returns live current notes matching f, newest first. With a
// customer it walks that customer's notes; otherwise it walks the kind index
// (of the given kinds, or all) backwards, so a Limit stops it early.
func (db *DB) Notes(f model.NoteFilter) ([]model.Note, error) {
	var out []model.Note
	text := model.Fold(f.Text)
	match := func(n *model.Note) bool {
		if !f.From.IsZero() && n.At.Before(f.From) || !f.To.IsZero() && !n.At.Before(f.To) {
			return false
		}
		if len(f.Kinds) > 0 && !containsKind(f.Kinds, n.Kind) {
			return false
		}
		if _, live := db.dir.Summary(n.CustomerID); !live {
			return false
		}
		return text == "" || strings.Contains(model.Fold(n.Text), text)
	}
	err := db.view(func(tx *bolt.Tx) error {
		if f.CustomerID != model.NilID {
			notes, err := notesOf(tx, f.CustomerID)
			if err != nil {
				return err
			}
			for _, n := range currentNotes(notes) {
				if match(&n) {
					out = append(out, n)
				}
			}
			return nil
		}
		kinds := f.Kinds
		if len(kinds) == 0 {
			kinds = model.NoteKinds
		}
		for _, k := range kinds {
			part, err := db.notesOfKind(tx, k, f, match)
			if err != nil {
				return err
			}
			out = append(out, part...)
		}
		return nil
	})
	sortNotesNewestFirst(out)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, err
}

// notesOfKind walks the kind index from the newest note (or from f.To)
// backwards and collects up to f.Limit matching current notes.
func (db *DB) notesOfKind(tx *bolt.Tx, kind model.NoteKind, f model.NoteFilter, match func(*model.Note) bool) ([]model.Note, error) {
	var out []model.Note
	prefix := append([]byte(kind), 0)
	c := tx.Bucket(bucketIdx).Bucket(idxNoteKind).Cursor()
	recs := recBucket(tx, model.TypeNote)
	upper := key(prefix, u64(^uint64(0)))
	if !f.To.IsZero() {
		upper = key(prefix, ms(f.To))
	}
	k, _ := c.Seek(upper)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
		var n model.Note
		if err := jsonDecode(recs.Get(k[len(k)-16:]), &n); err != nil {
			return nil, err
		}
		ownerOf(tx, &n)
		if !f.From.IsZero() && n.At.Before(f.From) {
			break
		}
		if match(&n) && !isReplaced(tx, &n) {
			out = append(out, n)
			if f.Limit > 0 && len(out) >= f.Limit {
				break
			}
		}
	}
	return out, nil
}

// isReplaced reports whether a live revision replaces n (revisions may be
// of another kind and date than the original, so the index of revisions by
// the note they replace answers it).
func isReplaced(tx *bolt.Tx, n *model.Note) bool {
	prefix := idBytes(n.ID)
	k, _ := tx.Bucket(bucketIdx).Bucket(idxNoteRepl).Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// customerLive reports whether the customer owning id's records is listed.
func customerLive(tx *bolt.Tx, id model.ID) bool {
	c, err := get[model.Customer](tx, model.TypeCustomer, owner(tx, id))
	return err == nil && listed(tx, c)
}

func containsKind(kinds []model.NoteKind, k model.NoteKind) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

func sortNotesNewestFirst(ns []model.Note) {
	sortSlice(ns, func(a, b *model.Note) bool {
		if !a.At.Equal(b.At) {
			return a.At.After(b.At)
		}
		return bytes.Compare(a.ID[:], b.ID[:]) > 0
	})
}
