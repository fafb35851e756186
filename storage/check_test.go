package storage

import (
	"os"
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

// TestNewCustomerHasNoStatsRecord: a customer created with nothing of its
// own gets no stats record (an import creates thousands); its stats read
// as none, its first note stores them, and check still finds stats that a
// customer with notes lacks.
func TestNewCustomerHasNoStatsRecord(t *testing.T) {
	path := t.TempDir() + "/k.db"
	db, err := Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	defer db.Close()
	c, d := newCustomer("Anna", "Huber", ""), newCustomer("Peter", "Meier", "")
	mustOK(t, db.CreateCustomer(c))
	mustOK(t, db.SaveCustomers(t.Context(), []*model.Customer{d}, nil, nil))
	statsRaw := func(id model.ID) []byte {
		var raw []byte
		mustOK(t, db.bolt.View(func(tx *bolt.Tx) error {
			raw = tx.Bucket(bucketStats).Get(idBytes(id))
			return nil
		}))
		return raw
	}
	for _, id := range []model.ID{c.ID, d.ID} {
		if raw := statsRaw(id); raw != nil {
			t.Errorf("new customer %s has a stats record %s", id, raw)
		}
	}
	mustOK(t, db.Check())

	mustOK(t, db.AddNote(&model.Note{CustomerID: d.ID, Kind: model.NoteCall, Impression: model.Positive, Text: "Rückruf"}))
	if statsRaw(d.ID) == nil {
		t.Fatal("a note stored no stats")
	}
	if s, _ := db.Directory().Summary(d.ID); s == nil || s.Notes != 1 {
		t.Fatalf("directory: %+v, want 1 note", s)
	}
	// A directory rebuilt from the buckets reads both the same way.
	mustOK(t, db.Close())
	mustOK(t, os.Remove(path+".directory"))
	db, err = Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	if s, _ := db.Directory().Summary(d.ID); s == nil || s.Notes != 1 {
		t.Fatalf("rebuilt directory: %+v, want 1 note", s)
	}
	if s, _ := db.Directory().Summary(c.ID); s == nil || s.Notes != 0 {
		t.Fatalf("rebuilt directory: %+v, want no notes", s)
	}
	mustOK(t, db.Check())

	mustOK(t, db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketStats).Delete(idBytes(d.ID)) }))
	if err := db.Check(); err == nil || !strings.Contains(err.Error(), "stats of customer "+d.ID.String()+" are stale") {
		t.Fatalf("check after losing the stats of a customer with a note: %v", err)
	}
}
