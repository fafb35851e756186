package model

import (
	"strings"
	"time"
)

// GestureKind is the kind of a loyalty gesture.
type GestureKind string

// The gesture kinds.
const (
	GesturePriority  GestureKind = "priority" // priority access, pre-purchase right
	GestureDiscount  GestureKind = "discount" // loyalty discount
	GestureInvite    GestureKind = "invite"   // event invitation; Status is the RSVP
	GestureGift      GestureKind = "gift"     // gift or goodie
	GestureSpecial   GestureKind = "service"  // special service
	GestureCustom    GestureKind = "custom"   // custom work
	GesturePartner   GestureKind = "partner"  // partner offer
	GestureApology   GestureKind = "apology"  // apology after a complaint
	GestureThankYou  GestureKind = "thankyou" // thank-you note or card
	GestureOtherKind GestureKind = "other"
)

// GestureKinds lists the gesture kinds in display order.
var GestureKinds = []GestureKind{GesturePriority, GestureDiscount, GestureInvite, GestureGift, GestureSpecial,
	GestureCustom, GesturePartner, GestureApology, GestureThankYou, GestureOtherKind}

// GestureStatus is the lifecycle state of a gesture:
// idea → offered → accepted → redeemed, or declined, or expired.
type GestureStatus string

// The gesture states.
const (
	GestureIdea     GestureStatus = "idea"
	GestureOffered  GestureStatus = "offered"
	GestureAccepted GestureStatus = "accepted" // for invitations: RSVP yes
	GestureRedeemed GestureStatus = "redeemed" // for invitations: attended
	GestureDeclined GestureStatus = "declined" // for invitations: RSVP no
	GestureExpired  GestureStatus = "expired"
)

// GestureStatuses lists the states in lifecycle order.
var GestureStatuses = []GestureStatus{GestureIdea, GestureOffered, GestureAccepted, GestureRedeemed, GestureDeclined, GestureExpired}

// gestureNext lists the allowed transitions, each in lifecycle order
// (GestureStatuses), the order in which the GUI offers them.
var gestureNext = map[GestureStatus][]GestureStatus{
	GestureIdea:     {GestureOffered, GestureDeclined, GestureExpired},
	GestureOffered:  {GestureIdea, GestureAccepted, GestureRedeemed, GestureDeclined, GestureExpired},
	GestureAccepted: {GestureOffered, GestureRedeemed, GestureDeclined, GestureExpired},
	GestureRedeemed: {GestureAccepted},
	GestureDeclined: {GestureOffered, GestureAccepted},
	GestureExpired:  {GestureOffered},
}

// CanMove reports whether a gesture may go from one state to another.
func CanMove(from, to GestureStatus) bool {
	for _, s := range gestureNext[from] {
		if s == to {
			return true
		}
	}
	return false
}

// NextStatuses returns the states a gesture may move to from s, in
// lifecycle order.
func NextStatuses(s GestureStatus) []GestureStatus { return gestureNext[s] }

// Occasions for gestures. Free text is allowed too.
const (
	OccasionBirthday    = "birthday"
	OccasionAnniversary = "anniversary"
	OccasionComplaint   = "complaint"
	OccasionEvent       = "event"
	OccasionThanks      = "thanks"
)

// Occasions lists the built-in occasions.
var Occasions = []string{OccasionBirthday, OccasionAnniversary, OccasionComplaint, OccasionEvent, OccasionThanks}

// Gesture is a small act of attention for a customer.
type Gesture struct {
	Meta
	CustomerID    ID            `json:"customer_id"`
	Kind          GestureKind   `json:"kind"`
	Title         string        `json:"title"`
	Percent       int           `json:"percent"`        // discount in whole percent, 0 when none
	Amount        int64         `json:"amount"`         // value in minor units (Rappen/Cent), 0 when none
	Cost          int64         `json:"cost"`           // cost to the business in minor units
	Currency      string        `json:"currency"`       // ISO 4217 for Amount and Cost, e.g. "CHF"
	ValidFrom     Date          `json:"valid_from"`     // inclusive, zero when open
	ValidUntil    Date          `json:"valid_until"`    // inclusive, zero when open
	Status        GestureStatus `json:"status"`         // see GestureStatuses
	StatusChanged time.Time     `json:"status_changed"` // UTC
	Occasion      string        `json:"occasion"`       // see Occasions, or free text
	EventID       ID            `json:"event_id"`       // for invitations
	Details       string        `json:"details"`
}

// Normalize trims text and fills defaults.
func (g *Gesture) Normalize() {
	g.Title = strings.TrimSpace(g.Title)
	g.Details = strings.TrimSpace(g.Details)
	g.Currency = strings.ToUpper(strings.TrimSpace(g.Currency))
	if g.Status == "" {
		g.Status = GestureIdea
	}
}

// Validate checks the gesture.
func (g *Gesture) Validate() error {
	var v validator
	if g.CustomerID == NilID {
		v.add("customer_id", "validation.customer_required", "a gesture belongs to a customer")
	}
	if !validGestureKind(g.Kind) {
		v.add("kind", "validation.gesture_kind", "unknown gesture kind %q", g.Kind)
	}
	if g.Title == "" {
		v.add("title", "validation.title_required", "a gesture needs a title")
	}
	if g.Percent < 0 || g.Percent > 100 {
		v.add("percent", "validation.percent", "percent must be between 0 and 100")
	}
	if g.Amount < 0 {
		v.add("amount", "validation.amount", "amount must not be negative")
	}
	if g.Cost < 0 {
		v.add("cost", "validation.amount", "cost must not be negative")
	}
	if (g.Amount != 0 || g.Cost != 0) && len(g.Currency) != 3 {
		v.add("currency", "validation.currency", "an amount needs a three-letter currency")
	}
	if !g.ValidFrom.Valid() || (!g.ValidFrom.IsZero() && !g.ValidFrom.HasYear()) {
		v.add("valid_from", "validation.date", "invalid date")
	}
	if !g.ValidUntil.Valid() || (!g.ValidUntil.IsZero() && !g.ValidUntil.HasYear()) {
		v.add("valid_until", "validation.date", "invalid date")
	}
	if g.ValidFrom.HasYear() && g.ValidUntil.HasYear() && g.ValidFrom.Valid() && g.ValidUntil.Valid() &&
		g.ValidUntil.Time(0, time.UTC).Before(g.ValidFrom.Time(0, time.UTC)) {
		v.add("valid_until", "validation.until_before_from", "valid until is before valid from")
	}
	if !validGestureStatus(g.Status) {
		v.add("status", "validation.status", "unknown status %q", g.Status)
	}
	if g.Kind == GestureInvite && g.EventID == NilID {
		v.add("event_id", "validation.event_required", "an invitation needs an event")
	}
	return v.err("gesture")
}

// ExpiresWithin reports whether a gesture not yet redeemed, declined or expired (an idea, offered or accepted) has a validity that
// ends within the next days days after today (inclusive).
func (g *Gesture) ExpiresWithin(today Date, days int) bool {
	if g.ValidUntil.IsZero() || (g.Status != GestureOffered && g.Status != GestureAccepted && g.Status != GestureIdea) {
		return false
	}
	t := today.Time(0, time.UTC)
	u := g.ValidUntil.Time(0, time.UTC)
	return !u.Before(t) && !u.After(t.AddDate(0, 0, days))
}

func validGestureKind(k GestureKind) bool {
	for _, x := range GestureKinds {
		if x == k {
			return true
		}
	}
	return false
}

func validGestureStatus(s GestureStatus) bool {
	_, ok := gestureNext[s]
	return ok
}

// Event is something customers are invited to; its invitations are gestures
// of kind GestureInvite whose status is the RSVP.
type Event struct {
	Meta
	Name     string    `json:"name"`
	Start    time.Time `json:"start"`    // UTC
	TZ       string    `json:"tz"`       // IANA zone it was planned in
	Duration int       `json:"duration"` // minutes
	Place    string    `json:"place"`
	Capacity int       `json:"capacity"` // 0 means unlimited
	Details  string    `json:"details"`
}

// Normalize trims text.
func (e *Event) Normalize() {
	e.Name = strings.TrimSpace(e.Name)
	e.Place = strings.TrimSpace(e.Place)
	e.Details = strings.TrimSpace(e.Details)
	e.Start = e.Start.UTC()
}

// Validate checks the event.
func (e *Event) Validate() error {
	var v validator
	if e.Name == "" {
		v.add("name", "validation.name_required", "an event needs a name")
	}
	if e.Start.IsZero() {
		v.add("start", "validation.date_required", "an event needs a start")
	}
	if e.Capacity < 0 {
		v.add("capacity", "validation.capacity", "capacity must not be negative")
	}
	if e.Duration < 0 {
		v.add("duration", "validation.duration", "duration must not be negative")
	}
	if e.TZ != "" {
		if _, err := time.LoadLocation(e.TZ); err != nil {
			v.add("tz", "validation.tz", "unknown time zone %q", e.TZ)
		}
	}
	return v.err("event")
}

// RSVP counts the invitations of an event by status.
type RSVP struct {
	Invited, Accepted, Declined, Attended, Pending int
}

// CountRSVP counts invitations (gestures of kind GestureInvite) by state.
func CountRSVP(invites []Gesture) RSVP {
	var r RSVP
	for _, g := range invites {
		if g.Deleted || g.Kind != GestureInvite {
			continue
		}
		if g.Status == GestureIdea { // not sent yet
			continue
		}
		r.Invited++
		switch g.Status {
		case GestureAccepted:
			r.Accepted++
		case GestureRedeemed:
			r.Attended++
		case GestureDeclined:
			r.Declined++
		default:
			r.Pending++
		}
	}
	return r
}
