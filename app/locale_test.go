package app

import (
	"image/color"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestGestureDialogHintsAreNoValues checks point 3 of issue 19: every
// placeholder of the gesture dialog reads as a hint, none is taken as a
// value, and a validity typed or picked in the calendar is what is saved.
func TestGestureDialogHintsAreNoValues(t *testing.T) {
	f := newCareFixture(t)
	useLocale(t, "de-DE")
	c := f.customer(model.Customer{GivenName: "Rita", FamilyName: "Treu"})
	form := newGestureForm(f.e, c.ID, nil)
	form.show()

	hints := map[string]string{
		"percent":     form.percent.PlaceHolder,
		"amount":      form.amount.PlaceHolder,
		"cost":        form.cost.PlaceHolder,
		"valid from":  form.validFrom.PlaceHolder,
		"valid until": form.validUntil.PlaceHolder,
	}
	for field, hint := range hints {
		if hint == "" {
			t.Errorf("%s: no hint", field)
			continue
		}
		// A hint a user could mistake for a value would parse as one.
		if _, err := careParseMoney(hint); err == nil {
			t.Errorf("%s: hint %q reads as an amount", field, hint)
		}
		if d, err := fmtLocale().ParseDate(hint); err == nil && !d.IsZero() {
			t.Errorf("%s: hint %q reads as a date", field, hint)
		}
	}
	if got, want := form.amount.PlaceHolder, "e.g. 50,00"; got != want {
		t.Errorf("amount hint: got %q, want %q (German decimal comma)", got, want)
	}
	if got := form.validUntil.PlaceHolder; !strings.Contains(got, "DD.MM.YYYY") || !strings.Contains(got, "no end") {
		t.Errorf("valid-until hint: got %q, want the pattern and what empty means", got)
	}
	for field, e := range map[string]*dateEntry{"valid from": form.validFrom, "valid until": form.validUntil} {
		if e.Text != "" {
			t.Errorf("%s: new gesture starts with %q, want an empty field", field, e.Text)
		}
	}

	test.Type(form.title, "Gutschein")
	test.Type(form.validFrom, "1.12.2026")
	// The end date is picked in the calendar under the field.
	test.Tap(form.validUntil.ActionItem.(*widget.Button))
	if form.validUntil.calendar == nil || !form.validUntil.popUp.Visible() {
		t.Fatal("the calendar button shows no calendar")
	}
	form.validUntil.calendar.OnChanged(time.Date(2027, 1, 31, 0, 0, 0, 0, time.Local))
	if got, want := form.validUntil.Text, "31.01.2027"; got != want {
		t.Errorf("picked date: got %q, want %q", got, want)
	}
	if form.validUntil.popUp.Visible() {
		t.Error("the calendar stays open after a day was picked")
	}

	// A validity that is not a date stops the save and says so under the
	// field; nothing is stored without it.
	form.validFrom.SetText("1.13.2026")
	form.onSave()
	if form.form.message("valid_from") == "" {
		t.Fatal("a wrong validity date was not reported")
	}
	if gs, _ := f.db.Gestures(model.GestureFilter{CustomerID: c.ID}); len(gs) != 0 {
		t.Fatalf("stored %d gestures with a wrong date, want 0", len(gs))
	}
	form.validFrom.SetText("1.12.2026")
	test.Type(form.percent, formatPercent(10)) // typed as it is shown
	form.onSave()
	gs, err := f.db.Gestures(model.GestureFilter{CustomerID: c.ID})
	if err != nil || len(gs) != 1 {
		t.Fatalf("stored gestures: got %d (%v), want 1", len(gs), err)
	}
	if g := gs[0]; g.ValidFrom != (model.Date{Year: 2026, Month: 12, Day: 1}) || g.ValidUntil != (model.Date{Year: 2027, Month: 1, Day: 31}) {
		t.Errorf("stored validity %v – %v, want 2026-12-01 – 2027-01-31", g.ValidFrom, g.ValidUntil)
	}
	if got := gs[0].Percent; got != 10 {
		t.Errorf("percent typed as %q: stored %d, want 10", formatPercent(10), got)
	}

	// Shown again, the stored dates and amounts are in the locale's form.
	gs[0].Amount = 120050
	again := newGestureForm(f.e, c.ID, &gs[0])
	if got, want := again.validUntil.Text, "31.01.2027"; got != want {
		t.Errorf("edit form valid until: got %q, want %q", got, want)
	}
	if got, want := again.amount.Text, "1.200,50"; got != want {
		t.Errorf("edit form amount: got %q, want %q", got, want)
	}
}

// TestDefaultsFollowLocale checks that new gestures and follow-ups start
// with the locale's currency and zone, that the settings override both,
// and that a system zone of UTC does not reach new follow-ups.
func TestDefaultsFollowLocale(t *testing.T) {
	tests := []struct {
		tag, currency, zone string
	}{
		{"de-DE", "EUR", "Europe/Berlin"},
		{"de-AT", "EUR", "Europe/Vienna"},
		{"de-CH", "CHF", "Europe/Zurich"},
		{"en-US", "USD", "America/New_York"},
		{"en-GB", "GBP", "Europe/London"},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			f := newCareFixture(t)
			t.Setenv("TZ", "Etc/UTC") // a container's zone: says nothing about the business
			f.settings.TimeZone = ""
			useLocale(t, tt.tag)
			c := f.customer(model.Customer{GivenName: "Rita", FamilyName: "Treu"})
			g := newGestureForm(f.e, c.ID, nil)
			if got := g.currency.Text; got != tt.currency {
				t.Errorf("gesture currency: got %q, want %q", got, tt.currency)
			}
			fu := newFollowUpForm(f.e, c.ID, nil)
			fu.show()
			test.Type(fu.title, "Anrufen")
			fu.onSave()
			stored, err := f.db.FollowUps(model.FollowUpFilter{CustomerID: c.ID})
			if err != nil || len(stored) != 1 {
				t.Fatalf("follow-ups: got %d (%v), want 1", len(stored), err)
			}
			if got := stored[0].TZ; got != tt.zone {
				t.Errorf("follow-up zone: got %q, want %q", got, tt.zone)
			}
			fu.dlg.Hide()

			// The settings win over the locale.
			f.settings.Currency, f.settings.TimeZone = "SEK", "Europe/Stockholm"
			if got := newGestureForm(f.e, c.ID, nil).currency.Text; got != "SEK" {
				t.Errorf("currency setting: got %q, want SEK", got)
			}
			if name, _ := careZone(f.settings.TimeZone); name != "Europe/Stockholm" {
				t.Errorf("zone setting: got %q, want Europe/Stockholm", name)
			}
			// A real system zone wins over the locale's.
			t.Setenv("TZ", "America/Chicago")
			if name, _ := careZone(""); name != "America/Chicago" {
				t.Errorf("system zone: got %q, want America/Chicago", name)
			}
		})
	}
}

// TestDateFieldsAreDateEntries checks that the follow-up date is Fyne's
// DateEntry in the locale's form: a date typed as the locale writes it is
// saved, and the field shows the stored date back the same way.
func TestDateFieldsAreDateEntries(t *testing.T) {
	f := newCareFixture(t)
	useLocale(t, "en-US")
	c := f.customer(model.Customer{GivenName: "Peter", FamilyName: "Keller"})
	form := newFollowUpForm(f.e, c.ID, nil)
	var _ *widget.DateEntry = &form.date.DateEntry
	form.show()
	test.Type(form.title, "Offer")
	form.date.SetText("")
	test.Type(form.date, "12/24/2026")
	if form.date.Date == nil || form.date.Date.Day() != 24 || form.date.Date.Month() != 12 {
		t.Errorf("DateEntry.Date after typing: got %v, want Dec 24", form.date.Date)
	}
	if err := form.date.Validate(); err != nil {
		t.Errorf("the typed date fails the field's check: %v", err)
	}
	form.date.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	stored, err := f.db.FollowUps(model.FollowUpFilter{CustomerID: c.ID})
	if err != nil || len(stored) != 1 {
		t.Fatalf("follow-ups: got %d (%v), want 1", len(stored), err)
	}
	if d := stored[0].LocalDue(); d.Month() != 12 || d.Day() != 24 {
		t.Errorf("due: got %v, want December 24", d)
	}
	again := newFollowUpForm(f.e, c.ID, &stored[0])
	if got, want := again.date.Text, "12/24/2026"; got != want {
		t.Errorf("shown back: got %q, want %q", got, want)
	}
	// Fyne's own layout for the US is the same; for Switzerland it would be
	// 02/01/2006, which is why the layout is the locale's.
	useLocale(t, "de-CH")
	ch := newDateEntry()
	test.NewTempWindow(t, ch)
	test.Type(ch, "24.12.2026")
	if err := ch.Validate(); err != nil || ch.Date == nil {
		t.Errorf("Swiss date: Validate %v, Date %v", err, ch.Date)
	}
}

// TestSettingsChooseLocale checks the Formats and Currency settings: the
// phone region follows a new locale while it was the old one's default,
// a wrong currency code is refused, and after saving every format of the
// window follows the chosen locale.
func TestSettingsChooseLocale(t *testing.T) {
	useLocale(t, "") // restores the formats of the other tests afterwards
	f := newShellFixture(t, Options{DBPath: "/tmp/k.db"}, nil)
	s := f.ui.settingsView
	f.ui.tabs.Select(f.ui.tabs.Items[len(f.ui.tabs.Items)-1])
	if got := s.locale.locale.SelectedIndex(); got != 0 {
		t.Fatalf("formats of a new database: got entry %d, want 0 (as the system)", got)
	}
	s.region.SetText(fmtLocale().Region) // the system locale's default
	s.locale.locale.SetSelected(localeText("de-AT"))
	if got := s.region.Text; got != "AT" {
		t.Errorf("region after choosing de-AT: got %q, want AT", got)
	}
	if got := s.locale.currency.PlaceHolder; !strings.Contains(got, "EUR") {
		t.Errorf("currency hint: got %q, want the locale's EUR", got)
	}
	if got := s.timeZone.PlaceHolder; !strings.Contains(got, "/") {
		t.Errorf("time zone hint: got %q, want the zone empty stands for", got)
	}
	s.region.SetText("DE") // chosen by hand: stays when the locale changes
	s.locale.locale.SetSelected(localeText("de-CH"))
	if got := s.region.Text; got != "DE" {
		t.Errorf("a region set by hand moved to %q", got)
	}
	s.locale.locale.SetSelected(localeText("de-AT"))

	s.locale.currency.SetText("EURO")
	test.Tap(s.save)
	if !s.errs["currency"].Visible() {
		t.Fatal("currency EURO accepted without a message")
	}
	s.locale.currency.SetText("")
	test.Tap(s.save)
	if s.errs["currency"].Visible() {
		t.Fatalf("message still shown: %q", s.errs["currency"].Text)
	}
	st, err := f.db.Settings()
	if err != nil || st.Locale != "de-AT" || st.Currency != "" || st.Region != "DE" {
		t.Fatalf("stored %+v (%v), want locale de-AT, no currency, region DE", st, err)
	}
	if got, want := formatCount(12345), "12\u00a0345"; got != want {
		t.Errorf("after saving, counts read %q, want %q", got, want)
	}
	if got := defaultCurrency(st); got != "EUR" {
		t.Errorf("default currency: got %q, want EUR", got)
	}
	s2 := newSettingsScreen(f.ui.env, Options{})
	s2.build()
	if got := s2.locale.selected(); got != "de-AT" {
		t.Errorf("reloaded formats: got %q, want de-AT", got)
	}
}

// TestHintsStandApartInTheDarkTheme checks that hints in the dark theme
// are clearly dimmer than typed text, and still readable on the field.
func TestHintsStandApartInTheDarkTheme(t *testing.T) {
	th := newHintTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		hint := th.Color(theme.ColorNamePlaceHolder, v)
		field := th.Color(theme.ColorNameInputBackground, v)
		text := th.Color(theme.ColorNameForeground, v)
		if c := contrast(hint, field); c < 3 {
			t.Errorf("variant %d: hint on field contrast %.1f, want at least 3", v, c)
		}
		if v == theme.VariantDark {
			if c := contrast(hint, field); c < 4.5 {
				t.Errorf("dark: hint on field contrast %.1f, want at least 4.5", c)
			}
			if c := contrast(text, hint); c < 2.5 {
				t.Errorf("dark: typed text and hint differ by contrast %.1f, want at least 2.5", c)
			}
		}
	}
}

// Help lines and empty-list explanations are low-importance labels, drawn
// in the disabled colour: readable on the background, dimmer than text.
func TestLowImportanceTextIsReadable(t *testing.T) {
	th := newHintTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		low := th.Color(theme.ColorNameDisabled, v)
		bg := th.Color(theme.ColorNameBackground, v)
		text := th.Color(theme.ColorNameForeground, v)
		if c := contrast(low, bg); c < 2.5 {
			t.Errorf("variant %d: low-importance text on the background at contrast %.1f, want at least 2.5", v, c)
		}
		if contrast(low, bg) >= contrast(text, bg) {
			t.Errorf("variant %d: low-importance text as strong as text, want it dimmer", v)
		}
	}
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, b, _ := c.RGBA()
		lin := func(v uint32) float64 {
			s := float64(v) / 0xffff
			if s <= 0.03928 {
				return s / 12.92
			}
			return math.Pow((s+0.055)/1.055, 2.4)
		}
		return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestConsentDateInLocale checks the consent's given-at field: shown in
// the locale's form, read back in the same order (day first in the UK).
func TestConsentDateInLocale(t *testing.T) {
	test.NewTempApp(t)
	useLocale(t, "en-GB")
	e := &env{now: func() time.Time { return time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC) }}
	given := time.Date(2026, 3, 9, 12, 0, 0, 0, time.Local)
	r := newConsentRow(e, model.Consent{Channel: model.Channels[0], GivenAt: given}, false)
	if got, want := r.given.Text, "09/03/2026"; got != want {
		t.Errorf("given at: got %q, want %q", got, want)
	}
	if k, ok := r.read(); !ok || !k.GivenAt.Equal(given) {
		t.Errorf("unchanged row reads %v (%v), want %v", k.GivenAt, ok, given)
	}
	r.given.SetText("01/02/2026")
	k, ok := r.read()
	if !ok || k.GivenAt.In(time.Local).Month() != time.February || k.GivenAt.In(time.Local).Day() != 1 {
		t.Errorf("typed 01/02/2026: got %v (%v), want 1 February", k.GivenAt, ok)
	}
}

// TestQuietPOSIXLocale: under C.UTF-8 the system locale is English, and
// LANGUAGE says so; a locale Fyne can read is left alone.
func TestQuietPOSIXLocale(t *testing.T) {
	for _, tt := range []struct{ lcAll, lang, want string }{
		{"", "C.UTF-8", "en"},
		{"POSIX.UTF-8", "de_DE.UTF-8", "en"},
		{"", "de_CH.UTF-8", ""},
		{"", "C", ""},
	} {
		t.Setenv("LC_ALL", tt.lcAll)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", tt.lang)
		t.Setenv("LANGUAGE", "")
		QuietPOSIXLocale()
		if got := os.Getenv("LANGUAGE"); got != tt.want {
			t.Errorf("LC_ALL=%q LANG=%q: got LANGUAGE %q, want %q", tt.lcAll, tt.lang, got, tt.want)
		}
		if tt.want != "" && lang.SystemLocale().LanguageString() != "en" {
			t.Errorf("LANG=%q: got system locale %q, want English", tt.lang, lang.SystemLocale())
		}
	}
}
