package app

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/transfer"
)

// withPrefs gives the fixture's env the test app's preferences, with the
// folder saved to last set to dir.
func withPrefs(f *careFixture, dir string) {
	f.e.prefs = fyne.CurrentApp().Preferences()
	f.e.prefs.SetString(prefSaveDir, dir)
	f.e.prefs.SetString(prefExportFormat, "")
}

func TestSavePathProblem(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "da.txt")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       string // key of the message, "" for none
	}{
		{"writable", filepath.Join(dir, "kunden.vcf"), ""},
		{"existing file (asked later)", file, ""},
		{"empty", "", "care2.save.empty"},
		{"a folder", dir, "care2.save.isdir"},
		{"missing folder", filepath.Join(dir, "gibtsnicht", "kunden.vcf"), "care2.save.nodir"},
		{"a file as folder", filepath.Join(file, "kunden.vcf"), "care2.save.nodir"},
	}
	if runtime.GOOS == "linux" {
		// Not even root may create files in /proc.
		tests = append(tests, struct{ name, path, want string }{"read-only folder", "/proc/kunden.vcf", "care2.save.readonly"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := map[string]any{"Path": tt.path, "Folder": filepath.Dir(tt.path)}
			want := ""
			if tt.want != "" {
				want = lang.X(tt.want, "", data)
			}
			if got := savePathProblem(tt.path); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".kundenkartei-*")); len(left) != 0 {
		t.Errorf("probe files left behind: %v", left)
	}
}

func TestSavePathTakesTypedPaths(t *testing.T) {
	f := newCareFixture(t)
	last := t.TempDir()
	withPrefs(f, last)
	p := newSavePath(f.e, "kunden.vcf")
	if got, want := p.path(), filepath.Join(last, "kunden.vcf"); got != want {
		t.Errorf("proposed: got %q, want the folder used last %q", got, want)
	}
	p.entry.SetText("export.vcf")
	if got, want := p.path(), filepath.Join(last, "export.vcf"); got != want {
		t.Errorf("bare name: got %q, want %q", got, want)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home folder")
	}
	p.entry.SetText("~/Kunden/export.vcf")
	if got, want := p.path(), filepath.Join(home, "Kunden", "export.vcf"); got != want {
		t.Errorf("~ path: got %q, want %q", got, want)
	}
	other := t.TempDir()
	p.entry.SetText(filepath.Join(other, "x.vcf"))
	if _, ok := p.check(); !ok {
		t.Fatalf("writable typed path refused: %q", p.problem.Text)
	}
	if got := f.e.prefs.String(prefSaveDir); got != other {
		t.Errorf("remembered folder: got %q, want %q", got, other)
	}
}

func TestExportDialogRemembersFormatProposesNamesAndTakesARange(t *testing.T) {
	f := newCareFixture(t)
	dir := t.TempDir()
	withPrefs(f, dir)
	c := f.customer(model.Customer{GivenName: "Hans", FamilyName: "Müller"})
	for _, due := range []time.Time{time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC)} {
		if err := f.db.CreateFollowUp(&model.FollowUp{CustomerID: c.ID, Due: due, TZ: "Europe/Zurich",
			Title: "Termin " + due.Format("01-02"), Status: model.FollowUpOpen}); err != nil {
			t.Fatal(err)
		}
	}

	d := newExportDialog(f.e)
	if d.selected() != transfer.FormatVCard || !d.dates.Hidden {
		t.Fatalf("first export: format %q, dates hidden %v; want vCard without dates", d.selected(), d.dates.Hidden)
	}
	d.format.SetSelectedIndex(slices.Index(transfer.Formats, transfer.FormatICS))
	if got, want := d.path.path(), filepath.Join(dir, exportFileNameFor(transfer.FormatICS)); got != want {
		t.Errorf("calendar file: got %q, want %q", got, want)
	}
	if !strings.HasSuffix(exportFileNameFor(transfer.FormatICS), ".ics") || exportFileNameFor(transfer.FormatICS) == exportFileNameFor(transfer.FormatVCard) {
		t.Errorf("calendar proposed as %q, want its own .ics name", exportFileNameFor(transfer.FormatICS))
	}
	if d.dates.Hidden {
		t.Error("calendar export: no date range")
	}

	var gotFormat, gotPath string
	var gotSel transfer.Selection
	d.run = func(format string, sel transfer.Selection, path string) {
		gotFormat, gotSel, gotPath = format, sel, path
	}
	test.Type(d.from, "2026-12-01")
	test.Type(d.to, "2026-11-01")
	d.onStart()
	if gotPath != "" || !d.problem.Visible() {
		t.Fatalf("end before start: exported %q, message %v; want the message", gotPath, d.problem.Visible())
	}
	d.to.SetText("2026-12-31")
	d.onStart()
	zurich, _ := time.LoadLocation("Europe/Zurich")
	if gotFormat != transfer.FormatICS || gotPath != filepath.Join(dir, exportFileNameFor(transfer.FormatICS)) ||
		!gotSel.From.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, zurich)) || !gotSel.To.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, zurich)) {
		t.Fatalf("export: got %q %q %v–%v, want the calendar for December", gotFormat, gotPath, gotSel.From, gotSel.To)
	}
	done := make(chan struct{}, 1)
	var n int
	runExport(f.e, gotFormat, gotSel, gotPath, func(count int, err error) {
		if err != nil {
			t.Errorf("export: %v", err)
		}
		n = count
		done <- struct{}{}
	})
	waitDone(t, done)
	data, _ := os.ReadFile(gotPath)
	if n != 1 || !strings.Contains(string(data), "Termin 12-10") || strings.Contains(string(data), "Termin 11-30") {
		t.Errorf("December calendar: %d events, content has Dec %v, Nov %v; want only December's",
			n, strings.Contains(string(data), "Termin 12-10"), strings.Contains(string(data), "Termin 11-30"))
	}

	// The next export starts with the calendar again; a name the user
	// typed survives a change of format.
	d2 := newExportDialog(f.e)
	if d2.selected() != transfer.FormatICS {
		t.Errorf("second export: format %q, want the calendar remembered", d2.selected())
	}
	d2.path.setFileName("meine.ics")
	d2.format.SetSelectedIndex(0)
	if got := filepath.Base(d2.path.path()); got != "meine.ics" {
		t.Errorf("typed name after a format change: got %q, want it kept", got)
	}
}

func TestExportDialogRefusesUnwritablePathInWords(t *testing.T) {
	f := newCareFixture(t)
	withPrefs(f, t.TempDir())
	f.customer(model.Customer{GivenName: "Hans", FamilyName: "Müller"})
	d := showExport(f.e)
	ran := false
	d.run = func(string, transfer.Selection, string) { ran = true }
	d.path.entry.SetText(filepath.Join(t.TempDir(), "fehlt", "kunden.vcf"))
	d.path.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if ran || !d.path.problem.Visible() || !strings.Contains(d.path.problem.Text, "fehlt") {
		t.Fatalf("missing folder: ran %v, message %q; want no export and a message naming the folder", ran, d.path.problem.Text)
	}
	if f.win.Canvas().Overlays().Top() == nil {
		t.Error("the dialog closed; want it open to correct the path")
	}
}

func TestSaveDialogAsksBeforeReplacing(t *testing.T) {
	f := newCareFixture(t)
	dir := t.TempDir()
	withPrefs(f, dir)
	existing := filepath.Join(dir, "Hans Müller.json")
	if err := os.WriteFile(existing, []byte("alt"), 0o600); err != nil {
		t.Fatal(err)
	}
	var saved string
	d := showSaveDialog(f.e, "Daten speichern", "Hans Müller.json", func(p string) { saved = p })
	test.Tap(d.save)
	if saved != "" {
		t.Fatal("replaced an existing file without asking")
	}
	c := f.win.Canvas()
	test.Tap(overlayButton(t, c, lang.X("care2.save.exists.replace", "Replace")))
	if saved != existing {
		t.Fatalf("after confirming: saved to %q, want %q", saved, existing)
	}
	if err := writeNewFile(saved, func(w io.WriteCloser) error {
		_, err := w.Write([]byte("neu"))
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(saved)
	if err != nil || st.Size() != 3 {
		t.Fatalf("file after writing: %v, %v", st, err)
	}
	// A new file holds personal data: only its owner reads it.
	fresh := filepath.Join(dir, "neu.json")
	if err := writeNewFile(fresh, func(w io.WriteCloser) error { return w.Close() }); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(fresh); runtime.GOOS != "windows" && (err != nil || st.Mode().Perm() != 0o600) {
		t.Errorf("new file: mode %v, %v; want 0600", st.Mode().Perm(), err)
	}
}

// TestCustomerExportSavesToTypedPath: the customer's data export takes a
// typed path; an unwritable one is refused in words, not with "something
// went wrong … restore a backup".
func TestCustomerExportSavesToTypedPath(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	id := f.customer(model.Customer{GivenName: "Beat", FamilyName: "Schnyder"})
	f.ui.env.openCustomer(id)
	f.ui.customer.onExport()
	c := f.ui.Window().Canvas()
	en, ok := c.Focused().(*escEntry)
	if !ok {
		t.Fatalf("export: focus on %T, want the path field", c.Focused())
	}
	if got := filepath.Base(en.Text); got != "Beat Schnyder.json" {
		t.Errorf("proposed file: got %q, want %q", got, "Beat Schnyder.json")
	}
	en.SetText("/proc/beat.json")
	en.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if runtime.GOOS == "linux" && c.Focused() != en {
		t.Fatal("unwritable folder: the dialog moved on")
	}
	path := filepath.Join(t.TempDir(), "beat.json")
	en.SetText(path)
	en.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	shellEventually(t, "the export file", func() bool {
		data, err := os.ReadFile(path)
		return err == nil && strings.Contains(string(data), "Schnyder")
	})
}

// An export that fails halfway leaves the file it was to replace as it
// was, and no temporary file behind.
func TestWriteNewFileFailingKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kunde.json")
	if err := os.WriteFile(path, []byte("alt"), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := errors.New("disk full")
	err := writeNewFile(path, func(w io.WriteCloser) error {
		if _, err := w.Write([]byte("teil")); err != nil {
			return err
		}
		return broken
	})
	if !errors.Is(err, broken) {
		t.Fatalf("got %v, want the write's error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "alt" {
		t.Errorf("file after a failed export: got %q, want %q", got, "alt")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("got %d files in the folder, want only the old one", len(entries))
	}
}
