package main

import (
	"strings"

	"github.com/kundenkartei/kundenkartei/assets"
)

// uiLanguage is the language the window speaks: the one chosen in the
// settings, else the first of the system's display languages that has
// translations ("" when none has: then Fyne follows the system locale).
// Fyne itself reads the locale only, and on Windows that is the regional
// format (GetUserDefaultLocaleName), not the display language: a Swiss
// owner with an English Windows and Swiss number formats would get German.
func uiLanguage(setting string) string {
	if setting != "" {
		return setting
	}
	return pickLanguage(displayLanguages(), translatedLanguages())
}

// pickLanguage returns the language part of the first preferred tag
// ("de-CH", "en_US", "de") that is in available, or "".
func pickLanguage(preferred, available []string) string {
	for _, tag := range preferred {
		code := strings.ToLower(tag)
		if i := strings.IndexAny(code, "-_"); i >= 0 {
			code = code[:i]
		}
		for _, a := range available {
			if code == a {
				return a
			}
		}
	}
	return ""
}

// translatedLanguages lists the languages with a main translation file
// (translations/de.json, en.json).
func translatedLanguages() []string {
	files, err := assets.Translations.ReadDir(assets.TranslationsDir)
	if err != nil {
		return nil
	}
	var out []string
	for _, f := range files {
		if name, ok := strings.CutSuffix(f.Name(), ".json"); ok && !strings.Contains(name, ".") {
			out = append(out, name)
		}
	}
	return out
}
