package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/google/uuid"
	"github.com/kundenkartei/kundenkartei/model"
)

// migration moves the database from version-1 to version. Each one has a
// test named TestMigration<version> (migrations_test.go checks that).
type migration struct {
	version int
	name    string
	fn      func(tx *bolt.Tx, now func() time.Time) error
}

// migrations in order. Append only; never change a released one.
//
// A new record field needs none when it is absent from the JSON while
// empty (omitempty/omitzero): old records decode to its zero value and keep
// their bytes (the customer's name_prefix, name_suffix and department).
var migrations = []migration{
	{1, "create buckets and device identity", migrateCreate},
	{2, "index events by start", migrateEventIndex},
	{3, "index follow-ups by status and due time", migrateFollowUpStatusIndex},
	{4, "bucket of merged customers", migrateMerged},
	{5, "index gestures by creation time", migrateGestureCreatedIndex},
	{6, "index note revisions by the note they replace", migrateNoteReplacedIndex},
	{7, "conflicts derived from the records, shared by every device", migrateSharedConflicts},
	{8, "drop the tag and segment indexes nothing reads", migrateDropTagIndexes},
}

// schemaVersion is the version a fully migrated database has.
func schemaVersion() int { return migrations[len(migrations)-1].version }

// needsMigration reports whether the database is not at the current
// schema, so an up-to-date one opens without a write transaction.
func needsMigration(bdb *bolt.DB) bool {
	need := true
	bdb.View(func(tx *bolt.Tx) error {
		if meta := tx.Bucket(bucketMeta); meta != nil {
			if v := meta.Get(keySchema); len(v) == 4 {
				need = int(binary.BigEndian.Uint32(v)) != schemaVersion()
			}
		}
		return nil
	})
	return need
}

// migrate runs every migration the database has not had yet, in one
// transaction, so a crash leaves either the old or the new schema.
func migrate(tx *bolt.Tx, now func() time.Time) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	have := 0
	if v := meta.Get(keySchema); len(v) == 4 {
		have = int(binary.BigEndian.Uint32(v))
	}
	if have > schemaVersion() {
		return model.Errorf(model.EINVALID, "database schema %d is newer than this program (%d): update Kundenkartei", have, schemaVersion())
	}
	for _, m := range migrations {
		if m.version <= have {
			continue
		}
		if err := m.fn(tx, now); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(m.version))
		if err := meta.Put(keySchema, b[:]); err != nil {
			return err
		}
	}
	return nil
}

func migrateCreate(tx *bolt.Tx, _ func() time.Time) error {
	for _, name := range [][]byte{bucketRec, bucketClock, bucketStats, bucketPhoto, bucketLog, bucketConflict, bucketIdx} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	for _, typ := range model.RecordTypes {
		if _, err := tx.Bucket(bucketRec).CreateBucketIfNotExists([]byte(typ)); err != nil {
			return err
		}
		if _, err := tx.Bucket(bucketClock).CreateBucketIfNotExists([]byte(typ)); err != nil {
			return err
		}
	}
	for _, name := range append([][]byte{idxCustTag, idxCustSegment}, allIndexes...) { // those two until version 8
		if string(name) == string(idxEvStart) || string(name) == string(idxFUStatus) || string(name) == string(idxGeCreated) || string(name) == string(idxNoteRepl) {
			continue // came with versions 2, 3, 5 and 6
		}
		if _, err := tx.Bucket(bucketIdx).CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bucketMeta)
	if meta.Get(keyDevice) == nil {
		if err := meta.Put(keyDevice, []byte(uuid.NewString())); err != nil {
			return err
		}
	}
	return nil
}

// migrateDropTagIndexes drops the indexes of customers by tag and by
// segment: every selection by tag or segment asks the in-memory directory,
// so they were written with every customer and read by nothing but the
// consistency check (two of the eight index entries of a customer with two
// tags).
func migrateDropTagIndexes(tx *bolt.Tx, _ func() time.Time) error {
	for _, name := range [][]byte{idxCustTag, idxCustSegment} {
		if err := tx.Bucket(bucketIdx).DeleteBucket(name); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
	}
	return nil
}

// migrateEventIndex adds the index of events by start, so the loyalty view
// lists events in date order without decoding all of them.
func migrateEventIndex(tx *bolt.Tx, _ func() time.Time) error {
	return addIndex(tx, idxEvStart, model.TypeEvent)
}

// migrateFollowUpStatusIndex adds the index of follow-ups by status and due
// time, so Today reads the open ones without decoding the done ones.
func migrateFollowUpStatusIndex(tx *bolt.Tx, _ func() time.Time) error {
	return addIndex(tx, idxFUStatus, model.TypeFollowUp)
}

// migrateMerged adds the bucket that maps merged customers to their
// survivors; no customer was merged before this version.
func migrateMerged(tx *bolt.Tx, _ func() time.Time) error {
	_, err := tx.CreateBucketIfNotExists(bucketMerged)
	return err
}

// migrateGestureCreatedIndex adds the index of gestures by creation time,
// so Loyalty reads the newest gestures without decoding all of them.
func migrateGestureCreatedIndex(tx *bolt.Tx, _ func() time.Time) error {
	return addIndex(tx, idxGeCreated, model.TypeGesture)
}

// migrateNoteReplacedIndex adds the index of live revisions by the note
// they replace, so lists tell a superseded note with one lookup.
func migrateNoteReplacedIndex(tx *bolt.Tx, _ func() time.Time) error {
	return addIndex(tx, idxNoteRepl, model.TypeNote)
}

// addIndex creates index bucket name and fills it from the records of typ.
func addIndex(tx *bolt.Tx, name []byte, typ model.RecordType) error {
	b, err := tx.Bucket(bucketIdx).CreateBucketIfNotExists(name)
	if err != nil {
		return err
	}
	return recBucket(tx, typ).ForEach(func(k, v []byte) error {
		rec := newRecord(typ)
		if err := json.Unmarshal(v, rec); err != nil {
			return err
		}
		for _, ik := range indexKeys(tx, typ, rec, "") {
			if string(ik.bucket) == string(name) {
				if err := b.Put(ik.key, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
