package app

import (
	"sort"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// Invitation channels. Email needs a recorded consent (opt-in,
// CustomerSummary.MailConsent); post is allowed unless the customer
// withdrew (opt-out, PostBlocked); both need an address.
const (
	inviteByEmail   = "email"
	inviteByPost    = "post"
	inviteInPerson  = "personal"
	inviteByTag     = "tag"
	inviteBySegment = "segment"
)

// loyaltyScreen shows gestures, events with their invitations, who got
// what this year, and how attention is spread over the segments.
type loyaltyScreen struct {
	e      *env
	loader *careLoader
	// inviter stores invitations off the UI thread: a segment can be
	// thousands of customers, one transaction. invite is its job.
	inviter *careLoader
	invite  inviteJob
	unsub   func()

	tabs     *container.AppTabs
	progress *busyIndicator

	// gestures tab
	kindFilter   *widget.Select
	statusFilter *widget.Select
	gestureCount *widget.Label
	gestureRows  *careRows
	gestureEmpty *emptyState // and eventEmpty, yearEmpty: see empty_states.go
	eventEmpty   *emptyState
	yearEmpty    *emptyState
	statusDlg    *dialog.CustomDialog
	statusBtns   map[model.GestureStatus]*widget.Button // of the open status dialog

	// events tab
	eventRows    *careRows
	eventTitle   *widget.Label
	eventInfo    *widget.Label
	rsvp         *widget.Label
	inviteRows   *careRows
	inviteBy     *widget.RadioGroup
	inviteTarget *widget.Select
	channel      *widget.Select
	inviteBtn    *widget.Button
	inviteResult *widget.Label
	eventPane    *fyne.Container

	// this year tab
	yearTotal *widget.Label
	yearRows  *careRows

	// attention tab
	attentionRows *careRows
	charts        *loyaltyCharts // see loyalty_charts.go

	mu       sync.Mutex // guards the filter state read by the loader
	kinds    []model.GestureKind
	statuses []model.GestureStatus
	eventID  model.ID

	data loyaltyData // last loaded (UI thread)
}

// loyaltyData is one load of the screen.
// loyaltyMaxList bounds the gesture list: the newest ones; the filters
// narrow it. Fifty thousand rows cost tens of MB and help nobody.
var loyaltyMaxList = 500

type loyaltyData struct {
	now       time.Time
	gestures  []model.Gesture
	more      bool // more gestures match than the list shows
	events    []model.Event
	event     *model.Event
	invites   []model.Gesture
	yearRows  []careRowData // who got what this year, made off the UI thread
	yearText  string        // and its total
	attention []loyaltyAttention
	monthly   model.MonthlyGestures // gestures per segment and month, for the chart
}

// loyaltyTotals sums gestures' value and cost per currency.
type loyaltyTotals struct {
	count  int
	value  map[string]int64
	cost   map[string]int64
	percen int // number of percentage discounts (their value depends on the purchase)
}

func (t *loyaltyTotals) add(g *model.Gesture) {
	if t.value == nil {
		t.value, t.cost = map[string]int64{}, map[string]int64{}
	}
	t.count++
	if g.Amount != 0 {
		t.value[g.Currency] += g.Amount
	}
	if g.Cost != 0 {
		t.cost[g.Currency] += g.Cost
	}
	if g.Percent != 0 {
		t.percen++
	}
}

// loyaltyYearRow is what one customer got this year.
type loyaltyYearRow struct {
	customer model.ID
	name     string
	titles   []string
	totals   loyaltyTotals
}

// loyaltyAttention compares how much attention a segment gets.
type loyaltyAttention struct {
	segment     string
	customers   int
	contacted   int     // customers with at least one contact
	avgDays     float64 // average days since last contact of the contacted ones
	perCustomer float64 // gestures that reached the customer, per customer
	// contactsPerCustomer is the segment's live notes (every contact is
	// one) per customer.
	contactsPerCustomer float64
}

func newLoyaltyScreen(e *env) *loyaltyScreen {
	s := &loyaltyScreen{e: e, statusBtns: map[model.GestureStatus]*widget.Button{}}
	s.loader = newCareLoader(s.load, s.setBusy)
	s.inviter = newCareLoader(s.runInvite, func(busy bool) {
		s.setBusy(busy)
		if busy {
			s.inviteBtn.Disable()
		} else {
			s.inviteBtn.Enable()
		}
	})
	s.progress = newBusyIndicator()

	kindOpts := []string{lang.X("loyalty.filter.allKinds", "All kinds")}
	for _, k := range model.GestureKinds {
		kindOpts = append(kindOpts, gestureKindText(k))
	}
	s.kindFilter = widget.NewSelect(kindOpts, nil)
	s.kindFilter.SetSelectedIndex(0)
	statusOpts := []string{lang.X("loyalty.filter.allStatuses", "All statuses")}
	for _, st := range model.GestureStatuses {
		statusOpts = append(statusOpts, gestureStatusText(st))
	}
	s.statusFilter = widget.NewSelect(statusOpts, nil)
	s.statusFilter.SetSelectedIndex(0)
	// Callbacks only now: SetSelectedIndex above would fire them early.
	s.kindFilter.OnChanged = func(string) { s.onFilter() }
	s.statusFilter.OnChanged = func(string) { s.onFilter() }
	s.gestureCount = widget.NewLabel("")
	s.gestureRows = newCareRows()
	s.newEmptyStates()

	s.eventRows = newCareRows()
	s.eventTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.eventInfo = widget.NewLabel("")
	s.eventInfo.Wrapping = fyne.TextWrapWord
	s.rsvp = widget.NewLabel("")
	s.inviteRows = newCareRows()
	s.inviteBy = widget.NewRadioGroup([]string{lang.X("loyalty.invite.byTag", "Tag"), lang.X("loyalty.invite.bySegment", "Segment")},
		func(string) { s.fillTargets() })
	s.inviteBy.Horizontal = true
	s.inviteBy.Required = true
	s.inviteTarget = widget.NewSelect(nil, nil)
	s.inviteTarget.PlaceHolder = lang.X("loyalty.invite.pickTarget", "Pick tag or segment")
	s.channel = widget.NewSelect([]string{
		lang.X("loyalty.invite.byEmail", "by email"),
		lang.X("loyalty.invite.byPost", "by post"),
		lang.X("loyalty.invite.inPerson", "in person / by phone"),
	}, nil)
	s.channel.SetSelectedIndex(0)
	s.inviteBtn = widget.NewButtonWithIcon(lang.X("loyalty.invite.button", "Invite"), theme.MailSendIcon(), s.onInvite)
	s.inviteBtn.Importance = widget.HighImportance
	s.inviteResult = widget.NewLabel("")
	s.inviteResult.Wrapping = fyne.TextWrapWord

	s.yearTotal = widget.NewLabel("")
	s.yearTotal.Wrapping = fyne.TextWrapWord
	s.yearRows = newCareRows()
	s.attentionRows = newCareRows()
	s.charts = newLoyaltyCharts()
	return s
}

func (s *loyaltyScreen) build() fyne.CanvasObject {
	if s.unsub == nil {
		s.unsub = s.e.svc.Subscribe(func([]model.Change) { s.refresh() })
	}
	gestures := container.NewBorder(
		container.NewBorder(nil, nil, nil, s.gestureCount, container.NewGridWithColumns(2, s.kindFilter, s.statusFilter)),
		nil, nil, nil, container.NewStack(s.gestureRows.list, s.gestureEmpty.box))

	newEvent := widget.NewButtonWithIcon(lang.X("loyalty.events.new", "New event"), theme.ContentAddIcon(), s.onNewEvent)
	editEvent := widget.NewButtonWithIcon(lang.X("loyalty.events.edit", "Change event"), theme.DocumentCreateIcon(), s.onEditEvent)
	invite := container.NewVBox(
		widget.NewLabelWithStyle(lang.X("loyalty.invite.title", "Invite a whole tag or segment"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.inviteBy, s.inviteTarget, s.channel, s.inviteBtn, s.inviteResult)
	s.eventPane = container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, nil, editEvent, s.eventTitle), s.eventInfo, s.rsvp),
		invite, nil, nil, s.inviteRows.list)
	s.eventPane.Hide()
	split := container.NewHSplit(container.NewBorder(newEvent, nil, nil, nil, container.NewStack(s.eventRows.list, s.eventEmpty.box)), s.eventPane)
	split.Offset = 0.35

	year := container.NewBorder(s.yearTotal, nil, nil, nil, container.NewStack(s.yearRows.list, s.yearEmpty.box))
	explain := widget.NewLabel(lang.X("loyalty.attention.explain",
		"Do small customers get the same care? Customers per segment, average days since the last contact, gestures per customer."))
	explain.Wrapping = fyne.TextWrapWord // a long line would widen the window past a small screen
	attention := container.NewBorder(explain, nil, nil, nil, s.attentionSplit())

	s.tabs = container.NewAppTabs(
		container.NewTabItem(lang.X("loyalty.tab.gestures", "Gestures"), gestures),
		container.NewTabItem(lang.X("loyalty.tab.events", "Events"), split),
		container.NewTabItem(lang.X("loyalty.tab.year", "Who got what this year"), year),
		container.NewTabItem(lang.X("loyalty.tab.attention", "Attention by segment"), attention),
	)
	s.refresh()
	return container.NewBorder(s.progress.box, nil, nil, nil, s.tabs)
}

func (s *loyaltyScreen) refresh() { s.loader.start() }

func (s *loyaltyScreen) setBusy(on bool) { s.progress.set(on) }

func (s *loyaltyScreen) onFilter() {
	var kinds []model.GestureKind
	var statuses []model.GestureStatus
	if i := s.kindFilter.SelectedIndex(); i > 0 {
		kinds = []model.GestureKind{model.GestureKinds[i-1]}
	}
	if i := s.statusFilter.SelectedIndex(); i > 0 {
		statuses = []model.GestureStatus{model.GestureStatuses[i-1]}
	}
	s.mu.Lock()
	s.kinds, s.statuses = kinds, statuses
	s.mu.Unlock()
	s.refresh()
}

// load reads everything the tabs show; it runs off the UI thread.
func (s *loyaltyScreen) load() func() {
	s.mu.Lock()
	kinds, statuses, eventID := s.kinds, s.statuses, s.eventID
	s.mu.Unlock()
	d, err := s.collect(kinds, statuses, eventID)
	return func() {
		if err != nil {
			s.e.showError(err)
			return
		}
		s.apply(d)
	}
}

func (s *loyaltyScreen) collect(kinds []model.GestureKind, statuses []model.GestureStatus, eventID model.ID) (loyaltyData, error) {
	_, loc := careZone(s.e.settings().TimeZone)
	d := loyaltyData{now: s.e.now().In(loc)}
	var err error
	if d.gestures, err = s.e.svc.Gestures(model.GestureFilter{Kinds: kinds, Statuses: statuses, Limit: loyaltyMaxList + 1}); err != nil {
		return d, err
	}
	if len(d.gestures) > loyaltyMaxList {
		d.gestures, d.more = d.gestures[:loyaltyMaxList], true
	}
	if d.events, err = s.e.svc.Events(); err != nil {
		return d, err
	}
	if eventID != model.NilID {
		for i := range d.events {
			if d.events[i].ID == eventID {
				d.event = &d.events[i]
			}
		}
		if d.event != nil {
			if d.invites, err = s.e.svc.Gestures(model.GestureFilter{EventID: eventID, Kinds: []model.GestureKind{model.GestureInvite}}); err != nil {
				return d, err
			}
		}
	}
	from := time.Date(d.now.Year(), 1, 1, 0, 0, 0, 0, loc)
	thisYear, err := s.e.svc.Gestures(model.GestureFilter{From: from, To: from.AddDate(1, 0, 0)})
	if err != nil {
		return d, err
	}
	year, total := loyaltyByCustomer(thisYear, s.e.svc.Directory())
	// The rows are all the list needs; the per-customer sums (two maps for
	// each of thousands of customers) are not kept.
	d.yearRows = make([]careRowData, len(year))
	for i, r := range year {
		d.yearRows[i] = careRowData{title: r.name + " · " + lang.XN("loyalty.year.gestures", "{{.Count}} gestures", r.totals.count, map[string]any{"Count": formatCount(r.totals.count)}),
			detail: strings.Join(r.titles, ", ") + " · " + loyaltyTotalsText(&r.totals), open: s.opener(r.customer)}
	}
	d.yearText = lang.X("loyalty.year.total", "{{.Year}}: {{.Count}} gestures for {{.Customers}} customers · {{.Totals}}",
		map[string]any{"Year": d.now.Year(), "Count": formatCount(total.count), "Customers": formatCount(len(year)), "Totals": loyaltyTotalsText(&total)})
	d.attention = loyaltyAttentionBySegment(s.e.svc.Directory().Search(model.Query{Now: d.now}), d.now)
	d.monthly, err = collectMonthly(s.e.svc, d.attention, d.now)
	return d, err
}

// loyaltyByCustomer groups gestures by customer, most gestures first.
func loyaltyByCustomer(gs []model.Gesture, dir model.Directory) ([]loyaltyYearRow, loyaltyTotals) {
	byID := map[model.ID]*loyaltyYearRow{}
	var total loyaltyTotals
	var rows []*loyaltyYearRow
	for i := range gs {
		g := &gs[i]
		r := byID[g.CustomerID]
		if r == nil {
			r = &loyaltyYearRow{customer: g.CustomerID, name: lang.X("loyalty.unknownCustomer", "(deleted customer)")}
			if c, ok := dir.Summary(g.CustomerID); ok {
				r.name = c.Name
			}
			byID[g.CustomerID] = r
			rows = append(rows, r)
		}
		r.titles = append(r.titles, g.Title)
		r.totals.add(g)
		total.add(g)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].totals.count != rows[j].totals.count {
			return rows[i].totals.count > rows[j].totals.count
		}
		return rows[i].name < rows[j].name
	})
	out := make([]loyaltyYearRow, len(rows))
	for i, r := range rows {
		out[i] = *r
	}
	return out, total
}

// loyaltyAttentionBySegment compares the built-in segments (always shown,
// so an empty "small" segment is visible too) and any user-defined ones.
func loyaltyAttentionBySegment(all model.Hits, now time.Time) []loyaltyAttention {
	idx := map[string]int{}
	var out []loyaltyAttention
	for _, seg := range []string{model.SegmentKey, model.SegmentRegular, model.SegmentSmall} {
		idx[seg] = len(out)
		out = append(out, loyaltyAttention{segment: seg})
	}
	sumDays := map[string]float64{}
	gestures, notes := map[string]int{}, map[string]int{}
	var c model.CustomerSummary // one for all, filled per customer
	for _, h := range all {
		h.Fill(&c)
		seg := c.Segment
		i, ok := idx[seg]
		if !ok {
			i = len(out)
			idx[seg] = i
			out = append(out, loyaltyAttention{segment: seg})
		}
		a := &out[i]
		a.customers++
		gestures[seg] += c.Stats.Gestures
		notes[seg] += c.Stats.Notes
		if !c.LastContact.IsZero() {
			a.contacted++
			sumDays[seg] += now.Sub(c.LastContact).Hours() / 24
		}
	}
	for i := range out {
		a := &out[i]
		if a.contacted > 0 {
			a.avgDays = sumDays[a.segment] / float64(a.contacted)
		}
		if a.customers > 0 {
			a.perCustomer = float64(gestures[a.segment]) / float64(a.customers)
			a.contactsPerCustomer = float64(notes[a.segment]) / float64(a.customers)
		}
	}
	// Built-ins first in their order, then user-defined ones by name, the
	// unsegmented last.
	sort.SliceStable(out[3:], func(i, j int) bool {
		a, b := out[3+i].segment, out[3+j].segment
		if (a == "") != (b == "") {
			return b == ""
		}
		return a < b
	})
	return out
}

func (s *loyaltyScreen) apply(d loyaltyData) {
	s.data = d
	dir := s.e.svc.Directory()
	name := func(id model.ID) string {
		if c, ok := dir.Summary(id); ok {
			return c.Name
		}
		return lang.X("loyalty.unknownCustomer", "(deleted customer)")
	}

	rows := make([]careRowData, len(d.gestures))
	for i := range d.gestures {
		g := d.gestures[i]
		rows[i] = careRowData{
			title:  g.Title + " · " + name(g.CustomerID),
			detail: loyaltyGestureDetail(&g),
			open:   s.opener(g.CustomerID),
			first:  &careAction{label: lang.X("loyalty.gestures.status", "Status…"), icon: theme.MediaSkipNextIcon(), run: func() { s.showStatusDialog(g) }},
			second: &careAction{label: lang.X("loyalty.gestures.edit", "Edit"), icon: theme.DocumentCreateIcon(), run: func() { showGestureForm(s.e, g.CustomerID, &g) }},
		}
	}
	s.gestureRows.set(rows)
	if d.more {
		s.gestureCount.SetText(lang.X("loyalty.gestures.countMore", "newest {{.Count}}; filter to see others", map[string]any{"Count": formatCount(len(rows))}))
	} else {
		s.gestureCount.SetText(lang.XN("loyalty.gestures.count", "{{.Count}} gestures", len(rows), map[string]any{"Count": formatCount(len(rows))}))
	}

	rows = make([]careRowData, len(d.events))
	for i := range d.events {
		ev := d.events[i]
		rows[i] = careRowData{title: ev.Name, detail: careFormatDateTime(ev.Start.In(model.LoadLocation(ev.TZ))) + " · " + ev.Place,
			open: func() { s.selectEvent(ev.ID) }}
	}
	s.eventRows.set(rows)
	s.applyEvent(d, name)

	s.yearRows.set(d.yearRows)
	s.showEmpty(d)
	s.yearTotal.SetText(d.yearText)

	rows = make([]careRowData, len(d.attention))
	for i, a := range d.attention {
		seg := segmentText(a.segment)
		if a.segment == "" {
			seg = lang.X("loyalty.attention.noSegment", "without segment")
		}
		days := lang.X("loyalty.attention.neverContacted", "no contact yet")
		if a.contacted > 0 {
			days = lang.X("loyalty.attention.avgDays", "{{.Days}} days since last contact on average", map[string]any{"Days": int(a.avgDays + 0.5)})
		}
		rows[i] = careRowData{
			title: seg + " · " + lang.XN("loyalty.attention.customers", "{{.Count}} customers", a.customers, map[string]any{"Count": formatCount(a.customers)}),
			detail: days + " · " + lang.X("loyalty.attention.perCustomer", "{{.Gestures}} gestures per customer",
				map[string]any{"Gestures": formatDecimal(a.perCustomer, 1)}),
		}
	}
	s.attentionRows.set(rows)
	s.charts.set(&d)
}

func (s *loyaltyScreen) applyEvent(d loyaltyData, name func(model.ID) string) {
	if d.event == nil {
		s.eventPane.Hide()
		return
	}
	ev := d.event
	s.eventPane.Show()
	s.eventTitle.SetText(ev.Name)
	info := careFormatDateTime(ev.Start.In(model.LoadLocation(ev.TZ)))
	if ev.Place != "" {
		info += " · " + ev.Place
	}
	if ev.Capacity > 0 {
		info += " · " + lang.X("loyalty.events.capacity", "{{.Capacity}} places", map[string]any{"Capacity": ev.Capacity})
	}
	s.eventInfo.SetText(info)
	r := model.CountRSVP(d.invites)
	s.rsvp.SetText(lang.X("loyalty.events.rsvp", "Invited {{.Invited}} · yes {{.Accepted}} · no {{.Declined}} · open {{.Pending}} · attended {{.Attended}}",
		map[string]any{"Invited": r.Invited, "Accepted": r.Accepted, "Declined": r.Declined, "Pending": r.Pending, "Attended": r.Attended}))
	if ev.Capacity > 0 && r.Accepted+r.Attended > ev.Capacity {
		s.rsvp.Importance = widget.DangerImportance
	} else {
		s.rsvp.Importance = widget.MediumImportance
	}
	s.rsvp.Refresh()
	rows := make([]careRowData, len(d.invites))
	for i := range d.invites {
		g := d.invites[i]
		rows[i] = careRowData{title: name(g.CustomerID), detail: gestureStatusText(g.Status), open: s.opener(g.CustomerID),
			first: &careAction{label: lang.X("loyalty.gestures.status", "Status…"), icon: theme.MediaSkipNextIcon(), run: func() { s.showStatusDialog(g) }}}
	}
	s.inviteRows.set(rows)
}

func loyaltyGestureDetail(g *model.Gesture) string {
	parts := []string{gestureKindText(g.Kind), gestureStatusText(g.Status)}
	if g.Percent != 0 {
		parts = append(parts, formatPercent(g.Percent))
	}
	if g.Amount != 0 {
		parts = append(parts, formatMoney(g.Amount, g.Currency))
	}
	if !g.ValidUntil.IsZero() {
		parts = append(parts, lang.X("today.expiring.until", "valid until {{.Date}}", map[string]any{"Date": formatDay(g.ValidUntil)}))
	}
	return strings.Join(parts, " · ")
}

func loyaltyTotalsText(t *loyaltyTotals) string {
	money := func(m map[string]int64) string {
		if len(m) == 0 {
			return formatMoney(0, "")
		}
		cur := make([]string, 0, len(m))
		for c := range m {
			cur = append(cur, c)
		}
		sort.Strings(cur)
		var out []string
		for _, c := range cur {
			out = append(out, formatMoney(m[c], c))
		}
		return strings.Join(out, " + ")
	}
	text := lang.X("loyalty.totals", "value {{.Value}}, cost {{.Cost}}", map[string]any{"Value": money(t.value), "Cost": money(t.cost)})
	if t.percen > 0 {
		text += " · " + lang.XN("loyalty.totals.discounts", "{{.Count}} percentage discounts", t.percen, map[string]any{"Count": formatCount(t.percen)})
	}
	return text
}

func (s *loyaltyScreen) opener(id model.ID) func() {
	return func() { s.e.openCustomer(id) }
}

// showStatusDialog offers the states g may move to (model.NextStatuses).
func (s *loyaltyScreen) showStatusDialog(g model.Gesture) {
	s.statusBtns = map[model.GestureStatus]*widget.Button{}
	box := container.NewVBox(widget.NewLabel(lang.X("loyalty.status.current", "Now: {{.Status}}",
		map[string]any{"Status": gestureStatusText(g.Status)})))
	for _, next := range model.NextStatuses(g.Status) {
		b := widget.NewButton(gestureStatusText(next), func() { s.onSetStatus(g, next) })
		s.statusBtns[next] = b
		box.Add(b)
	}
	s.statusDlg = dialog.NewCustom(lang.X("loyalty.status.title", "Change status of “{{.Title}}”", map[string]any{"Title": g.Title}),
		lang.X("loyalty.status.cancel", "Cancel"), box, s.e.win)
	s.statusDlg.Show()
}

func (s *loyaltyScreen) onSetStatus(g model.Gesture, st model.GestureStatus) {
	if s.statusDlg != nil {
		s.statusDlg.Hide()
	}
	if err := s.e.svc.SetGestureStatus(g.ID, st); err != nil {
		s.e.showError(err)
		return
	}
	rememberGestureStatus(s.e, &g, st)
}
