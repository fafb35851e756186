package main

import "golang.org/x/sys/windows"

// displayLanguages returns the user's Windows display languages, most
// preferred first ("de-CH", "en-US"), as set under Settings > Time &
// language > Language.
func displayLanguages() []string {
	langs, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
	if err != nil {
		return nil
	}
	return langs
}
