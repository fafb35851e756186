package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// Check verifies the whole database: bbolt's own page check, then that
// every index holds exactly the entries its records call for, every record
// has its field clocks, every customer's stats equal a fresh computation,
// and the directory agrees with the stored customers. Tests run it after
// every mutation; it is also the CLI's "check".
func (db *DB) Check() error {
	defer db.touched() // it reads every page
	if err := db.dir.load(); err != nil {
		return model.WrapError(model.EINTERNAL, err, "load the customer directory")
	}
	var problems []error
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			problems = append(problems, fmt.Errorf("bbolt: %w", err))
		}
		problems = append(problems, checkTx(tx, db.currentSettings().Region)...)
		nLive := 0
		err := recBucket(tx, model.TypeCustomer).ForEach(func(k, v []byte) error {
			var c model.Customer
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			if !listed(tx, &c) {
				if _, ok := db.dir.Summary(c.ID); ok {
					problems = append(problems, fmt.Errorf("directory lists deleted or merged customer %s", c.ID))
				}
				return nil
			}
			nLive++
			s, ok := db.dir.Summary(c.ID)
			if !ok {
				problems = append(problems, fmt.Errorf("directory misses customer %s", c.ID))
			} else if s.SortName != c.SortName() || s.Name != c.DisplayName() {
				problems = append(problems, fmt.Errorf("directory entry of %s is stale", c.ID))
			}
			return nil
		})
		if err != nil {
			return err
		}
		if n := db.dir.Len(); n != nLive {
			problems = append(problems, fmt.Errorf("directory has %d customers, database %d", n, nLive))
		}
		return nil
	})
	if err != nil {
		problems = append(problems, err)
	}
	if len(problems) > 0 {
		return model.WrapError(model.EINTERNAL, errors.Join(problems...), "database check found %d problems", len(problems))
	}
	return nil
}

// checkTx checks indexes, clocks and stats inside tx.
func checkTx(tx *bolt.Tx, region string) []error {
	var problems []error
	want := map[string][]string{} // index bucket → the keys its records call for
	customers := map[model.ID]bool{}
	merged := map[model.ID]model.ID{}
	for _, typ := range model.RecordTypes {
		err := recBucket(tx, typ).ForEach(func(k, v []byte) error {
			rec := newRecord(typ)
			if err := json.Unmarshal(v, rec); err != nil {
				problems = append(problems, fmt.Errorf("%s %x: %w", typ, k, err))
				return nil
			}
			m := metaOf(rec)
			if !bytes.Equal(idBytes(m.ID), k) {
				problems = append(problems, fmt.Errorf("%s %x stored under another id %s", typ, k, m.ID))
			}
			if clockBucket(tx, typ).Get(k) == nil {
				problems = append(problems, fmt.Errorf("%s %s has no field clocks", typ, m.ID))
			}
			if typ == model.TypeCustomer {
				customers[m.ID] = true
				if c := rec.(*model.Customer); c.MergedInto != model.NilID {
					merged[c.ID] = c.MergedInto
				}
			}
			for _, ik := range indexKeys(tx, typ, rec, region) {
				want[string(ik.bucket)] = append(want[string(ik.bucket)], string(ik.key))
			}
			return nil
		})
		if err != nil {
			problems = append(problems, err)
		}
	}
	for _, b := range allIndexes {
		problems = append(problems, compareIndex(tx.Bucket(bucketIdx).Bucket(b), string(b), want[string(b)])...)
		delete(want, string(b))
	}
	n := 0
	tx.Bucket(bucketMerged).ForEach(func(k, v []byte) error {
		n++
		if want, ok := merged[idAtEnd(k)]; !ok || want != idAtEnd(v) {
			problems = append(problems, fmt.Errorf("merged bucket has a stray entry %x → %x", k, v))
		}
		return nil
	})
	if n != len(merged) {
		problems = append(problems, fmt.Errorf("merged bucket has %d entries, customers say %d", n, len(merged)))
	}
	for id := range customers {
		st, err := computeStats(tx, id)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		stored, err := decodeStats(tx.Bucket(bucketStats).Get(idBytes(id)))
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if !equalJSON(st, stored) {
			problems = append(problems, fmt.Errorf("stats of customer %s are stale", id))
		}
	}
	return problems
}

// compareIndex walks the index bucket b (named name) beside the keys its
// records call for, sorted, both in key order: a large database is checked
// without a set of every entry it holds.
func compareIndex(b *bolt.Bucket, name string, want []string) []error {
	var problems []error
	slices.Sort(want)
	want = slices.Compact(want)
	i := 0
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		for ; i < len(want) && want[i] < string(k); i++ {
			problems = append(problems, fmt.Errorf("index %s misses entry %x", name, want[i]))
		}
		if i < len(want) && want[i] == string(k) {
			i++
			continue
		}
		problems = append(problems, fmt.Errorf("index %s has a stray entry %x", name, k))
	}
	for ; i < len(want); i++ {
		problems = append(problems, fmt.Errorf("index %s misses entry %x", name, want[i]))
	}
	return problems
}
