package locale

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

const nbsp = "\u00a0"

func TestFormats(t *testing.T) {
	tests := []struct {
		name, tag                   string
		money, bare, count, dec1    string
		pct, date, dateTime, noYear string
	}{
		{name: "Germany", tag: "de-DE", money: "1.200,50" + nbsp + "€", bare: "1.200,50", count: "12.345", dec1: "1,2",
			pct: "10" + nbsp + "%", date: "07.12.2026", dateTime: "07.12.2026 14:05", noYear: "15.04."},
		{name: "Austria", tag: "de-AT", money: "€" + nbsp + "1" + nbsp + "200,50", bare: "1" + nbsp + "200,50", count: "12" + nbsp + "345", dec1: "1,2",
			pct: "10" + nbsp + "%", date: "07.12.2026", dateTime: "07.12.2026 14:05", noYear: "15.04."},
		{name: "Switzerland", tag: "de-CH", money: "CHF" + nbsp + "1’200.50", bare: "1’200.50", count: "12’345", dec1: "1.2",
			pct: "10%", date: "07.12.2026", dateTime: "07.12.2026 14:05", noYear: "15.04."},
		{name: "United States", tag: "en-US", money: "$1,200.50", bare: "1,200.50", count: "12,345", dec1: "1.2",
			pct: "10%", date: "12/07/2026", dateTime: "12/07/2026 2:05 PM", noYear: "04/15"},
		{name: "United Kingdom", tag: "en-GB", money: "£1,200.50", bare: "1,200.50", count: "12,345", dec1: "1.2",
			pct: "10%", date: "07/12/2026", dateTime: "07/12/2026 14:05", noYear: "15/04"},
	}
	at := time.Date(2026, 12, 7, 14, 5, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Get(tt.tag)
			check := func(what, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s: got %q, want %q", what, got, want)
				}
			}
			check("money", l.Money(120050, l.Currency), tt.money)
			check("amount", l.Amount(120050), tt.bare)
			check("count", l.Int(12345), tt.count)
			check("decimal", l.Decimal(1.2, 1), tt.dec1)
			check("percent", l.Percent(10), tt.pct)
			check("date", l.Date(at), tt.date)
			check("date and time", l.DateTime(at), tt.dateTime)
			check("day without year", l.Day(model.Date{Month: 4, Day: 15}), tt.noYear)
			check("day", l.Day(model.Date{Year: 2026, Month: 12, Day: 7}), tt.date)
		})
	}
}

func TestMoneyOtherCurrencies(t *testing.T) {
	tests := []struct {
		name, tag, cur string
		minor          int64
		want           string
	}{
		{name: "francs in Germany", tag: "de-DE", cur: "CHF", minor: 5000, want: "50,00" + nbsp + "CHF"},
		{name: "euros in Switzerland", tag: "de-CH", cur: "EUR", minor: 5000, want: "EUR" + nbsp + "50.00"},
		{name: "francs in the US", tag: "en-US", cur: "CHF", minor: 5000, want: "CHF" + nbsp + "50.00"},
		{name: "negative dollars", tag: "en-US", cur: "USD", minor: -150, want: "-$1.50"},
		{name: "unknown code stays", tag: "de-DE", cur: "XYZ1", minor: 100, want: "1,00" + nbsp + "XYZ1"},
		{name: "no currency", tag: "de-CH", cur: "", minor: 100, want: "1.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Get(tt.tag).Money(tt.minor, tt.cur); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		name, tag, in string
		want          int64
		bad           bool
	}{
		{name: "German grouped", tag: "de-DE", in: "1.200,50", want: 120050},
		{name: "German plain comma", tag: "de-DE", in: "1200,50", want: 120050},
		{name: "German dot as grouping", tag: "de-DE", in: "1.200", want: 120000},
		{name: "German dot as decimal when it cannot group", tag: "de-DE", in: "12.5", want: 1250},
		{name: "German with euro sign", tag: "de-DE", in: "1.200,50 €", want: 120050},
		{name: "German comma with three decimals is too precise", tag: "de-DE", in: "1,234", bad: true},
		{name: "German trailing zero decimals", tag: "de-DE", in: "1,500", want: 150},
		{name: "Austrian no-break space", tag: "de-AT", in: "1" + nbsp + "200,50", want: 120050},
		{name: "Austrian with dots", tag: "de-AT", in: "€ 1.200,50", want: 120050},
		{name: "Swiss typographic apostrophe", tag: "de-CH", in: "1’200.50", want: 120050},
		{name: "Swiss typed apostrophe", tag: "de-CH", in: "1'200.50", want: 120050},
		{name: "Swiss with code", tag: "de-CH", in: "CHF 1'200.50", want: 120050},
		{name: "Swiss comma decimal", tag: "de-CH", in: "1200,50", want: 120050},
		{name: "English grouped", tag: "en-US", in: "1,200.50", want: 120050},
		{name: "English dollar", tag: "en-US", in: "$1,200.50", want: 120050},
		{name: "English comma grouping only", tag: "en-GB", in: "1,200", want: 120000},
		{name: "English German form", tag: "en-GB", in: "1.200,50", want: 120050},
		{name: "whole", tag: "en-US", in: "50", want: 5000},
		{name: "empty", tag: "de-DE", in: "  ", want: 0},
		{name: "negative", tag: "de-DE", in: "-3,5", want: -350},
		{name: "two decimal marks", tag: "de-DE", in: "1,2,3", bad: true},
		{name: "bad grouping", tag: "en-US", in: "12,34.5", bad: true},
		{name: "letters inside", tag: "de-DE", in: "12x5", bad: true},
		{name: "mark only", tag: "de-DE", in: ",", bad: true},
		{name: "a word", tag: "de-DE", in: "zwölf", bad: true},
		{name: "a sign only", tag: "en-US", in: "-", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Get(tt.tag).ParseAmount(tt.in)
			if tt.bad {
				if model.ErrorCode(err) != model.EINVALID {
					t.Errorf("ParseAmount(%q) = %d, %v; want EINVALID", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseAmount(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestAmountRoundTrip checks that every locale reads back what it writes,
// so an amount shown in a form and saved unchanged stays the same.
func TestAmountRoundTrip(t *testing.T) {
	values := []int64{0, 1, 50, 999, 5000, 120050, 123456789, -120050}
	for _, tag := range Supported {
		l := Get(tag)
		for _, v := range values {
			for _, text := range []string{l.Amount(v), l.Money(v, l.Currency), l.Money(v, "CHF")} {
				got, err := l.ParseAmount(text)
				if err != nil || got != v {
					t.Errorf("%s: ParseAmount(%q) = %d, %v; want %d", tag, text, got, err, v)
				}
			}
		}
		for _, n := range []int{0, 7, 1234, 1234567} {
			if got, err := l.ParseInt(l.Int(n)); err != nil || got != n {
				t.Errorf("%s: ParseInt(%q) = %d, %v; want %d", tag, l.Int(n), got, err, n)
			}
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		name, tag, in string
		want          model.Date
		bad           bool
	}{
		{name: "German", tag: "de-DE", in: "15.04.2026", want: model.Date{Year: 2026, Month: 4, Day: 15}},
		{name: "German short", tag: "de-CH", in: "5.4.2026", want: model.Date{Year: 2026, Month: 4, Day: 5}},
		{name: "German no year", tag: "de-AT", in: "15.04.", want: model.Date{Month: 4, Day: 15}},
		{name: "ISO anywhere", tag: "en-US", in: "2026-04-15", want: model.Date{Year: 2026, Month: 4, Day: 15}},
		{name: "US month first", tag: "en-US", in: "04/15/2026", want: model.Date{Year: 2026, Month: 4, Day: 15}},
		{name: "UK day first", tag: "en-GB", in: "15/04/2026", want: model.Date{Year: 2026, Month: 4, Day: 15}},
		{name: "US no year", tag: "en-US", in: "04/15", want: model.Date{Month: 4, Day: 15}},
		{name: "UK day first rejects month 15", tag: "en-GB", in: "04/15/2026", bad: true},
		{name: "two-digit year", tag: "en-GB", in: "15/04/26", bad: true},
		{name: "empty", tag: "de-DE", in: "", want: model.Date{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Get(tt.tag).ParseDate(tt.in)
			if tt.bad {
				if err == nil {
					t.Errorf("ParseDate(%q) = %v; want an error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestDateRoundTrip(t *testing.T) {
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 9, 16, 45, 0, 0, zurich)
	for _, tag := range Supported {
		l := Get(tag)
		d, err := l.ParseDate(l.Date(at))
		if err != nil || d != (model.Date{Year: 2026, Month: 3, Day: 9}) {
			t.Errorf("%s: ParseDate(%q) = %v, %v", tag, l.Date(at), d, err)
		}
		got, err := l.ParseDateTime(l.DateTime(at), zurich)
		if err != nil || !got.Equal(at) {
			t.Errorf("%s: ParseDateTime(%q) = %v, %v; want %v", tag, l.DateTime(at), got, err, at)
		}
		noYear := model.Date{Month: 11, Day: 3}
		if d, err := l.ParseDate(l.Day(noYear)); err != nil || d != noYear {
			t.Errorf("%s: ParseDate(%q) = %v, %v; want %v", tag, l.Day(noYear), d, err, noYear)
		}
	}
}

func TestGetAndDefaults(t *testing.T) {
	tests := []struct {
		in                          string
		tag, currency, region, zone string
	}{
		{in: "de_DE.UTF-8", tag: "de-DE", currency: "EUR", region: "DE", zone: "Europe/Berlin"},
		{in: "de_AT", tag: "de-AT", currency: "EUR", region: "AT", zone: "Europe/Vienna"},
		{in: "de-CH", tag: "de-CH", currency: "CHF", region: "CH", zone: "Europe/Zurich"},
		{in: "en_US.UTF-8", tag: "en-US", currency: "USD", region: "US", zone: "America/New_York"},
		{in: "en-GB", tag: "en-GB", currency: "GBP", region: "GB", zone: "Europe/London"},
		{in: "de", tag: "de-DE", currency: "EUR", region: "DE", zone: "Europe/Berlin"},
		{in: "de_LI", tag: "de-CH", currency: "CHF", region: "CH", zone: "Europe/Zurich"},
		{in: "en", tag: "en-US", currency: "USD", region: "US", zone: "America/New_York"},
		{in: "en_IE", tag: "en-GB", currency: "GBP", region: "GB", zone: "Europe/London"},
		{in: "fr_CH.UTF-8", tag: "de-CH", currency: "CHF", region: "CH", zone: "Europe/Zurich"},
		{in: "C", tag: "en-US", currency: "USD", region: "US", zone: "America/New_York"},
		{in: "", tag: "en-US", currency: "USD", region: "US", zone: "America/New_York"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			l := Get(tt.in)
			got := [4]string{l.Tag, l.Currency, l.Region, l.Zone}
			if want := [4]string{tt.tag, tt.currency, tt.region, tt.zone}; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
			if !ValidCurrency(l.Currency) {
				t.Errorf("default currency %q is no ISO code", l.Currency)
			}
			if _, err := time.LoadLocation(l.Zone); err != nil {
				t.Errorf("default zone %q: %v", l.Zone, err)
			}
		})
	}
}

func TestPick(t *testing.T) {
	tests := []struct {
		name, setting, system, ui, want string
	}{
		{name: "setting wins", setting: "en-GB", system: "de_CH.UTF-8", ui: "de", want: "en-GB"},
		{name: "system locale", system: "de_AT.UTF-8", want: "de-AT"},
		{name: "German UI on a Swiss system", system: "fr_CH.UTF-8", ui: "de", want: "de-CH"},
		{name: "English UI on a German system", system: "de_DE.UTF-8", ui: "en", want: "en-GB"},
		{name: "English UI on a US system", system: "en_US.UTF-8", ui: "en", want: "en-US"},
		{name: "German UI without a country", system: "C", ui: "de", want: "de-DE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Pick(tt.setting, tt.system, tt.ui).Tag; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSystemZone(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
	windowsLike := time.FixedZone("Local", 0)
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	cands := []string{"Europe/Zurich", "Europe/Berlin", "Europe/London", "America/New_York"}
	tests := []struct {
		name, tz, target string
		local            *time.Location
		want             string
	}{
		{name: "TZ", tz: "Europe/Vienna", local: time.UTC, want: "Europe/Vienna"},
		{name: "TZ with colon", tz: ":Europe/Vienna", local: time.UTC, want: "Europe/Vienna"},
		{name: "bad TZ falls through", tz: "Mars/Olympus", target: "/usr/share/zoneinfo/Europe/Berlin", want: "Europe/Berlin"},
		{name: "localtime link", target: "/usr/share/zoneinfo/America/New_York", want: "America/New_York"},
		{name: "named local", local: ny, want: "America/New_York"},
		{name: "Windows: first candidate with the same rules", local: renamed(t, berlin), want: "Europe/Zurich"},
		{name: "Windows: New York rules", local: renamed(t, ny), want: "America/New_York"},
		{name: "no match", local: windowsLike, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SystemZone(tt.tz, tt.target, tt.local, cands, now); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// renamed is loc under the name "Local", as time.Local is on Windows:
// the rules without the IANA name.
func renamed(t *testing.T, loc *time.Location) *time.Location {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("/usr/share/zoneinfo", loc.String()))
	if err != nil {
		t.Skipf("no zoneinfo file: %v", err)
	}
	l, err := time.LoadLocationFromTZData("Local", data)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestPlanningZone(t *testing.T) {
	de := Get("de-DE")
	tests := []struct {
		name, setting, system, want string
	}{
		{name: "setting", setting: "Europe/Vienna", system: "Europe/Berlin", want: "Europe/Vienna"},
		{name: "bad setting, system", setting: "Nowhere/Land", system: "Europe/Zurich", want: "Europe/Zurich"},
		{name: "system", system: "America/Chicago", want: "America/Chicago"},
		{name: "system UTC is not trusted", system: "Etc/UTC", want: "Europe/Berlin"},
		{name: "nothing", want: "Europe/Berlin"},
		{name: "UTC chosen in settings", setting: "UTC", system: "Europe/Berlin", want: "UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := de.PlanningZone(tt.setting, tt.system); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
