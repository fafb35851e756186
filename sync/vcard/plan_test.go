package vcard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

var dialectFiles = []string{"outlook-2.1.vcf", "apple-3.0.vcf", "google-3.0.vcf", "android-2.1.vcf", "thunderbird-4.0.vcf", "utf16le.vcf", "broken.vcf",
	"iphone-3.0-crcrlf.vcf", "outlook2003-2.1.vcf", "names-org-3.0.vcf", "apple-groups-3.0.vcf"}

// openDB opens a fresh database under tb.TempDir and checks it at the end.
func openDB(tb testing.TB) *storage.DB {
	tb.Helper()
	clock := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	db, err := storage.Open(filepath.Join(tb.TempDir(), "k.db"), storage.Options{Now: func() time.Time {
		clock = clock.Add(time.Millisecond)
		return clock
	}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Check(); err != nil {
			tb.Errorf("check: %v", err)
		}
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

// allCustomers returns every live customer, by sort name.
func allCustomers(tb testing.TB, db *storage.DB) []*model.Customer {
	tb.Helper()
	var ids []model.ID
	for _, s := range db.Directory().Search(model.Query{}) {
		ids = append(ids, s.ID)
	}
	cs, err := db.Customers(ids)
	if err != nil {
		tb.Fatal(err)
	}
	return cs
}

func snapshot(tb testing.TB, db *storage.DB) string {
	tb.Helper()
	b, err := json.Marshal(allCustomers(tb, db))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// importFile parses in and applies it with ch.
func importFile(tb testing.TB, db *storage.DB, in []byte, ch Choices) (*Plan, Result) {
	tb.Helper()
	cards, _, err := Parse(bytes.NewReader(in))
	if err != nil {
		tb.Fatal(err)
	}
	plan, err := Preview(context.Background(), cards, db, PreviewOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	res, err := plan.Apply(context.Background(), db, ch, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return plan, res
}

func allDialects(tb testing.TB) []byte {
	var b []byte
	for _, f := range dialectFiles {
		if f == "utf16le.vcf" || f == "broken.vcf" { // not concatenable as bytes
			continue
		}
		b = append(b, readFile(tb, f)...)
	}
	return b
}

// TestImportTwiceAddsNothing is the idempotence property: importing the
// same file again changes nothing, whether the second run fills or
// overwrites (cards skipped the first time stay skipped).
func TestImportTwiceAddsNothing(t *testing.T) {
	inputs := map[string][]byte{"all dialects in one file": allDialects(t)}
	for _, f := range dialectFiles {
		inputs[f] = readFile(t, f)
	}
	for name, in := range inputs {
		for _, runs := range [][2]Choices{
			{DefaultChoices(), DefaultChoices()},
			{DefaultChoices(), {New: Add, Matching: Overwrite, Problem: Skip}},
			{{New: Add, Matching: Update, Problem: Update}, {New: Add, Matching: Overwrite, Problem: Overwrite}},
		} {
			first, second := runs[0], runs[1]
			t.Run(fmt.Sprintf("%s/%v then %v, problems %v then %v", name, first.Matching, second.Matching, first.Problem, second.Problem), func(t *testing.T) {
				db := openDB(t)
				_, first := importFile(t, db, in, first)
				if first.Added == 0 {
					t.Fatalf("first import added nothing: %+v", first)
				}
				before := snapshot(t, db)
				plan, res := importFile(t, db, in, second)
				if c := plan.Counts(); c.New != 0 {
					t.Errorf("second preview: got %d new, want 0 (%+v)", c.New, c)
				}
				if res.Added != 0 || res.Updated != 0 || res.Photos != 0 {
					t.Errorf("second import: got %+v, want nothing added or updated", res)
				}
				if after := snapshot(t, db); after != before {
					t.Errorf("second import changed the database:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	}
}

func TestPreviewGroupsAndMatchKinds(t *testing.T) {
	db := openDB(t)
	importFile(t, db, readFile(t, "apple-3.0.vcf"), DefaultChoices())
	in := strings.Join([]string{
		// 1: same UID as Apple's first card, but clearly another person
		// (another address book reusing the UID): new.
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Anders;Heisst;;;\r\nUID:5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE\r\nEND:VCARD",
		// 2: same UID, the name spelled without accents: the same.
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Brandli;Seb;;;\r\nUID:5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE\r\nEND:VCARD",
		// 3: same email as Apple's second card (a company without a person), upper case.
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Zürcher;Max;;;\r\nEMAIL:INFO@Schreinerei-Zuercher.ch\r\nEND:VCARD",
		// 4: only the phone in common with Apple's first card: new.
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Andere;Person;;;\r\nTEL:0041798765432\r\nEND:VCARD",
		// 5: same folded name + company.
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Braendli;Sebastien;;;\r\nORG:Brandli Optik GmbH\r\nEND:VCARD",
		// 6: new.
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Neu;Nina;;;\r\nEMAIL:nina@neu.ch\r\nEND:VCARD",
		// 7: same email and family name as card 6.
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Neu;N.;;;\r\nEMAIL:nina@neu.ch\r\nTEL:+41 44 000 00 00\r\nEND:VCARD",
		// 8: only an email: kept, new.
		"BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:x@y.ch\r\nEND:VCARD",
		// 9: nothing that tells who it is: a problem.
		"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:nur eine Notiz\r\nEND:VCARD",
		// 10, 11: two colleagues behind one switchboard number: two new.
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Meier;Peter;;;\r\nTEL;TYPE=work:+41 44 123 45 67\r\nEMAIL:peter@muster.ch\r\nEND:VCARD",
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Huber;Anna;;;\r\nTEL;TYPE=work:044 123 45 67\r\nEMAIL:anna@muster.ch\r\nEND:VCARD",
	}, "\r\n")
	cards, _, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Preview(context.Background(), cards, db, PreviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := plan.Counts(), (Counts{Total: 11, New: 6, Matching: 4, Problems: 1}); got != want {
		t.Errorf("got counts %+v, want %+v", got, want)
	}
	wantWhy := []model.SameReason{"", model.SameUID, model.SameEmail, "", model.SameNameCompany, "", "", "", "", "", ""}
	for i, want := range wantWhy {
		e := plan.Entries[i]
		if got := e.Why.Reason; got != want {
			t.Errorf("card %d: got match by %q, want %q", i+1, got, want)
		}
		if (e.Existing != model.NilID) != (want != "") {
			t.Errorf("card %d: got Existing %v, want one only with a reason", i+1, e.Existing)
		}
	}
	if e := plan.Entries[1]; e.Existing == model.NilID || !strings.Contains(e.ExistingName, "Brändli") {
		t.Errorf("card 2: got Existing %v %q, want Brändli", e.Existing, e.ExistingName)
	}
	if got := plan.Entries[6]; got.SameAs != 6 || got.WhySame.Reason != model.SameEmail {
		t.Errorf("card 7: got SameAs %d (%v), want 6 by email", got.SameAs, got.WhySame)
	}
	if got := plan.Entries[10].SameAs; got != 0 {
		t.Errorf("card 11 (same switchboard number as card 10): got SameAs %d, want 0", got)
	}

	res, err := plan.Apply(context.Background(), db, Choices{New: Add, Matching: Update, Problem: Add, PerCard: map[int]Action{3: Skip}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 6 || res.Skipped != 2 || len(res.Failed) != 1 || res.Failed[0].Card != 9 {
		t.Errorf("got %+v, want 6 added, 2 skipped (card 3 by choice, card 9 invalid)", res)
	}
	if res.IDs[7] != res.IDs[6] {
		t.Errorf("card 7 went to %v, want the customer of card 6 (%v)", res.IDs[7], res.IDs[6])
	}
	if res.IDs[10] == res.IDs[11] {
		t.Errorf("cards 10 and 11 went to one customer %v, want two", res.IDs[10])
	}
	if res.IDs[5] != res.IDs[2] {
		t.Errorf("card 5 went to %v, want Brändli like card 2 (%v)", res.IDs[5], res.IDs[2])
	}
	cs, err := db.Customers([]model.ID{res.IDs[6], res.IDs[2], res.IDs[8]})
	if err != nil || len(cs) != 3 {
		t.Fatalf("got %d customers (%v), want Nina, Brändli and the email-only one", len(cs), err)
	}
	if got := cs[0]; got.GivenName != "Nina" || len(got.Phones) != 1 {
		t.Errorf("in-file duplicate: got %+v, want Nina with the phone of card 7 filled in", got)
	}
	if cs[1].GivenName != "Sébastien" {
		t.Errorf("fill-empty update overwrote the name: got %q", cs[1].GivenName)
	}
	if got := cs[2]; got.DisplayName() != "x@y.ch" {
		t.Errorf("email-only card: got %q, want it shown by its address", got.DisplayName())
	}
}

func TestApplyStoresPhotos(t *testing.T) {
	db := openDB(t)
	_, res := importFile(t, db, readFile(t, "apple-3.0.vcf"), DefaultChoices())
	if res.Photos != 1 {
		t.Fatalf("got %d photos stored, want 1", res.Photos)
	}
	cs, err := db.Customers([]model.ID{res.IDs[1]})
	if err != nil || len(cs) != 1 {
		t.Fatal(cs, err)
	}
	got, err := db.Photo(cs[0].Photo)
	if err != nil {
		t.Fatal(err)
	}
	if want := readFile(t, "photo.png"); !bytes.Equal(got, want) {
		t.Errorf("got photo of %d bytes, want photo.png (%d bytes)", len(got), len(want))
	}
}

// TestApplyCancelAndProgress: more cards than storage commits at a time
// (5,000), cancelled after the first commit.
func TestApplyCancelAndProgress(t *testing.T) {
	in := genVCF(7000)
	cards, _, err := Parse(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	plan, err := Preview(context.Background(), cards, db, PreviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var calls []int
	_, err = plan.Apply(ctx, db, DefaultChoices(), func(done, total int) {
		calls = append(calls, done)
		if total != 7000 {
			t.Errorf("got total %d, want 7000", total)
		}
		cancel() // after the first chunk
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got error %v, want context.Canceled", err)
	}
	if len(calls) != 1 || calls[0] <= 0 || calls[0] >= 7000 {
		t.Fatalf("got progress calls %v, want one partial chunk", calls)
	}
	if got := db.Directory().Len(); got != calls[0] {
		t.Errorf("got %d customers after cancel, want the %d of the committed chunk", got, calls[0])
	}
	// Preview honours a cancelled context too.
	if _, err := Preview(ctx, cards, db, PreviewOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Preview: got %v, want context.Canceled", err)
	}
}
