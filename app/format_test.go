package app

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/replica"
)

func TestFormatCount(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		want string
	}{
		{"small", 42, "42"},
		{"four digits stay together", 9999, "9999"},
		{"five digits", 12345, "12\u202f345"},
		{"six digits", 100000, "100\u202f000"},
		{"million", 1234567, "1\u202f234\u202f567"},
		{"negative", -12345, "-12\u202f345"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := formatCount(tc.n); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFormatDayRoundTrips(t *testing.T) {
	if err := LoadTranslations(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		d    model.Date
	}{
		{"with year", model.Date{Year: 1980, Month: 4, Day: 15}},
		{"without year", model.Date{Month: 2, Day: 29}},
		{"zero", model.Date{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := formatDay(tc.d)
			got, err := parseDay(s)
			if err != nil || got != tc.d {
				t.Errorf("formatDay gave %q, read back as %v (%v), want %v", s, got, err, tc.d)
			}
		})
	}
}

func TestFormatRelative(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		name string
		t    time.Time
		want string
	}{
		{"never", time.Time{}, formatRelative(time.Time{}, now)},
		{"same day", now.Add(-2 * time.Hour), formatRelative(now, now)},
		{"long ago is a date", now.AddDate(0, -3, 0), formatDate(now.AddDate(0, -3, 0))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := formatRelative(tc.t, now); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if a, b := formatRelative(now.AddDate(0, 0, -3), now), formatRelative(now.AddDate(0, 0, -4), now); a == b {
		t.Errorf("3 and 4 days ago both read %q", a)
	}
	if a, b := formatRelative(now.AddDate(0, 0, -1), now), formatRelative(now, now); a == b {
		t.Errorf("yesterday and today both read %q", a)
	}
}

func TestSegmentAndLabelTextRoundTrip(t *testing.T) {
	for _, s := range append(append([]string{}, builtinSegments...), "Gastro") {
		if got := segmentFromText(segmentText(s)); got != s {
			t.Errorf("segment %q came back as %q", s, got)
		}
	}
	for _, l := range append(append([]string{}, builtinLabels...), "Ferienhaus") {
		if got := labelFromText(labelText(l)); got != l {
			t.Errorf("label %q came back as %q", l, got)
		}
	}
}

func TestErrorTextByCode(t *testing.T) {
	if err := LoadTranslations(); err != nil {
		t.Fatal(err)
	}
	invalid := &model.Error{Code: model.EINVALID, Fields: []model.FieldError{{Field: "emails[0].address", Key: "validation.email", Message: "bad"}}}
	seen := map[string]string{}
	for _, err := range []error{
		invalid,
		model.Errorf(model.ENOTFOUND, "x"),
		model.Errorf(model.ECONFLICT, "x"),
		model.Errorf(model.ELOCKED, "x"),
		model.Errorf(model.EINTERNAL, "x"),
	} {
		msg := errorText(err)
		code := model.ErrorCode(err)
		if other, dup := seen[msg]; dup {
			t.Errorf("codes %s and %s show the same message", code, other)
		}
		seen[msg] = code
	}
	// A damaged sync state says what to do about it.
	_, _, damaged := replica.LoadConfig(replica.NewFileStateStore(writeFile(t, "99")))
	if msg := errorText(damaged); damaged == nil || msg == errorText(model.Errorf(model.EINTERNAL, "x")) {
		t.Errorf("damaged sync state shows %q", msg)
	}
	if got, want := fieldErrorText(invalid.Fields[0]), fieldErrorText(model.FieldError{Key: "validation.email"}); got != want || got == "bad" {
		t.Errorf("got %q, want the translation of validation.email", got)
	}
}

// writeFile writes content to a new file in t's temporary folder.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
