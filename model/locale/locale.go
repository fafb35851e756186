// Package locale is the one place that knows how a locale writes numbers,
// money and dates, how it reads them back when typed, and which currency,
// phone region and time zone a new installation in it starts with.
//
// Numbers come from golang.org/x/text (CLDR data), so separators are the
// ones people of the locale expect: 1.200,50 in Germany, 1 200,50 in
// Austria, 1’200.50 in Switzerland, 1,200.50 in the US and the UK. Where
// x/text has no pattern (the place of the currency symbol: it always puts
// the symbol first with a space), the rule is written here, per locale.
//
// The package imports model only; it knows nothing of Fyne or storage.
package locale

import (
	"strings"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Supported are the locales with rules of their own, in the order Settings
// offers them.
var Supported = []string{"de-DE", "de-AT", "de-CH", "en-US", "en-GB"}

// Locale formats and parses numbers, money and dates the way one locale
// writes them, and names its defaults. The zero value is not usable; get
// one with Get or Pick.
type Locale struct {
	// Tag is the BCP 47 tag of the locale, one of Supported.
	Tag string
	// Currency is the ISO 4217 code new amounts start with, e.g. "EUR".
	Currency string
	// Region is the country phone numbers without a country code belong
	// to, e.g. "DE".
	Region string
	// Zone is the IANA time zone used when the system's cannot be read.
	Zone string

	printer *message.Printer
	decimal byte // '.' or ','
	group   string

	dateLayout, dateTimeLayout, dayLayout string
	dayFirst                              bool // 15/04/2026 rather than 04/15/2026
	symbolAfter                           bool // 1.200,50 € rather than € 1 200,50
}

// rules are what x/text does not tell: the date layouts, the place of the
// currency symbol and the defaults.
var rules = map[string]Locale{
	"de-DE": {Currency: "EUR", Region: "DE", Zone: "Europe/Berlin",
		dateLayout: "02.01.2006", dateTimeLayout: "02.01.2006 15:04", dayLayout: "02.01.", dayFirst: true, symbolAfter: true},
	"de-AT": {Currency: "EUR", Region: "AT", Zone: "Europe/Vienna",
		dateLayout: "02.01.2006", dateTimeLayout: "02.01.2006 15:04", dayLayout: "02.01.", dayFirst: true},
	"de-CH": {Currency: "CHF", Region: "CH", Zone: "Europe/Zurich",
		dateLayout: "02.01.2006", dateTimeLayout: "02.01.2006 15:04", dayLayout: "02.01.", dayFirst: true},
	"en-US": {Currency: "USD", Region: "US", Zone: "America/New_York",
		dateLayout: "01/02/2006", dateTimeLayout: "01/02/2006 3:04 PM", dayLayout: "01/02"},
	"en-GB": {Currency: "GBP", Region: "GB", Zone: "Europe/London",
		dateLayout: "02/01/2006", dateTimeLayout: "02/01/2006 15:04", dayLayout: "02/01", dayFirst: true},
}

var cache = func() map[string]Locale {
	m := make(map[string]Locale, len(rules))
	for tag, l := range rules {
		l.Tag = tag
		l.printer = message.NewPrinter(language.MustParse(tag))
		// Read the separators from x/text's own output, so parsing
		// accepts exactly what formatting writes.
		probe := l.printer.Sprint(number.Decimal(1234.5, number.Scale(1)))
		l.decimal = probe[len(probe)-2]
		l.group = strings.TrimSuffix(strings.TrimPrefix(probe, "1"), "234"+probe[len(probe)-2:])
		m[tag] = l
	}
	return m
}()

// Get returns the locale for a tag as systems write it ("de_CH.UTF-8",
// "de-AT", "en", "fr-CH"). A known language with an unknown country gets
// that language's locale (de → de-DE; en in any country but the US →
// en-GB, bare "en" → en-US); an unknown language gets the locale of its
// country if there is one (fr-CH → de-CH), and en-US otherwise.
func Get(tag string) Locale {
	lng, region := split(tag)
	if l, ok := cache[lng+"-"+region]; ok {
		return l
	}
	switch lng {
	case "de":
		if region == "LI" {
			return cache["de-CH"] // Liechtenstein pays in francs
		}
		return cache["de-DE"]
	case "en":
		if region == "" {
			return cache["en-US"]
		}
		return cache["en-GB"]
	}
	for _, t := range Supported {
		if strings.HasSuffix(t, "-"+region) && region != "" {
			return cache[t]
		}
	}
	return cache["en-US"]
}

// Pick chooses the locale of formats: the setting when there is one,
// otherwise the user interface language with the system's country, so
// that a German user interface on a Swiss system writes 1’200.50 and an
// English one on a German system writes 1,200.50 with German defaults
// of currency and zone still following the country.
func Pick(setting, system, uiLanguage string) Locale {
	if strings.TrimSpace(setting) != "" {
		return Get(setting)
	}
	lng, region := split(system)
	if uiLanguage != "" {
		lng = strings.ToLower(uiLanguage)
	}
	return Get(lng + "-" + region)
}

// split reads "de_CH.UTF-8@euro" as ("de", "CH").
func split(tag string) (lng, region string) {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, ".@"); i >= 0 {
		tag = tag[:i]
	}
	parts := strings.FieldsFunc(tag, func(r rune) bool { return r == '-' || r == '_' })
	if len(parts) == 0 {
		return "", ""
	}
	lng = strings.ToLower(parts[0])
	for _, p := range parts[1:] {
		if len(p) == 2 { // skip scripts such as Latn
			region = strings.ToUpper(p)
			break
		}
	}
	return lng, region
}

// Language is the language part of the tag, "de" or "en".
func (l Locale) Language() string { return l.Tag[:2] }

// Int formats a whole number with the locale's grouping: 12.345 (de-DE),
// 12’345 (de-CH), 12 345 (de-AT, no-break space), 12,345 (en).
func (l Locale) Int(n int) string { return l.printer.Sprint(number.Decimal(n)) }

// Decimal formats f with exactly places decimals: 1,2 (de-DE), 1.2 (de-CH).
func (l Locale) Decimal(f float64, places int) string {
	return l.printer.Sprint(number.Decimal(f, number.Scale(places)))
}

// Percent formats a whole percentage: 10 % (de-DE, de-AT), 10% elsewhere.
func (l Locale) Percent(p int) string {
	return l.printer.Sprint(number.Percent(float64(p) / 100))
}

// Amount formats minor units (hundredths) without a currency: 1.200,50.
func (l Locale) Amount(minor int64) string {
	return l.printer.Sprint(number.Decimal(float64(minor)/100, number.Scale(2)))
}

// Money formats minor units with the currency's symbol where the locale
// puts it: 1.200,50 € (de-DE), € 1 200,50 (de-AT), CHF 1’200.50 (de-CH),
// $1,200.50 (en-US), £1,200.50 (en-GB). An empty currency gives the bare
// amount; an unknown code is written as it is.
func (l Locale) Money(minor int64, cur string) string {
	amount := l.Amount(minor)
	cur = strings.TrimSpace(cur)
	if cur == "" {
		return amount
	}
	sym := l.Symbol(cur)
	switch {
	case l.symbolAfter:
		return amount + "\u00a0" + sym
	case l.Language() == "en" && len([]rune(sym)) == 1 || strings.HasSuffix(sym, "$"):
		if strings.HasPrefix(amount, "-") {
			return "-" + sym + amount[1:]
		}
		return sym + amount
	}
	return sym + "\u00a0" + amount
}

// Symbol is the locale's symbol of an ISO currency code (€, CHF, $, £);
// an unknown code comes back as it is.
func (l Locale) Symbol(cur string) string {
	u, err := currency.ParseISO(cur)
	if err != nil {
		return cur
	}
	return l.printer.Sprint(currency.Symbol(u))
}

// ValidCurrency reports whether code is an ISO 4217 currency code.
func ValidCurrency(code string) bool {
	_, err := currency.ParseISO(strings.TrimSpace(code))
	return err == nil && len(strings.TrimSpace(code)) == 3
}
