package app

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/kundenkartei/kundenkartei/model"
)

// complaintOf stores a customer with a complaint two hours before careNow.
func complaintOf(f *careFixture, given, family string) *model.Customer {
	f.t.Helper()
	c := f.customer(model.Customer{GivenName: given, FamilyName: family})
	if err := f.e.svc.AddNote(&model.Note{CustomerID: c.ID, At: careNow.Add(-2 * time.Hour), Kind: model.NoteComplaint,
		Text: "Lieferung zu spät", Impression: model.Negative}); err != nil {
		f.t.Fatalf("add complaint: %v", err)
	}
	return c
}

// resolutions returns the resolution notes of customer id.
func resolutions(f *careFixture, id model.ID) []model.Note {
	f.t.Helper()
	notes, err := f.db.Notes(model.NoteFilter{CustomerID: id, Kinds: []model.NoteKind{model.NoteResolution}})
	if err != nil {
		f.t.Fatal(err)
	}
	return notes
}

func TestTodayClosesComplaintWithResolution(t *testing.T) {
	f := newCareFixture(t)
	c := complaintOf(f, "Erika", "Müller")
	s := newTodayScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	if s.complaints.rows.Length() != 1 {
		t.Fatalf("complaints: got %d, want 1", s.complaints.rows.Length())
	}
	action := s.complaints.rows.row(0).first
	if action == nil {
		t.Fatal("complaint row: no close action")
	}
	action.run()
	cv := f.win.Canvas()
	closeBtn := overlayButton(t, cv, "Close complaint")
	// Without a word on how it was resolved nothing is stored.
	test.Tap(closeBtn)
	if n := resolutions(f, c.ID); len(n) != 0 {
		t.Fatalf("empty text stored %d resolutions, want 0", len(n))
	}
	if cv.Overlays().Top() == nil {
		t.Fatal("empty text closed the dialog, want it open with a message")
	}
	entry, ok := cv.Focused().(*escEntry)
	if !ok {
		t.Fatalf("focus on %T, want the resolution text", cv.Focused())
	}
	test.Type(entry, "Ersatz geliefert")
	test.Tap(closeBtn)
	f.settle(s.loader)

	notes := resolutions(f, c.ID)
	if len(notes) != 1 || notes[0].Text != "Ersatz geliefert" || notes[0].By != "Anna Beispiel" || !notes[0].At.Equal(careNow) {
		t.Fatalf("got resolutions %+v, want one by Anna Beispiel at %v", notes, careNow)
	}
	if sum, _ := f.db.Directory().Summary(c.ID); sum.OpenComplaint {
		t.Error("complaint still open after closing it")
	}
	if s.complaints.rows.Length() != 0 || !s.complaints.hint.Visible() {
		t.Errorf("Today after closing: got %d complaints, hint visible %v; want none and the hint", s.complaints.rows.Length(), s.complaints.hint.Visible())
	}
	if cv.Overlays().Top() != nil {
		t.Error("dialog still open after closing the complaint")
	}
}

func TestTimelineSaysHowComplaintClosesAndClosesIt(t *testing.T) {
	f := newCareFixture(t)
	c := complaintOf(f, "Jürg", "Bärtschi")
	v := newTimelineView(f.e)
	f.show(v.build())
	load := func() {
		t.Helper()
		tl, err := f.db.Timeline(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		v.set(tl)
	}
	load()
	if !v.complaint.Visible() {
		t.Fatal("open complaint: banner hidden, want it to say how the complaint closes")
	}
	row := newTimelineRow()
	v.UpdateItem(0, row)
	if !row.close.Visible() || row.close.OnTapped == nil {
		t.Fatal("the open complaint's row has no close button")
	}

	v.onCloseComplaint()
	test.Type(v.closer.text, "Entschuldigt, Gutschrift vereinbart")
	v.closer.impression.SetSelected(impressionText(model.Positive))
	test.Tap(v.closer.save)
	notes := resolutions(f, c.ID)
	if len(notes) != 1 || notes[0].Impression != model.Positive {
		t.Fatalf("got resolutions %+v, want one positive", notes)
	}

	load()
	if v.complaint.Visible() {
		t.Error("closed complaint: banner still shown")
	}
	if len(v.entries) != 2 || v.entries[0].note == nil || v.entries[0].note.Kind != model.NoteResolution {
		t.Fatalf("timeline: got %d entries, want the resolution on top of the complaint", len(v.entries))
	}
	v.UpdateItem(1, row)
	if row.close.Visible() {
		t.Error("closed complaint's row still offers to close it")
	}
}
