package storage

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// exportFixture stores 40 customers (every fourth tagged "vip") with 1,300
// follow-ups of all statuses, many due at the same instant, so that the
// export crosses batches and has ties between statuses.
func exportFixture(t *testing.T) (*DB, []*model.Customer) {
	t.Helper()
	db := openTest(t)
	var cs []*model.Customer
	for i := range 40 {
		c := newCustomer(fmt.Sprintf("Vorname%d", i), fmt.Sprintf("Name%02d", i), "")
		if i%4 == 0 {
			c.Tags = []string{"vip"}
		}
		if err := db.CreateCustomer(c); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	statuses := []model.FollowUpStatus{model.FollowUpOpen, model.FollowUpDone, model.FollowUpCancelled}
	start := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	b := model.Bulk{}
	for i := range 1300 {
		b.FollowUps = append(b.FollowUps, model.FollowUp{
			CustomerID: cs[i%len(cs)].ID, Due: start.Add(time.Duration(i/7) * time.Hour), TZ: "Europe/Zurich",
			Title: fmt.Sprintf("Nachfassen %d", i), Status: statuses[i%3], Assignee: []string{"Anna", "Beat"}[i%2],
		})
	}
	if err := db.BulkLoad(context.Background(), b, nil); err != nil {
		t.Fatal(err)
	}
	return db, cs
}

func TestExportFollowUpsMatchesFollowUps(t *testing.T) {
	db, cs := exportFixture(t)
	if err := db.DeleteCustomer(cs[1].ID); err != nil {
		t.Fatal(err)
	}
	all := []model.FollowUpStatus{model.FollowUpOpen, model.FollowUpDone, model.FollowUpCancelled}
	from := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		f    model.FollowUpFilter
	}{
		{"open", model.FollowUpFilter{Statuses: []model.FollowUpStatus{model.FollowUpOpen}}},
		{"all statuses", model.FollowUpFilter{Statuses: all}},
		{"done before open", model.FollowUpFilter{Statuses: []model.FollowUpStatus{model.FollowUpDone, model.FollowUpOpen}}},
		{"from to", model.FollowUpFilter{Statuses: all, From: from, To: from.AddDate(0, 0, 3)}},
		{"tag", model.FollowUpFilter{Statuses: all, Tag: "VIP"}},
		{"assignee", model.FollowUpFilter{Statuses: all, Assignee: "Beat"}},
		{"one customer", model.FollowUpFilter{Statuses: all, CustomerID: cs[2].ID}},
		{"deleted customer", model.FollowUpFilter{Statuses: all, CustomerID: cs[1].ID}},
	}
	// One window of the default size; windows of 25 follow-ups, each read
	// in chunks, whose items are handed on in due order across windows,
	// with the customers read before the first window; windows of 4, too
	// small to keep the 40 customers, which each window reads for itself.
	for _, mem := range []int64{defaultExportMemory, 25 * exportWindowItem, 4 * exportWindowItem} {
		db.exportMemory = mem
		for _, tt := range tests {
			exportMatchesFollowUps(t, db, fmt.Sprintf("%s, window %d", tt.name, mem/exportWindowItem), tt.f)
		}
	}
}

// exportMatchesFollowUps checks that ExportFollowUps gives the follow-ups
// of FollowUps, in its order, with their customers and no stamps.
func exportMatchesFollowUps(t *testing.T, db *DB, name string, f model.FollowUpFilter) {
	t.Run(name, func(t *testing.T) {
		want, err := db.FollowUps(f)
		if err != nil {
			t.Fatal(err)
		}
		var got []model.CalendarItem
		batches := 0
		err = db.ExportFollowUps(f, "p", func(b []model.CalendarItem) error {
			if len(b) == 0 || len(b) > exportBatch {
				t.Errorf("got a batch of %d, want 1 to %d", len(b), exportBatch)
			}
			batches++
			got = append(got, b...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("got %d follow-ups in %d batches, want %d", len(got), batches, len(want))
		}
		for i := range want {
			g := &got[i]
			if g.FollowUp.ID != want[i].ID {
				t.Fatalf("follow-up %d: got %s, want %s", i, g.FollowUp.ID, want[i].ID)
			}
			if g.Customer == nil || g.Customer.ID != want[i].CustomerID || g.Stamp != nil {
				t.Fatalf("follow-up %d: got customer %v and stamp %v, want customer %s and no stamp", i, g.Customer, g.Stamp, want[i].CustomerID)
			}
			// Read by an earlier window or not, it shows as stored.
			c, err := db.Customer(want[i].CustomerID)
			if err != nil {
				t.Fatal(err)
			}
			if g.Customer.DisplayName() != c.DisplayName() || !g.Customer.Updated.Equal(c.Updated) {
				t.Fatalf("follow-up %d: got customer %q of %v, want %q of %v", i, g.Customer.DisplayName(), g.Customer.Updated, c.DisplayName(), c.Updated)
			}
		}
	})
}

func TestExportFollowUpsNotesAndStamps(t *testing.T) {
	db := openTest(t)
	c := newCustomer("Anna", "Muster", "")
	if err := db.CreateCustomer(c); err != nil {
		t.Fatal(err)
	}
	n := &model.Note{CustomerID: c.ID, At: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), Kind: model.NoteVisit, Text: "eins"}
	if err := db.AddNote(n); err != nil {
		t.Fatal(err)
	}
	f := &model.FollowUp{CustomerID: c.ID, Due: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), Title: "Nachfassen", NoteID: n.ID}
	if err := db.CreateFollowUp(f); err != nil {
		t.Fatal(err)
	}
	read := func(profile string) model.CalendarItem {
		t.Helper()
		var got []model.CalendarItem
		if err := db.ExportFollowUps(model.FollowUpFilter{}, profile, func(b []model.CalendarItem) error {
			got = append(got, b...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("got %d follow-ups, want 1", len(got))
		}
		return got[0]
	}
	// Revised twice: the export follows the chain to the newest text.
	last := n.ID
	for _, text := range []string{"zwei", "drei"} {
		r := &model.Note{CustomerID: c.ID, At: n.At, Kind: model.NoteVisit, Text: text}
		if err := db.ReviseNote(last, r); err != nil {
			t.Fatal(err)
		}
		last = r.ID
	}
	if got := read("p").Note; got == nil || got.Text != "drei" {
		t.Errorf("got note %+v, want the second revision", got)
	}
	st := model.CalendarStamp{Hash: [16]byte{7}, Sequence: 3, Modified: time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC)}
	if err := db.SaveCalendarStamps("p", map[model.ID]model.CalendarStamp{f.ID: st}); err != nil {
		t.Fatal(err)
	}
	if got := read("p").Stamp; got == nil || *got != st {
		t.Errorf("got stamp %+v, want %+v", got, st)
	}
	if got := read("q").Stamp; got != nil {
		t.Errorf("another profile: got stamp %+v, want none", got)
	}
	if err := db.DeleteNote(last); err != nil {
		t.Fatal(err)
	}
	if got := read("p").Note; got == nil || got.Text != "zwei" {
		t.Errorf("newest revision deleted: got note %+v, want the one before", got)
	}
	if err := db.SaveCalendarStamps("", map[model.ID]model.CalendarStamp{f.ID: st}); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("no profile: got %v, want EINVALID", err)
	}
}

func TestExportCustomers(t *testing.T) {
	db, cs := exportFixture(t)
	if err := db.DeleteCustomer(cs[5].ID); err != nil {
		t.Fatal(err)
	}
	var ids []model.ID
	for i := len(cs) - 1; i >= 0; i-- {
		ids = append(ids, cs[i].ID)
	}
	for range 10 { // more than one batch
		ids = append(ids, ids...)
	}
	var got []model.ID
	err := db.ExportCustomers(ids, func(b []*model.Customer) error {
		for _, c := range b {
			got = append(got, c.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []model.ID
	for _, id := range ids {
		if id != cs[5].ID {
			want = append(want, id)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %d customers, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("customer %d: got %s, want %s", i, got[i], want[i])
		}
	}
}

// TestCustomerIDsByName checks that the name index gives the directory's
// order of every listed customer: equal names by ID, a name before the
// longer ones it begins, folded umlauts and companies; deleted and merged
// customers left out.
func TestCustomerIDsByName(t *testing.T) {
	db := openTest(t)
	var cs []*model.Customer
	for _, n := range [][2]string{
		{"Hans", "Meier"}, {"Hans", "Meier"}, {"Hans", "Meierhans"}, {"Anna", "Müller"}, {"Anna", "Mueller"},
		{"", ""}, {"Zoe", "Ärni"}, {"Beat", "Weiß"}, {"Beat", "Weiss"}, {"Eva", "Zürcher"},
	} {
		c := newCustomer(n[0], n[1], "")
		if n[0] == "" {
			c.Kind, c.Company = model.Company, "Meier AG"
		}
		mustOK(t, db.CreateCustomer(c))
		cs = append(cs, c)
	}
	mustOK(t, db.DeleteCustomer(cs[9].ID))
	mustOK(t, db.MergeCustomers(cs[0].ID, cs[1].ID))
	got, err := db.CustomerIDsByName()
	mustOK(t, err)
	hits := db.Directory().Search(model.Query{})
	if len(got) != len(hits) || len(got) != len(cs)-2 {
		t.Fatalf("got %d IDs, want %d (directory %d)", len(got), len(cs)-2, len(hits))
	}
	for i, h := range hits {
		if got[i] != h.ID {
			t.Errorf("customer %d: got %s, want %s (%s)", i, got[i], h.ID, h.Summary().Name)
		}
	}
}
