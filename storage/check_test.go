package storage

import (
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestCheckFindsIndexDamage: an index entry no record calls for, and one
// a record calls for but the index lacks, are both reported by name.
func TestCheckFindsIndexDamage(t *testing.T) {
	db, err := Open(t.TempDir()+"/k.db", Options{Now: newTestClock().Now})
	mustOK(t, err)
	defer db.Close()
	c := newCustomer("Anna", "Huber", "")
	c.Emails = []model.Email{{Address: "anna@example.ch"}}
	mustOK(t, db.CreateCustomer(c))
	mustOK(t, db.Check())

	var real []byte
	mustOK(t, db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketIdx).Bucket(idxCustEmail)
		k, _ := b.Cursor().First()
		real = append([]byte(nil), k...)
		if err := b.Delete(real); err != nil {
			return err
		}
		return b.Put(key([]byte("zz@example.ch"), sep, idBytes(c.ID)), nil)
	}))
	err = db.Check()
	if err == nil {
		t.Fatal("check found nothing")
	}
	for _, want := range []string{"index cust_email misses entry", "index cust_email has a stray entry", "2 problems"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want it to say %q", err, want)
		}
	}
}
