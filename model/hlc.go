package model

import (
	"fmt"
	"sync"
	"time"
)

// HLC is a hybrid logical clock timestamp: the upper 48 bits are wall time
// in milliseconds since the Unix epoch, the lower 16 bits a counter that
// orders events within the same millisecond and carries causality past a
// clock that runs behind. Zero means "never".
type HLC uint64

const hlcCounterBits = 16

// MakeHLC builds a timestamp from wall milliseconds and a counter.
func MakeHLC(ms int64, counter uint16) HLC {
	return HLC(uint64(ms)<<hlcCounterBits | uint64(counter))
}

// Millis returns the wall-time part in milliseconds.
func (h HLC) Millis() int64 { return int64(h >> hlcCounterBits) }

// Counter returns the logical part.
func (h HLC) Counter() uint16 { return uint16(h) }

// Time returns the wall-time part as a UTC time.
func (h HLC) Time() time.Time { return time.UnixMilli(h.Millis()).UTC() }

func (h HLC) String() string {
	return fmt.Sprintf("%s+%d", h.Time().Format("2006-01-02T15:04:05.000Z"), h.Counter())
}

// Stamp orders changes totally: by HLC, then by device ID.
type Stamp struct {
	HLC    HLC
	Device string
}

// After reports whether s is newer than t.
func (s Stamp) After(t Stamp) bool {
	if s.HLC != t.HLC {
		return s.HLC > t.HLC
	}
	return s.Device > t.Device
}

// MaxDrift is how far ahead of the local clock a remote timestamp may be
// before the user is warned. Larger drift is tolerated, never fatal.
const MaxDrift = 5 * time.Minute

// MaxAdopt is how far ahead of the local wall clock an observed remote
// timestamp may move this clock. A change stamped further ahead (a device
// whose clock was set a year forward) is still merged, but it does not
// drag every later local timestamp, and through them every other device,
// into the future with it.
const MaxAdopt = 24 * time.Hour

// Clock issues HLC timestamps. It is safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	now  func() time.Time
	last HLC
}

// NewClock returns a clock reading wall time from now (time.Now when nil).
func NewClock(now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{now: now}
}

// Now returns a timestamp greater than every one issued or observed before.
func (c *Clock) Now() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := MakeHLC(c.now().UnixMilli(), 0)
	if wall > c.last {
		c.last = wall
	} else {
		c.last++
	}
	return c.last
}

// Observe merges a timestamp seen from another device, so later local
// changes order after it, unless it is more than MaxAdopt ahead of the
// wall clock: then they order after wall time plus MaxAdopt. It returns how far remote is ahead of local wall
// time (positive when the other device's clock runs ahead).
func (c *Clock) Observe(remote HLC) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	wallMs := c.now().UnixMilli()
	adopt := min(remote, MakeHLC(wallMs+MaxAdopt.Milliseconds(), 0))
	if adopt > c.last {
		c.last = adopt
	}
	return time.Duration(remote.Millis()-wallMs) * time.Millisecond
}

// Last returns the newest timestamp issued or observed.
func (c *Clock) Last() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}
