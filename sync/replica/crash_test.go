package replica

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

// TestSyncCrashChild is the device the crash test kills: it captures
// customers with notes and syncs after each, forever. It runs only when
// TestSyncKilledMidway starts it.
func TestSyncCrashChild(t *testing.T) {
	path := os.Getenv("KK_SYNC_CRASH_DB")
	if path == "" {
		t.Skip("run by TestSyncKilledMidway")
	}
	db, err := storage.Open(path, storage.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sy, err := OpenSyncer(db, db, DBStateStore(db))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	for i := 0; ; i++ {
		c := &model.Customer{GivenName: "Lead", FamilyName: fmt.Sprintf("Messe %d-%d", os.Getpid(), i)}
		if err := db.CreateCustomer(c); err != nil {
			t.Fatal(err)
		}
		if err := db.AddNote(&model.Note{CustomerID: c.ID, Kind: model.NoteFair, Text: "am Stand"}); err != nil {
			t.Fatal(err)
		}
		if _, err := sy.Sync(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSyncKilledMidway kills a syncing device at random moments, many
// times. After every kill its database must pass the consistency check
// and its next sync must complete; at the end a second device that joins
// the target receives exactly the customers the first one has.
func TestSyncKilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	rounds := 8
	if s := os.Getenv("KK_SYNC_CRASH_ROUNDS"); s != "" {
		rounds, _ = strconv.Atoi(s)
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.Mkdir(target, 0o700); err != nil {
		t.Fatal(err)
	}
	pathA := filepath.Join(dir, "a.db")
	ctx := context.Background()
	const pass = "Messe Basel 2026"
	dbA, err := storage.Open(pathA, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Setup(ctx, Config{Folder: target}, pass, true, testKDF, DBStateStore(dbA)); err != nil {
		t.Fatal(err)
	}
	dbA.Close()

	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSyncCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "KK_SYNC_CRASH_DB="+pathA)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 6)
		if _, err := out.Read(buf); err != nil {
			t.Fatalf("round %d: child did not start: %v", round, err)
		}
		time.Sleep(time.Duration(50+rng.Intn(400)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		db, err := storage.Open(pathA, storage.Options{})
		if err != nil {
			t.Fatalf("round %d: open after kill: %v", round, err)
		}
		if err := db.Check(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		sy, err := OpenSyncer(db, db, DBStateStore(db))
		if err == nil {
			_, err = sy.Sync(ctx, nil)
		}
		db.Close()
		if err != nil {
			t.Fatalf("round %d: the sync after the kill failed: %v", round, err)
		}
	}

	dbA, err = storage.Open(pathA, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dbA.Close()
	dbB, err := storage.Open(filepath.Join(dir, "b.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dbB.Close()
	if err := Setup(ctx, Config{Folder: target}, pass, false, testKDF, DBStateStore(dbB)); err != nil {
		t.Fatal(err)
	}
	syB, err := OpenSyncer(dbB, dbB, DBStateStore(dbB))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := syB.Sync(ctx, nil)
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("joining device: %v, problems %v", err, rep.Problems)
	}
	if err := dbB.Check(); err != nil {
		t.Fatal(err)
	}
	a, b := dbA.Directory().Len(), dbB.Directory().Len()
	if a == 0 || a != b {
		t.Fatalf("device A has %d customers, the joined device B %d", a, b)
	}
}
