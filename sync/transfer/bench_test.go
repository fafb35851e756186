//go:build unix

package transfer_test

import (
	"io"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/sync/ical"
	"github.com/kundenkartei/kundenkartei/sync/transfer"
)

// BenchmarkExportLarge measures the whole export path (storage reads,
// encoding, writing) on the large data set of DESIGN.md §9, which
// KK_BENCH_DB names (`kundenkartei -db FILE demo -size large`; the .ics
// export writes its stamps into the file: use a copy). It reports the
// bytes written, how far the Go heap in use grew above what the open
// database holds, and the CPU time per export. Unix only (getrusage).
func BenchmarkExportLarge(b *testing.B) {
	path := os.Getenv("KK_BENCH_DB")
	if path == "" {
		b.Skip("set KK_BENCH_DB to a copy of the large data set")
	}
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := db.Close(); err != nil {
			b.Error(err)
		}
	})
	all := []model.FollowUpStatus{model.FollowUpOpen, model.FollowUpDone, model.FollowUpCancelled}
	for _, bm := range []struct {
		name   string
		format string
		sel    transfer.Selection
	}{
		{"ics-open", transfer.FormatICS, transfer.Selection{}},
		{"ics-all", transfer.FormatICS, transfer.Selection{Statuses: all}},
		{"vcard", transfer.FormatVCard, transfer.Selection{}},
		{"vcard4", transfer.FormatVCard4, transfer.Selection{}},
		{"outlook", transfer.FormatOutlook, transfer.Selection{}},
		{"csv", transfer.FormatCSV, transfer.Selection{}},
		{"mailing", transfer.FormatMailing, transfer.Selection{}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			var peak uint64
			var written int64
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			base := m.HeapInuse
			cpu0 := cpuTime(b)
			for b.Loop() {
				w := &countingWriter{}
				stop := watchHeap(&peak)
				n, err := transfer.Export(db, w, bm.format, bm.sel, ical.Options{})
				stop()
				if err != nil || n == 0 {
					b.Fatalf("got %d records, %v", n, err)
				}
				written = w.n
			}
			b.ReportMetric(float64(written)/1e6, "MB-written")
			b.ReportMetric(float64(peak-min(peak, base))/1e6, "MB-heap-growth")
			// The machine is shared: CPU time tells the work apart from
			// the waiting for a core.
			b.ReportMetric((cpuTime(b)-cpu0).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// cpuTime returns the user and system time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

// watchHeap samples the heap in use every few milliseconds until stop is
// called, keeping the largest figure in peak.
func watchHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapInuse)
			select {
			case <-done:
				return
			default:
				runtime.Gosched()
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }
}
