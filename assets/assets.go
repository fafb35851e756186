// Package assets embeds the files the application ships with: the
// translations and the icon.
package assets

import "embed"

// Translations holds translations/<lang>.json and translations/<prefix>.<lang>.json
// for fyne's lang.AddTranslationsFS.
//
//go:embed translations/*.json
var Translations embed.FS

// TranslationsDir is the directory inside Translations.
const TranslationsDir = "translations"
