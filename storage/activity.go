package storage

import (
	"bytes"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// GestureStamps returns a stamp of every live gesture created in
// [from, to) (to zero: up to now), oldest first. It reads three indexes
// and no record: the creation index gives the gestures and their time, the
// customer index their owner, the status index their state. On the large
// set (50,000 gestures) that is a walk over keys instead of decoding every
// gesture of the window.
func (db *DB) GestureStamps(from, to time.Time) ([]model.GestureStamp, error) {
	var out []model.GestureStamp
	err := db.view(func(tx *bolt.Tx) error {
		idx := tx.Bucket(bucketIdx)
		at := map[model.ID]int{}
		end := ms(to)
		c := idx.Bucket(idxGeCreated).Cursor()
		for k, _ := c.Seek(ms(from)); k != nil; k, _ = c.Next() {
			if !to.IsZero() && bytes.Compare(k[:8], end) >= 0 {
				break
			}
			at[model.ID(k[len(k)-16:])] = len(out)
			out = append(out, model.GestureStamp{Created: time.UnixMilli(int64(binary.BigEndian.Uint64(k[:8]))).UTC()})
		}
		if len(out) == 0 {
			return nil
		}
		c = idx.Bucket(idxGeCust).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if i, ok := at[model.ID(k[16:32])]; ok {
				out[i].CustomerID = owner(tx, model.ID(k[:16]))
			}
		}
		c = idx.Bucket(idxGeStatus).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if i, ok := at[model.ID(k[len(k)-16:])]; ok {
				out[i].Status = model.GestureStatus(k[:bytes.IndexByte(k, 0)])
			}
		}
		return nil
	})
	return out, err
}
