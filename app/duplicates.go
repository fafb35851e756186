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

// maxDuplicates bounds the review list; the user merges or dismisses and
// the next ones appear.
const maxDuplicates = 200

// duplicatesView lists possible duplicates (same email, phone, or a name
// spelled alike at the same company) for review: merge into one, or mark
// as different. A second list shows merges that can be undone. Finding
// and merging run off the UI goroutine; a backup is taken before a merge.
type duplicatesView struct {
	e    *env
	do   func(func()) // runs UI updates on the UI thread (fyne.Do)
	work *jobs        // background jobs, so tests can wait for them
	// onCount, when set, hears the numbers of pairs and merges after
	// every refresh, on the UI thread.
	onCount func(pairs, merges int)

	pairs   []dupPair          // what the list shows (UI thread only)
	more    bool               // there were more than maxDuplicates
	merges  []model.MergeEntry // undoable merges (UI thread only)
	list    *widget.List
	mlist   *widget.List
	summary *widget.Label
	mlabel  *widget.Label
	busy    *busyIndicator // while a merge backs up the database
}

// dupPair is a Duplicate with both customers' summaries for display.
type dupPair struct {
	model.Duplicate
	a, b *model.CustomerSummary
}

// newDuplicatesView makes the view; its background jobs run UI updates
// through do and are counted in work.
func newDuplicatesView(e *env, do func(func()), work *jobs) *duplicatesView {
	v := &duplicatesView{e: e, do: do, work: work}
	v.summary = widget.NewLabel("")
	v.summary.Wrapping = fyne.TextWrapWord
	v.mlabel = widget.NewLabel("")
	v.mlabel.Wrapping = fyne.TextWrapWord
	v.busy = newBusyIndicator()
	v.list = widget.NewList(
		func() int { return len(v.pairs) },
		func() fyne.CanvasObject { return newDupRow() },
		v.updatePair)
	v.mlist = widget.NewList(
		func() int { return len(v.merges) },
		func() fyne.CanvasObject { return newMergeRow() },
		v.updateMerge)
	return v
}

// pairsView and mergesView are the two lists with their headers.
func (v *duplicatesView) pairsView() fyne.CanvasObject {
	return container.NewBorder(container.NewVBox(v.summary, v.busy.box), nil, nil, nil, v.list)
}

func (v *duplicatesView) mergesView() fyne.CanvasObject {
	return container.NewBorder(v.mlabel, nil, nil, nil, v.mlist)
}

// refresh finds duplicates and merges in the background.
func (v *duplicatesView) refresh() {
	v.background(func() error { return nil })
}

// background runs job off the UI goroutine, then reloads both lists there
// too and shows the result (or job's error) on the UI thread.
func (v *duplicatesView) background(job func() error) {
	v.work.Add(1)
	go func() {
		defer v.work.Done()
		jobErr := job()
		dups, more, err := v.e.svc.Duplicates(maxDuplicates)
		var merges []model.MergeEntry
		if err == nil {
			merges, err = v.e.svc.Merges()
		}
		dir := v.e.svc.Directory()
		pairs := make([]dupPair, 0, len(dups))
		for _, d := range dups {
			a, okA := dir.Summary(d.A)
			b, okB := dir.Summary(d.B)
			if okA && okB {
				pairs = append(pairs, dupPair{Duplicate: d, a: a, b: b})
			}
		}
		v.do(func() {
			v.busy.set(false)
			if jobErr != nil {
				v.e.showError(jobErr)
			}
			if err != nil {
				v.e.showError(err)
				return
			}
			v.pairs, v.more, v.merges = pairs, more, merges
			v.showCounts()
			if v.onCount != nil {
				v.onCount(len(pairs), len(merges))
			}
			v.list.Refresh()
			v.mlist.Refresh()
		})
	}()
}

func (v *duplicatesView) showCounts() {
	switch {
	case len(v.pairs) == 0:
		v.summary.SetText(lang.X("dup.none", "No possible duplicates. Customers with the same email, phone number, or a name spelled alike at the same company would be listed here."))
	case v.more:
		v.summary.SetText(lang.X("dup.more", "The first {{.Count}} possible duplicates; more appear when you have reviewed these.", map[string]any{"Count": formatCount(len(v.pairs))}))
	default:
		v.summary.SetText(lang.XN("dup.count", "{{.Count}} possible duplicates to review.", len(v.pairs), map[string]any{"Count": formatCount(len(v.pairs))}))
	}
	if len(v.merges) == 0 {
		v.mlabel.SetText(lang.X("dup.merges.none", "No merged customers."))
	} else {
		v.mlabel.SetText(lang.X("dup.merges.hint", "Merged customers. Undo brings one back with its notes, follow-ups and gestures."))
	}
}

// reasonText says in words what a pair shares.
func reasonText(d model.Duplicate) string {
	switch d.Reason {
	case model.DupEmail:
		return lang.X("dup.reason.email", "Same email {{.Value}}", map[string]any{"Value": d.Value})
	case model.DupPhone:
		return lang.X("dup.reason.phone", "Same phone {{.Value}}", map[string]any{"Value": d.Value})
	case model.DupName:
		return lang.X("dup.reason.name", "Same name and company")
	default:
		return lang.X("dup.reason.similar", "Similar name, same company")
	}
}

// describe is a customer's name with what tells it apart.
func describe(s *model.CustomerSummary) string {
	parts := []string{s.Name}
	for _, p := range []string{s.Company, s.Email, s.Phone, s.City} {
		if p != "" && p != s.Name {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

func (v *duplicatesView) updatePair(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(v.pairs) {
		return
	}
	p := v.pairs[i]
	row := o.(*dupRow)
	row.label.SetText(lang.X("dup.pair", "{{.Reason}}: {{.A}}  —  {{.B}}", map[string]any{"Reason": reasonText(p.Duplicate), "A": describe(p.a), "B": describe(p.b)}))
	row.merge.OnTapped = func() { v.askMerge(p) }
	row.differ.OnTapped = func() { v.notDuplicates(p) }
}

func (v *duplicatesView) updateMerge(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(v.merges) {
		return
	}
	m := v.merges[i]
	row := o.(*mergeRow)
	args := map[string]any{"Duplicate": m.DuplicateName, "Survivor": m.SurvivorName, "When": formatDate(m.At.In(v.e.now().Location())), "Author": m.Author}
	if m.Author == "" { // merged where no user name was set (the command line)
		row.label.SetText(lang.X("dup.merged.row.anonymous", "{{.Duplicate}} merged into {{.Survivor}} on {{.When}}", args))
	} else {
		row.label.SetText(lang.X("dup.merged.row", "{{.Duplicate}} merged into {{.Survivor}} on {{.When}} by {{.Author}}", args))
	}
	row.undo.OnTapped = func() { v.undo(m) }
}

// askMerge lets the user choose which customer stays, then merges.
func (v *duplicatesView) askMerge(p dupPair) {
	keepA := lang.X("dup.keep", "Keep {{.Name}} (since {{.Since}}, {{.Notes}} notes)", map[string]any{"Name": describe(p.a), "Since": formatDate(p.a.Created.In(v.e.now().Location())), "Notes": p.a.Notes})
	keepB := lang.X("dup.keep", "Keep {{.Name}} (since {{.Since}}, {{.Notes}} notes)", map[string]any{"Name": describe(p.b), "Since": formatDate(p.b.Created.In(v.e.now().Location())), "Notes": p.b.Notes})
	if keepA == keepB {
		keepB += " "
	}
	choice := widget.NewRadioGroup([]string{keepA, keepB}, nil)
	choice.Required = true
	choice.SetSelected(keepA) // the older one, by default
	info := widget.NewLabel(lang.X("dup.merge.info", "The other customer's notes, follow-ups and gestures move to the one you keep, and its emails, phones, addresses and tags are added where missing. The merge reaches the other devices with the next sync and can be undone under “Merged”."))
	info.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(lang.X("dup.merge.title", "Merge duplicates"), lang.X("dup.merge", "Merge"), lang.X("sync.cancel", "Cancel"),
		container.NewVBox(choice, info), func(ok bool) {
			if !ok {
				return
			}
			survivor, dup := p.A, p.B
			if choice.Selected == keepB {
				survivor, dup = p.B, p.A
			}
			v.merge(survivor, dup)
		}, v.e.win)
	d.Resize(fyne.NewSize(640, 320))
	d.Show()
}

// merge takes a backup, merges, and refreshes the lists. The backup copies
// the whole database (seconds for a large one), so the view says so.
func (v *duplicatesView) merge(survivor, dup model.ID) {
	v.summary.SetText(lang.X("dup.merging", "Backing up the database, then merging…"))
	v.busy.set(true)
	v.background(func() error {
		if _, err := v.e.svc.Backup("merge"); err != nil {
			return err
		}
		return v.e.svc.MergeCustomers(survivor, dup)
	})
}

func (v *duplicatesView) notDuplicates(p dupPair) {
	v.background(func() error { return v.e.svc.NotDuplicates(p.A, p.B) })
}

func (v *duplicatesView) undo(m model.MergeEntry) {
	v.background(func() error {
		kept, err := v.e.svc.UndoMerge(m.Duplicate)
		if err == nil {
			v.do(func() { showMergeUndone(v.e, m, kept) })
		}
		return err
	})
}

// showMergeUndone tells the user which of the survivor's fields an undone
// merge left as they are, because they were edited since (nothing when none).
func showMergeUndone(e *env, m model.MergeEntry, kept []string) {
	if len(kept) == 0 {
		return
	}
	dialog.ShowInformation(lang.X("dup.undo.title", "Merge undone"),
		lang.X("dup.undo.kept", "{{.Name}} is back. {{.Survivor}} was edited since the merge, so these fields stay as they are: {{.Fields}}.",
			map[string]any{"Name": m.DuplicateName, "Survivor": m.SurvivorName, "Fields": strings.Join(kept, ", ")}), e.win)
}

// dupRow is one possible duplicate pair with its two actions.
type dupRow struct {
	widget.BaseWidget
	label         *widget.Label
	merge, differ *widget.Button
}

func newDupRow() *dupRow {
	r := &dupRow{label: widget.NewLabel(""),
		merge:  widget.NewButtonWithIcon(lang.X("dup.merge.button", "Merge…"), theme.ContentCopyIcon(), nil),
		differ: widget.NewButton(lang.X("dup.differ", "Not the same"), nil)}
	r.label.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *dupRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, container.NewHBox(r.merge, r.differ), r.label))
}

// mergeRow is one undoable merge.
type mergeRow struct {
	widget.BaseWidget
	label *widget.Label
	undo  *widget.Button
}

func newMergeRow() *mergeRow {
	r := &mergeRow{label: widget.NewLabel(""), undo: widget.NewButtonWithIcon(lang.X("dup.undo", "Undo merge"), theme.ContentUndoIcon(), nil)}
	r.label.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *mergeRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, r.undo, r.label))
}
