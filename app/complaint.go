package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// complaintCloseHow says in one line how a complaint closes, wherever the
// app shows an open one.
func complaintCloseHow() string {
	return lang.X("care2.complaint.how",
		"A complaint closes when a follow-up after it is done, an apology gesture is offered, or you close it here with a short note on how it was resolved.")
}

// complaintCloser is the dialog that closes a customer's open complaint:
// it records a note of kind resolution (now, by the user), which the
// derived open-complaint flag counts as settled. One transaction.
type complaintCloser struct {
	e   *env
	cid model.ID

	text       *escEntry
	impression *widget.RadioGroup
	problem    *widget.Label
	save       *widget.Button
	dlg        *dialog.CustomDialog
	done       func() // after the note is stored; may be nil
}

// showCloseComplaint opens the dialog for customer cid called name.
func showCloseComplaint(e *env, cid model.ID, name string, done func()) *complaintCloser {
	c := newComplaintCloser(e, cid, name, done)
	c.dlg.Show()
	e.win.Canvas().Focus(c.text)
	return c
}

func newComplaintCloser(e *env, cid model.ID, name string, done func()) *complaintCloser {
	c := &complaintCloser{e: e, cid: cid, done: done}
	how := widget.NewLabel(complaintCloseHow())
	how.Wrapping = fyne.TextWrapWord
	c.text = newEscEntry(true)
	c.text.Wrapping = fyne.TextWrapWord
	c.text.SetMinRowsVisible(3)
	c.text.SetPlaceHolder(lang.X("care2.complaint.text.placeholder", "e.g. Replacement delivered, customer satisfied"))
	var imps []string
	for _, i := range model.Impressions {
		imps = append(imps, impressionText(i))
	}
	c.impression = widget.NewRadioGroup(imps, nil)
	c.impression.Horizontal = true
	c.impression.Required = true
	c.impression.SetSelected(impressionText(model.Neutral))
	c.problem = newErrorLabel()

	form := widget.NewForm(
		widget.NewFormItem(lang.X("care2.complaint.text", "How was it resolved?"), c.text),
		widget.NewFormItem(lang.X("note.impression", "Impression"), c.impression),
	)
	c.save = widget.NewButton(lang.X("care2.complaint.close", "Close complaint"), c.onSave)
	c.save.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.X("note.cancel", "Cancel"), func() { c.dlg.Hide() })
	title := lang.X("care2.complaint.title", "Close the complaint of {{.Name}}", map[string]any{"Name": name})
	c.dlg = dialog.NewCustomWithoutButtons(title, container.NewVBox(how, form, c.problem), e.win)
	c.dlg.SetButtons([]fyne.CanvasObject{cancel, c.save})
	c.dlg.Resize(fyne.NewSize(560, 340))
	c.text.onEscape = c.dlg.Hide
	return c
}

// onSave stores the resolution note, or says what is missing.
func (c *complaintCloser) onSave() {
	imp := model.Neutral
	for _, i := range model.Impressions {
		if impressionText(i) == c.impression.Selected {
			imp = i
		}
	}
	if strings.TrimSpace(c.text.Text) == "" {
		c.problem.SetText(lang.X("care2.complaint.text.required", "Please note in a few words how the complaint was resolved."))
		c.problem.Show()
		c.e.win.Canvas().Focus(c.text)
		return
	}
	n := &model.Note{CustomerID: c.cid, At: c.e.now().UTC(), Kind: model.NoteResolution,
		Text: c.text.Text, Impression: imp, By: c.e.settings().UserName}
	if err := c.e.svc.AddNote(n); err != nil {
		fields := model.ErrorFields(err)
		if len(fields) == 0 {
			c.e.showError(err)
			return
		}
		c.problem.SetText(fieldErrorText(fields[0]))
		c.problem.Show()
		c.e.win.Canvas().Focus(c.text)
		return
	}
	c.dlg.Hide()
	if c.done != nil {
		c.done()
	}
}

// buildComplaintBanner is the line above the timeline while the customer
// has an open complaint: how it closes, and the action.
func (v *timelineView) buildComplaintBanner() *fyne.Container {
	how := widget.NewLabel("⚠ " + complaintCloseHow())
	how.Wrapping = fyne.TextWrapWord
	how.Importance = widget.WarningImportance
	btn := widget.NewButtonWithIcon(lang.X("care2.complaint.close.short", "Close complaint"), theme.ConfirmIcon(), v.onCloseComplaint)
	b := container.NewVBox(how, container.NewHBox(btn))
	b.Hide()
	return b
}

func (v *timelineView) onCloseComplaint() {
	if v.cid == model.NilID {
		return
	}
	v.closer = showCloseComplaint(v.e, v.cid, v.name, nil)
}

// closeComplaintAction is the "close" button of a row in Today's list of
// open complaints.
func (s *todayScreen) closeComplaintAction(id model.ID, name string) *careAction {
	return &careAction{label: lang.X("care2.complaint.close.row", "Close"), icon: theme.ConfirmIcon(),
		run: func() { showCloseComplaint(s.e, id, name, nil) }}
}
