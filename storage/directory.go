package storage

import (
	"bufio"
	"encoding/gob"
	"encoding/json"
	"io"
	"os"
	"runtime"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage/search"
)

// loadDirectory builds the in-memory customer index from the stored
// customers and stats. Decoding runs on all cores inside one read
// transaction (bbolt's byte slices are valid only until it ends).
func (db *DB) loadDirectory() error {
	db.dir = search.NewWithRegion(db.currentSettings().Region)
	if sums, ok := db.readDirectory(); ok {
		db.dir.Load(sums)
		return nil
	}
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
		workers := runtime.GOMAXPROCS(0)
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := w; i < len(raws); i += workers {
					var c model.Customer
					if err := json.Unmarshal(raws[i], &c); err != nil {
						errs[w] = err
						return
					}
					if !listed(tx, &c) {
						continue
					}
					var st model.Stats
					if v := stats.Get(idBytes(c.ID)); v != nil {
						if err := json.Unmarshal(v, &st); err != nil {
							errs[w] = err
							return
						}
					}
					sums[i], ok[i] = model.Summarize(&c, st, now), true
				}
			}(w)
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return model.WrapError(model.EINTERNAL, err, "load customers")
			}
		}
		n := 0
		for i := range sums {
			if ok[i] {
				sums[n] = sums[i]
				n++
			}
		}
		sums = sums[:n]
		return nil
	})
	if err != nil {
		return err
	}
	db.dir.Load(sums)
	return nil
}

// The directory snapshot lets a start skip decoding every customer: at
// Close the summaries are written beside the database with the bbolt
// transaction ID they reflect; Open uses them only when the database is
// still at exactly that transaction (any later write, by this program, the
// CLI or a crash before Close, makes it stale and the directory is rebuilt).
type dirSnapshot struct {
	Version int
	TxID    int
	Region  string
	Count   int // the summaries follow as a second gob value
}

const dirSnapshotVersion = 2

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
	all := db.dir.Search(model.Query{})
	snap := dirSnapshot{Version: dirSnapshotVersion, TxID: db.txID(), Region: db.currentSettings().Region, Count: len(all)}
	sums := make([]model.CustomerSummary, len(all))
	for i, s := range all {
		sums[i] = *s
	}
	return writeAtomic(db.snapshotPath(), func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		enc := gob.NewEncoder(bw)
		if err := enc.Encode(&snap); err != nil {
			return err
		}
		if err := enc.Encode(sums); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// readDirectory returns the snapshot's summaries when it is current.
func (db *DB) readDirectory() ([]model.CustomerSummary, bool) {
	f, err := os.Open(db.snapshotPath())
	if err != nil {
		return nil, false
	}
	defer f.Close()
	var snap dirSnapshot
	dec := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	if err := dec.Decode(&snap); err != nil {
		return nil, false
	}
	if snap.Version != dirSnapshotVersion || snap.TxID != db.txID() || snap.Region != db.currentSettings().Region {
		return nil, false
	}
	// Sized up front: gob would otherwise grow the slice step by step.
	sums := make([]model.CustomerSummary, 0, snap.Count)
	if err := dec.Decode(&sums); err != nil || len(sums) != snap.Count {
		return nil, false
	}
	return sums, true
}
