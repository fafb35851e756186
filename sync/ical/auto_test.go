package ical

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// fakeNotifier hands commits to its subscribers, as storage does after a
// commit.
type fakeNotifier struct {
	mu   sync.Mutex
	subs map[int]func([]model.Change)
	next int
}

func (n *fakeNotifier) Subscribe(fn func([]model.Change)) func() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.subs == nil {
		n.subs = map[int]func([]model.Change){}
	}
	id := n.next
	n.next++
	n.subs[id] = fn
	return func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		delete(n.subs, id)
	}
}

func (n *fakeNotifier) commit(cs ...model.Change) {
	n.mu.Lock()
	subs := make([]func([]model.Change), 0, len(n.subs))
	for _, fn := range n.subs {
		subs = append(subs, fn)
	}
	n.mu.Unlock()
	for _, fn := range subs {
		fn(cs)
	}
}

func (n *fakeNotifier) count() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.subs)
}

// collector returns the fixture's first n items, where n can be changed, and
// reports every call on calls.
type collector struct {
	mu    sync.Mutex
	items []Item
	n     int
	err   error
	calls chan int
}

func newCollector(tb testing.TB) *collector {
	items, _ := fixture(tb)
	return &collector{items: items, n: 1, calls: make(chan int, 100)}
}

func (c *collector) set(n int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n, c.err = n, err
}

func (c *collector) collect() ([]Item, []EventItem, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls <- c.n
	if c.err != nil {
		return nil, nil, c.err
	}
	return c.items[:c.n], nil, nil
}

// waitCall waits for the next export; the timeout only guards against a
// hang, it measures nothing.
func (c *collector) waitCall(tb testing.TB) int {
	tb.Helper()
	select {
	case n := <-c.calls:
		return n
	case <-time.After(10 * time.Second):
		tb.Fatal("no export happened")
		return 0
	}
}

func countEvents(tb testing.TB, path string) int {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Count(string(b), "BEGIN:VEVENT")
}

func autoOptions(debounce time.Duration) Options {
	opt := fixedOptions()
	opt.Debounce = debounce
	return opt
}

// TestAutoExporterCoalesces: a burst of commits costs one export, and a
// change still waiting when the exporter closes is written by Close.
func TestAutoExporterCoalesces(t *testing.T) {
	n, c := &fakeNotifier{}, newCollector(t)
	path := filepath.Join(t.TempDir(), "cal.ics")
	a := NewAutoExporter(n, c.collect, path, autoOptions(time.Hour), func(err error) { t.Errorf("onErr: %v", err) })
	c.waitCall(t) // the export at start
	c.set(3, nil)
	for i := 0; i < 5; i++ {
		n.commit(model.Change{Type: model.TypeFollowUp, IDs: []model.ID{model.NewID()}})
	}
	a.Close()
	if got := len(c.calls); got != 1 {
		t.Errorf("got %d exports after the burst, want 1", got)
	}
	if got := countEvents(t, path); got != 3 {
		t.Errorf("got %d events in the file, want 3", got)
	}
	if got := n.count(); got != 0 {
		t.Errorf("got %d subscribers after Close, want 0", got)
	}
	a.Close() // a second Close does nothing
}

func TestAutoExporterDebounce(t *testing.T) {
	n, c := &fakeNotifier{}, newCollector(t)
	path := filepath.Join(t.TempDir(), "cal.ics")
	a := NewAutoExporter(n, c.collect, path, autoOptions(time.Millisecond), func(err error) { t.Errorf("onErr: %v", err) })
	c.waitCall(t)
	c.set(2, nil)
	n.commit(model.Change{Type: model.TypeCustomer})
	// The export happens after the quiet time, without Close forcing it.
	if got := c.waitCall(t); got != 2 {
		t.Errorf("got export of %d items, want 2", got)
	}
	a.Close() // waits for the write in progress
	if got := len(c.calls); got != 0 {
		t.Errorf("got %d more exports at Close, want 0: nothing was pending", got)
	}
	if got := countEvents(t, path); got != 2 {
		t.Errorf("got %d events, want 2", got)
	}
}

func TestAutoExporterIgnoresOtherChanges(t *testing.T) {
	n, c := &fakeNotifier{}, newCollector(t)
	a := NewAutoExporter(n, c.collect, filepath.Join(t.TempDir(), "cal.ics"), autoOptions(time.Hour), nil)
	c.waitCall(t)
	n.commit(model.Change{Type: "settings"})
	a.Close()
	if got := len(c.calls); got != 0 {
		t.Errorf("got %d exports after an unrelated change, want 0", got)
	}
}

// TestAutoExporterEmpty: when nothing is left, the file becomes an empty
// calendar, so subscribers drop the events instead of keeping stale ones.
func TestAutoExporterEmpty(t *testing.T) {
	n, c := &fakeNotifier{}, newCollector(t)
	path := filepath.Join(t.TempDir(), "cal.ics")
	a := NewAutoExporter(n, c.collect, path, autoOptions(time.Hour), func(err error) { t.Errorf("onErr: %v", err) })
	c.waitCall(t)
	c.set(0, nil)
	n.commit(model.Change{Type: model.TypeFollowUp})
	a.Close()
	if got := countEvents(t, path); got != 0 {
		t.Errorf("got %d events, want 0", got)
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(string(b), "END:VCALENDAR\r\n") {
		t.Errorf("got %q, want an empty calendar", b)
	}
}

func TestAutoExporterErrors(t *testing.T) {
	errDB := errors.New("database closed")
	tests := []struct {
		name string
		path func(dir string) string
		err  error
		code string
	}{
		{"collect fails", func(dir string) string { return filepath.Join(dir, "cal.ics") }, errDB, model.EINTERNAL},
		{"path unwritable", func(dir string) string { return filepath.Join(dir, "missing", "cal.ics") }, nil, model.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, c := &fakeNotifier{}, newCollector(t)
			c.set(1, tt.err)
			errs := make(chan error, 10)
			a := NewAutoExporter(n, c.collect, tt.path(t.TempDir()), autoOptions(time.Hour), func(err error) { errs <- err })
			a.Close()
			select {
			case err := <-errs:
				if got := model.ErrorCode(err); got != tt.code {
					t.Errorf("got code %q (%v), want %q", got, err, tt.code)
				}
				if tt.err != nil && !errors.Is(err, tt.err) {
					t.Errorf("got %v, want %v", err, tt.err)
				}
			default:
				t.Error("got no error reported, want one")
			}
		})
	}
}
