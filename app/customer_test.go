package app

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

func TestCreateCustomerThroughFormWithValidation(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	f.shortcut(shortcutNewCustomer)
	form := f.ui.customer.form

	test.Type(form.given, "Hans")
	test.Type(form.family, "Müller")
	test.Type(form.company, "Müller Holzbau AG")
	test.Type(form.emails[0].value, "hans.mueller@holzbau")
	test.Type(form.phones[0].value, "+41 61 555 12 34")
	test.Type(form.birthday, "15.04.")
	test.Type(form.rhythm, "90")
	test.Type(form.tags, "Messe Basel 2026, VIP")
	form.segment.SetText(segmentText(model.SegmentKey))
	test.Tap(form.save)

	if n := f.db.Directory().Len(); n != 0 {
		t.Fatalf("got %d customers after saving an invalid form, want 0", n)
	}
	msg := form.emails[0].err
	want := lang.X("validation.email", "")
	if !msg.Visible() || msg.Text != want {
		t.Fatalf("email message visible=%v %q, want visible %q", msg.Visible(), msg.Text, want)
	}
	if form.errs["website"].Visible() {
		t.Fatalf("website message shown for a valid (empty) website")
	}

	form.emails[0].value.SetText("")
	test.Type(form.emails[0].value, "hans.mueller@holzbau.ch")
	test.Tap(form.save)
	if msg.Visible() {
		t.Fatalf("email message still shown after the fix: %q", msg.Text)
	}
	if n := f.db.Directory().Len(); n != 1 {
		t.Fatalf("got %d customers after saving, want 1", n)
	}
	id := f.ui.customer.currentID()
	c, err := f.db.Customer(id)
	if err != nil {
		t.Fatalf("stored customer: %v", err)
	}
	if c.FamilyName != "Müller" || c.PrimaryEmail() != "hans.mueller@holzbau.ch" || c.PrimaryPhone() != "+41 61 555 12 34" {
		t.Errorf("got %q %q %q, want Müller, the fixed email and the phone", c.FamilyName, c.PrimaryEmail(), c.PrimaryPhone())
	}
	if got, want := c.Birthday, (model.Date{Month: 4, Day: 15}); got != want {
		t.Errorf("got birthday %v, want %v", got, want)
	}
	if c.RhythmDays != 90 || c.Segment != model.SegmentKey || len(c.Tags) != 2 || c.LetterForm != model.FormSie {
		t.Errorf("got rhythm %d segment %q tags %q letter %q, want 90, key, two tags, sie", c.RhythmDays, c.Segment, c.Tags, c.LetterForm)
	}
	if f.ui.customer.tabs.Selected() != f.ui.customer.viewTab {
		t.Errorf("after saving the screen shows %q, want the timeline", f.ui.customer.tabs.Selected().Text)
	}
}

func TestFormMapsErrorsToTheRowsThatHoldThem(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	f.shortcut(shortcutNewCustomer)
	form := f.ui.customer.form
	test.Type(form.family, "Brunner")
	form.addEmail(model.Email{Label: model.LabelHome})
	// Row 0 stays empty and is skipped, so the model's emails[0] is row 1.
	test.Type(form.emails[1].value, "kein-at-zeichen")
	test.Type(form.since, "31.02.2020")
	test.Tap(form.save)
	if form.emails[0].err.Visible() {
		t.Errorf("empty row 0 shows %q, want no message", form.emails[0].err.Text)
	}
	if !form.emails[1].err.Visible() {
		t.Errorf("row 1 shows no message, want the email message")
	}
	if !form.errs["since"].Visible() {
		t.Errorf("impossible date accepted without a message")
	}
	if n := f.db.Directory().Len(); n != 0 {
		t.Fatalf("got %d customers, want 0", n)
	}
}

func TestSearchIgnoresAccents(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	mueller := f.customer(model.Customer{GivenName: "Hans", FamilyName: "Müller", Addresses: []model.Address{{City: "Zürich"}}})
	f.customer(model.Customer{GivenName: "Anna", FamilyName: "Meier"})
	f.customer(model.Customer{Company: "Bäckerei Süss"})
	s := f.ui.customers
	shellEventually(t, "three rows", func() bool { return s.rows.Length() == 3 })

	for _, tc := range []struct {
		name, query string
		async       bool
		want        []string
	}{
		{"transliterated umlaut", "Mueller", false, []string{"Hans Müller"}},
		{"plain vowel", "muller", false, []string{"Hans Müller"}},
		{"city without accent", "zurich", false, []string{"Hans Müller"}},
		{"sharp s", "suess", false, []string{"Bäckerei Süss"}},
		{"no match", "Xaver", false, nil},
		{"async path", "Mueller", true, []string{"Hans Müller"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.asyncAbove = 20000
			if tc.async {
				s.asyncAbove = 0
			}
			s.search.SetText("")
			test.Type(s.search, tc.query)
			var got []string
			wantCount := lang.XN("customers.count", "", len(tc.want), map[string]any{"Count": formatCount(len(tc.want))})
			// The async path sets rows, then count and hint: wait for all.
			shellEventually(t, "search result", func() bool {
				got = got[:0]
				for _, r := range s.rows.rows {
					got = append(got, r.Summary().Name)
				}
				return strings.Join(got, "|") == strings.Join(tc.want, "|") && s.count.Text == wantCount && s.empty.Visible() == (len(tc.want) == 0)
			})
			if s.count.Text != wantCount {
				t.Errorf("got count %q, want %q", s.count.Text, wantCount)
			}
			if s.empty.Visible() != (len(tc.want) == 0) {
				t.Errorf("empty hint visible=%v with %d rows", s.empty.Visible(), len(tc.want))
			}
		})
	}
	s.asyncAbove = 20000
	s.search.SetText("")
	test.Type(s.search, "Mueller")
	s.list.Select(0)
	if got := f.ui.customer.currentID(); got != mueller {
		t.Fatalf("selecting the row opened %v, want %v", got, mueller)
	}
}

func TestComplaintNoteAppearsInTimeline(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	id := f.customer(model.Customer{GivenName: "Beat", FamilyName: "Schnyder", RhythmDays: 30})
	f.ui.env.setSettings(model.Settings{UserName: "Anna Beispiel"})
	f.ui.env.openCustomer(id)
	cs := f.ui.customer
	test.Tap(cs.noteBtn)
	nf := cs.note
	if nf == nil {
		t.Fatalf("note button opened no form")
	}
	if nf.by.Text != "Anna Beispiel" {
		t.Errorf("got author %q, want the user name from the settings", nf.by.Text)
	}
	nf.kind.SetSelected(noteKindText(model.NoteComplaint))
	nf.impression.SetSelected(impressionText(model.Negative))
	test.Tap(nf.save)
	if !nf.errs["text"].Visible() {
		t.Fatalf("empty note saved or no message shown")
	}
	test.Type(nf.text, "Lieferung kam beschädigt an")
	test.Tap(nf.save)
	if nf.errs["text"].Visible() {
		t.Fatalf("message still shown: %q", nf.errs["text"].Text)
	}
	entries := cs.timeline.entries
	if len(entries) != 1 || entries[0].note == nil {
		t.Fatalf("got %d timeline entries, want the note", len(entries))
	}
	n := entries[0].note
	if n.Kind != model.NoteComplaint || n.Impression != model.Negative || n.By != "Anna Beispiel" || n.Text != "Lieferung kam beschädigt an" {
		t.Errorf("got %+v, want the complaint as typed", n)
	}
	row := newTimelineRow()
	row.set(entries[0])
	if !strings.Contains(row.head.Text, noteKindText(model.NoteComplaint)) {
		t.Errorf("got row head %q, want the complaint kind", row.head.Text)
	}
	if !strings.Contains(cs.facts.Text, lang.X("customer.open_complaint", "")) {
		t.Errorf("header %q does not flag the open complaint", cs.facts.Text)
	}
	if rows := f.ui.customers.rows.rows; len(rows) != 1 || !rows[0].Summary().OpenComplaint {
		t.Errorf("customers list does not flag the complaint")
	}

	// Editing stores a new version that replaces the old one.
	nf2 := showNoteForm(f.ui.env, id, n)
	nf2.text.SetText("Lieferung kam beschädigt an; Ersatz geschickt")
	test.Tap(nf2.save)
	entries = cs.timeline.entries
	if len(entries) != 1 || entries[0].note.Text != "Lieferung kam beschädigt an; Ersatz geschickt" || entries[0].note.Replaces != n.ID {
		t.Fatalf("after revising got %d entries, want one revised note replacing the first", len(entries))
	}
}

func TestDeleteAndUndo(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	id := f.customer(model.Customer{GivenName: "Erika", FamilyName: "Moser"})
	if err := f.db.AddNote(&model.Note{CustomerID: id, At: shellNow, Kind: model.NoteCall, Text: "Anruf"}); err != nil {
		t.Fatal(err)
	}
	f.ui.env.openCustomer(id)
	cs := f.ui.customer
	cs.delItem.Action()
	test.Tap(overlayButton(t, f.ui.Window().Canvas(), "Delete"))
	if n := f.db.Directory().Len(); n != 0 {
		t.Fatalf("got %d customers after delete, want 0", n)
	}
	if !cs.undoBar.Visible() || cs.currentID() != model.NilID {
		t.Fatalf("after delete: undo bar visible=%v, current %v; want the bar and no customer", cs.undoBar.Visible(), cs.currentID())
	}
	shellEventually(t, "list without the deleted customer", func() bool { return f.ui.customers.rows.Length() == 0 })

	test.Tap(cs.undo)
	if n := f.db.Directory().Len(); n != 1 {
		t.Fatalf("got %d customers after undo, want 1", n)
	}
	if cs.undoBar.Visible() || cs.currentID() != id {
		t.Fatalf("after undo: bar visible=%v current %v, want hidden and %v", cs.undoBar.Visible(), cs.currentID(), id)
	}
	if len(cs.timeline.entries) != 1 {
		t.Fatalf("got %d timeline entries after undo, want the note back", len(cs.timeline.entries))
	}
	shellEventually(t, "list with the restored customer", func() bool { return f.ui.customers.rows.Length() == 1 })
}

func TestCustomerExportHoldsEverything(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	id := f.customer(model.Customer{GivenName: "Lara", FamilyName: "Gerber", Emails: []model.Email{{Address: "lara@gerber.ch"}}})
	for _, txt := range []string{"Besuch", "Anruf"} {
		if err := f.db.AddNote(&model.Note{CustomerID: id, At: shellNow, Kind: model.NoteVisit, Text: txt}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.db.CreateFollowUp(&model.FollowUp{CustomerID: id, Due: shellNow.AddDate(0, 0, 7), Title: "Offerte nachfassen"}); err != nil {
		t.Fatal(err)
	}
	tl, err := f.db.Timeline(id)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeCustomerExport(&buf, tl, shellNow); err != nil {
		t.Fatalf("export: %v", err)
	}
	var got customerExport
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if got.Customer.ID != id || got.Customer.PrimaryEmail() != "lara@gerber.ch" || len(got.Notes) != 2 || len(got.FollowUps) != 1 {
		t.Fatalf("got customer %v, %d notes, %d follow-ups; want the customer, 2, 1", got.Customer.ID, len(got.Notes), len(got.FollowUps))
	}
	if got, want := exportFileName(`Gerber/Lara: "AG"`), `Gerber_Lara_ _AG_.json`; got != want {
		t.Errorf("got file name %q, want %q", got, want)
	}
}

func TestMergedCustomerShowsOnTheSurvivorWithUndo(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	keep := f.customer(model.Customer{GivenName: "Ruth", FamilyName: "Egli", Emails: []model.Email{{Address: "ruth@egli.ch"}}})
	dup := f.customer(model.Customer{GivenName: "Ruth", FamilyName: "Egli-Graf", Emails: []model.Email{{Address: "ruth@egli.ch"}}})
	if err := f.db.AddNote(&model.Note{CustomerID: dup, At: shellNow, Kind: model.NoteFair, Text: "Messe"}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.MergeCustomers(keep, dup); err != nil {
		t.Fatal(err)
	}
	f.ui.env.openCustomer(dup) // an old link to the duplicate opens the survivor
	cs := f.ui.customer
	if cs.currentID() != keep || len(cs.timeline.entries) != 1 {
		t.Fatalf("opened %v with %d entries, want the survivor with the duplicate's note", cs.currentID(), len(cs.timeline.entries))
	}
	if len(cs.merged.Objects) != 1 {
		t.Fatalf("header lists %d merges, want 1", len(cs.merged.Objects))
	}
	var undo *widget.Button
	for _, o := range test.LaidOutObjects(cs.merged) {
		if b, ok := o.(*widget.Button); ok {
			undo = b
		}
	}
	if undo == nil {
		t.Fatal("no undo button beside the merge")
	}
	test.Tap(undo)
	if _, ok := f.db.Directory().Summary(dup); !ok {
		t.Fatal("undo did not bring the duplicate back")
	}
	if len(cs.merged.Objects) != 0 || len(cs.timeline.entries) != 0 {
		t.Errorf("after undo: %d merges, %d entries on the survivor; want none", len(cs.merged.Objects), len(cs.timeline.entries))
	}
}

// TestFormEditsNamePartsAndDepartment: title, name suffix and department
// are fields of their own in the form, stored apart from the salutation,
// the names and the company; fields the form does not show (an address's
// vCard item group) survive an edit.
func TestFormEditsNamePartsAndDepartment(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	f.shortcut(shortcutNewCustomer)
	form := f.ui.customer.form
	form.salutation.SetText("Frau")
	test.Type(form.namePrefix, "Prof. Dr.")
	test.Type(form.given, "Anna")
	test.Type(form.family, "Huber")
	test.Type(form.nameSuffix, "MBA")
	test.Type(form.company, "Universität Bern")
	test.Type(form.department, "Institut für Informatik")
	test.Tap(form.save)
	c, err := f.db.Customer(f.ui.customer.currentID())
	if err != nil {
		t.Fatalf("stored customer: %v", err)
	}
	got := []string{c.Salutation, c.NamePrefix, c.GivenName, c.FamilyName, c.NameSuffix, c.Company, c.Department}
	want := []string{"Frau", "Prof. Dr.", "Anna", "Huber", "MBA", "Universität Bern", "Institut für Informatik"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}

	c.Addresses = []model.Address{{Label: "Ferienhaus", Street: "Seeweg 1", City: "Zug", Group: "item2"}}
	form.load(*c)
	if form.namePrefix.Text != "Prof. Dr." || form.nameSuffix.Text != "MBA" || form.department.Text != "Institut für Informatik" {
		t.Errorf("form shows %q %q %q, want the stored title, suffix and department", form.namePrefix.Text, form.nameSuffix.Text, form.department.Text)
	}
	form.department.SetText("Rektorat")
	read, bad := form.read()
	if len(bad) != 0 {
		t.Fatalf("got field errors %v", bad)
	}
	if read.Department != "Rektorat" || read.NamePrefix != "Prof. Dr." || len(read.Addresses) != 1 || read.Addresses[0].Group != "item2" {
		t.Errorf("got department %q prefix %q addresses %+v, want Rektorat, Prof. Dr. and the address in item2", read.Department, read.NamePrefix, read.Addresses)
	}
}
