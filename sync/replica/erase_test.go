package replica

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

// targetHolds decrypts every segment and snapshot in the target and
// returns the files whose ops hold any of secrets.
func targetHolds(t *testing.T, sy *Syncer, secrets []string) []string {
	t.Helper()
	ctx := context.Background()
	var found []string
	check := func(name string, ops []model.Op) {
		for _, op := range ops {
			for _, s := range secrets {
				if strings.Contains(string(op.Value), s) {
					found = append(found, name+": "+s)
				}
			}
		}
	}
	devs, err := sy.target.List(ctx, devicesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		names, err := sy.target.List(ctx, devicesDir+"/"+d)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			data, err := sy.target.Get(ctx, devicesDir+"/"+d+"/"+n)
			if err != nil {
				t.Fatal(err)
			}
			_, ops, err := openSegment(sy.key, data)
			if err != nil {
				t.Fatalf("segment %s/%s: %v", d, n, err)
			}
			check(d+"/"+n, ops)
		}
	}
	snaps, err := sy.target.List(ctx, snapshotsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range snaps {
		data, err := sy.target.Get(ctx, snapshotsDir+"/"+n)
		if err != nil {
			t.Fatal(err)
		}
		_, _, ops, err := openSnapshot(sy.key, data)
		if err != nil {
			t.Fatalf("snapshot %s: %v", n, err)
		}
		check("snapshot "+n, ops)
	}
	return found
}

// TestErasureLeavesTheTarget erases on A a customer B has edited: after
// both have synced and compacted, no file in the target holds the
// person's data, both list each other's compaction, and a device that
// joins later never sees the person.
func TestErasureLeavesTheTarget(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.Mkdir(target, 0o700); err != nil {
		t.Fatal(err)
	}
	device := func(name string, create bool) (*storage.DB, *Syncer) { return openDevice(t, dir, target, name, create) }
	sync := func(name string, sy *Syncer, db *storage.DB) {
		t.Helper()
		if _, err := sy.Sync(ctx, nil); err != nil {
			t.Fatalf("sync %s: %v", name, err)
		}
		if err := sy.CompactErasures(ctx, db); err != nil {
			t.Fatalf("compact %s: %v", name, err)
		}
	}
	dbA, syA := device("a", true)
	dbB, syB := device("b", false)
	c := &model.Customer{GivenName: "Kunigunde", FamilyName: "Zwetschgenbaum", Emails: []model.Email{{Address: "kunigunde@example.ch"}}}
	if err := dbA.CreateCustomer(c); err != nil {
		t.Fatal(err)
	}
	if err := dbA.AddNote(&model.Note{CustomerID: c.ID, Kind: model.NoteVisit, Text: "Quittengelee"}); err != nil {
		t.Fatal(err)
	}
	sync("a", syA, dbA)
	sync("b", syB, dbB)
	cb, err := dbB.Customer(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	cb.Memo = "Rhabarberkuchen"
	if err := dbB.UpdateCustomer(cb); err != nil {
		t.Fatal(err)
	}
	sync("b", syB, dbB)
	secrets := []string{"Zwetschgenbaum", "kunigunde@example.ch", "Quittengelee", "Rhabarberkuchen"}
	if got := targetHolds(t, syA, secrets); len(got) == 0 {
		t.Fatal("the target holds none of the secrets before the erasure: the test proves nothing")
	}

	if _, err := dbA.Erase(c.ID); err != nil {
		t.Fatal(err)
	}
	sync("a", syA, dbA)
	sync("b", syB, dbB)
	sync("a", syA, dbA)
	if got := targetHolds(t, syA, secrets); len(got) > 0 {
		t.Errorf("after erasure and compaction the target holds %v", got)
	}
	for name, db := range map[string]*storage.DB{"a": dbA, "b": dbB} {
		if _, err := db.Customer(c.ID); model.ErrorCode(err) != model.ENOTFOUND {
			t.Errorf("device %s: got %v, want %s", name, err, model.ENOTFOUND)
		}
		if left, err := db.UncompactedErasures(); err != nil || len(left) != 0 {
			t.Errorf("device %s: uncompacted erasures %v, %v; want none", name, left, err)
		}
	}
	lists, err := syA.CompactedErasures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, db := range []*storage.DB{dbA, dbB} {
		if l := lists[db.DeviceID()]; len(l) != 1 || l[0] != c.ID {
			t.Errorf("erasure list of %s: got %v, want [%s]", db.DeviceID(), l, c.ID)
		}
	}

	dbC, syC := device("c", false)
	sync("c", syC, dbC)
	if _, err := dbC.Customer(c.ID); model.ErrorCode(err) != model.ENOTFOUND {
		t.Errorf("joining device: got %v, want %s", err, model.ENOTFOUND)
	}
	if list, err := dbC.Erasures(); err != nil || len(list) != 1 {
		t.Errorf("joining device: erasures %v, %v; want the one", list, err)
	}
}

// openDevice opens database name in dir and joins (or, with create, sets
// up) the folder target.
func openDevice(t *testing.T, dir, target, name string, create bool) (*storage.DB, *Syncer) {
	t.Helper()
	ctx := context.Background()
	const pass = "Messe Basel 2026"
	db, err := storage.Open(filepath.Join(dir, name+".db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Check(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		db.Close()
	})
	if err := Setup(ctx, Config{Folder: target}, pass, create, testKDF, DBStateStore(db)); err != nil {
		t.Fatal(err)
	}
	sy, err := OpenSyncer(db, db, DBStateStore(db))
	if err != nil {
		t.Fatal(err)
	}
	return db, sy
}
