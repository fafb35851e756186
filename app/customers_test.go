package app

import (
	"context"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/storage/demo"
)

// benchUI builds the main window on a database with n demo customers
// (no notes), for the list benchmarks.
func benchUI(b *testing.B, n int) *UI {
	b.Helper()
	if err := LoadTranslations(); err != nil {
		b.Fatal(err)
	}
	a := test.NewTempApp(b)
	db, err := storage.Open(filepath.Join(b.TempDir(), "k.db"), storage.Options{Now: func() time.Time { return shellNow }, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := db.Close(); err != nil {
			b.Error(err)
		}
	})
	spec := demo.Spec{Customers: n, Seed: 1, Now: shellNow, Region: "CH"}
	ctx := context.Background()
	if err := demo.Generate(ctx, spec, 0, func(bulk model.Bulk) error { return db.BulkLoad(ctx, bulk, nil) }); err != nil {
		b.Fatal(err)
	}
	u := New(a, db, Options{})
	b.Cleanup(u.Window().Close)
	u.Window().Resize(fyne.NewSize(1400, 900))
	u.tabs.Select(u.customersTab)
	return u
}

// BenchmarkCustomers100k measures the customer list over 100,000
// customers (one setup for all parts):
//   - keystroke: one keystroke in the search, i.e. the directory search,
//     handing the result to the list and redrawing its visible rows, in
//     the two-line cards (the list before the table) and in the table;
//   - sort-switch: the sort changed with an empty search (all 100,000):
//     cards between name and last contact through the select, as before
//     the table; the table by clicks on the Company and Town headers,
//     ascending and descending;
//   - apply: only the list's part of a keystroke, with the result at hand;
//   - all: showing all 100,000 sorted by name (empty search), the heaviest.
func BenchmarkCustomers100k(b *testing.B) {
	u := benchUI(b, 100000)
	s := u.customers
	s.asyncAbove = 1 << 30 // measure the work itself, in this goroutine
	queries := []string{"m", "mu", "mue", "muel", "muell", "mueller", "z", "zu", "zur", "zuri"}
	// Warm up: let the index finish any background work after the load.
	for i := 0; i < 50; i++ {
		s.search.SetText(queries[i%len(queries)])
	}
	runtime.GC()

	for _, cards := range []bool{true, false} {
		view := map[bool]string{true: "cards", false: "table"}[cards]
		if s.cards != cards {
			s.onToggleView()
		}
		u.Window().Canvas().Capture() // the view's rows have their renderers
		b.Run("keystroke/"+view, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				s.search.SetText(queries[i%len(queries)])
			}
			b.StopTimer()
			if s.rows.Length() == 0 {
				b.Fatalf("the last query found nobody; the benchmark measured nothing")
			}
		})
	}
	s.search.SetText("")
	b.Run("sort-switch/cards", func(b *testing.B) {
		if !s.cards {
			s.onToggleView()
		}
		for i := 0; i < b.N; i++ {
			s.sort.SetSelected(sortText([]model.SortOrder{model.SortByLastContact, model.SortByName}[i%2]))
		}
	})
	b.Run("sort-switch/table", func(b *testing.B) {
		if s.cards {
			s.onToggleView()
		}
		company, city := columnOf(model.SortByCompany), columnOf(model.SortByCity)
		s.onHeader(company) // builds the company order once
		s.onHeader(city)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			s.onHeader([]int{company, company, city, city}[i%4]) // asc, desc, asc, desc
		}
		b.StopTimer()
		if got := s.rows.Length(); got != 100000 {
			b.Fatalf("got %d rows, want 100000", got)
		}
	})
	b.Run("apply", func(b *testing.B) {
		dir := u.env.svc.Directory()
		res := dir.Search(model.Query{Text: "m"})
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			s.apply(res, dir.Len())
		}
		b.StopTimer()
		if s.rows.Length() != len(res) || len(res) == 0 {
			b.Fatalf("got %d rows, want %d > 0", s.rows.Length(), len(res))
		}
	})
	b.Run("all", func(b *testing.B) {
		s.search.SetText("")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			s.refresh()
		}
		b.StopTimer()
		if got := s.rows.Length(); got != 100000 {
			b.Fatalf("got %d rows, want 100000", got)
		}
	})
}

// BenchmarkCustomerListScroll scrolls the list of all 100,000 customers
// (by name) a page at a time, as Page Down or a fast flick of the wheel
// does, and reports the time per step: the list taking the new offset and
// filling every row that came into view, the rows' labels setting their
// text and their renderers laying it out and measuring it. That is the
// program's share of a frame; painting is OpenGL's on screen and is not
// measured here (the test driver's software painter needs over 100 ms for
// the whole window, which says nothing about the GPU). A frame at 60 Hz is
// 16.7 ms; step-over16ms is the share of steps above it.
func BenchmarkCustomerListScroll(b *testing.B) {
	u := benchUI(b, 100000)
	s := u.customers
	s.asyncAbove = 1 << 30 // the list shows all customers before the steps
	if !s.cards {
		s.onToggleView() // the two-line cards; see BenchmarkCustomerTableScroll
	}
	s.search.SetText("")
	if got := s.rows.Length(); got != 100000 {
		b.Fatalf("got %d rows, want 100000", got)
	}
	page := s.list.Size().Height
	if page <= 0 {
		b.Fatal("the list has no height")
	}
	u.Window().Canvas().Capture() // one paint: every row has its renderer
	runtime.GC()
	steps := make([]time.Duration, 0, b.N)
	offset := float32(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		offset += page
		start := time.Now()
		s.list.ScrollToOffset(offset)
		steps = append(steps, time.Since(start))
	}
	b.StopTimer()
	if got := s.list.GetScrollOffset(); got < offset-page {
		b.Fatalf("scrolled to %v, want about %v", got, offset)
	}
	reportSteps(b, "step", steps)
}

// BenchmarkCustomerTableScroll is BenchmarkCustomerListScroll for the
// table view: a page of rows at a time through all 100,000 customers.
func BenchmarkCustomerTableScroll(b *testing.B) {
	u := benchUI(b, 100000)
	s := u.customers
	s.asyncAbove = 1 << 30
	if s.cards {
		s.onToggleView()
	}
	s.search.SetText("")
	if got := s.rows.Length(); got != 100000 {
		b.Fatalf("got %d rows, want 100000", got)
	}
	page := s.table.table.Size().Height
	if page <= 0 {
		b.Fatal("the table has no height")
	}
	u.Window().Canvas().Capture()
	runtime.GC()
	steps := make([]time.Duration, 0, b.N)
	offset := float32(0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		offset += page
		start := time.Now()
		s.table.table.ScrollToOffset(fyne.NewPos(0, offset))
		steps = append(steps, time.Since(start))
	}
	b.StopTimer()
	reportSteps(b, "step", steps)
}

// reportSteps adds the median and 99th percentile of d, in milliseconds,
// and the share of steps longer than a 60 Hz frame.
func reportSteps(b *testing.B, name string, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	over := 0
	for _, x := range d {
		if x > time.Second/60 {
			over++
		}
	}
	ms := func(x time.Duration) float64 { return float64(x) / float64(time.Millisecond) }
	b.ReportMetric(ms(d[len(d)/2]), name+"-p50-ms")
	b.ReportMetric(ms(d[len(d)*99/100]), name+"-p99-ms")
	b.ReportMetric(float64(over)/float64(len(d)), name+"-over16ms")
}
