package app

import (
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// customersScreen is the searchable customer list. Rows come from the
// Directory's in-memory summaries, so the list stays smooth with 100,000
// customers: widget.List only creates the rows on screen.
type customersScreen struct {
	e   *env
	opt Options

	search    *searchEntry
	tag       *widget.Select
	segment   *widget.Select
	due       *widget.Check
	complaint *widget.Check
	consent   *widget.Check
	sort      *widget.Select
	sortLabel *widget.Label
	direction *widget.Button // flips the sort direction
	viewBtn   *widget.Button // switches between table and cards
	filterBar *fyne.Container
	count     *widget.Label
	list      *widget.List
	table     *customerTable
	rows      *customerRows
	empty     *widget.Label
	welcome   *welcomeView
	body      *fyne.Container

	// desc reverses the sort; cards shows the two-line list instead of the
	// table. Both are kept in the preferences (see customers_view.go).
	desc  bool
	cards bool
	// shown is the query whose result the list shows (without Now).
	shown model.Query
	// quiet is set while the keyboard moves the list's selection, so the
	// selection does not open the customer (Enter does).
	quiet bool

	// asyncAbove is the directory size above which searches run off the UI
	// goroutine; tests lower it to exercise that path.
	asyncAbove int
	// gen numbers searches so a slow, stale result never overwrites a newer one.
	gen atomic.Uint64
	// pending coalesces refreshes from a burst of commits into one.
	pending atomic.Bool
}

func newCustomersScreen(e *env, opt Options) *customersScreen {
	return &customersScreen{e: e, opt: opt, rows: &customerRows{now: e.now}, asyncAbove: 20000}
}

// sortChoices are the sort orders in the order the select lists them.
var sortChoices = []model.SortOrder{model.SortByName, model.SortByCompany, model.SortByCity, model.SortBySegment,
	model.SortByLastContact, model.SortByNextDue}

func sortText(s model.SortOrder) string {
	switch s {
	case model.SortByLastContact:
		return lang.X("customers.sort.last_contact", "Last contact")
	case model.SortByNextDue:
		return lang.X("customers.sort.next_due", "Next due")
	case model.SortByCompany:
		return lang.X("list.col.company", "Company")
	case model.SortByCity:
		return lang.X("list.col.city", "Town")
	case model.SortBySegment:
		return lang.X("list.col.segment", "Segment")
	}
	return lang.X("customers.sort.name", "Name")
}

func (s *customersScreen) build() fyne.CanvasObject {
	s.search = newSearchEntry(s.onSearchKey)
	s.search.SetPlaceHolder(lang.X("customers.search", "Search name, company, email, city, phone…"))
	s.search.OnChanged = func(string) { s.refresh() }
	s.search.OnSubmitted = func(string) { s.openCursor() }

	s.tag = widget.NewSelect(nil, func(string) { s.refresh() })
	s.tag.PlaceHolder = lang.X("customers.filter.tag", "Tag")
	s.segment = widget.NewSelect(nil, func(string) { s.refresh() })
	s.segment.PlaceHolder = lang.X("customers.filter.segment", "Segment")
	s.due = widget.NewCheck(lang.X("customers.filter.due", "Due for contact"), func(bool) { s.refresh() })
	s.complaint = widget.NewCheck(lang.X("customers.filter.complaint", "Open complaint"), func(bool) { s.refresh() })
	s.consent = widget.NewCheck(lang.X("customers.filter.consent", "Mail consent"), func(bool) { s.refresh() })
	var sorts []string
	for _, o := range sortChoices {
		sorts = append(sorts, sortText(o))
	}
	s.sort = widget.NewSelect(sorts, func(string) { s.onSortChanged() })
	s.sortLabel = widget.NewLabel(lang.X("list.sort.label", "Sort by"))
	s.direction = widget.NewButtonWithIcon("", theme.MenuDropUpIcon(), s.onFlipDirection)
	s.viewBtn = widget.NewButton("", s.onToggleView)
	s.loadView()
	clear := widget.NewButtonWithIcon("", theme.ContentClearIcon(), s.onClearFilters)
	s.count = widget.NewLabel("")
	newBtn := widget.NewButtonWithIcon(lang.X("customers.new", "New customer"), theme.ContentAddIcon(), func() { s.e.newCustomer() })

	s.list = widget.NewList(s.rows.Length, s.rows.CreateItem, s.rows.UpdateItem)
	s.list.OnSelected = func(id widget.ListItemID) {
		if s.quiet {
			return
		}
		s.open(id)
	}
	s.table = s.newTable()
	s.empty = widget.NewLabel(lang.X("customers.empty", "No customers match. Clear the search or the filters, or add a customer with Ctrl+N."))
	s.empty.Wrapping = fyne.TextWrapWord
	s.empty.Alignment = fyne.TextAlignCenter
	s.empty.Hide()
	s.welcome = newWelcomeView(s.e, s.opt, s.onWelcomeDone)

	// The checks take two columns: in one row, their German labels alone
	// were wider than the list's side of the window at 1024 px.
	s.filterBar = container.NewVBox(
		container.NewGridWithColumns(2, s.tag, s.segment),
		container.NewBorder(nil, nil, s.sortLabel, container.NewHBox(s.direction, clear), s.sort),
		container.NewGridWithColumns(2, s.due, s.complaint, s.consent),
	)
	filters := container.NewVBox(container.NewBorder(nil, nil, nil, newBtn, s.search), s.filterBar)
	s.body = container.NewStack(s.listView(), container.NewVBox(s.empty))
	root := container.NewBorder(filters, container.NewBorder(nil, nil, nil, s.viewBtn, s.count), nil, nil, s.body)
	// The screen lives as long as the window, so it never unsubscribes.
	s.e.svc.Subscribe(s.onChanges)
	s.reloadChoices()
	if s.welcome.wanted() {
		s.body.Objects = []fyne.CanvasObject{container.NewVScroll(s.welcome.build())}
	}
	s.refresh()
	return root
}

// onChanges runs on the committing goroutine; it schedules one refresh no
// matter how many commits arrive before the UI gets to it.
func (s *customersScreen) onChanges([]model.Change) {
	if s.pending.Swap(true) {
		return
	}
	fyne.Do(func() {
		s.pending.Store(false)
		s.reloadChoices()
		s.refresh()
	})
}

func (s *customersScreen) onWelcomeDone() {
	s.body.Objects = []fyne.CanvasObject{s.listView(), container.NewVBox(s.empty)}
	s.body.Refresh()
	s.reloadChoices()
	s.refresh()
}

func (s *customersScreen) onClearFilters() {
	s.tag.ClearSelected()
	s.segment.ClearSelected()
	s.due.SetChecked(false)
	s.complaint.SetChecked(false)
	s.consent.SetChecked(false)
	s.search.SetText("")
}

// reloadChoices fills the tag and segment selects from the directory.
func (s *customersScreen) reloadChoices() {
	dir := s.e.svc.Directory()
	s.tag.SetOptions(dir.Tags())
	var segs []string
	for _, g := range dir.Segments() {
		segs = append(segs, segmentText(g))
	}
	s.segment.SetOptions(segs)
}

// query builds the directory query from the widgets.
func (s *customersScreen) query() model.Query {
	q := model.Query{
		Text:          strings.TrimSpace(s.search.Text),
		Tag:           s.tag.Selected,
		Due:           s.due.Checked,
		OpenComplaint: s.complaint.Checked,
		MailConsent:   s.consent.Checked,
		Now:           s.e.now(),
	}
	if s.segment.Selected != "" {
		q.Segment = segmentFromText(s.segment.Selected)
	}
	q.Sort, q.Desc = s.sortOrder()
	return q
}

// refresh runs the search. Small directories are searched in place (well
// under a millisecond); large ones in a goroutine, dropping stale results.
func (s *customersScreen) refresh() {
	if s.list == nil {
		return
	}
	q := s.query()
	gen := s.gen.Add(1)
	dir := s.e.svc.Directory()
	if dir.Len() <= s.asyncAbove {
		s.show(q, dir.Search(q), dir.Len())
		return
	}
	go func() {
		res := dir.Search(q)
		total := dir.Len()
		fyne.Do(func() {
			if s.gen.Load() == gen {
				s.show(q, res, total)
			}
		})
	}()
}

// show applies the result of q, starting at the top of the list when q
// differs from the query shown: a commit elsewhere refreshes the same
// query, and must not take away the user's place in the list.
func (s *customersScreen) show(q model.Query, res model.Hits, total int) {
	q.Now = time.Time{}
	moved := q != s.shown
	s.shown = q
	s.apply(res, total)
	if moved {
		s.scrollToTop()
	}
}

// scrollToTop scrolls the shown view to its first row; the hidden one is
// scrolled when it is shown (a table scrolled off screen still redraws).
func (s *customersScreen) scrollToTop() {
	if s.cards {
		s.list.ScrollToOffset(0) // unlike ScrollToTop, safe before the list is drawn
	} else {
		s.table.table.ScrollToTop()
	}
}

// showListView shows the list view unless the empty hint does.
func (s *customersScreen) showListView() {
	switch view := s.listView(); {
	case s.empty.Visible() && view.Visible():
		view.Hide()
	case !s.empty.Visible() && !view.Visible():
		view.Show()
	}
}

func (s *customersScreen) apply(res model.Hits, total int) {
	s.rows.set(res)
	s.quiet = true
	s.list.UnselectAll()
	s.quiet = false
	s.table.reset()
	s.listView().Refresh() // the hidden view is refreshed when it is shown
	// An empty directory has nothing to filter: the welcome or the hint
	// to add a customer is all there is.
	if hide := total == 0; s.filterBar.Hidden != hide {
		s.filterBar.Hidden = hide
		s.viewBtn.Hidden = hide
		s.filterBar.Refresh()
		s.viewBtn.Refresh()
	}
	s.count.SetText(lang.XN("customers.count", "{{.Count}} customers", len(res),
		map[string]any{"Count": formatCount(len(res)), "Total": formatCount(total)}))
	if len(res) == 0 {
		if total == 0 {
			s.empty.SetText(lang.X("customers.empty_db", "No customers yet. Add one with Ctrl+N or import your address book."))
		} else {
			s.empty.SetText(lang.X("customers.empty", "No customers match. Clear the search or the filters, or add a customer with Ctrl+N."))
		}
		s.empty.Show()
	} else {
		s.empty.Hide()
	}
	// Nothing to list: the table's header row would lie under the hint.
	s.showListView()
}

// customerRows is the list data: the hits of the current search, whose
// summaries are made only for the rows shown.
type customerRows struct {
	rows model.Hits
	now  func() time.Time
}

func (r *customerRows) set(rows model.Hits) { r.rows = rows }

func (r *customerRows) at(i int) *model.CustomerSummary {
	if i < 0 || i >= len(r.rows) {
		return nil
	}
	return r.rows[i].Summary()
}

// Length returns the number of rows.
func (r *customerRows) Length() int { return len(r.rows) }

// CreateItem returns an empty row.
func (r *customerRows) CreateItem() fyne.CanvasObject { return newCustomerRow() }

// UpdateItem shows row i in o.
func (r *customerRows) UpdateItem(i widget.ListItemID, o fyne.CanvasObject) {
	if s := r.at(i); s != nil {
		o.(*customerRow).set(s, r.now())
	}
}

// customerRow shows one customer: name and flags, company and city, last contact.
type customerRow struct {
	widget.BaseWidget
	name   *widget.Label
	detail *widget.Label
	last   *widget.Label
	flags  *widget.Label
}

func newCustomerRow() *customerRow {
	r := &customerRow{
		name:   widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		detail: widget.NewLabel(""),
		last:   widget.NewLabel(""),
		flags:  widget.NewLabel(""),
	}
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer lays the row out in two lines.
func (r *customerRow) CreateRenderer() fyne.WidgetRenderer {
	top := container.NewBorder(nil, nil, nil, r.flags, r.name)
	bottom := container.NewBorder(nil, nil, nil, r.last, r.detail)
	return widget.NewSimpleRenderer(container.NewVBox(top, bottom))
}

func (r *customerRow) set(s *model.CustomerSummary, now time.Time) {
	r.name.SetText(s.Name)
	var parts []string
	if s.Company != "" && s.Company != s.Name {
		parts = append(parts, s.Company)
	}
	if s.City != "" {
		parts = append(parts, s.City)
	}
	r.detail.SetText(strings.Join(parts, " · "))
	r.last.SetText(formatRelative(s.LastContact, now))
	var flags []string
	if s.OpenComplaint {
		flags = append(flags, "⚠ "+lang.X("customers.flag.complaint", "complaint"))
	}
	if s.DueForContact(now) {
		flags = append(flags, "⏰ "+lang.X("customers.flag.due", "due"))
	}
	r.flags.SetText(strings.Join(flags, "  "))
}
