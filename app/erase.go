package app

import (
	"bytes"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/subject"
)

// eraseDialog asks the user to type the customer's name before erasing it
// for good: unlike Delete there is no Undo, so one click must not do it.
type eraseDialog struct {
	e       *env
	id      model.ID
	name    string
	entry   *escEntry // Esc closes the dialog: the focused entry gets every key
	erase   *widget.Button
	dlg     *dialog.CustomDialog
	onErase func(model.Erasure) // after a successful erasure, on the GUI goroutine
}

func newEraseDialog(e *env, id model.ID, name string, onErase func(model.Erasure)) *eraseDialog {
	return &eraseDialog{e: e, id: id, name: strings.TrimSpace(name), onErase: onErase}
}

func (d *eraseDialog) build() fyne.CanvasObject {
	text := widget.NewLabel(lang.X("customer.erase.confirm",
		"Erase {{.Name}} for good, on every device? Contact data, consents, photo, notes, follow-ups, gestures and invitations, and duplicates merged into this customer, are removed; there is no Undo. Backups made before keep the data until they are rotated away; restoring one erases the customer again.\n\nType the name to confirm:",
		map[string]any{"Name": d.name}))
	text.Wrapping = fyne.TextWrapWord
	d.entry = newEscEntry(false)
	d.entry.SetPlaceHolder(d.name)
	d.entry.OnChanged = d.onTyped
	d.erase = widget.NewButtonWithIcon(lang.X("customer.erase.button", "Erase for good"), theme.DeleteIcon(), d.onConfirm)
	d.erase.Importance = widget.DangerImportance
	d.erase.Disable()
	return container.NewVBox(text, d.entry)
}

// show opens the dialog on the window.
func (d *eraseDialog) show() {
	body := d.build()
	cancel := widget.NewButton(lang.X("customer.erase.cancel", "Cancel"), func() { d.dlg.Hide() })
	d.dlg = dialog.NewCustomWithoutButtons(lang.X("customer.erase.title", "Erase customer permanently"), body, d.e.win)
	d.dlg.SetButtons([]fyne.CanvasObject{cancel, d.erase})
	d.dlg.Resize(fyne.NewSize(520, 300))
	d.entry.onEscape = d.dlg.Hide
	d.dlg.Show()
	d.e.win.Canvas().Focus(d.entry)
}

// onTyped enables Erase only while the entry holds the name exactly (but
// for surrounding spaces).
func (d *eraseDialog) onTyped(s string) {
	if d.name != "" && strings.TrimSpace(s) == d.name {
		d.erase.Enable()
	} else {
		d.erase.Disable()
	}
}

// onConfirm erases in the background: overwriting the file's free pages
// takes a moment on a large database.
func (d *eraseDialog) onConfirm() {
	if strings.TrimSpace(d.entry.Text) != d.name {
		return
	}
	d.erase.Disable()
	d.entry.Disable()
	go func() {
		e, err := d.e.privacy.Erase(d.id)
		fyne.Do(func() {
			if d.dlg != nil {
				d.dlg.Hide()
			}
			if err != nil {
				d.e.showError(err)
				return
			}
			if d.onErase != nil {
				d.onErase(e)
			}
		})
	}()
}

// newEraseItem makes the "More" menu's Erase item, nil when the app has
// no privacy service.
func (s *customerScreen) newEraseItem() *fyne.MenuItem {
	if s.e.privacy == nil {
		return nil
	}
	it := fyne.NewMenuItem(lang.X("customer.action.erase", "Erase permanently"), s.onErase)
	it.Icon = theme.ErrorIcon()
	return it
}

func (s *customerScreen) onErase() {
	if s.tl == nil || s.e.privacy == nil {
		return
	}
	name := s.tl.Customer.DisplayName()
	s.eraser = newEraseDialog(s.e, s.id, name, func(model.Erasure) {
		s.id, s.tl = model.NilID, nil
		s.setContent(container.NewVBox(s.hint))
		s.undoBar.Hide()
		dialog.ShowInformation(lang.X("customer.erase.title", "Erase customer permanently"),
			lang.X("customer.erase.done", "{{.Name}} was erased. Other devices erase the customer at their next sync.", map[string]any{"Name": name}), s.e.win)
	})
	s.eraser.show()
}

// onSubjectExport writes the data-subject access export (a ZIP with a
// readable summary, JSON and vCard) of the customer on screen. Reading
// everything stored about the person scans the notes and the change log,
// so it runs after the file is chosen, in the background.
func (s *customerScreen) onSubjectExport() {
	if s.e.privacy == nil {
		s.onExport()
		return
	}
	id, language := s.id, s.e.settings().Language
	s.saveFile(subject.FileName(id), s.tl.Customer.DisplayName(), func(w io.WriteCloser) error {
		return writeSubject(w, s.e.privacy, id, language)
	})
}

// writeSubject writes the access export of customer id to w and closes
// w. The summary is in the UI's language: the setting, or else the one
// Fyne took from the system.
func writeSubject(w io.WriteCloser, p model.PrivacyService, id model.ID, language string) error {
	if language == "" {
		language = lang.SystemLocale().LanguageString()
	}
	var buf bytes.Buffer
	d, err := p.SubjectData(id)
	if err == nil {
		err = subject.Write(&buf, d, language)
	}
	if err == nil {
		_, err = w.Write(buf.Bytes())
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}
