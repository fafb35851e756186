package app

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// ReleaseMemoryWhenIdle gives the Go heap's free memory back to the
// operating system whenever the app has gone quiet after allocating, until
// stop is closed. Go keeps memory it freed up to its next collection goal
// (GOGC=50: half the live heap again, about 35 MB with 100,000 customers),
// so after loading a screen or scrolling a long list the process stayed at
// that size at rest, though nothing used it. The check costs a metrics read
// every two seconds; the release is one full collection, off the UI
// goroutine, and only after work, not during it.
func ReleaseMemoryWhenIdle(stop <-chan struct{}) {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	r := &idleRelease{
		allocated: func() uint64 { metrics.Read(s); return s[0].Value.Uint64() },
		release:   debug.FreeOSMemory,
	}
	r.start()
	t := time.NewTicker(idleCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			r.check()
		}
	}
}

const (
	idleCheckEvery = 2 * time.Second
	idleQuiet      = 1 << 20  // at most this allocated since the last check: quiet
	idleWorth      = 16 << 20 // at least this allocated since the last release
)

// idleRelease decides when to release: when at most idleQuiet bytes were
// allocated since the last check and at least idleWorth since the last
// release.
type idleRelease struct {
	allocated func() uint64 // bytes allocated since the start, ever growing
	release   func()

	last, released uint64
}

func (r *idleRelease) start() {
	r.last = r.allocated()
	r.released = r.last
}

// check is called every idleCheckEvery; it reports whether it released.
func (r *idleRelease) check() bool {
	now := r.allocated()
	quiet := now-r.last <= idleQuiet
	r.last = now
	if !quiet || now-r.released < idleWorth {
		return false
	}
	r.release()
	r.released = r.allocated()
	r.last = r.released
	return true
}
