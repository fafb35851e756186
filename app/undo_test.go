package app

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// undoLog records which actions were undone and updated, in order.
type undoLog struct{ undone, after []string }

func (l *undoLog) action(name string, err error) *undoAction {
	return &undoAction{label: name,
		undo:  func() error { l.undone = append(l.undone, name); return err },
		after: func() { l.after = append(l.after, name) },
	}
}

func TestUndoStackUndoesNewestFirst(t *testing.T) {
	var log undoLog
	var s undoStack
	changes := 0
	s.onChange = func() { changes++ }
	s.push(log.action("done", nil))
	s.push(log.action("deleted", nil))
	for _, want := range []string{"deleted", "done"} {
		a, err := s.undoLast()
		if err != nil || a == nil || a.label != want {
			t.Fatalf("undoLast: got %v, %v; want %q", a, err, want)
		}
	}
	if a, err := s.undoLast(); a != nil || err != nil {
		t.Fatalf("undoLast on an empty stack: got %v, %v; want nothing", a, err)
	}
	if got, want := fmt.Sprint(log.undone, log.after), "[deleted done] [deleted done]"; got != want {
		t.Fatalf("undone, after: got %s, want %s", got, want)
	}
	if changes != 4 {
		t.Fatalf("onChange calls: got %d, want 4 (two pushes, two undos)", changes)
	}
}

func TestUndoStackRunTakesOneFromTheMiddle(t *testing.T) {
	var log undoLog
	var s undoStack
	a := s.push(log.action("a", nil))
	b := s.push(log.action("b", nil))
	c := s.push(log.action("c", nil))
	if err := s.run(b); err != nil {
		t.Fatal(err)
	}
	if s.holds(b) || !s.holds(a) || !s.holds(c) {
		t.Fatalf("after run(b): holds a %v b %v c %v; want a and c only", s.holds(a), s.holds(b), s.holds(c))
	}
	// A second run of the same action (banner and Ctrl+Z both) does nothing.
	if err := s.run(b); err != nil || len(log.undone) != 1 {
		t.Fatalf("second run: err %v, undone %v; want b undone once", err, log.undone)
	}
	if s.last() != c {
		t.Fatalf("last: got %v, want c", s.last())
	}
}

func TestUndoStackDropsAFailedUndo(t *testing.T) {
	var log undoLog
	var s undoStack
	gone := errors.New("customer gone")
	s.push(log.action("ok", nil))
	bad := s.push(log.action("bad", gone))
	if _, err := s.undoLast(); !errors.Is(err, gone) {
		t.Fatalf("undoLast: got %v, want %v", err, gone)
	}
	if s.holds(bad) || len(log.after) != 0 {
		t.Fatalf("failed undo: still held %v, after ran %v; want dropped without after", s.holds(bad), log.after)
	}
	if s.last() == nil || s.last().label != "ok" {
		t.Fatalf("last after a failed undo: got %v, want ok", s.last())
	}
}

func TestUndoStackKeepsTheNewest(t *testing.T) {
	var log undoLog
	var s undoStack
	for i := range undoMax + 5 {
		s.push(log.action(fmt.Sprint(i), nil))
	}
	if got := len(s.items); got != undoMax {
		t.Fatalf("stack holds %d, want %d", got, undoMax)
	}
	if got, want := s.items[0].label, "5"; got != want {
		t.Fatalf("oldest kept: got %s, want %s", got, want)
	}
}

func TestUndoBannerFollowsTheStackAndExpires(t *testing.T) {
	test.NewTempApp(t)
	var log undoLog
	var s undoStack
	var reported []error
	b := newUndoBanner(&s, func(err error) { reported = append(reported, err) })
	s.onChange = b.follow
	expired := make(chan func(), 1)
	b.delay, b.expire = time.Millisecond, func(fn func()) { expired <- fn }

	first := s.push(log.action("first", nil))
	b.show(first)
	if !b.box.Visible() || b.label.Text != "first" {
		t.Fatalf("banner: visible %v text %q, want visible with first", b.box.Visible(), b.label.Text)
	}
	// Ctrl+Z takes the action away: the banner goes with it.
	if _, err := s.undoLast(); err != nil {
		t.Fatal(err)
	}
	if b.box.Visible() {
		t.Fatalf("banner still visible after its action was undone")
	}
	// The delay ending hides the banner, but Ctrl+Z can still undo.
	second := s.push(log.action("second", nil))
	b.show(second)
	for b.box.Visible() {
		select {
		case fn := <-expired:
			fn()
		case <-time.After(2 * time.Second):
			t.Fatalf("banner visible two seconds after its delay")
		}
	}
	if !s.holds(second) {
		t.Fatalf("the delay dropped the action; Ctrl+Z should still undo it")
	}
	// The banner's own button undoes what it shows, and reports failure.
	third := s.push(log.action("third", errors.New("conflict")))
	b.show(third)
	b.onUndo()
	if len(reported) != 1 || b.box.Visible() || s.holds(third) {
		t.Fatalf("failed undo from the banner: reported %v, visible %v, held %v", reported, b.box.Visible(), s.holds(third))
	}
}
