package storage

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage/search"
)

// loadDirectory returns the in-memory customer index: the snapshot's, and
// the transaction it is of, when it is current; else one built from the
// stored customers and stats, and 0. Decoding runs on all cores inside one
// read transaction (bbolt's byte slices are valid only until it ends).
func (db *DB) loadDirectory() (directoryIndex, int, error) {
	if ix, ok := db.readDirectory(); ok {
		return ix, db.openTx, nil
	}
	ix := search.NewWithRegion(db.currentSettings().Region)
	sums, err := db.summaries()
	if err != nil {
		return nil, 0, err
	}
	ix.Load(sums)
	return ix, 0, nil
}

// summaries reads the summary of every listed customer.
func (db *DB) summaries() ([]model.CustomerSummary, error) {
	now := db.now()
	var sums []model.CustomerSummary
	err := db.view(func(tx *bolt.Tx) error {
		var raws [][]byte
		err := recBucket(tx, model.TypeCustomer).ForEach(func(k, v []byte) error {
			raws = append(raws, v)
			return nil
		})
		if err != nil {
			return err
		}
		stats := tx.Bucket(bucketStats)
		sums = make([]model.CustomerSummary, len(raws))
		ok := make([]bool, len(raws))
		err = parallel(len(raws), 1, func(lo, hi int) error {
			for i := lo; i < hi; i++ {
				var c model.Customer
				if err := decodeRecord(raws[i], &c); err != nil {
					return err
				}
				if !listed(tx, &c) {
					continue
				}
				st, err := decodeStats(stats.Get(idBytes(c.ID)))
				if err != nil {
					return err
				}
				sums[i], ok[i] = model.Summarize(&c, st, now), true
			}
			return nil
		})
		if err != nil {
			return model.WrapError(model.EINTERNAL, err, "load customers")
		}
		n := 0
		for i := range sums {
			if ok[i] {
				sums[n] = sums[i]
				n++
			}
		}
		sums = sums[:n]
		// Every customer's pages were read through the mapping; let them go
		// before the search index is built from the summaries, so the two
		// do not add up (on the large set the start peaked at 816 MB).
		db.releaseIn(tx)
		return nil
	})
	return sums, err
}

// The directory snapshot lets a start skip decoding every customer: at
// Close the search index writes its customers, words and phone keys beside
// the database (search.Index.WriteSnapshot), after a header with the bbolt
// transaction ID they reflect; Open uses them only when the database is
// still at exactly that transaction (any later write, by this program, the
// CLI or a crash before Close, makes it stale and the directory is
// rebuilt). A snapshot of another version is stale too: it is a cache.
// Close skips the write when nothing changed the index since it was read
// (see closeDirectory).
//
//	"kkdir" version(uvarint) txid(uvarint) len(region)(uvarint) region index…
const dirSnapshotMagic = "kkdir"

// dirSnapshotVersion 4 is the binary index with PostBlocked; 3 was the
// binary index without it, 2 a gob of summaries.
const dirSnapshotVersion = 4

func (db *DB) snapshotPath() string { return db.path + ".directory" }

// txID returns the ID of the last committed transaction.
func (db *DB) txID() int {
	id := 0
	db.bolt.View(func(tx *bolt.Tx) error {
		id = tx.ID()
		return nil
	})
	return id
}

// saveDirectory writes the directory snapshot.
func (db *DB) saveDirectory() error {
	region := db.currentSettings().Region
	hdr := []byte(dirSnapshotMagic)
	hdr = binary.AppendUvarint(hdr, dirSnapshotVersion)
	hdr = binary.AppendUvarint(hdr, uint64(db.txID()))
	hdr = binary.AppendUvarint(hdr, uint64(len(region)))
	hdr = append(hdr, region...)
	return writeAtomic(db.snapshotPath(), func(w io.Writer) error {
		if _, err := w.Write(hdr); err != nil {
			return err
		}
		return db.dir.WriteSnapshot(w)
	})
}

// readDirectory returns the snapshot's index when it is of the transaction
// Open found (no customer changed since: see lazyDirectory).
func (db *DB) readDirectory() (*search.Index, bool) {
	data, err := os.ReadFile(db.snapshotPath())
	if err != nil || !bytes.HasPrefix(data, []byte(dirSnapshotMagic)) {
		return nil, false
	}
	data = data[len(dirSnapshotMagic):]
	var hdr [3]uint64
	for i := range hdr {
		v, n := binary.Uvarint(data)
		if n <= 0 {
			return nil, false
		}
		hdr[i], data = v, data[n:]
	}
	region := db.currentSettings().Region
	if hdr[0] != dirSnapshotVersion || hdr[1] != uint64(db.openTx) || hdr[2] != uint64(len(region)) ||
		!bytes.HasPrefix(data, []byte(region)) {
		return nil, false
	}
	ix, err := search.ReadSnapshot(data[len(region):], region)
	if err != nil {
		return nil, false
	}
	return ix, true
}
