package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// erasedLog is the settings' list of erased customers: when, on which
// device, by whom, and the customer's ID; no name, since the erasure
// keeps none.
type erasedLog struct {
	e     *env
	rows  *fyne.Container
	empty *widget.Label
	list  []model.Erasure
}

func newErasedLog(e *env) *erasedLog { return &erasedLog{e: e} }

func (l *erasedLog) build() fyne.CanvasObject {
	title := widget.NewLabelWithStyle(lang.X("settings.erased", "Erased customers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	help := widget.NewLabel(lang.X("settings.erased.help", "Customers erased for good, on this or another device. Only the record of the erasure is kept, so that no device brings the customer back; restoring an older backup erases them again."))
	help.Wrapping = fyne.TextWrapWord
	help.Importance = widget.LowImportance
	l.empty = widget.NewLabel(lang.X("settings.erased.none", "No customer has been erased."))
	l.rows = container.NewVBox()
	l.refresh()
	l.e.svc.Subscribe(func(changes []model.Change) {
		for _, c := range changes {
			if c.Type == model.TypeCustomer {
				fyne.Do(l.refresh)
				return
			}
		}
	})
	return container.NewVBox(widget.NewSeparator(), title, help, l.empty, l.rows)
}

// refresh reloads the erasures.
func (l *erasedLog) refresh() {
	list, err := l.e.privacy.Erasures()
	if err != nil {
		l.e.showError(err)
		return
	}
	l.list = list
	l.rows.RemoveAll()
	for _, e := range list {
		l.rows.Add(widget.NewLabel(erasureText(e)))
	}
	l.empty.Hidden = len(list) > 0
	l.empty.Refresh()
	l.rows.Refresh()
}

func erasureText(e model.Erasure) string {
	if e.Author == "" {
		return lang.X("settings.erased.row.anonymous", "{{.When}}: customer {{.ID}}, erased on device {{.Device}}",
			map[string]any{"When": e.At.Local().Format("02.01.2006 15:04"), "ID": e.ID.String(), "Device": e.Device})
	}
	return lang.X("settings.erased.row", "{{.When}}: customer {{.ID}}, erased by {{.Author}} on device {{.Device}}",
		map[string]any{"When": e.At.Local().Format("02.01.2006 15:04"), "ID": e.ID.String(), "Author": e.Author, "Device": e.Device})
}
