//go:build !windows

package main

// displayLanguages returns nothing outside Windows: there Fyne's own choice
// from the locale (LANG, LC_MESSAGES; the macOS language list) is the
// display language already.
func displayLanguages() []string { return nil }
