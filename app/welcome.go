package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// welcomeView greets a new user on an empty database with three ways to
// start: demo data to look around, the address book they already have, or
// nothing at all.
type welcomeView struct {
	e    *env
	opt  Options
	done func()

	demo     *widget.Button
	imp      *widget.Button
	empty    *widget.Button
	progress *widget.ProgressBar
	cancel   *widget.Button
	status   *widget.Label

	stop context.CancelFunc
}

func newWelcomeView(e *env, opt Options, done func()) *welcomeView {
	return &welcomeView{e: e, opt: opt, done: done}
}

// wanted reports whether this is a first start: no customers and no events.
func (w *welcomeView) wanted() bool {
	if w.e.svc.Directory().Len() > 0 {
		return false
	}
	events, err := w.e.svc.Events()
	if err != nil {
		w.e.showError(err)
		return false
	}
	return len(events) == 0
}

func (w *welcomeView) build() fyne.CanvasObject {
	title := widget.NewLabelWithStyle(lang.X("welcome.title", "Welcome to Kundenkartei"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	text := widget.NewLabel(lang.X("welcome.text", "Your customer file is still empty. How would you like to start?"))
	text.Wrapping = fyne.TextWrapWord
	text.Alignment = fyne.TextAlignCenter

	w.demo = widget.NewButtonWithIcon(lang.X("welcome.demo", "Load demo data"), theme.DownloadIcon(), w.onDemo)
	w.demo.Importance = widget.HighImportance
	w.imp = widget.NewButtonWithIcon(lang.X("welcome.import", "Import address book"), theme.FolderOpenIcon(), w.onImport)
	w.empty = widget.NewButtonWithIcon(lang.X("welcome.empty", "Start empty"), theme.ContentAddIcon(), w.onStartEmpty)
	if w.opt.Demo == nil {
		w.demo.Hide()
	}
	if w.opt.Import == nil {
		w.imp.Hide()
	}
	w.progress = widget.NewProgressBar()
	w.progress.Hide()
	w.cancel = widget.NewButtonWithIcon(lang.X("welcome.cancel", "Cancel"), theme.CancelIcon(), w.onCancel)
	w.cancel.Hide()
	w.status = widget.NewLabel("")
	w.status.Wrapping = fyne.TextWrapWord
	hint := widget.NewLabel(lang.X("welcome.demo_hint", "Demo data are fictitious customers with notes and follow-ups; you can delete them later or start a new database."))
	hint.Wrapping = fyne.TextWrapWord
	if w.opt.Demo == nil {
		hint.Hide()
	}
	return container.NewVBox(title, text, w.demo, hint, w.imp, w.empty, w.progress, w.cancel, w.status)
}

func (w *welcomeView) onDemo() {
	ctx, stop := context.WithCancel(context.Background())
	w.stop = stop
	w.demo.Disable()
	w.imp.Disable()
	w.empty.Disable()
	w.progress.SetValue(0)
	w.progress.Show()
	w.cancel.Show()
	w.status.SetText(lang.X("welcome.demo_loading", "Loading demo data…"))
	go func() {
		err := w.opt.Demo(ctx, func(done, total int) {
			if total <= 0 {
				return
			}
			v := float64(done) / float64(total)
			fyne.Do(func() { w.progress.SetValue(v) })
		})
		// Read now: the update runs later, and finishDemo ends ctx itself.
		cancelled := ctx.Err() != nil
		fyne.Do(func() { w.finishDemo(cancelled, err) })
	}()
}

// finishDemo tells how loading the demo data ended: cancelled by the
// user (what was loaded stays), failed, or done.
func (w *welcomeView) finishDemo(cancelled bool, err error) {
	w.stop()
	w.progress.Hide()
	w.cancel.Hide()
	w.demo.Enable()
	w.imp.Enable()
	w.empty.Enable()
	switch {
	case cancelled:
		w.status.SetText(lang.X("welcome.demo_cancelled", "Cancelled. The part already loaded stays; you can load the rest again."))
	case err != nil:
		w.status.SetText("")
		w.e.showError(err)
	default:
		w.status.SetText("")
		w.done()
	}
}

func (w *welcomeView) onCancel() {
	if w.stop != nil {
		w.stop()
	}
}

func (w *welcomeView) onImport() {
	w.opt.Import(w.e.win)
	w.done()
}

func (w *welcomeView) onStartEmpty() { w.done() }
