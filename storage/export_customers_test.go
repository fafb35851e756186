package storage

import (
	"bytes"
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

// An export keeps what it read of a customer: later windows make the
// customer from that, and one left out (here: without the tag, or
// missing) stays left out.
func TestExportCustomersKeep(t *testing.T) {
	db, cs := exportFixture(t)
	x := newExportCustomers("VIP")
	missing := model.NewID()
	err := db.view(func(tx *bolt.Tx) error {
		recs := recBucket(tx, model.TypeCustomer)
		for _, id := range append([]model.ID{missing}, cs[0].ID, cs[1].ID) {
			if _, known := x.has(id); known {
				t.Errorf("customer %s known before it was read", id)
			}
			if err := x.keep(tx, id, recs.Get(idBytes(id))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		id   model.ID
		want *model.Customer
	}{{"missing", missing, nil}, {"with tag", cs[0].ID, cs[0]}, {"without tag", cs[1].ID, nil}} {
		shown, known := x.has(tt.id)
		got, gotKnown := x.get(tt.id)
		again, _ := x.get(tt.id)
		switch {
		case !known || !gotKnown || shown != (tt.want != nil) || (got == nil) != (tt.want == nil):
			t.Errorf("%s: got %v (shown %v, known %v %v), want %v", tt.name, got, shown, known, gotKnown, tt.want)
		case got != nil && (got == again || got.DisplayName() != tt.want.DisplayName()):
			t.Errorf("%s: got %p %q, then %p, want a new %q each time", tt.name, got, got.DisplayName(), again, tt.want.DisplayName())
		}
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
	if err := x.prefetch(db, r, db.newExportPages(defaultExportMemory), 1<<20); err != nil {
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
	if x.perWindow {
		t.Error("got customers kept per window, want for the whole export")
	}
	// Customers that would take more than the budget are not read: the
	// windows read and keep their own.
	small := newExportCustomers("")
	if err := small.prefetch(db, r, db.newExportPages(defaultExportMemory), int64(len(want)-1)*packedCost); err != nil {
		t.Fatal(err)
	}
	if len(small.at) != 0 || !small.perWindow {
		t.Errorf("got %d customers read, per window %v; want none, per window", len(small.at), small.perWindow)
	}
}

// ascending gives what Get gives for keys asked in ascending order,
// near and far, present and absent, past the last key too.
func TestAscendingMatchesGet(t *testing.T) {
	db := openTest(t)
	name := []byte("ascending-test")
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(name)
		if err != nil {
			return err
		}
		for i := 0; i < 3000; i += 3 {
			if err := b.Put([]byte{byte(i >> 8), byte(i)}, []byte{byte(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []int{1, 2, 5, 40, 700} {
		err := db.view(func(tx *bolt.Tx) error {
			b := tx.Bucket(name)
			a := ascending{c: b.Cursor()}
			for i := step / 2; i < 3100; i += step {
				k := []byte{byte(i >> 8), byte(i)}
				if got, want := a.get(k), b.Get(k); !bytes.Equal(got, want) || (got == nil) != (want == nil) {
					t.Fatalf("step %d, key %d: got %v, want %v", step, i, got, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
