package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// How the customer list is shown and driven: table or cards, the sort
// order and direction (kept in the preferences with the column widths),
// and the keys that move from the search box into the results.

// Preference keys.
const (
	prefCards = "list.cards"
	prefSort  = "list.sort"
	prefDesc  = "list.desc"
)

// loadView sets view, sort and direction from the preferences.
func (s *customersScreen) loadView() {
	p := s.e.prefs
	i := 0
	if p != nil {
		s.cards = p.Bool(prefCards)
		s.desc = p.Bool(prefDesc)
		o := model.SortOrder(p.IntWithFallback(prefSort, int(model.SortByName)))
		for j, c := range sortChoices {
			if c == o {
				i = j
			}
		}
	}
	s.sort.SetSelectedIndex(i) // s.list is not made yet: nothing is saved or searched
	s.showSort()
}

// sortOrder returns the chosen order and direction.
func (s *customersScreen) sortOrder() (model.SortOrder, bool) {
	if i := s.sort.SelectedIndex(); i >= 0 && i < len(sortChoices) {
		return sortChoices[i], s.desc
	}
	return model.SortByName, s.desc
}

// onSortChanged runs when the select picks another order: ascending first.
func (s *customersScreen) onSortChanged() {
	if s.list == nil {
		return // loadView during build
	}
	s.desc = false
	s.sortChanged()
}

func (s *customersScreen) onFlipDirection() {
	s.desc = !s.desc
	s.sortChanged()
}

// onHeader sorts by the table column col; a second click on the sorted
// column reverses the direction.
func (s *customersScreen) onHeader(col int) {
	o := tableColumns[col].sort
	if cur, _ := s.sortOrder(); cur == o {
		s.onFlipDirection()
		return
	}
	s.sort.SetSelected(sortText(o)) // onSortChanged
}

// sortChanged saves and shows the new sort and searches again.
func (s *customersScreen) sortChanged() {
	o, desc := s.sortOrder()
	if p := s.e.prefs; p != nil {
		p.SetInt(prefSort, int(o))
		p.SetBool(prefDesc, desc)
	}
	s.showSort()
	s.refresh()
}

// showSort shows the direction on its button; the table's headers show it
// when the table is refreshed with the sorted rows.
func (s *customersScreen) showSort() {
	if s.desc {
		s.direction.SetIcon(theme.MenuDropDownIcon())
	} else {
		s.direction.SetIcon(theme.MenuDropUpIcon())
	}
	if s.cards {
		s.viewBtn.SetText(lang.X("list.view.table", "As table"))
	} else {
		s.viewBtn.SetText(lang.X("list.view.cards", "As cards"))
	}
}

// listView returns the list widget of the current view.
func (s *customersScreen) listView() fyne.CanvasObject {
	if s.cards {
		return s.list
	}
	return s.table.table
}

func (s *customersScreen) onToggleView() {
	old := s.listView()
	s.cards = !s.cards
	if p := s.e.prefs; p != nil {
		p.SetBool(prefCards, s.cards)
	}
	if len(s.body.Objects) > 0 && s.body.Objects[0] == old { // not while the welcome shows
		s.body.Objects[0] = s.listView()
		s.body.Refresh()
	}
	s.showSort()
	s.showListView()
	s.listView().Refresh() // it was not refreshed while hidden
	s.scrollToTop()
}

// newTable makes the table view with the remembered column widths.
func (s *customersScreen) newTable() *customerTable {
	widths := make([]float32, len(tableColumns))
	for i, c := range tableColumns {
		widths[i] = c.width
		if p := s.e.prefs; p != nil {
			if w := float32(p.FloatWithFallback(widthKey(i), float64(c.width))); w >= 30 {
				widths[i] = w
			}
		}
	}
	t := newCustomerTable(s.rows, widths)
	t.sort = s.sortOrder
	t.onSort = s.onHeader
	t.onOpen = s.open
	t.onWidths = func(ws []float32) {
		if p := s.e.prefs; p != nil {
			for i, w := range ws {
				p.SetFloat(widthKey(i), float64(w))
			}
		}
	}
	return t
}

// open shows the customer of row i.
func (s *customersScreen) open(i int) {
	if r := s.rows.at(i); r != nil {
		s.e.openCustomer(r.ID)
	}
}

// onSearchKey handles the keys of the search box that lead into the
// results; it reports whether it used k.
func (s *customersScreen) onSearchKey(k *fyne.KeyEvent) bool {
	switch k.Name {
	case fyne.KeyDown:
		s.moveCursor(1)
	case fyne.KeyUp:
		s.moveCursor(-1)
	case fyne.KeyPageDown:
		s.moveCursor(10)
	case fyne.KeyPageUp:
		s.moveCursor(-10)
	case fyne.KeyEscape:
		if s.search.Text == "" {
			return false
		}
		s.search.SetText("")
	default:
		return false
	}
	return true
}

// moveCursor moves the selected row by d, within the results.
func (s *customersScreen) moveCursor(d int) {
	n := s.rows.Length()
	if n == 0 {
		return
	}
	c := min(max(s.table.cursor+d, 0), n-1)
	if !s.cards {
		s.table.setCursor(c)
		return
	}
	s.table.cursor = c // the one cursor of both views
	s.quiet = true
	s.list.Select(c)
	s.quiet = false
}

// openCursor opens the selected row, or the first when none is.
func (s *customersScreen) openCursor() {
	s.open(max(s.table.cursor, 0))
}

// searchEntry is the search box: it hands the keys that lead into the
// results to onKey before the entry sees them.
type searchEntry struct {
	widget.Entry
	onKey func(k *fyne.KeyEvent) bool
}

func newSearchEntry(onKey func(k *fyne.KeyEvent) bool) *searchEntry {
	e := &searchEntry{onKey: onKey}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey lets onKey handle k first.
func (e *searchEntry) TypedKey(k *fyne.KeyEvent) {
	if e.onKey != nil && e.onKey(k) {
		return
	}
	e.Entry.TypedKey(k)
}
