package storage

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// What an export keeps of a customer gives what a calendar reads of the
// stored one: the same DisplayName, PrimaryEmail, PrimaryPhone, address
// line, kind, names, company and Updated.
func TestPackedCustomerShowsTheSame(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := range 5000 {
		c := randomCustomer(r)
		switch i % 4 {
		case 0:
			c.Updated = time.Time{}
		case 1:
			c.Updated = time.Date(2026, 12, 7, 14, 30, 5, 123456789, time.FixedZone("CET", 3600))
		}
		got := unpackCustomer(c.ID, packCustomer(nil, c))
		var addr, gotAddr string
		if a := c.PrimaryAddress(); a != nil {
			addr = a.OneLine()
		}
		if a := got.PrimaryAddress(); a != nil {
			gotAddr = a.OneLine()
		}
		for _, p := range []struct{ what, got, want string }{
			{"ID", got.ID.String(), c.ID.String()},
			{"DisplayName", got.DisplayName(), c.DisplayName()},
			{"PrimaryEmail", got.PrimaryEmail(), c.PrimaryEmail()},
			{"PrimaryPhone", got.PrimaryPhone(), c.PrimaryPhone()},
			{"address", gotAddr, addr},
			{"kind", string(got.Kind), string(c.Kind)},
			{"names", got.GivenName + "|" + got.FamilyName + "|" + got.Company, c.GivenName + "|" + c.FamilyName + "|" + c.Company},
		} {
			if p.got != p.want {
				t.Fatalf("customer %d %s: got %q, want %q", i, p.what, p.got, p.want)
			}
		}
		if (c.PrimaryAddress() == nil) != (got.PrimaryAddress() == nil) {
			t.Fatalf("customer %d: got address %v, want %v", i, got.PrimaryAddress(), c.PrimaryAddress())
		}
		if !got.Updated.Equal(c.Updated) || got.Updated.IsZero() != c.Updated.IsZero() {
			t.Fatalf("customer %d: got Updated %v, want %v", i, got.Updated, c.Updated)
		}
	}
}

// An export reads each customer once: later windows take it from memory,
// and a customer left out (here: without the tag) stays left out.
func TestExportCustomersReadOnce(t *testing.T) {
	db, cs := exportFixture(t)
	x := newExportCustomers("VIP")
	err := db.view(func(tx *bolt.Tx) error {
		recs := recBucket(tx, model.TypeCustomer)
		for _, c := range cs {
			if _, known := x.get(c.ID); known {
				t.Errorf("customer %s known before it was read", c.ID)
			}
			got, err := x.read(tx, recs, c.ID)
			if err != nil {
				return err
			}
			again, known := x.get(c.ID)
			if !known || (got == nil) != (again == nil) || !c.HasTag("VIP") != (got == nil) {
				t.Errorf("customer %s (tags %v): read %v, then %v (known %v)", c.ID, c.Tags, got, again, known)
			}
			if again != nil && (again == got || again.DisplayName() != c.DisplayName()) {
				t.Errorf("customer %s: got %p %q again, want a new %q", c.ID, again, again.DisplayName(), c.DisplayName())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// prefetch reads the customers of the follow-ups a reader selects, from
// where it stands, and leaves the reader where it was.
func TestExportCustomersPrefetch(t *testing.T) {
	db, cs := exportFixture(t)
	lonely := newCustomer("Ohne", "Wiedervorlage", "")
	if err := db.CreateCustomer(lonely); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	f := model.FollowUpFilter{Statuses: []model.FollowUpStatus{model.FollowUpDone}, From: from, To: from.Add(6 * time.Hour)}
	r := &fuReader{f: f}
	r.seekStatuses(f.Statuses)
	before := r.clone()
	x := newExportCustomers("")
	if err := x.prefetch(db, r, db.newExportPages(defaultExportMemory)); err != nil {
		t.Fatal(err)
	}
	if r.done || !reflect.DeepEqual(r.next, before.next) {
		t.Errorf("got the reader moved to %q (done %v), want it at %q", r.next, r.done, before.next)
	}
	fus, err := db.FollowUps(f)
	if err != nil {
		t.Fatal(err)
	}
	want := map[model.ID]bool{}
	for _, fu := range fus {
		want[fu.CustomerID] = true
	}
	if len(want) == 0 || len(want) == len(cs) {
		t.Fatalf("got %d customers in the selection, want some of %d", len(want), len(cs))
	}
	for _, c := range append(cs, lonely) {
		got, known := x.get(c.ID)
		if known != want[c.ID] || known && (got == nil || got.DisplayName() != c.DisplayName()) {
			t.Errorf("customer %s: got %v (known %v), want known %v", c.DisplayName(), got, known, want[c.ID])
		}
	}
}
