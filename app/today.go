package app

import (
	"sort"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// Windows of the Today view.
const (
	todayAnniversaryDays = 7  // birthdays and anniversaries this week
	todayExpiryDays      = 14 // gestures about to expire
	// todayReadMax is how many follow-ups overdue from before today, how many
	// due today, and how many gestures about to expire the view reads from
	// storage: each is a record decoded from the file, and a large database
	// has tens of thousands of each, which cost seconds and hundreds of
	// megabytes to read and show in full. The count then says "more than".
	todayReadMax = 100
)

// todayScreen is the morning overview: what is due, who needs attention.
type todayScreen struct {
	e      *env
	loader *careLoader
	unsub  func()

	heading  *widget.Label
	progress *busyIndicator

	followUps  *careSection
	due        *careSection
	complaints *careSection
	dates      *careSection
	expiring   *careSection
	data       todayData
}

// todayData is one consistent snapshot of what the Today view shows.
type todayData struct {
	now           time.Time
	followUps     []model.FollowUp // overdue first, then today's, by due time
	moreFollowUps bool             // more are due than followUps holds
	due           model.Hits       // summaries made for the rows shown
	complaints    model.Hits
	dates         []todayDate
	expiring      []model.Gesture // soonest first
	moreExpiring  bool            // more expire in the window than expiring holds
}

// todayDate is a birthday or relationship anniversary coming up.
type todayDate struct {
	customer *model.CustomerSummary
	on       model.Date
	inDays   int
	years    int
	birthday bool // else customer-since anniversary
}

func newTodayScreen(e *env) *todayScreen {
	s := &todayScreen{e: e}
	s.loader = newCareLoader(s.load, s.setBusy)
	s.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.progress = newBusyIndicator()
	s.followUps = newCareSection(lang.X("today.followups.title", "Follow-ups"),
		lang.X("today.followups.empty", "No follow-ups overdue or due today. Plan one from a customer's page."))
	s.due = newCareSection(lang.X("today.due.title", "Due for contact"),
		lang.X("today.due.empty", "Nobody is due for contact. Set a contact rhythm on a customer to see them here in time."))
	s.complaints = newCareSection(lang.X("today.complaints.title", "Open complaints"),
		lang.X("today.complaints.empty", "No open complaints."))
	s.dates = newCareSection(lang.X("today.dates.title", "Birthdays and anniversaries this week"),
		lang.X("today.dates.empty", "No birthdays or anniversaries in the next 7 days."))
	s.expiring = newCareSection(lang.X("today.expiring.title", "Gestures about to expire"),
		lang.X("today.expiring.empty", "No gesture expires in the next 14 days."))
	s.addEmptyActions()
	return s
}

func (s *todayScreen) build() fyne.CanvasObject {
	if s.unsub == nil {
		s.unsub = s.e.svc.Subscribe(func([]model.Change) { s.refresh() })
	}
	refresh := widget.NewButtonWithIcon(lang.X("today.refresh", "Refresh"), theme.ViewRefreshIcon(), s.refresh)
	printBtn := widget.NewButtonWithIcon(lang.X("charts.print.button", "Print"), theme.DocumentPrintIcon(), s.onPrint)
	top := container.NewBorder(nil, s.progress.box, nil, container.NewHBox(printBtn, refresh), s.heading)
	grid := container.NewGridWithColumns(2,
		s.followUps.build(), s.due.build(), s.complaints.build(), s.dates.build(), s.expiring.build())
	s.refresh()
	return container.NewBorder(top, nil, nil, nil, grid)
}

// refresh reloads in the background; calls during a load coalesce.
func (s *todayScreen) refresh() { s.loader.start() }

func (s *todayScreen) setBusy(on bool) { s.progress.set(on) }

// load gathers everything off the UI thread and returns the UI update.
func (s *todayScreen) load() func() {
	d, err := s.collect()
	return func() {
		if err != nil {
			s.e.showError(err)
			return
		}
		s.apply(d)
	}
}

func (s *todayScreen) collect() (todayData, error) {
	_, loc := careZone(s.e.settings().TimeZone)
	now := s.e.now().In(loc)
	today := model.DateOf(now)
	d := todayData{now: now}
	startOfToday := today.Time(0, loc)
	endOfToday := startOfToday.AddDate(0, 0, 1)

	// The older overdue ones and today's, each up to todayReadMax, oldest
	// first as before: the two ranges together are everything due before
	// the end of today, and a pile of old ones does not hide today's.
	open := []model.FollowUpStatus{model.FollowUpOpen}
	older, err := s.e.svc.FollowUps(model.FollowUpFilter{Statuses: open, To: startOfToday, Limit: todayReadMax + 1})
	if err != nil {
		return d, err
	}
	todays, err := s.e.svc.FollowUps(model.FollowUpFilter{Statuses: open, From: startOfToday, To: endOfToday, Limit: todayReadMax + 1})
	if err != nil {
		return d, err
	}
	if len(older) > todayReadMax {
		older, d.moreFollowUps = older[:todayReadMax], true
	}
	if len(todays) > todayReadMax {
		todays, d.moreFollowUps = todays[:todayReadMax], true
	}
	for _, f := range append(older, todays...) {
		if f.Overdue(now) || f.DueToday(now, loc) {
			d.followUps = append(d.followUps, f)
		}
	}
	dir := s.e.svc.Directory()
	d.due = dir.Search(model.Query{Due: true, Sort: model.SortByNextDue, Now: now})
	d.complaints = dir.Search(model.Query{OpenComplaint: true, Sort: model.SortByLastContact, Now: now})
	d.dates = todayDates(dir.Search(model.Query{Now: now}), today)

	gs, err := s.e.svc.Gestures(model.GestureFilter{
		Statuses:     []model.GestureStatus{model.GestureIdea, model.GestureOffered, model.GestureAccepted},
		ExpiringFrom: today, ExpiringTo: model.DateOf(startOfToday.AddDate(0, 0, todayExpiryDays)),
		Limit: todayReadMax + 1,
	})
	if err != nil {
		return d, err
	}
	if len(gs) > todayReadMax {
		gs, d.moreExpiring = gs[:todayReadMax], true
	}
	for _, g := range gs {
		if g.ExpiresWithin(today, todayExpiryDays) {
			d.expiring = append(d.expiring, g)
		}
	}
	sort.SliceStable(d.expiring, func(i, j int) bool {
		return d.expiring[i].ValidUntil.String() < d.expiring[j].ValidUntil.String()
	})
	return d, nil
}

// todayDates finds birthdays and customer-since anniversaries within the
// week, soonest first.
func todayDates(all model.Hits, today model.Date) []todayDate {
	var out []todayDate
	var c model.CustomerSummary // one for all: a summary is kept only for a date found
	for _, h := range all {
		h.Fill(&c)
		if !c.Birthday.IsZero() {
			on, years := model.NextAnniversary(c.Birthday, today)
			if n := model.DaysBetween(today, on); n <= todayAnniversaryDays {
				out = append(out, todayDate{customer: h.Summary(), on: on, inDays: n, years: years, birthday: true})
			}
		}
		if c.Since.HasYear() {
			on, years := model.NextAnniversary(c.Since, today)
			// The first "anniversary" is the day they became a customer.
			if n := model.DaysBetween(today, on); n <= todayAnniversaryDays && years > 0 {
				out = append(out, todayDate{customer: h.Summary(), on: on, inDays: n, years: years})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].inDays < out[j].inDays })
	return out
}

func (s *todayScreen) apply(d todayData) {
	s.data = d
	s.heading.SetText(lang.X("today.heading", "Today, {{.Date}}", map[string]any{"Date": careFormatDate(d.now)}))
	loc := d.now.Location()

	rows := make([]careRowData, len(d.followUps))
	for i := range d.followUps {
		f := d.followUps[i]
		rows[i] = careRowData{
			title:  f.Title + " · " + s.customerName(f.CustomerID),
			detail: todayDueText(&f, d.now, loc),
			warn:   f.Overdue(d.now),
			open:   s.opener(f.CustomerID),
			first:  &careAction{label: lang.X("today.followups.done", "Done"), icon: theme.ConfirmIcon(), run: func() { s.onDone(f) }},
			second: &careAction{label: lang.X("today.followups.reschedule", "Reschedule"), icon: theme.HistoryIcon(),
				menu: func() *fyne.Menu { return s.rescheduleMenu(f) }, canvas: s.e.win.Canvas()},
		}
	}
	count := lang.XN("today.followups.count", "{{.Count}} open", len(rows), map[string]any{"Count": formatCount(len(rows))})
	if d.moreFollowUps {
		count = lang.X("today.followups.countMore", "more than {{.Count}} open", map[string]any{"Count": formatCount(len(rows))})
	}
	s.followUps.set(rows, count)

	// The directory lists can hold tens of thousands of customers: their
	// rows are made as the list shows them.
	now := d.now
	s.due.setLazy(len(d.due), func(i int) careRowData {
		c := d.due[i].Summary()
		days := int(now.Sub(c.NextDue()).Hours() / 24)
		detail := lang.X("today.due.dueToday", "Due now · every {{.Rhythm}} days", map[string]any{"Rhythm": c.RhythmDays})
		if days > 0 {
			detail = lang.XN("today.due.overdue", "Overdue by {{.Count}} days · every {{.Rhythm}} days", days,
				map[string]any{"Count": formatCount(days), "Rhythm": c.RhythmDays})
		}
		return careRowData{title: c.Name, detail: detail, warn: days > 0, open: s.opener(c.ID)}
	}, lang.XN("today.due.count", "{{.Count}} customers", len(d.due), map[string]any{"Count": formatCount(len(d.due))}))

	s.complaints.setLazy(len(d.complaints), func(i int) careRowData {
		c := d.complaints[i].Summary()
		return careRowData{title: c.Name, warn: true, open: s.opener(c.ID),
			detail: lang.X("today.complaints.since", "Complaint on {{.Date}}", map[string]any{"Date": careFormatDate(c.LastComplaint.In(loc))}),
			first:  s.closeComplaintAction(c.ID, c.Name)}
	}, lang.XN("today.complaints.count", "{{.Count}} open", len(d.complaints), map[string]any{"Count": formatCount(len(d.complaints))}))

	s.dates.setLazy(len(d.dates), func(i int) careRowData {
		t := d.dates[i]
		return careRowData{title: t.customer.Name, detail: todayDateText(t), open: s.opener(t.customer.ID)}
	}, lang.XN("today.dates.count", "{{.Count}} this week", len(d.dates), map[string]any{"Count": formatCount(len(d.dates))}))

	rows = make([]careRowData, len(d.expiring))
	for i := range d.expiring {
		g := d.expiring[i]
		rows[i] = careRowData{title: g.Title + " · " + s.customerName(g.CustomerID), open: s.opener(g.CustomerID),
			detail: gestureKindText(g.Kind) + " · " + lang.X("today.expiring.until", "valid until {{.Date}}",
				map[string]any{"Date": formatDay(g.ValidUntil)})}
	}
	count = lang.XN("today.expiring.count", "{{.Count}} gestures", len(rows), map[string]any{"Count": formatCount(len(rows))})
	if d.moreExpiring {
		count = lang.X("today.expiring.countMore", "more than {{.Count}} gestures", map[string]any{"Count": formatCount(len(rows))})
	}
	s.expiring.set(rows, count)
}

func (s *todayScreen) customerName(id model.ID) string {
	if c, ok := s.e.svc.Directory().Summary(id); ok {
		return c.Name
	}
	return lang.X("today.unknownCustomer", "(deleted customer)")
}

func (s *todayScreen) opener(id model.ID) func() {
	return func() { s.e.openCustomer(id) }
}

func todayDueText(f *model.FollowUp, now time.Time, loc *time.Location) string {
	due := f.Due.In(loc)
	when := careFormatDateTime(due)
	if f.AllDay {
		when = careFormatDate(f.LocalDue())
	}
	if f.Overdue(now) {
		return lang.X("today.followups.overdue", "Overdue since {{.When}}", map[string]any{"When": when})
	}
	if f.AllDay {
		return lang.X("today.followups.allday", "Today, all day")
	}
	return lang.X("today.followups.today", "Today at {{.Time}}", map[string]any{"Time": due.Format("15:04")})
}

func todayDateText(t todayDate) string {
	data := map[string]any{"Date": formatDay(t.on), "Years": t.years, "Count": formatCount(t.inDays)}
	var when string
	switch t.inDays {
	case 0:
		when = lang.X("today.dates.today", "today")
	case 1:
		when = lang.X("today.dates.tomorrow", "tomorrow")
	default:
		when = lang.XN("today.dates.inDays", "in {{.Count}} days ({{.Date}})", t.inDays, data)
	}
	data["When"] = when
	switch {
	case t.birthday && t.years > 0:
		return lang.X("today.dates.birthdayYears", "Birthday {{.When}}: turns {{.Years}}", data)
	case t.birthday:
		return lang.X("today.dates.birthday", "Birthday {{.When}}", data)
	}
	return lang.XN("today.dates.anniversary", "{{.Years}} years a customer {{.When}}", t.years, data)
}

// careSection is a titled list with a count and a hint when it is empty.
type careSection struct {
	title  string
	count  *widget.Label
	hint   *widget.Label
	action *widget.Button // shown with the hint; nil for none (see empty_states.go)
	rows   *careRows
}

func newCareSection(title, emptyHint string) *careSection {
	hint := widget.NewLabel(emptyHint)
	hint.Wrapping = fyne.TextWrapWord
	hint.Importance = widget.LowImportance
	return &careSection{title: title, count: widget.NewLabel(""), hint: hint, rows: newCareRows()}
}

func (c *careSection) build() fyne.CanvasObject {
	head := container.NewBorder(nil, nil, nil, c.count,
		widget.NewLabelWithStyle(c.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	return container.NewBorder(head, nil, nil, nil, container.NewStack(c.rows.list, container.NewVBox(c.hint, c.actionRow())))
}

func (c *careSection) set(rows []careRowData, count string) {
	c.rows.set(rows)
	c.showCount(count)
}

// setLazy shows n rows made by row as the list needs them.
func (c *careSection) setLazy(n int, row func(int) careRowData, count string) {
	c.rows.setLazy(n, row)
	c.showCount(count)
}

func (c *careSection) showCount(count string) {
	c.count.SetText(count)
	if c.rows.Length() == 0 {
		c.hint.Show()
	} else {
		c.hint.Hide()
	}
	c.showAction()
}

// careRowData is one line of a care list: what it says, what a click
// opens, and up to two actions.
type careRowData struct {
	title, detail string
	warn          bool // shown in the warning colour (overdue, complaint)
	open          func()
	first, second *careAction
}

// careAction is a button on a row.
type careAction struct {
	label string
	icon  fyne.Resource
	run   func()
	// menu, when set, makes the button open this menu on canvas instead
	// of run.
	menu   func() *fyne.Menu
	canvas fyne.Canvas
}

// careRows is the list data of every care list: rows, or, for long
// lists, a function that makes row i when the list shows it.
type careRows struct {
	rows []careRowData
	lazy func(int) careRowData // when set, n rows come from it instead of rows
	n    int
	list *widget.List
}

func newCareRows() *careRows {
	r := &careRows{}
	r.list = widget.NewList(r.Length, r.CreateItem, r.UpdateItem)
	r.list.OnSelected = r.onSelected
	return r
}

func (r *careRows) set(rows []careRowData) {
	r.rows, r.lazy, r.n = rows, nil, len(rows)
	r.list.UnselectAll()
	r.list.Refresh()
}

func (r *careRows) setLazy(n int, row func(int) careRowData) {
	r.rows, r.lazy, r.n = nil, row, n
	r.list.UnselectAll()
	r.list.Refresh()
}

// row returns row i, which must be below Length.
func (r *careRows) row(i int) careRowData {
	if r.lazy != nil {
		return r.lazy(i)
	}
	return r.rows[i]
}

// Length implements the list's length callback.
func (r *careRows) Length() int { return r.n }

// CreateItem implements the list's template callback.
func (r *careRows) CreateItem() fyne.CanvasObject { return newCareRowItem() }

// UpdateItem implements the list's update callback.
func (r *careRows) UpdateItem(i widget.ListItemID, o fyne.CanvasObject) {
	if i < 0 || i >= r.n {
		return
	}
	o.(*careRowItem).set(r.row(i))
}

func (r *careRows) onSelected(i widget.ListItemID) {
	r.list.Unselect(i)
	if i < 0 || i >= r.n {
		return
	}
	if open := r.row(i).open; open != nil {
		open()
	}
}

// careRowItem renders one careRowData.
type careRowItem struct {
	widget.BaseWidget
	title, detail *widget.Label
	first, second *widget.Button
	box           *fyne.Container
}

func newCareRowItem() *careRowItem {
	r := &careRowItem{
		title:  widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		detail: widget.NewLabel(""),
		first:  widget.NewButton("", nil),
		second: widget.NewButton("", nil),
	}
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.box = container.NewBorder(nil, nil, nil, container.NewHBox(r.first, r.second),
		container.NewVBox(r.title, r.detail))
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *careRowItem) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }

func (r *careRowItem) set(d careRowData) {
	r.title.SetText(d.title)
	r.detail.SetText(d.detail)
	if d.warn {
		r.detail.Importance = widget.DangerImportance
	} else {
		r.detail.Importance = widget.MediumImportance
	}
	r.detail.Refresh()
	careSetButton(r.first, d.first)
	careSetButton(r.second, d.second)
}

func careSetButton(b *widget.Button, a *careAction) {
	if a == nil {
		b.OnTapped = nil
		b.Hide()
		return
	}
	b.SetText(a.label)
	b.SetIcon(a.icon)
	b.OnTapped = a.run
	if a.menu != nil {
		b.OnTapped = func() { showMenuBelow(a.menu(), a.canvas, b) }
	}
	b.Show()
}

// careLoader runs a screen's load off the UI thread, applies the result
// with fyne.Do, and folds refresh requests that arrive during a load into
// one more load, so a burst of commits costs two loads, not hundreds.
type careLoader struct {
	load func() func() // runs in a goroutine; returns the UI update
	busy func(bool)    // shows or hides the progress indicator (UI thread)
	do   func(func())  // runs a function on the UI thread: fyne.Do (tests pump their own)

	mu      sync.Mutex
	running bool
	again   bool
}

func newCareLoader(load func() func(), busy func(bool)) *careLoader {
	return &careLoader{load: load, busy: busy, do: fyne.Do}
}

// start begins a load, or marks one as wanted after the running one. It
// may be called from any goroutine.
func (l *careLoader) start() {
	l.mu.Lock()
	if l.running {
		l.again = true
		l.mu.Unlock()
		return
	}
	l.running = true
	l.mu.Unlock()
	l.do(func() { l.busy(true) })
	go l.run()
}

func (l *careLoader) run() {
	apply := l.load()
	l.do(func() {
		apply()
		l.mu.Lock()
		if l.again {
			l.again = false
			l.mu.Unlock()
			go l.run()
			return
		}
		l.running = false
		l.busy(false)
		l.mu.Unlock()
	})
}

// busyNow reports whether a load is running or pending.
func (l *careLoader) busyNow() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.running
}
