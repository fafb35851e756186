package transfer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/sync/transfer"
	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

// openDB opens a new database for one test.
func openDB(t *testing.T, opt storage.Options) *storage.DB {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "k.db"), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// writeCards writes n simple cards (and a line outside any card) to path.
func writeCards(t *testing.T, path string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("stray line\r\n")
	for i := range n {
		fmt.Fprintf(&b, "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Muster%d;Anna;;;\r\nFN:Anna Muster%d\r\nEMAIL:anna%d@example.ch\r\nEND:VCARD\r\n", i, i, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestPreviewOfALargeFileReadsItAgain: a file of more cards than the plan
// keeps is previewed, then imported from a second read; the problems
// outside any card come back with the plan.
func TestPreviewOfALargeFileReadsItAgain(t *testing.T) {
	db := openDB(t, storage.Options{})
	path := filepath.Join(t.TempDir(), "kontakte.vcf")
	writeCards(t, path, 700)
	var last int
	plan, problems, err := transfer.Preview(context.Background(), path, db, vcard.PreviewOptions{Keep: 100, Progress: func(d, _ int) { last = d }})
	if err != nil {
		t.Fatal(err)
	}
	if n := plan.Counts(); n.Total != 700 || n.New != 700 || last != 700 || len(problems) != 1 || problems[0].Line != 1 {
		t.Fatalf("got %+v, progress to %d, problems %v; want 700 new, progress to 700, the stray line", n, last, problems)
	}
	res, err := plan.Apply(context.Background(), db, vcard.DefaultChoices(), nil)
	if err != nil || res.Added != 700 {
		t.Fatalf("got %+v, %v; want 700 added", res, err)
	}
	if got := db.Directory().Len(); got != 700 {
		t.Errorf("got %d customers, want 700", got)
	}
}

// TestImportRefusesAFileChangedSinceThePreview: the file is written again
// between preview and import; nothing is imported, and the error says why.
func TestImportRefusesAFileChangedSinceThePreview(t *testing.T) {
	db := openDB(t, storage.Options{})
	path := filepath.Join(t.TempDir(), "kontakte.vcf")
	writeCards(t, path, 300)
	plan, _, err := transfer.Preview(context.Background(), path, db, vcard.PreviewOptions{Keep: 100})
	if err != nil {
		t.Fatal(err)
	}
	writeCards(t, path, 301)
	later := time.Now().Add(time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	_, err = plan.Apply(context.Background(), db, vcard.DefaultChoices(), nil)
	if model.ErrorCode(err) != model.EINVALID || !errors.Is(err, vcard.ErrChanged) {
		t.Fatalf("got %v, want EINVALID: changed since the preview", err)
	}
	if got := db.Directory().Len(); got != 0 {
		t.Errorf("got %d customers, want 0", got)
	}
}
