package storage

import (
	"sync"

	"github.com/kundenkartei/kundenkartei/model"
)

// bulkResident bounds the database pages a bulk run keeps mapped: its
// writes only go down the B+trees, which a fault brings back from the
// page cache.
const bulkResident = 32 << 20

// bulkRun is what a bulk run (BeginBulk) holds back until its end.
type bulkRun struct {
	pages *exportPages
	mu    sync.Mutex
	ids   map[model.RecordType][]model.ID // changes of SaveCustomers not yet announced
}

// BeginBulk tells the store that a run of SaveCustomers calls (an import
// applied group by group) or of MatchesAll and Customers calls (its
// preview) follows, until end:
//   - the search index is rebuilt once at the end, not whenever the
//     changes since its last rebuild have grown as large as it;
//   - the database pages the run maps stay within Options.ExportMemory
//     (32 MB at most) over the whole run, not per call;
//   - subscribers hear of the run's changes once, at the end, not after
//     every chunk: a window that reloads its lists on every change would
//     otherwise reload them fifty times during an import of 100,000.
//
// Other writes are announced as they commit.
func (db *DB) BeginBulk() (end func()) {
	release := db.dir.Hold()
	run := &bulkRun{pages: db.newExportPages(min(db.exportMemory, bulkResident)), ids: map[model.RecordType][]model.ID{}}
	if !db.bulk.CompareAndSwap(nil, run) {
		return release // another run is going on: it announces its own changes
	}
	return func() {
		db.bulk.CompareAndSwap(run, nil)
		release()
		run.mu.Lock()
		var changes []model.Change
		for _, typ := range model.RecordTypes {
			if ids := run.ids[typ]; len(ids) > 0 {
				changes = append(changes, model.Change{Type: typ, IDs: ids})
			}
		}
		run.ids = nil
		run.mu.Unlock()
		if len(changes) > 0 {
			db.notify(changes)
		}
	}
}

// bulkPages returns the page bound of the bulk run going on, or a new one
// for a single SaveCustomers call.
func (db *DB) bulkPages() *exportPages {
	if run := db.bulk.Load(); run != nil {
		return run.pages
	}
	return db.newExportPages(db.exportMemory)
}

// bulkRead keeps the pages a read of a bulk run mapped in bounds: an
// import's preview reads the indexes and the candidates of 100,000 cards.
func (db *DB) bulkRead() {
	if run := db.bulk.Load(); run != nil {
		run.pages.afterWrite()
	}
}

// bulkNotify announces the changes of w, a chunk of SaveCustomers, or
// keeps them for the end of the bulk run going on.
func (db *DB) bulkNotify(w *writer) {
	run := db.bulk.Load()
	if run == nil {
		w.notify()
		return
	}
	run.mu.Lock()
	defer run.mu.Unlock()
	if run.ids == nil { // the run ended meanwhile
		w.notify()
		return
	}
	for typ, ids := range w.changed {
		run.ids[typ] = append(run.ids[typ], ids...)
	}
}
