//go:build integration

// This test needs the real storage package, still being written beside this
// one; run it with: CGO_ENABLED=0 go test -tags integration ./sync/ical/

package ical_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/sync/ical"
)

// TestWithStorage runs the export against the real store: Collect finds the
// customer and the note, an update raises SEQUENCE under the same UID, and
// the automatic export follows the store's change notifications.
func TestWithStorage(t *testing.T) {
	now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	db, err := storage.Open(filepath.Join(t.TempDir(), "k.db"), storage.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	c := &model.Customer{Company: "Müller AG", Phones: []model.Phone{{Number: "+41 44 123 45 67"}}}
	if err := db.CreateCustomer(c); err != nil {
		t.Fatal(err)
	}
	n := &model.Note{CustomerID: c.ID, At: now, Kind: model.NoteVisit, Text: "Wünscht Offerte"}
	if err := db.AddNote(n); err != nil {
		t.Fatal(err)
	}
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	f := &model.FollowUp{CustomerID: c.ID, Title: "Offerte nachfassen", TZ: "Europe/Zurich", NoteID: n.ID,
		Due: time.Date(2026, 7, 15, 9, 0, 0, 0, zurich), Duration: 30, Reminder: 15}
	if err := db.CreateFollowUp(f); err != nil {
		t.Fatal(err)
	}
	opt := ical.Options{Now: func() time.Time { return now }}

	export := func() string {
		t.Helper()
		items, err := ical.Collect(db, ical.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].Customer == nil || items[0].Note == nil {
			t.Fatalf("got %+v, want the follow-up with its customer and note", items)
		}
		var b strings.Builder
		if err := ical.Encode(&b, items, nil, opt); err != nil {
			t.Fatal(err)
		}
		return strings.ReplaceAll(b.String(), "\r\n ", "") // unfolded
	}
	first := export()
	for _, want := range []string{"UID:" + ical.UID(f.ID), "DTSTART;TZID=Europe/Zurich:20260715T090000", "Wünscht Offerte"} {
		if !strings.Contains(first, want) {
			t.Errorf("first export lacks %q", want)
		}
	}

	path := filepath.Join(t.TempDir(), "auto.ics")
	errs := make(chan error, 10)
	auto := ical.NewAutoExporter(db, func() ([]ical.Item, []ical.EventItem, error) {
		items, err := ical.Collect(db, ical.Filter{})
		return items, nil, err
	}, path, ical.Options{Now: opt.Now, Debounce: time.Hour}, func(err error) { errs <- err })

	stored, err := db.FollowUp(f.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored.Due = time.Date(2026, 12, 3, 9, 0, 0, 0, zurich)
	if err := db.UpdateFollowUp(stored); err != nil {
		t.Fatal(err)
	}
	second := export()
	seq := func(s string) int {
		for _, l := range strings.Split(s, "\r\n") {
			if v, ok := strings.CutPrefix(l, "SEQUENCE:"); ok {
				n, err := strconv.Atoi(v)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
		}
		return -1
	}
	if seq(first) >= seq(second) {
		t.Errorf("got SEQUENCE %d then %d, want it raised", seq(first), seq(second))
	}
	if !strings.Contains(second, "UID:"+ical.UID(f.ID)) || !strings.Contains(second, "DTSTART;TZID=Europe/Zurich:20261203T090000") {
		t.Errorf("second export lacks the UID or the new winter time:\n%s", second)
	}

	auto.Close() // writes the change still waiting for its quiet time
	select {
	case err := <-errs:
		t.Fatalf("auto export: %v", err)
	default:
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "DTSTART;TZID=Europe/Zurich:20261203T090000") {
		t.Errorf("auto export did not follow the update:\n%s", b)
	}
}
