package storage

import (
	"encoding/json"
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
					if !live(&c.Meta) {
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
	db.dir = search.NewWithRegion(db.currentSettings().Region)
	db.dir.Load(sums)
	return nil
}
