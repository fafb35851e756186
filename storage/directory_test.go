package storage

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

func TestDirectorySnapshot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	db, err := Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	for _, n := range []string{"Müller", "Weiß", "Brändli"} {
		mustOK(t, db.CreateCustomer(newCustomer("Hans", n, "")))
	}
	mustOK(t, db.Close())
	if _, err := os.Stat(path + ".directory"); err != nil {
		t.Fatalf("no snapshot written at close: %v", err)
	}

	// Current snapshot: used, and the directory is right.
	db, err = Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	if got := len(db.Directory().Search(model.Query{Text: "mueller"})); got != 1 {
		t.Fatalf("search after snapshot load: got %d, want 1", got)
	}
	mustCheck(t, db)
	mustOK(t, db.Close())

	// A write the snapshot does not know of (another program, a crash
	// before Close) makes it stale: the directory is rebuilt.
	bdb, err := bolt.Open(path, 0o600, nil)
	mustOK(t, err)
	mustOK(t, bdb.Update(func(tx *bolt.Tx) error {
		c := newCustomer("Neu", "Zürcher", "")
		c.ID, c.Created = model.NewID(), newTestClock().Now()
		raw, _ := jsonMarshal(c)
		return recBucket(tx, model.TypeCustomer).Put(idBytes(c.ID), raw)
	}))
	mustOK(t, bdb.Close())
	db2, err := Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	defer db2.Close() // no Check: the raw write above skipped indexes on purpose
	if got := len(db2.Directory().Search(model.Query{Text: "zurcher"})); got != 1 {
		t.Fatalf("stale snapshot was used: got %d hits for the new customer", got)
	}
}

// TestDirectorySnapshotOtherFormat checks that a snapshot this version
// cannot read (an older format, a damaged file) is ignored: the directory
// is rebuilt from the database and Close writes a current one.
func TestDirectorySnapshotOtherFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	db, err := Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	mustOK(t, db.CreateCustomer(newCustomer("Hans", "Müller", "")))
	mustOK(t, db.Close())
	good, err := os.ReadFile(path + ".directory")
	mustOK(t, err)
	tests := []struct {
		name string
		data []byte
	}{
		{name: "gob of version 2", data: []byte("\x0d\xff\x81\x03\x01\x01\x0bdirSnapshot\x01\xff\x82\x00\x01\x04\x01\x07Version\x01\x04\x00")},
		{name: "truncated", data: good[:len(good)-10]},
		{name: "other version", data: append([]byte(dirSnapshotMagic+"\x09"), good[len(dirSnapshotMagic)+1:]...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustOK(t, os.WriteFile(path+".directory", tt.data, 0o600))
			db, err := Open(path, Options{Now: newTestClock().Now})
			mustOK(t, err)
			if got := len(db.Directory().Search(model.Query{Text: "mueller"})); got != 1 {
				t.Errorf("search: got %d hits, want 1", got)
			}
			mustCheck(t, db)
			mustOK(t, db.Close())
			now, err := os.ReadFile(path + ".directory")
			mustOK(t, err)
			if !bytes.Equal(now, good) {
				t.Errorf("snapshot after Close: got %d bytes, want the current format (%d bytes)", len(now), len(good))
			}
		})
	}
}
