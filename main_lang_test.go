package main

import (
	"slices"
	"testing"
)

func TestPickLanguage(t *testing.T) {
	available := []string{"de", "en"}
	tests := []struct {
		name      string
		preferred []string
		want      string
	}{
		{name: "Swiss German Windows", preferred: []string{"de-CH", "en-US"}, want: "de"},
		{name: "English first", preferred: []string{"en-GB", "de-DE"}, want: "en"},
		{name: "untranslated first, then German", preferred: []string{"fr-CH", "de-CH"}, want: "de"},
		{name: "underscore and case", preferred: []string{"DE_at"}, want: "de"},
		{name: "bare language", preferred: []string{"en"}, want: "en"},
		{name: "nothing translated", preferred: []string{"fr-FR", "it-CH"}, want: ""},
		{name: "no list", preferred: nil, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pickLanguage(tt.preferred, available); got != tt.want {
				t.Errorf("pickLanguage(%q) = %q, want %q", tt.preferred, got, tt.want)
			}
		})
	}
}

func TestTranslatedLanguages(t *testing.T) {
	got := translatedLanguages()
	for _, want := range []string{"de", "en"} {
		if !slices.Contains(got, want) {
			t.Errorf("got %q, want it to contain %q", got, want)
		}
	}
	for _, l := range got {
		if l == "" || len(l) > 3 {
			t.Errorf("got language %q, want a language code (part files like care.de.json are no languages)", l)
		}
	}
}

func TestUILanguageSettingWins(t *testing.T) {
	if got := uiLanguage("en"); got != "en" {
		t.Errorf("uiLanguage(%q) = %q, want the setting", "en", got)
	}
}
