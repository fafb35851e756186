package vcard

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestApplyLetsGoOfSavedNewCards: once its chunk is committed, a new
// card's customer in the plan keeps only its ID (a large import holds its
// cards' data only until they are saved); the stored customers are the
// cards as read, and cards the preview lists after the import (matching,
// problems) keep their data.
func TestApplyLetsGoOfSavedNewCards(t *testing.T) {
	in := genVCF(4500) // more than two chunks of SaveCustomers
	dup := genVCF(1)   // card 1 again: the same person as an earlier card
	in = append(in, dup...)
	read, _, err := Parse(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	plan, res := importFile(t, db, in, DefaultChoices())
	if got, want := res.Added, 4500; got != want {
		t.Fatalf("got %d added, want %d", got, want)
	}
	matching := 0
	for i := range plan.Entries {
		e := &plan.Entries[i]
		id := res.IDs[e.Card.Index]
		switch e.Group {
		case GroupNew:
			if want := (model.Customer{Meta: model.Meta{ID: id}}); !reflect.DeepEqual(e.Card.Customer, want) {
				t.Fatalf("card %d: got %+v, want only its ID", e.Card.Index, e.Card.Customer)
			}
		default:
			matching++
			if got, want := e.Card.Customer.FamilyName, read[i].Customer.FamilyName; got != want || got == "" {
				t.Fatalf("card %d (group %d): got family name %q, want %q", e.Card.Index, e.Group, got, want)
			}
		}
		if e.Card.Index != read[i].Index || e.Card.Line != read[i].Line {
			t.Fatalf("card %d: got index %d line %d, want %d %d", i, e.Card.Index, e.Card.Line, read[i].Index, read[i].Line)
		}
	}
	if matching != 1 {
		t.Fatalf("got %d cards outside GroupNew, want 1", matching)
	}
	for _, i := range []int{0, 1999, 2000, 4499} {
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
}

// TestApplyLetsGoOfStoredPhotos: a new card's photo is stored, and the
// plan's card no longer holds its bytes afterwards.
func TestApplyLetsGoOfStoredPhotos(t *testing.T) {
	db := openDB(t)
	plan, res := importFile(t, db, readFile(t, "apple-3.0.vcf"), DefaultChoices())
	if res.Photos != 1 {
		t.Fatalf("got %d photos stored, want 1", res.Photos)
	}
	cs, err := db.Customers([]model.ID{res.IDs[1]})
	if err != nil || len(cs) != 1 {
		t.Fatalf("got %d customers, %v", len(cs), err)
	}
	got, err := db.Photo(cs[0].Photo)
	if want := readFile(t, "photo.png"); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("got photo of %d bytes (%v), want photo.png (%d bytes)", len(got), err, len(want))
	}
	e := &plan.Entries[0]
	if e.Group != GroupNew || e.Card.PhotoData != nil {
		t.Fatalf("got group %d and %d photo bytes held, want GroupNew and none", e.Group, len(e.Card.PhotoData))
	}
}
