package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// The visit-note and follow-up dialogs are opened from the same action bar
// one after the other; they read alike: bold labels aligned to the fields,
// Cancel and Save with their icons.
func TestNoteFormLooksLikeTheFollowUpForm(t *testing.T) {
	f := newCareFixture(t)
	c := f.customer(model.Customer{GivenName: "Peter", FamilyName: "Keller"})
	note := newNoteForm(f.e, c.ID, nil)
	fu := newFollowUpForm(f.e, c.ID, nil)
	labelStyle := func(grid *fyne.Container) (fyne.TextAlign, bool) {
		l, ok := grid.Objects[0].(*widget.Label)
		if !ok {
			t.Fatalf("got %T as the first label, want *widget.Label", grid.Objects[0])
		}
		return l.Alignment, l.TextStyle.Bold
	}
	na, nb := labelStyle(note.grid)
	fa, fb := labelStyle(fu.form.grid)
	if na != fa || nb != fb {
		t.Errorf("got note labels aligned %v bold %v, want %v %v as in the follow-up form", na, nb, fa, fb)
	}
	if note.save.Icon == nil || note.cancel.Icon == nil {
		t.Error("got Save or Cancel without an icon in the note form, want both as in the follow-up form")
	}
}
