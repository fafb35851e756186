package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// noteForm records a contact with a customer, or revises a note: notes are
// append-only, so editing stores a new version that replaces the old one.
type noteForm struct {
	e   *env
	cid model.ID
	old *model.Note

	kind       *widget.Select
	impression *widget.RadioGroup
	text       *escEntry
	at         *escEntry
	by         *escEntry
	errs       map[string]*widget.Label
	grid       *fyne.Container // label, field pairs
	general    *widget.Label
	save       *widget.Button
	cancel     *widget.Button
	del        *widget.Button // only when revising a note
	dlg        *dialog.CustomDialog
}

// showNoteForm opens the note dialog for customer cid; old is the note to
// revise, nil for a new one.
func showNoteForm(e *env, cid model.ID, old *model.Note) *noteForm {
	f := newNoteForm(e, cid, old)
	f.dlg.Show()
	e.forms.opened(f.dlg, f.onSave)
	e.win.Canvas().Focus(f.text)
	return f
}

func newNoteForm(e *env, cid model.ID, old *model.Note) *noteForm {
	f := &noteForm{e: e, cid: cid, old: old, errs: map[string]*widget.Label{}}
	var kinds []string
	for _, k := range model.NoteKinds {
		kinds = append(kinds, noteKindText(k))
	}
	f.kind = widget.NewSelect(kinds, nil)
	var imps []string
	for _, i := range model.Impressions {
		imps = append(imps, impressionText(i))
	}
	f.impression = widget.NewRadioGroup(imps, nil)
	f.impression.Horizontal = true
	f.text = newEscEntry(true)
	f.text.SetMinRowsVisible(5)
	f.text.Wrapping = fyne.TextWrapWord
	f.at = newEscEntry(false)
	f.by = newEscEntry(false)
	f.general = newErrorLabel()

	n := model.Note{Kind: model.NoteVisit, Impression: model.Neutral, At: e.now(), By: e.settings().UserName}
	if old != nil {
		n = *old
	}
	f.setKind(n.Kind)
	f.setImpression(n.Impression)
	f.text.SetText(n.Text)
	f.at.SetText(formatDateTime(n.At))
	f.by.SetText(n.By)

	grid := container.New(layout.NewFormLayout())
	f.grid = grid
	add := func(label string, obj fyne.CanvasObject, field string) {
		l := newErrorLabel()
		f.errs[field] = l
		// the same look as the follow-up and gesture forms (careForm)
		grid.Add(widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		grid.Add(container.NewVBox(obj, l))
	}
	add(lang.X("note.kind", "Kind"), f.kind, "kind")
	add(lang.X("note.impression", "Impression"), f.impression, "impression")
	add(lang.X("note.text", "What happened"), f.text, "text")
	add(lang.X("note.at", "When"), f.at, "at")
	add(lang.X("note.by", "By"), f.by, "by")

	title := lang.X("note.new", "New note")
	if old != nil {
		title = lang.X("note.edit", "Edit note")
	}
	f.save = widget.NewButtonWithIcon(lang.X("note.save", "Save"), theme.ConfirmIcon(), f.onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = widget.NewButtonWithIcon(lang.X("note.cancel", "Cancel"), theme.CancelIcon(), func() { f.dlg.Hide() })
	content := container.NewVBox(grid, f.general)
	f.dlg = dialog.NewCustomWithoutButtons(title, content, e.win)
	buttons := []fyne.CanvasObject{f.cancel, f.save}
	if old != nil {
		f.del = newNoteDeleteButton(f)
		buttons = append([]fyne.CanvasObject{f.del}, buttons...)
	}
	f.dlg.SetButtons(buttons)
	f.dlg.Resize(fyne.NewSize(560, 460))
	for _, en := range []*escEntry{f.text, f.at, f.by} {
		en.onEscape = f.dlg.Hide
	}
	return f
}

func (f *noteForm) setKind(k model.NoteKind) {
	for i, x := range model.NoteKinds {
		if x == k {
			f.kind.SetSelectedIndex(i)
		}
	}
}

func (f *noteForm) setImpression(imp model.Impression) {
	for i, x := range model.Impressions {
		if x == imp {
			f.impression.SetSelected(f.impression.Options[i])
		}
	}
}

// parseDateTime reads a date with optional time as the user's locale writes
// it, or ISO.
func parseDateTime(s string) (time.Time, bool) {
	if t, err := fmtLocale().ParseDateTime(s, time.Local); err == nil {
		return t, true
	}
	if d, err := parseDay(s); err == nil && d.HasYear() {
		return d.Time(0, time.Local), true
	}
	return time.Time{}, false
}

func (f *noteForm) read() (*model.Note, []model.FieldError) {
	n := model.Note{CustomerID: f.cid, Text: f.text.Text, By: f.by.Text}
	if i := f.kind.SelectedIndex(); i >= 0 {
		n.Kind = model.NoteKinds[i]
	}
	for i, o := range f.impression.Options {
		if o == f.impression.Selected {
			n.Impression = model.Impressions[i]
		}
	}
	var bad []model.FieldError
	if t, ok := parseDateTime(f.at.Text); ok {
		n.At = t.UTC()
	} else {
		bad = append(bad, model.FieldError{Field: "at", Key: "validation.date", Message: "unreadable date"})
	}
	return &n, bad
}

func (f *noteForm) showErrors(fields []model.FieldError) {
	for _, l := range f.errs {
		l.Hide()
	}
	f.general.Hide()
	for _, fe := range fields {
		if l, ok := f.errs[fe.Field]; ok {
			l.SetText(fieldErrorText(fe))
			l.Show()
		} else {
			f.general.SetText(fieldErrorText(fe))
			f.general.Show()
		}
	}
}

func (f *noteForm) onSave() {
	f.showErrors(nil)
	n, bad := f.read()
	if len(bad) > 0 {
		f.showErrors(bad)
		return
	}
	var err error
	if f.old != nil {
		err = f.e.svc.ReviseNote(f.old.ID, n)
	} else {
		err = f.e.svc.AddNote(n)
	}
	if model.ErrorCode(err) == model.EINVALID {
		f.showErrors(model.ErrorFields(err))
		return
	} else if err != nil {
		f.e.showError(err)
		return
	}
	f.dlg.Hide()
}
