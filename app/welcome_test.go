package app

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

func TestWelcomeLoadsDemoData(t *testing.T) {
	var db *storage.DB
	f := newShellFixture(t, Options{Demo: func(ctx context.Context, p func(done, total int)) error {
		return demoLoader(db, 40, nil)(ctx, p)
	}}, func(d *storage.DB) { db = d })
	w := f.ui.customers.welcome
	if f.ui.tabs.Selected() != f.ui.customersTab {
		t.Fatalf("first start shows %q, want the customers tab with the welcome", f.ui.tabs.Selected().Text)
	}
	if !w.demo.Visible() || w.imp.Visible() {
		t.Fatalf("demo offer visible=%v, import offer visible=%v; want demo only (no Import hook)", w.demo.Visible(), w.imp.Visible())
	}
	test.Tap(w.demo)
	shellEventually(t, "demo customers in the list", func() bool { return f.ui.customers.rows.Length() == 40 })
	if n := f.db.Directory().Len(); n != 40 {
		t.Fatalf("got %d customers, want 40", n)
	}
	// Loading that ran to its end is no cancel: the welcome goes away
	// without a word about cancelling (it once said "Cancelled" here).
	shellEventually(t, "the list instead of the welcome", func() bool {
		c := f.ui.customers
		return len(c.body.Objects) > 0 && c.body.Objects[0] == fyne.CanvasObject(c.listView())
	})
	if cancelled := lang.X("welcome.demo_cancelled", "Cancelled."); w.status.Text == cancelled {
		t.Errorf("got status %q after a complete load, want no word of a cancel", w.status.Text)
	}
}

func TestWelcomeDemoCancel(t *testing.T) {
	var db *storage.DB
	release := make(chan struct{})
	defer close(release)
	f := newShellFixture(t, Options{Demo: func(ctx context.Context, p func(done, total int)) error {
		return demoLoader(db, 40, release)(ctx, p)
	}}, func(d *storage.DB) { db = d })
	w := f.ui.customers.welcome
	test.Tap(w.demo)
	shellEventually(t, "first half loaded", func() bool { return w.progress.Value == 0.5 })
	test.Tap(w.cancel)
	shellEventually(t, "cancel noticed", func() bool { return !w.cancel.Visible() })
	if n := f.db.Directory().Len(); n != 20 {
		t.Fatalf("got %d customers after cancel, want the 20 of the first chunk", n)
	}
	if w.demo.Disabled() {
		t.Fatalf("demo button still disabled after cancel")
	}
}

func TestWelcomeNotShownWithData(t *testing.T) {
	f := newShellFixture(t, Options{}, func(db *storage.DB) {
		c := model.Customer{FamilyName: "Vorhanden"}
		if err := db.CreateCustomer(&c); err != nil {
			t.Fatal(err)
		}
	})
	if f.ui.customers.welcome.wanted() {
		t.Fatalf("welcome wanted with one customer stored")
	}
	if f.ui.customers.rows.Length() != 1 {
		t.Fatalf("got %d rows, want 1", f.ui.customers.rows.Length())
	}
}
