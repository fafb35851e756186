package storage

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// lazyFixture makes a database with three customers, one open follow-up
// and a current directory snapshot, and returns its path.
func lazyFixture(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "k.db")
	db, err := Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	var first *model.Customer
	for _, n := range []string{"Müller", "Weiß", "Brändli"} {
		c := newCustomer("Hans", n, "")
		mustOK(t, db.CreateCustomer(c))
		if first == nil {
			first = c
		}
	}
	f := &model.FollowUp{CustomerID: first.ID, Due: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), Title: "Nachfassen"}
	mustOK(t, db.CreateFollowUp(f))
	mustOK(t, db.Close())
	return path
}

// exportAndStamp reads the open follow-ups as the .ics export does and
// stores their stamps: a write that changes no customer.
func exportAndStamp(t *testing.T, db *DB) {
	t.Helper()
	stamps := map[model.ID]model.CalendarStamp{}
	mustOK(t, db.ExportFollowUps(model.FollowUpFilter{}, "p", func(items []model.CalendarItem) error {
		for _, it := range items {
			stamps[it.FollowUp.ID] = model.CalendarStamp{Sequence: 1, Modified: time.UnixMilli(1e12)}
		}
		return nil
	}))
	if len(stamps) != 1 {
		t.Fatalf("got %d follow-ups, want 1", len(stamps))
	}
	mustOK(t, db.SaveCalendarStamps("p", stamps))
}

// TestLazyDirectory checks that a lazily opened database loads its
// directory only when something uses it, that the directory is then
// right, and that Close leaves a snapshot the next Open uses: rewritten
// only after a customer changed, kept (its header restamped in place)
// after writes that change none.
func TestLazyDirectory(t *testing.T) {
	tests := []struct {
		name       string
		lazy       bool
		do         func(t *testing.T, db *DB)
		wantLoaded bool
		wantSame   bool // the snapshot file is the one Open found
		wantLen    int
	}{
		{"lazy, nothing", true, func(t *testing.T, db *DB) {}, false, true, 3},
		{"lazy, export and stamps", true, exportAndStamp, false, true, 3},
		{"lazy, stamps then search", true, func(t *testing.T, db *DB) {
			exportAndStamp(t, db)
			if got := len(db.Directory().Search(model.Query{Text: "mueller"})); got != 1 {
				t.Errorf("search after a late load: got %d hits, want 1", got)
			}
		}, true, true, 3},
		{"lazy, a customer written", true, func(t *testing.T, db *DB) {
			mustOK(t, db.CreateCustomer(newCustomer("Eva", "Zürcher", "")))
		}, true, false, 4},
		{"lazy, check", true, func(t *testing.T, db *DB) { mustCheck(t, db) }, true, true, 3},
		{"lazy, an import's dry run", true, func(t *testing.T, db *DB) {
			end := db.BeginBulk()
			defer end()
			ms, err := db.MatchesAll([]*model.Customer{newCustomer("Hans", "Müller", "")})
			mustOK(t, err)
			if len(ms) != 1 || len(ms[0]) == 0 {
				t.Errorf("got matches %v, want Hans Müller", ms)
			}
		}, false, true, 3},
		{"lazy, an import in a bulk run", true, func(t *testing.T, db *DB) {
			end := db.BeginBulk()
			mustOK(t, db.SaveCustomers(context.Background(), []*model.Customer{newCustomer("Eva", "Zürcher", "")}, nil, nil))
			end()
		}, true, false, 4},
		{"eager, nothing", false, func(t *testing.T, db *DB) {}, true, true, 3},
		{"eager, export and stamps", false, exportAndStamp, true, true, 3},
		{"eager, a customer written", false, func(t *testing.T, db *DB) {
			mustOK(t, db.CreateCustomer(newCustomer("Eva", "Zürcher", "")))
		}, true, false, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := lazyFixture(t)
			before, err := os.Stat(path + ".directory")
			mustOK(t, err)
			db, err := Open(path, Options{Now: newTestClock().Now, LazyDirectory: tt.lazy})
			mustOK(t, err)
			tt.do(t, db)
			if got := db.dir.loaded.Load(); got != tt.wantLoaded {
				t.Errorf("directory loaded: got %v, want %v", got, tt.wantLoaded)
			}
			mustOK(t, db.Close())
			after, err := os.Stat(path + ".directory")
			mustOK(t, err)
			if got := os.SameFile(before, after); got != tt.wantSame {
				t.Errorf("snapshot file kept: got %v, want %v", got, tt.wantSame)
			}

			// The next start reads the snapshot (it is of the current
			// transaction) and finds every customer.
			db, err = Open(path, Options{Now: newTestClock().Now})
			mustOK(t, err)
			defer db.Close()
			if db.dir.snapTx == 0 {
				t.Errorf("the snapshot left by Close was not used")
			}
			if got := db.Directory().Len(); got != tt.wantLen {
				t.Errorf("customers: got %d, want %d", got, tt.wantLen)
			}
			mustCheck(t, db)
		})
	}
}

// TestRestampDirectoryLonger checks the restamp when the new transaction
// ID takes more bytes than the old one: the file is written anew and the
// index after the header is kept.
func TestRestampDirectoryLonger(t *testing.T) {
	path := lazyFixture(t)
	db, err := Open(path, Options{Now: newTestClock().Now, LazyDirectory: true})
	mustOK(t, err)
	defer db.Close()
	old, err := os.ReadFile(db.snapshotPath())
	mustOK(t, err)
	at, size, ok := snapshotTxField(old, db.openTx)
	if !ok {
		t.Fatalf("no transaction ID %d in the snapshot header", db.openTx)
	}
	mustOK(t, db.restampDirectory(db.openTx, 1<<40))
	got, err := os.ReadFile(db.snapshotPath())
	mustOK(t, err)
	at2, size2, ok := snapshotTxField(got, 1<<40)
	if !ok || at2 != at || size2 <= size {
		t.Fatalf("restamped header: got field at %d size %d ok %v, want at %d, longer than %d", at2, size2, ok, at, size)
	}
	if string(got[at2+size2:]) != string(old[at+size:]) {
		t.Errorf("the index after the header changed")
	}
	// A snapshot of another transaction is left alone.
	mustOK(t, db.restampDirectory(db.openTx, 7))
	again, err := os.ReadFile(db.snapshotPath())
	mustOK(t, err)
	if string(again) != string(got) {
		t.Errorf("a snapshot of another transaction was restamped")
	}
}
