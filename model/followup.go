package model

import (
	"strings"
	"time"
)

// FollowUpStatus is the state of a follow-up.
type FollowUpStatus string

// The follow-up states.
const (
	FollowUpOpen      FollowUpStatus = "open"
	FollowUpDone      FollowUpStatus = "done"
	FollowUpCancelled FollowUpStatus = "cancelled"
)

// FollowUp is an appointment to get back to a customer. It is exported to
// calendars as a VEVENT.
type FollowUp struct {
	Meta
	CustomerID ID             `json:"customer_id"`
	Due        time.Time      `json:"due"`      // UTC instant of the start; for all-day ones midnight of the day in TZ
	TZ         string         `json:"tz"`       // IANA zone it was planned in, e.g. "Europe/Zurich"; "" means UTC
	AllDay     bool           `json:"all_day"`  // only the date (in TZ) matters
	Duration   int            `json:"duration"` // minutes; ignored for all-day follow-ups
	Title      string         `json:"title"`
	Details    string         `json:"details"`
	Status     FollowUpStatus `json:"status"`
	Reminder   int            `json:"reminder"` // minutes before Due for the alarm; 0 means no alarm
	NoteID     ID             `json:"note_id"`  // the note that caused it, NilID for none
	Assignee   string         `json:"assignee"` // who takes care of it ("mine only" filter)
	DoneAt     time.Time      `json:"done_at"`  // UTC, when it was marked done or cancelled
	Sequence   int            `json:"sequence"` // raised by storage on every change; iCalendar SEQUENCE
}

// Location returns the time zone of the follow-up (UTC when unknown).
func (f *FollowUp) Location() *time.Location {
	return LoadLocation(f.TZ)
}

// LocalDue returns Due in the follow-up's own time zone.
func (f *FollowUp) LocalDue() time.Time { return f.Due.In(f.Location()) }

// DueDate returns the calendar day the follow-up is due on, in its zone.
func (f *FollowUp) DueDate() Date { return DateOf(f.LocalDue()) }

// Overdue reports whether an open follow-up is past due at now. All-day ones
// are overdue only from the next day on.
func (f *FollowUp) Overdue(now time.Time) bool {
	if f.Status != FollowUpOpen {
		return false
	}
	if f.AllDay {
		loc := f.Location()
		return f.DueDate().Time(0, loc).AddDate(0, 0, 1).Compare(now) <= 0
	}
	return f.Due.Before(now)
}

// DueToday reports whether an open follow-up is due on now's calendar day
// (in loc) and not yet overdue.
func (f *FollowUp) DueToday(now time.Time, loc *time.Location) bool {
	if f.Status != FollowUpOpen || f.Overdue(now) {
		return false
	}
	return DateOf(f.Due.In(loc)) == DateOf(now.In(loc)) || (f.AllDay && f.DueDate() == DateOf(now.In(loc)))
}

// Normalize trims text, fills defaults and puts Due to UTC.
func (f *FollowUp) Normalize() {
	f.Title = strings.TrimSpace(f.Title)
	f.Details = strings.TrimSpace(f.Details)
	if f.Status == "" {
		f.Status = FollowUpOpen
	}
	if f.AllDay && !f.Due.IsZero() {
		loc := f.Location()
		f.Due = DateOf(f.Due.In(loc)).Time(0, loc)
	}
	f.Due = f.Due.UTC()
}

// Validate checks the follow-up.
func (f *FollowUp) Validate() error {
	var v validator
	if f.CustomerID == NilID {
		v.add("customer_id", "validation.customer_required", "a follow-up belongs to a customer")
	}
	if f.Due.IsZero() {
		v.add("due", "validation.date_required", "a follow-up needs a due date")
	}
	if f.Title == "" {
		v.add("title", "validation.title_required", "a follow-up needs a title")
	}
	if f.TZ != "" {
		if _, err := time.LoadLocation(f.TZ); err != nil {
			v.add("tz", "validation.tz", "unknown time zone %q", f.TZ)
		}
	}
	if f.Duration < 0 || f.Duration > 7*24*60 {
		v.add("duration", "validation.duration", "duration must be between 0 and one week")
	}
	if f.Reminder < 0 || f.Reminder > 30*24*60 {
		v.add("reminder", "validation.reminder", "reminder must be between 0 and 30 days")
	}
	switch f.Status {
	case FollowUpOpen, FollowUpDone, FollowUpCancelled:
	default:
		v.add("status", "validation.status", "unknown status %q", f.Status)
	}
	return v.err("follow-up")
}

// LoadLocation returns the named zone, or UTC for "" or an unknown name.
func LoadLocation(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}
