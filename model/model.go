// Package model is the domain of Kundenkartei: customers, visit notes,
// follow-ups, loyalty gestures and events, their validation and derived
// values, the change-log types that device sync exchanges, the error codes,
// and the service interfaces through which the GUI, the importers and the
// sync engine talk to storage.
//
// Nothing here imports Fyne or bbolt. Times are stored in UTC; a time zone
// name travels beside a time where the wall-clock time matters (follow-ups,
// events), so calendars show 09:00 in Zurich as 09:00 across DST changes.
package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ID identifies every record globally. IDs are UUIDv7, so they sort by
// creation time and never collide between devices that work offline.
type ID = uuid.UUID

// NilID is the zero ID, used for "no link".
var NilID = uuid.Nil

// NewID returns a fresh UUIDv7.
func NewID() ID { return uuid.Must(uuid.NewV7()) }

// ParseID parses the textual form of an ID and returns EINVALID on bad input.
func ParseID(s string) (ID, error) {
	id, err := uuid.Parse(strings.TrimSpace(s))
	if err != nil {
		return NilID, Errorf(EINVALID, "invalid id %q", s)
	}
	return id, nil
}

// Meta is carried by every record. Storage fills it; callers never set it by
// hand except ID, which they may choose before creating a record.
type Meta struct {
	ID      ID        `json:"id"`
	Created time.Time `json:"created"` // UTC, when the record was first created on any device
	Updated time.Time `json:"updated"` // UTC, wall time of the newest accepted change
	Device  string    `json:"device"`  // device ID that made the newest accepted change
	Author  string    `json:"author"`  // user name that made the newest accepted change
	Deleted bool      `json:"deleted"` // tombstone: hidden everywhere, kept for sync and undo
}

// RecordType names the kinds of records in the change log.
type RecordType string

// The record types.
const (
	TypeCustomer RecordType = "customer"
	TypeNote     RecordType = "note"
	TypeFollowUp RecordType = "followup"
	TypeGesture  RecordType = "gesture"
	TypeEvent    RecordType = "event"
)

// RecordTypes lists every record type in a fixed order.
var RecordTypes = []RecordType{TypeCustomer, TypeNote, TypeFollowUp, TypeGesture, TypeEvent}

// Date is a calendar date without time zone, e.g. a birthday. Year 0 means
// "year unknown" (vCard's --0415).
type Date struct {
	Year  int        // 0 when unknown
	Month time.Month // 1..12
	Day   int        // 1..31
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.Month == 0 && d.Day == 0 && d.Year == 0 }

// HasYear reports whether the year is known.
func (d Date) HasYear() bool { return d.Year != 0 }

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Valid reports whether d is a real calendar date (29 February is allowed
// when the year is unknown).
func (d Date) Valid() bool {
	if d.IsZero() {
		return true
	}
	if d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	y := d.Year
	if y == 0 {
		y = 2000 // a leap year, so 29 February is allowed
	}
	if y < 1 || y > 9999 {
		return false
	}
	return d.Day <= daysIn(d.Month, y)
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Time returns midnight of d in loc (year 0 is taken as the given fallback year).
func (d Date) Time(fallbackYear int, loc *time.Location) time.Time {
	y := d.Year
	if y == 0 {
		y = fallbackYear
	}
	day := d.Day
	if dm := daysIn(d.Month, y); day > dm { // 29 Feb in a non-leap year
		day = dm
	}
	return time.Date(y, d.Month, day, 0, 0, 0, 0, loc)
}

// String formats d as ISO 8601: 2026-04-15, or --04-15 without a year.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	if d.Year == 0 {
		return fmt.Sprintf("--%02d-%02d", int(d.Month), d.Day)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// ParseDate reads 2026-04-15, 20260415, --04-15, --0415 and German 15.04.2026 or 15.04.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	bad := func() error { return Errorf(EINVALID, "invalid date %q", s) } // only when needed: imports parse thousands
	var d Date
	var err error
	atoi := func(p string) int {
		if err != nil {
			return 0
		}
		if p == "" || strings.TrimLeft(p, "0123456789") != "" { // Atoi would take signs
			err = bad()
			return 0
		}
		var n int
		n, err = strconv.Atoi(p)
		return n
	}
	switch {
	case strings.Contains(s, "."): // 15.04.2026 or 15.04.
		parts := strings.Split(strings.TrimSuffix(s, "."), ".")
		if len(parts) < 2 || len(parts) > 3 {
			return Date{}, bad()
		}
		d.Day = atoi(parts[0])
		d.Month = time.Month(atoi(parts[1]))
		if len(parts) == 3 && parts[2] != "" {
			d.Year = atoi(parts[2])
			if d.Year < 100 && err == nil {
				return Date{}, bad()
			}
		}
	case strings.HasPrefix(s, "--"):
		p := strings.ReplaceAll(s[2:], "-", "")
		if len(p) != 4 {
			return Date{}, bad()
		}
		d.Month = time.Month(atoi(p[:2]))
		d.Day = atoi(p[2:])
	default:
		p := s
		if i := strings.IndexByte(p, 'T'); i >= 0 { // vCard may carry a time
			p = p[:i]
		}
		p = strings.ReplaceAll(p, "-", "")
		if len(p) != 8 {
			return Date{}, bad()
		}
		d.Year = atoi(p[:4])
		d.Month = time.Month(atoi(p[4:6]))
		d.Day = atoi(p[6:])
	}
	if err != nil || !d.Valid() || d.IsZero() {
		return Date{}, bad()
	}
	return d, nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
