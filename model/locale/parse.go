package locale

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/kundenkartei/kundenkartei/model"
)

// ParseAmount reads a typed amount into minor units (hundredths). It
// takes the locale's own form (1.200,50 in Germany, 1’200.50 or 1'200.50
// in Switzerland, 1,200.50 in English) and what people type besides:
// no grouping, a currency symbol or code before or after, and the other
// decimal mark when it cannot be a group separator ("12.5" in Germany is
// 12,50, "1.200" is 1 200). Empty text is 0. More than two decimals are
// an error unless they are zeros.
func (l Locale) ParseAmount(s string) (int64, error) {
	bad := model.Errorf(model.EINVALID, "invalid amount %q", s)
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	if s = trimCurrency(s); s == "" {
		return 0, bad // words only ("zwölf")
	}
	neg := false
	if r, size := firstRune(s); r == '-' || r == '−' {
		neg, s = true, trimCurrency(s[size:])
	}
	// Spaces and apostrophes only ever group digits.
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\'', '’':
			return -1
		}
		return r
	}, s)
	whole, frac, ok := l.splitDecimal(s)
	if !ok || whole == "" && frac == "" {
		return 0, bad
	}
	if whole == "" {
		whole = "0"
	}
	if strings.TrimRight(frac[min(2, len(frac)):], "0") != "" {
		return 0, bad
	}
	frac = (frac + "00")[:2]
	if !digits(whole) || !digits(frac) {
		return 0, bad
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > (1<<62)/100 {
		return 0, bad
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	n := w*100 + f
	if neg {
		n = -n
	}
	return n, nil
}

// splitDecimal finds the decimal mark among '.' and ',' and drops the
// group separators.
func (l Locale) splitDecimal(s string) (whole, frac string, ok bool) {
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	mark := byte(0)
	switch {
	case dots > 0 && commas > 0:
		// Both: the last one is the decimal mark, and it occurs once.
		mark = s[strings.LastIndexAny(s, ".,")]
	case dots+commas == 0:
	case strings.IndexByte(s, l.decimal) >= 0:
		mark = l.decimal
	default:
		// Only the locale's other mark: groups of three digits read as
		// grouping (1.200 in Germany), else a single one is the decimal.
		other := s[strings.IndexAny(s, ".,")]
		if groupedBy(s, other) {
			return strings.ReplaceAll(s, string(other), ""), "", true
		}
		mark = other
	}
	if mark == 0 {
		return s, "", true
	}
	i := strings.LastIndexByte(s, mark)
	if strings.IndexByte(s, mark) != i {
		return "", "", false
	}
	whole, frac = s[:i], s[i+1:]
	sep := byte('.')
	if mark == '.' {
		sep = ','
	}
	if strings.IndexByte(whole, sep) >= 0 && !groupedBy(whole, sep) {
		return "", "", false
	}
	return strings.ReplaceAll(whole, string(sep), ""), frac, true
}

// groupedBy reports whether sep splits s into a lead of 1–3 digits and
// groups of exactly three.
func groupedBy(s string, sep byte) bool {
	parts := strings.Split(s, string(sep))
	if len(parts) < 2 || len(parts[0]) == 0 || len(parts[0]) > 3 {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return false
		}
	}
	return true
}

// trimCurrency drops a currency symbol or code typed before or after the
// number, and surrounding space.
func trimCurrency(s string) string {
	isCur := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.Is(unicode.Sc, r) || unicode.IsSpace(r) || r == '\u202f'
	}
	return strings.TrimFunc(s, isCur)
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseInt reads a whole number with or without the locale's grouping
// ("1.200", "1’200", "1200"); empty is 0.
func (l Locale) ParseInt(s string) (int, error) {
	minor, err := l.ParseAmount(s)
	if err != nil || minor%100 != 0 {
		return 0, model.Errorf(model.EINVALID, "invalid number %q", s)
	}
	return int(minor / 100), nil
}

// DateLayout is the Go layout of a date: 02.01.2006, 01/02/2006 (en-US),
// 02/01/2006 (en-GB).
func (l Locale) DateLayout() string { return l.dateLayout }

// DateTimeLayout is the Go layout of a date with its time of day.
func (l Locale) DateTimeLayout() string { return l.dateTimeLayout }

// DayLayout is the Go layout of a day without a year: 02.01., 01/02.
func (l Locale) DayLayout() string { return l.dayLayout }

// Date formats the calendar day of t (in t's own zone).
func (l Locale) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(l.dateLayout)
}

// DateTime formats t with minutes (in t's own zone).
func (l Locale) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(l.dateTimeLayout)
}

// Day formats a calendar date; a date without a year shows day and month
// only (15.04. or 04/15).
func (l Locale) Day(d model.Date) string {
	if d.IsZero() {
		return ""
	}
	if !d.HasYear() {
		return d.Time(2000, time.UTC).Format(l.dayLayout)
	}
	return d.Time(0, time.UTC).Format(l.dateLayout)
}

// ParseDate reads a typed date: the locale's form (15.04.2026, 15.4.26 is
// not taken: two-digit years are ambiguous), with slashes in the locale's
// order (04/15/2026 in the US, 15/04/2026 in the UK), without a year
// (15.04., 04/15), and ISO 2026-04-15 everywhere. Empty is the zero Date.
func (l Locale) ParseDate(s string) (model.Date, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		return model.ParseDate(s)
	}
	bad := model.Errorf(model.EINVALID, "invalid date %q", s)
	parts := strings.Split(strings.TrimSuffix(s, "/"), "/")
	if len(parts) < 2 || len(parts) > 3 {
		return model.Date{}, bad
	}
	n := make([]int, len(parts))
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 || !digits(strings.TrimSpace(p)) {
			return model.Date{}, bad
		}
		n[i] = v
	}
	d := model.Date{Day: n[1], Month: time.Month(n[0])}
	if l.dayFirst {
		d = model.Date{Day: n[0], Month: time.Month(n[1])}
	}
	if len(n) == 3 {
		if n[2] < 100 {
			return model.Date{}, bad
		}
		d.Year = n[2]
	}
	if !d.Valid() || d.IsZero() {
		return model.Date{}, bad
	}
	return d, nil
}

// ParseDateTime reads a date and a time of day typed as the locale writes
// them (15.04.2026 09:30, 04/15/2026 9:30 AM) or in ISO form, in loc.
func (l Locale) ParseDateTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.Join(strings.Fields(s), " ")
	for _, layout := range []string{l.dateTimeLayout, l.dateTimeLayout[:len(l.dateLayout)] + " 15:04",
		"2006-01-02 15:04", "2.1.2006 15:04", "1/2/2006 3:04 PM", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	date, clock, ok := strings.Cut(s, " ")
	if ok {
		if d, err := l.ParseDate(date); err == nil && d.HasYear() {
			if t, err := time.ParseInLocation("15:04", clock, loc); err == nil {
				return time.Date(d.Year, d.Month, d.Day, t.Hour(), t.Minute(), 0, 0, loc), nil
			}
		}
	}
	return time.Time{}, model.Errorf(model.EINVALID, "invalid date and time %q", s)
}
