package app

import "testing"

// Memory is released once the app is quiet after allocating enough, not
// while it works, and not again until it allocated enough anew.
func TestIdleReleaseWaitsForQuietAfterWork(t *testing.T) {
	var allocated uint64
	releases := 0
	r := &idleRelease{allocated: func() uint64 { return allocated }, release: func() { releases++ }}
	r.start()
	steps := []struct {
		alloc uint64 // allocated during the step
		want  bool   // released at its check
	}{
		{0, false},             // quiet, but nothing to give back
		{idleQuiet / 2, false}, // a little: still nothing worth it
		{idleWorth, false},     // loading a screen: busy
		{idleWorth / 2, false}, // still busy
		{0, true},              // quiet after work: release
		{0, false},             // quiet, released already
		{idleQuiet, false},     // a keystroke or two
		{idleWorth * 2, false}, // scrolling
		{idleQuiet, true},      // quiet enough after it
		{idleWorth + 1, false}, // busy again
		{idleQuiet + 1, false}, // not quiet yet
		{0, true},              // quiet
	}
	for i, s := range steps {
		allocated += s.alloc
		if got := r.check(); got != s.want {
			t.Fatalf("step %d: released %v, want %v", i, got, s.want)
		}
	}
	if releases != 3 {
		t.Fatalf("%d releases, want 3", releases)
	}
}
