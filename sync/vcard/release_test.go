package vcard

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// bytesSource reads in again on every call, as a file source does; reads
// counts the calls.
func bytesSource(in *[]byte, reads *int) Source {
	return func(ctx context.Context, fn func([]Card) error) error {
		*reads++
		_, err := ParseEach(ctx, bytes.NewReader(*in), ParseOptions{}, fn)
		return err
	}
}

// TestLargePlanReadsTheFileAgain: past Keep cards the plan holds none; Apply
// reads the file a second time, group by group, and stores every card as
// read. A card that is the same person as one of an earlier group merges
// into the customer that group stored, and one that matches a stored
// customer (found by the preview) merges into it.
func TestLargePlanReadsTheFileAgain(t *testing.T) {
	db := openDB(t)
	known := vcf("N:Brändli;Käthi;;;\r\nFN:Käthi Brändli\r\nEMAIL:kaethi@example.ch\r\n")
	importFile(t, db, known, DefaultChoices())

	n := applyGroup + 2500 // two groups
	in := genVCF(n)
	in = append(in, genVCF(1)...) // card 1 again, in the second group
	in = append(in, vcf("N:Brändli;Käthi;;;\r\nFN:Käthi Brändli\r\nEMAIL:kaethi@example.ch\r\nTITLE:Inhaberin\r\n")...)
	reads := 0
	plan, err := PreviewEach(context.Background(), bytesSource(&in, &reads), db, PreviewOptions{Keep: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if plan.cards != nil || plan.again == nil || reads != 1 {
		t.Fatalf("got %d blocks held, again %v, %d reads; want none held, a source, 1 read", len(plan.cards), plan.again != nil, reads)
	}
	if got, want := plan.Counts(), (Counts{Total: n + 2, New: n, Matching: 2}); got != want {
		t.Fatalf("got counts %+v, want %+v", got, want)
	}
	dup, back := plan.Entries[n], plan.Entries[n+1]
	if dup.SameAs != 1 || dup.WhySame.Reason != model.SameUID || back.Existing == model.NilID || back.ExistingName != "Käthi Brändli" {
		t.Fatalf("got entries %+v and %+v, want card 1 again by UID and Käthi Brändli stored", dup, back)
	}
	done := 0
	res, err := plan.Apply(context.Background(), db, DefaultChoices(), func(d, total int) {
		if d < done || total != n+2 {
			t.Errorf("progress %d of %d after %d", d, total, done)
		}
		done = d
	})
	if err != nil {
		t.Fatal(err)
	}
	if reads != 2 || done != n+2 {
		t.Errorf("got %d reads, progress to %d; want 2, %d", reads, done, n+2)
	}
	if res.Added != n || res.Updated != 1 || res.Unchanged != 1 || res.IDs[n+1] != res.IDs[1] || res.IDs[n+2] != back.Existing {
		t.Fatalf("got %d added, %d updated, %d unchanged, card %d → %v (card 1 → %v), want %d, 1, 1 and card 1's customer",
			res.Added, res.Updated, res.Unchanged, n+1, res.IDs[n+1], res.IDs[1], n)
	}
	read := mustParse(t, in)
	for _, i := range []int{0, 1999, 2000, applyGroup - 1, applyGroup, n - 1} {
		cs, err := db.Customers([]model.ID{res.IDs[read[i].Index]})
		if err != nil || len(cs) != 1 {
			t.Fatalf("card %d: got %d customers, %v", i+1, len(cs), err)
		}
		got, want := cs[0], read[i].Customer
		if got.GivenName != want.GivenName || got.FamilyName != want.FamilyName || !reflect.DeepEqual(got.Emails, want.Emails) ||
			!reflect.DeepEqual(got.Phones, want.Phones) || !reflect.DeepEqual(got.Addresses, want.Addresses) || !reflect.DeepEqual(got.Tags, want.Tags) {
			t.Fatalf("card %d: got stored %+v, want %+v", i+1, got, want)
		}
	}
	cs, err := db.Customers([]model.ID{back.Existing})
	if err != nil || len(cs) != 1 || cs[0].Position != "Inhaberin" {
		t.Fatalf("got %+v (%v), want Käthi Brändli with the position of the card", cs, err)
	}
	if got := len(allCustomers(t, db)); got != n+1 {
		t.Errorf("got %d customers, want %d", got, n+1)
	}
	if _, err := plan.Apply(context.Background(), db, DefaultChoices(), nil); model.ErrorCode(err) != model.EINVALID || reads != 2 {
		t.Errorf("applied twice: got %v after %d reads, want EINVALID and no third read", err, reads)
	}
}

// TestApplyRefusesAChangedFile: a file that changed between the preview
// and the import is refused at the first card that differs, and nothing
// of that group is stored.
func TestApplyRefusesAChangedFile(t *testing.T) {
	db := openDB(t)
	in := genVCF(30)
	reads := 0
	plan, err := PreviewEach(context.Background(), bytesSource(&in, &reads), db, PreviewOptions{Keep: 10})
	if err != nil {
		t.Fatal(err)
	}
	in = append(vcf("FN:Neu Vorne\r\n"), genVCF(30)...)
	_, err = plan.Apply(context.Background(), db, DefaultChoices(), nil)
	if model.ErrorCode(err) != model.EINVALID || !errors.Is(err, ErrChanged) {
		t.Fatalf("got %v, want EINVALID: the file changed", err)
	}
	if got := len(allCustomers(t, db)); got != 0 {
		t.Errorf("got %d customers stored, want 0", got)
	}
}

// TestSmallPlanHoldsItsCardsOnce: a plan of a small file is read once and
// holds its cards until they are applied, then lets go of them; it cannot
// be applied a second time.
func TestSmallPlanHoldsItsCardsOnce(t *testing.T) {
	db := openDB(t)
	in := genVCF(600)
	reads := 0
	plan, err := PreviewEach(context.Background(), bytesSource(&in, &reads), db, PreviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if plan.cards == nil || plan.again != nil {
		t.Fatalf("got %d blocks held and a source %v, want the cards held and no source", len(plan.cards), plan.again != nil)
	}
	res, err := plan.Apply(context.Background(), db, DefaultChoices(), nil)
	if err != nil || res.Added != 600 || reads != 1 {
		t.Fatalf("got %+v, %v, %d reads; want 600 added from 1 read", res, err, reads)
	}
	if plan.cards != nil {
		t.Errorf("the plan still holds %d blocks", len(plan.cards))
	}
	if _, err := plan.Apply(context.Background(), db, DefaultChoices(), nil); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("applied twice: got %v, want EINVALID", err)
	}
	if got := len(allCustomers(t, db)); got != 600 {
		t.Errorf("got %d customers, want 600", got)
	}
}
