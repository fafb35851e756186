package ical

import (
	"encoding/binary"
	"testing"
	"time"
)

// footerZone builds a zone whose every instant is served by the POSIX TZ
// rule in the footer of its TZif data, as most instants are with the slim
// data of time/tzdata and Go's zoneinfo.zip, the only zone data a Windows
// build has. Time.ZoneBounds misbehaves on such zones (see zoneEnd).
func footerZone(tb testing.TB, name, abbr string, offset int32, rule string) *time.Location {
	tb.Helper()
	block := func(timeSize int) []byte {
		h := make([]byte, 0, 64)
		h = append(h, "TZif2"...)
		h = append(h, make([]byte, 15)...)
		// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
		for _, n := range []uint32{0, 0, 0, 0, 1, uint32(len(abbr) + 1)} {
			h = binary.BigEndian.AppendUint32(h, n)
		}
		h = binary.BigEndian.AppendUint32(h, uint32(offset))
		h = append(h, 0, 0) // not DST, abbreviation at index 0
		h = append(h, abbr...)
		return append(h, 0)
	}
	data := append(block(4), block(8)...)
	data = append(data, "\n"+rule+"\n"...)
	loc, err := time.LoadLocationFromTZData(name, data)
	if err != nil {
		tb.Fatalf("zone %s: %v", name, err)
	}
	return loc
}

func TestTransitionsFooterRuleZones(t *testing.T) {
	tests := []struct {
		name, abbr, rule string
		offset           int32
	}{
		{name: "Europe/Zurich", abbr: "CET", offset: 3600, rule: "CET-1CEST,M3.5.0,M10.5.0/3"},
		{name: "America/New_York", abbr: "EST", offset: -5 * 3600, rule: "EST5EDT,M3.2.0,M11.1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := footerZone(t, tt.name, tt.abbr, tt.offset, tt.rule)
			// 2024 and 2028 are leap years: Go reported a period end
			// before the instant on their last UTC day, and the loop over
			// periods never ended.
			from := time.Date(2023, 1, 1, 0, 0, 0, 0, loc)
			to := time.Date(2030, 1, 1, 0, 0, 0, 0, loc)
			done := make(chan []transition, 1)
			go func() { done <- transitions(loc, from, to) }()
			var got []transition
			select {
			case got = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("transitions did not return within 10 s")
			}
			// The period in force on 1 Jan 2023 began with the autumn
			// change of 2022; then two real changes a year, no more.
			if len(got) != 15 {
				t.Fatalf("got %d transitions, want 15: %+v", len(got), got)
			}
			if y := got[0].at.In(loc).Year(); y != 2022 || got[0].initial || got[0].from == got[0].to {
				t.Errorf("first period: got start %s (from %d to %d), want the 2022 change to standard time", got[0].at, got[0].from, got[0].to)
			}
			for i, tr := range got[1:] {
				prev := got[i]
				if !tr.at.After(prev.at) || tr.from == tr.to || tr.from != prev.to {
					t.Errorf("transition %d: got %s from %d to %d after %s to %d, want a real change later than the one before", i+1, tr.at, tr.from, tr.to, prev.at, prev.to)
				}
			}
			// Where the system has full zone data, it must agree.
			sys, err := time.LoadLocation(tt.name)
			if err != nil {
				return
			}
			want := transitions(sys, time.Date(2023, 1, 1, 0, 0, 0, 0, sys), time.Date(2030, 1, 1, 0, 0, 0, 0, sys))
			if len(want) != len(got) {
				t.Fatalf("got %d transitions, want %d as from the system's zone data", len(got), len(want))
			}
			for i := range want {
				if !got[i].at.Equal(want[i].at) || got[i].from != want[i].from || got[i].to != want[i].to || got[i].dst != want[i].dst {
					t.Errorf("transition %d: got %+v, want %+v", i, got[i], want[i])
				}
			}
		})
	}
}
