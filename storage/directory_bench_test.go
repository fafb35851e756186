package storage

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"
)

// writeHeapProfile writes the heap profile to path, for
// BenchmarkDirectoryHeap: -memprofile would see the heap after Close.
func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDirectoryHeap opens the large database and reports how much heap
// the open database holds once the directory (summaries and search index)
// is loaded and the background work is done: heap-B is the live heap after
// a collection, B/customer that divided by the number of customers. Run it
// with KK_HEAP_PROFILE=FILE -memprofilerate 4096 and `go tool pprof -sample_index=inuse_space` to see
// where the bytes are.
func BenchmarkDirectoryHeap(b *testing.B) {
	path := largeDB(b)
	var ms runtime.MemStats
	time.Sleep(3 * time.Second) // let largeDB's directory finish its background work
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		db, err := Open(path, Options{Now: func() time.Time { return benchNow }})
		if err != nil {
			b.Fatal(err)
		}
		db.dir.Wait()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		if p := os.Getenv("KK_HEAP_PROFILE"); p != "" {
			writeHeapProfile(b, p)
		}
		n := db.Directory().Len()
		heap := float64(ms.HeapAlloc) - float64(before)
		b.ReportMetric(heap, "heap-B")
		b.ReportMetric(heap/float64(n), "B/customer")
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}
