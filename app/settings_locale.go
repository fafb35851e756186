package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/model/locale"
)

// localeFields are the settings of formats and the defaults that follow
// them: which locale numbers, amounts and dates are written in, and the
// currency new gestures start with. Phone region and time zone, the other
// two defaults, have their own fields; choosing another locale moves the
// region along while it still is the old locale's.
type localeFields struct {
	locale   *widget.Select
	tags     []string // "" (system) and locale.Supported, in the order shown
	currency *widget.SelectEntry
	region   *widget.SelectEntry
	timeZone *widget.SelectEntry
	current  locale.Locale // of the selected entry, for the region to follow
}

// currencies offered; any ISO 4217 code may be typed.
var currencies = []string{"EUR", "CHF", "USD", "GBP"}

func newLocaleFields(region, timeZone *widget.SelectEntry) *localeFields {
	f := &localeFields{region: region, timeZone: timeZone, tags: append([]string{""}, locale.Supported...)}
	labels := make([]string, len(f.tags))
	for i, t := range f.tags {
		labels[i] = localeText(t)
	}
	f.locale = widget.NewSelect(labels, func(string) { f.onLocale() })
	f.currency = widget.NewSelectEntry(currencies)
	return f
}

// selected is the tag of the chosen entry ("" for the system's).
func (f *localeFields) selected() string {
	if i := f.locale.SelectedIndex(); i > 0 {
		return f.tags[i]
	}
	return ""
}

// onLocale updates the hints to the chosen locale's defaults and moves the
// phone region along when it was the old locale's default.
func (f *localeFields) onLocale() {
	next := pickLocale(f.selected())
	if f.current.Tag != "" && strings.EqualFold(strings.TrimSpace(f.region.Text), f.current.Region) {
		f.region.SetText(next.Region)
	}
	f.current = next
	f.currency.SetPlaceHolder(lang.X("locale.settings.currency.hint", "empty: {{.Currency}}, the currency of the format",
		map[string]any{"Currency": next.Currency}))
	f.timeZone.SetPlaceHolder(lang.X("locale.settings.zone.hint", "empty: automatic, now {{.Zone}}",
		map[string]any{"Zone": next.PlanningZone("", systemZoneName(next))}))
}

// add puts the fields into the settings form.
func (f *localeFields) add(add func(label string, obj fyne.CanvasObject, field, help string)) {
	add(lang.X("locale.settings.formats", "Formats"), f.locale, "locale",
		lang.X("locale.settings.formats.help", "How numbers, amounts and dates are written and read."))
	add(lang.X("locale.settings.currency", "Currency"), f.currency, "currency",
		lang.X("locale.settings.currency.help", "New gestures start with this currency."))
}

func (f *localeFields) load(st model.Settings) {
	f.current = locale.Locale{}
	idx := 0
	for i, t := range f.tags {
		if t != "" && t == locale.Get(st.Locale).Tag && st.Locale != "" {
			idx = i
		}
	}
	f.locale.SetSelectedIndex(idx)
	f.current = pickLocale(f.selected())
	f.currency.SetText(st.Currency)
}

// read stores the fields in st; a currency that is no ISO code is an error.
func (f *localeFields) read(st *model.Settings) []model.FieldError {
	st.Locale = f.selected()
	st.Currency = strings.ToUpper(strings.TrimSpace(f.currency.Text))
	if st.Currency != "" && !locale.ValidCurrency(st.Currency) {
		return []model.FieldError{{Field: "currency", Key: "locale.settings.error.currency", Message: "currency must be an ISO code such as EUR or CHF"}}
	}
	return nil
}
