package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// emptyState is what a list shows instead of blank space: one line on
// what would be here and how it gets here, and the button that starts it.
// Filtered empty lists say only that nothing matches.
type emptyState struct {
	box    *fyne.Container
	text   *widget.Label
	action *widget.Button
	empty  string // the text without a filter
}

// newEmptyState makes one; run nil means the screen shows the action
// already, and the state is the line alone.
func newEmptyState(text, action string, icon fyne.Resource, run func()) *emptyState {
	s := &emptyState{text: widget.NewLabel(text), empty: text}
	s.text.Wrapping = fyne.TextWrapWord
	s.action = widget.NewButtonWithIcon(action, icon, run)
	s.box = container.NewVBox(s.text)
	if run != nil {
		s.box.Add(container.NewHBox(s.action))
	}
	s.box.Hide()
	return s
}

// set shows the state when n is 0: the explanation with its action, or
// for a filtered list only filteredText.
func (s *emptyState) set(n int, filtered bool, filteredText string) {
	if n > 0 {
		s.box.Hide()
		return
	}
	if filtered {
		s.text.SetText(filteredText)
		s.action.Hide()
	} else {
		s.text.SetText(s.empty)
		s.action.Show()
	}
	if s.action.OnTapped == nil {
		s.action.Hide()
	}
	s.box.Show()
}

// gestureKindsText lists the gesture kinds by their labels.
func gestureKindsText() string {
	var out []string
	for _, k := range model.GestureKinds {
		out = append(out, gestureKindText(k))
	}
	return strings.Join(out, ", ")
}

// pickAndRecordGesture asks for a customer, then opens a new gesture.
func pickAndRecordGesture(e *env) {
	showCustomerPicker(e, lang.X("care2.picker.gesture", "For which customer?"), func(id model.ID) { showGestureForm(e, id, nil) })
}

// newEmptyStates makes the loyalty screen's empty states: gestures (what
// they are), events (what an event is for) and this year's list.
func (s *loyaltyScreen) newEmptyStates() {
	e := s.e
	record := lang.X("care2.loyalty.empty.action", "Record a gesture …")
	s.gestureEmpty = newEmptyState(lang.X("care2.loyalty.empty",
		"No loyalty gestures yet. Gestures are the small attentions that keep customers: {{.Kinds}}. Each one is recorded for a customer, with its value and state.",
		map[string]any{"Kinds": gestureKindsText()}), record, theme.ContentAddIcon(), func() { pickAndRecordGesture(e) })
	s.eventEmpty = newEmptyState(lang.X("care2.loyalty.events.empty",
		"No events yet. An event (open day, customer evening, workshop) invites whole tags or segments; each invitation is a gesture whose state is the answer."),
		"", nil, nil) // the list's own "New event" button sits right above
	s.yearEmpty = newEmptyState(lang.X("care2.loyalty.year.empty", "Nobody has received a gesture this year yet."),
		record, theme.ContentAddIcon(), func() { pickAndRecordGesture(e) })
}

// showEmpty updates the empty states after a load.
func (s *loyaltyScreen) showEmpty(d loyaltyData) {
	filtered := s.kindFilter.SelectedIndex() > 0 || s.statusFilter.SelectedIndex() > 0
	s.gestureEmpty.set(len(d.gestures), filtered, lang.X("care2.loyalty.empty.filtered", "No gesture matches this filter."))
	s.eventEmpty.set(len(d.events), false, "")
	s.yearEmpty.set(len(d.yearRows), false, "")
}

// newWishesEmpty is the empty state of the wishes list; it names the note
// kind by the label the note form shows.
func newWishesEmpty(e *env) *emptyState {
	return newEmptyState(lang.X("care2.wishes.empty",
		"No feedback or wishes yet. Record what customers suggest or miss as a note of the kind “{{.Kind}}” on their page; it is collected here.",
		map[string]any{"Kind": noteKindText(model.NoteFeedback)}),
		lang.X("care2.wishes.empty.action", "Record a wish …"), theme.ContentAddIcon(), func() {
			showCustomerPicker(e, lang.X("care2.picker.wish", "Whose wish?"), func(id model.ID) {
				showNoteForm(e, id, nil).setKind(model.NoteFeedback)
			})
		})
}

// Visible reports whether the empty state shows.
func (s *emptyState) Visible() bool { return s.box.Visible() }

// addEmptyActions gives Today's empty lists of work the step that fills
// them: plan a follow-up, set a customer's contact rhythm.
func (s *todayScreen) addEmptyActions() {
	e := s.e
	s.followUps.action = widget.NewButtonWithIcon(lang.X("care2.today.followups.action", "Plan a follow-up …"), theme.ContentAddIcon(), func() {
		showCustomerPicker(e, lang.X("care2.picker.followup", "Follow up with whom?"), func(id model.ID) { showFollowUpForm(e, id, nil) })
	})
	s.due.action = widget.NewButtonWithIcon(lang.X("care2.today.due.action", "Set a contact rhythm …"), theme.ContentAddIcon(), func() {
		showCustomerPicker(e, lang.X("care2.picker.rhythm", "Whose contact rhythm?"), e.openCustomer)
	})
}

// actionRow is the row of the section's empty-state button.
func (c *careSection) actionRow() fyne.CanvasObject {
	if c.action == nil {
		return container.NewHBox()
	}
	return container.NewHBox(c.action)
}

// showAction shows the empty-state button together with the hint.
func (c *careSection) showAction() {
	if c.action != nil {
		c.action.Hidden = !c.hint.Visible()
		c.action.Refresh()
	}
}
