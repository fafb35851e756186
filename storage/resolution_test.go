package storage

import (
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestResolutionNoteClosesComplaint: "close complaint" writes a note of kind
// resolution; the open-complaint flag stays derived, through the quick
// path for a new note as well as the full recomputation after a delete.
func TestResolutionNoteClosesComplaint(t *testing.T) {
	db := openTest(t)
	c := newCustomer("Käthi", "Zürcher", "")
	mustOK(t, db.CreateCustomer(c))
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	mustOK(t, db.AddNote(&model.Note{CustomerID: c.ID, At: at, Kind: model.NoteComplaint, Impression: model.Negative, Text: "Lieferung zu spät"}))
	if s, _ := db.Directory().Summary(c.ID); !s.OpenComplaint {
		t.Fatalf("after complaint: got open %v, want true", s.OpenComplaint)
	}
	res := &model.Note{CustomerID: c.ID, At: at.Add(time.Hour), Kind: model.NoteResolution, Impression: model.Neutral, Text: "Ersatz geliefert"}
	mustOK(t, db.AddNote(res))
	mustCheck(t, db) // the quick path must agree with a recomputation
	s, _ := db.Directory().Summary(c.ID)
	if s.OpenComplaint || !s.LastComplaint.Equal(at) {
		t.Fatalf("after resolution: got open %v, last complaint %v, want closed, %v", s.OpenComplaint, s.LastComplaint, at)
	}
	mustOK(t, db.DeleteNote(res.ID))
	mustCheck(t, db)
	if s, _ := db.Directory().Summary(c.ID); !s.OpenComplaint {
		t.Fatalf("after deleting the resolution: got open %v, want true", s.OpenComplaint)
	}
}
