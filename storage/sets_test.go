package storage

import (
	"encoding/json"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/model/crdt"
)

// exchange gives each database the whole log of the other.
func exchange(t *testing.T, dbs ...*DB) {
	t.Helper()
	for round := 0; round < 2; round++ {
		for _, a := range dbs {
			for _, b := range dbs {
				if a != b {
					_, err := b.ApplyOps(allOps(t, a))
					mustOK(t, err)
				}
			}
		}
	}
}

func mustCustomer(t *testing.T, db *DB, id model.ID) *model.Customer {
	t.Helper()
	c, err := db.Customer(id)
	mustOK(t, err)
	return c
}

func conflictsOf(t *testing.T, db *DB) string {
	t.Helper()
	cs, err := db.Conflicts()
	mustOK(t, err)
	b, err := json.Marshal(cs)
	mustOK(t, err)
	return string(b)
}

// TestListsFromTwoDevicesCombine is the story of the two overlapping
// imports: both laptops add tags, emails and vCard UIDs to the same
// customer at once; every addition stays and nothing is a conflict.
func TestListsFromTwoDevicesCombine(t *testing.T) {
	a, b, c, _ := twoDevicesWithACustomer(t)
	ca := mustCustomer(t, a, c.ID)
	ca.Tags = append(ca.Tags, "Messe Basel")
	ca.Emails = append(ca.Emails, model.Email{Label: "work", Address: "reto@holz.ch"})
	ca.ExternalUIDs = append(ca.ExternalUIDs, "apple-1")
	mustOK(t, a.UpdateCustomer(ca))
	cb := mustCustomer(t, b, c.ID)
	cb.Tags = append(cb.Tags, "Newsletter", "messe basel")
	cb.Emails = append(cb.Emails, model.Email{Label: "home", Address: "reto@gmx.ch"})
	cb.ExternalUIDs = append(cb.ExternalUIDs, "google-7")
	mustOK(t, b.UpdateCustomer(cb))
	exchange(t, a, b)
	if got, want := dump(t, a), dump(t, b); got != want {
		t.Fatalf("devices differ:\n got %s\nwant %s", got, want)
	}
	got := mustCustomer(t, a, c.ID)
	tests := []struct {
		name      string
		got, want []string
	}{
		{"tags (folded: both wrote Messe Basel)", folded(got.Tags), []string{"messe basel", "newsletter"}},
		{"emails", addresses(got.Emails), []string{"reto@holz.ch", "reto@gmx.ch"}},
		{"external uids", got.ExternalUIDs, []string{"apple-1", "google-7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !sameSet(tt.got, tt.want) {
				t.Errorf("got %q, want %q in any order", tt.got, tt.want)
			}
		})
	}
	if cs := conflictsOf(t, a); cs != "null" {
		t.Errorf("conflicts: got %s, want none", cs)
	}
	// A removal on one device removes only what it had seen.
	ca = mustCustomer(t, a, c.ID)
	ca.Tags = nil
	mustOK(t, a.UpdateCustomer(ca))
	cb = mustCustomer(t, b, c.ID)
	cb.Tags = append(cb.Tags, "VIP")
	mustOK(t, b.UpdateCustomer(cb))
	exchange(t, a, b)
	for _, db := range []*DB{a, b} {
		if got := mustCustomer(t, db, c.ID).Tags; !slices.Equal(got, []string{"VIP"}) {
			t.Errorf("tags after a removal and a concurrent addition: got %q, want [VIP]", got)
		}
	}
	mustCheck(t, a)
	mustCheck(t, b)
}

func addresses(es []model.Email) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Address)
	}
	return out
}

func folded(ss []string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, model.Fold(s))
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestOldFormatListOpsStillApply: a segment or log written before sets
// existed carries whole lists. They apply as an assignment of what their
// writer had; an addition made after them on another device stays.
func TestOldFormatListOpsStillApply(t *testing.T) {
	a, b, c, _ := twoDevicesWithACustomer(t)
	ops := allOps(t, a)
	create := ops[len(ops)-1]
	old := model.Op{Type: model.TypeCustomer, ID: c.ID, Field: "tags", Value: json.RawMessage(`["Alt","Treu","alt"]`),
		HLC: create.HLC + 1000, Device: "0193a4b2-7c1d-7e00-8000-0000000000aa", Author: "Lea", Prev: create.HLC}
	res, err := b.ApplyOps([]model.Op{old})
	mustOK(t, err)
	if res.Applied != 1 {
		t.Fatalf("applied: got %d, want 1", res.Applied)
	}
	if got := mustCustomer(t, b, c.ID).Tags; !slices.Equal(got, []string{"Alt", "Treu"}) {
		t.Fatalf("tags after the old op: got %q, want [Alt Treu]", got)
	}
	if res, _ := b.ApplyOps([]model.Op{old}); res.Applied != 0 {
		t.Errorf("applying the old op again: got %d applied, want 0", res.Applied)
	}
	cb := mustCustomer(t, b, c.ID)
	cb.Tags = append(cb.Tags, "Neu")
	mustOK(t, b.UpdateCustomer(cb))
	_, err = a.ApplyOps(append(allOps(t, b), old)) // in any order
	mustOK(t, err)
	for _, db := range []*DB{a, b} {
		if got := mustCustomer(t, db, c.ID).Tags; !slices.Equal(got, []string{"Alt", "Treu", "Neu"}) {
			t.Errorf("tags: got %q, want [Alt Treu Neu]", got)
		}
	}
	if got, want := dump(t, a), dump(t, b); got != want {
		t.Errorf("devices differ:\n got %s\nwant %s", got, want)
	}
}

// TestEditAfterDeleteIsKeptAndRestorable: b edits a customer that a
// deleted; the edit is a conflict on both, named by b's device (no user
// name is set), and restoring it on a brings the customer back with it.
func TestEditAfterDeleteIsKeptAndRestorable(t *testing.T) {
	a, b, c, _ := twoDevicesWithACustomer(t)
	mustOK(t, a.DeleteCustomer(c.ID))
	cb := mustCustomer(t, b, c.ID)
	cb.Memo = "Rückruf Montag"
	mustOK(t, b.UpdateCustomer(cb))
	exchange(t, a, b)
	cs, err := a.Conflicts()
	mustOK(t, err)
	if len(cs) != 1 || cs[0].Kind != model.ConflictDeleted || cs[0].Field != "memo" || cs[0].LostBy != crdt.ShortDevice(b.DeviceID()) {
		t.Fatalf("conflicts on a: got %+v, want the memo written on b after the deletion", cs)
	}
	if got, want := conflictsOf(t, b), conflictsOf(t, a); got != want {
		t.Fatalf("b lists other conflicts than a:\n got %s\nwant %s", got, want)
	}
	mustOK(t, a.ResolveConflict(cs[0]))
	exchange(t, a, b)
	for _, db := range []*DB{a, b} {
		got, err := db.Customer(c.ID)
		if err != nil || got.Memo != "Rückruf Montag" {
			t.Fatalf("after restore: got %v, %v, want the customer with b's memo", got, err)
		}
		if cs := conflictsOf(t, db); cs != "null" {
			t.Errorf("conflicts after restore: got %s, want none", cs)
		}
	}
}

// TestEditOfMergedCustomerReachesSurvivor: a merges the duplicate into
// the survivor while b edits the duplicate. The edit is a conflict on the
// survivor; taking it hands b's memo and tag to the survivor everywhere.
func TestEditOfMergedCustomerReachesSurvivor(t *testing.T) {
	a, b, dup, _ := twoDevicesWithACustomer(t)
	s := newCustomer("Reto", "Brändli", "Holzbau Graf GmbH")
	s.Memo = "Stammkunde"
	mustOK(t, a.CreateCustomer(s))
	exchange(t, a, b)
	mustOK(t, a.MergeCustomers(s.ID, dup.ID))
	cb := mustCustomer(t, b, dup.ID)
	cb.Memo, cb.Tags = "will Offerte", []string{"Messe Basel"}
	mustOK(t, b.UpdateCustomer(cb))
	exchange(t, a, b)
	cs, err := b.Conflicts()
	mustOK(t, err)
	if len(cs) != 2 || cs[0].Kind != model.ConflictMerged || cs[0].Into != s.ID {
		t.Fatalf("conflicts on b: got %+v, want memo and tags merged into the survivor", cs)
	}
	if got, want := conflictsOf(t, a), conflictsOf(t, b); got != want {
		t.Fatalf("a lists other conflicts than b:\n got %s\nwant %s", got, want)
	}
	mustOK(t, b.ResolveConflict(cs[0]))
	exchange(t, a, b)
	for _, db := range []*DB{a, b} {
		got := mustCustomer(t, db, s.ID)
		if got.Memo != "will Offerte" || !slices.Contains(got.Tags, "Messe Basel") {
			t.Errorf("survivor: got memo %q, tags %q, want b's edits", got.Memo, got.Tags)
		}
		if cs := conflictsOf(t, db); cs != "null" {
			t.Errorf("conflicts after taking: got %s, want none", cs)
		}
		if got := mustCustomer(t, db, dup.ID); got.ID != s.ID {
			t.Errorf("duplicate: got %s, want it still merged into %s", got.ID, s.ID)
		}
	}
}

// TestConflictsAreSharedData: two devices list the same conflict,
// dismissing it on one ends it on both, an edit of the field ends it too,
// and a device that joins later does not rebuild the resolved ones.
func TestConflictsAreSharedData(t *testing.T) {
	a, b, c, _ := twoDevicesWithACustomer(t)
	edit := func(db *DB, memo string) {
		t.Helper()
		x := mustCustomer(t, db, c.ID)
		x.Memo = memo
		mustOK(t, db.UpdateCustomer(x))
	}
	edit(a, "von A")
	edit(b, "von B")
	exchange(t, a, b)
	cs, err := a.Conflicts()
	mustOK(t, err)
	if len(cs) != 1 {
		t.Fatalf("conflicts: got %d, want 1", len(cs))
	}
	if got, want := conflictsOf(t, b), conflictsOf(t, a); got != want {
		t.Fatalf("b lists other conflicts than a:\n got %s\nwant %s", got, want)
	}
	mustOK(t, b.DismissConflict(cs[0]))
	exchange(t, a, b)
	for _, db := range []*DB{a, b} {
		if cs := conflictsOf(t, db); cs != "null" {
			t.Errorf("after dismissing on b: got %s, want none", cs)
		}
	}
	edit(a, "wieder A")
	edit(b, "wieder B")
	exchange(t, a, b)
	edit(a, "endgültig") // after seeing both: the conflict drops out
	exchange(t, a, b)
	late := openTest(t)
	_, err = late.ApplyOps(allOps(t, b))
	mustOK(t, err)
	for _, db := range []*DB{a, b, late} {
		if cs := conflictsOf(t, db); cs != "null" {
			t.Errorf("after a later edit: got %s, want none", cs)
		}
		if got := mustCustomer(t, db, c.ID).Memo; got != "endgültig" {
			t.Errorf("memo: got %q, want endgültig", got)
		}
	}
}

// TestHasKeySeesEmptyValuesOfTheSameTransaction: bbolt's Get returns nil
// for an empty value put in the same transaction, which made relist miss
// a listing it had just written and leave a merged customer in the
// indexes (found by TestPropertyStorageSets).
func TestHasKeySeesEmptyValuesOfTheSameTransaction(t *testing.T) {
	db := openTest(t)
	mustOK(t, db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIdx).Bucket(idxCustSort)
		k := []byte("meier jurg\x00id")
		if hasKey(b, k) {
			t.Error("hasKey before the put: got true, want false")
		}
		mustOK(t, b.Put(k, nil))
		if !hasKey(b, k) {
			t.Error("hasKey after the put: got false, want true")
		}
		return b.Delete(k)
	}))
}

// TestConcurrentLabelsOfOneEmail: two devices relabel the same address;
// the newest label shows, the other is a conflict of that element on both,
// and taking it on one device settles it on both.
func TestConcurrentLabelsOfOneEmail(t *testing.T) {
	a, b, c, _ := twoDevicesWithACustomer(t)
	ca := mustCustomer(t, a, c.ID)
	ca.Emails = []model.Email{{Label: "work", Address: "reto@holz.ch"}}
	mustOK(t, a.UpdateCustomer(ca))
	exchange(t, a, b)
	relabel := func(db *DB, label string) {
		t.Helper()
		x := mustCustomer(t, db, c.ID)
		x.Emails[0].Label = label
		mustOK(t, db.UpdateCustomer(x))
	}
	relabel(a, "Büro")
	relabel(b, "Werkstatt")
	exchange(t, a, b)
	cs, err := a.Conflicts()
	mustOK(t, err)
	if len(cs) != 1 || cs[0].Field != "emails" || cs[0].Key != "reto@holz.ch" {
		t.Fatalf("conflicts: got %+v, want one on the email reto@holz.ch", cs)
	}
	if got, want := conflictsOf(t, b), conflictsOf(t, a); got != want {
		t.Fatalf("b lists other conflicts than a:\n got %s\nwant %s", got, want)
	}
	var lost model.Email
	mustOK(t, json.Unmarshal(cs[0].Lost, &lost))
	mustOK(t, b.ResolveConflict(cs[0]))
	exchange(t, a, b)
	for _, db := range []*DB{a, b} {
		got := mustCustomer(t, db, c.ID).Emails
		if len(got) != 1 || got[0].Label != lost.Label {
			t.Errorf("emails: got %v, want the taken label %q", got, lost.Label)
		}
		if cs := conflictsOf(t, db); cs != "null" {
			t.Errorf("conflicts after taking: got %s, want none", cs)
		}
	}
}
