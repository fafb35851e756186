package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestDuplicatesReviewMergeAndUndo drives the Sync screen's duplicate
// review as a user would: the pair shows with its reason, "Merge…" asks
// which one to keep, the merge hides the other and moves its note, and
// "Undo merge" brings it back.
func TestDuplicatesReviewMergeAndUndo(t *testing.T) {
	f := newCareFixture(t)
	anna := f.customer(model.Customer{GivenName: "Anna", FamilyName: "Müller", Emails: []model.Email{{Address: "anna@beck.ch"}}})
	dup := f.customer(model.Customer{GivenName: "Anna", FamilyName: "Mueller", Emails: []model.Email{{Address: "Anna@Beck.ch"}},
		Phones: []model.Phone{{Number: "079 123 45 67"}}})
	if err := f.db.AddNote(&model.Note{CustomerID: dup.ID, At: careNow.Add(-time.Hour), Kind: model.NoteFair, Text: "Messegespräch"}); err != nil {
		t.Fatal(err)
	}
	f.customer(model.Customer{GivenName: "Otto", FamilyName: "Keller"})
	s := newSyncScreen(f.e)
	s.do = func(fn func()) { f.ui <- fn }
	f.show(s.build())
	s.show()
	settleSync(t, f, s)

	if len(s.dups.pairs) != 1 {
		t.Fatalf("listed %d pairs, want 1", len(s.dups.pairs))
	}
	if !strings.Contains(s.dupTab.Text, "(1)") {
		t.Errorf("tab title %q, want the count", s.dupTab.Text)
	}
	row := newDupRow()
	s.dups.updatePair(0, row)
	if !strings.Contains(row.label.Text, "anna@beck.ch") || !strings.Contains(row.label.Text, "Anna Mueller") {
		t.Errorf("row says %q, want both names and the shared email", row.label.Text)
	}

	test.Tap(row.merge)
	top := f.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("Merge… opened no dialog")
	}
	var choice *widget.RadioGroup
	for _, o := range test.LaidOutObjects(top) {
		if r, ok := o.(*widget.RadioGroup); ok {
			choice = r
		}
	}
	if choice == nil || len(choice.Options) != 2 || !strings.HasPrefix(choice.Selected, "Keep Anna Müller") {
		t.Fatalf("choice: %+v, want the older customer preselected", choice)
	}
	test.Tap(overlayButton(t, f.win.Canvas(), "Merge"))
	if !s.dups.busy.Visible() {
		t.Error("no progress while the merge backs up the database")
	}
	settleSync(t, f, s)
	if s.dups.busy.Visible() {
		t.Error("progress still shown after the merge")
	}

	if _, ok := f.db.Directory().Summary(dup.ID); ok {
		t.Error("the duplicate is still listed after the merge")
	}
	tl, err := f.db.Timeline(anna.ID)
	if err != nil || len(tl.Notes) != 1 || len(tl.Customer.Phones) != 1 {
		t.Fatalf("survivor after merge: %v, %+v", err, tl)
	}
	if len(s.dups.pairs) != 0 || len(s.dups.merges) != 1 {
		t.Fatalf("after merge: %d pairs, %d merges; want 0 and 1", len(s.dups.pairs), len(s.dups.merges))
	}
	if bs, _ := f.db.Backups(); len(bs) == 0 {
		t.Error("no backup was taken before the merge")
	}

	mrow := newMergeRow()
	s.dups.updateMerge(0, mrow)
	if !strings.Contains(mrow.label.Text, "Anna Mueller merged into Anna Müller") {
		t.Errorf("merge row says %q", mrow.label.Text)
	}
	test.Tap(mrow.undo)
	settleSync(t, f, s)
	if _, ok := f.db.Directory().Summary(dup.ID); !ok {
		t.Fatal("undo did not bring the duplicate back")
	}
	if tl, _ := f.db.Timeline(dup.ID); len(tl.Notes) != 1 {
		t.Errorf("the duplicate's note did not come back with it")
	}
	if len(s.dups.pairs) != 1 || len(s.dups.merges) != 0 {
		t.Errorf("after undo: %d pairs, %d merges; want 1 and 0", len(s.dups.pairs), len(s.dups.merges))
	}

	// "Not the same" dismisses the pair for good.
	s.dups.updatePair(0, row)
	test.Tap(row.differ)
	settleSync(t, f, s)
	if len(s.dups.pairs) != 0 {
		t.Errorf("after Not the same: %d pairs listed, want 0", len(s.dups.pairs))
	}
}
