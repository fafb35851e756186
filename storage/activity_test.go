package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage/demo"
)

// TestGestureStamps checks the index-only read against the gestures
// themselves: the window, deletions, status changes and merged owners.
func TestGestureStamps(t *testing.T) {
	db := openTest(t)
	a, b := newCustomer("Jörg", "Weiß", ""), newCustomer("Łukasz", "Öztürk", "")
	mustOK(t, db.CreateCustomer(a))
	mustOK(t, db.CreateCustomer(b))
	var gs []*model.Gesture
	for i := 0; i < 6; i++ {
		c := a
		if i%2 == 1 {
			c = b
		}
		g := &model.Gesture{CustomerID: c.ID, Kind: model.GestureGift, Title: fmt.Sprintf("Geste %d", i)}
		mustOK(t, db.CreateGesture(g))
		gs = append(gs, g)
	}
	mustOK(t, db.SetGestureStatus(gs[2].ID, model.GestureOffered))
	mustOK(t, db.DeleteGesture(gs[3].ID))
	mustOK(t, db.MergeCustomers(a.ID, b.ID))

	got, err := db.GestureStamps(gs[1].Created, gs[5].Created)
	mustOK(t, err)
	want := []model.GestureStamp{
		{CustomerID: a.ID, Created: gs[1].Created, Status: model.GestureIdea}, // b's, now a's
		{CustomerID: a.ID, Created: gs[2].Created, Status: model.GestureOffered},
		{CustomerID: a.ID, Created: gs[4].Created, Status: model.GestureIdea},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d stamps %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i].CustomerID != want[i].CustomerID || !got[i].Created.Equal(want[i].Created.Truncate(time.Millisecond)) || got[i].Status != want[i].Status {
			t.Errorf("stamp %d: got %+v, want %+v", i, got[i], want[i])
		}
	}

	all, err := db.GestureStamps(time.Time{}, time.Time{})
	mustOK(t, err)
	if len(all) != 5 {
		t.Errorf("without bounds: got %d stamps, want the 5 live gestures", len(all))
	}
	none, err := db.GestureStamps(gs[5].Created.Add(time.Second), time.Time{})
	mustOK(t, err)
	if len(none) != 0 {
		t.Errorf("after the newest: got %d stamps, want 0", len(none))
	}
}

// BenchmarkGestureStamps compares the index-only read of a year of
// gestures with decoding them, on 100,000 customers and 50,000 gestures
// (the large set's; without its notes and follow-ups, which these reads
// never touch). KK_BENCH_DB uses the large set instead.
func BenchmarkGestureStamps(b *testing.B) {
	path := os.Getenv("KK_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "gestures.db")
		db, err := Open(path, Options{Now: func() time.Time { return benchNow }, NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		spec := demo.Large(benchNow)
		spec.Notes, spec.FollowUps = 0, 0
		if err := demo.Generate(context.Background(), spec, 0, func(bk model.Bulk) error {
			return db.BulkLoad(context.Background(), bk, nil)
		}); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
	db, err := Open(path, Options{Now: func() time.Time { return benchNow }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	from := model.MonthsStart(benchNow, 12)
	b.Run("stamps", func(b *testing.B) {
		n := 0
		for b.Loop() {
			st, err := db.GestureStamps(from, time.Time{})
			if err != nil {
				b.Fatal(err)
			}
			n = len(st)
		}
		b.ReportMetric(float64(n), "gestures")
	})
	b.Run("decode", func(b *testing.B) {
		n := 0
		for b.Loop() {
			gs, err := db.Gestures(model.GestureFilter{From: from})
			if err != nil {
				b.Fatal(err)
			}
			n = len(gs)
		}
		b.ReportMetric(float64(n), "gestures")
	})
}
