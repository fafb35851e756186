package storage

import (
	"errors"
	"log"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// bbolt reads the database through a read-only shared mapping of the file,
// and every page a read touches stays in the process's resident set until
// the mapping goes: after the Sync screen's duplicate search and Loyalty
// that was 1.2 GB of the 3.4 GB demo file, and 66 MB right after the
// start. The pages are clean copies of the file, so dropping them from the
// mapping (madvise MADV_DONTNEED) loses nothing: the next read faults them
// in again from the page cache. A release runs releaseDelay after the last
// transaction of a burst.

// releaseDelay is how long the database must be idle before its mapped
// pages are released: long enough that a screen's reads (and the page
// faults they would repeat) are over, short enough that memory is back
// before anyone looks.
const releaseDelay = 2 * time.Second

// releaser debounces releases of the mapped pages.
type releaser struct {
	mu    sync.Mutex
	timer *time.Timer
}

// touched notes a finished transaction and schedules a release.
func (db *DB) touched() {
	if !canReleasePages {
		return
	}
	r := &db.release
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timer == nil {
		r.timer = time.AfterFunc(releaseDelay, db.releasePages)
		return
	}
	r.timer.Reset(releaseDelay)
}

// releasePages drops the mapped pages of the file from the resident set.
// It runs inside a read transaction, which holds bbolt's mapping in place
// (a remap waits for readers), and does nothing once the database is
// closed, when the address may belong to another mapping.
func (db *DB) releasePages() {
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return dropPages(db.bolt.Info().Data, tx.Size())
	})
	if err != nil && !errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		// Best effort: the pages stay resident until the next release.
		log.Printf("storage: release the database file's mapped pages: %v", err)
	}
}

// stopReleases cancels a pending release; Close calls it.
func (db *DB) stopReleases() {
	r := &db.release
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timer != nil {
		r.timer.Stop()
	}
}
