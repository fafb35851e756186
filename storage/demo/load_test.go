package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/storage/demo"
)

// TestLoadIntoStorage loads the small set the way the app's demo command
// does and checks that storage accepts every record and derives the same
// stats from them as model.ComputeStats over the generated records.
func TestLoadIntoStorage(t *testing.T) {
	now := time.Date(2026, 3, 30, 7, 45, 0, 0, time.UTC)
	spec := demo.Small(now)
	db, err := storage.Open(filepath.Join(t.TempDir(), "demo.db"), storage.Options{Now: func() time.Time { return now }, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	ctx := context.Background()
	var all model.Bulk
	err = demo.Generate(ctx, spec, 64, func(b model.Bulk) error {
		all.Customers = append(all.Customers, b.Customers...)
		all.Notes = append(all.Notes, b.Notes...)
		all.FollowUps = append(all.FollowUps, b.FollowUps...)
		all.Gestures = append(all.Gestures, b.Gestures...)
		all.Events = append(all.Events, b.Events...)
		return db.BulkLoad(ctx, b, nil)
	})
	if err != nil {
		t.Fatalf("Generate and BulkLoad: %v", err)
	}

	dir := db.Directory()
	if got := dir.Len(); got != spec.Customers {
		t.Errorf("customers in the directory: got %d, want %d", got, spec.Customers)
	}
	events, err := db.Events()
	if err != nil || len(events) != spec.Events {
		t.Errorf("events: got %d, %v; want %d", len(events), err, spec.Events)
	}

	type records struct {
		notes     []model.Note
		followUps []model.FollowUp
		gestures  []model.Gesture
	}
	by := map[model.ID]*records{}
	for _, c := range all.Customers {
		by[c.ID] = &records{}
	}
	for _, n := range all.Notes {
		by[n.CustomerID].notes = append(by[n.CustomerID].notes, n)
	}
	for _, f := range all.FollowUps {
		by[f.CustomerID].followUps = append(by[f.CustomerID].followUps, f)
	}
	for _, g := range all.Gestures {
		by[g.CustomerID].gestures = append(by[g.CustomerID].gestures, g)
	}
	openComplaints := 0
	for _, c := range all.Customers {
		r := by[c.ID]
		want := model.ComputeStats(r.notes, r.followUps, r.gestures)
		if want.OpenComplaint {
			openComplaints++
		}
		tl, err := db.Timeline(c.ID)
		if err != nil {
			t.Fatalf("Timeline(%s): %v", c.DisplayName(), err)
		}
		got := tl.Stats
		if len(tl.Notes) != len(r.notes) || len(tl.FollowUps) != len(r.followUps) || len(tl.Gestures) != len(r.gestures) {
			t.Errorf("%s: timeline has %d notes, %d follow-ups, %d gestures; want %d, %d, %d", c.DisplayName(),
				len(tl.Notes), len(tl.FollowUps), len(tl.Gestures), len(r.notes), len(r.followUps), len(r.gestures))
		}
		if got.OpenComplaint != want.OpenComplaint || got.Notes != want.Notes || got.OpenFollowUps != want.OpenFollowUps ||
			got.Gestures != want.Gestures || !got.LastContact.Equal(want.LastContact) || !got.NextFollowUp.Equal(want.NextFollowUp) ||
			got.LastImpression != want.LastImpression {
			t.Errorf("%s: stats from storage\n got %+v\nwant %+v", c.DisplayName(), got, want)
		}
	}
	if openComplaints == 0 {
		t.Error("want some open complaints in the small set")
	}
	if got := len(dir.Search(model.Query{OpenComplaint: true, Now: now})); got != openComplaints {
		t.Errorf("directory search for open complaints: got %d, want %d", got, openComplaints)
	}
	if got := len(dir.Search(model.Query{Text: "Müller", Now: now})); got == 0 {
		t.Error("search for Müller: got none, want some")
	}
}
