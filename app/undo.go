package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// undoMax is how many actions of a session can be undone; older ones drop
// off the bottom of the stack.
const undoMax = 50

// undoAction is one thing the user did that can be taken back.
type undoAction struct {
	// label says what was done ("Follow-up “Call back” done"); the banner
	// shows it beside Undo.
	label string
	// undo reverses the action through one model service call (one
	// transaction).
	undo func() error
	// after, when set, updates the screen once undo succeeded.
	after func()
}

// undoStack holds the session's undoable actions, newest last. It lives
// on the UI goroutine, like the widgets that push to it.
type undoStack struct {
	items []*undoAction
	// onChange, when set, is called after every push, undo and drop, so
	// the banner can follow.
	onChange func()
}

// push records a that was just done and returns it, so a banner can undo
// exactly this one later.
func (s *undoStack) push(a *undoAction) *undoAction {
	s.items = append(s.items, a)
	if len(s.items) > undoMax {
		s.items = append(s.items[:0:0], s.items[len(s.items)-undoMax:]...)
	}
	s.changed()
	return a
}

// last returns the newest action, nil when there is none.
func (s *undoStack) last() *undoAction {
	if len(s.items) == 0 {
		return nil
	}
	return s.items[len(s.items)-1]
}

// holds reports whether a can still be undone.
func (s *undoStack) holds(a *undoAction) bool {
	for _, x := range s.items {
		if x == a {
			return true
		}
	}
	return false
}

// undoLast undoes the newest action; with none it does nothing and
// returns nil, nil.
func (s *undoStack) undoLast() (*undoAction, error) {
	a := s.last()
	if a == nil {
		return nil, nil
	}
	return a, s.run(a)
}

// run undoes a wherever it is on the stack and removes it. An action whose
// undo fails is removed as well: what failed once (the customer was
// deleted meanwhile) would fail again.
func (s *undoStack) run(a *undoAction) error {
	if !s.holds(a) {
		return nil
	}
	s.remove(a)
	err := a.undo()
	if err == nil && a.after != nil {
		a.after()
	}
	s.changed()
	return err
}

func (s *undoStack) remove(a *undoAction) {
	for i, x := range s.items {
		if x == a {
			s.items = append(s.items[:i], s.items[i+1:]...)
			return
		}
	}
}

func (s *undoStack) changed() {
	if s.onChange != nil {
		s.onChange()
	}
}

// undoBannerDelay is how long the banner offers Undo; Ctrl+Z works longer.
const undoBannerDelay = 8 * time.Second

// undoBanner is the line at the bottom of the window that says what was
// just done and offers Undo for a few seconds.
type undoBanner struct {
	stack  *undoStack
	report func(error) // shows an undo that failed

	label  *widget.Label
	undo   *widget.Button
	close  *widget.Button
	bg     *canvas.Rectangle
	box    *fyne.Container
	shown  *undoAction
	timer  *time.Timer
	delay  time.Duration
	expire func(func()) // runs the hide on the UI goroutine: fyne.Do
}

func newUndoBanner(stack *undoStack, report func(error)) *undoBanner {
	b := &undoBanner{stack: stack, report: report, delay: undoBannerDelay, expire: fyne.Do}
	b.label = widget.NewLabel("")
	b.label.Truncation = fyne.TextTruncateEllipsis
	b.undo = widget.NewButtonWithIcon(lang.X("keys.undo.button", "Undo"), theme.ContentUndoIcon(), b.onUndo)
	b.undo.Importance = widget.HighImportance
	b.close = widget.NewButtonWithIcon("", theme.CancelIcon(), b.hide)
	b.close.Importance = widget.LowImportance
	b.bg = canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	b.box = container.NewStack(b.bg,
		container.NewBorder(widget.NewSeparator(), nil, nil, container.NewHBox(b.undo, b.close), b.label))
	b.box.Hide()
	return b
}

// over lays the banner over the bottom edge of content. Lying over rather
// than beside it, the banner neither moves the rows under the pointer
// (the next Done stays where it was) nor makes the window's minimum
// size grow.
func (b *undoBanner) over(content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(content, container.NewVBox(layout.NewSpacer(), b.box))
}

// show offers Undo for a until the delay ends, another action is shown,
// or a is undone some other way (Ctrl+Z).
func (b *undoBanner) show(a *undoAction) {
	b.shown = a
	b.label.SetText(a.label)
	b.bg.FillColor = theme.Color(theme.ColorNameOverlayBackground) // the theme may have changed
	b.box.Show()
	b.box.Refresh()
	if b.timer != nil {
		b.timer.Stop()
	}
	b.timer = time.AfterFunc(b.delay, func() {
		b.expire(func() {
			if b.shown == a {
				b.hide()
			}
		})
	})
}

func (b *undoBanner) hide() {
	b.shown = nil
	if b.timer != nil {
		b.timer.Stop()
	}
	b.box.Hide()
}

// follow hides the banner once its action is gone from the stack.
func (b *undoBanner) follow() {
	if b.shown != nil && !b.stack.holds(b.shown) {
		b.hide()
	}
}

func (b *undoBanner) onUndo() {
	if b.shown == nil {
		return
	}
	if err := b.stack.run(b.shown); err != nil {
		b.report(err)
	}
	b.hide()
}

// remember records a just-done action for Ctrl+Z and, with banner, offers
// it in the window's undo banner. It returns a, or nil when the screen
// runs without an undo stack (tests of one screen). The keyboard focus is
// dropped: whatever field had it belongs to before the action, and Ctrl+Z
// in a field undoes typing instead.
func (e *env) remember(a *undoAction, banner bool) *undoAction {
	if e.undos == nil {
		return nil
	}
	e.undos.push(a)
	if banner && e.banner != nil {
		e.banner.show(a)
	}
	e.win.Canvas().Unfocus()
	return a
}

// rememberGestureStatus offers to undo the step of g (as it was before)
// to status st.
func rememberGestureStatus(e *env, g *model.Gesture, st model.GestureStatus) {
	prev, changed, id := g.Status, g.StatusChanged, g.ID
	e.remember(&undoAction{
		label: lang.X("keys.undo.gesture", "“{{.Title}}” is now {{.Status}}.",
			map[string]any{"Title": g.Title, "Status": gestureStatusText(st)}),
		undo: func() error { return e.svc.RevertGestureStatus(id, prev, changed) },
	}, true)
}
