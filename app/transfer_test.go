package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/transfer"
	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

const wizardCards = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Hans;;;\r\nFN:Hans Müller\r\nORG:Müller Haustechnik AG\r\nEMAIL:hans@mueller-haustechnik.ch\r\nEND:VCARD\r\n" +
	"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Weiß;Bärbel;;;\r\nFN:Bärbel Weiß\r\nEMAIL:baerbel@example.de\r\nEND:VCARD\r\n" +
	"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Ohne;Adresse;;;\r\nFN:Adresse Ohne\r\nEMAIL:kaputt@\r\nkaputte Zeile ohne Doppelpunkt\r\nEND:VCARD\r\n"

// waitDone waits for a wizard step's done callback.
func waitDone(t *testing.T, ch chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(20 * time.Second):
		t.Fatal("wizard step did not finish")
	}
}

func TestImportWizardPreviewAndImport(t *testing.T) {
	f := newCareFixture(t)
	path := filepath.Join(t.TempDir(), "kontakte.vcf")
	if err := os.WriteFile(path, []byte(wizardCards), 0o600); err != nil {
		t.Fatal(err)
	}
	f.customer(model.Customer{GivenName: "Bärbel", FamilyName: "Weiß", Emails: []model.Email{{Address: "baerbel@example.de"}}})

	w := newImportWizard(f.e)
	w.build()
	done := make(chan struct{}, 1)
	w.preview(path, func() { done <- struct{}{} })
	waitDone(t, done)
	if got := w.counts.Text; !strings.Contains(got, "1 new") || !strings.Contains(got, "1 already known") || !strings.Contains(got, "1 with problems") {
		t.Fatalf("counts: got %q", got)
	}
	if !strings.Contains(w.problems.Text, "kontakte.vcf, contact 3, line") {
		t.Fatalf("problems must name file, contact and line: %q", w.problems.Text)
	}
	if w.start.Disabled() {
		t.Fatal("import button disabled after the preview")
	}
	w.apply(func() { done <- struct{}{} })
	waitDone(t, done)
	if w.result == nil || w.result.Added != 1 {
		t.Fatalf("result: %+v (%s)", w.result, w.status.Text)
	}
	if n := f.db.Directory().Len(); n != 2 {
		t.Fatalf("customers after import: got %d, want 2", n)
	}
	if bs, _ := f.db.Backups(); len(bs) == 0 || bs[0].Reason != "import" {
		t.Fatalf("no backup before the import: %+v", bs)
	}

	// The same file again adds nothing.
	again := newImportWizard(f.e)
	again.build()
	again.preview(path, func() { done <- struct{}{} })
	waitDone(t, done)
	again.apply(func() { done <- struct{}{} })
	waitDone(t, done)
	if again.result.Added != 0 || f.db.Directory().Len() != 2 {
		t.Fatalf("second import added %d", again.result.Added)
	}
}

func TestImportWizardChoices(t *testing.T) {
	f := newCareFixture(t)
	w := newImportWizard(f.e)
	w.matching.SetSelected(actionText(vcard.Overwrite))
	w.newCards.SetSelected(actionText(vcard.Skip))
	ch := w.choices()
	if ch.Matching != vcard.Overwrite || ch.New != vcard.Skip || ch.Problem != vcard.Skip {
		t.Fatalf("choices: %+v", ch)
	}
}

// TestImportWizardAddAsNew: the preview lists each matched card with the
// stored customer and why; ticking "Add as new" on one row imports that
// card as a new customer while the other still fills its match.
func TestImportWizardAddAsNew(t *testing.T) {
	f := newCareFixture(t)
	peter := f.customer(model.Customer{GivenName: "Peter", FamilyName: "Meier", Emails: []model.Email{{Address: "peter@muster.ch"}}})
	f.customer(model.Customer{GivenName: "Anna", FamilyName: "Huber", Emails: []model.Email{{Address: "anna@muster.ch"}}})
	path := filepath.Join(t.TempDir(), "kontakte.vcf")
	in := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Meier;Peter;;;\r\nEMAIL:peter@muster.ch\r\nTEL:+41 44 123 45 67\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Huber;Anna;;;\r\nEMAIL:anna@muster.ch\r\nEND:VCARD\r\n"
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	w := newImportWizard(f.e)
	w.build()
	done := make(chan struct{}, 1)
	w.preview(path, func() { done <- struct{}{} })
	waitDone(t, done)
	if got := w.known.Length(); got != 2 {
		t.Fatalf("got %d matched rows, want 2", got)
	}
	row := w.known.CreateItem().(*matchRow)
	w.known.UpdateItem(0, row)
	if want := `Contact 1 (line 1) “Peter Meier” → “Peter Meier”: same email peter@muster.ch`; row.text.Text != want {
		t.Errorf("row 1: got %q, want %q", row.text.Text, want)
	}
	w.known.UpdateItem(1, row)
	test.Tap(row.asNew)
	if !row.asNew.Checked {
		t.Fatal("tapping the toggle did not tick it")
	}
	// A recycled row shows each entry's own state.
	w.known.UpdateItem(0, row)
	if row.asNew.Checked {
		t.Error("row 1 shows row 2's toggle")
	}
	w.known.UpdateItem(1, row)
	if !row.asNew.Checked {
		t.Error("row 2 lost its toggle")
	}
	if got := w.choices().PerCard; len(got) != 1 || got[2] != vcard.Add {
		t.Fatalf("got per-card choices %v, want card 2 added as new", got)
	}
	w.apply(func() { done <- struct{}{} })
	waitDone(t, done)
	if w.result == nil || w.result.Added != 1 || w.result.Updated != 1 {
		t.Fatalf("got result %+v (%s), want Anna added as new and Peter's phone filled in", w.result, w.status.Text)
	}
	if n := f.db.Directory().Len(); n != 3 {
		t.Errorf("got %d customers, want 3 (two Annas)", n)
	}
	if w.result.IDs[1] != peter.ID {
		t.Errorf("card 1 went to %v, want Peter %v", w.result.IDs[1], peter.ID)
	}
}

func TestExportWritesFile(t *testing.T) {
	f := newCareFixture(t)
	f.customer(model.Customer{GivenName: "Hans", FamilyName: "Müller", Company: "Müller AG", Tags: []string{"VIP"}})
	f.customer(model.Customer{GivenName: "Reto", FamilyName: "Brändli"})
	dir := t.TempDir()
	done := make(chan struct{}, 1)
	var n int
	var err error
	path := filepath.Join(dir, "vip.vcf")
	runExport(f.e, transfer.FormatVCard, transfer.Selection{Tag: "VIP"}, path, func(count int, e error) {
		n, err = count, e
		done <- struct{}{}
	})
	waitDone(t, done)
	if err != nil || n != 1 {
		t.Fatalf("export: %d, %v", n, err)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "Müller") || strings.Contains(string(data), "Brändli") {
		t.Fatalf("export content: %s", data)
	}
	// Nothing to export: an error and no file.
	f.e.showError = func(error) {}
	empty := filepath.Join(dir, "none.vcf")
	runExport(f.e, transfer.FormatVCard, transfer.Selection{Tag: "gibtsnicht"}, empty, func(count int, e error) {
		err = e
		done <- struct{}{}
	})
	waitDone(t, done)
	if model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("empty export: got %v, want EINVALID", err)
	}
	if _, statErr := os.Stat(empty); !os.IsNotExist(statErr) {
		t.Fatal("empty export left a file")
	}
}

func TestCalendarFileForOneFollowUp(t *testing.T) {
	f := newCareFixture(t)
	c := f.customer(model.Customer{GivenName: "Hans", FamilyName: "Müller", Company: "Müller AG", Phones: []model.Phone{{Number: "+41 79 123 45 67"}}})
	fu := &model.FollowUp{CustomerID: c.ID, Due: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), TZ: "Europe/Zurich", Title: "Offerte nachfassen", Reminder: 15}
	if err := f.db.CreateFollowUp(fu); err != nil {
		t.Fatal(err)
	}
	path, err := calendarFile(f.db, *fu)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	data, _ := os.ReadFile(path)
	for _, want := range []string{"BEGIN:VEVENT", "Offerte nachfassen", "DTSTART;TZID=Europe/Zurich:20261201T090000", "BEGIN:VALARM"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("calendar file lacks %q:\n%s", want, data)
		}
	}
}

func TestSettingsCalendarPathKeepsFileCurrent(t *testing.T) {
	f := newCareFixture(t)
	c := f.customer(model.Customer{GivenName: "Hans", FamilyName: "Müller"})
	path := filepath.Join(t.TempDir(), "wiedervorlagen.ics")
	cs := &calendarSync{e: f.e}
	cs.apply(path)
	defer cs.apply("")
	fu := &model.FollowUp{CustomerID: c.ID, Due: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), TZ: "Europe/Zurich", Title: "Rückruf"}
	if err := f.db.CreateFollowUp(fu); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, _ := os.ReadFile(path)
		if strings.Contains(string(data), "Rückruf") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the calendar file did not pick up the new follow-up: %q", data)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestImportWizardListsNotes: a card whose email is no address imports
// (it is not a problem), and the preview says, translated and once, what
// was not taken over.
func TestImportWizardListsNotes(t *testing.T) {
	f := newCareFixture(t)
	path := filepath.Join(t.TempDir(), "kontakte.vcf")
	in := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Frei;Ursula;;;\r\nEMAIL:kein-email\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Meier;Peter\r\nTEL;WORK:BusinessPhone\r\nTEL;CELL:079 123 45 67\r\nEND:VCARD\r\n"
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	w := newImportWizard(f.e)
	w.build()
	done := make(chan struct{}, 1)
	w.preview(path, func() { done <- struct{}{} })
	waitDone(t, done)
	for _, want := range []string{
		"kontakte.vcf, contact 1, line 4: “kein-email” is not an email address; the contact is imported without it",
		"kontakte.vcf, contact 2, line 9: Outlook placeholders for empty phone fields ignored: BusinessPhone",
	} {
		if n := strings.Count(w.notes.Text, want); n != 1 {
			t.Errorf("got notes %q, want %q once", w.notes.Text, want)
		}
	}
	if w.notesTab.Text != "Not taken over (2)" {
		t.Errorf("got tab %q, want %q", w.notesTab.Text, "Not taken over (2)")
	}
	if w.problems.Text != "" {
		t.Errorf("got problems %q, want none: notes are not problems", w.problems.Text)
	}
	if got := w.counts.Text; !strings.Contains(got, "2 new") {
		t.Errorf("got counts %q, want both cards new", got)
	}
}

// TestImportWizardCancel: cancelling while the file is read closes the
// wizard without an error; cancelling while it is saved keeps the wizard
// open, says that what was saved stays, and lets it be closed.
func TestImportWizardCancel(t *testing.T) {
	f := newCareFixture(t)
	var shown []error
	f.e.showError = func(err error) { shown = append(shown, err) }
	path := filepath.Join(t.TempDir(), "kontakte.vcf")
	if err := os.WriteFile(path, []byte(wizardCards), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{}, 1)
	reading := newImportWizard(f.e)
	reading.build()
	reading.preview(path, func() { done <- struct{}{} })
	reading.onCancel()
	waitDone(t, done)
	if len(shown) != 0 || strings.Contains(reading.status.Text, "could not be read") {
		t.Errorf("cancelled reading: got errors %v and status %q, want neither", shown, reading.status.Text)
	}

	w := newImportWizard(f.e)
	w.build()
	w.preview(path, func() { done <- struct{}{} })
	waitDone(t, done)
	w.apply(func() { done <- struct{}{} })
	w.onCancel()
	if !w.close.Disabled() || !strings.Contains(w.status.Text, "Cancelling") {
		t.Errorf("while saving: got status %q, close disabled %v; want the wizard to say it is cancelling", w.status.Text, w.close.Disabled())
	}
	waitDone(t, done)
	if w.status.Text != "Import cancelled. What was saved before stays." {
		t.Errorf("got status %q, want the cancel message", w.status.Text)
	}
	if w.close.Disabled() || w.close.Text != "Close" {
		t.Errorf("got close button %q (disabled %v), want Close, enabled", w.close.Text, w.close.Disabled())
	}
	if n := f.db.Directory().Len(); n != 0 {
		t.Errorf("got %d customers, want none saved before the cancel", n)
	}
	if len(shown) != 0 {
		t.Errorf("got errors %v, want none for a cancel", shown)
	}
}
