package app

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// customerScreen shows one customer: a header with health and quick
// actions, the timeline, and the form. It also creates new customers.
type customerScreen struct {
	e *env

	id model.ID // NilID while a new customer is being entered
	tl *model.Timeline

	title                          *widget.Label
	facts                          *widget.Label
	actions                        *fyne.Container
	noteBtn, followBtn, gestureBtn *widget.Button
	// moreBtn opens the menu of the rarer actions (see customer_actions.go),
	// so the bar fits the narrowest window in every language.
	moreBtn                                 *widget.Button
	callItem, mailItem, exportItem, delItem *fyne.MenuItem
	eraseItem                               *fyne.MenuItem // nil without a privacy service; see erase.go
	printItem                               *fyne.MenuItem // the visit sheet as PDF, see print.go
	eraser                                  *eraseDialog   // the erase dialog opened last, for tests
	spark                                   *contactSpark  // contacts per week, see spark.go

	tabs     *container.AppTabs
	viewTab  *container.TabItem
	formTab  *container.TabItem
	timeline *timelineView
	form     *customerForm
	note     *noteForm // the note dialog opened last, for tests

	hint    *widget.Label
	detail  fyne.CanvasObject
	content *fyne.Container

	// undo is the button of the banner shown after a delete.
	undo      *widget.Button
	undoBar   *fyne.Container
	undoLabel *widget.Label
	deletedID model.ID
	deleted   *undoAction // the delete on the undo stack

	// merged lists the customers merged into this one, with Undo.
	merged *fyne.Container

	// pending coalesces reloads from a burst of commits into one.
	pending atomic.Bool
}

func newCustomerScreen(e *env) *customerScreen {
	return &customerScreen{e: e}
}

func (s *customerScreen) build() fyne.CanvasObject {
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.title.Truncation = fyne.TextTruncateEllipsis
	s.facts = widget.NewLabel("")
	s.facts.Wrapping = fyne.TextWrapWord
	s.noteBtn = widget.NewButtonWithIcon(lang.X("customer.action.note", "Note"), theme.DocumentCreateIcon(), s.onAddNote)
	s.followBtn = widget.NewButtonWithIcon(lang.X("customer.action.followup", "Follow-up"), theme.HistoryIcon(), s.onFollowUp)
	s.gestureBtn = widget.NewButtonWithIcon(lang.X("customer.action.gesture", "Gesture"), theme.ConfirmIcon(), s.onGesture)
	s.buildMore()
	s.actions = container.NewHBox(s.noteBtn, s.followBtn, s.gestureBtn, s.moreBtn)
	s.merged = container.NewVBox()

	s.timeline = newTimelineView(s.e)
	s.form = newCustomerForm(s.e)
	s.viewTab = container.NewTabItemWithIcon(lang.X("customer.tab.timeline", "Timeline"), theme.ListIcon(), s.timeline.build())
	s.formTab = container.NewTabItemWithIcon(lang.X("customer.tab.data", "Details"), theme.DocumentIcon(), s.form.build(s.onSave, s.onDiscard))
	s.tabs = container.NewAppTabs(s.viewTab, s.formTab)
	s.spark = newContactSpark()
	header := container.NewVBox(container.NewBorder(nil, nil, nil, s.spark.box, s.title), s.facts, s.merged, s.actions)
	s.detail = container.NewBorder(header, nil, nil, nil, s.tabs)

	s.hint = widget.NewLabel(lang.X("customer.none", "Select a customer on the left, or create one with Ctrl+N."))
	s.hint.Wrapping = fyne.TextWrapWord
	s.hint.Alignment = fyne.TextAlignCenter

	s.undoLabel = widget.NewLabel("")
	s.undo = widget.NewButtonWithIcon(lang.X("customer.undo", "Undo"), theme.ContentUndoIcon(), s.onUndo)
	closeUndo := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { s.undoBar.Hide() })
	s.undoBar = container.NewBorder(nil, nil, nil, container.NewHBox(s.undo, closeUndo), s.undoLabel)
	s.undoBar.Hide()

	s.content = container.NewStack(container.NewVBox(s.hint))
	s.e.svc.Subscribe(s.onChanges)
	return container.NewBorder(s.undoBar, nil, nil, nil, s.content)
}

// currentID returns the customer on screen, NilID for none or a new one.
func (s *customerScreen) currentID() model.ID { return s.id }

// show loads and shows customer id with its timeline.
func (s *customerScreen) show(id model.ID) {
	tl, err := s.e.svc.Timeline(id)
	if err != nil {
		s.e.showError(err)
		return
	}
	s.id, s.tl = tl.Customer.ID, tl // a merged customer's ID opens the survivor
	s.form.load(tl.Customer)
	s.showHeader()
	s.timeline.set(tl)
	s.setActions(true)
	s.tabs.Select(s.viewTab)
	s.setContent(s.detail)
}

// showNew shows an empty form for a new customer.
func (s *customerScreen) showNew() {
	s.id, s.tl = model.NilID, nil
	c := model.Customer{Kind: model.Person}
	s.form.load(c)
	s.title.SetText(lang.X("customer.new", "New customer"))
	s.facts.SetText("")
	s.timeline.set(nil)
	s.setActions(false)
	s.tabs.Select(s.formTab)
	s.setContent(s.detail)
	s.e.win.Canvas().Focus(s.form.given)
}

func (s *customerScreen) setContent(o fyne.CanvasObject) {
	s.content.Objects = []fyne.CanvasObject{o}
	s.content.Refresh()
}

// setActions enables the quick actions that need a stored customer and the
// channel they use.
func (s *customerScreen) setActions(stored bool) {
	for _, b := range []*widget.Button{s.noteBtn, s.followBtn, s.gestureBtn, s.moreBtn} {
		if stored {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	// A customer not yet saved has nothing to act on: hide the bar.
	s.actions.Hidden = !stored
	s.actions.Refresh()
	s.callItem.Disabled = !stored || s.tl.Customer.PrimaryPhone() == ""
	s.mailItem.Disabled = !stored || s.tl.Customer.PrimaryEmail() == ""
}

// showHeader shows name, relationship health, last and next contact.
func (s *customerScreen) showHeader() {
	c := &s.tl.Customer
	s.title.SetText(c.DisplayName())
	sum := model.Summarize(c, s.tl.Stats, s.e.now())
	now := s.e.now()
	var facts []string
	if c.Company != "" && c.Company != c.DisplayName() {
		facts = append(facts, c.Company)
	}
	facts = append(facts, lang.X("customer.last_contact", "Last contact: {{.When}}", map[string]any{"When": formatRelative(sum.LastContact, now)}))
	if next := sum.NextDue(); !next.IsZero() {
		facts = append(facts, lang.X("customer.next_due", "next due: {{.Date}}", map[string]any{"Date": formatDate(next)}))
	}
	switch _, h := sum.Health(now); h {
	case model.HealthGood:
		facts = append(facts, "● "+lang.X("customer.health.good", "relationship well cared for"))
	case model.HealthDue:
		facts = append(facts, "● "+lang.X("customer.health.due", "contact due soon"))
	case model.HealthOverdue:
		facts = append(facts, "● "+lang.X("customer.health.overdue", "contact overdue"))
	}
	if s.tl.Stats.OpenComplaint {
		facts = append(facts, "⚠ "+lang.X("customer.open_complaint", "open complaint"))
	}
	s.facts.SetText(strings.Join(facts, " · "))
	s.spark.set(s.tl.Notes, now)
	s.showMerged()
}

// showMerged lists the customers merged into this one, each with Undo.
func (s *customerScreen) showMerged() {
	s.merged.Objects = nil
	for _, m := range s.tl.Merged {
		label := widget.NewLabel(lang.X("customer.merged", "Merged with {{.Name}} on {{.When}}: its history is shown here.",
			map[string]any{"Name": m.DuplicateName, "When": formatDate(m.At.In(s.e.now().Location()))}))
		label.Truncation = fyne.TextTruncateEllipsis
		undo := widget.NewButtonWithIcon(lang.X("customer.merged.undo", "Undo merge"), theme.ContentUndoIcon(), func() { s.onUndoMerge(m) })
		s.merged.Add(container.NewBorder(nil, nil, nil, undo, label))
	}
	s.merged.Refresh()
}

// onUndoMerge brings a merged customer back (one transaction) and says
// which of the survivor's fields stay because they were edited since.
func (s *customerScreen) onUndoMerge(m model.MergeEntry) {
	kept, err := s.e.svc.UndoMerge(m.Duplicate)
	if err != nil {
		s.e.showError(err)
		return
	}
	showMergeUndone(s.e, m, kept)
	if s.id != model.NilID {
		s.show(s.id)
	}
}

// onChanges reloads the header and timeline when a commit may concern the
// customer on screen. The form is left alone so typing is never lost.
func (s *customerScreen) onChanges([]model.Change) {
	if s.pending.Swap(true) {
		return
	}
	fyne.Do(func() {
		s.pending.Store(false)
		if s.id == model.NilID {
			return
		}
		tl, err := s.e.svc.Timeline(s.id)
		if err != nil {
			if model.ErrorCode(err) != model.ENOTFOUND {
				s.e.showError(err)
			}
			return
		}
		s.tl = tl
		s.showHeader()
		s.timeline.set(tl)
		s.setActions(true)
	})
}

func (s *customerScreen) onSave() {
	c, bad := s.form.read()
	if len(bad) > 0 {
		// Show the model's complaints along with the unreadable fields, so
		// the user fixes everything in one round.
		v := *c
		v.Normalize()
		s.form.showErrors(append(bad, model.ErrorFields(v.Validate())...))
		return
	}
	var err error
	if s.id == model.NilID {
		err = s.e.svc.CreateCustomer(c)
	} else {
		err = s.e.svc.UpdateCustomer(c)
	}
	if model.ErrorCode(err) == model.EINVALID {
		s.form.showErrors(model.ErrorFields(err))
		return
	} else if err != nil {
		s.e.showError(err)
		return
	}
	s.show(c.ID)
}

func (s *customerScreen) onDiscard() {
	if s.tl == nil {
		s.id = model.NilID
		s.setContent(container.NewVBox(s.hint))
		return
	}
	s.form.load(s.tl.Customer)
}

func (s *customerScreen) onAddNote() { s.note = showNoteForm(s.e, s.id, nil) }

func (s *customerScreen) onFollowUp() { showFollowUpForm(s.e, s.id, nil) }

func (s *customerScreen) onGesture() { showGestureForm(s.e, s.id, nil) }

func (s *customerScreen) onCall() {
	s.open(&url.URL{Scheme: "tel", Opaque: telNumber(s.tl.Customer.PrimaryPhone(), s.e.settings().Region)})
}

func (s *customerScreen) onMail() {
	s.open(&url.URL{Scheme: "mailto", Opaque: s.tl.Customer.PrimaryEmail()})
}

func (s *customerScreen) open(u *url.URL) {
	if err := s.e.openURL(u); err != nil {
		s.e.showError(err)
	}
}

// telNumber is the number in E.164 for tel: links, or its digits when it
// cannot be parsed.
func telNumber(number, region string) string {
	if e := model.E164(number, region); e != "" {
		return e
	}
	return model.Digits(number)
}

func (s *customerScreen) onDelete() {
	id, name := s.id, s.tl.Customer.DisplayName()
	confirmDelete(s.e, lang.X("customer.delete.title", "Delete customer"),
		lang.X("customer.delete.confirm", "Delete {{.Name}}? Notes, follow-ups and gestures are kept and come back with Undo.", map[string]any{"Name": name}),
		func() { s.deleteCustomer(id, name) })
}

// deleteCustomer tombstones the customer and offers Undo in a banner and
// through Ctrl+Z.
func (s *customerScreen) deleteCustomer(id model.ID, name string) {
	if err := s.e.svc.DeleteCustomer(id); err != nil {
		s.e.showError(err)
		return
	}
	s.id, s.tl, s.deletedID = model.NilID, nil, id
	s.setContent(container.NewVBox(s.hint))
	text := lang.X("customer.deleted", "{{.Name}} was deleted.", map[string]any{"Name": name})
	s.undoLabel.SetText(text)
	s.undoBar.Show()
	s.deleted = s.e.remember(&undoAction{label: text,
		undo:  func() error { return s.e.svc.RestoreCustomer(id) },
		after: func() { s.restored(id) },
	}, false)
}

func (s *customerScreen) onUndo() {
	if s.deleted != nil && s.e.undos != nil {
		if err := s.e.undos.run(s.deleted); err != nil {
			s.e.showError(err)
		}
		return
	}
	if s.deletedID == model.NilID {
		return
	}
	if err := s.e.svc.RestoreCustomer(s.deletedID); err != nil {
		s.e.showError(err)
		return
	}
	s.restored(s.deletedID)
}

// restored shows customer id again after its delete was undone.
func (s *customerScreen) restored(id model.ID) {
	if s.deletedID == id {
		s.deletedID, s.deleted = model.NilID, nil
		s.undoBar.Hide()
	}
	s.show(id)
}

// formShown reports whether the customer form is on screen, for Ctrl+S.
func (s *customerScreen) formShown() bool {
	return s.content != nil && len(s.content.Objects) == 1 && s.content.Objects[0] == s.detail && s.tabs.Selected() == s.formTab
}

// customerExport is everything stored about one customer, written for a
// data-subject access request.
type customerExport struct {
	Exported  time.Time        `json:"exported"`
	Customer  model.Customer   `json:"customer"`
	Notes     []model.Note     `json:"notes"`
	FollowUps []model.FollowUp `json:"follow_ups"`
	Gestures  []model.Gesture  `json:"gestures"`
}

// writeCustomerExport writes tl as indented JSON.
func writeCustomerExport(w io.Writer, tl *model.Timeline, now time.Time) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(customerExport{Exported: now.UTC(), Customer: tl.Customer, Notes: tl.Notes, FollowUps: tl.FollowUps, Gestures: tl.Gestures})
}

func (s *customerScreen) onExport() {
	tl := s.tl
	s.saveFile(exportFileName(tl.Customer.DisplayName()), tl.Customer.DisplayName(), func(w io.WriteCloser) error {
		err := writeCustomerExport(w, tl, s.e.now())
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// saveFile asks where to save fileName (see saveDialog), then runs write
// (which closes the file) in the background and says where the data of
// the customer called name went, or what went wrong.
func (s *customerScreen) saveFile(fileName, name string, write func(io.WriteCloser) error) {
	title := lang.X("care2.customer.save.title", "Save the data of {{.Name}}", map[string]any{"Name": name})
	showSaveDialog(s.e, title, fileName, func(path string) {
		go func() {
			err := writeNewFile(path, write)
			fyne.Do(func() {
				if err != nil {
					showSaveError(s.e, path, err)
					return
				}
				dialog.ShowInformation(lang.X("customer.export.title", "Export"),
					lang.X("customer.export.done", "All data of {{.Name}} was written to {{.Path}}.",
						map[string]any{"Name": name, "Path": path}), s.e.win)
			})
		}()
	})
}

// exportFileName makes a safe file name from a customer name.
func exportFileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == '/' || r == '\\' || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|':
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String()) + ".json"
}
