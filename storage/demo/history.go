package demo

import (
	"math"
	"slices"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// notes appends n visit notes of the customer being generated; with
// followUps and complaintFollowUp they make up its history.
func (g *gen) notes(b *model.Bulk, n int) {
	w := g.w
	g.complaint = g.complaint[:0]
	if n == 0 {
		return
	}
	// Contacts start the day after "customer since" and grow denser
	// towards today, so recent weeks look busy.
	first := g.custDay + 1
	span := float64(w.today - first + 1)
	at := g.at[:0]
	for range n {
		u := g.r.Float64()
		d := w.today - int(span*u*math.Sqrt(u))
		if wd := w.days[d].weekday; (wd == time.Saturday || wd == time.Sunday) && d-2 >= first && g.chance(0.85) {
			d -= 2 // most contacts happen on working days
		}
		at = append(at, g.officeBefore(d))
	}
	slices.Sort(at)
	g.at = at
	for _, s := range at {
		kind := noteKindTable[g.intn(len(noteKindTable))]
		imp := model.Neutral
		switch p := g.intn(100); {
		case kind == model.NoteComplaint:
			if p < 85 {
				imp = model.Negative
			}
		case kind == model.NoteFeedback:
			if p < 60 {
				imp = model.Positive
			}
		case p < 45:
			imp = model.Positive
		case p >= 90:
			imp = model.Negative
		}
		texts := noteTexts[kind][1]
		switch imp {
		case model.Positive:
			texts = noteTexts[kind][0]
		case model.Negative:
			texts = noteTexts[kind][2]
		}
		st := pick(g, staff)
		created := g.past(s + 300 + g.r.Int64N(3000))
		if created < s {
			created = s
		}
		if kind == model.NoteComplaint {
			g.complaint = append(g.complaint, len(b.Notes))
		}
		b.Notes = append(b.Notes, model.Note{
			Meta:       g.meta(created, created, st.device, st.name),
			CustomerID: g.cust.ID,
			At:         unix(s),
			Kind:       kind,
			Text:       pick(g, texts),
			Impression: imp,
			By:         st.name,
		})
	}
}

// Complaint fates. Most complaints are settled explicitly, by a done
// follow-up or, less often, an apology gesture; the rest close by a later
// good contact or stay open. The customer's newest complaint, the one the
// Today view may show, is settled by an apology more often, so the small
// set shows every way a complaint closes.
const (
	settleShare     = 0.47 // complaints settled by a follow-up or an apology
	apologyShare    = 0.25 // of those settled, by an apology
	lastApologyRate = 0.55 // the same for the newest complaint
)

// followUps makes n follow-ups for the current customer; gestures is the
// customer's gesture budget, which apologies for complaints come first in.
func (g *gen) followUps(b *model.Bulk, n, gestures int, notes []model.Note) {
	w := g.w
	g.apologies = g.apologies[:0]
	for k, ci := range g.complaint {
		if !g.chance(settleShare) {
			continue
		}
		share := apologyShare
		if k == len(g.complaint)-1 {
			share = lastApologyRate
		}
		if len(g.apologies) < gestures && (n == 0 || g.chance(share)) {
			g.apologies = append(g.apologies, ci)
		} else if n > 0 {
			n--
			g.complaintFollowUp(b, &b.Notes[ci])
		}
	}
	// Today shows a day's work, whatever the size of the set: a few
	// hundred open and overdue and a hundred or two due today in the large
	// set, still some in a small one.
	total := float64(w.fuCum[len(w.fuCum)-1])
	forgotten := 0.90 + max(0.0015, min(0.05, 30/total))
	dueToday := forgotten + max(0.0008, min(0.05, 30/total))
	for range n {
		st := pick(g, staff)
		f := model.FollowUp{CustomerID: g.cust.ID, TZ: Zone, Title: pick(g, followUpTitles), Status: model.FollowUpOpen, Assignee: st.name}
		var created int64
		var due int // day index
		settle := 0.0
		switch p := g.r.Float64(); {
		case p < 0.90 && (len(notes) > 0 || g.custDay < w.today-3): // planned after a contact, almost always done
			base := g.custSec
			if len(notes) > 0 {
				nt := &notes[g.intn(len(notes))]
				base = nt.At.Unix()
				if g.chance(0.6) {
					f.NoteID = nt.ID
				}
			}
			created = g.past(base + 600 + g.r.Int64N(4*3600))
			due = min(w.dayOf(created)+2+g.intn(29), len(w.days)-1)
			settle = 0.997
		case p < forgotten: // forgotten: open and overdue
			due = max(w.today-1-g.intn(20), g.custDay+1)
			created = max(g.custSec, w.days[due].start-int64(3+g.intn(28))*86400)
		case p < dueToday: // due today
			due = w.today
			created = max(g.custSec, g.past(w.nowSec-int64(1+g.intn(14))*86400))
		default: // planned, over the next half year
			due = w.today + 1 + g.intn(180)
			created = max(g.custSec, g.past(w.nowSec-g.r.Int64N(20*86400)))
		}
		g.schedule(&f, due, created, settle, st.device, st.name)
		b.FollowUps = append(b.FollowUps, f)
	}
}

// schedule sets the due time on day index due and Meta; a follow-up whose
// time has passed is settled (done, sometimes cancelled) with probability
// settle, otherwise it stays open and overdue.
func (g *gen) schedule(f *model.FollowUp, due int, created int64, settle float64, device, author string) {
	w := g.w
	var dueSec int64
	if g.chance(0.2) {
		f.AllDay = true
		dueSec = w.days[due].start
	} else {
		f.Duration = pick(g, []int{15, 30, 30, 45, 60, 90})
		dueSec = w.days[due].start + int64(8+g.intn(9))*3600 + int64(g.intn(4))*900
	}
	f.Due = unix(dueSec)
	f.Reminder = pick(g, []int{0, 15, 30, 30, 60, 1440})
	updated := created
	end := dueSec + 3600
	if f.AllDay {
		end = dueSec + 18*3600
	}
	// Follow-ups older than two months are settled in any case: nobody
	// keeps one open for years, and Today would drown in them.
	if end < w.nowSec && (g.chance(settle) || end < w.nowSec-60*86400) {
		f.Status = model.FollowUpDone
		if g.chance(0.08) {
			f.Status = model.FollowUpCancelled
		}
		done := g.moment(end, end+2*86400)
		f.DoneAt = unix(done)
		f.Sequence = 1
		updated = max(created, done)
	}
	f.Meta = g.meta(created, updated, device, author)
}

func (g *gen) complaintFollowUp(b *model.Bulk, n *model.Note) {
	st := pick(g, staff)
	f := model.FollowUp{
		CustomerID: g.cust.ID, TZ: Zone, Title: pick(g, complaintFollowUpTitles), Details: n.Text,
		Status: model.FollowUpOpen, NoteID: n.ID, Assignee: st.name,
	}
	created := g.past(n.At.Unix() + 600 + g.r.Int64N(2*3600))
	g.schedule(&f, g.w.dayOf(n.At.Unix())+1+g.intn(5), created, 1, st.device, st.name)
	if f.Status == model.FollowUpCancelled { // a complaint is settled, not dropped
		f.Status = model.FollowUpDone
	}
	b.FollowUps = append(b.FollowUps, f)
}
