package app

import (
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// fairLeads returns the leads captured at fair today (in loc): customers
// carrying its tag created today, newest first. Without a fair there are
// none: the screen refuses to capture without one.
func fairLeads(dir model.Directory, fair string, now time.Time, loc *time.Location) []*model.CustomerSummary {
	if fair == "" {
		return nil
	}
	today := model.DateOf(now.In(loc))
	var out []*model.CustomerSummary
	var c model.CustomerSummary
	for _, h := range dir.Search(model.Query{Tag: fair}) {
		if h.Fill(&c); model.DateOf(c.Created.In(loc)) == today {
			out = append(out, h.Summary())
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out
}

// checkFair refuses an empty fair name: it tags every lead and titles its
// follow-up ("Follow up: <fair>"). It says so under the field.
func (s *fairScreen) checkFair() bool {
	if strings.TrimSpace(s.fair.Text) != "" {
		s.fairProblem.Hide()
		return true
	}
	s.fairProblem.SetText(lang.X("care2.fair.required",
		"Please enter the fair first, e.g. “Swissbau 2027”: it tags every lead and names its follow-up."))
	s.fairProblem.Show()
	s.e.win.Canvas().Focus(s.fair)
	return false
}

// buildLeadsHead is the title of the list of today's leads.
func (s *fairScreen) buildLeadsHead() fyne.CanvasObject {
	hint := widget.NewLabel(lang.X("care2.fair.leads.hint", "Click a lead to open and correct it."))
	hint.Importance = widget.LowImportance
	hint.Truncation = fyne.TextTruncateEllipsis // never widen the screen
	return container.NewBorder(nil, nil,
		widget.NewLabelWithStyle(lang.X("care2.fair.leads.title", "Captured today at this fair"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, hint)
}

// showLeads lists leads (newest first) with name, company and how to
// reach them; a click opens the customer to correct what was typed.
func (s *fairScreen) showLeads(leads []*model.CustomerSummary, loc *time.Location) {
	rows := make([]careRowData, len(leads))
	for i, c := range leads {
		id := c.ID
		title := c.Name
		if c.Company != "" && c.Company != c.Name {
			title += " · " + c.Company
		}
		rows[i] = careRowData{title: title, detail: joinNonEmpty(c.Created.In(loc).Format("15:04"), c.Email, c.Phone),
			open: func() { s.e.openCustomer(id) }}
	}
	s.leads.set(rows)
	s.leadsHint.Hidden = len(rows) > 0
	s.leadsHint.Refresh()
}
