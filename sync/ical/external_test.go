package ical

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// The tests in this file read the export back with independent programs
// from Debian: python3-icalendar (through testdata/check.py) and khal.
// `apt-get install -y python3-icalendar khal` provides both. They are
// skipped when the programs are missing, unless ICAL_REQUIRE_TOOLS=1, which
// CI sets so a missing install step fails instead of passing quietly.

// systemPython is Debian's interpreter: the python3 first on PATH may be
// another one, without Debian's packages.
const systemPython = "/usr/bin/python3"

func needTool(t *testing.T, name string, probe ...string) {
	t.Helper()
	if err := exec.Command(name, probe...).Run(); err != nil {
		msg := fmt.Sprintf("%s not usable (%v): apt-get install -y python3-icalendar khal", name, err)
		if os.Getenv("ICAL_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

type pyEvent struct {
	UID         string `json:"uid"`
	Summary     string `json:"summary"`
	Description string `json:"description"`
	Location    string `json:"location"`
	Status      string `json:"status"`
	Sequence    int    `json:"sequence"`
	Alarms      []int  `json:"alarms"`
	TZID        string `json:"tzid"`
	Start       string `json:"start"`
	StartUTC    string `json:"start_utc"`
	End         string `json:"end"`
}

type pyResult struct {
	Name   string    `json:"name"`
	Events []pyEvent `json:"events"`
	Zones  map[string]struct {
		Checked       int    `json:"checked"`
		Mismatches    int    `json:"mismatches"`
		FirstMismatch string `json:"first_mismatch"`
	} `json:"zones"`
}

func pythonRead(t *testing.T, path string) pyResult {
	t.Helper()
	needTool(t, systemPython, "-c", "import icalendar")
	out, err := exec.Command(systemPython, filepath.Join("testdata", "check.py"), path).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("python3-icalendar rejected %s: %v\n%s", path, err, stderr)
	}
	var r pyResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("check.py output: %v", err)
	}
	return r
}

func writeFixture(t *testing.T, items []Item, events []EventItem, opt Options) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.ics")
	if err := WriteFile(path, items, events, opt); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	return path
}

func TestPythonICalendarReadsBack(t *testing.T) {
	items, events := fixture(t)
	r := pythonRead(t, writeFixture(t, items, events, fixedOptions()))
	if got, want := r.Name, "Kundenkartei – Follow-ups"; got != want {
		t.Errorf("calendar name: got %q, want %q", got, want)
	}
	byUID := map[string]pyEvent{}
	for _, e := range r.Events {
		byUID[e.UID] = e
	}
	if got, want := len(r.Events), len(items)+len(events); got != want {
		t.Fatalf("got %d events, want %d", got, want)
	}
	tests := []struct {
		name string
		uid  string
		want pyEvent // fields compared: TZID, Start, StartUTC, End, Status, Sequence, Alarms
	}{
		{"summer 09:00 Zurich", UID(items[0].FollowUp.ID), pyEvent{TZID: "Europe/Zurich", Start: "2026-07-15T09:00:00", StartUTC: "2026-07-15T07:00:00+00:00", End: "2026-07-15T09:30:00", Status: "CONFIRMED", Sequence: 2, Alarms: []int{-900}}},
		{"winter 09:00 Zurich", UID(items[1].FollowUp.ID), pyEvent{TZID: "Europe/Zurich", Start: "2026-01-20T09:00:00", StartUTC: "2026-01-20T08:00:00+00:00", End: "2026-01-20T09:45:00", Status: "CONFIRMED", Sequence: 2, Alarms: []int{-5400}}},
		{"all-day on DST day", UID(items[2].FollowUp.ID), pyEvent{TZID: "DATE", Start: "2026-03-29", End: "2026-03-30", Status: "CONFIRMED", Sequence: 2, Alarms: []int{-86400}}},
		{"cancelled New York", UID(items[3].FollowUp.ID), pyEvent{TZID: "America/New_York", Start: "2026-11-02T09:00:00", StartUTC: "2026-11-02T14:00:00+00:00", Status: "CANCELLED", Sequence: 5, Alarms: []int{}}},
		{"done UTC", UID(items[4].FollowUp.ID), pyEvent{TZID: "UTC", Start: "2026-02-03T13:15:00", StartUTC: "2026-02-03T13:15:00+00:00", End: "2026-02-03T13:35:00", Status: "CONFIRMED", Sequence: 2, Alarms: []int{}}},
		{"event", UID(events[0].Event.ID), pyEvent{TZID: "Europe/Zurich", Start: "2026-09-10T18:00:00", StartUTC: "2026-09-10T16:00:00+00:00", End: "2026-09-10T21:00:00", Status: "CONFIRMED", Sequence: 90, Alarms: []int{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := byUID[tt.uid]
			if !ok {
				t.Fatalf("UID %s not read back", tt.uid)
			}
			g := fmt.Sprintf("%s %s %s %s %s %d %v", got.TZID, got.Start, got.StartUTC, got.End, got.Status, got.Sequence, got.Alarms)
			w := fmt.Sprintf("%s %s %s %s %s %d %v", tt.want.TZID, tt.want.Start, tt.want.StartUTC, tt.want.End, tt.want.Status, tt.want.Sequence, tt.want.Alarms)
			if g != w {
				t.Errorf("got %s, want %s", g, w)
			}
		})
	}
	// Text survives escaping and folding exactly; line breaks of any kind
	// come back as LF.
	first := byUID[UID(items[0].FollowUp.ID)]
	if got, want := first.Summary, "Follow-up: Müller AG – Offerte nachfassen"; got != want {
		t.Errorf("summary: got %q, want %q", got, want)
	}
	wantDesc := items[0].FollowUp.Details + "\n\nMüller AG\nPhone: +41 44 123 45 67\nEmail: info@mueller.example\n\nNote 2026-06-30:\n" +
		strings.ReplaceAll(items[0].Note.Text, "\r\n", "\n")
	if first.Description != wantDesc {
		t.Errorf("description: got %q, want %q", first.Description, wantDesc)
	}
	if got, want := first.Location, "Bahnhofstrasse 1, Postfach, 8001 Zürich, Schweiz"; got != want {
		t.Errorf("location: got %q, want %q", got, want)
	}
	for name, z := range r.Zones {
		if z.Checked == 0 || z.Mismatches != 0 {
			t.Errorf("VTIMEZONE %s: %d of %d instants differ from zoneinfo (first: %s)", name, z.Mismatches, z.Checked, z.FirstMismatch)
		}
	}
	if len(r.Zones) != 2 {
		t.Errorf("got %d VTIMEZONEs, want 2 (Zurich, New York)", len(r.Zones))
	}
}

// TestPythonVTimezones rebuilds the generated VTIMEZONE of zones with
// unusual histories and compares each, every three hours over the years in
// use, with the system's zone data: southern hemisphere, no DST, half-hour
// DST, odd offsets, rules that changed or ended within the span.
func TestPythonVTimezones(t *testing.T) {
	cases := []struct {
		zone     string
		from, to int // years with events
	}{
		{"Europe/Zurich", 2024, 2030},
		{"America/New_York", 2005, 2009}, // US rules changed in 2007
		{"Australia/Sydney", 2025, 2027},
		{"Asia/Tokyo", 2026, 2026},
		{"Australia/Lord_Howe", 2025, 2026}, // 30-minute DST
		{"Asia/Kathmandu", 2026, 2026},      // +0545
		{"Europe/Moscow", 2009, 2015},       // permanent DST 2011, back 2014
		{"America/Sao_Paulo", 2017, 2020},   // DST abolished 2019
		{"Asia/Tehran", 2020, 2023},         // fixed-date rules, abolished 2022
		{"Africa/Casablanca", 2017, 2021},   // Ramadan breaks
		{"Europe/Dublin", 2025, 2026},       // "negative" DST in the zone data
	}
	var items []Item
	for _, c := range cases {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatalf("%s: %v", c.zone, err)
		}
		for y := c.from; y <= c.to; y++ {
			for _, m := range []time.Month{time.January, time.July} {
				items = append(items, Item{FollowUp: model.FollowUp{
					Meta: model.Meta{ID: model.NewID()}, Title: c.zone, TZ: c.zone, Duration: 30,
					Due: time.Date(y, m, 15, 9, 0, 0, 0, loc).UTC(), Status: model.FollowUpOpen,
				}})
			}
		}
	}
	path := writeFixture(t, items, nil, fixedOptions())
	r := pythonRead(t, path)
	for _, c := range cases {
		t.Run(c.zone, func(t *testing.T) {
			z, ok := r.Zones[c.zone]
			if !ok {
				t.Fatalf("no VTIMEZONE %s", c.zone)
			}
			if z.Checked == 0 || z.Mismatches != 0 {
				t.Errorf("got %d of %d instants differing from zoneinfo (first: %s), want 0", z.Mismatches, z.Checked, z.FirstMismatch)
			}
		})
	}
	for _, e := range r.Events {
		if !strings.HasSuffix(e.Start, "T09:00:00") {
			t.Errorf("%s: got start %s, want 09:00 local", e.Summary, e.Start)
		}
	}
}

// khal imports into a vdir and lists with its own zone handling; the times
// it shows must be the planned wall-clock times.
type khal struct {
	t    *testing.T
	dir  string
	conf string
}

func newKhal(t *testing.T, localZone string) *khal {
	t.Helper()
	needTool(t, "khal", "--version")
	dir := t.TempDir()
	k := &khal{t: t, dir: dir, conf: filepath.Join(dir, "khal.conf")}
	conf := fmt.Sprintf(`[calendars]
[[kk]]
path = %[1]s/cal
type = calendar
[locale]
local_timezone = %[2]s
default_timezone = %[2]s
timeformat = %%H:%%M
dateformat = %%Y-%%m-%%d
longdateformat = %%Y-%%m-%%d
datetimeformat = %%Y-%%m-%%d %%H:%%M
longdatetimeformat = %%Y-%%m-%%d %%H:%%M
[sqlite]
path = %[1]s/khal.db
`, dir, localZone)
	if err := os.MkdirAll(filepath.Join(dir, "cal"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return k
}

func (k *khal) run(args ...string) string {
	k.t.Helper()
	cmd := exec.Command("khal", append([]string{"-c", k.conf}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+k.dir, "XDG_DATA_HOME="+k.dir, "XDG_CONFIG_HOME="+k.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		k.t.Fatalf("khal %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (k *khal) importFile(path string) {
	k.t.Helper()
	out := k.run("import", "--batch", "-a", "kk", path)
	if strings.Contains(strings.ToLower(out), "error") || strings.Contains(strings.ToLower(out), "warning") {
		k.t.Errorf("khal import complained:\n%s", out)
	}
}

// list returns "uid|start|end|title|status" lines of 2026.
func (k *khal) list() map[string]string {
	k.t.Helper()
	out := k.run("list", "--format", "{uid}|{start}|{end}|{status}|{title}", "--day-format", "", "2026-01-01", "2027-01-01")
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if uid, rest, ok := strings.Cut(l, "|"); ok {
			// khal pads {status} with a space.
			m[uid] = strings.ReplaceAll(strings.TrimSpace(rest), " |", "|")
		}
	}
	return m
}

func TestKhalImport(t *testing.T) {
	items, events := fixture(t)
	path := writeFixture(t, items, events, fixedOptions())
	tests := []struct {
		zone string // khal's local zone
		want map[string]string
	}{
		{"Europe/Zurich", map[string]string{
			UID(items[0].FollowUp.ID): "2026-07-15 09:00|2026-07-15 09:30|CONFIRMED|Follow-up: Müller AG – Offerte nachfassen",
			UID(items[1].FollowUp.ID): "2026-01-20 09:00|2026-01-20 09:45|CONFIRMED|Follow-up: Anna Meier (Beck, Söhne; Partner) – Neujahrsgruss, Termin vereinbaren",
			UID(items[2].FollowUp.ID): "2026-03-29|2026-03-29|CONFIRMED|Follow-up: Anna Meier (Beck, Söhne; Partner) – Geburtstagskarte schicken",
			UID(items[3].FollowUp.ID): "2026-11-02 15:00|2026-11-02 16:00|CANCELLED|Follow-up: Müller AG – Messe-Nachbereitung",
			UID(items[4].FollowUp.ID): "2026-02-03 14:15|2026-02-03 14:35|CONFIRMED|✓ Follow-up: Reklamation besprochen",
			UID(events[0].Event.ID):   "2026-09-10 18:00|2026-09-10 21:00|CONFIRMED|Kundenapéro 2026",
		}},
		// Seen from New York the same instants: the zone travelled with
		// the times instead of being lost.
		{"America/New_York", map[string]string{
			UID(items[0].FollowUp.ID): "2026-07-15 03:00|2026-07-15 03:30|CONFIRMED|Follow-up: Müller AG – Offerte nachfassen",
			UID(items[1].FollowUp.ID): "2026-01-20 03:00|2026-01-20 03:45|CONFIRMED|Follow-up: Anna Meier (Beck, Söhne; Partner) – Neujahrsgruss, Termin vereinbaren",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			k := newKhal(t, tt.zone)
			k.importFile(path)
			got := k.list()
			for uid, want := range tt.want {
				if got[uid] != want {
					t.Errorf("%s: got %q, want %q", uid, got[uid], want)
				}
			}
		})
	}
}

// TestReexportKeepsUID imports an export, changes the follow-up, exports
// again and imports that: both programs see one event, with the same UID,
// the new time and a higher SEQUENCE.
func TestReexportKeepsUID(t *testing.T) {
	items, _ := fixture(t)
	it := items[0]
	first := writeFixture(t, []Item{it}, nil, fixedOptions())
	it.FollowUp.Due = zurich(t, 2026, 12, 3, 9, 0) // moved into winter
	it.FollowUp.Sequence++
	second := writeFixture(t, []Item{it}, nil, fixedOptions())

	a, b := pythonRead(t, first), pythonRead(t, second)
	if len(a.Events) != 1 || len(b.Events) != 1 {
		t.Fatalf("got %d and %d events, want 1 and 1", len(a.Events), len(b.Events))
	}
	if a.Events[0].UID != b.Events[0].UID {
		t.Errorf("got UIDs %s and %s, want them equal", a.Events[0].UID, b.Events[0].UID)
	}
	if a.Events[0].Sequence >= b.Events[0].Sequence {
		t.Errorf("got SEQUENCE %d then %d, want it raised", a.Events[0].Sequence, b.Events[0].Sequence)
	}
	if got, want := b.Events[0].Start, "2026-12-03T09:00:00"; got != want {
		t.Errorf("got start %s, want %s", got, want)
	}

	k := newKhal(t, "Europe/Zurich")
	k.importFile(first)
	k.importFile(second)
	got := k.list()
	if len(got) != 1 {
		t.Errorf("got %d events in khal, want 1: %v", len(got), got)
	}
	if want := "2026-12-03 09:00|2026-12-03 09:30|CONFIRMED|Follow-up: Müller AG – Offerte nachfassen"; got[UID(it.FollowUp.ID)] != want {
		t.Errorf("got %q, want %q", got[UID(it.FollowUp.ID)], want)
	}
}

// TestToolsAcceptEveryFile feeds every kind of file the package writes to
// both programs: the full calendar, "Add to calendar" files, an event-only
// calendar, the empty calendar an automatic export leaves when nothing is
// open, and zones with unusual rules.
func TestToolsAcceptEveryFile(t *testing.T) {
	items, events := fixture(t)
	dir := t.TempDir()
	files := map[string]int{} // path → events in it
	add := func(path string, err error, n int) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		files[path] = n
	}
	full := filepath.Join(dir, "full.ics")
	add(full, WriteFile(full, items, events, fixedOptions()), len(items)+len(events))
	for _, it := range []Item{items[0], items[2]} { // timed and all-day
		p, err := TempFile(dir, it, fixedOptions())
		add(p, err, 1)
	}
	p, err := TempEventFile(dir, events[0], fixedOptions())
	add(p, err, 1)
	empty := filepath.Join(dir, "empty.ics")
	add(empty, writeEmpty(empty, nil, nil, fixedOptions()), 0)
	var odd []Item
	for i, z := range []string{"Australia/Lord_Howe", "Asia/Kathmandu", "Asia/Tehran", "America/Sao_Paulo", "Pacific/Chatham"} {
		loc, err := time.LoadLocation(z)
		if err != nil {
			t.Fatal(err)
		}
		it := items[0]
		it.FollowUp.ID, it.FollowUp.TZ = model.NewID(), z
		it.FollowUp.Due = time.Date(2018+i, 4, 1, 9, 0, 0, 0, loc).UTC()
		odd = append(odd, it)
	}
	zones := filepath.Join(dir, "zones.ics")
	add(zones, WriteFile(zones, odd, nil, fixedOptions()), len(odd))

	for path, n := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if got := len(pythonRead(t, path).Events); got != n {
				t.Errorf("python3-icalendar: got %d events, want %d", got, n)
			}
			k := newKhal(t, "Europe/Zurich")
			k.importFile(path)
			out := k.run("list", "--format", "{uid}", "--day-format", "", "2010-01-01", "7000d")
			if got := strings.Count(out, uidDomain); got != n {
				t.Errorf("khal: got %d events, want %d:\n%s", got, n, out)
			}
		})
	}
}
