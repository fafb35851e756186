package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/replica"
)

// errorText is the translated, actionable message for err, chosen by its
// code; the details go to the log, not to the user.
func errorText(err error) string {
	if replica.IsDamaged(err) {
		return lang.X("error.sync_damaged", "The sync setup on this device is damaged. Set up sync again on the Sync screen (join the same target); your customers and notes are not affected.")
	}
	switch model.ErrorCode(err) {
	case model.EINVALID:
		msg := lang.X("error.invalid", "Some entries are not valid. Please check the marked fields.")
		for _, f := range model.ErrorFields(err) {
			msg += "\n• " + fieldErrorText(f)
		}
		return msg
	case model.ENOTFOUND:
		return lang.X("error.not_found", "The record no longer exists; it may have been deleted on this or another device.")
	case model.ECONFLICT:
		return lang.X("error.conflict", "The change clashes with stored data (for example a duplicate). Reload and try again.")
	case model.ELOCKED:
		return lang.X("error.locked", "The database is open in another Kundenkartei window. Close it and try again.")
	}
	return lang.X("error.internal", "Something went wrong. The details were written to the log; please try again or restore a backup.")
}

// fieldErrorText translates one field error by its key, falling back to the
// model's English message.
func fieldErrorText(f model.FieldError) string {
	return lang.X(f.Key, f.Message)
}

// newErrorShower returns env.showError for win.
func newErrorShower(win fyne.Window) func(error) {
	return func(err error) {
		if err == nil {
			return
		}
		fyne.LogError("kundenkartei", err)
		d := dialog.NewInformation(lang.X("error.title", "Error"), errorText(err), win)
		d.Show()
	}
}
