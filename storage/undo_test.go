package storage

import (
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

func TestRestoreNoteBringsItBackWithTheComplaint(t *testing.T) {
	db := openTest(t)
	c := newCustomer("Erika", "Moser", "")
	mustOK(t, db.CreateCustomer(c))
	n := &model.Note{CustomerID: c.ID, Kind: model.NoteComplaint, Impression: model.Negative, Text: "Lieferung zu spät"}
	mustOK(t, db.AddNote(n))

	mustOK(t, db.DeleteNote(n.ID))
	tl, err := db.Timeline(c.ID)
	mustOK(t, err)
	if len(tl.Notes) != 0 || tl.Stats.OpenComplaint {
		t.Fatalf("after delete: %d notes, open complaint %v; want 0 and false", len(tl.Notes), tl.Stats.OpenComplaint)
	}

	mustOK(t, db.RestoreNote(n.ID))
	mustCheck(t, db)
	tl, err = db.Timeline(c.ID)
	mustOK(t, err)
	if len(tl.Notes) != 1 || tl.Notes[0].ID != n.ID || !tl.Stats.OpenComplaint {
		t.Fatalf("after restore: notes %+v, open complaint %v; want the note back and the complaint open", tl.Notes, tl.Stats.OpenComplaint)
	}
	// Restoring a live note changes nothing and logs nothing.
	before := len(allOps(t, db))
	mustOK(t, db.RestoreNote(n.ID))
	if after := len(allOps(t, db)); after != before {
		t.Fatalf("log grew from %d to %d on restoring a live note", before, after)
	}
	if err := db.RestoreNote(model.NewID()); model.ErrorCode(err) != model.ENOTFOUND {
		t.Fatalf("restore of an unknown note: got %v, want ENOTFOUND", err)
	}
}

func TestRevertGestureStatusGoesBackwards(t *testing.T) {
	db := openTest(t)
	c := newCustomer("Reto", "Brändli", "")
	mustOK(t, db.CreateCustomer(c))
	g := &model.Gesture{CustomerID: c.ID, Kind: model.GestureGift, Title: "Weinflasche", Status: model.GestureIdea}
	mustOK(t, db.CreateGesture(g))
	before, err := db.Gesture(g.ID)
	mustOK(t, err)

	mustOK(t, db.SetGestureStatus(g.ID, model.GestureDeclined))
	// The lifecycle has no step from declined back to idea …
	if err := db.SetGestureStatus(g.ID, model.GestureIdea); model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("declined → idea forwards: got %v, want EINVALID", err)
	}
	// … but an undo puts back what was there.
	mustOK(t, db.RevertGestureStatus(g.ID, before.Status, before.StatusChanged))
	mustCheck(t, db)
	got, err := db.Gesture(g.ID)
	mustOK(t, err)
	if got.Status != model.GestureIdea || !got.StatusChanged.Equal(before.StatusChanged) {
		t.Fatalf("got status %s changed %v, want %s changed %v", got.Status, got.StatusChanged, model.GestureIdea, before.StatusChanged)
	}

	if err := db.RevertGestureStatus(g.ID, "lost", time.Time{}); model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("unknown status: got %v, want EINVALID", err)
	}
	if err := db.RevertGestureStatus(model.NewID(), model.GestureIdea, time.Time{}); model.ErrorCode(err) != model.ENOTFOUND {
		t.Fatalf("unknown gesture: got %v, want ENOTFOUND", err)
	}
}
