package ical

import (
	"bytes"
	"os"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"
)

// TestGolangICalReadsGolden parses the golden files with golang-ical, the
// stack's calendar library, as one more independent reader: every event
// with our UID, a start, and the alarms we wrote.
func TestGolangICalReadsGolden(t *testing.T) {
	for _, name := range []string{"testdata/followups.ics", "testdata/single.ics"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			cal, err := ics.ParseCalendar(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("golang-ical cannot parse %s: %v", name, err)
			}
			events := cal.Events()
			if got, want := len(events), bytes.Count(data, []byte("BEGIN:VEVENT")); got != want || got == 0 {
				t.Fatalf("events: got %d, want %d", got, want)
			}
			alarms := 0
			for _, ev := range events {
				if !strings.HasSuffix(ev.Id(), uidDomain) {
					t.Errorf("UID %q lacks %q", ev.Id(), uidDomain)
				}
				if p := ev.GetProperty(ics.ComponentPropertyDtStart); p == nil || p.Value == "" {
					t.Errorf("event %s has no DTSTART", ev.Id())
				}
				alarms += len(ev.Alarms())
			}
			if got, want := alarms, bytes.Count(data, []byte("BEGIN:VALARM")); got != want {
				t.Errorf("alarms: got %d, want %d", got, want)
			}
		})
	}
}
