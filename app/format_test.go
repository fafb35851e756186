package app

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/replica"
)

// useLocale makes tag the active locale for the rest of the test.
func useLocale(tb testing.TB, tag string) {
	tb.Helper()
	prev := activeLocale.Load()
	applyLocale(model.Settings{Locale: tag})
	tb.Cleanup(func() { activeLocale.Store(prev) })
}

// TestFormatsFollowLocale checks the screens' format functions per locale:
// the "EUR 1200.50" and "1.2 Treuegesten" under German.
func TestFormatsFollowLocale(t *testing.T) {
	tests := []struct {
		tag                             string
		money, count, gestures, percent string
		date, day                       string
	}{
		{"de-DE", "1.200,50\u00a0€", "12.345", "1,2", "10\u00a0%", "07.12.2026", "15.04."},
		{"de-AT", "€\u00a01\u00a0200,50", "12\u00a0345", "1,2", "10\u00a0%", "07.12.2026", "15.04."},
		{"de-CH", "CHF\u00a01’200.50", "12’345", "1.2", "10%", "07.12.2026", "15.04."},
		{"en-US", "$1,200.50", "12,345", "1.2", "10%", "12/07/2026", "04/15"},
		{"en-GB", "£1,200.50", "12,345", "1.2", "10%", "07/12/2026", "15/04"},
	}
	at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.Local)
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			useLocale(t, tt.tag)
			l := fmtLocale()
			got := []string{formatMoney(120050, l.Currency), formatCount(12345), formatDecimal(1.2, 1),
				formatPercent(10), formatDate(at), formatDay(model.Date{Month: 4, Day: 15})}
			want := []string{tt.money, tt.count, tt.gestures, tt.percent, tt.date, tt.day}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("got %q, want %q", got[i], want[i])
				}
			}
		})
	}
}

// TestMoneyParseBack checks that an amount typed in the locale's form is
// stored as meant and shown back in the same form.
func TestMoneyParseBack(t *testing.T) {
	tests := []struct{ tag, typed, shown string }{
		{"de-DE", "1200,50", "1.200,50"},
		{"de-DE", "1.200,50", "1.200,50"},
		{"de-AT", "1.200,50", "1\u00a0200,50"},
		{"de-CH", "1'200.50", "1’200.50"},
		{"de-CH", "1200,50", "1’200.50"},
		{"en-US", "1,200.50", "1,200.50"},
		{"en-GB", "1200.5", "1,200.50"},
	}
	for _, tt := range tests {
		t.Run(tt.tag+" "+tt.typed, func(t *testing.T) {
			useLocale(t, tt.tag)
			minor, err := careParseMoney(tt.typed)
			if err != nil || minor != 120050 {
				t.Fatalf("careParseMoney(%q) = %d, %v; want 120050", tt.typed, minor, err)
			}
			if got := formatMoney(minor, ""); got != tt.shown {
				t.Errorf("shown back as %q, want %q", got, tt.shown)
			}
			if again, err := careParseMoney(formatMoney(minor, "")); err != nil || again != minor {
				t.Errorf("the shown form reads back as %d, %v", again, err)
			}
		})
	}
	if _, err := careParseMoney("-5"); err == nil {
		t.Error("a negative amount was accepted")
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

func TestFormatSize(t *testing.T) {
	tests := []struct {
		tag   string
		bytes int64
		want  string
	}{
		{"de-DE", 3_064_000_000, "2,9 GB"},
		{"en-US", 3_064_000_000, "2.9 GB"},
		{"de-DE", 50_600_000, "48,3 MB"},
		{"de-DE", 524_288, "512 KB"},
		{"de-DE", 1, "1 KB"},
		{"de-DE", 0, "0 KB"},
	}
	for _, tt := range tests {
		t.Run(tt.tag+"/"+tt.want, func(t *testing.T) {
			useLocale(t, tt.tag)
			if got := formatSize(tt.bytes); got != tt.want {
				t.Errorf("formatSize(%d): got %q, want %q", tt.bytes, got, tt.want)
			}
		})
	}
}
