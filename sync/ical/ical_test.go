package ical

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/kundenkartei/kundenkartei/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedNow is the clock of every golden test.
var fixedNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func fixedOptions() Options {
	return Options{Now: func() time.Time { return fixedNow }, CalendarName: "Kundenkartei – Follow-ups"}
}

func zurich(tb testing.TB, y int, m time.Month, d, hh, mm int) time.Time {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		tb.Fatal(err)
	}
	return time.Date(y, m, d, hh, mm, 0, 0, loc).UTC()
}

// fixture is a calendar with one of every case: a summer and a winter
// follow-up at 09:00 Zurich time, an all-day one on the day DST starts, a
// cancelled one in New York, a done one in UTC, and an event; with text
// that needs escaping and folding.
func fixture(tb testing.TB) ([]Item, []EventItem) {
	tb.Helper()
	created := time.Date(2026, 5, 2, 8, 30, 0, 0, time.UTC)
	mueller := &model.Customer{
		Meta: model.Meta{ID: uuid.MustParse("0190a000-0000-7000-8000-000000000001")},
		Kind: model.Company, Company: "Müller AG",
		Phones:    []model.Phone{{Label: "work", Number: "+41 44 123 45 67"}},
		Emails:    []model.Email{{Label: "work", Address: "info@mueller.example"}},
		Addresses: []model.Address{{Street: "Bahnhofstrasse 1\nPostfach", PostalCode: "8001", City: "Zürich", Country: "Schweiz"}},
	}
	meier := &model.Customer{
		Meta: model.Meta{ID: uuid.MustParse("0190a000-0000-7000-8000-000000000002")},
		Kind: model.Person, GivenName: "Anna", FamilyName: "Meier", Company: "Beck, Söhne; Partner",
		Phones: []model.Phone{{Number: "079 555 66 77", Pref: true}},
	}
	note := &model.Note{
		Meta: model.Meta{ID: uuid.MustParse("0190a000-0000-7000-8000-0000000000a1")},
		At:   zurich(tb, 2026, 6, 30, 14, 0), Kind: model.NoteVisit,
		Text: "Wünscht Offerte für 3 Maschinen; Lieferung bis Ende Q3, Preis\r\nmax. 12'000 CHF – Rückruf vor 10 Uhr.",
	}
	fu := func(id string, due time.Time, tz string) model.FollowUp {
		return model.FollowUp{
			Meta: model.Meta{ID: uuid.MustParse(id), Created: created, Updated: created.Add(time.Hour)},
			Due:  due, TZ: tz, Status: model.FollowUpOpen, Sequence: 2,
		}
	}
	summer := fu("0190a000-0000-7000-8000-0000000000f1", zurich(tb, 2026, 7, 15, 9, 0), "Europe/Zurich")
	summer.Title, summer.Duration, summer.Reminder, summer.NoteID = "Offerte nachfassen", 30, 15, note.ID
	summer.Details = "Ansprechpartner: Herr Keller, Einkauf; Fragen zu Rabatt, Garantie und Wartung klären – ausführlich."
	winter := fu("0190a000-0000-7000-8000-0000000000f2", zurich(tb, 2026, 1, 20, 9, 0), "Europe/Zurich")
	winter.Title, winter.Duration, winter.Reminder = "Neujahrsgruss, Termin vereinbaren", 45, 90
	allDay := fu("0190a000-0000-7000-8000-0000000000f3", zurich(tb, 2026, 3, 29, 0, 0), "Europe/Zurich")
	allDay.Title, allDay.AllDay, allDay.Reminder = "Geburtstagskarte schicken", true, 24*60
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		tb.Fatal(err)
	}
	cancelled := fu("0190a000-0000-7000-8000-0000000000f4", time.Date(2026, 11, 2, 9, 0, 0, 0, ny).UTC(), "America/New_York")
	cancelled.Title, cancelled.Status, cancelled.Reminder, cancelled.Sequence = "Messe-Nachbereitung", model.FollowUpCancelled, 30, 5
	done := fu("0190a000-0000-7000-8000-0000000000f5", time.Date(2026, 2, 3, 13, 15, 0, 0, time.UTC), "")
	done.Title, done.Status, done.Duration, done.Reminder = "Reklamation besprochen", model.FollowUpDone, 20, 10
	items := []Item{
		{FollowUp: summer, Customer: mueller, Note: note},
		{FollowUp: winter, Customer: meier},
		{FollowUp: allDay, Customer: meier},
		{FollowUp: cancelled, Customer: mueller},
		{FollowUp: done},
	}
	events := []EventItem{{
		Event: model.Event{
			Meta: model.Meta{ID: uuid.MustParse("0190a000-0000-7000-8000-0000000000e1"), Created: created, Updated: created.Add(90 * time.Second)},
			Name: "Kundenapéro 2026", Start: zurich(tb, 2026, 9, 10, 18, 0), TZ: "Europe/Zurich", Duration: 180,
			Place: "Showroom, Industriestrasse 7; 8400 Winterthur", Details: "Apéro riche, Führung durch die Werkstatt.",
		},
		RSVP: model.RSVP{Invited: 40, Accepted: 21, Declined: 5, Pending: 14},
	}}
	return items, events
}

func encodeString(tb testing.TB, items []Item, events []EventItem, opt Options) string {
	tb.Helper()
	var b bytes.Buffer
	if err := Encode(&b, items, events, opt); err != nil {
		tb.Fatalf("Encode: %v", err)
	}
	return b.String()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(tb testing.TB, name, got string) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		tb.Errorf("output differs from %s (run with -update after checking the diff):\ngot:\n%s", path, got)
	}
}

func TestEncodeGolden(t *testing.T) {
	items, events := fixture(t)
	got := encodeString(t, items, events, fixedOptions())
	golden(t, "followups.ics", got)
	checkWellFormed(t, got)
}

func TestEncodeGoldenSingle(t *testing.T) {
	items, _ := fixture(t)
	opt := fixedOptions()
	opt.CalendarName = ""
	opt.SummaryPrefix = "Nachfassen"
	opt.Labels = Labels{Phone: "Telefon", Email: "E-Mail", Note: "Notiz"}
	got := encodeString(t, items[:1], nil, opt)
	golden(t, "single.ics", got)
	checkWellFormed(t, got)
}

// checkWellFormed checks the framing rules of RFC 5545 §3.1 on every line:
// CRLF endings only, at most 75 octets, valid UTF-8 on every physical line.
func checkWellFormed(tb testing.TB, s string) {
	tb.Helper()
	if !strings.HasSuffix(s, "\r\n") {
		tb.Errorf("output does not end with CRLF")
	}
	if n := strings.Count(s, "\n"); n != strings.Count(s, "\r\n") {
		tb.Errorf("got %d LF, want all %d preceded by CR", n, strings.Count(s, "\r\n"))
	}
	for i, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(line) > maxLine {
			tb.Errorf("line %d: got %d octets, want at most %d: %q", i+1, len(line), maxLine, line)
		}
		if !utf8.ValidString(line) {
			tb.Errorf("line %d: a UTF-8 sequence is split: %q", i+1, line)
		}
		if strings.ContainsRune(line, '\r') {
			tb.Errorf("line %d: bare CR: %q", i+1, line)
		}
	}
}

// unfold joins folded lines (RFC 5545 §3.1) and returns the logical lines.
func unfold(s string) []string {
	s = strings.ReplaceAll(s, "\r\n ", "")
	return strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
}

// props returns the logical lines of the component with the given UID, or
// of the calendar header when uid is "".
func props(s, uid string) []string {
	var cur []string
	for _, l := range unfold(s) {
		switch {
		case l == "BEGIN:VEVENT":
			cur = []string{}
		case l == "END:VEVENT":
			for _, p := range cur {
				if p == "UID:"+uid {
					return cur
				}
			}
			cur = nil
		case cur != nil:
			cur = append(cur, l)
		}
	}
	return nil
}

func prop(lines []string, name string) string {
	for _, l := range lines {
		if strings.HasPrefix(l, name+":") || strings.HasPrefix(l, name+";") {
			return l
		}
	}
	return ""
}

func TestEncodeProperties(t *testing.T) {
	items, events := fixture(t)
	out := encodeString(t, items, events, fixedOptions())
	uid := func(i int) string { return UID(items[i].FollowUp.ID) }
	tests := []struct {
		name string
		uid  string
		prop string
		want string // the whole logical line; "" means absent
	}{
		{"uid from ID", uid(0), "UID", "UID:0190a000-0000-7000-8000-0000000000f1@kundenkartei"},
		{"dtstamp from clock", uid(0), "DTSTAMP", "DTSTAMP:20261123T100000Z"},
		{"last-modified from meta", uid(0), "LAST-MODIFIED", "LAST-MODIFIED:20260502T093000Z"},
		{"sequence", uid(3), "SEQUENCE", "SEQUENCE:5"},
		{"summer local time", uid(0), "DTSTART", "DTSTART;TZID=Europe/Zurich:20260715T090000"},
		{"summer end", uid(0), "DTEND", "DTEND;TZID=Europe/Zurich:20260715T093000"},
		{"winter local time", uid(1), "DTSTART", "DTSTART;TZID=Europe/Zurich:20260120T090000"},
		{"all-day date", uid(2), "DTSTART", "DTSTART;VALUE=DATE:20260329"},
		{"all-day next day", uid(2), "DTEND", "DTEND;VALUE=DATE:20260330"},
		{"all-day transparent", uid(2), "TRANSP", "TRANSP:TRANSPARENT"},
		{"new york local", uid(3), "DTSTART", "DTSTART;TZID=America/New_York:20261102T090000"},
		{"no zone is utc", uid(4), "DTSTART", "DTSTART:20260203T131500Z"},
		{"no duration no end", uid(3), "DTEND", ""},
		{"summary", uid(0), "SUMMARY", "SUMMARY:Follow-up: Müller AG – Offerte nachfassen"},
		{"summary person with company escaped", uid(1), "SUMMARY", `SUMMARY:Follow-up: Anna Meier (Beck\, Söhne\; Partner) – Neujahrsgruss\, Termin vereinbaren`},
		{"summary done ticked", uid(4), "SUMMARY", "SUMMARY:✓ Follow-up: Reklamation besprochen"},
		{"location one line", uid(0), "LOCATION", `LOCATION:Bahnhofstrasse 1\, Postfach\, 8001 Zürich\, Schweiz`},
		{"no address no location", uid(1), "LOCATION", ""},
		{"open confirmed", uid(0), "STATUS", "STATUS:CONFIRMED"},
		{"cancelled", uid(3), "STATUS", "STATUS:CANCELLED"},
		{"done confirmed", uid(4), "STATUS", "STATUS:CONFIRMED"},
		{"alarm", uid(0), "TRIGGER", "TRIGGER:-PT15M"},
		{"alarm hours", uid(1), "TRIGGER", "TRIGGER:-PT1H30M"},
		{"alarm day", uid(2), "TRIGGER", "TRIGGER:-P1D"},
		{"cancelled no alarm", uid(3), "TRIGGER", ""},
		{"done no alarm", uid(4), "TRIGGER", ""},
		{"event summary", UID(events[0].Event.ID), "SUMMARY", "SUMMARY:Kundenapéro 2026"},
		{"event sequence from update", UID(events[0].Event.ID), "SEQUENCE", "SEQUENCE:90"},
		{"event location escaped", UID(events[0].Event.ID), "LOCATION", `LOCATION:Showroom\, Industriestrasse 7\; 8400 Winterthur`},
		{"event end", UID(events[0].Event.ID), "DTEND", "DTEND;TZID=Europe/Zurich:20260910T210000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := props(out, tt.uid)
			if lines == nil {
				t.Fatalf("no VEVENT with UID %s", tt.uid)
			}
			if got := prop(lines, tt.prop); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDescription(t *testing.T) {
	items, events := fixture(t)
	opt := fixedOptions()
	opt.Labels = Labels{Phone: "Telefon", Email: "E-Mail", Note: "Notiz", Invited: "Eingeladen"}
	out := encodeString(t, items, events, opt)
	tests := []struct {
		name string
		uid  string
		want string
	}{
		{"details, contact, note", UID(items[0].FollowUp.ID),
			`DESCRIPTION:Ansprechpartner: Herr Keller\, Einkauf\; Fragen zu Rabatt\, Garantie und Wartung klären – ausführlich.\n\nMüller AG\nTelefon: +41 44 123 45 67\nE-Mail: info@mueller.example\n\nNotiz 2026-06-30:\nWünscht Offerte für 3 Maschinen\; Lieferung bis Ende Q3\, Preis\nmax. 12'000 CHF – Rückruf vor 10 Uhr.`},
		{"contact only", UID(items[1].FollowUp.ID), `DESCRIPTION:Anna Meier (Beck\, Söhne\; Partner)\nTelefon: 079 555 66 77`},
		{"nothing", UID(items[4].FollowUp.ID), ""},
		{"event rsvp", UID(events[0].Event.ID),
			`DESCRIPTION:Apéro riche\, Führung durch die Werkstatt.\n\nEingeladen: 40\nAccepted: 21\nDeclined: 5\nAttended: 0\nPending: 14`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := prop(props(out, tt.uid), "DESCRIPTION"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReexportAfterChange: a changed follow-up keeps its UID and carries a
// higher SEQUENCE, so calendars replace the event instead of adding one.
func TestReexportAfterChange(t *testing.T) {
	items, _ := fixture(t)
	first := encodeString(t, items[:1], nil, fixedOptions())
	changed := items[0]
	changed.FollowUp.Due = changed.FollowUp.Due.Add(24 * time.Hour)
	changed.FollowUp.Sequence++
	changed.FollowUp.Updated = changed.FollowUp.Updated.Add(time.Hour)
	second := encodeString(t, []Item{changed}, nil, fixedOptions())
	uid := UID(items[0].FollowUp.ID)
	a, b := props(first, uid), props(second, uid)
	if a == nil || b == nil {
		t.Fatalf("UID %s missing from one of the exports", uid)
	}
	if got, want := prop(b, "SEQUENCE"), "SEQUENCE:3"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := prop(b, "DTSTART"), "DTSTART;TZID=Europe/Zurich:20260716T090000"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEncodeErrors(t *testing.T) {
	items, _ := fixture(t)
	noID := items[0]
	noID.FollowUp.ID = model.NilID
	noDue := items[0]
	noDue.FollowUp.Due = time.Time{}
	tests := []struct {
		name  string
		items []Item
		evs   []EventItem
	}{
		{"nothing to export", nil, nil},
		{"no ID", []Item{noID}, nil},
		{"no due time", []Item{noDue}, nil},
		{"event without start", nil, []EventItem{{Event: model.Event{Meta: model.Meta{ID: model.NewID()}, Name: "x"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			err := Encode(&b, tt.items, tt.evs, fixedOptions())
			if got := model.ErrorCode(err); got != model.EINVALID {
				t.Errorf("got code %q (%v), want %q", got, err, model.EINVALID)
			}
			if b.Len() != 0 {
				t.Errorf("got %d bytes written, want none", b.Len())
			}
		})
	}
}

// failingWriter accepts n bytes, then fails.
type failingWriter struct {
	n   int
	err error
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, w.err
	}
	w.n -= len(p)
	return len(p), nil
}

func TestEncodeWriteError(t *testing.T) {
	items, events := fixture(t)
	errDisk := errors.New("no space left on device")
	for _, n := range []int{0, 100, 2000} {
		err := Encode(&failingWriter{n: n, err: errDisk}, items, events, fixedOptions())
		if got := model.ErrorCode(err); got != model.EINTERNAL {
			t.Errorf("after %d bytes: got code %q, want %q", n, got, model.EINTERNAL)
		}
		if !errors.Is(err, errDisk) {
			t.Errorf("after %d bytes: got %v, want it to wrap the writer's error", n, err)
		}
	}
}
