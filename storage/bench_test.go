package storage

import (
	"context"
	"fmt"
	bolt "go.etcd.io/bbolt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage/demo"
)

// benchNow is the reference day of the benchmark data set.
var benchNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

var (
	largeOnce sync.Once
	largePath string
	largeErr  error
	// richCustomer has 200 timeline entries in the large set.
	richCustomer model.ID
)

// largeDB returns the path of the "large" data set of DESIGN.md §9
// (100,000 customers, 1,000,000 notes, 200,000 follow-ups, 50,000
// gestures), generated once per test process into a temp dir. Set
// KK_BENCH_DB to a path to keep it across runs.
func largeDB(b *testing.B) string {
	b.Helper()
	largeOnce.Do(func() {
		largePath = os.Getenv("KK_BENCH_DB")
		if largePath == "" {
			dir, err := os.MkdirTemp("", "kundenkartei-bench-")
			if err != nil {
				largeErr = err
				return
			}
			largePath = filepath.Join(dir, "large.db")
		}
		db, err := Open(largePath, Options{Now: func() time.Time { return benchNow }, NoSync: true})
		if err != nil {
			largeErr = err
			return
		}
		defer db.Close()
		if db.Directory().Len() == 0 {
			start := time.Now()
			largeErr = demo.Generate(context.Background(), demo.Large(benchNow), 0, func(bk model.Bulk) error {
				return db.BulkLoad(context.Background(), bk, nil)
			})
			if largeErr != nil {
				return
			}
			fmt.Fprintf(os.Stderr, "generated the large data set in %s\n", time.Since(start).Round(time.Second))
		}
		richCustomer, largeErr = ensureRichCustomer(db)
	})
	if largeErr != nil {
		b.Fatal(largeErr)
	}
	return largePath
}

// ensureRichCustomer returns a customer with 200 timeline entries,
// making one if the data set has none.
func ensureRichCustomer(db *DB) (model.ID, error) {
	hits := db.Directory().Search(model.Query{Text: "Zeitleiste Testkunde"})
	if len(hits) > 0 {
		return hits[0].ID, nil
	}
	c := newCustomer("Testkunde", "Zeitleiste", "Benchmark AG")
	if err := db.CreateCustomer(c); err != nil {
		return model.NilID, err
	}
	b := model.Bulk{}
	for i := 0; i < 160; i++ {
		b.Notes = append(b.Notes, model.Note{CustomerID: c.ID, At: benchNow.AddDate(0, 0, -i), Kind: model.NoteKinds[i%len(model.NoteKinds)], Text: fmt.Sprintf("Besuch Nr. %d: Gespräch über die neue Offerte", i), By: "Anna"})
	}
	for i := 0; i < 30; i++ {
		b.FollowUps = append(b.FollowUps, model.FollowUp{CustomerID: c.ID, Due: benchNow.AddDate(0, 0, i-15), Title: "Nachfassen", TZ: "Europe/Zurich"})
	}
	for i := 0; i < 10; i++ {
		b.Gestures = append(b.Gestures, model.Gesture{CustomerID: c.ID, Kind: model.GestureGift, Title: "Weinflasche"})
	}
	return c.ID, db.BulkLoad(context.Background(), b, nil)
}

// BenchmarkOpenFirstPage measures opening the large database until the
// first page of the customer list (50 rows by name) is ready.
func BenchmarkOpenFirstPage(b *testing.B) {
	path := largeDB(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db, err := Open(path, Options{Now: func() time.Time { return benchNow }})
		if err != nil {
			b.Fatal(err)
		}
		page := db.Directory().Search(model.Query{Limit: 50})
		if len(page) != 50 {
			b.Fatalf("first page: %d rows", len(page))
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}

// BenchmarkTimeline200 opens a customer with 200 timeline entries.
func BenchmarkTimeline200(b *testing.B) {
	db := openLarge(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tl, err := db.Timeline(richCustomer)
		if err != nil {
			b.Fatal(err)
		}
		if n := len(tl.Notes) + len(tl.FollowUps) + len(tl.Gestures); n != 200 {
			b.Fatalf("timeline has %d entries, want 200", n)
		}
	}
}

// BenchmarkSaveNote saves one note per op, each a durable (fsynced)
// transaction, into the large database; it reports the median and p99.
func BenchmarkSaveNote(b *testing.B) {
	db := openLarge(b)
	ids := db.Directory().Search(model.Query{Limit: 1000})
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		err := db.AddNote(&model.Note{CustomerID: ids[i%len(ids)].ID, Kind: model.NoteCall, Impression: model.Positive, Text: "Kurz telefoniert, alles bestens."})
		durations = append(durations, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
	}
	reportPercentiles(b, durations)
}

// BenchmarkSearchKeystrokeLarge types "Müller" one keystroke at a time
// against the directory of the large database.
func BenchmarkSearchKeystrokeLarge(b *testing.B) {
	db := openLarge(b)
	queries := []string{"m", "mu", "mul", "mull", "mulle", "muller"}
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		res := db.Directory().Search(model.Query{Text: queries[i%len(queries)]})
		durations = append(durations, time.Since(start))
		if len(res) == 0 {
			b.Fatal("no hits")
		}
	}
	reportPercentiles(b, durations)
}

// BenchmarkApply100k applies 100,000 remote field ops (edits of existing
// customers from another device) in one ApplyOps call.
func BenchmarkApply100k(b *testing.B) {
	src, err := Open(filepath.Join(b.TempDir(), "src.db"), Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	// 10,000 customers, then 9 rounds of memo edits of all of them: 10 ops each.
	cs := make([]*model.Customer, 10_000)
	for n := range cs {
		cs[n] = newCustomer("Remote", fmt.Sprintf("Kunde %d", n), "")
	}
	ctx := context.Background()
	if err := src.SaveCustomers(ctx, cs, nil, nil); err != nil {
		b.Fatal(err)
	}
	for j := 0; j < 9; j++ {
		for _, c := range cs {
			c.Memo = fmt.Sprintf("Änderung %d", j)
		}
		if err := src.SaveCustomers(ctx, nil, cs, nil); err != nil {
			b.Fatal(err)
		}
	}
	ops := allOps(b, src)
	if len(ops) != 100_000 {
		b.Fatalf("%d ops, want 100000", len(ops))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst, err := Open(filepath.Join(b.TempDir(), fmt.Sprintf("d%d.db", i)), Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := dst.ApplyOps(ops)
		if err != nil || res.Applied != len(ops) {
			b.Fatalf("apply: %+v %v", res, err)
		}
		b.StopTimer()
		dst.Close()
		b.StartTimer()
	}
}

func openLarge(b *testing.B) *DB {
	b.Helper()
	db, err := Open(largeDB(b), Options{Now: func() time.Time { return benchNow }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// reportPercentiles adds p50 and p99 of the per-op durations as metrics.
func reportPercentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkEmptyCommit is the floor under BenchmarkSaveNote: one durable
// bbolt transaction that writes a single small key into the same file (a
// key of its own: it once wrote the sync state, and left a large database
// whose sync setup the app then reported as damaged).
func BenchmarkEmptyCommit(b *testing.B) {
	db := openLarge(b)
	durations := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketMeta).Put([]byte("bench-empty-commit"), []byte(fmt.Sprint(i)))
		})
		durations = append(durations, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
	}
	reportPercentiles(b, durations)
}

// BenchmarkDuplicatesLarge finds possible duplicates among the 100,000
// customers of the large set, as the Sync screen does after a sync.
func BenchmarkDuplicatesLarge(b *testing.B) {
	path := largeDB(b)
	db, err := Open(path, Options{Now: func() time.Time { return benchNow }, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ResetTimer()
	var n int
	var more bool
	for i := 0; i < b.N; i++ {
		dups, m, err := db.Duplicates(200)
		if err != nil {
			b.Fatal(err)
		}
		n, more = len(dups), m
	}
	b.ReportMetric(float64(n), "pairs")
	if more {
		b.ReportMetric(1, "more")
	}
}
