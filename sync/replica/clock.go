package replica

import (
	"context"
	"sort"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// Clocks: every change carries its device's clock (model.HLC), and the
// newest change of a field wins, so a device whose clock is wrong wins or
// loses edits it should not. Sync cannot fix a clock, but it tells the
// device whose clock is off, and only once per change.
//
// A device reading other devices' changes notes, per device, how far the
// newest of them were ahead of its own clock (the change cannot be from
// the future, so at least one of the two clocks is wrong), and publishes
// those notes in its cursor file together with its own wall time at
// publishing (cursorFile.Ahead, cursorFile.At). Every device then reads
// the others' cursor files: when most of them say its own changes came
// from the future, its clock is ahead; when most of them were written
// "later" than its own clock says it is now, its clock is behind. With
// only two devices the two cannot tell whose clock is wrong; both are
// told, each with its own side of the difference.

// cursorRefresh is how long a published cursor file's wall time may
// become stale before the cursor file is written again although nothing
// else in it changed: it bounds how much its age hides a clock behind.
const cursorRefresh = 10 * time.Minute

// clockWatch collects, during one Sync, the changes applied for the first
// time: how far each device's newest were ahead of this device's clock.
type clockWatch struct {
	seen  model.HLC                // highest remote stamp checked before this sync
	high  model.HLC                // highest remote stamp checked in this sync
	ahead map[string]time.Duration // per device: the most a new change was ahead
}

// observe checks ops applied just now against the local clock, and the
// report's Drift gets the largest amount a change not seen before was
// ahead, so a change is warned about once.
func (s *Syncer) observe(ops []model.Op, rep *Report) {
	w := &s.clock
	now := s.now()
	for i := range ops {
		op := &ops[i]
		if op.HLC <= w.seen {
			continue
		}
		w.high = max(w.high, op.HLC)
		d := op.HLC.Time().Sub(now)
		if cur, ok := w.ahead[op.Device]; !ok || d > cur {
			w.ahead[op.Device] = d
		}
		if d > rep.Drift {
			rep.Drift, rep.DriftDevice = d, op.Device
		}
	}
}

// noteClocks keeps what this sync learned about other devices' clocks in
// st, for the cursor file and the next sync.
func (s *Syncer) noteClocks(st *state) {
	w := &s.clock
	for d, ahead := range w.ahead {
		if ahead > model.MaxDrift {
			if st.Ahead == nil {
				st.Ahead = map[string]int64{}
			}
			st.Ahead[d] = ahead.Milliseconds()
		} else {
			delete(st.Ahead, d) // its newest change fits our clock
		}
	}
	st.DriftSeen = max(st.DriftSeen, w.high)
}

// checkOwnClock reads the other devices' cursor files and reports in rep
// whether this device's clock seems ahead of or behind theirs.
func (s *Syncer) checkOwnClock(ctx context.Context, me string, rep *Report) error {
	devs, err := s.target.List(ctx, cursorsDir)
	if err != nil {
		return err
	}
	now := s.now()
	var ahead, behind []time.Duration
	n := 0
	for _, d := range devs {
		if d == me || !validDevice(d) {
			continue
		}
		c, ok, err := s.readCursor(ctx, d)
		if err != nil {
			return err
		}
		if !ok || c.At == 0 {
			continue // an older version's cursor says nothing about clocks
		}
		n++
		if ms := c.Ahead[me]; time.Duration(ms)*time.Millisecond > model.MaxDrift {
			ahead = append(ahead, time.Duration(ms)*time.Millisecond)
		} else if d := time.UnixMilli(c.At).Sub(now); d > model.MaxDrift {
			behind = append(behind, d)
		}
	}
	switch {
	case n > 0 && 2*len(ahead) > n:
		rep.ClockOff = median(ahead)
	case n > 0 && 2*len(behind) > n:
		rep.ClockOff = -median(behind)
	}
	return nil
}

func median(ds []time.Duration) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}
