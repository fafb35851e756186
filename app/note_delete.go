package app

import (
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// newNoteDeleteButton makes the Delete button of the note dialog. It asks
// nothing: the note comes back with the banner's Undo or Ctrl+Z.
func newNoteDeleteButton(f *noteForm) *widget.Button {
	b := widget.NewButtonWithIcon(lang.X("keys.note.delete", "Delete note"), theme.DeleteIcon(), f.onDelete)
	b.Importance = widget.DangerImportance
	return b
}

// onDelete tombstones the note on screen (one transaction) and offers Undo.
func (f *noteForm) onDelete() {
	id := f.old.ID
	if err := f.e.svc.DeleteNote(id); err != nil {
		f.e.showError(err)
		return
	}
	f.dlg.Hide()
	f.e.remember(&undoAction{
		label: lang.X("keys.undo.note", "Note of {{.Date}} deleted.", map[string]any{"Date": formatDateTime(f.old.At)}),
		undo:  func() error { return f.e.svc.RestoreNote(id) },
	}, true)
}
