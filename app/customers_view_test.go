package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/storage/demo"
)

// inLanguage loads the translations of code for the rest of the test.
func inLanguage(t *testing.T, code string) {
	t.Helper()
	restore := "en"
	if strings.HasPrefix(lang.SystemLocale().LanguageString(), "de") {
		restore = "de"
	}
	if err := LoadTranslationsFor(code); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := LoadTranslationsFor(restore); err != nil {
			t.Errorf("restore %s: %v", restore, err)
		}
	})
}

// texts returns the texts drawn in o.
func texts(o fyne.CanvasObject) []string {
	var out []string
	for _, x := range test.LaidOutObjects(o) {
		if tx, ok := x.(*canvas.Text); ok && tx.Visible() && tx.Text != "" {
			out = append(out, tx.Text)
		}
	}
	return out
}

func TestCustomerActionsReachableAt1024(t *testing.T) {
	for _, code := range []string{"de", "en"} {
		t.Run(code, func(t *testing.T) {
			inLanguage(t, code)
			f := newPrivacyFixture(t)
			id := f.customer(model.Customer{GivenName: "Ruth", FamilyName: "Keller", Company: "Keller Holzbau",
				Phones: []model.Phone{{Number: "079 123 45 67"}}, Emails: []model.Email{{Address: "ruth@keller.ch"}}})
			w := f.ui.Window()
			f.ui.openCustomer(id)
			// Resized after opening: the test canvas, unlike a window,
			// does not lay out again when a part's minimum size grows.
			w.Resize(fyne.NewSize(1024, 700))
			if min := w.Content().MinSize(); min.Width > 1024 || min.Height > 700 {
				t.Fatalf("the window needs %v, more than 1024×700", min)
			}
			if got := w.Canvas().Size(); got.Width > 1024 {
				t.Fatalf("window grew to %v, want 1024 wide", got)
			}
			cs := f.ui.customer
			d := fyne.CurrentApp().Driver()
			for _, o := range cs.actions.Objects {
				b := o.(*widget.Button)
				pos := d.AbsolutePositionForObject(b)
				if !b.Visible() || b.Disabled() || pos.X+b.Size().Width > 1024 || b.Size().Width < b.MinSize().Width {
					t.Errorf("button %q at %v, size %v: want visible, enabled and inside the window", b.Text, pos, b.Size())
				}
			}
			test.Tap(cs.moreBtn)
			top := w.Canvas().Overlays().Top()
			if top == nil {
				t.Fatal("More opened no menu")
			}
			menu := strings.Join(texts(top), "|")
			for _, want := range []string{
				lang.X("customer.action.call", "Call"), lang.X("customer.action.mail", "Mail"),
				lang.X("customer.action.export", "Export data"), lang.X("customer.action.delete", "Delete"),
				lang.X("customer.action.erase", "Erase permanently"),
			} {
				if !strings.Contains("|"+menu+"|", "|"+want+"|") {
					t.Errorf("the More menu shows %q, want %q in it", menu, want)
				}
			}
			if cs.callItem.Disabled || cs.mailItem.Disabled {
				t.Errorf("call/mail disabled for a customer with phone and email")
			}
		})
	}
}

// tableFixture is a shell with four customers in the table view.
func tableFixture(t *testing.T) (*shellFixture, *customersScreen) {
	t.Helper()
	f := newShellFixture(t, Options{}, func(db *storage.DB) {
		for _, c := range []model.Customer{
			{GivenName: "Anna", FamilyName: "Zürcher", Company: "Beta AG", Addresses: []model.Address{{City: "Zug"}}},
			{GivenName: "Beat", FamilyName: "Meier", Company: "Alpha GmbH", Addresses: []model.Address{{City: "Bern"}}},
			{GivenName: "Carla", FamilyName: "Huber", Addresses: []model.Address{{City: "Aarau"}}},
			{GivenName: "Dora", FamilyName: "Keller", Company: "Ölwerk Kuhn", Addresses: []model.Address{{City: "Chur"}}},
		} {
			if err := db.CreateCustomer(&c); err != nil {
				t.Fatal(err)
			}
		}
	})
	f.ui.Window().Resize(fyne.NewSize(1200, 800))
	f.ui.tabs.Select(f.ui.customersTab)
	return f, f.ui.customers
}

// rowNames returns the names in the list's rows, in order.
func rowNames(s *customersScreen) string {
	var out []string
	for i := 0; i < s.rows.Length(); i++ {
		out = append(out, s.rows.at(i).Name)
	}
	return strings.Join(out, ", ")
}

// header returns the table's header cell of column col, laid out.
func header(t *testing.T, s *customersScreen, col int) *headerCell {
	t.Helper()
	for _, o := range test.LaidOutObjects(s.table.table) {
		if h, ok := o.(*headerCell); ok && h.col == col && h.Visible() {
			return h
		}
	}
	t.Fatalf("no header cell for column %d", col)
	return nil
}

func TestCustomerTableSortsByHeader(t *testing.T) {
	f, s := tableFixture(t)
	if s.cards || s.body.Objects[0] != s.table.table {
		t.Fatalf("the list starts as cards, want the table")
	}
	if got, want := rowNames(s), "Carla Huber, Dora Keller, Beat Meier, Anna Zürcher"; got != want {
		t.Fatalf("by name: got %s, want %s", got, want)
	}
	company := columnOf(model.SortByCompany)
	steps := []struct {
		name, want, dir string
	}{
		{"first click", "Beat Meier, Anna Zürcher, Dora Keller, Carla Huber", "asc"},
		{"second click", "Dora Keller, Anna Zürcher, Beat Meier, Carla Huber", "desc"},
		{"third click", "Beat Meier, Anna Zürcher, Dora Keller, Carla Huber", "asc"},
	}
	for _, st := range steps {
		test.Tap(header(t, s, company))
		if got := rowNames(s); got != st.want {
			t.Errorf("%s on Company: got %s, want %s", st.name, got, st.want)
		}
		if got := header(t, s, company).sortDirection(); got != st.dir {
			t.Errorf("%s: Company shows arrow %q, want %q", st.name, got, st.dir)
		}
		if got := header(t, s, 0).sortDirection(); got != "" {
			t.Errorf("%s: Name shows arrow %q, want none", st.name, got)
		}
	}
	test.Tap(header(t, s, columnOf(model.SortByCity)))
	if got, want := rowNames(s), "Carla Huber, Beat Meier, Dora Keller, Anna Zürcher"; got != want {
		t.Errorf("by town: got %s, want %s", got, want)
	}
	if got, want := s.sort.Selected, sortText(model.SortByCity); got != want {
		t.Errorf("the sort select shows %q, want %q", got, want)
	}
	if got, want := s.sortLabel.Text, lang.X("list.sort.label", "Sort by"); got != want || !s.sortLabel.Visible() {
		t.Errorf("sort label %q (visible %v), want %q", got, s.sortLabel.Visible(), want)
	}
	p := f.ui.app.Preferences()
	if got := model.SortOrder(p.Int(prefSort)); got != model.SortByCity || p.Bool(prefDesc) {
		t.Errorf("saved sort %v desc %v, want city ascending", got, p.Bool(prefDesc))
	}
}

func TestCustomerListRemembersSortViewAndWidths(t *testing.T) {
	f, s := tableFixture(t)
	test.Tap(header(t, s, columnOf(model.SortByCompany)))
	test.Tap(header(t, s, columnOf(model.SortByCompany))) // descending
	s.table.table.SetColumnWidth(0, 240)                  // what dragging the column edge does
	test.LaidOutObjects(s.table.table)
	p := f.ui.app.Preferences()
	shellEventually(t, "the width to be saved", func() bool { return p.Float(widthKey(0)) == 240 })
	test.Tap(s.viewBtn) // to cards
	if !s.cards || s.body.Objects[0] != s.list {
		t.Fatalf("after the view button: cards %v, want the cards list", s.cards)
	}

	// A new window on the same app: the next start.
	u := New(f.ui.app, f.db, Options{})
	t.Cleanup(u.Window().Close)
	n := u.customers
	if o, desc := n.sortOrder(); o != model.SortByCompany || !desc {
		t.Errorf("next start sorts by %v desc %v, want company descending", o, desc)
	}
	if !n.cards || n.body.Objects[0] != n.list {
		t.Errorf("next start shows cards %v, want the cards it was left with", n.cards)
	}
	if got := n.table.widths[0]; got != 240 {
		t.Errorf("next start: name column %v wide, want 240", got)
	}
	if got, want := rowNames(n), "Dora Keller, Anna Zürcher, Beat Meier, Carla Huber"; got != want {
		t.Errorf("next start rows: got %s, want %s", got, want)
	}
}

// key types k into whatever has the window's focus.
func key(t *testing.T, w fyne.Window, k fyne.KeyName) {
	t.Helper()
	f := w.Canvas().Focused()
	if f == nil {
		t.Fatalf("nothing has the focus for %s", k)
	}
	f.TypedKey(&fyne.KeyEvent{Name: k})
}

func TestSearchKeysLeadIntoTheResults(t *testing.T) {
	for _, cards := range []bool{false, true} {
		name := map[bool]string{false: "table", true: "cards"}[cards]
		t.Run(name, func(t *testing.T) {
			f, s := tableFixture(t)
			if s.cards != cards {
				test.Tap(s.viewBtn)
			}
			w := f.ui.Window()
			f.ui.focusSearch()
			key(t, w, fyne.KeyDown)
			key(t, w, fyne.KeyDown)
			key(t, w, fyne.KeyDown)
			key(t, w, fyne.KeyUp)
			if got := s.table.cursor; got != 1 {
				t.Fatalf("after Down Down Down Up: cursor on row %d, want 1", got)
			}
			if cards {
				if got := s.list.GetScrollOffset(); got < 0 {
					t.Fatalf("bad list offset %v", got)
				}
			}
			if f.ui.customer.currentID() != model.NilID {
				t.Fatalf("moving the cursor opened a customer; only Enter should")
			}
			if w.Canvas().Focused() != s.search {
				t.Fatalf("the arrows took the focus from the search box")
			}
			key(t, w, fyne.KeyReturn)
			if got, want := f.ui.customer.title.Text, "Dora Keller"; got != want {
				t.Errorf("Enter opened %q, want the selected row %q", got, want)
			}

			test.Type(s.search, "hub")
			key(t, w, fyne.KeyReturn)
			if got, want := f.ui.customer.title.Text, "Carla Huber"; got != want {
				t.Errorf("Enter without a selection opened %q, want the first hit %q", got, want)
			}
			key(t, w, fyne.KeyEscape)
			if s.search.Text != "" || s.rows.Length() != 4 {
				t.Errorf("after Esc: search %q with %d rows, want empty with all 4", s.search.Text, s.rows.Length())
			}
		})
	}
}

func TestFilterBarHiddenOnEmptyList(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	s := f.ui.customers
	if s.filterBar.Visible() || s.viewBtn.Visible() {
		t.Fatalf("filter bar (%v) or view button (%v) shown with no customers", s.filterBar.Visible(), s.viewBtn.Visible())
	}
	f.customer(model.Customer{GivenName: "Erika", FamilyName: "Moser"})
	shellEventually(t, "the list to show the new customer", func() bool { return s.rows.Length() == 1 })
	if !s.filterBar.Visible() || !s.viewBtn.Visible() {
		t.Errorf("filter bar (%v) or view button (%v) hidden with a customer in the list", s.filterBar.Visible(), s.viewBtn.Visible())
	}
	test.Type(s.search, "nobody")
	if !s.filterBar.Visible() {
		t.Errorf("filter bar hidden when only the search finds nothing: the filters may be the reason")
	}
}

// TestWindowFits1024WithDemoCustomers opens every demo customer, in both
// tabs of the customer screen, and visits every screen, in German: no
// part may ask for more than a 1024×700 screen, or the window grows past
// its edge (a consent row once asked for 1467 px).
func TestWindowFits1024WithDemoCustomers(t *testing.T) {
	inLanguage(t, "de")
	a := test.NewTempApp(t)
	db, err := storage.Open(filepath.Join(t.TempDir(), "k.db"), storage.Options{Now: func() time.Time { return shellNow }, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	ctx := context.Background()
	spec := demo.Spec{Customers: 200, Seed: 1, Now: shellNow, Region: "CH"}
	if err := demo.Generate(ctx, spec, 0, func(bulk model.Bulk) error { return db.BulkLoad(ctx, bulk, nil) }); err != nil {
		t.Fatal(err)
	}
	u := New(a, db, Options{})
	t.Cleanup(u.Window().Close)
	limit := fyne.NewSize(1024, 700)
	check := func(what string) {
		t.Helper()
		if min := u.Window().Content().MinSize(); min.Width > limit.Width || min.Height > limit.Height {
			t.Fatalf("%s: the window needs %v, more than %v", what, min, limit)
		}
	}
	for i := range u.tabs.Items {
		u.tabs.SelectIndex(i)
		check(u.tabs.Items[i].Text)
	}
	for _, h := range db.Directory().Search(model.Query{}) {
		u.openCustomer(h.ID)
		check(u.customer.title.Text)
		u.customer.tabs.Select(u.customer.formTab)
		check(u.customer.title.Text + ", details")
	}
}

// TestEmptyListHidesTheTable: when nothing matches, the hint shows and the
// table (with its header row, which lay under the hint) does not; in both
// views, and back when something matches again.
func TestEmptyListHidesTheTable(t *testing.T) {
	_, s := tableFixture(t)
	test.Type(s.search, "zzzz")
	shellEventually(t, "the hint", func() bool { return s.empty.Visible() })
	if s.table.table.Visible() {
		t.Fatal("the table shows under the hint")
	}
	s.onToggleView()
	if !s.cards || s.list.Visible() || !s.empty.Visible() {
		t.Fatalf("cards view: list visible %v, hint visible %v; want only the hint", s.list.Visible(), s.empty.Visible())
	}
	s.onToggleView()
	s.search.SetText("")
	shellEventually(t, "the table", func() bool { return s.table.table.Visible() })
	if s.empty.Visible() {
		t.Fatal("the hint still shows over the customers")
	}
}
