package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// busyIndicator shows that background work runs. Fyne's infinite progress
// bar keeps its animation running when it is merely hidden (Hide does not
// reach its renderer, and creating the renderer marks the bar running),
// and every tick repaints the whole window: at rest, with nothing to show,
// the app redrew its window about 60 times a second, allocating about
// 2.7 MB/s, and its heap never shrank below the collector's goal. The bar
// is therefore in the window only while the work runs, and stopped when
// it leaves.
type busyIndicator struct {
	box *fyne.Container
	bar *widget.ProgressBarInfinite
}

func newBusyIndicator() *busyIndicator {
	return &busyIndicator{box: container.NewStack(), bar: widget.NewProgressBarInfinite()}
}

// set shows and starts the bar, or stops and removes it.
func (b *busyIndicator) set(on bool) {
	if on == b.Visible() {
		return
	}
	if on {
		b.box.Objects = []fyne.CanvasObject{b.bar}
		b.bar.Start()
	} else {
		b.bar.Stop()
		b.box.Objects = nil
	}
	b.box.Refresh()
}

// Visible reports whether the bar is shown.
func (b *busyIndicator) Visible() bool { return len(b.box.Objects) > 0 }
