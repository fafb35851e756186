package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// escEntry is an entry that hands Esc to onEscape: Fyne's dialogs ignore
// Esc, and a focused entry swallows it before the window sees it. Every
// form dialog's entries are escEntries; a date field (dateEntry) does the
// same for its own entry.
type escEntry struct {
	widget.Entry
	onEscape func()
}

func newEscEntry(multiLine bool) *escEntry {
	e := &escEntry{}
	e.MultiLine = multiLine
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey closes on Esc and passes every other key to the entry.
func (e *escEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}
