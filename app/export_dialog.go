package app

import (
	"path/filepath"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/transfer"
)

// exportDialog asks in one dialog what to export (format, customers, for
// the calendar a date range) and where to save it. The format is
// remembered; the file name follows the format ("folgetermine.ics").
type exportDialog struct {
	e        *env
	format   *widget.Select
	tag      *widget.Select
	all      string // the tag choice "all customers"
	from, to *escEntry
	dates    *fyne.Container // shown for the calendar only, with datesLbl
	datesLbl *widget.Label
	problem  *widget.Label // under the dates
	path     *savePath
	proposed string // file name proposed last; kept if the user typed another
	start    *widget.Button
	dlg      *dialog.CustomDialog
	// run writes the export; runExport, replaced in tests.
	run func(format string, sel transfer.Selection, path string)
}

// showExport opens the export dialog.
func showExport(e *env) *exportDialog {
	d := newExportDialog(e)
	d.dlg.Show()
	e.win.Canvas().Focus(d.path.entry)
	return d
}

func newExportDialog(e *env) *exportDialog {
	d := &exportDialog{e: e, all: lang.X("export.all", "All customers"), problem: newErrorLabel()}
	d.run = func(f string, sel transfer.Selection, path string) { runExport(e, f, sel, path, nil) }
	labels := make([]string, len(transfer.Formats))
	for i, f := range transfer.Formats {
		labels[i] = exportFormatText(f)
	}
	d.format = widget.NewSelect(labels, nil)
	d.tag = widget.NewSelect(append([]string{d.all}, e.svc.Directory().Tags()...), nil)
	d.tag.SetSelected(d.all)
	d.from, d.to = newEscEntry(false), newEscEntry(false)
	d.from.SetPlaceHolder(lang.X("care2.export.from", "from (date), empty: all"))
	d.to.SetPlaceHolder(lang.X("care2.export.to", "until (date), empty: all"))
	d.dates = container.NewVBox(container.NewGridWithColumns(2, d.from, d.to), d.problem)
	d.datesLbl = widget.NewLabelWithStyle(lang.X("care2.export.period", "Due"), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})

	format := transfer.Formats[0]
	if e.prefs != nil && slices.Contains(transfer.Formats, e.prefs.String(prefExportFormat)) {
		format = e.prefs.String(prefExportFormat)
	}
	d.proposed = exportFileNameFor(format)
	d.path = newSavePath(e, d.proposed)
	d.format.OnChanged = func(string) { d.onFormat() }
	d.format.SetSelectedIndex(slices.Index(transfer.Formats, format))

	// One form layout, so that the dates row (label and fields) hides
	// completely for the formats without dates.
	label := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	}
	form := container.New(layout.NewFormLayout(),
		label(lang.X("export.format", "Format")), d.format,
		label(lang.X("export.tag", "Customers")), d.tag,
		d.datesLbl, d.dates,
		label(lang.X("care2.save.path", "Save as")), d.path.widget())
	d.start = widget.NewButtonWithIcon(lang.X("care2.export.start", "Export"), theme.DocumentSaveIcon(), d.onStart)
	d.start.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.X("export.cancel", "Cancel"), func() { d.dlg.Hide() })
	d.dlg = dialog.NewCustomWithoutButtons(lang.X("export.title", "Export"), form, e.win)
	d.dlg.SetButtons([]fyne.CanvasObject{cancel, d.start})
	for _, en := range []*escEntry{d.path.entry, d.from, d.to} {
		en.onEscape = d.dlg.Hide
		en.OnSubmitted = func(string) { d.onStart() }
	}
	d.dlg.Resize(fyne.NewSize(min(760, e.win.Canvas().Size().Width*0.9), 340))
	return d
}

// selected is the chosen format.
func (d *exportDialog) selected() string {
	if i := d.format.SelectedIndex(); i >= 0 {
		return transfer.Formats[i]
	}
	return transfer.Formats[0]
}

// onFormat shows the date range for the calendar and proposes the
// format's file name, unless the user named the file.
func (d *exportDialog) onFormat() {
	f := d.selected()
	d.dates.Hidden = f != transfer.FormatICS
	d.datesLbl.Hidden = d.dates.Hidden
	d.dates.Refresh()
	d.datesLbl.Refresh()
	name := exportFileNameFor(f)
	if filepath.Base(d.path.path()) == d.proposed {
		d.path.setFileName(name)
	}
	d.proposed = name
}

// exportFileNameFor proposes a file name per format.
func exportFileNameFor(format string) string {
	switch format {
	case transfer.FormatICS:
		return lang.X("care2.export.file.followups", "follow-ups") + transfer.Ext(format)
	case transfer.FormatMailing:
		return lang.X("care2.export.file.mailing", "mailing-list") + transfer.Ext(format)
	case transfer.FormatOutlook:
		return lang.X("care2.export.file.outlook", "customers-outlook") + transfer.Ext(format)
	}
	return lang.X("export.filename", "customers") + transfer.Ext(format)
}

// selection reads customers and, for the calendar, the due dates [from,
// to] (whole days in the device's zone); false when a date is unreadable.
func (d *exportDialog) selection() (transfer.Selection, bool) {
	sel := transfer.Selection{}
	if d.tag.Selected != d.all {
		sel.Tag = d.tag.Selected
	}
	if d.selected() != transfer.FormatICS {
		return sel, true
	}
	_, loc := careZone(d.e.settings().TimeZone)
	year := d.e.now().In(loc).Year()
	from, errFrom := careParseOptionalDate(d.from.Text, year)
	to, errTo := careParseOptionalDate(d.to.Text, year)
	switch {
	case errFrom != nil || errTo != nil:
		d.problem.SetText(lang.X("care.validation.date", "Please enter a date, e.g. 2026-11-23."))
	case !from.IsZero() && !to.IsZero() && to.String() < from.String():
		d.problem.SetText(lang.X("care2.export.range", "The end of the period lies before its start."))
	default:
		d.problem.Hide()
		if !from.IsZero() {
			sel.From = from.Time(0, loc)
		}
		if !to.IsZero() {
			sel.To = to.Time(0, loc).AddDate(0, 0, 1) // the whole last day
		}
		return sel, true
	}
	d.problem.Show()
	return sel, false
}

// onStart checks dates and path, remembers the format and exports.
func (d *exportDialog) onStart() {
	sel, ok := d.selection()
	if !ok {
		return
	}
	path, ok := d.path.check()
	if !ok {
		return
	}
	format := d.selected()
	confirmOverwrite(d.e, path, func() {
		if d.e.prefs != nil {
			d.e.prefs.SetString(prefExportFormat, format)
		}
		d.dlg.Hide()
		d.run(format, sel, path)
	})
}

// showExportError says "nothing to export" in words; write errors go to
// showSaveError.
func showExportError(e *env, path string, err error) {
	if model.ErrorCode(err) == model.EINVALID && len(model.ErrorFields(err)) == 0 {
		fyne.LogError("export", err)
		dialog.ShowInformation(lang.X("export.title", "Export"),
			lang.X("care2.export.nothing", "Nothing to export: no customers or follow-ups match the choice. No file was written."), e.win)
		return
	}
	showSaveError(e, path, err)
}
