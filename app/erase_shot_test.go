package app

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

// TestEraseScreenshots writes pictures of the erase dialog and the erased
// log, in German, to the folder KK_SCREENSHOTS names (docs/screenshots);
// without it the test is skipped. It renders with Fyne's software painter.
func TestEraseScreenshots(t *testing.T) {
	dir := os.Getenv("KK_SCREENSHOTS")
	if dir == "" {
		t.Skip("KK_SCREENSHOTS not set")
	}
	if err := LoadTranslationsFor("de"); err != nil {
		t.Fatal(err)
	}
	p := &lazyPrivacy{}
	var id model.ID
	f := newShellFixture(t, Options{Privacy: p}, func(db *storage.DB) {
		p.db = db
		st, err := db.Settings()
		if err != nil {
			t.Fatal(err)
		}
		st.UserName = "Monika Keller"
		if err := db.SaveSettings(st); err != nil {
			t.Fatal(err)
		}
		c := &model.Customer{GivenName: "Lara", FamilyName: "Gerber", Company: "Gerber Gartenbau",
			Emails: []model.Email{{Address: "lara@gerber.ch"}}, Phones: []model.Phone{{Label: "mobile", Number: "+41 79 123 45 67"}}}
		if err := db.CreateCustomer(c); err != nil {
			t.Fatal(err)
		}
		id = c.ID
		if err := db.AddNote(&model.Note{CustomerID: id, At: shellNow, Kind: model.NoteVisit, Text: "Besuch im Laden, möchte Offerte für Gartenpflege"}); err != nil {
			t.Fatal(err)
		}
		other := &model.Customer{GivenName: "Urs", FamilyName: "Imhof", Company: "Imhof Holzbau"}
		if err := db.CreateCustomer(other); err != nil {
			t.Fatal(err)
		}
	})
	w := f.ui.Window()
	w.Resize(fyne.NewSize(1200, 760))
	f.ui.openCustomer(id)
	f.ui.customer.eraseItem.Action()
	test.Type(f.ui.customer.eraser.entry, "Lara Gerber")
	shot(t, w, filepath.Join(dir, "kunde-endgueltig-loeschen.png"))
	test.Tap(f.ui.customer.eraser.erase)
	shellEventually(t, "the erasure", func() bool {
		list, err := f.db.Erasures()
		return err == nil && len(list) == 1
	})
	shellEventually(t, "the erased log", func() bool { return len(f.ui.settingsView.erased.rows.Objects) == 1 })
	var ok *widget.Button
	shellEventually(t, "the confirmation", func() bool {
		for _, o := range w.Canvas().Overlays().List() {
			for _, c := range test.LaidOutObjects(o) {
				if b, isButton := c.(*widget.Button); isButton && b.Text == "OK" && b.Visible() {
					ok = b
				}
			}
		}
		return ok != nil
	})
	test.Tap(ok)
	f.ui.tabs.SelectIndex(len(f.ui.tabs.Items) - 1)
	for _, o := range test.LaidOutObjects(w.Content()) {
		if sc, ok := o.(*container.Scroll); ok && sc.Direction == container.ScrollVerticalOnly {
			sc.ScrollToBottom()
		}
	}
	shot(t, w, filepath.Join(dir, "einstellungen-geloescht.png"))
}

func shot(t *testing.T, w fyne.Window, path string) {
	t.Helper()
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := png.Encode(out, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}
