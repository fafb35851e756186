package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// testClock is a deterministic clock that moves one second per reading.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// openTest opens a fresh database under tb.TempDir and checks it when the
// test ends.
func openTest(tb testing.TB) *DB {
	tb.Helper()
	return openTestAt(tb, filepath.Join(tb.TempDir(), "k.db"))
}

func openTestAt(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(path, Options{Now: newTestClock().Now})
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Check(); err != nil {
			tb.Errorf("check at cleanup: %v", err)
		}
		db.Close()
	})
	return db
}

// mustCheck runs the consistency checker now.
func mustCheck(tb testing.TB, db *DB) {
	tb.Helper()
	if err := db.Check(); err != nil {
		tb.Fatalf("check: %v", err)
	}
}

func mustOK(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func newCustomer(given, family, company string) *model.Customer {
	return &model.Customer{GivenName: given, FamilyName: family, Company: company}
}

// dump returns every record of every type as "type id json" lines, sorted:
// two databases with equal dumps hold identical records.
func dump(tb testing.TB, db *DB) string {
	tb.Helper()
	var lines []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, typ := range model.RecordTypes {
			recBucket(tx, typ).ForEach(func(k, v []byte) error {
				lines = append(lines, fmt.Sprintf("%s %x %s", typ, k, v))
				return nil
			})
		}
		return nil
	})
	mustOK(tb, err)
	sort.Strings(lines)
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// allOps returns the whole change log of db.
func allOps(tb testing.TB, db *DB) []model.Op {
	tb.Helper()
	ops, _, err := db.Ops(0, 0)
	mustOK(tb, err)
	return ops
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
