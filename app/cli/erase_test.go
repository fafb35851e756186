package cli

import (
	"archive/zip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

func TestExportSubjectEraseAndRestore(t *testing.T) {
	te := newTestEnv(t)
	db, err := storage.Open(te.path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &model.Customer{GivenName: "Ruedi", FamilyName: "Rübenacker", Emails: []model.Email{{Address: "ruedi@example.ch"}}}
	if err := db.CreateCustomer(c); err != nil {
		t.Fatal(err)
	}
	if err := db.AddNote(&model.Note{CustomerID: c.ID, Kind: model.NoteCall, Text: "Anruf wegen Saatgut"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(t.TempDir(), "auskunft.zip")
	if err := te.run(t, "export", "-format", "subject", "-customer", c.ID.String(), "-o", zipPath); err != nil {
		t.Fatalf("export subject: %v", err)
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	zr.Close()
	if got := strings.Join(names, " "); got != "summary.html data.json contact.vcf" {
		t.Errorf("ZIP holds %q, want summary.html data.json contact.vcf", got)
	}
	if err := te.run(t, "backup"); err != nil {
		t.Fatal(err)
	}
	backup := strings.Fields(te.out.String())[0]
	if err := te.run(t, "erase", c.ID.String()); err != nil {
		t.Fatalf("erase: %v", err)
	}
	if err := te.run(t, "erase", c.ID.String()); model.ErrorCode(err) != model.ECONFLICT {
		t.Errorf("second erase: got %v, want %s", err, model.ECONFLICT)
	}
	if err := te.run(t, "check"); err != nil {
		t.Errorf("check after erase: %v", err)
	}
	if err := te.run(t, "restore", backup); err != nil {
		t.Fatal(err)
	}
	if n := te.customers(t); n != 0 {
		t.Errorf("after restoring the backup from before the erasure: got %d customers, want 0", n)
	}
	if err := te.run(t, "erasures"); err != nil || !strings.Contains(te.out.String(), c.ID.String()) {
		t.Errorf("erasures: got %q, %v; want the erased ID", te.out.String(), err)
	}
	if err := te.run(t, "export", "-format", "subject", "-o", zipPath); err == nil {
		t.Errorf("export subject without -customer: got success, want a usage error")
	}
}

// TestEraseSyncsThroughAFolder erases on one device; the other erases at
// its next sync, and the folder's files on both sides are rewritten.
func TestEraseSyncsThroughAFolder(t *testing.T) {
	t.Setenv("KUNDENKARTEI_PASSPHRASE", "Messe Basel 2026 geheim")
	folder := t.TempDir()
	a, b := newTestEnv(t), newTestEnv(t)
	db, err := storage.Open(a.path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &model.Customer{GivenName: "Ruedi", FamilyName: "Rübenacker"}
	if err := db.CreateCustomer(c); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, step := range []struct {
		te   *testEnv
		args []string
	}{
		{a, []string{"sync", "init", "-folder", folder}}, {a, []string{"sync", "now"}},
		{b, []string{"sync", "join", "-folder", folder}}, {b, []string{"sync", "now"}},
		{a, []string{"erase", c.ID.String()}}, {a, []string{"sync", "now"}},
		{b, []string{"sync", "now"}}, {a, []string{"sync", "now"}},
	} {
		if err := step.te.run(t, step.args...); err != nil {
			t.Fatalf("%v: %v", step.args, err)
		}
	}
	for name, te := range map[string]*testEnv{"a": a, "b": b} {
		if n := te.customers(t); n != 0 {
			t.Errorf("device %s: got %d customers, want 0", name, n)
		}
		if err := te.run(t, "erasures"); err != nil || !strings.Contains(te.out.String(), c.ID.String()) {
			t.Errorf("device %s: erasures %q, %v; want the erased ID", name, te.out.String(), err)
		}
	}
}
