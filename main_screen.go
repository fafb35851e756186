package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// fitToScreen shrinks w to the work area of the primary monitor when it is
// larger, and centres it: the window opens at 1200×800, and on a 1024×768
// screen, with no window manager that shrinks it (Xvfb, some Linux
// desktops), its right part lay past the screen's edge. It runs once the
// app's event loop does, where GLFW may be asked about monitors.
func fitToScreen(w fyne.Window) {
	go fyne.Do(func() {
		nw, ok := w.(driver.NativeWindow)
		if !ok {
			return
		}
		nw.RunNative(func(any) {
			m := glfw.GetPrimaryMonitor()
			if m == nil {
				return
			}
			_, _, mw, mh := m.GetWorkarea()
			scale := w.Canvas().Scale()
			if mw <= 0 || mh <= 0 || scale <= 0 {
				return
			}
			screen := fyne.NewSize(float32(mw)/scale, float32(mh)/scale)
			size := w.Canvas().Size()
			if size.Width <= screen.Width && size.Height <= screen.Height {
				return
			}
			w.Resize(size.Min(screen))
			w.CenterOnScreen()
		})
	})
}
