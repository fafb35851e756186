package ical

import (
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// zoneUse is a time zone the calendar refers to and the span of instants it
// must describe correctly.
type zoneUse struct {
	name     string
	loc      *time.Location
	min, max time.Time
}

func (z *zoneUse) cover(t time.Time) {
	if z.min.IsZero() || t.Before(z.min) {
		z.min = t
	}
	if z.max.IsZero() || t.After(z.max) {
		z.max = t
	}
}

// transition is one change of a zone's offset (or name), read from Go's zone
// data with Time.ZoneBounds.
type transition struct {
	at      time.Time // UTC instant of the change
	from    int       // offset in seconds east of UTC before the change
	to      int       // offset after the change
	name    string    // abbreviation after the change, e.g. "CEST"
	dst     bool      // the new period is daylight saving time
	initial bool      // not a real change: the zone had this offset since ever
}

// onset is the wall-clock time of the change in the offset before it, as
// DTSTART of a VTIMEZONE observance is written (RFC 5545 §3.6.5).
func (t transition) onset() time.Time {
	return t.at.In(time.FixedZone("", t.from))
}

// transitions lists the offset in force at from (with the change that
// started it) and every change up to to.
func transitions(loc *time.Location, from, to time.Time) []transition {
	var out []transition
	at := from.In(loc)
	start, end := at.ZoneBounds()
	start = zoneStart(at, start)
	name, off := at.Zone()
	first := transition{to: off, name: name, dst: at.IsDST()}
	if start.IsZero() {
		// No change before: the observance needs some onset; one early
		// enough for every time we write will do.
		first.at = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Duration(off) * time.Second)
		first.from, first.initial = off, true
	} else {
		first.at = start.UTC()
		_, first.from = start.Add(-time.Second).In(loc).Zone()
	}
	out = append(out, first)
	prev := off
	end = zoneEnd(at, end)
	for !end.IsZero() && end.Before(to) {
		t := end.In(loc)
		name, off := t.Zone()
		out = append(out, transition{at: end.UTC(), from: prev, to: off, name: name, dst: t.IsDST()})
		prev = off
		_, end = t.ZoneBounds()
		end = zoneEnd(t, end)
	}
	return out
}

// zoneStart returns the instant at which t's zone took the offset,
// abbreviation and DST flag t has (zero if always), given start from
// t.ZoneBounds, skipping the year boundaries that slim zone data reports
// as starts (see zoneEnd).
func zoneStart(t, start time.Time) time.Time {
	name, off := t.Zone()
	dst := t.IsDST()
	for !start.IsZero() {
		b := start.Add(-time.Second).In(t.Location())
		if n, o := b.Zone(); n != name || o != off || b.IsDST() != dst {
			return start
		}
		s, _ := b.ZoneBounds()
		if !s.Before(start) {
			return start // no progress: keep what we have rather than loop
		}
		start = s
	}
	return start
}

// zoneEnd returns the next instant after t at which t's zone changes its
// offset, abbreviation or DST flag (zero if never), given end from
// t.ZoneBounds. ZoneBounds alone does not do: past a zone's last explicit
// transition, which with the slim zone data of time/tzdata and Go's
// zoneinfo.zip (all a Windows build has) is the 1990s for most zones, it
// ends a period at every UTC new year without a change, and on the last UTC
// day of a leap year it returns an end before t (go.dev/issue/81583), which
// made the loop above run forever.
func zoneEnd(t, end time.Time) time.Time {
	name, off := t.Zone()
	dst := t.IsDST()
	for !end.IsZero() {
		if !end.After(t) {
			// The bogus leap-year end: go on from the next UTC midnight
			// (the footer rules of real zones change nothing on Dec 31).
			u := t.UTC()
			end = time.Date(u.Year(), u.Month(), u.Day()+1, 0, 0, 0, 0, time.UTC)
		}
		t = end.In(t.Location())
		if n, o := t.Zone(); n != name || o != off || t.IsDST() != dst {
			return end
		}
		_, end = t.ZoneBounds()
	}
	return end
}

// observance is one STANDARD or DAYLIGHT component: a single onset, or a
// yearly rule (RRULE) that repeats it.
type observance struct {
	first  transition
	last   transition // equal to first for a single onset
	count  int
	month  time.Month
	day    time.Weekday
	ord    ordSet // the BYDAY ordinals every onset of the run satisfies
	open   bool   // the rule runs past the covered span: no UNTIL
	rruled bool
}

// ordSet holds the possible BYDAY ordinals of an onset day: its week of the
// month (1..5) and -1 when it is also the last such weekday of the month.
type ordSet struct {
	nth, last bool
	n         int
}

func ordinals(t time.Time) ordSet {
	daysInMonth := time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return ordSet{nth: true, n: (t.Day()-1)/7 + 1, last: t.Day()+7 > daysInMonth}
}

func (o ordSet) and(p ordSet) ordSet {
	return ordSet{nth: o.nth && p.nth && o.n == p.n, n: o.n, last: o.last && p.last}
}

func (o ordSet) empty() bool { return !o.nth && !o.last }

// byday formats the ordinal and weekday, preferring "last" because real
// rules (last Sunday of March) are usually written that way.
func (o ordSet) byday(d time.Weekday) string {
	wd := [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}[d]
	if o.last {
		return "-1" + wd
	}
	return string(rune('0'+o.n)) + wd
}

// observances groups transitions into as few components as possible: a run
// of changes of the same kind, one a year on the same weekday rule and wall
// time, becomes one observance with an RRULE; anything irregular (a zone
// that changed its rules, fixed-date rules) stays a single onset, which is
// always correct.
func observances(ts []transition, to time.Time) []observance {
	var runs []*observance
	open := map[bool]*observance{} // the run each kind (dst or not) may extend
	for _, t := range ts {
		on := t.onset()
		r := open[t.dst]
		if r != nil && !t.initial && !r.first.initial && r.first.from == t.from && r.first.to == t.to &&
			r.first.name == t.name && r.last.onset().Year()+1 == on.Year() && r.month == on.Month() &&
			r.day == on.Weekday() && sameClock(r.last.onset(), on) && !r.ord.and(ordinals(on)).empty() {
			r.ord = r.ord.and(ordinals(on))
			r.last = t
			r.count++
			continue
		}
		r = &observance{first: t, last: t, count: 1, month: on.Month(), day: on.Weekday(), ord: ordinals(on)}
		runs = append(runs, r)
		open[t.dst] = r
	}
	out := make([]observance, 0, len(runs))
	for _, r := range runs {
		r.rruled = r.count > 1
		out = append(out, *r)
	}
	// A rule whose last onset falls in the final covered year is taken to go
	// on (as Go's zone data extends the current rule): leaving out UNTIL
	// matches what calendar programs themselves write.
	if len(ts) > 0 {
		finalYear := to.Year()
		for i := range out {
			if out[i].rruled && out[i].last.onset().Year() >= finalYear-1 && isLastOfKind(out, i) {
				out[i].open = true
			}
		}
	}
	return out
}

func isLastOfKind(obs []observance, i int) bool {
	for j := i + 1; j < len(obs); j++ {
		if obs[j].first.dst == obs[i].first.dst {
			return false
		}
	}
	return true
}

func sameClock(a, b time.Time) bool {
	return a.Hour() == b.Hour() && a.Minute() == b.Minute() && a.Second() == b.Second()
}

// writeVTimezone writes a complete VTIMEZONE for the zone, correct for every
// instant in [z.min, z.max]: the observance in force at the start and every
// change up to the end, derived from Go's zone data.
func writeVTimezone(l *lineWriter, z *zoneUse) {
	// One year more than needed at the start, so even a calendar within a
	// single year gets the usual pair of yearly rules (one change of each
	// kind a year would otherwise be two bare onsets), which is what
	// programs that match VTIMEZONEs to their own zones (Outlook) expect.
	from := time.Date(z.min.In(z.loc).Year()-1, 1, 1, 0, 0, 0, 0, z.loc)
	to := time.Date(z.max.In(z.loc).Year()+1, 1, 1, 0, 0, 0, 0, z.loc)
	obs := observances(transitions(z.loc, from, to), to)
	l.prop("BEGIN", "VTIMEZONE")
	l.textProp("TZID", z.name)
	// Thunderbird and Evolution map the zone to their own data by this name.
	l.textProp("X-LIC-LOCATION", z.name)
	for _, o := range obs {
		kind := "STANDARD"
		if o.first.dst {
			kind = "DAYLIGHT"
		}
		l.prop("BEGIN", kind)
		l.begin("DTSTART")
		l.buf = append(l.buf, ':')
		l.buf = appendDateTime(l.buf, o.first.onset())
		l.flush()
		if o.rruled {
			l.begin("RRULE")
			l.buf = append(l.buf, ":FREQ=YEARLY;BYMONTH="...)
			l.buf = appendInt(l.buf, int(o.month))
			l.buf = append(l.buf, ";BYDAY="...)
			l.buf = append(l.buf, o.ord.byday(o.day)...)
			if !o.open {
				// COUNT rather than UNTIL: both are exact here, but UNTIL
				// must be UTC in a VTIMEZONE while DTSTART is local, a mix
				// that python-dateutil (under python3-icalendar, khal)
				// refuses.
				l.buf = append(l.buf, ";COUNT="...)
				l.buf = appendInt(l.buf, o.count)
			}
			l.flush()
		}
		l.prop("TZOFFSETFROM", offset(o.first.from))
		l.prop("TZOFFSETTO", offset(o.first.to))
		if o.first.name != "" {
			l.textProp("TZNAME", o.first.name)
		}
		l.prop("END", kind)
	}
	l.prop("END", "VTIMEZONE")
}

// offset formats seconds east of UTC as +hhmm or +hhmmss (RFC 5545 §3.3.14).
func offset(sec int) string {
	b := []byte{'+'}
	if sec < 0 {
		b[0] = '-'
		sec = -sec
	}
	b = appendTwo(b, sec/3600)
	b = appendTwo(b, sec/60%60)
	if s := sec % 60; s != 0 {
		b = appendTwo(b, s)
	}
	return string(b)
}

func appendTwo(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// zoneSet collects the zones in use with the span of times each must
// cover; a zone Go does not know has a nil loc and is written as UTC.
type zoneSet map[string]*zoneUse

func (zones zoneSet) use(tz string, ts ...time.Time) {
	if isUTC(tz) {
		return
	}
	z := zones[tz]
	if z == nil {
		// Every zone is loaded once: LoadLocation reads the disk each call.
		// Validate rejects unknown zones; should one slip through, the
		// instant is still right when written in UTC.
		loc, err := time.LoadLocation(tz)
		if err != nil {
			loc = nil
		}
		z = &zoneUse{name: tz, loc: loc}
		zones[tz] = z
	}
	if z.loc == nil {
		return
	}
	for _, t := range ts {
		z.cover(t)
	}
}

// item checks a follow-up and notes its zone.
func (zones zoneSet) item(f *model.FollowUp) error {
	if f.ID == model.NilID {
		return model.Errorf(model.EINVALID, "follow-up %q has no ID", f.Title)
	}
	if f.Due.IsZero() {
		return model.Errorf(model.EINVALID, "follow-up %s has no due time", f.ID)
	}
	if f.AllDay {
		zones.use(f.TZ) // dates need the zone, but no VTIMEZONE
	} else {
		zones.use(f.TZ, f.Due, f.Due.Add(time.Duration(f.Duration)*time.Minute))
	}
	return nil
}

// event checks an event and notes its zone.
func (zones zoneSet) event(e *model.Event) error {
	if e.ID == model.NilID {
		return model.Errorf(model.EINVALID, "event %q has no ID", e.Name)
	}
	if e.Start.IsZero() {
		return model.Errorf(model.EINVALID, "event %s has no start", e.ID)
	}
	zones.use(e.TZ, e.Start, e.Start.Add(time.Duration(e.Duration)*time.Minute))
	return nil
}
