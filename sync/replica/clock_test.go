package replica

import (
	"context"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestSyncTellsTheDeviceWhoseClockIsOff: among three devices, the one
// whose clock is two hours ahead (or behind) is told so; the others are
// not, and a change is warned about once.
func TestSyncTellsTheDeviceWhoseClockIsOff(t *testing.T) {
	for _, off := range []time.Duration{2 * time.Hour, -2 * time.Hour} {
		t.Run(off.String(), func(t *testing.T) {
			w := newWorld(t)
			a, b, c := w.peer("aaaaaaaa", off, nil), w.peer("bbbbbbbb", 0, nil), w.peer("cccccccc", 0, nil)
			for _, p := range []*peer{a, b, c} {
				p.edit(w, 1)
				p.sync(t)
			}
			for _, p := range []*peer{b, c, a} {
				p.sync(t)
			}
			reps := map[string]Report{}
			for _, p := range []*peer{a, b, c} {
				reps[p.log.device] = p.sync(t)
			}
			got := reps[a.log.device].ClockOff
			if got < off-time.Minute || got > off+time.Minute {
				t.Errorf("device with the wrong clock: got ClockOff %v, want about %v", got, off)
			}
			for _, p := range []*peer{b, c} {
				if r := reps[p.log.device]; r.ClockWarning() {
					t.Errorf("%s: got ClockOff %v, want none", p.log.device, r.ClockOff)
				}
			}
			// Nothing new: no device is warned about the same changes again.
			for _, p := range []*peer{a, b, c} {
				if r := reps[p.log.device]; r.DriftWarning() {
					t.Errorf("%s: warned again about %v drift from %s", p.log.device, r.Drift, r.DriftDevice)
				}
			}
		})
	}
}

// TestSyncDriftWarnedOnce: the change from a clock ahead is warned about
// when it arrives, naming its device, and not on the next syncs.
func TestSyncDriftWarnedOnce(t *testing.T) {
	w := newWorld(t)
	a, b := w.peer("aaaaaaaa", 3*time.Hour, nil), w.peer("bbbbbbbb", 0, nil)
	a.edit(w, 1)
	a.sync(t)
	if rep := b.sync(t); !rep.DriftWarning() || rep.DriftDevice != a.log.device {
		t.Fatalf("got drift %v from %q, want a warning about %s", rep.Drift, rep.DriftDevice, a.log.device)
	}
	if rep := b.sync(t); rep.DriftWarning() {
		t.Errorf("second sync: got drift %v again, want no warning", rep.Drift)
	}
}

// TestFarFutureChangeStillConverges: a device whose clock is a year ahead
// edits a customer; the others apply the change without adopting its
// clock, and an edit of the same field made afterwards on a device with a
// right clock still wins everywhere (storage, not the fake).
func TestFarFutureChangeStillConverges(t *testing.T) {
	wall := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	ahead := func() time.Time { return wall.Add(365 * 24 * time.Hour) }
	right := func() time.Time { return wall }
	a, b := openStore(t, ahead, true), openStore(t, right, true)
	w := newWorld(t)
	sa := NewSyncer(a, a, w.tg, w.key, DBStateStore(a))
	sb := NewSyncer(b, b, w.tg, w.key, DBStateStore(b))
	sa.now, sb.now = ahead, right
	ctx := context.Background()
	c := model.Customer{GivenName: "Lea", FamilyName: "Brunner"}
	if err := a.CreateCustomer(&c); err != nil {
		t.Fatal(err)
	}
	c.Memo = "from the future"
	if err := a.UpdateCustomer(&c); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Syncer{sa, sb} {
		if _, err := s.Sync(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.Customer(c.ID)
	if err != nil || got.Memo != "from the future" {
		t.Fatalf("b: got %q, %v, want the far-future change applied", got.Memo, err)
	}
	got.Memo = "fixed on b"
	if err := b.UpdateCustomer(got); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Syncer{sb, sa} {
		if _, err := s.Sync(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	for name, db := range map[string]interface {
		Customer(model.ID) (*model.Customer, error)
	}{"a": a, "b": b} {
		if got, err := db.Customer(c.ID); err != nil || got.Memo != "fixed on b" {
			t.Errorf("%s: got %q, %v, want the later edit from b", name, got.Memo, err)
		}
	}
}
