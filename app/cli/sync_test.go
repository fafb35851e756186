package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/replica"
)

// TestPrintReport: what a sync found is told in sentences, never as Go
// structs.
func TestPrintReport(t *testing.T) {
	tests := []struct {
		name string
		rep  replica.Report
		want []string
	}{
		{"rejected", replica.Report{Problems: []replica.Problem{{Name: "devices/a/00000000000000000007", Err: model.Errorf(model.EINVALID, "segment format 9 is newer")}}},
			[]string{"rejected devices/a/00000000000000000007: segment format 9 is newer\n"}},
		{"skipped", replica.Report{Skipped: []replica.Problem{{Name: "devices/a/00000000000000000007", Err: model.Errorf(model.EINVALID, "segment is damaged")}}},
			[]string{"skipped devices/a/00000000000000000007: segment is damaged; its device was asked to send it again"}},
		{"repaired and resent", replica.Report{Repaired: 2, Resent: []string{"devices/b/00000000000000000003"}},
			[]string{"2 damaged segment(s) arrived again", "another device could not read devices/b/00000000000000000003; it was sent again"}},
		{"clock ahead", replica.Report{ClockOff: 2 * time.Hour}, []string{"this computer's clock seems to be 2h0m0s ahead"}},
		{"clock behind", replica.Report{ClockOff: -30 * time.Minute}, []string{"this computer's clock seems to be 30m0s behind"}},
		{"other clock", replica.Report{Drift: time.Hour, DriftDevice: "dev-b"}, []string{"a change from device dev-b is 1h0m0s ahead"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			printReport(&out, tc.rep)
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("got %q, want it to contain %q", out.String(), w)
				}
			}
			if strings.ContainsAny(out.String(), "{}") {
				t.Errorf("got %q, want no struct braces", out.String())
			}
		})
	}
}
