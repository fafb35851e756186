package app

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

// shellNow is the fixed clock of the shell and customer tests.
var shellNow = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)

// shellFixture is the whole main window on a real database.
type shellFixture struct {
	t      *testing.T
	path   string
	db     *storage.DB
	ui     *UI
	opened []*url.URL
	// closing is set when the test is over and the database closes.
	closing atomic.Bool
}

// newShellFixture opens a fresh database and builds the main window on it
// with opt. setup runs on the database before the window is built.
func newShellFixture(t *testing.T, opt Options, setup func(db *storage.DB)) *shellFixture {
	t.Helper()
	if err := LoadTranslations(); err != nil {
		t.Fatalf("load translations: %v", err)
	}
	a := test.NewTempApp(t)
	f := &shellFixture{t: t, path: filepath.Join(t.TempDir(), "k.db")}
	f.db = shellOpen(t, f.path)
	// Check and close whichever database the fixture holds at the end: a
	// test may reopen it.
	t.Cleanup(func() {
		f.closing.Store(true)
		if err := f.db.Check(); err != nil {
			t.Errorf("db check: %v", err)
		}
		if err := f.db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if setup != nil {
		setup(f.db)
	}
	f.ui = New(a, f.db, opt)
	t.Cleanup(f.ui.Window().Close)
	f.ui.env.showError = func(err error) {
		// Background loads of the care screens may still run while the
		// database closes at the end; their errors then mean nothing.
		if !f.closing.Load() {
			t.Errorf("showError: %v", err)
		}
	}
	f.ui.env.openURL = func(u *url.URL) error { f.opened = append(f.opened, u); return nil }
	f.ui.Window().Resize(fyne.NewSize(1400, 900))
	return f
}

// shellOpen opens the database at path with the fixed clock.
func shellOpen(tb testing.TB, path string) *storage.DB {
	tb.Helper()
	db, err := storage.Open(path, storage.Options{Now: func() time.Time { return shellNow }})
	if err != nil {
		tb.Fatalf("open storage: %v", err)
	}
	return db
}

func (f *shellFixture) customer(c model.Customer) model.ID {
	f.t.Helper()
	if err := f.db.CreateCustomer(&c); err != nil {
		f.t.Fatalf("create customer: %v", err)
	}
	return c.ID
}

// shortcut fires a keyboard shortcut on the main window.
func (f *shellFixture) shortcut(s fyne.Shortcut) {
	f.ui.Window().Canvas().(fyne.Shortcutable).TypedShortcut(s)
}

// shellEventually waits up to two seconds for cond, for work that runs in
// goroutines.
func shellEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// overlayButton finds a visible button with the given text in the topmost
// overlay (a dialog), or fails.
func overlayButton(t *testing.T, c fyne.Canvas, text string) *widget.Button {
	t.Helper()
	top := c.Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog open, want one with button %q", text)
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			return b
		}
	}
	t.Fatalf("dialog has no button %q", text)
	return nil
}

func TestCtrlNOpensNewCustomerForm(t *testing.T) {
	f := newShellFixture(t, Options{}, func(db *storage.DB) {})
	f.ui.tabs.SelectIndex(0) // start on Today
	f.shortcut(shortcutNewCustomer)
	if got := f.ui.tabs.Selected(); got != f.ui.customersTab {
		t.Fatalf("selected tab %q, want the customers tab", got.Text)
	}
	cs := f.ui.customer
	if got := cs.tabs.Selected(); got != cs.formTab {
		t.Fatalf("customer screen shows %q, want the form", got.Text)
	}
	if cs.currentID() != model.NilID {
		t.Fatalf("got id %v for a new customer, want NilID", cs.currentID())
	}
	if got, want := f.ui.Window().Canvas().Focused(), fyne.Focusable(cs.form.given); got != want {
		t.Fatalf("focus on %T, want the given-name entry", got)
	}
	if cs.noteBtn.Disabled() == false {
		t.Fatalf("note button enabled for an unsaved customer, want disabled")
	}
}

func TestShortcutsSearchAndNote(t *testing.T) {
	var id model.ID
	f := newShellFixture(t, Options{}, func(db *storage.DB) {
		c := model.Customer{GivenName: "Vreni", FamilyName: "Zürcher"}
		if err := db.CreateCustomer(&c); err != nil {
			t.Fatal(err)
		}
		id = c.ID
	})
	f.ui.tabs.SelectIndex(0)
	f.shortcut(shortcutSearch)
	if got := f.ui.Window().Canvas().Focused(); got != fyne.Focusable(f.ui.customers.search) {
		t.Fatalf("Ctrl+F focused %T, want the search entry", got)
	}
	// Without an open customer Ctrl+Shift+N has nothing to attach a note to.
	f.shortcut(shortcutNewNote)
	if f.ui.Window().Canvas().Overlays().Top() != nil {
		t.Fatalf("a dialog opened without a customer on screen")
	}
	f.ui.env.openCustomer(id)
	f.shortcut(shortcutNewNote)
	if f.ui.customer.note == nil || f.ui.customer.note.cid != id {
		t.Fatalf("Ctrl+Shift+N did not open a note form for the open customer")
	}
	// Esc closes the dialog from the focused text entry …
	f.ui.customer.note.text.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if top := f.ui.Window().Canvas().Overlays().Top(); top != nil {
		t.Fatalf("Esc in the note text left the dialog open")
	}
	// … and when nothing has focus.
	f.shortcut(shortcutNewNote)
	if f.ui.Window().Canvas().Overlays().Top() == nil {
		t.Fatalf("Ctrl+Shift+N did not open the note dialog again")
	}
	f.ui.Window().Canvas().Unfocus()
	f.ui.Window().Canvas().(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if top := f.ui.Window().Canvas().Overlays().Top(); top != nil {
		t.Fatalf("Esc left the dialog open")
	}
}

func TestMenuHidesMissingHooks(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opt       Options
		wantItems int
	}{
		{"no hooks", Options{}, 3}, // backup, separator, quit
		{"import and export", Options{Import: func(fyne.Window) {}, Export: func(fyne.Window) {}}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newShellFixture(t, tc.opt, nil)
			file := f.ui.Window().MainMenu().Items[0]
			if got := len(file.Items); got != tc.wantItems {
				t.Fatalf("got %d items in the File menu, want %d", got, tc.wantItems)
			}
		})
	}
}

func TestCallAndMailOpenLinks(t *testing.T) {
	var id model.ID
	f := newShellFixture(t, Options{}, func(db *storage.DB) {
		c := model.Customer{GivenName: "Ruth", FamilyName: "Keller", Phones: []model.Phone{{Number: "079 123 45 67"}},
			Emails: []model.Email{{Address: "ruth@keller.ch"}}}
		if err := db.CreateCustomer(&c); err != nil {
			t.Fatal(err)
		}
		id = c.ID
	})
	f.ui.env.setSettings(model.Settings{Region: "CH"})
	f.ui.env.openCustomer(id)
	f.ui.customer.callItem.Action()
	f.ui.customer.mailItem.Action()
	if len(f.opened) != 2 {
		t.Fatalf("got %d opened links, want 2", len(f.opened))
	}
	if got, want := f.opened[0].String(), "tel:+41791234567"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got, want := f.opened[1].String(), "mailto:ruth@keller.ch"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// demoLoader is an Options.Demo that stores n customers in two steps and
// blocks before the second until release is closed, so a test can cancel.
func demoLoader(db *storage.DB, n int, release chan struct{}) func(ctx context.Context, progress func(done, total int)) error {
	return func(ctx context.Context, progress func(done, total int)) error {
		var b model.Bulk
		for i := 0; i < n; i++ {
			b.Customers = append(b.Customers, model.Customer{Meta: model.Meta{ID: model.NewID(), Created: shellNow},
				Kind: model.Person, GivenName: "Demo", FamilyName: "Kunde " + string(rune('A'+i%26))})
		}
		half := n / 2
		if err := db.BulkLoad(ctx, model.Bulk{Customers: b.Customers[:half]}, nil); err != nil {
			return err
		}
		progress(half, n)
		if release != nil {
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err := db.BulkLoad(ctx, model.Bulk{Customers: b.Customers[half:]}, nil); err != nil {
			return err
		}
		progress(n, n)
		return nil
	}
}

func TestLoadTranslationsForFixesTheLanguage(t *testing.T) {
	restore := "en"
	if l := lang.SystemLocale().LanguageString(); strings.HasPrefix(l, "de") {
		restore = "de"
	}
	t.Cleanup(func() {
		if err := LoadTranslationsFor(restore); err != nil {
			t.Errorf("restore %s: %v", restore, err)
		}
	})
	for _, tc := range []struct{ code, want string }{{"de", "Kunden"}, {"en", "Customers"}, {"de", "Kunden"}} {
		if err := LoadTranslationsFor(tc.code); err != nil {
			t.Fatalf("%s: %v", tc.code, err)
		}
		if got := lang.X("nav.customers", "?"); got != tc.want {
			t.Errorf("language %s: got %q, want %q", tc.code, got, tc.want)
		}
	}
}

// TestCareTabsBuildOnFirstVisit checks that the loyalty, fair and wishes
// screens are built (and so read storage) only when their tab is first
// selected, and then show their screen.
func TestCareTabsBuildOnFirstVisit(t *testing.T) {
	f := newShellFixture(t, Options{}, func(db *storage.DB) {
		c := model.Customer{GivenName: "Vreni", FamilyName: "Zürcher"}
		if err := db.CreateCustomer(&c); err != nil {
			t.Fatal(err)
		}
	})
	for i := 2; i <= 4; i++ {
		item := f.ui.tabs.Items[i]
		if n := len(test.LaidOutObjects(item.Content)); n > 1 {
			t.Errorf("tab %q before its first visit: got %d objects, want the empty placeholder", item.Text, n)
		}
		f.ui.tabs.SelectIndex(i)
		if n := len(test.LaidOutObjects(item.Content)); n < 5 {
			t.Errorf("tab %q after selecting it: got %d objects, want its screen", item.Text, n)
		}
		if !item.Content.Visible() {
			t.Errorf("tab %q after selecting it: content hidden", item.Text)
		}
	}
}
