// Package assets embeds the files the application ships with: the
// translations and the icon.
package assets

import (
	"embed"

	"fyne.io/fyne/v2"
)

// Translations holds translations/<lang>.json and translations/<prefix>.<lang>.json
// for fyne's lang.AddTranslationsFS.
//
//go:embed translations/*.json
var Translations embed.FS

// TranslationsDir is the directory inside Translations.
const TranslationsDir = "translations"

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon (512×512 PNG), for the window and the About
// dialog; `fyne package` takes the same file from FyneApp.toml.
var Icon fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)
