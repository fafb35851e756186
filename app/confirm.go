package app

import (
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// confirmDelete asks before something is deleted. The delete button says
// what it does and is red; Cancel is the neutral choice, so a hasty click
// on the prominent button of other dialogs does not delete.
func confirmDelete(e *env, title, message string, onDelete func()) *dialog.ConfirmDialog {
	d := dialog.NewConfirm(title, message, func(ok bool) {
		if ok {
			onDelete()
		}
	}, e.win)
	d.SetConfirmText(lang.X("keys.delete.confirm", "Delete"))
	d.SetDismissText(lang.X("keys.delete.cancel", "Cancel"))
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
	return d
}
