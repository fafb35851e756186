package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// ShowStartError shows why the database could not be opened, in a small
// window of its own, and runs the app until the user closes it. A database
// held by another instance gets its own message rather than a hang.
func ShowStartError(a fyne.App, err error) {
	fyne.LogError("open database", err)
	w := a.NewWindow(lang.X("app.title", "Kundenkartei"))
	msg := startErrorMessage(err)
	text := widget.NewLabel(msg)
	text.Wrapping = fyne.TextWrapWord
	detail := widget.NewLabel(model.ErrorMessage(err))
	detail.Wrapping = fyne.TextWrapWord
	detail.TextStyle = fyne.TextStyle{Italic: true}
	quit := widget.NewButton(lang.X("start.quit", "Quit"), a.Quit)
	quit.Importance = widget.HighImportance
	w.SetContent(container.NewPadded(container.NewVBox(text, detail, container.NewCenter(quit))))
	w.Resize(fyne.NewSize(520, 200))
	w.CenterOnScreen()
	w.ShowAndRun()
}

// startErrorMessage is the translated, actionable text for an open error.
func startErrorMessage(err error) string {
	switch model.ErrorCode(err) {
	case model.ELOCKED:
		return lang.X("start.locked", "Kundenkartei is already open in another window. Switch to that window, or close it and start again.")
	case model.EINVALID:
		return lang.X("start.invalid", "The database cannot be used by this version of Kundenkartei. Install the current version, or restore a backup.")
	}
	return lang.X("start.failed", "The database could not be opened. Check that the data folder exists and is writable; the details are below.")
}
