package storage

import (
	"os"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// afterErase finishes an erasure outside its transaction: it overwrites the
// database file's free pages, rebuilds the directory from the records (the
// search index keeps the words of removed customers until it is rebuilt)
// and rewrites the directory snapshot, which held the person too.
func (db *DB) afterErase() error {
	if err := db.scrub(); err != nil {
		return model.WrapError(model.EINTERNAL, err, "overwrite the free pages of %s", db.path)
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	db.settleDirectory()
	sums, err := db.summaries()
	if err != nil {
		return err
	}
	db.dir.Load(sums)
	if err := os.Remove(db.snapshotPath()); err != nil && !os.IsNotExist(err) {
		return model.WrapError(model.EINTERNAL, err, "remove directory snapshot")
	}
	if err := db.saveDirectory(); err != nil {
		return model.WrapError(model.EINTERNAL, err, "write directory snapshot")
	}
	return nil
}

// bucketScrub is a bucket that lives only while scrub runs.
var bucketScrub = []byte("scrub")

// scrubChunk is how many pages one transaction of scrub fills: 32 MiB of
// 16 KiB pages in memory at a time.
const scrubChunk = 2048

// scrub overwrites the free pages of the database file. bbolt never
// writes a page it freed until it reuses it, so the pages an erasure freed
// still hold the old copies of the erased records, and pages freed long
// before may hold older ones. Closing the database for a compaction
// (bolt.Compact into a new file, then rename) cannot be done under the
// GUI's open database without stopping every reader, so scrub has bbolt
// itself reuse the pages: it fills a bucket with zeros until every page
// that was free is taken, then deletes the bucket. bbolt hands out only
// pages no reader can still see, so this is safe with readers running.
//
// Pages freed while a read older than the erasure is still open are not
// free yet: empty transactions first release what is pending, waiting up
// to a second for such a read (reads here are short; a backup is the
// longest). The file grows by at most a chunk's branch pages.
func (db *DB) scrub() error {
	// An empty write releases what earlier ones freed, unless a read that
	// began before them still runs (a backup); then wait for it a while.
	// What an empty write frees itself are the freelist's pages.
	ps := db.bolt.Info().PageSize
	pending := func() bool {
		st := db.bolt.Stats()
		return st.PendingPageN > st.FreelistInuse/ps+2
	}
	for i := 0; i < 2 || (pending() && i < 50); i++ {
		if i >= 2 {
			time.Sleep(20 * time.Millisecond)
		}
		if err := db.bolt.Update(func(tx *bolt.Tx) error { return nil }); err != nil {
			return err
		}
	}
	// A read still running keeps some pages: Close scrubs again.
	db.scrubAgain.Store(pending())
	free := db.bolt.Stats().FreePageN
	// Four values fill a page (a page with fewer than five elements is
	// never split), so every value takes a quarter page and every leaf a
	// single free page.
	size := (ps-16)/4 - 16 - 8 - 8
	zeros := make([]byte, size)
	var seq uint64
	for done := 0; done < free; done += scrubChunk {
		n := min(scrubChunk, free-done)
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bucketScrub)
			if err != nil {
				return err
			}
			b.FillPercent = 1
			for range n * 4 {
				seq++
				if err := b.Put(u64(seq), zeros); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketScrub) == nil {
			return nil
		}
		return tx.DeleteBucket(bucketScrub)
	})
}

// scrubBeforeClose overwrites the free pages once more when the last
// scrub could not reach them all (a long read held them); Close calls it.
func (db *DB) scrubBeforeClose() error {
	if !db.scrubAgain.Load() {
		return nil
	}
	return db.scrub()
}
