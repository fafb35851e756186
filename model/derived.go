package model

import (
	"time"
)

// Stats are the values derived from a customer's notes, follow-ups and
// gestures. They are never entered by hand; storage recomputes them in the
// same transaction as every change to those records.
type Stats struct {
	LastContact    time.Time  `json:"last_contact"`    // UTC time of the newest note, zero when none
	LastImpression Impression `json:"last_impression"` // impression of the newest note
	LastComplaint  time.Time  `json:"last_complaint"`  // UTC time of the newest complaint note
	OpenComplaint  bool       `json:"open_complaint"`  // a complaint not yet closed (see ComputeStats)
	NextFollowUp   time.Time  `json:"next_follow_up"`  // UTC due time of the earliest open follow-up
	OpenFollowUps  int        `json:"open_follow_ups"` // number of open follow-ups
	Notes          int        `json:"notes"`           // number of live notes
	Gestures       int        `json:"gestures"`        // number of gestures that reached the customer (offered or later, not declined)
	LastGesture    time.Time  `json:"last_gesture"`    // UTC, creation of the newest such gesture
}

// ComputeStats derives Stats from a customer's records. Deleted and
// superseded notes do not count.
//
// A complaint is open until a follow-up is done at or after it, or
// an apology gesture created at or after it was offered, accepted or
// redeemed, or a resolution note records at or after it how it was
// settled, or a later note left a positive impression.
func ComputeStats(notes []Note, followUps []FollowUp, gestures []Gesture) Stats {
	var s Stats
	replaced := map[ID]bool{}
	for i := range notes {
		if !notes[i].Deleted && notes[i].Replaces != NilID {
			replaced[notes[i].Replaces] = true
		}
	}
	for i := range notes {
		n := &notes[i]
		if n.Deleted || replaced[n.ID] {
			continue
		}
		s.Notes++
		if n.At.After(s.LastContact) || s.LastContact.IsZero() {
			s.LastContact, s.LastImpression = n.At, n.Impression
		}
		if n.Kind == NoteComplaint && n.At.After(s.LastComplaint) {
			s.LastComplaint = n.At
		}
	}
	closed := s.LastComplaint.IsZero()
	for i := range notes {
		n := &notes[i]
		if !closed && !n.Deleted && !replaced[n.ID] && n.ClosesComplaint(s.LastComplaint) {
			closed = true
		}
	}
	for i := range followUps {
		f := &followUps[i]
		if f.Deleted {
			continue
		}
		if f.Status == FollowUpOpen {
			s.OpenFollowUps++
			if s.NextFollowUp.IsZero() || f.Due.Before(s.NextFollowUp) {
				s.NextFollowUp = f.Due
			}
		}
		if !closed && f.Status == FollowUpDone && !f.DoneAt.Before(s.LastComplaint) {
			closed = true
		}
	}
	for i := range gestures {
		g := &gestures[i]
		if g.Deleted {
			continue
		}
		reached := g.Status.Reached()
		if reached {
			s.Gestures++
			if g.Created.After(s.LastGesture) {
				s.LastGesture = g.Created
			}
		}
		if !closed && reached && g.Kind == GestureApology && !g.Created.Before(s.LastComplaint) {
			closed = true
		}
	}
	s.OpenComplaint = !closed
	return s
}

// NextDueContact returns when the customer is next due for contact by the
// rhythm: last contact (or, without any, customer-since or creation) plus
// rhythm days. Zero when there is no rhythm.
func NextDueContact(rhythmDays int, last, fallback time.Time) time.Time {
	if rhythmDays <= 0 {
		return time.Time{}
	}
	base := last
	if base.IsZero() {
		base = fallback
	}
	if base.IsZero() {
		return time.Time{}
	}
	return base.AddDate(0, 0, rhythmDays)
}

// Health says how the relationship stands relative to the rhythm.
type Health int

// The health levels.
const (
	HealthNone    Health = iota // no rhythm set
	HealthGood                  // less than 80 % of the rhythm has passed
	HealthDue                   // 80–100 % of the rhythm has passed
	HealthOverdue               // more than the rhythm has passed
)

// RelationshipHealth returns days since last contact divided by the rhythm
// (1.0 means exactly due) and its level.
func RelationshipHealth(rhythmDays int, last, fallback, now time.Time) (float64, Health) {
	if rhythmDays <= 0 {
		return 0, HealthNone
	}
	base := last
	if base.IsZero() {
		base = fallback
	}
	if base.IsZero() {
		return 1, HealthDue
	}
	ratio := now.Sub(base).Hours() / 24 / float64(rhythmDays)
	switch {
	case ratio > 1:
		return ratio, HealthOverdue
	case ratio >= 0.8:
		return ratio, HealthDue
	}
	return ratio, HealthGood
}

// CustomerSummary is what lists, search and the Today view need of a
// customer, kept in memory for all customers.
type CustomerSummary struct {
	ID          ID
	Kind        CustomerKind
	Name        string // display name
	SortName    string // folded sort key
	Company     string
	Email       string // primary
	Phone       string // primary, as typed
	City        string // of the primary address
	Segment     string
	Tags        []string
	RhythmDays  int
	Birthday    Date
	Since       Date
	Created     time.Time
	MailConsent bool // an active email consent
	PostBlocked bool // withdrew consent to advertising by post (and gave none since)
	Stats
}

// Summarize builds the summary of c with its stats at now.
func Summarize(c *Customer, st Stats, now time.Time) CustomerSummary {
	s := CustomerSummary{
		ID: c.ID, Kind: c.Kind, Name: c.DisplayName(), SortName: c.SortName(), Company: c.Company,
		Email: c.PrimaryEmail(), Phone: c.PrimaryPhone(), Segment: c.Segment, Tags: c.Tags,
		RhythmDays: c.RhythmDays, Birthday: c.Birthday, Since: c.Since, Created: c.Created,
		MailConsent: c.HasConsent(ChannelEmail, now), PostBlocked: c.Withdrew(ChannelPost, now), Stats: st,
	}
	if a := c.PrimaryAddress(); a != nil {
		s.City = a.City
	}
	return s
}

// sinceOrCreated is the fallback base of the contact rhythm.
func (s *CustomerSummary) sinceOrCreated() time.Time {
	if s.Since.HasYear() {
		return s.Since.Time(0, time.UTC)
	}
	return s.Created
}

// NextDue returns when the customer is next due for contact (zero without rhythm).
func (s *CustomerSummary) NextDue() time.Time {
	return NextDueContact(s.RhythmDays, s.LastContact, s.sinceOrCreated())
}

// Health returns the relationship health at now.
func (s *CustomerSummary) Health(now time.Time) (float64, Health) {
	return RelationshipHealth(s.RhythmDays, s.LastContact, s.sinceOrCreated(), now)
}

// DueForContact reports whether the customer is due or overdue at now.
func (s *CustomerSummary) DueForContact(now time.Time) bool {
	next := s.NextDue()
	return !next.IsZero() && !next.After(now)
}

// NextAnniversary returns the next occurrence of d on or after today (year
// of d ignored), and how many years it marks (0 when d has no year).
func NextAnniversary(d Date, today Date) (Date, int) {
	if d.IsZero() {
		return Date{}, 0
	}
	y := today.Year
	next := Date{Year: y, Month: d.Month, Day: d.Day}
	if next.Day > daysIn(next.Month, y) {
		next.Day = daysIn(next.Month, y)
	}
	if next.String() < today.String() {
		y++
		next = Date{Year: y, Month: d.Month, Day: d.Day}
		if next.Day > daysIn(next.Month, y) {
			next.Day = daysIn(next.Month, y)
		}
	}
	years := 0
	if d.HasYear() {
		years = y - d.Year
	}
	return next, years
}

// DaysBetween returns the whole days from a to b (negative when b is before a).
func DaysBetween(a, b Date) int {
	return int(b.Time(2000, time.UTC).Sub(a.Time(2000, time.UTC)).Hours() / 24)
}
