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

// pickerLimit is how many matches the picker lists: it is for finding one
// customer by a few letters, not for browsing.
const pickerLimit = 50

// customerPicker asks for one customer by search, for the actions of the
// empty states (record a gesture, a wish, a follow-up) that need one.
type customerPicker struct {
	e      *env
	search *escEntry
	rows   *careRows
	none   *widget.Label  // no customer matches, or there is none yet
	create *widget.Button // "new customer", shown when there is none
	hits   model.Hits
	dlg    *dialog.CustomDialog
	onPick func(id model.ID)
}

// showCustomerPicker opens the picker titled title; onPick runs with the
// chosen customer after the picker closed.
func showCustomerPicker(e *env, title string, onPick func(id model.ID)) *customerPicker {
	p := &customerPicker{e: e, onPick: onPick}
	p.search = newEscEntry(false)
	p.search.SetPlaceHolder(lang.X("care2.picker.search", "Name, company, town or phone"))
	p.search.OnChanged = func(string) { p.find() }
	p.search.OnSubmitted = func(string) { p.pick(0) }
	p.rows = newCareRows()
	p.none = widget.NewLabel("")
	p.none.Wrapping = fyne.TextWrapWord
	p.create = widget.NewButtonWithIcon(lang.X("care2.picker.create", "New customer"), theme.ContentAddIcon(), func() {
		p.dlg.Hide()
		if e.newCustomer != nil {
			e.newCustomer()
		}
	})
	cancel := widget.NewButton(lang.X("note.cancel", "Cancel"), func() { p.dlg.Hide() })
	hint := widget.NewLabel(lang.X("care2.picker.hint", "Type a few letters, then click the customer or press Enter for the first one."))
	hint.Wrapping = fyne.TextWrapWord
	p.dlg = dialog.NewCustomWithoutButtons(title, container.NewBorder(container.NewVBox(hint, p.search), nil, nil, nil,
		container.NewStack(p.rows.list, container.NewVBox(p.none, container.NewHBox(p.create)))), e.win)
	p.dlg.SetButtons([]fyne.CanvasObject{cancel})
	p.search.onEscape = p.dlg.Hide
	p.find()
	p.dlg.Resize(fyne.NewSize(520, 460))
	p.dlg.Show()
	e.win.Canvas().Focus(p.search)
	return p
}

// find lists the customers matching the search, by name.
func (p *customerPicker) find() {
	p.hits = p.e.svc.Directory().Search(model.Query{Text: strings.TrimSpace(p.search.Text), Limit: pickerLimit, Now: p.e.now()})
	rows := make([]careRowData, len(p.hits))
	for i, h := range p.hits {
		c := h.Summary()
		rows[i] = careRowData{title: c.Name, detail: joinNonEmpty(c.Company, c.City), open: func() { p.pick(i) }}
	}
	p.rows.set(rows)
	empty := p.e.svc.Directory().Len() == 0
	p.none.SetText(lang.X("care2.picker.none", "No customer matches."))
	if empty {
		p.none.SetText(lang.X("care2.picker.empty", "There are no customers yet. Create the first one, then come back here."))
	}
	p.none.Hidden = len(rows) > 0
	p.create.Hidden = !empty
	p.none.Refresh()
	p.create.Refresh()
}

// pick closes the picker and hands hit i on; nothing when there is none.
func (p *customerPicker) pick(i int) {
	if i < 0 || i >= len(p.hits) {
		return
	}
	id := p.hits[i].ID
	p.dlg.Hide()
	p.onPick(id)
}
