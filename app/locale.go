package app

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/model/locale"
)

// activeLocale is the locale every number, amount and date of the window
// is written in. It is process-wide on purpose, like Fyne's translations:
// the format functions are called from list rows and labels on every
// screen, and threading the locale through each of them would touch every
// screen for a value that changes only when the settings are saved.
var activeLocale atomic.Pointer[locale.Locale]

// fmtLocale returns the active locale; before applyLocale ran (tests of a
// single widget) it is the one the system and translations give, looked
// up once.
func fmtLocale() locale.Locale {
	if l := activeLocale.Load(); l != nil {
		return *l
	}
	l := pickLocale("")
	activeLocale.CompareAndSwap(nil, &l)
	return *activeLocale.Load()
}

// applyLocale makes every format follow the settings' locale (or the
// system's, when none is set) and returns it.
func applyLocale(st model.Settings) locale.Locale {
	l := pickLocale(st.Locale)
	activeLocale.Store(&l)
	return l
}

// QuietPOSIXLocale names English in LANGUAGE when the system locale is
// "C.UTF-8" or "POSIX.UTF-8" (what many Linux servers and containers
// run under), which means English but which Fyne cannot parse: it logged
// an error on every look-up, three times for a CLI command. Call it
// first thing in main; Fyne's own look-up while the program initializes
// still logs one.
func QuietPOSIXLocale() {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		l := os.Getenv(v)
		if l == "" {
			continue
		}
		if (strings.HasPrefix(l, "C.") || strings.HasPrefix(l, "POSIX.")) && os.Getenv("LANGUAGE") == "" {
			os.Setenv("LANGUAGE", "en")
		}
		return
	}
}

// pickLocale combines the setting, the system locale and the language the
// window is shown in (a German window on a French Swiss system writes
// 1’200.50; see locale.Pick).
func pickLocale(setting string) locale.Locale {
	return locale.Pick(setting, string(lang.SystemLocale()), lang.X("locale.ui_language", "en"))
}

// defaultCurrency is the currency new gestures start with.
func defaultCurrency(st model.Settings) string {
	if c := strings.TrimSpace(st.Currency); c != "" {
		return c
	}
	return fmtLocale().Currency
}

// systemZoneName reads the IANA name of the system's time zone, or "".
// The locale's zone comes first among the candidates, so that on Windows
// (no name, only rules) a German system is Europe/Berlin rather than the
// first zone with the same rules.
func systemZoneName(l locale.Locale) string {
	key := l.Zone + "\x00" + os.Getenv("TZ")
	if v, ok := systemZones.Load(key); ok {
		return v.(string)
	}
	target, err := filepath.EvalSymlinks("/etc/localtime")
	if err != nil {
		target = ""
	}
	cands := append([]string{l.Zone}, zones...)
	for _, t := range locale.Supported {
		cands = append(cands, locale.Get(t).Zone)
	}
	name := locale.SystemZone(os.Getenv("TZ"), target, time.Local, cands, time.Now())
	systemZones.Store(key, name)
	return name
}

// systemZones memoizes systemZoneName by the locale's zone (the first
// candidate) and TZ: Today, the fair, Loyalty and every follow-up form ask
// for it, and without a zone name from the system (Windows) finding it
// loads each candidate zone.
var systemZones sync.Map

// localeText names a locale in the settings with an example of its
// formats, so the choice shows what it changes.
func localeText(tag string) string {
	if tag == "" {
		l := pickLocale("")
		return lang.X("locale.settings.system", "As the system ({{.Example}})", map[string]any{"Example": localeExample(l)})
	}
	l := locale.Get(tag)
	return localeName(tag) + " (" + localeExample(l) + ")"
}

func localeName(tag string) string {
	switch tag {
	case "de-DE":
		return lang.X("locale.name.de_DE", "German (Germany)")
	case "de-AT":
		return lang.X("locale.name.de_AT", "German (Austria)")
	case "de-CH":
		return lang.X("locale.name.de_CH", "German (Switzerland)")
	case "en-US":
		return lang.X("locale.name.en_US", "English (US)")
	case "en-GB":
		return lang.X("locale.name.en_GB", "English (UK)")
	}
	return tag
}

func localeExample(l locale.Locale) string {
	return l.Money(123450, l.Currency) + " · " + l.Date(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC))
}

// dateHint spells the locale's date layout in the window's language
// (TT.MM.JJJJ, MM/DD/YYYY), a placeholder no one takes for a typed date.
func dateHint(l locale.Locale) string { return layoutHint(l.DateLayout()) }

// birthdayHint shows both forms a birthday takes: with and without year.
func birthdayHint(l locale.Locale) string {
	return lang.X("locale.birthday.hint", "{{.Pattern}} or without year {{.NoYear}}",
		map[string]any{"Pattern": dateHint(l), "NoYear": layoutHint(l.DayLayout())})
}

func layoutHint(layout string) string {
	letters := []rune(lang.X("locale.date.letters", "DMY"))
	if len(letters) != 3 {
		letters = []rune("DMY")
	}
	d, m, y := string(letters[0]), string(letters[1]), string(letters[2])
	return strings.NewReplacer("2006", strings.Repeat(y, 4), "02", d+d, "01", m+m).Replace(layout)
}

// exampleHint makes a placeholder read as a hint: "z. B. 50,00".
func exampleHint(example string) string {
	return lang.X("locale.hint.example", "e.g. {{.Example}}", map[string]any{"Example": example})
}
