package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

var (
	shortcutSave = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutUndo = &fyne.ShortcutUndo{}
)

// openForm is a form dialog on screen and how to save it.
type openForm struct {
	dlg     dialog.Dialog
	save    func()
	overlay fyne.CanvasObject // the dialog's pop-up on the canvas
}

// formStack knows the form dialogs that are open, newest last, so Ctrl+S
// saves the one on top and a closed form never reacts.
type formStack struct {
	canvas fyne.Canvas
	open   []*openForm
}

// opened records that dlg, just shown, saves with save; it forgets the
// form again when dlg closes, however it closes.
func (s *formStack) opened(dlg dialog.Dialog, save func()) {
	if s == nil {
		return
	}
	f := &openForm{dlg: dlg, save: save, overlay: s.canvas.Overlays().Top()}
	s.open = append(s.open, f)
	dlg.SetOnClosed(func() {
		for i, x := range s.open {
			if x == f {
				s.open = append(s.open[:i], s.open[i+1:]...)
				return
			}
		}
	})
}

// top returns the newest open form when nothing covers it (a file or
// message dialog opened from the form), else nil.
func (s *formStack) top() *openForm {
	if s == nil || len(s.open) == 0 {
		return nil
	}
	f := s.open[len(s.open)-1]
	if s.canvas.Overlays().Top() != f.overlay {
		return nil
	}
	return f
}

// onSaveKey saves the form the user is looking at: the topmost form
// dialog, else the customer form when it is on screen and no other dialog
// covers it, else the trade-fair capture or the settings when their tab is
// shown. Anything else ignores Ctrl+S.
func (u *UI) onSaveKey() {
	if f := u.env.forms.top(); f != nil {
		f.save()
		return
	}
	if u.win.Canvas().Overlays().Top() != nil {
		return
	}
	if u.tabs.Selected() == u.customersTab && u.customer.formShown() {
		u.customer.onSave()
		return
	}
	if save := u.tabSave[u.tabs.Selected()]; save != nil {
		save()
	}
}

// textUndoer is an entry with its own undo of typing.
type textUndoer interface {
	Undo()
}

// onUndoKey undoes typing when a text field has focus (as Ctrl+Z does in
// every editor), else the session's last action; never that while a
// dialog covers the window, where the change would happen unseen.
func (u *UI) onUndoKey() {
	c := u.win.Canvas()
	if t, ok := c.Focused().(textUndoer); ok {
		t.Undo()
		return
	}
	if c.Overlays().Top() != nil {
		return
	}
	u.undoLast()
}

// undoLast undoes the newest action of the session, if any.
func (u *UI) undoLast() {
	if _, err := u.env.undos.undoLast(); err != nil {
		u.env.showError(err)
	}
}

// shortcutHelp is one line of the shortcut list.
type shortcutHelp struct {
	keys, what string
}

func shortcutHelpLines() []shortcutHelp {
	return []shortcutHelp{
		{lang.X("keys.help.key.new", "Ctrl+N"), lang.X("keys.help.new", "New customer")},
		{lang.X("keys.help.key.note", "Ctrl+Shift+N"), lang.X("keys.help.note", "New note for the customer on screen")},
		{lang.X("keys.help.key.search", "Ctrl+F"), lang.X("keys.help.search", "Search customers")},
		{lang.X("keys.help.key.save", "Ctrl+S"), lang.X("keys.help.save", "Save the open form")},
		{lang.X("keys.help.key.undo", "Ctrl+Z"), lang.X("keys.help.undo", "Undo the last action (in a text field: the last typing)")},
		{lang.X("keys.help.key.esc", "Esc"), lang.X("keys.help.esc", "Close the dialog without saving")},
		{lang.X("keys.help.key.enter", "Enter"), lang.X("keys.help.enter", "Save a follow-up or gesture from a one-line field")},
		{lang.X("keys.help.key.tab", "Tab / Shift+Tab"), lang.X("keys.help.tab", "Next / previous field")},
	}
}

// showShortcuts lists every keyboard shortcut (Help → Keyboard shortcuts).
func (u *UI) showShortcuts() {
	grid := container.New(layout.NewFormLayout())
	for _, l := range shortcutHelpLines() {
		grid.Add(widget.NewLabelWithStyle(l.keys, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		text := widget.NewLabel(l.what)
		text.Wrapping = fyne.TextWrapWord
		grid.Add(text)
	}
	d := dialog.NewCustom(lang.X("keys.help.title", "Keyboard shortcuts"), lang.X("keys.help.close", "Close"), grid, u.win)
	d.Resize(fyne.NewSize(640, 0))
	d.Show()
}

// onAbout shows version and database; the device ID is an internal of sync
// and means nothing to the user.
func (u *UI) onAbout() {
	dialog.ShowInformation(lang.X("about.title", "About Kundenkartei"),
		lang.X("keys.about.text", "Kundenkartei {{.Version}}\nCustomer care for small businesses, offline first.\nDatabase: {{.Path}}",
			map[string]any{"Version": u.opt.Version, "Path": u.opt.DBPath}), u.win)
}
