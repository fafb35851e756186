package app

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// The bar is in the window and running only while work runs; turned off,
// it is stopped (not merely hidden, which left Fyne's animation running
// and repainting the window at rest) and out of the window.
func TestBusyIndicatorRunsOnlyWhileOn(t *testing.T) {
	test.NewTempApp(t)
	b := newBusyIndicator()
	test.NewTempWindow(t, b.box)
	if b.Visible() || len(b.box.Objects) != 0 || b.bar.Running() {
		t.Fatal("a new indicator shows or runs")
	}
	for range 2 {
		b.set(true)
		b.set(true) // twice is once
		if !b.Visible() || len(b.box.Objects) != 1 || !b.bar.Running() || !b.bar.Visible() {
			t.Fatalf("on: shown %v, running %v", b.Visible(), b.bar.Running())
		}
		b.set(false)
		if b.Visible() || len(b.box.Objects) != 0 || b.bar.Running() {
			t.Fatalf("off: shown %v, running %v", b.Visible(), b.bar.Running())
		}
	}
}
