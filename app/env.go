// Package app is the Fyne GUI of Kundenkartei: one small struct per screen,
// talking to storage only through the model service interfaces.
package app

import (
	"net/url"
	"time"

	"fyne.io/fyne/v2"

	"github.com/kundenkartei/kundenkartei/model"
)

// env is what every screen needs: the services, the window dialogs open
// on, the clock, and navigation between screens.
type env struct {
	svc model.Services
	win fyne.Window
	now func() time.Time

	// privacy erases customers and writes access exports; nil hides both.
	privacy model.PrivacyService

	// settings returns the current device settings (cached; refreshed on save).
	settings func() model.Settings
	// setSettings replaces the cached settings after a successful save, so
	// every screen sees the new author name and defaults at once.
	setSettings func(s model.Settings)
	// openCustomer shows the customer screen for id.
	openCustomer func(id model.ID)
	// newCustomer shows an empty customer form.
	newCustomer func()
	// showError logs err with fyne.LogError and shows a translated message.
	showError func(err error)
	// openURL hands tel:, mailto: and web links to the platform; it comes
	// from the fyne.App so screens never reach for fyne.CurrentApp.
	openURL func(u *url.URL) error
	// prefs keeps device-local UI state: the folder saved to last, the
	// export format, how the user left the customer list (view, sort,
	// column widths). It is the fyne.App's, never the database; nil
	// remembers nothing.
	prefs fyne.Preferences

	// undos holds the session's undoable actions and banner offers the
	// newest for a few seconds (undo.go); forms knows the open form
	// dialogs for Ctrl+S (keys.go). All three are nil in tests of a
	// single screen, and then do nothing.
	undos  *undoStack
	banner *undoBanner
	forms  *formStack
}
