package pdf

import (
	"io"
	"sort"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// Words are the customer sheet's fixed texts and formats in the reader's
// language.
type Words struct {
	Contact, Complaint, FollowUps, Gestures, Notes, Memo string // section headings
	NoFollowUps, NoGestures, NoNotes                     string // a section without entries
	Email, Phone, Address, Website, Birthday             string // contact rows
	Segment, Since, LastContact, Never                   string // the line under the name
	ValidUntil                                           string // before a gesture's last day
	Footer                                               string // e.g. "Printed on 7 Dec 2026 by Anna"
	More                                                 func(n int) string
	Percent                                              func(int) string
	Date                                                 func(time.Time) string
	DateTime                                             func(time.Time) string
	Day                                                  func(model.Date) string
	Money                                                func(minor int64, currency string) string
	NoteKind                                             func(model.NoteKind) string
	Impression                                           func(model.Impression) string
	GestureKind                                          func(model.GestureKind) string
	GestureStatus                                        func(model.GestureStatus) string
	Label                                                func(string) string
	Segments                                             func(string) string
}

// Sheet is what a customer sheet prints, chosen from a timeline.
type Sheet struct {
	Customer  model.Customer
	Stats     model.Stats
	Complaint *model.Note      // the open complaint, nil when none is open
	FollowUps []model.FollowUp // open ones, soonest first
	Gestures  []model.Gesture  // not yet over: ideas, offered, accepted, still valid
	Notes     []model.Note     // newest first
}

// sheetNotes is how many of the newest notes a sheet offers; those that do
// not fit the page are counted instead.
const sheetNotes = 8

// SheetOf chooses from tl what a visit needs, as of today (a date in the
// user's zone): the open complaint, the open follow-ups, the gestures not
// yet over and the newest notes.
func SheetOf(tl *model.Timeline, today model.Date) Sheet {
	s := Sheet{Customer: tl.Customer, Stats: tl.Stats}
	for i := range tl.Notes {
		n := tl.Notes[i]
		if n.Deleted {
			continue
		}
		if s.Stats.OpenComplaint && s.Complaint == nil && n.Kind == model.NoteComplaint && n.At.Equal(s.Stats.LastComplaint) {
			s.Complaint = &n
			continue // printed under its own heading
		}
		if len(s.Notes) < sheetNotes {
			s.Notes = append(s.Notes, n)
		}
	}
	for _, f := range tl.FollowUps {
		if !f.Deleted && f.Status == model.FollowUpOpen {
			s.FollowUps = append(s.FollowUps, f)
		}
	}
	sort.SliceStable(s.FollowUps, func(i, j int) bool { return s.FollowUps[i].Due.Before(s.FollowUps[j].Due) })
	for _, g := range tl.Gestures {
		live := g.Status == model.GestureIdea || g.Status == model.GestureOffered || g.Status == model.GestureAccepted
		over := !g.ValidUntil.IsZero() && g.ValidUntil.HasYear() && model.DaysBetween(today, g.ValidUntil) < 0
		if !g.Deleted && live && !over {
			s.Gestures = append(s.Gestures, g)
		}
	}
	return s
}

// sheetBottom is where the sheet's content must end: above the footer.
const sheetBottom = footerY - 4

// WriteSheet writes s as a one-page PDF. What does not fit the page is
// left out and counted ("3 more"), newest notes last to go.
func WriteSheet(w io.Writer, s *Sheet, words Words, printed time.Time) error {
	c := &s.Customer
	d := newDoc(c.DisplayName(), printed)
	d.f.SetAutoPageBreak(false, 0)
	d.bottom = sheetBottom
	d.f.AddPage()
	d.bold(18)
	d.f.CellFormat(textW, 9, c.DisplayName(), "", 1, "L", false, 0, "")
	d.regular(bodySize)
	var who []string
	for _, x := range []string{c.Position, c.Department, c.Company} {
		if x != "" && x != c.DisplayName() {
			who = append(who, x)
		}
	}
	if len(who) > 0 {
		d.f.CellFormat(textW, lineH+0.4, strings.Join(who, " · "), "", 1, "L", false, 0, "")
	}
	d.grey()
	d.f.CellFormat(textW, lineH+0.4, sheetFacts(s, words), "", 1, "L", false, 0, "")
	d.black()

	sheetContact(d, c, words)
	if s.Complaint != nil {
		d.heading(words.Complaint)
		d.entry(words.Date(s.Complaint.At)+" · "+words.NoteKind(s.Complaint.Kind)+sheetBy(s.Complaint.By), s.Complaint.Text, 6)
	}
	d.heading(words.FollowUps)
	items := make([]sheetItem, len(s.FollowUps))
	for i, f := range s.FollowUps {
		when := words.DateTime(f.Due.In(f.Location()))
		if f.AllDay {
			when = words.Date(f.Due.In(f.Location()))
		}
		items[i] = sheetItem{head: when + " · " + f.Title, body: f.Details, max: 2}
	}
	d.items(items, words.NoFollowUps, words)
	d.heading(words.Gestures)
	items = make([]sheetItem, len(s.Gestures))
	for i, g := range s.Gestures {
		items[i] = sheetItem{head: sheetGesture(&g, words), body: g.Details, max: 1}
	}
	d.items(items, words.NoGestures, words)
	if strings.TrimSpace(c.Memo) != "" {
		d.heading(words.Memo)
		d.entry("", c.Memo, 4)
	}
	d.heading(words.Notes)
	items = make([]sheetItem, len(s.Notes))
	for i, n := range s.Notes {
		head := words.Date(n.At) + " · " + words.NoteKind(n.Kind) + sheetBy(n.By)
		if n.Impression != "" {
			head += " · " + words.Impression(n.Impression)
		}
		items[i] = sheetItem{head: head, body: n.Text, max: 4}
	}
	d.items(items, words.NoNotes, words)
	d.footer(words.Footer)
	return d.output(w)
}

// sheetFacts is the line under the name: segment, since, last contact.
func sheetFacts(s *Sheet, words Words) string {
	var facts []string
	if s.Customer.Segment != "" {
		facts = append(facts, words.Segment+": "+words.Segments(s.Customer.Segment))
	}
	if !s.Customer.Since.IsZero() {
		facts = append(facts, words.Since+" "+words.Day(s.Customer.Since))
	}
	last := words.Never
	if !s.Stats.LastContact.IsZero() {
		last = words.Date(s.Stats.LastContact)
	}
	return strings.Join(append(facts, words.LastContact+": "+last), " · ")
}

func sheetBy(by string) string {
	if by == "" {
		return ""
	}
	return " · " + by
}

func sheetGesture(g *model.Gesture, words Words) string {
	parts := []string{g.Title, words.GestureKind(g.Kind), words.GestureStatus(g.Status)}
	if g.Percent != 0 {
		parts = append(parts, words.Percent(g.Percent))
	}
	if g.Amount != 0 {
		parts = append(parts, words.Money(g.Amount, g.Currency))
	}
	if !g.ValidUntil.IsZero() {
		parts = append(parts, words.ValidUntil+" "+words.Day(g.ValidUntil))
	}
	return strings.Join(parts, " · ")
}

// sheetContact writes the contact rows: label column, value column.
func sheetContact(d *doc, c *model.Customer, words Words) {
	type row struct{ label, value string }
	var rows []row
	for _, p := range c.Phones {
		rows = append(rows, row{words.Phone + sheetLabel(p.Label, words), p.Number})
	}
	for _, e := range c.Emails {
		rows = append(rows, row{words.Email + sheetLabel(e.Label, words), e.Address})
	}
	for _, a := range c.Addresses {
		rows = append(rows, row{words.Address + sheetLabel(a.Label, words), sheetAddress(&a)})
	}
	if c.Website != "" {
		rows = append(rows, row{words.Website, c.Website})
	}
	if !c.Birthday.IsZero() {
		rows = append(rows, row{words.Birthday, words.Day(c.Birthday)})
	}
	if len(rows) == 0 {
		return
	}
	d.heading(words.Contact)
	if d.full {
		return
	}
	const labelW = 42.0
	for _, r := range rows {
		d.regular(bodySize)
		lines := d.lines(r.value, textW-labelW, 4)
		if !d.fits(float64(len(lines)) * lineH) {
			return
		}
		d.grey()
		d.f.CellFormat(labelW, lineH, r.label, "", 0, "L", false, 0, "")
		d.black()
		for i, l := range lines {
			if i > 0 {
				d.f.SetX(margin + labelW)
			}
			d.f.CellFormat(textW-labelW, lineH, l, "", 1, "L", false, 0, "")
		}
	}
}

func sheetLabel(l string, words Words) string {
	if l == "" {
		return ""
	}
	return " (" + words.Label(l) + ")"
}

func sheetAddress(a *model.Address) string {
	var lines []string
	for _, x := range []string{a.Extended, a.Street, a.POBox} {
		if x != "" {
			lines = append(lines, x)
		}
	}
	town := strings.TrimSpace(a.PostalCode + " " + a.City)
	if a.Region != "" {
		town = strings.TrimSpace(town + ", " + a.Region)
	}
	for _, x := range []string{town, a.Country} {
		if x != "" {
			lines = append(lines, x)
		}
	}
	return strings.Join(lines, "\n")
}

// sheetItem is one entry of a section: a bold head and a wrapped body of
// at most max lines.
type sheetItem struct {
	head, body string
	max        int
}

// items writes a section's entries while they fit, then counts the rest.
func (d *doc) items(items []sheetItem, none string, words Words) {
	if d.full {
		return
	}
	if len(items) == 0 {
		d.note(none)
		return
	}
	for i, it := range items {
		if !d.entry(it.head, it.body, it.max) {
			d.note(words.More(len(items) - i))
			return
		}
	}
}

// entry writes a bold head line and the body's lines if all fit above the
// footer (keeping a line free for a "more" note); false when they do not.
func (d *doc) entry(head, body string, max int) bool {
	if d.full {
		return false
	}
	d.regular(bodySize)
	lines := d.lines(body, textW, max)
	n := len(lines)
	if head != "" {
		n++
	}
	if !d.fits(float64(n+1)*lineH + 1) {
		return false
	}
	if head != "" {
		d.bold(bodySize)
		d.f.CellFormat(textW, lineH, d.lines(head, textW, 1)[0], "", 1, "L", false, 0, "")
		d.regular(bodySize)
	}
	for _, l := range lines {
		d.f.CellFormat(textW, lineH, l, "", 1, "L", false, 0, "")
	}
	d.f.Ln(1)
	return true
}

// fits reports whether h millimetres still fit above the bottom of a
// one-page document (always on a flowing one).
func (d *doc) fits(h float64) bool { return d.bottom == 0 || d.f.GetY()+h <= d.bottom }
