package storage

import (
	"context"
	"sync"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestBulkRunAnnouncesItsChangesOnce: during a bulk run the subscribers
// hear nothing of its chunks; at its end they hear of every customer it
// saved, once. Another write during the run is announced as it commits.
func TestBulkRunAnnouncesItsChangesOnce(t *testing.T) {
	db := openTest(t)
	var mu sync.Mutex
	var heard [][]model.Change
	db.Subscribe(func(ch []model.Change) {
		mu.Lock()
		heard = append(heard, ch)
		mu.Unlock()
	})
	calls := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(heard)
	}
	end := db.BeginBulk()
	cs := importCards(5000, 0) // three chunks in the first call
	mustOK(t, db.SaveCustomers(context.Background(), cs[:4500], nil, nil))
	mustOK(t, db.SaveCustomers(context.Background(), cs[4500:], nil, nil))
	if n := calls(); n != 0 {
		t.Fatalf("got %d announcements during the run, want none", n)
	}
	other := newCustomer("Anna", "Zwischendurch", "")
	mustOK(t, db.CreateCustomer(other))
	if n := calls(); n != 1 {
		t.Fatalf("got %d announcements after a write of its own, want 1", n)
	}
	end()
	if n := calls(); n != 2 {
		t.Fatalf("got %d announcements after the run, want 2", n)
	}
	ids := map[model.ID]bool{}
	for _, ch := range heard[1] {
		if ch.Type == model.TypeCustomer {
			for _, id := range ch.IDs {
				ids[id] = true
			}
		}
	}
	for _, c := range cs {
		if !ids[c.ID] {
			t.Fatalf("the run's announcement misses customer %s (%d announced)", c.ID, len(ids))
		}
	}
	if ids[other.ID] {
		t.Error("the run announced the other write again")
	}
	mustOK(t, db.SaveCustomers(context.Background(), importCards(10, 1), nil, nil))
	if n := calls(); n != 3 {
		t.Errorf("got %d announcements after a save outside a run, want 3", n)
	}
}
