package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/model/crdt"
)

// migrateSharedConflicts replaces the conflicts each device used to keep
// on its own (every losing op it happened to see, never dropped when the
// field changed again) by the ones derived from the records (see
// conflict.go), which every device with the same changes shares. Records
// written before sets and rivals existed can only have the conflicts of
// a deletion or a merge that later edits followed, so only deleted and
// merged records are decoded.
func migrateSharedConflicts(tx *bolt.Tx, _ func() time.Time) error {
	if err := tx.DeleteBucket(bucketConflict); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
		return err
	}
	bk, err := tx.CreateBucket(bucketConflict)
	if err != nil {
		return err
	}
	for _, typ := range model.RecordTypes {
		recs := recBucket(tx, typ)
		if recs == nil {
			continue
		}
		err := recs.ForEach(func(k, v []byte) error {
			if !bytes.Contains(v, []byte(`"deleted":true`)) && !bytes.Contains(v, []byte(`"merged_into":"`)) {
				return nil
			}
			fields, err := fieldsOf(v)
			if err != nil {
				return err
			}
			clk, err := crdt.DecodeClocks(clockBucket(tx, typ).Get(k))
			if err != nil {
				return err
			}
			r := crdt.Record{Type: typ, ID: idAtEnd(k), Fields: fields, Clk: clk}
			for _, c := range r.Conflicts() {
				if !c.LostStamp.After(c.KeptStamp) {
					// Written before the deletion or merge by the clock: an
					// earlier version's op cannot tell whether its device
					// had seen it, and most were; listing them all would
					// be the noise this migration removes.
					continue
				}
				raw, err := json.Marshal(&c)
				if err != nil {
					return err
				}
				if err := bk.Put(conflictKey(&c), raw); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
