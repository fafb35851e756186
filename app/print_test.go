package app

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

// printedText waits for the PDF handed to the viewer and returns its text
// as poppler's pdftotext reads it (skipped without poppler-utils unless
// PDF_REQUIRE_TOOLS=1).
func printedText(t *testing.T, opened <-chan *url.URL) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("PDF_REQUIRE_TOOLS") == "1" {
			t.Fatalf("pdftotext: %v (apt-get install -y poppler-utils)", err)
		}
		t.Skipf("pdftotext: %v (apt-get install -y poppler-utils)", err)
	}
	var u *url.URL
	select {
	case u = <-opened:
	case <-time.After(10 * time.Second):
		t.Fatal("no PDF was opened")
	}
	if u.Scheme != "file" || !strings.HasSuffix(u.Path, ".pdf") {
		t.Fatalf("opened %v, want a file:// URL of a PDF", u)
	}
	t.Cleanup(func() { os.Remove(u.Path) })
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", u.Path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", u.Path, err)
	}
	return string(out)
}

// withLanguage loads code's translations for the test and the system's
// language again after it.
func withLanguage(t *testing.T, code string) {
	t.Helper()
	restore := "en"
	if strings.HasPrefix(lang.SystemLocale().LanguageString(), "de") {
		restore = "de"
	}
	t.Cleanup(func() {
		if err := LoadTranslationsFor(restore); err != nil {
			t.Errorf("restore %s: %v", restore, err)
		}
	})
	if err := LoadTranslationsFor(code); err != nil {
		t.Fatal(err)
	}
}

func TestPrintCustomerSheet(t *testing.T) {
	for _, tc := range []struct {
		code string
		want []string
	}{
		{"de", []string{"Offene Beschwerde", "Offene Nachfassaktionen", "Aktive Treuegesten", "Letzte Notizen", "Gedruckt am"}},
		{"en", []string{"Open complaint", "Open follow-ups", "Active gestures", "Latest notes", "Printed on"}},
	} {
		t.Run(tc.code, func(t *testing.T) {
			withLanguage(t, tc.code)
			var id model.ID
			f := newShellFixture(t, Options{}, func(db *storage.DB) {
				c := model.Customer{GivenName: "Jörg", FamilyName: "Weiß", Company: "Łódź Süßwaren", Phones: []model.Phone{{Number: "+41 44 123 45 67"}}}
				if err := db.CreateCustomer(&c); err != nil {
					t.Fatal(err)
				}
				id = c.ID
				for _, n := range []model.Note{
					{CustomerID: id, At: shellNow.AddDate(0, 0, -3), Kind: model.NoteVisit, Text: "Prüft neue Maße für die Öfen"},
					{CustomerID: id, At: shellNow.AddDate(0, 0, -1), Kind: model.NoteComplaint, Text: "Rechnung über € 120 doppelt", Impression: model.Negative},
				} {
					if err := db.AddNote(&n); err != nil {
						t.Fatal(err)
					}
				}
				fu := model.FollowUp{CustomerID: id, Due: shellNow.AddDate(0, 0, 2), Title: "Gutschrift bestätigen", Status: model.FollowUpOpen}
				if err := db.CreateFollowUp(&fu); err != nil {
					t.Fatal(err)
				}
				g := model.Gesture{CustomerID: id, Kind: model.GestureGift, Title: "Pralinés zum Jubiläum", Status: model.GestureOffered}
				if err := db.CreateGesture(&g); err != nil {
					t.Fatal(err)
				}
			})
			opened := make(chan *url.URL, 1)
			f.ui.env.openURL = func(u *url.URL) error { opened <- u; return nil }
			f.ui.customer.show(id)
			if f.ui.customer.moreBtn.Disabled() {
				t.Fatal("More (with Print) is disabled on a stored customer")
			}
			f.ui.customer.printItem.Action()
			text := printedText(t, opened)
			for _, want := range append(tc.want, "Jörg Weiß", "Łódź Süßwaren", "+41 44 123 45 67", "Prüft neue Maße für die Öfen",
				"Rechnung über € 120 doppelt", "Gutschrift bestätigen", "Pralinés zum Jubiläum", noteKindText(model.NoteVisit)) {
				if !strings.Contains(text, want) {
					t.Errorf("sheet lacks %q:\n%s", want, text)
				}
			}
		})
	}
}

func TestPrintToday(t *testing.T) {
	f := newCareFixture(t)
	for i := 0; i < 3; i++ {
		c := f.customer(model.Customer{GivenName: "Kundin", FamilyName: fmt.Sprintf("Größer %d", i), RhythmDays: 30})
		n := model.Note{CustomerID: c.ID, At: careNow.AddDate(0, 0, -40-i), Kind: model.NoteCall, Text: "x"}
		if err := f.db.AddNote(&n); err != nil {
			t.Fatal(err)
		}
	}
	opened := make(chan *url.URL, 1)
	f.e.openURL = func(u *url.URL) error { opened <- u; return nil }
	s := newTodayScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	s.onPrint()
	text := printedText(t, opened)
	for _, want := range []string{s.heading.Text, s.due.title, "Kundin Größer 0", "Kundin Größer 2", s.due.rows.row(0).detail,
		s.complaints.title, s.complaints.hint.Text} {
		if !strings.Contains(text, want) {
			t.Errorf("today list lacks %q:\n%s", want, text)
		}
	}
}

// TestPrintOpenFails: when the viewer cannot be started the user learns
// where the PDF is.
func TestPrintOpenFails(t *testing.T) {
	var id model.ID
	f := newShellFixture(t, Options{}, func(db *storage.DB) {
		c := model.Customer{GivenName: "Ida", FamilyName: "Ohnedrucker"}
		if err := db.CreateCustomer(&c); err != nil {
			t.Fatal(err)
		}
		id = c.ID
	})
	f.ui.env.openURL = func(*url.URL) error { return errors.New("no viewer") }
	f.ui.customer.show(id)
	f.ui.customer.printItem.Action()
	shellEventually(t, "the message", func() bool { return f.ui.Window().Canvas().Overlays().Top() != nil })
	var text string
	for _, o := range test.LaidOutObjects(f.ui.Window().Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, ".pdf") {
			text = l.Text
		}
	}
	if !strings.Contains(text, "no viewer") || !strings.Contains(text, "Ida-Ohnedrucker-") || !strings.Contains(text, ".pdf") {
		t.Errorf("message: got %q, want the error and the PDF's path", text)
	}
	// The PDF is there, complete.
	path := strings.TrimSpace(text[strings.LastIndex(text, "\n")+1:])
	data, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(data), "%PDF-") || !strings.Contains(string(data), "%%EOF") {
		t.Errorf("the named file %q: %v, %d bytes", path, err, len(data))
	}
	os.Remove(path)
}

func TestPrintURL(t *testing.T) {
	tests := []struct{ name, path, want string }{
		{name: "unix", path: "/tmp/kundenkartei-print/Jörg Weiß-1.pdf", want: "file:///tmp/kundenkartei-print/J%C3%B6rg%20Wei%C3%9F-1.pdf"},
		{name: "windows drive", path: "C:/Users/Anna/AppData/Local/Temp/heute.pdf", want: "file:///C:/Users/Anna/AppData/Local/Temp/heute.pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := printURL(tt.path).String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPrintFileName(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "person", in: "Jörg Weiß", want: "Jörg-Weiß"},
		{name: "company with signs", in: "Ammann + Partner AG / Zürich", want: "Ammann-Partner-AG-Zürich"},
		{name: "nothing usable", in: " / + ", want: "kundenkartei"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := printFileName(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
