package app

import (
	"context"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/sync/ical"
	"github.com/kundenkartei/kundenkartei/sync/transfer"
	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

// importWizard walks the user through an address-book import: pick a file,
// see the preview (new, matching, problems with card and line), choose per
// group what happens, import with progress and cancel, read the summary.
// Reading, matching and saving run off the UI goroutine.
type importWizard struct {
	e    *env
	path string
	plan *vcard.Plan
	read []vcard.Problem // problems of the file outside any card

	dlg      dialog.Dialog
	status   *widget.Label
	progress *widget.ProgressBar
	counts   *widget.Label
	problems *widget.Label
	matching *widget.Select
	newCards *widget.Select
	probSel  *widget.Select
	start    *widget.Button
	cancel   context.CancelFunc
	result   *vcard.Result
}

func newImportWizard(e *env) *importWizard {
	w := &importWizard{e: e,
		status:   widget.NewLabel(""),
		progress: widget.NewProgressBar(),
		counts:   widget.NewLabel(""),
		problems: widget.NewLabel(""),
	}
	w.problems.Wrapping = fyne.TextWrapWord
	w.status.Wrapping = fyne.TextWrapWord
	actions := []string{actionText(vcard.Add), actionText(vcard.Update), actionText(vcard.Overwrite), actionText(vcard.Skip)}
	w.newCards = widget.NewSelect([]string{actionText(vcard.Add), actionText(vcard.Skip)}, nil)
	w.newCards.SetSelected(actionText(vcard.Add))
	w.matching = widget.NewSelect(actions, nil)
	w.matching.SetSelected(actionText(vcard.Update))
	w.probSel = widget.NewSelect([]string{actionText(vcard.Skip), actionText(vcard.Update)}, nil)
	w.probSel.SetSelected(actionText(vcard.Skip))
	w.start = widget.NewButton(lang.X("import.start", "Import"), w.onImport)
	w.start.Importance = widget.HighImportance
	w.start.Disable()
	return w
}

func actionText(a vcard.Action) string {
	switch a {
	case vcard.Add:
		return lang.X("import.action.add", "Add as new customer")
	case vcard.Update:
		return lang.X("import.action.fill", "Fill empty fields")
	case vcard.Overwrite:
		return lang.X("import.action.overwrite", "Overwrite fields")
	}
	return lang.X("import.action.skip", "Skip")
}

func actionFromText(s string) vcard.Action {
	for _, a := range []vcard.Action{vcard.Add, vcard.Update, vcard.Overwrite, vcard.Skip} {
		if actionText(a) == s {
			return a
		}
	}
	return vcard.Skip
}

// showImport opens the file picker and then the wizard.
func showImport(e *env) {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			e.showError(err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		newImportWizard(e).open(path)
	}, e.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".vcf", ".vcard", ".csv", ".txt", ".VCF", ".CSV"}))
	fd.Show()
}

func (w *importWizard) build() fyne.CanvasObject {
	form := widget.NewForm(
		widget.NewFormItem(lang.X("import.group.new", "New customers"), w.newCards),
		widget.NewFormItem(lang.X("import.group.matching", "Already known"), w.matching),
		widget.NewFormItem(lang.X("import.group.problems", "With problems"), w.probSel),
	)
	cancel := widget.NewButton(lang.X("import.cancel", "Cancel"), w.onCancel)
	probs := container.NewVScroll(w.problems)
	probs.SetMinSize(fyne.NewSize(560, 140))
	return container.NewBorder(
		container.NewVBox(w.status, w.progress, w.counts, form),
		container.NewHBox(cancel, layout.NewSpacer(), w.start),
		nil, nil, probs)
}

// open shows the wizard and starts reading path.
func (w *importWizard) open(path string) {
	w.dlg = dialog.NewCustomWithoutButtons(lang.X("import.title", "Import address book"), w.build(), w.e.win)
	w.dlg.Resize(fyne.NewSize(640, 520))
	w.dlg.Show()
	w.preview(path, nil)
}

// preview reads and matches the file in the background; done (for tests)
// is called after the widgets show the result.
func (w *importWizard) preview(path string, done func()) {
	w.path = path
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.status.SetText(lang.X("import.reading", "Reading {{.File}} …", map[string]any{"File": filepath.Base(path)}))
	progress := func(d, total int) {
		if total > 0 {
			fyne.Do(func() { w.progress.SetValue(float64(d) / float64(total)) })
		}
	}
	go func() {
		defer cancel()
		cards, readProblems, err := transfer.Read(ctx, path, progress)
		var plan *vcard.Plan
		if err == nil {
			plan, err = vcard.Preview(ctx, cards, w.e.svc, vcard.PreviewOptions{Region: w.e.settings().Region, Progress: progress})
		}
		fyne.Do(func() {
			defer callIf(done)
			if err != nil {
				w.status.SetText(lang.X("import.read_failed", "The file could not be read."))
				w.e.showError(err)
				return
			}
			w.plan, w.read = plan, readProblems
			w.showPreview()
		})
	}()
}

func callIf(f func()) {
	if f != nil {
		f()
	}
}

func (w *importWizard) showPreview() {
	n := w.plan.Counts()
	w.progress.SetValue(1)
	w.status.SetText(lang.X("import.previewed", "{{.File}}: {{.Total}} contacts read. Choose what happens, then import.",
		map[string]any{"File": filepath.Base(w.path), "Total": n.Total}))
	w.counts.SetText(lang.X("import.counts", "{{.New}} new · {{.Matching}} already known · {{.Problems}} with problems",
		map[string]any{"New": n.New, "Matching": n.Matching, "Problems": n.Problems}))
	var lines []string
	for _, p := range w.read {
		lines = append(lines, problemText(w.path, p))
	}
	for _, en := range w.plan.Problems {
		for _, p := range en.Card.Problems {
			lines = append(lines, problemText(w.path, p))
		}
	}
	if len(lines) > 200 {
		lines = append(lines[:200], lang.X("import.more_problems", "… and more"))
	}
	w.problems.SetText(strings.Join(lines, "\n"))
	if n.Total > 0 {
		w.start.Enable()
	}
}

// problemText names file, card and line of a problem.
func problemText(path string, p vcard.Problem) string {
	return lang.X("import.problem", "{{.File}}, contact {{.Card}}, line {{.Line}}: {{.Reason}}",
		map[string]any{"File": filepath.Base(path), "Card": p.Card, "Line": p.Line, "Reason": p.Reason})
}

func (w *importWizard) choices() vcard.Choices {
	return vcard.Choices{New: actionFromText(w.newCards.Selected), Matching: actionFromText(w.matching.Selected), Problem: actionFromText(w.probSel.Selected)}
}

func (w *importWizard) onImport() { w.apply(nil) }

// apply backs up and imports in the background; done is for tests.
func (w *importWizard) apply(done func()) {
	if w.plan == nil {
		return
	}
	w.start.Disable()
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	ch := w.choices()
	w.status.SetText(lang.X("import.saving", "Importing …"))
	w.progress.SetValue(0)
	go func() {
		defer cancel()
		var res vcard.Result
		_, err := w.e.svc.Backup("import")
		if err == nil {
			res, err = w.plan.Apply(ctx, w.e.svc, ch, func(d, total int) {
				fyne.Do(func() { w.progress.SetValue(float64(d) / float64(max(total, 1))) })
			})
		}
		fyne.Do(func() {
			defer callIf(done)
			if err != nil {
				if ctx.Err() != nil {
					w.status.SetText(lang.X("import.cancelled", "Import cancelled. What was saved before stays."))
					return
				}
				w.status.SetText(lang.X("import.failed", "The import failed; nothing after the last saved step was changed."))
				w.e.showError(err)
				return
			}
			w.result = &res
			w.progress.SetValue(1)
			w.status.SetText(lang.X("import.done", "Done: {{.Added}} added, {{.Updated}} updated, {{.Unchanged}} unchanged, {{.Skipped}} skipped.",
				map[string]any{"Added": res.Added, "Updated": res.Updated, "Unchanged": res.Unchanged, "Skipped": res.Skipped}))
		})
	}()
}

func (w *importWizard) onCancel() {
	if w.cancel != nil {
		w.cancel()
	}
	if w.dlg != nil {
		w.dlg.Hide()
	}
}

func exportFormatText(f string) string {
	switch f {
	case transfer.FormatVCard:
		return lang.X("export.format.vcard", "vCard 3.0 (Apple, Google, most programs)")
	case transfer.FormatVCard4:
		return lang.X("export.format.vcard4", "vCard 4.0")
	case transfer.FormatOutlook:
		return lang.X("export.format.outlook", "vCard for Outlook (2.1)")
	case transfer.FormatCSV:
		return lang.X("export.format.csv", "CSV for Excel")
	case transfer.FormatCSVRFC:
		return lang.X("export.format.csv_rfc", "CSV (comma separated)")
	case transfer.FormatMailing:
		return lang.X("export.format.mailing", "Mailing list (only customers with mail consent)")
	}
	return lang.X("export.format.ics", "Follow-ups as calendar (.ics)")
}

// showExport asks for format and selection, then where to save.
func showExport(e *env) {
	var labels []string
	for _, f := range transfer.Formats {
		labels = append(labels, exportFormatText(f))
	}
	format := widget.NewSelect(labels, nil)
	format.SetSelected(labels[0])
	all := lang.X("export.all", "All customers")
	tag := widget.NewSelect(append([]string{all}, e.svc.Directory().Tags()...), nil)
	tag.SetSelected(all)
	items := []*widget.FormItem{
		widget.NewFormItem(lang.X("export.format", "Format"), format),
		widget.NewFormItem(lang.X("export.tag", "Customers"), tag),
	}
	dialog.ShowForm(lang.X("export.title", "Export"), lang.X("export.next", "Save as …"), lang.X("export.cancel", "Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		f := transfer.Formats[format.SelectedIndex()]
		sel := transfer.Selection{}
		if tag.Selected != all {
			sel.Tag = tag.Selected
		}
		save := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
			if err != nil {
				e.showError(err)
				return
			}
			if wc == nil {
				return
			}
			path := wc.URI().Path()
			wc.Close()
			runExport(e, f, sel, path, nil)
		}, e.win)
		save.SetFileName(lang.X("export.filename", "customers") + transfer.Ext(f))
		save.Show()
	}, e.win)
}

// icalOptions carries the translated words of calendar entries.
func icalOptions() ical.Options {
	return ical.Options{SummaryPrefix: lang.X("ical.prefix", "Follow-up"),
		Labels: ical.Labels{Phone: lang.X("ical.phone", "Phone"), Email: lang.X("ical.email", "Email"), Note: lang.X("ical.note", "Note")}}
}

// runExport writes the export in the background and reports the result;
// done is for tests.
func runExport(e *env, format string, sel transfer.Selection, path string, done func(n int, err error)) {
	busy := newBusyIndicator()
	busy.set(true)
	prog := dialog.NewCustomWithoutButtons(lang.X("export.running", "Exporting …"), busy.box, e.win)
	prog.Show()
	go func() {
		n, err := transfer.ExportFile(e.svc, path, format, sel, icalOptions())
		fyne.Do(func() {
			busy.set(false)
			prog.Hide()
			if done != nil {
				done(n, err)
			}
			if err != nil {
				e.showError(err)
				return
			}
			dialog.ShowInformation(lang.X("export.title", "Export"),
				lang.X("export.done", "{{.Count}} records written to {{.File}}.", map[string]any{"Count": formatCount(n), "File": path}), e.win)
		})
	}()
}
