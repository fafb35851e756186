package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
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
	notes    *widget.Label // what cards carried that was not taken over into a field
	matching *widget.Select
	newCards *widget.Select
	probSel  *widget.Select
	known    *matchList // the matched cards, each with its "add as new" toggle
	tabs     *container.AppTabs
	knownTab *container.TabItem
	probTab  *container.TabItem
	notesTab *container.TabItem
	start    *widget.Button
	close    *widget.Button // cancels the running step; closes the wizard when none runs
	cancel   context.CancelFunc
	applying bool // the import is being saved: Cancel stops it and the wizard stays to say so
	result   *vcard.Result
}

func newImportWizard(e *env) *importWizard {
	w := &importWizard{e: e,
		status:   widget.NewLabel(""),
		progress: widget.NewProgressBar(),
		counts:   widget.NewLabel(""),
		problems: widget.NewLabel(""),
		notes:    widget.NewLabel(""),
	}
	w.problems.Wrapping = fyne.TextWrapWord
	w.notes.Wrapping = fyne.TextWrapWord
	w.status.Wrapping = fyne.TextWrapWord
	w.known = newMatchList()
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
	w.close = widget.NewButton(lang.X("import.cancel", "Cancel"), w.onCancel)
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
		rememberDir(e, prefImportDir, filepath.Dir(path))
		newImportWizard(e).open(path)
	}, e.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".vcf", ".vcard", ".csv", ".txt", ".VCF", ".CSV"}))
	prepareOpenDialog(e, fd, prefImportDir, lang.X("care2.import.pick", "Choose the address book to import (.vcf or .csv)"))
	fd.Show()
}

func (w *importWizard) build() fyne.CanvasObject {
	form := widget.NewForm(
		widget.NewFormItem(lang.X("import.group.new", "New customers"), w.newCards),
		widget.NewFormItem(lang.X("import.group.matching", "Already known"), w.matching),
		widget.NewFormItem(lang.X("import.group.problems", "With problems"), w.probSel),
	)
	probs := container.NewVScroll(w.problems)
	probs.SetMinSize(fyne.NewSize(560, 140))
	w.knownTab = container.NewTabItem(lang.X("import.group.matching", "Already known"), w.known.list)
	w.probTab = container.NewTabItem(lang.X("import.group.problems", "With problems"), probs)
	w.notesTab = container.NewTabItem(lang.X("import.tab.notes", "Not taken over ({{.Count}})", map[string]any{"Count": 0}), container.NewVScroll(w.notes))
	w.tabs = container.NewAppTabs(w.knownTab, w.probTab, w.notesTab)
	return container.NewBorder(
		container.NewVBox(w.status, w.progress, w.counts, form),
		container.NewHBox(w.close, layout.NewSpacer(), w.start),
		nil, nil, w.tabs)
}

// open shows the wizard and starts reading path.
func (w *importWizard) open(path string) {
	w.dlg = dialog.NewCustomWithoutButtons(lang.X("import.title", "Import address book"), w.build(), w.e.win)
	w.dlg.Resize(fyne.NewSize(800, 560)) // the match reasons are long; still fits a 1024×700 window
	w.dlg.Show()
	w.preview(path, nil)
}

// preview reads and matches the file in the background, with progress;
// done (for tests) is called after the widgets show the
// result. Cancelled, it ends without a word: nothing was written.
func (w *importWizard) preview(path string, done func()) {
	w.path = path
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	file := map[string]any{"File": filepath.Base(path)}
	w.status.SetText(lang.X("import.comparing", "Comparing {{.File}} with your customers …", file))
	w.progress.SetValue(0)
	progress := func(d, total int) {
		if total > 0 {
			fyne.Do(func() { w.progress.SetValue(float64(d) / float64(total)) })
		}
	}
	region := w.e.settings().Region
	go func() {
		defer cancel()
		// The file is read and compared with the customers in one pass
		// (a large one is read again when imported).
		plan, readProblems, err := transfer.Preview(ctx, path, w.e.svc, vcard.PreviewOptions{Region: region, Progress: progress})
		// Read now: fyne.Do runs the update later, after the deferred
		// cancel, when ctx is always done.
		cancelled := ctx.Err() != nil
		fyne.Do(func() {
			defer callIf(done)
			if cancelled {
				return
			}
			if text, ok := fileErrorText(err); ok {
				w.status.SetText(text)
				return
			}
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

// fileErrorText says, translated, why a file cannot be imported when it is
// empty, no address book, or changed between the preview and the import;
// false for any other error.
func fileErrorText(err error) (string, bool) {
	switch {
	case errors.Is(err, vcard.ErrEmpty):
		return lang.X("import.err.empty", "The file is empty: there is nothing to import."), true
	case errors.Is(err, vcard.ErrNotAddressBook):
		return lang.X("import.err.not_vcard", "The file is not an address book (no vCard in its first 64 KB); it may be a picture, an archive or another program's file. Nothing was imported."), true
	case errors.Is(err, vcard.ErrChanged):
		return lang.X("import.err.changed", "The file was changed after it was read. Nothing after the last saved step was imported; open it again to see what it holds now."), true
	}
	return "", false
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
		map[string]any{"File": filepath.Base(w.path), "Total": formatCount(n.Total)}))
	w.counts.SetText(lang.X("import.counts", "{{.New}} new · {{.Matching}} already known · {{.Problems}} with problems",
		map[string]any{"New": formatCount(n.New), "Matching": formatCount(n.Matching), "Problems": formatCount(n.Problems)}))
	problems := w.plan.AllProblems(w.read) // each once: the file's list repeats the cards' own
	w.problems.SetText(listText(problems, func(p vcard.Problem) string { return problemText(w.path, p) }))
	notes := w.plan.Notes()
	w.notes.SetText(listText(notes, func(p vcard.Problem) string { return noteText(w.path, p) }))
	w.known.set(w.plan.Matching)
	if w.knownTab != nil {
		w.knownTab.Text = lang.X("import.tab.matching", "Already known ({{.Count}})", map[string]any{"Count": formatCount(n.Matching)})
		w.probTab.Text = lang.X("import.tab.problems", "With problems ({{.Count}})", map[string]any{"Count": formatCount(len(problems))})
		w.notesTab.Text = lang.X("import.tab.notes", "Not taken over ({{.Count}})", map[string]any{"Count": formatCount(len(notes))})
		w.tabs.Refresh()
	}
	if n.Total > 0 {
		w.start.Enable()
	}
}

// listText shows the first 200 of ps, one a line, and how many more there are.
func listText(ps []vcard.Problem, text func(vcard.Problem) string) string {
	var lines []string
	for i, p := range ps {
		if i == 200 {
			lines = append(lines, lang.X("import.more_problems_n", "… and {{.Count}} more", map[string]any{"Count": formatCount(len(ps) - i)}))
			break
		}
		lines = append(lines, text(p))
	}
	return strings.Join(lines, "\n")
}

// noteText names file, card and line of a note and says, translated, what
// was not taken over and why the card imports anyway.
func noteText(path string, p vcard.Problem) string {
	data := map[string]any{"Value": p.Value}
	switch p.Note {
	case vcard.NoteEmail:
		p.Reason = lang.X("import.note.email", "“{{.Value}}” is not an email address; the contact is imported without it, the value is kept for export", data)
	case vcard.NotePhone:
		p.Reason = lang.X("import.note.phone", "“{{.Value}}” is not a phone number; the contact is imported without it, the value is kept for export", data)
	case vcard.NoteWebsite:
		p.Reason = lang.X("import.note.website", "“{{.Value}}” is not a web address; the contact is imported without it, the value is kept for export", data)
	case vcard.NoteBirthday:
		p.Reason = lang.X("import.note.birthday", "Birthday “{{.Value}}” not understood; the contact is imported without it, the value is kept for export", data)
	case vcard.NotePhoto:
		p.Reason = lang.X("import.note.photo", "The photo could not be read; the contact is imported without it, the data is kept for export")
	case vcard.NotePlaceholders:
		p.Reason = lang.X("import.note.placeholders", "Outlook placeholders for empty phone fields ignored: {{.Value}}", data)
	}
	return problemText(path, p)
}

// problemText names file, card and line of a problem.
func problemText(path string, p vcard.Problem) string {
	return lang.X("import.problem", "{{.File}}, contact {{.Card}}, line {{.Line}}: {{.Reason}}",
		map[string]any{"File": filepath.Base(path), "Card": p.Card, "Line": p.Line, "Reason": p.Reason})
}

// matchList is the list data of the matched cards: which stored customer
// (or earlier card of the file) each one would update, and why, with a
// toggle that imports that one card as a new customer instead.
type matchList struct {
	list    *widget.List
	entries []*vcard.Entry
	asNew   map[int]bool // Card.Index → the user turned the match into "add as new"
}

func newMatchList() *matchList {
	m := &matchList{asNew: map[int]bool{}}
	m.list = widget.NewList(m.Length, m.CreateItem, m.UpdateItem)
	return m
}

// set shows entries and forgets earlier toggles.
func (m *matchList) set(entries []*vcard.Entry) {
	m.entries, m.asNew = entries, map[int]bool{}
	m.list.Refresh()
}

// Length is the number of matched cards.
func (m *matchList) Length() int { return len(m.entries) }

// CreateItem makes an empty row.
func (m *matchList) CreateItem() fyne.CanvasObject { return newMatchRow() }

// UpdateItem shows entry id in row o and binds its toggle.
func (m *matchList) UpdateItem(id widget.ListItemID, o fyne.CanvasObject) {
	row, e := o.(*matchRow), m.entries[id]
	row.text.SetText(matchText(e))
	idx := e.Index
	row.asNew.OnChanged = nil // SetChecked must not toggle the previous entry
	row.asNew.SetChecked(m.asNew[idx])
	row.asNew.OnChanged = func(on bool) { m.setAsNew(idx, on) }
}

func (m *matchList) setAsNew(card int, on bool) {
	if on {
		m.asNew[card] = true
	} else {
		delete(m.asNew, card)
	}
}

// perCard is the Choices.PerCard of the toggles.
func (m *matchList) perCard() map[int]vcard.Action {
	out := make(map[int]vcard.Action, len(m.asNew))
	for card := range m.asNew {
		out[card] = vcard.Add
	}
	return out
}

// matchRow is one matched card: what it matches and why, and the toggle.
type matchRow struct {
	widget.BaseWidget
	text  *widget.Label
	asNew *widget.Check
}

func newMatchRow() *matchRow {
	r := &matchRow{text: widget.NewLabel(""), asNew: widget.NewCheck(lang.X("import.as_new", "Add as new"), nil)}
	r.text.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer lays the text out left of the toggle.
func (r *matchRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, r.asNew, r.text))
}

// matchText reads: Contact 3 (line 17) "Anna Huber" → "Anna Huber": same email "anna@…".
func matchText(e *vcard.Entry) string {
	data := map[string]any{"Card": e.Index, "Line": e.Line, "Name": e.Name}
	if e.Existing != model.NilID {
		data["Existing"], data["Why"] = e.ExistingName, whyText(e.Why)
		return lang.X("import.match", "Contact {{.Card}} (line {{.Line}}) “{{.Name}}” → “{{.Existing}}”: {{.Why}}", data)
	}
	data["Other"], data["Why"] = e.SameAs, whyText(e.WhySame)
	return lang.X("import.match_in_file", "Contact {{.Card}} (line {{.Line}}) “{{.Name}}” → contact {{.Other}} of this file: {{.Why}}", data)
}

// whyText translates the evidence of a match.
func whyText(s model.Sameness) string {
	data := map[string]any{"Value": s.Value}
	switch s.Reason {
	case model.SameUID:
		return lang.X("import.why.uid", "same UID {{.Value}}", data)
	case model.SameEmail:
		return lang.X("import.why.email", "same email {{.Value}}", data)
	case model.SameNameCompany:
		return lang.X("import.why.name_company", "same name and company ({{.Value}})", data)
	case model.SameNameTown:
		return lang.X("import.why.name_town", "same name and town ({{.Value}})", data)
	case model.SameNamePhone:
		return lang.X("import.why.name_phone", "same name and phone ({{.Value}})", data)
	case model.SameCompany:
		return lang.X("import.why.company", "same company ({{.Value}})", data)
	case model.SameNameOnly:
		return lang.X("import.why.name_only", "same name, nothing else known ({{.Value}})", data)
	}
	return lang.X("import.why.phone_only", "same phone, nothing else known ({{.Value}})", data)
}

func (w *importWizard) choices() vcard.Choices {
	return vcard.Choices{New: actionFromText(w.newCards.Selected), Matching: actionFromText(w.matching.Selected),
		Problem: actionFromText(w.probSel.Selected), PerCard: w.known.perCard()}
}

func (w *importWizard) onImport() { w.apply(nil) }

// apply backs up and imports in the background; done is for tests.
func (w *importWizard) apply(done func()) {
	if w.plan == nil {
		return
	}
	w.start.Disable()
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.applying = cancel, true
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
		cancelled := ctx.Err() != nil // before the deferred cancel, see preview
		fyne.Do(func() {
			defer callIf(done)
			w.applying = false
			w.close.SetText(lang.X("import.close", "Close"))
			w.close.Enable()
			if err != nil {
				if cancelled {
					w.status.SetText(lang.X("import.cancelled", "Import cancelled. What was saved before stays."))
					return
				}
				if text, ok := fileErrorText(err); ok {
					w.status.SetText(text)
					return
				}
				w.status.SetText(lang.X("import.failed", "The import failed; nothing after the last saved step was changed."))
				w.e.showError(err)
				return
			}
			w.result = &res
			w.progress.SetValue(1)
			w.status.SetText(lang.X("import.done", "Done: {{.Added}} added, {{.Updated}} updated, {{.Unchanged}} unchanged, {{.Skipped}} skipped.",
				map[string]any{"Added": formatCount(res.Added), "Updated": formatCount(res.Updated), "Unchanged": formatCount(res.Unchanged), "Skipped": formatCount(res.Skipped)}))
		})
	}()
}

// onCancel stops the running step. While the import is saved the wizard
// stays open and says, once the current chunk is committed, that what
// was saved stays; otherwise it closes (reading and matching write
// nothing).
func (w *importWizard) onCancel() {
	if w.cancel != nil {
		w.cancel()
	}
	if w.applying {
		w.status.SetText(lang.X("import.cancelling", "Cancelling after the step being saved …"))
		w.close.Disable()
		return
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
				showExportError(e, path, err)
				return
			}
			dialog.ShowInformation(lang.X("export.title", "Export"),
				lang.X("export.done", "{{.Count}} records written to {{.File}}.", map[string]any{"Count": formatCount(n), "File": path}), e.win)
		})
	}()
}
