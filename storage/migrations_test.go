package storage

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestEveryMigrationHasATest fails when a migration is added without its
// own TestMigration<version> in this file.
func TestEveryMigrationHasATest(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "migrations_test.go", nil, 0)
	mustOK(t, err)
	have := map[string]bool{}
	for name := range f.Scope.Objects {
		have[name] = true
	}
	for i, m := range migrations {
		if m.version != i+1 {
			t.Errorf("migration %d has version %d: versions must count up from 1", i, m.version)
		}
		if name := fmt.Sprintf("TestMigration%d", m.version); !have[name] {
			t.Errorf("migration %d (%s) has no %s", m.version, m.name, name)
		}
	}
}

// openRaw opens a bbolt file migrated up to version only.
func openRaw(t *testing.T, version int) *bolt.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "k.db")
	bdb, err := bolt.Open(path, 0o600, nil)
	mustOK(t, err)
	t.Cleanup(func() { bdb.Close() })
	saved := migrations
	migrations = migrations[:version]
	defer func() { migrations = saved }()
	mustOK(t, bdb.Update(func(tx *bolt.Tx) error { return migrate(tx, time.Now) }))
	return bdb
}

// migrateTo runs the migrations up to version.
func migrateTo(t *testing.T, bdb *bolt.DB, version int) {
	t.Helper()
	saved := migrations
	migrations = migrations[:version]
	defer func() { migrations = saved }()
	mustOK(t, bdb.Update(func(tx *bolt.Tx) error { return migrate(tx, time.Now) }))
}

func schemaOf(t *testing.T, bdb *bolt.DB) int {
	t.Helper()
	var v int
	bdb.View(func(tx *bolt.Tx) error {
		v = int(binary.BigEndian.Uint32(tx.Bucket(bucketMeta).Get(keySchema)))
		return nil
	})
	return v
}

func TestMigration1(t *testing.T) {
	bdb := openRaw(t, 1)
	if got := schemaOf(t, bdb); got != 1 {
		t.Fatalf("schema: got %d, want 1", got)
	}
	bdb.View(func(tx *bolt.Tx) error {
		for _, typ := range model.RecordTypes {
			if recBucket(tx, typ) == nil || clockBucket(tx, typ) == nil {
				t.Errorf("bucket for %s missing", typ)
			}
		}
		if len(tx.Bucket(bucketMeta).Get(keyDevice)) != 36 {
			t.Errorf("no device id")
		}
		return nil
	})
}

func TestMigration2(t *testing.T) {
	bdb := openRaw(t, 1)
	ev := model.Event{Meta: model.Meta{ID: model.NewID(), Created: time.Now().UTC()}, Name: "Apéro", Start: time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)}
	mustOK(t, bdb.Update(func(tx *bolt.Tx) error {
		raw, _ := json.Marshal(ev)
		return recBucket(tx, model.TypeEvent).Put(idBytes(ev.ID), raw)
	}))
	migrateTo(t, bdb, 2)
	if got := schemaOf(t, bdb); got != 2 {
		t.Fatalf("schema: got %d, want 2", got)
	}
	bdb.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketIdx).Bucket(idxEvStart).Get(key(ms(ev.Start), idBytes(ev.ID))) == nil {
			t.Errorf("existing event not indexed by start")
		}
		return nil
	})
}

func TestNewerSchemaIsRefused(t *testing.T) {
	bdb := openRaw(t, len(migrations))
	mustOK(t, bdb.Update(func(tx *bolt.Tx) error {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(schemaVersion()+1))
		return tx.Bucket(bucketMeta).Put(keySchema, b[:])
	}))
	err := bdb.Update(func(tx *bolt.Tx) error { return migrate(tx, time.Now) })
	if model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("got %v, want EINVALID", err)
	}
}

func TestMigration3(t *testing.T) {
	bdb := openRaw(t, 2)
	f := model.FollowUp{Meta: model.Meta{ID: model.NewID(), Created: time.Now().UTC()}, CustomerID: model.NewID(), Title: "Anrufen",
		Due: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), Status: model.FollowUpOpen}
	mustOK(t, bdb.Update(func(tx *bolt.Tx) error {
		raw, _ := json.Marshal(f)
		return recBucket(tx, model.TypeFollowUp).Put(idBytes(f.ID), raw)
	}))
	migrateTo(t, bdb, 3)
	if got := schemaOf(t, bdb); got != 3 {
		t.Fatalf("schema: got %d, want 3", got)
	}
	bdb.View(func(tx *bolt.Tx) error {
		k := key([]byte(model.FollowUpOpen), sep, ms(f.Due), idBytes(f.ID))
		if tx.Bucket(bucketIdx).Bucket(idxFUStatus).Get(k) == nil {
			t.Errorf("existing follow-up not indexed by status")
		}
		return nil
	})
}

func TestMigration4(t *testing.T) {
	bdb := openRaw(t, 3)
	c := model.Customer{Meta: model.Meta{ID: model.NewID(), Created: time.Now().UTC()}, Kind: model.Person, FamilyName: "Muster"}
	raw, _ := json.Marshal(c)
	mustOK(t, bdb.Update(func(tx *bolt.Tx) error {
		return recBucket(tx, model.TypeCustomer).Put(idBytes(c.ID), raw)
	}))
	migrateTo(t, bdb, 4)
	if got := schemaOf(t, bdb); got != 4 {
		t.Fatalf("schema: got %d, want 4", got)
	}
	bdb.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMerged) == nil {
			t.Fatal("no merged bucket")
		}
		if owner(tx, c.ID) != c.ID {
			t.Errorf("owner of an unmerged customer: got another")
		}
		if got := recBucket(tx, model.TypeCustomer).Get(idBytes(c.ID)); string(got) != string(raw) {
			t.Errorf("customer record changed by the migration:\n got %s\nwant %s", got, raw)
		}
		return nil
	})
}

func TestMigration5(t *testing.T) {
	bdb := openRaw(t, 4)
	g := model.Gesture{Meta: model.Meta{ID: model.NewID(), Created: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}, CustomerID: model.NewID(),
		Kind: model.GestureGift, Title: "Pralinés", Status: model.GestureOffered}
	mustOK(t, bdb.Update(func(tx *bolt.Tx) error {
		raw, _ := json.Marshal(g)
		return recBucket(tx, model.TypeGesture).Put(idBytes(g.ID), raw)
	}))
	migrateTo(t, bdb, 5)
	if got := schemaOf(t, bdb); got != 5 {
		t.Fatalf("schema: got %d, want 5", got)
	}
	bdb.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketIdx).Bucket(idxGeCreated).Get(key(ms(g.Created), idBytes(g.ID))) == nil {
			t.Errorf("existing gesture not indexed by creation time")
		}
		return nil
	})
}

func TestMigration6(t *testing.T) {
	bdb := openRaw(t, 5)
	orig := model.Note{Meta: model.Meta{ID: model.NewID(), Created: time.Now().UTC()}, CustomerID: model.NewID(), Kind: model.NoteFeedback, Text: "Wunsch"}
	rev := model.Note{Meta: model.Meta{ID: model.NewID(), Created: time.Now().UTC()}, CustomerID: orig.CustomerID, Kind: model.NoteFeedback, Text: "Wunsch (korrigiert)", Replaces: orig.ID}
	mustOK(t, bdb.Update(func(tx *bolt.Tx) error {
		for _, n := range []model.Note{orig, rev} {
			raw, _ := json.Marshal(n)
			if err := recBucket(tx, model.TypeNote).Put(idBytes(n.ID), raw); err != nil {
				return err
			}
		}
		return nil
	}))
	migrateTo(t, bdb, 6)
	if got := schemaOf(t, bdb); got != 6 {
		t.Fatalf("schema: got %d, want 6", got)
	}
	bdb.View(func(tx *bolt.Tx) error {
		if !isReplaced(tx, &orig) || isReplaced(tx, &rev) {
			t.Errorf("after migration: original replaced %v, revision replaced %v; want true, false", isReplaced(tx, &orig), isReplaced(tx, &rev))
		}
		return nil
	})
}

func TestMigration7(t *testing.T) {
	bdb := openRaw(t, 6)
	at := model.MakeHLC(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).UnixMilli(), 0)
	edited := newCustomer("Käthi", "Graf", "")
	edited.ID, edited.Deleted, edited.Memo = model.NewID(), true, "Rückruf"
	quiet := newCustomer("Reto", "Flury", "") // edited before its deletion
	quiet.ID, quiet.Deleted, quiet.Memo = model.NewID(), true, "alt"
	mustOK(t, bdb.Update(func(tx *bolt.Tx) error {
		// A conflict as a device kept it on its own before.
		if err := tx.Bucket(bucketConflict).Put([]byte("customer\x00old"), []byte(`{}`)); err != nil {
			return err
		}
		for _, c := range []*model.Customer{edited, quiet} {
			raw, _ := json.Marshal(c)
			if err := recBucket(tx, model.TypeCustomer).Put(idBytes(c.ID), raw); err != nil {
				return err
			}
			clk := clocks{Base: &fieldClock{HLC: at, Device: "a"}, Fields: map[string]fieldClock{
				model.FieldDeleted: {HLC: at + 10, Device: "a"}}}
			if c == edited { // memo written on b after the deletion on a
				clk.Fields["memo"] = fieldClock{HLC: at + 20, Device: "b"}
			} else {
				clk.Fields["memo"] = fieldClock{HLC: at + 5, Device: "b"}
			}
			if err := putClocks(tx, model.TypeCustomer, c.ID, clk); err != nil {
				return err
			}
		}
		return nil
	}))
	migrateTo(t, bdb, 7)
	if got := schemaOf(t, bdb); got != 7 {
		t.Fatalf("schema: got %d, want 7", got)
	}
	var got []model.Conflict
	bdb.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketConflict).ForEach(func(k, v []byte) error {
			var c model.Conflict
			mustOK(t, json.Unmarshal(v, &c))
			got = append(got, c)
			return nil
		})
	})
	if len(got) != 1 || got[0].ID != edited.ID || got[0].Kind != model.ConflictDeleted || got[0].Field != "memo" || got[0].LostBy != "b" {
		t.Errorf("conflicts after migration: got %+v, want the memo written on b after the deletion", got)
	}
}

func TestMigration8(t *testing.T) {
	bdb := openRaw(t, 7)
	c := newCustomer("Käthi", "Graf", "")
	c.ID, c.Created, c.Tags, c.Segment = model.NewID(), time.Now().UTC(), []string{"Messe"}, "A"
	mustOK(t, bdb.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{idxCustTag, idxCustSegment} {
			if err := tx.Bucket(bucketIdx).Bucket(b).Put(key([]byte("messe"), sep, idBytes(c.ID)), nil); err != nil {
				return err
			}
		}
		return nil
	}))
	migrateTo(t, bdb, 8)
	if got := schemaOf(t, bdb); got != 8 {
		t.Fatalf("schema: got %d, want 8", got)
	}
	bdb.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{idxCustTag, idxCustSegment} {
			if tx.Bucket(bucketIdx).Bucket(b) != nil {
				t.Errorf("index %s is still there", b)
			}
		}
		if tx.Bucket(bucketIdx).Bucket(idxCustEmail) == nil {
			t.Error("the email index went too")
		}
		return nil
	})
	// A new database never has them.
	fresh := openRaw(t, 8)
	fresh.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketIdx).Bucket(idxCustTag) != nil {
			t.Error("a new database has the tag index")
		}
		return nil
	})
}
