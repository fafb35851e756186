// Package ical exports follow-ups and events to iCalendar (RFC 5545) files
// that calendar programs import or subscribe to.
//
// The encoder writes the lines itself instead of going through
// github.com/arran4/golang-ical, because that library gets several details
// wrong that calendars trip over (LF line endings by default, UTC-only
// SetStartAt, empty VTIMEZONEs, backslash-escaped parameter values, CR left
// unescaped in text) and because writing directly keeps an export of ten
// thousand follow-ups well inside its time budget.
//
// Times are written as local wall-clock times with the follow-up's TZID and
// a complete VTIMEZONE built from Go's zone data, so a follow-up planned for
// 09:00 in Zurich shows at 09:00 in summer and in winter, and stays at 09:00
// Zurich time on a laptop travelling to another zone. Follow-ups without a
// zone are written in UTC.
//
// # Streaming
//
// An export reads its follow-ups from storage in batches of a few hundred,
// each in its own short read transaction (model.ExportService), and
// writes each event as it comes into a spool (memory, then a temporary
// file past 4 MB): the VTIMEZONEs go first in the file, and which zones
// and spans they must cover is known only after the last event. Memory
// therefore stays at one batch whatever the number of follow-ups. The
// automatic export (AutoExporter) streams into a temporary file beside its
// target while hashing the content without DTSTAMP, and renames it over
// the target only when the hash differs from the file's.
//
// # SEQUENCE and LAST-MODIFIED
//
// Calendars take a new version of an event only when its SEQUENCE rises
// (RFC 5546 §2.1.4), so SEQUENCE must rise whenever anything the event
// shows changes, whatever caused it: an edit of the follow-up, but also a
// renamed customer, a new phone, email or address, a revised note, a merge
// or its undo, none of which touch the follow-up record. And it must stay
// put when nothing shown changed (a memo edit), or calendars would churn.
//
// So each event carries a stamp (model.CalendarStamp): a fingerprint, the
// first 16 bytes of the SHA-256 of the event as written from DTSTART to
// END:VEVENT (every exported property but UID, CREATED, DTSTAMP, SEQUENCE
// and LAST-MODIFIED), with the SEQUENCE and LAST-MODIFIED written for it.
// Hashing the output itself, rather than listing the inputs, means a new
// property or a new cause cannot be forgotten. Storage keeps the stamps in
// a small device-local bucket, written only for follow-ups whose
// fingerprint changed (once for every follow-up on the first export). The
// rule (nextStamp): with no stamp yet, SEQUENCE is the follow-up's own
// Sequence and LAST-MODIFIED its Updated, which is what files written
// before stamps existed said; with the same fingerprint the stamp stays;
// with another, SEQUENCE becomes max(old+1, the follow-up's Sequence) and
// LAST-MODIFIED the newest Updated of follow-up, customer and note, or
// now when that is not later than the old one (a merge changes none of
// them), and at least one second later than before.
//
// Stamps are kept per profile, a hash of the translated words written
// into events: a German and an English file of the same follow-ups each
// count their own sequence, instead of raising each other's on every
// export. Stamps are never synced: each device counts for its own files,
// and on one device a file's SEQUENCE never goes backwards. The follow-up's
// own Sequence, which is synced, is a floor on every device, so edits of
// the follow-up raise every device's file alike; changes that come from the
// customer or the note are counted by each device as it sees them, so two
// devices' files of one follow-up can differ in SEQUENCE: subscribe a
// calendar to one device's file. A stamp is saved after the whole calendar
// is encoded, even if writing the file then fails: the next export of the
// same content keeps that sequence, so no number is ever reused for other
// content. Restoring an older backup brings older stamps back; the next
// change then counts on from the older stamp.
package ical

import (
	"bytes"
	"crypto/sha256"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// EventItem is one loyalty event to export, with its invitation counts.
type EventItem struct {
	Event model.Event
	RSVP  model.RSVP
}

// Labels are the translated words the DESCRIPTION uses. Empty fields fall
// back to English.
type Labels struct {
	Phone    string // "Phone"
	Email    string // "Email"
	Note     string // "Note"
	Invited  string // "Invited"
	Accepted string // "Accepted"
	Declined string // "Declined"
	Attended string // "Attended"
	Pending  string // "Pending"
}

// Options control an export. The zero value works; Now defaults to
// time.Now.
type Options struct {
	// Now is the clock for DTSTAMP; tests fix it so output is deterministic.
	Now func() time.Time
	// SummaryPrefix is the translated word before the customer's name in
	// SUMMARY, "Follow-up" when empty.
	SummaryPrefix string
	// ProdID identifies the program in PRODID.
	ProdID string
	// CalendarName, when set, names the calendar (X-WR-CALNAME) in programs
	// that subscribe to the file.
	CalendarName string
	// Labels are the translated words of the DESCRIPTION.
	Labels Labels
	// Debounce is how long an AutoExporter waits after a change for more
	// changes before it rewrites the file; 500 ms when zero.
	Debounce time.Duration
}

// DefaultProdID is written when Options.ProdID is empty.
const DefaultProdID = "-//Kundenkartei//Kundenkartei//EN"

// uidDomain makes UIDs globally unique the way RFC 5545 §3.8.4.7 suggests;
// the ID part is already unique, the suffix says who made it.
const uidDomain = "@kundenkartei"

func (o *Options) fill() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SummaryPrefix == "" {
		o.SummaryPrefix = "Follow-up"
	}
	if o.ProdID == "" {
		o.ProdID = DefaultProdID
	}
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&o.Labels.Phone, "Phone")
	def(&o.Labels.Email, "Email")
	def(&o.Labels.Note, "Note")
	def(&o.Labels.Invited, "Invited")
	def(&o.Labels.Accepted, "Accepted")
	def(&o.Labels.Declined, "Declined")
	def(&o.Labels.Attended, "Attended")
	def(&o.Labels.Pending, "Pending")
}

// UID returns the iCalendar UID of a follow-up or event: stable across
// exports, so calendars update the event they already have.
func UID(id model.ID) string { return id.String() + uidDomain }

// Encode writes one VCALENDAR with a VEVENT for every item and event, in the
// order given. It returns EINVALID when there is nothing to export or an
// item cannot be exported (no ID or no due time), before writing anything;
// write errors come back as EINTERNAL.
func Encode(w io.Writer, items []Item, events []EventItem, opt Options) error {
	_, err := encodeExport(w, Slice(items, events), opt, false)
	return err
}

// isUTC reports whether a zone name is written as UTC ("Z") times.
func isUTC(tz string) bool { return tz == "" || tz == "UTC" || tz == "Etc/UTC" }

// writeTimes writes DTSTART and DTEND of a timed entry: local time with TZID
// when the zone is described, UTC otherwise. No DTEND when minutes is 0: an
// event then ends when it starts (RFC 5545 §3.6.1), as a reminder-like
// follow-up should; an equal DTEND would be invalid.
func writeTimes(l *lineWriter, zones map[string]*zoneUse, tz string, start time.Time, minutes int) {
	end := start.Add(time.Duration(minutes) * time.Minute)
	if z := zones[tz]; z != nil && !z.min.IsZero() {
		l.local("DTSTART", z.name, start.In(z.loc))
		if minutes > 0 {
			l.local("DTEND", z.name, end.In(z.loc))
		}
		return
	}
	l.utc("DTSTART", start)
	if minutes > 0 {
		l.utc("DTEND", end)
	}
}

func writeMeta(l *lineWriter, id model.ID, created, modified time.Time, stamp string, seq int) {
	l.begin("UID")
	l.buf = append(l.buf, ':')
	l.buf = appendUUID(l.buf, id)
	l.buf = append(l.buf, uidDomain...)
	l.flush()
	l.prop("DTSTAMP", stamp)
	if !created.IsZero() {
		l.utc("CREATED", created)
	}
	if !modified.IsZero() {
		l.utc("LAST-MODIFIED", modified)
	}
	l.int("SEQUENCE", seq)
}

// customerText is what the export writes of a customer, escaped once: a
// customer usually has many follow-ups.
type customerText struct {
	name     string // for SUMMARY, unescaped
	contact  []byte // escaped DESCRIPTION block: name, phone, email
	location []byte // escaped LOCATION value, nil without address
}

// encoder holds what one export reuses from event to event.
type encoder struct {
	l         *lineWriter
	zones     zoneSet
	stamp     string
	now       time.Time // for stamps of changed follow-ups
	opt       *Options
	customers map[*model.Customer]*customerText
	summary   []byte       // escaped SUMMARY of the current follow-up
	body      bytes.Buffer // the current follow-up from DTSTART on
}

func (e *encoder) customer(c *model.Customer) *customerText {
	if ct := e.customers[c]; ct != nil {
		return ct
	}
	ct := &customerText{name: customerName(c)}
	phone, email := c.PrimaryPhone(), c.PrimaryEmail()
	// One allocation for the block; the label, ": " and the value are
	// escaped apart, which gives what escaping them joined gave: ": "
	// needs no escape and ends any CR LF pair or run of invalid UTF-8.
	b := make([]byte, 0, len(ct.name)+len(phone)+len(email)+len(e.opt.Labels.Phone)+len(e.opt.Labels.Email)+16)
	b = appendText(b, ct.name)
	for _, p := range [...]struct{ label, value string }{{e.opt.Labels.Phone, phone}, {e.opt.Labels.Email, email}} {
		if p.value != "" {
			b = append(b, `\n`...)
			b = appendText(b, p.label)
			b = append(b, ": "...)
			b = appendText(b, p.value)
		}
	}
	ct.contact = b
	if a := c.PrimaryAddress(); a != nil {
		ct.location = appendText([]byte{}, a.OneLine())
	}
	e.customers[c] = ct
	return ct
}

// followUp writes the VEVENT of a follow-up and returns its stamp, and
// whether that differs from the one it had. Everything from DTSTART on is
// written first to a buffer whose hash is the fingerprint of the stamp: so
// whatever changes the output, and nothing else, moves SEQUENCE.
func (e *encoder) followUp(it *Item) (model.CalendarStamp, bool) {
	l, f := e.l, &it.FollowUp
	out := l.w
	e.body.Reset()
	l.w = &e.body
	e.followUpBody(it)
	l.w = out
	sum := sha256.Sum256(e.body.Bytes())
	st, changed := nextStamp(it.Stamp, [16]byte(sum[:16]), it, e.now)
	l.prop("BEGIN", "VEVENT")
	writeMeta(l, f.ID, f.Created, st.Modified, e.stamp, st.Sequence)
	if _, err := out.Write(e.body.Bytes()); err != nil && l.err == nil {
		l.err = err
	}
	return st, changed
}

// followUpBody writes a follow-up's VEVENT from DTSTART to its end.
func (e *encoder) followUpBody(it *Item) {
	l, f := e.l, &it.FollowUp
	loc := time.UTC
	if z := e.zones[f.TZ]; z != nil && z.loc != nil {
		loc = z.loc
	}
	var ct *customerText
	if it.Customer != nil {
		ct = e.customer(it.Customer)
	}
	if f.AllDay {
		day := f.Due.In(loc)
		l.date("DTSTART", day)
		l.date("DTEND", day.AddDate(0, 0, 1))
	} else {
		writeTimes(l, e.zones, f.TZ, f.Due, f.Duration)
	}

	e.summary = e.summary[:0]
	if f.Status == model.FollowUpDone {
		e.summary = append(e.summary, "✓ "...)
	}
	e.summary = appendText(e.summary, e.opt.SummaryPrefix)
	e.summary = append(e.summary, ": "...)
	if ct != nil && ct.name != "" {
		e.summary = appendText(e.summary, ct.name)
		e.summary = append(e.summary, " – "...)
	}
	e.summary = appendText(e.summary, f.Title)
	l.begin("SUMMARY")
	l.buf = append(l.buf, ':')
	l.buf = append(l.buf, e.summary...)
	l.flush()

	// The follow-up's details, then how to reach the customer, then the
	// note that caused it: what one needs at hand when the reminder goes off.
	l.begin("DESCRIPTION")
	l.buf = append(l.buf, ':')
	empty := len(l.buf)
	para := func() {
		if len(l.buf) > empty {
			l.buf = append(l.buf, `\n\n`...)
		}
	}
	l.buf = appendText(l.buf, f.Details)
	if ct != nil {
		para()
		l.buf = append(l.buf, ct.contact...)
	}
	if n := it.Note; n != nil && n.Text != "" {
		para()
		l.buf = appendText(l.buf, e.opt.Labels.Note)
		if !n.At.IsZero() {
			l.buf = append(l.buf, ' ')
			l.buf = appendISODate(l.buf, n.At.In(loc))
		}
		l.buf = append(l.buf, `:\n`...)
		l.buf = appendText(l.buf, n.Text)
	}
	if len(l.buf) > empty {
		l.flush()
	} else {
		l.buf = l.buf[:0]
	}
	if ct != nil && ct.location != nil {
		l.begin("LOCATION")
		l.buf = append(l.buf, ':')
		l.buf = append(l.buf, ct.location...)
		l.flush()
	}
	switch f.Status {
	case model.FollowUpCancelled:
		// Calendars that already hold the event remove or strike it out.
		l.prop("STATUS", "CANCELLED")
	default:
		// CONFIRMED, not TENTATIVE: the user planned the follow-up; a
		// tentative event is drawn faded and reads as "maybe".
		l.prop("STATUS", "CONFIRMED")
	}
	if f.AllDay {
		// An all-day follow-up is a task for the day, not a meeting:
		// it must not block the whole day in free/busy views.
		l.prop("TRANSP", "TRANSPARENT")
	} else {
		l.prop("TRANSP", "OPAQUE")
	}
	// Only open follow-ups remind: a done or cancelled one must not nag.
	if f.Status == model.FollowUpOpen && f.Reminder > 0 {
		l.prop("BEGIN", "VALARM")
		l.prop("ACTION", "DISPLAY")
		// DISPLAY alarms require a DESCRIPTION (RFC 5545 §3.6.6).
		l.begin("DESCRIPTION")
		l.buf = append(l.buf, ':')
		l.buf = append(l.buf, e.summary...)
		l.flush()
		l.prop("TRIGGER", duration(-f.Reminder))
		l.prop("END", "VALARM")
	}
	l.prop("END", "VEVENT")
}

// customerName is the name in SUMMARY: a person's name with the company in
// brackets (field staff know people by their firm), or the company.
func customerName(c *model.Customer) string {
	name := c.DisplayName()
	if c.Kind == model.Person && c.Company != "" && name != c.Company {
		name += " (" + c.Company + ")"
	}
	return name
}

func writeEvent(l *lineWriter, it *EventItem, zones map[string]*zoneUse, stamp string, opt *Options, sb *strings.Builder) {
	e := &it.Event
	l.prop("BEGIN", "VEVENT")
	writeMeta(l, e.ID, e.Created, e.Updated, stamp, eventSequence(e))
	writeTimes(l, zones, e.TZ, e.Start, e.Duration)
	l.textProp("SUMMARY", e.Name)
	sb.Reset()
	sb.WriteString(e.Details)
	if r := it.RSVP; r.Invited > 0 {
		if sb.Len() > 0 {
			sb.WriteString("\n\n")
		}
		lb := &opt.Labels
		for i, p := range []struct {
			label string
			n     int
		}{{lb.Invited, r.Invited}, {lb.Accepted, r.Accepted}, {lb.Declined, r.Declined}, {lb.Attended, r.Attended}, {lb.Pending, r.Pending}} {
			if i > 0 {
				sb.WriteString("\n")
			}
			sb.WriteString(p.label + ": " + strconv.Itoa(p.n))
		}
	}
	if sb.Len() > 0 {
		l.textProp("DESCRIPTION", sb.String())
	}
	if e.Place != "" {
		l.textProp("LOCATION", e.Place)
	}
	l.prop("STATUS", "CONFIRMED")
	l.prop("TRANSP", "OPAQUE")
	l.prop("END", "VEVENT")
}

// eventSequence stands in for a sequence number events do not have yet
// (model.Event has no Sequence field): the seconds from creation to the last
// change. It grows with every change made later in time, which is all
// calendars need to take the newer version.
func eventSequence(e *model.Event) int {
	if e.Created.IsZero() || e.Updated.IsZero() || !e.Updated.After(e.Created) {
		return 0
	}
	return int(e.Updated.Sub(e.Created) / time.Second)
}
