package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// hintTheme is Fyne's theme with one change: in the dark variant, hints
// (entry placeholders) are a mid grey instead of Fyne's light grey. The
// light grey (#b2b2b2) sat close to typed text (#f3f3f3), and a gesture
// was saved without a validity date because its hint looked filled in;
// the mid grey still reads at 5:1 against the field.
type hintTheme struct{ fyne.Theme }

// darkHint is the placeholder colour of the dark variant.
var darkHint = color.NRGBA{R: 0x8e, G: 0x8e, B: 0x93, A: 0xff}

// Fyne draws low-importance labels (the help lines under Settings fields,
// the explanations of empty lists) and disabled text in its disabled
// colour, which stands at 1.5:1 on the dark background and 1.3:1 on the
// light one: next to unreadable. These greys keep them dimmer than text
// and hints but readable.
var (
	darkDisabled  = color.NRGBA{R: 0x7a, G: 0x7a, B: 0x80, A: 0xff}
	lightDisabled = color.NRGBA{R: 0x9a, G: 0x9a, B: 0x9a, A: 0xff}
)

func newHintTheme() fyne.Theme { return &hintTheme{Theme: theme.DefaultTheme()} }

// Color returns the default colours but the dark variant's placeholder and
// the disabled grey.
func (t *hintTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch {
	case n == theme.ColorNamePlaceHolder && v == theme.VariantDark:
		return darkHint
	case n == theme.ColorNameDisabled && v == theme.VariantDark:
		return darkDisabled
	case n == theme.ColorNameDisabled:
		return lightDisabled
	}
	return t.Theme.Color(n, v)
}
