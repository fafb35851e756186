package demo

import (
	"github.com/kundenkartei/kundenkartei/model"
)

// gestureKindTable draws the kinds of gestures that are neither
// invitations nor apologies for a recorded complaint. It is walked with a
// stride by the gesture's global number, so even the 100 gestures of the
// small set show every kind.
var gestureKindTable = func() []model.GestureKind {
	weights := []struct {
		k model.GestureKind
		n int
	}{
		{model.GesturePriority, 10}, {model.GestureDiscount, 18}, {model.GestureGift, 20}, {model.GestureSpecial, 12},
		{model.GestureCustom, 7}, {model.GesturePartner, 8}, {model.GestureApology, 3}, {model.GestureThankYou, 16},
		{model.GestureOtherKind, 6},
	}
	var t []model.GestureKind
	for _, w := range weights {
		for range w.n {
			t = append(t, w.k)
		}
	}
	return t
}()

// inviteTitles are "Einladung: <event>", built once per event name.
var inviteTitles = func() map[string]string {
	m := map[string]string{}
	for _, t := range eventTemplates {
		m[t.name] = "Einladung: " + t.name
	}
	return m
}()

var discountDetails = map[int]string{
	5: "5 % auf die nächste Bestellung", 10: "10 % auf die nächste Bestellung",
	15: "15 % auf die nächste Bestellung", 20: "20 % auf die nächste Bestellung",
}

func (g *gen) gestures(b *model.Bulk, n int) {
	w := g.w
	ev := w.events
	evOff := 0
	if len(ev) > 0 {
		evOff = g.intn(len(ev))
	}
	invited := 0
	num := int(w.gestCum[g.custIdx]) // global number of the next gesture
	for k := 0; k < n; k, num = k+1, num+1 {
		st := pick(g, staff)
		gs := model.Gesture{CustomerID: g.cust.ID, Currency: g.currency}
		if k < len(g.apologies) {
			g.apology(&gs, &b.Notes[g.apologies[k]], st.device, st.name)
			b.Gestures = append(b.Gestures, gs)
			continue
		}
		if invited < len(ev) && g.chance(0.3) {
			e := &ev[(evOff+invited)%len(ev)]
			if e.Start.Unix() > g.custSec+86400 { // invited only to events after they became customers
				invited++
				g.invite(&gs, e, st.device, st.name)
				b.Gestures = append(b.Gestures, gs)
				continue
			}
		}
		g.gesture(&gs, gestureKindTable[num*37%len(gestureKindTable)], st.device, st.name)
		b.Gestures = append(b.Gestures, gs)
	}
}

// apology settles complaint n: created soon after it and reached the
// customer, so ComputeStats counts the complaint as closed.
func (g *gen) apology(gs *model.Gesture, n *model.Note, device, author string) {
	w := g.w
	at := n.At.Unix()
	day := min(w.dayOf(at)+g.intn(4), w.today)
	created := max(g.officeBefore(day), at+600) // never before the complaint it answers
	created = g.past(created)
	day = w.dayOf(created)
	gs.Kind = model.GestureApology
	gs.Title = pick(g, gestureTitles["apology"])
	gs.Occasion = model.OccasionComplaint
	gs.Details = n.Text
	gs.Amount = int64(pick(g, []int{3000, 5000, 5000, 10000}))
	gs.Cost = gs.Amount
	gs.ValidFrom = w.days[day].date
	gs.ValidUntil = w.days[day+90].date
	if created < w.nowSec-30*86400 {
		gs.Status = pick(g, []model.GestureStatus{model.GestureRedeemed, model.GestureRedeemed, model.GestureAccepted})
	} else {
		gs.Status = pick(g, []model.GestureStatus{model.GestureOffered, model.GestureOffered, model.GestureAccepted, model.GestureRedeemed})
	}
	g.status(gs, created, device, author)
}

// invite is an invitation to e whose status is the RSVP: answers and
// attendance for past events, pending answers for coming ones.
func (g *gen) invite(gs *model.Gesture, e *model.Event, device, author string) {
	w := g.w
	first := max(e.Created.Unix(), g.custSec+3600)
	created := g.moment(first, first+14*86400)
	start := e.Start.Unix()
	if created > start-3600 {
		created = start - 3600
	}
	gs.Kind = model.GestureInvite
	gs.Title = inviteTitles[e.Name]
	gs.Occasion = model.OccasionEvent
	gs.EventID = e.ID
	gs.Cost = int64(pick(g, []int{2500, 4500, 8000}))
	from, until := w.dayOf(created), w.dayOf(start)-7 // answer a week ahead
	gs.ValidFrom = w.days[from].date
	gs.ValidUntil = w.days[max(from, until)].date
	var s model.GestureStatus
	p := g.intn(100)
	if start < w.nowSec {
		switch {
		case p < 50:
			s = model.GestureRedeemed // attended
		case p < 70:
			s = model.GestureDeclined
		case p < 85:
			s = model.GestureAccepted // said yes, did not come
		default:
			s = model.GestureExpired // never answered
		}
	} else {
		switch {
		case p < 40:
			s = model.GestureOffered // waiting for the answer
		case p < 75:
			s = model.GestureAccepted
		case p < 90:
			s = model.GestureDeclined
		default:
			s = model.GestureIdea // on the guest list, not yet sent
		}
	}
	gs.Status = s
	g.status(gs, created, device, author)
}

// gesture fills a gesture of kind k: its value, validity and a status that
// fits the validity (a voucher that ran out was redeemed or expired). About
// one in twelve is offered and runs out within two weeks, for Today.
func (g *gen) gesture(gs *model.Gesture, k model.GestureKind, device, author string) {
	w := g.w
	gs.Kind = k
	gs.Title = pick(g, gestureTitles[string(k)])
	switch k {
	case model.GestureDiscount:
		gs.Percent = pick(g, []int{5, 10, 10, 15, 20})
		gs.Details = discountDetails[gs.Percent]
	case model.GesturePartner:
		gs.Percent = pick(g, []int{10, 15})
	case model.GestureGift:
		gs.Amount = int64(2000 + 500*g.intn(27))
		gs.Cost = gs.Amount * 8 / 10
		gs.Occasion = model.OccasionAnniversary
		if !g.cust.Birthday.IsZero() && g.chance(0.6) {
			gs.Occasion = model.OccasionBirthday
		}
	case model.GestureSpecial:
		gs.Amount = int64(8000 + 1000*g.intn(23))
		gs.Cost = gs.Amount / 2
	case model.GestureCustom:
		gs.Amount = int64(20000 + 5000*g.intn(17))
		gs.Cost = gs.Amount * 6 / 10
	case model.GestureThankYou:
		gs.Cost = int64(300 + 100*g.intn(6))
		gs.Occasion = model.OccasionThanks
	case model.GestureApology:
		gs.Amount, gs.Cost = 5000, 5000
		gs.Occasion = model.OccasionComplaint
	case model.GestureOtherKind:
		gs.Cost = int64(500 * g.intn(4))
	}

	first := max(g.custDay, w.today-3*365)
	var created int64
	var from, until int                           // day indexes; until < 0 means open-ended
	if g.chance(0.08) && g.custDay < w.today-30 { // runs out soon
		until = w.today + g.intn(15)
		from = max(first, until-30-g.intn(60))
		created = g.past(max(g.office(from), g.custSec))
		gs.Status = pick(g, []model.GestureStatus{model.GestureOffered, model.GestureOffered, model.GestureAccepted})
	} else {
		from = first + g.intn(w.today-first+1)
		created = g.past(max(g.office(from), g.custSec))
		until = -1
		if g.chance(0.8) {
			until = from + 30 + g.intn(336)
		}
		p := g.intn(100)
		switch {
		case until >= 0 && until < w.today:
			switch {
			case p < 50:
				gs.Status = model.GestureRedeemed
			case p < 80:
				gs.Status = model.GestureExpired
			default:
				gs.Status = model.GestureDeclined
			}
		case p < 20:
			gs.Status = model.GestureIdea
		case p < 60:
			gs.Status = model.GestureOffered
		case p < 85:
			gs.Status = model.GestureAccepted
		case p < 95:
			gs.Status = model.GestureRedeemed
		default:
			gs.Status = model.GestureDeclined
		}
	}
	gs.ValidFrom = w.days[from].date
	if until >= 0 {
		gs.ValidUntil = w.days[until].date
	}
	g.status(gs, created, device, author)
}

// status sets StatusChanged (a few days after creation unless still an
// idea) and Meta.
func (g *gen) status(gs *model.Gesture, created int64, device, author string) {
	changed := created
	if gs.Status != model.GestureIdea {
		changed = g.moment(created, created+20*86400)
	}
	gs.StatusChanged = unix(changed)
	gs.Meta = g.meta(created, changed, device, author)
}
