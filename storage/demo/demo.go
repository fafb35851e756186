// Package demo generates deterministic demo data: customers with German,
// Swiss and Austrian names, their visit notes, follow-ups, loyalty gestures
// and a few events, shaped so every screen has something to show (open
// complaints, overdue and today's follow-ups, gestures about to expire,
// birthdays) and large enough to check the performance budgets.
//
// The same Spec always yields the same records, IDs included, whatever the
// batch size: every customer draws from its own random stream seeded by
// (Spec.Seed, customer number), and how many notes, follow-ups and gestures
// each customer gets is planned up front from a cheap hash. So the large set
// is generated in bounded memory, batch by batch, and a benchmark can load
// exactly the same data twice.
package demo

import (
	"context"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// DefaultBatch is the batch size Generate uses when given zero or less:
// large enough for storage to commit efficiently, small enough to keep
// memory low (about 10,000 notes per batch in the large set).
const DefaultBatch = 1000

// Zone is the time zone the demo business works in. Follow-ups and events
// are planned in it; notes happen during its office hours.
const Zone = "Europe/Zurich"

// Spec describes a demo data set.
type Spec struct {
	Customers int       // number of customers
	Notes     int       // total visit notes, spread over the customers
	FollowUps int       // total follow-ups
	Gestures  int       // total gestures, invitations to the events included
	Events    int       // events (at most len of the built-in list, currently 5)
	Seed      int64     // the same seed and counts give the same records
	Now       time.Time // reference "today": notes lie before it, follow-ups around it
	Region    string    // "CH", "DE" or "AT": where most customers live ("" means CH)
}

// Small is a data set for a first look at the app.
func Small(now time.Time) Spec {
	return Spec{Customers: 200, Notes: 2000, FollowUps: 300, Gestures: 100, Events: 3, Seed: 1, Now: now, Region: "CH"}
}

// Large is the data set the performance budgets of DESIGN.md §9 refer to.
func Large(now time.Time) Spec {
	return Spec{Customers: 100_000, Notes: 1_000_000, FollowUps: 200_000, Gestures: 50_000, Events: 5, Seed: 1, Now: now, Region: "CH"}
}

// Records returns how many records the spec produces.
func (s Spec) Records() int { return s.Customers + s.Notes + s.FollowUps + s.Gestures + s.Events }

func (s Spec) validate() error {
	switch {
	case s.Customers < 0 || s.Notes < 0 || s.FollowUps < 0 || s.Gestures < 0 || s.Events < 0:
		return model.Errorf(model.EINVALID, "demo: counts must not be negative")
	case s.Customers == 0 && s.Notes+s.FollowUps+s.Gestures > 0:
		return model.Errorf(model.EINVALID, "demo: notes, follow-ups and gestures need customers")
	case s.Events > len(eventTemplates):
		return model.Errorf(model.EINVALID, "demo: at most %d events", len(eventTemplates))
	case s.Now.IsZero():
		return model.Errorf(model.EINVALID, "demo: Now is required")
	case s.Now.Year() < 1995 || s.Now.Year() > 9000:
		// Customers are up to 30 years old and IDs carry 48-bit Unix milliseconds.
		return model.Errorf(model.EINVALID, "demo: Now must lie between 1995 and 9000")
	}
	switch s.Region {
	case "", "CH", "DE", "AT":
	default:
		return model.Errorf(model.EINVALID, "demo: unknown region %q", s.Region)
	}
	return nil
}

// Generate produces the data set in batches of at most batchCustomers
// customers (DefaultBatch when zero or less) together with exactly their
// notes, follow-ups and gestures; the events come in the first batch. It
// calls emit once per batch, in order, and stops with emit's error or, between
// batches, with ctx.Err(). emit owns the slices it is given.
//
// Every record is already normalized and valid; Meta (ID, Created, Updated,
// Device, Author) is filled, so a bulk load keeps the history's shape.
// Generate returns EINVALID for an impossible spec.
func Generate(ctx context.Context, spec Spec, batchCustomers int, emit func(model.Bulk) error) error {
	if err := spec.validate(); err != nil {
		return err
	}
	if batchCustomers <= 0 {
		batchCustomers = DefaultBatch
	}
	w, err := newWorld(spec)
	if err != nil {
		return err
	}
	if spec.Customers == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(w.events) == 0 {
			return nil
		}
		return emit(model.Bulk{Events: slices.Clone(w.events)})
	}
	return w.run(ctx, batchCustomers, emit)
}

// run generates the batches on a few goroutines, ahead of emit, and hands
// them to emit in order. Each batch depends only on its customer range, so
// which goroutine made it does not matter; generating ahead lets storage
// commit one batch while the next ones are made. At most two batches per
// worker wait, which keeps memory bounded.
func (w *world) run(parent context.Context, batchCustomers int, emit func(model.Bulk) error) error {
	ctx, cancel := context.WithCancel(parent)
	var wg sync.WaitGroup
	defer wg.Wait() // no goroutine outlives Generate
	defer cancel()

	type job struct {
		start, end int
		out        chan model.Bulk // buffered: a worker never waits for emit
	}
	batches := (w.spec.Customers + batchCustomers - 1) / batchCustomers
	workers := min(runtime.GOMAXPROCS(0), maxWorkers, batches)
	jobs := make(chan job)
	queue := make(chan chan model.Bulk, workers) // results in batch order
	wg.Go(func() {
		defer close(queue)
		defer close(jobs)
		for start := 0; start < w.spec.Customers; start += batchCustomers {
			j := job{start: start, end: min(start+batchCustomers, w.spec.Customers), out: make(chan model.Bulk, 1)}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
			select {
			case queue <- j.out:
			case <-ctx.Done():
				return
			}
		}
	})
	for range workers {
		wg.Go(func() {
			g := newGen(w)
			for j := range jobs {
				j.out <- g.batch(j.start, j.end)
			}
		})
	}
	emitted := 0
	for out := range queue {
		b := <-out
		if err := parent.Err(); err != nil {
			return err
		}
		if emitted == 0 {
			b.Events = slices.Clone(w.events) // the loader may normalize them while workers still read w.events
		}
		if err := emit(b); err != nil {
			return err
		}
		emitted++
	}
	if emitted < batches { // the dispatcher gave up: parent was cancelled
		return parent.Err()
	}
	return nil
}

// maxWorkers caps the generating goroutines: beyond a few, emit (storage)
// is the bottleneck anyway.
const maxWorkers = 4

// world holds what every batch reads and nobody writes after newWorld: the
// calendar, the per-customer plan and the events.
type world struct {
	spec    Spec
	loc     *time.Location
	nowSec  int64 // Unix seconds of Spec.Now
	days    []day // local calendar from 31 years before today to 400 days after
	today   int   // index of today in days
	country [3]int

	// Cumulative planned counts: customer i owns notes noteCum[i] up to
	// noteCum[i+1] (exclusive), likewise follow-ups and gestures.
	noteCum, fuCum, gestCum []int64

	events []model.Event
}

// day is one local calendar day.
type day struct {
	start   int64 // Unix seconds of local midnight
	date    model.Date
	weekday time.Weekday
}

func newWorld(spec Spec) (*world, error) {
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "demo: time zone %s", Zone)
	}
	w := &world{spec: spec, loc: loc, nowSec: spec.Now.Unix()}
	local := spec.Now.In(loc)
	y, m, d := local.Date()
	const back, ahead = 31 * 366, 400
	w.days = make([]day, back+ahead+1)
	for i := range w.days {
		t := time.Date(y, m, d-back+i, 0, 0, 0, 0, loc)
		w.days[i] = day{start: t.Unix(), date: model.DateOf(t), weekday: t.Weekday()}
	}
	w.today = back
	switch spec.Region {
	case "DE":
		w.country = [3]int{15, 70, 15}
	case "AT":
		w.country = [3]int{15, 20, 65}
	default:
		w.country = [3]int{60, 25, 15}
	}
	w.plan()
	w.makeEvents()
	return w, nil
}

// Plan weights. A key customer is contacted about six times as often as a
// small one; a few "heavy" customers get a couple of hundred notes, so the
// timeline benchmark has realistic subjects; some fresh leads have none.
func (w *world) plan() {
	n := w.spec.Customers
	nw := make([]uint64, n)
	fw := make([]uint64, n)
	gw := make([]uint64, n)
	for i := range n {
		h := w.profile(i)
		var base, gbase uint64
		switch segmentOf(h) {
		case model.SegmentKey:
			base, gbase = 30, 12
		case model.SegmentRegular:
			base, gbase = 10, 4
		default:
			base, gbase = 5, 2
		}
		a := base * (50 + h>>8%100) // 0.5 … 1.5 times the segment's base
		if h>>20%1000 < 3 {
			a *= 20
		}
		if h>>32%100 < 3 {
			a = 0
		}
		nw[i] = a
		fw[i] = a/2 + 150
		gw[i] = gbase * (50 + h>>40%100)
	}
	w.noteCum = cumulate(nw, w.spec.Notes)
	w.fuCum = cumulate(fw, w.spec.FollowUps)
	w.gestCum = cumulate(gw, w.spec.Gestures)
}

// cumulate spreads total over the weights so that the counts add up to
// exactly total: entry i is floor(total × (w[0]+…+w[i-1]) / Σw).
func cumulate(weights []uint64, total int) []int64 {
	var sum uint64
	for _, x := range weights {
		sum += x
	}
	if sum == 0 {
		for i := range weights {
			weights[i] = 1
		}
		sum = uint64(len(weights))
	}
	out := make([]int64, len(weights)+1)
	var acc uint64
	for i, x := range weights {
		acc += x
		hi, lo := bits.Mul64(uint64(total), acc)
		q, _ := bits.Div64(hi, lo, sum) // hi < sum because acc ≤ sum
		out[i+1] = int64(q)
	}
	return out
}

// profile is the plan hash of customer i: segment and activity come from
// it, so the plan and the customer's own generator agree without storing
// anything per customer.
func (w *world) profile(i int) uint64 {
	return splitmix(uint64(w.spec.Seed)*0x9e3779b97f4a7c15 ^ splitmix(uint64(i)+0x5bd1e995))
}

func segmentOf(h uint64) string {
	switch p := h % 100; {
	case p < 10:
		return model.SegmentKey
	case p < 60:
		return model.SegmentRegular
	}
	return model.SegmentSmall
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// dayOf returns the index in days of the local day containing Unix second s.
func (w *world) dayOf(s int64) int {
	i := int((s - w.days[0].start) / 86400)
	for i+1 < len(w.days) && w.days[i+1].start <= s {
		i++
	}
	for i > 0 && w.days[i].start > s {
		i--
	}
	return i
}

// makeEvents builds the events from their templates; they come from their
// own random stream, so adding customers does not change them.
func (w *world) makeEvents() {
	g := newGen(w)
	g.seed(^uint64(0))
	for i := range w.spec.Events {
		t := eventTemplates[i]
		start := w.days[w.today+t.days].start + int64(t.hour)*3600
		created := min(start-60*86400, w.nowSec-2*86400) + int64(g.r.IntN(3600))
		s := staff[i%len(staff)]
		w.events = append(w.events, model.Event{
			Meta:     g.meta(created, created, s.device, s.name),
			Name:     t.name,
			Start:    unix(start),
			TZ:       Zone,
			Duration: t.duration,
			Place:    t.place,
			Capacity: t.capacity,
		})
	}
}

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }
