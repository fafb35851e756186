package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

// writeVCF writes n distinct cards to path.
func writeVCF(t *testing.T, path string, n int) {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Kunde%d;Anna;;;\r\nFN:Anna Kunde%d\r\nEMAIL:anna%d@example.ch\r\nEND:VCARD\r\n", i, i, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestImportWizardLargeFile: a file of more cards than a plan holds is
// previewed and imported (read twice) with progress to the end.
func TestImportWizardLargeFile(t *testing.T) {
	f := newCareFixture(t)
	path := filepath.Join(t.TempDir(), "gross.vcf")
	n := vcard.KeepCards + 300
	writeVCF(t, path, n)
	w := newImportWizard(f.e)
	w.build()
	done := make(chan struct{}, 1)
	w.preview(path, func() { done <- struct{}{} })
	waitDone(t, done)
	if got, want := w.counts.Text, formatCount(n)+" new"; !strings.HasPrefix(got, want) {
		t.Fatalf("counts: got %q, want %q first", got, want)
	}
	w.apply(func() { done <- struct{}{} })
	waitDone(t, done)
	if w.result == nil || w.result.Added != n || w.progress.Value != 1 {
		t.Fatalf("got %+v, progress %v (%s); want %d added", w.result, w.progress.Value, w.status.Text, n)
	}
	if got := f.db.Directory().Len(); got != n {
		t.Errorf("got %d customers, want %d", got, n)
	}
}

// TestImportWizardSaysWhyAFileCannotBeImported: a picture renamed .vcf,
// and a large file changed between the preview and the import, get a
// message in the wizard that says so, and nothing is imported.
func TestImportWizardSaysWhyAFileCannotBeImported(t *testing.T) {
	f := newCareFixture(t)
	var shown []error
	f.e.showError = func(err error) { shown = append(shown, err) }
	dir := t.TempDir()
	done := make(chan struct{}, 1)

	picture := filepath.Join(dir, "foto.vcf")
	if err := os.WriteFile(picture, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o600); err != nil {
		t.Fatal(err)
	}
	w := newImportWizard(f.e)
	w.build()
	w.preview(picture, func() { done <- struct{}{} })
	waitDone(t, done)
	if !strings.Contains(w.status.Text, "not an address book") || !w.start.Disabled() {
		t.Errorf("picture: got status %q, import enabled %v", w.status.Text, !w.start.Disabled())
	}

	path := filepath.Join(dir, "gross.vcf")
	writeVCF(t, path, vcard.KeepCards+1)
	w = newImportWizard(f.e)
	w.build()
	w.preview(path, func() { done <- struct{}{} })
	waitDone(t, done)
	writeVCF(t, path, vcard.KeepCards+2)
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	w.apply(func() { done <- struct{}{} })
	waitDone(t, done)
	if !strings.Contains(w.status.Text, "changed after it was read") || w.result != nil {
		t.Errorf("changed file: got status %q, result %+v", w.status.Text, w.result)
	}
	if got := f.db.Directory().Len(); got != 0 || len(shown) != 0 {
		t.Errorf("got %d customers and error dialogs %v, want none", got, shown)
	}
}
