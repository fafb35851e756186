package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

func writeVCF(t *testing.T, cards ...string) string {
	t.Helper()
	var b strings.Builder
	for _, c := range cards {
		b.WriteString("BEGIN:VCARD\r\nVERSION:3.0\r\n" + c + "END:VCARD\r\n")
	}
	path := filepath.Join(t.TempDir(), "kontakte.vcf")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// storedID returns the ID of the only stored customer named name.
func (te *testEnv) storedID(t *testing.T, name string) model.ID {
	t.Helper()
	db, err := storage.Open(te.path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range db.Directory().Search(model.Query{}) {
		if s.Summary().Name == name {
			return s.ID
		}
	}
	t.Fatalf("no customer %q stored", name)
	return model.NilID
}

func TestImportDryRunListsMatches(t *testing.T) {
	te := newTestEnv(t)
	peter := "N:Meier;Peter;;;\r\nTEL;TYPE=work:+41 44 123 45 67\r\nEMAIL:peter@muster.ch\r\n"
	if err := te.run(t, "import", writeVCF(t, peter)); err != nil {
		t.Fatal(err)
	}
	id := te.storedID(t, "Peter Meier")
	in := writeVCF(t,
		"N:Meier;Peter;;;\r\nEMAIL:Peter@Muster.ch\r\n",                              // card 1, line 1
		"N:Huber;Anna;;;\r\nTEL;TYPE=work:044 123 45 67\r\nEMAIL:anna@muster.ch\r\n", // card 2, line 6: switchboard only
		"N:Huber;Anna;;;\r\nEMAIL:anna@muster.ch\r\nTEL;TYPE=cell:079 555 12 34\r\n", // card 3, line 12
	)
	if err := te.run(t, "import", in, "-dry-run"); err != nil {
		t.Fatal(err)
	}
	out := te.out.String()
	for _, want := range []string{
		"3 cards: 1 new, 2 matching, 0 with problems",
		fmt.Sprintf(`card 1, line 1: "Peter Meier" = stored "Peter Meier" (%s): same email "Peter@Muster.ch"`, id),
		`card 3, line 12: "Anna Huber" = card 2 of this file: same email "anna@muster.ch"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run: got\n%s\nwant a line with %q", out, want)
		}
	}
	if strings.Contains(out, "card 2,") {
		t.Errorf("dry run lists card 2 (only the switchboard number in common) as a match:\n%s", out)
	}
	if got := te.customers(t); got != 1 {
		t.Fatalf("a dry run changed the database: got %d customers, want 1", got)
	}
	if err := te.run(t, "import", in); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(te.out.String(), `= stored "Peter Meier"`) || !strings.Contains(te.out.String(), "added 1, updated 1, unchanged 1") {
		t.Errorf("import: got\n%s\nwant the matches listed, Anna added once (card 3 filled in) and Peter unchanged", te.out.String())
	}
	if got := te.customers(t); got != 2 {
		t.Errorf("got %d customers, want Peter and Anna", got)
	}
}

func TestImportPrintsEachProblemOnce(t *testing.T) {
	te := newTestEnv(t)
	in := writeVCF(t,
		"N:Fehler;Otto;;;\r\nEMAIL:kein-email\r\n",
		"NOTE:nothing that tells who\r\n",
	)
	if err := te.run(t, "import", in, "-problems", "fill"); err != nil {
		t.Fatal(err)
	}
	out := te.out.String()
	for _, want := range []string{`card 1, line 4, EMAIL: "kein-email" is not an email address`, "card 2, line 6, name:"} {
		if n := strings.Count(out, want); n != 1 {
			t.Errorf("got %q %d times, want once:\n%s", want, n, out)
		}
	}
	if !strings.Contains(out, "not imported: card 2, line 6\n") {
		t.Errorf("got\n%s\nwant card 2 reported as not imported, without repeating its reason", out)
	}
}

func TestImportCapsProblemList(t *testing.T) {
	te := newTestEnv(t)
	var cards []string
	for i := range 130 {
		cards = append(cards, fmt.Sprintf("N:Person;Nummer %d;;;\r\nTEL:abc\r\n", i))
	}
	if err := te.run(t, "import", writeVCF(t, cards...), "-dry-run"); err != nil {
		t.Fatal(err)
	}
	out := te.out.String()
	if n := strings.Count(out, "is not a phone number"); n != maxListed {
		t.Errorf("got %d problem lines, want %d", n, maxListed)
	}
	if !strings.Contains(out, "… and 30 more problems") {
		t.Errorf("got\n%s\nwant the rest counted", out)
	}
}

func TestUnknownCommandAndHelp(t *testing.T) {
	te := newTestEnv(t)
	err := te.run(t, "frobnicate")
	if !errors.Is(err, ErrUsage) || !strings.Contains(model.ErrorMessage(err), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: got %v (%q), want a usage error naming it", err, model.ErrorMessage(err))
	}
	if !strings.Contains(te.err.String(), "Commands:") {
		t.Errorf("unknown command: got stderr %q, want the usage", te.err.String())
	}
	err = te.run(t, "import", "-nonsense", "x.vcf")
	if !errors.Is(err, ErrUsage) || strings.Contains(model.ErrorMessage(err), "internal error") {
		t.Errorf("bad flag: got %v (%q), want a usage error saying what is wrong", err, model.ErrorMessage(err))
	}
	for _, tt := range []struct {
		name string
		args []string
		want []string
	}{
		{"-h", []string{"-h"}, []string{"Commands:", "import"}},
		{"--help", []string{"--help"}, []string{"Commands:"}},
		{"help", []string{"help"}, []string{"Commands:"}},
		{"import -h", []string{"import", "-h"}, []string{"Usage: kundenkartei import", "-dry-run", "-match"}},
		{"import FILE --help", []string{"import", "x.vcf", "--help"}, []string{"Usage: kundenkartei import"}},
		{"help export", []string{"help", "export"}, []string{"Usage: kundenkartei export", "-format"}},
		{"backup -h", []string{"backup", "-h"}, []string{"Usage: kundenkartei backup"}},
		{"restore -h", []string{"restore", "-h"}, []string{"Usage: kundenkartei restore"}},
		{"sync join -h", []string{"sync", "join", "-h"}, []string{"Usage: kundenkartei sync"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := te.run(t, tt.args...); err != nil {
				t.Fatalf("got %v, want success", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(te.out.String(), w) {
					t.Errorf("got %q, want %q in it", te.out.String(), w)
				}
			}
		})
	}
	if _, err := os.Stat(te.path); !os.IsNotExist(err) {
		t.Errorf("help opened the database (%v)", err)
	}
}
