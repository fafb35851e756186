package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

// testEnv runs commands against a database file under t.TempDir.
type testEnv struct {
	path     string
	out, err bytes.Buffer
	eager    bool // load the directory at Open (the GUI's way), not lazily as main's CLI
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	return &testEnv{path: filepath.Join(t.TempDir(), "k.db")}
}

func (te *testEnv) run(t *testing.T, args ...string) error {
	t.Helper()
	te.out.Reset()
	te.err.Reset()
	return Run(context.Background(), args, Env{
		Stdin:  strings.NewReader(""),
		Stdout: &te.out, Stderr: &te.err,
		Open: func() (Store, error) {
			return storage.Open(te.path, storage.Options{LazyDirectory: !te.eager})
		},
		Restore: func(backup string) error {
			db, err := storage.Open(te.path, storage.Options{})
			if err != nil {
				return err
			}
			return db.CloseAndRestore(backup)
		},
	})
}

func (te *testEnv) customers(t *testing.T) int {
	t.Helper()
	db, err := storage.Open(te.path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
	return db.Directory().Len()
}

func TestUsageErrors(t *testing.T) {
	te := newTestEnv(t)
	for _, args := range [][]string{{}, {"frobnicate"}, {"demo", "-size", "huge"}, {"export"}, {"import"}, {"sync", "maybe"}} {
		if err := te.run(t, args...); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("%q: got %v, want a usage error", args, err)
		}
	}
}

func TestDemoBackupRestoreCheck(t *testing.T) {
	te := newTestEnv(t)
	if err := te.run(t, "demo"); err != nil {
		t.Fatal(err)
	}
	if got := te.customers(t); got != 200 {
		t.Fatalf("demo: got %d customers, want 200", got)
	}
	if err := te.run(t, "demo"); model.ErrorCode(err) != model.ECONFLICT {
		t.Fatalf("demo into a full database: got %v, want ECONFLICT", err)
	}
	if err := te.run(t, "backup"); err != nil {
		t.Fatal(err)
	}
	backup := strings.Fields(te.out.String())[0]
	if err := te.run(t, "backups"); err != nil || !strings.Contains(te.out.String(), backup) {
		t.Fatalf("backups: %v %q", err, te.out.String())
	}
	// Wipe the customers by restoring onto an empty database, then back.
	empty := filepath.Join(t.TempDir(), "empty.db")
	db, err := storage.Open(empty, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := te.run(t, "restore", empty); err != nil {
		t.Fatal(err)
	}
	if got := te.customers(t); got != 0 {
		t.Fatalf("after restoring an empty backup: %d customers", got)
	}
	if err := te.run(t, "restore", backup); err != nil {
		t.Fatal(err)
	}
	if got := te.customers(t); got != 200 {
		t.Fatalf("after restore: got %d customers, want 200", got)
	}
	if err := te.run(t, "check"); err != nil || !strings.Contains(te.out.String(), "ok, 200 customers") {
		t.Fatalf("check: %v %q", err, te.out.String())
	}
}

const card = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Hans;;;\r\nFN:Hans Müller\r\nORG:Müller Haustechnik AG\r\nEMAIL;TYPE=work:hans@mueller-haustechnik.ch\r\nTEL;TYPE=cell:+41 79 123 45 67\r\nADR;TYPE=work:;;Bahnhofstraße 12;Zürich;;8001;Schweiz\r\nEND:VCARD\r\n" +
	"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Weiß;Bärbel;;;\r\nFN:Bärbel Weiß\r\nEMAIL:baerbel@example.de\r\nEND:VCARD\r\n"

func TestImportExport(t *testing.T) {
	te := newTestEnv(t)
	dir := t.TempDir()
	vcf := filepath.Join(dir, "kontakte.vcf")
	if err := os.WriteFile(vcf, []byte(card), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := te.run(t, "import", vcf, "-dry-run"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(te.out.String(), "2 cards: 2 new, 0 matching") {
		t.Fatalf("preview: %q", te.out.String())
	}
	if got := te.customers(t); got != 0 {
		t.Fatalf("a dry run stored %d customers", got)
	}
	if err := te.run(t, "import", vcf); err != nil {
		t.Fatal(err)
	}
	if err := te.run(t, "import", vcf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(te.out.String(), "0 new, 2 matching") || !strings.Contains(te.out.String(), "added 0") {
		t.Fatalf("second import: %q", te.out.String())
	}
	if got := te.customers(t); got != 2 {
		t.Fatalf("importing twice: got %d customers, want 2", got)
	}

	for _, format := range []string{"vcard", "vcard4", "outlook", "csv", "csv-rfc"} {
		out := filepath.Join(dir, "out."+format)
		if err := te.run(t, "export", "-format", format, "-o", out); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte("Haustechnik")) {
			t.Errorf("%s export lacks the company: %q", format, data)
		}
	}
	// Nothing to export: a clear error and no file.
	none := filepath.Join(dir, "none.vcf")
	if err := te.run(t, "export", "-format", "vcard", "-tag", "gibtsnicht", "-o", none); model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("empty export: got %v, want EINVALID", err)
	}
	if _, err := os.Stat(none); !os.IsNotExist(err) {
		t.Fatalf("empty export left a file")
	}
	if err := te.run(t, "export", "-format", "ics", "-o", filepath.Join(t.TempDir(), "missing", "x.ics")); model.ErrorCode(err) == "" {
		t.Fatalf("export into a missing folder succeeded")
	}
}

func TestExportICS(t *testing.T) {
	te := newTestEnv(t)
	if err := te.run(t, "demo"); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "followups.ics")
	if err := te.run(t, "export", "-format", "ics", "-o", out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("BEGIN:VCALENDAR\r\n")) || bytes.Count(data, []byte("BEGIN:VEVENT")) == 0 {
		t.Fatalf("not a calendar with events: %.200q", data)
	}
	if bytes.Contains(data, []byte("STATUS:CANCELLED")) {
		t.Fatalf("default export holds cancelled follow-ups")
	}
}

func TestSyncBetweenTwoDatabases(t *testing.T) {
	t.Setenv("KUNDENKARTEI_PASSPHRASE", "Messe Basel 2026 geheim")
	folder := t.TempDir()
	a, b := newTestEnv(t), newTestEnv(t)
	if err := a.run(t, "demo"); err != nil {
		t.Fatal(err)
	}
	if err := a.run(t, "sync", "now"); model.ErrorCode(err) != model.ENOTFOUND {
		t.Fatalf("sync before setup: got %v, want ENOTFOUND", err)
	}
	if err := a.run(t, "sync", "init", "-folder", folder); err != nil {
		t.Fatal(err)
	}
	if err := a.run(t, "sync", "now"); err != nil {
		t.Fatal(err)
	}
	if err := b.run(t, "sync", "join", "-folder", folder); err != nil {
		t.Fatal(err)
	}
	if err := b.run(t, "sync", "now"); err != nil {
		t.Fatal(err)
	}
	if got := b.customers(t); got != 200 {
		t.Fatalf("joined device: got %d customers, want 200", got)
	}
	if err := b.run(t, "sync", "status"); err != nil || !strings.Contains(b.out.String(), "0 changes to send") {
		t.Fatalf("status: %v %q", err, b.out.String())
	}
	t.Setenv("KUNDENKARTEI_PASSPHRASE", "falsches Passwort!")
	c := newTestEnv(t)
	if err := c.run(t, "sync", "join", "-folder", folder); model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("join with a wrong passphrase: got %v, want EINVALID", err)
	}
}

func TestDuplicatesMergeUnmerge(t *testing.T) {
	te := newTestEnv(t)
	db, err := storage.Open(te.path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := &model.Customer{GivenName: "Anna", FamilyName: "Müller", Emails: []model.Email{{Address: "anna@beck.ch"}}}
	b := &model.Customer{GivenName: "Anna", FamilyName: "Mueller", Emails: []model.Email{{Address: "anna@beck.ch"}}}
	for _, c := range []*model.Customer{a, b} {
		if err := db.CreateCustomer(c); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	if err := te.run(t, "duplicates"); err != nil {
		t.Fatal(err)
	}
	line := te.out.String()
	if !strings.Contains(line, a.ID.String()+"  "+b.ID.String()) || !strings.Contains(line, "email") || !strings.Contains(line, "anna@beck.ch") {
		t.Fatalf("duplicates: got %q", line)
	}
	if err := te.run(t, "merge", a.ID.String(), "nonsense"); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("merge with a bad ID: got %v, want EINVALID", err)
	}
	if err := te.run(t, "merge", a.ID.String(), b.ID.String()); err != nil {
		t.Fatal(err)
	}
	if got := te.customers(t); got != 1 {
		t.Errorf("after merge: %d customers listed, want 1", got)
	}
	if err := te.run(t, "duplicates"); err != nil || te.out.Len() != 0 {
		t.Errorf("duplicates after merge: %q, %v; want none", te.out.String(), err)
	}
	if err := te.run(t, "unmerge", b.ID.String()); err != nil {
		t.Fatal(err)
	}
	if got := te.customers(t); got != 2 {
		t.Errorf("after unmerge: %d customers listed, want 2", got)
	}
}

// TestCommandsEagerAndLazy runs the commands that use the customer
// directory (demo, check, duplicates, exports of customers) and those that
// do not (the .ics export, backups) on a database opened as main's CLI
// opens it (the directory loaded at first use) and as the GUI does (at
// Open): the outputs must be the same.
func TestCommandsEagerAndLazy(t *testing.T) {
	src := newTestEnv(t)
	if err := src.run(t, "demo"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	outputs := map[bool]map[string]string{}
	for _, eager := range []bool{false, true} {
		te := &testEnv{path: filepath.Join(t.TempDir(), "k.db"), eager: eager}
		for _, ext := range []string{"", ".directory"} {
			data, err := os.ReadFile(src.path + ext)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(te.path+ext, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		got := map[string]string{}
		for _, args := range [][]string{
			{"check"}, {"duplicates", "-limit", "5"},
			{"export", "-format", "vcard", "-tag", "Stammkunde"}, {"export", "-format", "csv"},
			{"export", "-format", "ics", "-all"}, {"backups"}, {"check"},
		} {
			name := strings.Join(args, " ")
			if args[0] == "export" {
				args = append(args, "-o", filepath.Join(dir, "out"))
			}
			if err := te.run(t, args...); err != nil {
				t.Fatalf("eager %v: %s: %v", eager, name, err)
			}
			out := strings.ReplaceAll(te.out.String(), te.path, "DB")
			if args[0] == "export" {
				data, err := os.ReadFile(filepath.Join(dir, "out"))
				if err != nil {
					t.Fatal(err)
				}
				out = regexp.MustCompile(`DTSTAMP:\S+`).ReplaceAllString(string(data), "DTSTAMP")
			}
			if out == "" && args[0] != "backups" && args[0] != "duplicates" {
				t.Errorf("eager %v: %s: no output", eager, name)
			}
			got[name] = out
		}
		outputs[eager] = got
		// demo fills only an empty database: it must see the customers.
		if err := te.run(t, "demo"); model.ErrorCode(err) != model.ECONFLICT {
			t.Errorf("eager %v: demo into a full database: got %v, want ECONFLICT", eager, err)
		}
	}
	for name, lazy := range outputs[false] {
		if eager := outputs[true][name]; lazy != eager {
			t.Errorf("%s: lazily opened got %.200q, opened at once got %.200q", name, lazy, eager)
		}
	}
}
