package model_test

import (
	"sync"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// fakeWall is a wall clock a test sets by hand.
type fakeWall struct {
	mu sync.Mutex
	t  time.Time
}

func (w *fakeWall) now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.t
}

func (w *fakeWall) set(t time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.t = t
}

func TestHLCParts(t *testing.T) {
	ms := t0.UnixMilli()
	h := model.MakeHLC(ms, 7)
	if h.Millis() != ms || h.Counter() != 7 || !h.Time().Equal(t0) {
		t.Errorf("got %d ms, counter %d, time %v; want %d, 7, %v", h.Millis(), h.Counter(), h.Time(), ms, t0)
	}
	if got, want := h.String(), "2026-04-15T08:00:00.000Z+7"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
	// Order follows wall time first, then the counter.
	if !(model.MakeHLC(ms, 0xffff) < model.MakeHLC(ms+1, 0)) || !(model.MakeHLC(ms, 1) > model.MakeHLC(ms, 0)) {
		t.Error("HLC order: want wall time first, then counter")
	}
}

func TestClockMonotonic(t *testing.T) {
	for _, tt := range []struct {
		name  string
		walls []time.Duration // wall time before each Now, relative to t0
	}{
		{"advancing", []time.Duration{0, time.Millisecond, 2 * time.Second}},
		{"stuck", []time.Duration{0, 0, 0, 0, 0}},
		{"backwards", []time.Duration{time.Hour, 0, -time.Hour, -24 * time.Hour}},
		{"within one millisecond", []time.Duration{0, 100 * time.Microsecond, 999 * time.Microsecond}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := &fakeWall{}
			c := model.NewClock(w.now)
			var prev model.HLC
			for i, d := range tt.walls {
				w.set(t0.Add(d))
				h := c.Now()
				if h <= prev {
					t.Fatalf("Now #%d: got %v, want after %v", i, h, prev)
				}
				if h.Millis() < t0.Add(d).UnixMilli() {
					t.Errorf("Now #%d: got %v, want at least the wall time %v", i, h, t0.Add(d))
				}
				if c.Last() != h {
					t.Errorf("Last: got %v, want %v", c.Last(), h)
				}
				prev = h
			}
		})
	}
}

func TestClockStuckCounts(t *testing.T) {
	w := &fakeWall{t: t0}
	c := model.NewClock(w.now)
	for i := range 3 {
		h := c.Now()
		if h.Millis() != t0.UnixMilli() || int(h.Counter()) != i {
			t.Errorf("Now #%d: got %v, want %v counter %d", i, h, t0, i)
		}
	}
	// Once the wall clock moves on, the counter starts over.
	w.set(t0.Add(time.Millisecond))
	if h := c.Now(); h != model.MakeHLC(t0.UnixMilli()+1, 0) {
		t.Errorf("after the wall moved: got %v, want counter 0", h)
	}
}

func TestClockObserve(t *testing.T) {
	w := &fakeWall{t: t0}
	c := model.NewClock(w.now)
	local := c.Now()

	// A device whose clock runs ten minutes ahead.
	remote := model.MakeHLC(t0.Add(10*time.Minute).UnixMilli(), 3)
	if drift := c.Observe(remote); drift != 10*time.Minute {
		t.Errorf("drift: got %v, want 10m", drift)
	}
	if drift := c.Observe(remote); drift != 10*time.Minute { // idempotent
		t.Errorf("drift again: got %v, want 10m", drift)
	}
	next := c.Now()
	if next <= remote {
		t.Errorf("Now after Observe: got %v, want after the remote %v", next, remote)
	}
	if next.Millis() != remote.Millis() {
		t.Errorf("Now after Observe: got %v, want the remote's millisecond with a higher counter", next)
	}

	// An older remote changes nothing and reports negative drift.
	old := model.MakeHLC(t0.Add(-time.Minute).UnixMilli(), 0)
	if drift := c.Observe(old); drift != -time.Minute {
		t.Errorf("drift of an older remote: got %v, want -1m", drift)
	}
	if c.Last() != next {
		t.Errorf("Last after an older remote: got %v, want %v", c.Last(), next)
	}
	if local >= next {
		t.Errorf("got %v then %v, want increasing", local, next)
	}

	// When the local wall clock catches up, wall time takes over again.
	w.set(t0.Add(11 * time.Minute))
	if h := c.Now(); h != model.MakeHLC(t0.Add(11*time.Minute).UnixMilli(), 0) {
		t.Errorf("after catching up: got %v, want wall time with counter 0", h)
	}
}

// TestClockObserveFarFuture: a remote timestamp far ahead is reported
// but moves the clock only to wall time plus MaxAdopt.
func TestClockObserveFarFuture(t *testing.T) {
	tests := []struct {
		name   string
		ahead  time.Duration
		wantMs int64 // Last().Millis() after Observe, relative to t0
	}{
		{"an hour", time.Hour, time.Hour.Milliseconds()},
		{"just under the limit", model.MaxAdopt - time.Second, (model.MaxAdopt - time.Second).Milliseconds()},
		{"a year", 365 * 24 * time.Hour, model.MaxAdopt.Milliseconds()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &fakeWall{t: t0}
			c := model.NewClock(w.now)
			remote := model.MakeHLC(t0.Add(tc.ahead).UnixMilli(), 7)
			if drift := c.Observe(remote); drift != tc.ahead {
				t.Errorf("drift: got %v, want %v", drift, tc.ahead)
			}
			if got := c.Last().Millis() - t0.UnixMilli(); got != tc.wantMs {
				t.Errorf("clock moved to t0%+dms, want t0%+dms", got, tc.wantMs)
			}
			before := c.Last()
			if next := c.Now(); next <= before || next.Millis()-t0.UnixMilli() > model.MaxAdopt.Milliseconds() {
				t.Errorf("Now after a far remote: got %v, want within MaxAdopt of wall time", next)
			}
		})
	}
}

func TestClockConcurrent(t *testing.T) {
	w := &fakeWall{t: t0} // stuck, so every stamp comes from the counter
	c := model.NewClock(w.now)
	const goroutines, each = 8, 500
	stamps := make(chan model.HLC, goroutines*each)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				stamps <- c.Now()
			}
		})
	}
	wg.Wait()
	close(stamps)
	seen := map[model.HLC]bool{}
	for h := range stamps {
		if seen[h] {
			t.Fatalf("stamp %v issued twice", h)
		}
		seen[h] = true
	}
	if len(seen) != goroutines*each {
		t.Errorf("got %d stamps, want %d", len(seen), goroutines*each)
	}
}

func TestClockDefaultsToTimeNow(t *testing.T) {
	before := time.Now().Add(-time.Second)
	h := model.NewClock(nil).Now()
	if h.Time().Before(before) || h.Time().After(time.Now().Add(time.Second)) {
		t.Errorf("got %v, want about now", h)
	}
}

func st(h model.HLC, device string) model.Stamp { return model.Stamp{HLC: h, Device: device} }

func TestStampAfter(t *testing.T) {
	h := model.MakeHLC(t0.UnixMilli(), 0)
	for _, tt := range []struct {
		name string
		s, u model.Stamp
		want bool
	}{
		{"newer HLC wins", st(h+1, "a"), st(h, "z"), true},
		{"older HLC loses", st(h, "z"), st(h+1, "a"), false},
		{"tie: higher device wins", st(h, "laptop-b"), st(h, "laptop-a"), true},
		{"tie: lower device loses", st(h, "laptop-a"), st(h, "laptop-b"), false},
		{"identical: not after", st(h, "a"), st(h, "a"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.After(tt.u); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// A total order: of two different stamps exactly one is after the other.
	stamps := []model.Stamp{st(h, "a"), st(h, "b"), st(h+1, "a"), st(h-1, "z"), st(0, "")}
	for _, s := range stamps {
		for _, u := range stamps {
			if s == u {
				continue
			}
			if s.After(u) == u.After(s) {
				t.Errorf("%v and %v: After gives %v both ways", s, u, s.After(u))
			}
		}
	}
	op := model.Op{HLC: h, Device: "d"}
	if op.Stamp() != (model.Stamp{HLC: h, Device: "d"}) {
		t.Errorf("Op.Stamp: got %+v", op.Stamp())
	}
}
