package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

// withKeys gives the care fixture's env the undo stack, banner and form
// registry of the main window, and the window its shortcuts, as New does.
func (f *careFixture) withKeys() *UI {
	f.e.undos = &undoStack{}
	f.e.forms = &formStack{canvas: f.win.Canvas()}
	f.e.banner = newUndoBanner(f.e.undos, f.e.showError)
	f.e.undos.onChange = f.e.banner.follow
	u := &UI{win: f.win, env: f.e}
	u.addShortcuts()
	return u
}

// shortcut fires s on the fixture's window.
func (f *careFixture) shortcut(s fyne.Shortcut) {
	f.win.Canvas().(fyne.Shortcutable).TypedShortcut(s)
}

// todayRow returns the rendered Today row whose title starts with title.
func todayRow(t *testing.T, f *careFixture, title string) *careRowItem {
	t.Helper()
	for _, r := range careRowItems(f.win.Content()) {
		if strings.HasPrefix(r.title.Text, title) {
			return r
		}
	}
	t.Fatalf("no rendered row %q", title)
	return nil
}

// dueFollowUp stores an open follow-up of c due at due.
func (f *careFixture) dueFollowUp(c *model.Customer, title string, due time.Time) *model.FollowUp {
	f.t.Helper()
	fu := &model.FollowUp{CustomerID: c.ID, Title: title, Due: due, TZ: "Europe/Zurich", Duration: 30}
	if err := f.db.CreateFollowUp(fu); err != nil {
		f.t.Fatalf("create follow-up: %v", err)
	}
	return fu
}

func TestDoneOnTodayOffersUndoAndCtrlZReopens(t *testing.T) {
	for _, how := range []string{"banner", "ctrl+z"} {
		t.Run(how, func(t *testing.T) {
			f := newCareFixture(t)
			f.withKeys()
			c := f.customer(model.Customer{GivenName: "Peter", FamilyName: "Keller"})
			fu := f.dueFollowUp(c, "Rückruf", careNow.Add(-time.Hour))
			s := newTodayScreen(f.e)
			f.track(s.loader)
			f.show(s.build())
			f.settle(s.loader)

			test.Tap(todayRow(t, f, "Rückruf").first)
			f.settle(s.loader)
			if got, _ := f.db.FollowUp(fu.ID); got.Status != model.FollowUpDone {
				t.Fatalf("after Done: status %q, want done", got.Status)
			}
			if n := s.followUps.rows.Length(); n != 0 {
				t.Fatalf("after Done: %d rows, want the follow-up gone at once", n)
			}
			b := f.e.banner
			if !b.box.Visible() || !strings.Contains(b.label.Text, "Rückruf") {
				t.Fatalf("banner: visible %v text %q, want it to name the follow-up", b.box.Visible(), b.label.Text)
			}

			if how == "banner" {
				test.Tap(b.undo)
			} else {
				f.shortcut(shortcutUndo)
			}
			f.settle(s.loader)
			if got, _ := f.db.FollowUp(fu.ID); got.Status != model.FollowUpOpen || !got.DoneAt.IsZero() {
				t.Fatalf("after undo: status %q done at %v, want open again", got.Status, got.DoneAt)
			}
			if n := s.followUps.rows.Length(); n != 1 {
				t.Fatalf("after undo: %d rows, want the follow-up back", n)
			}
			if b.box.Visible() {
				t.Fatalf("banner still visible after the undo")
			}
			// Nothing left to undo: another Ctrl+Z changes nothing.
			f.shortcut(shortcutUndo)
			if got, _ := f.db.FollowUp(fu.ID); got.Status != model.FollowUpOpen {
				t.Fatalf("second Ctrl+Z: status %q, want open", got.Status)
			}
		})
	}
}

func TestRescheduleMenuMovesAndUndoes(t *testing.T) {
	f := newCareFixture(t)
	f.withKeys()
	c := f.customer(model.Customer{GivenName: "Peter", FamilyName: "Keller"})
	zurich := model.LoadLocation("Europe/Zurich")
	// Overdue since Friday 14:15: tomorrow means Tuesday, not Saturday.
	due := time.Date(2026, 11, 20, 14, 15, 0, 0, zurich)
	fu := f.dueFollowUp(c, "Offerte", due)
	s := newTodayScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)

	test.Tap(todayRow(t, f, "Offerte").second)
	// The menu's entries are tappable items, each with its text.
	var labels []string
	items := map[string]fyne.Tappable{}
	var item fyne.Tappable
	for _, o := range test.LaidOutObjects(f.win.Canvas().Overlays().Top()) {
		switch o := o.(type) {
		case *widget.PopUpMenu:
		case fyne.Tappable:
			item = o
		case *canvas.Text:
			labels = append(labels, o.Text)
			items[o.Text] = item
		}
	}
	// The dates are in the locale's form.
	inWeek := "In a week (" + careFormatDate(time.Date(2026, 11, 30, 0, 0, 0, 0, zurich)) + ")"
	want := "Tomorrow (" + careFormatDate(time.Date(2026, 11, 24, 0, 0, 0, 0, zurich)) + ")|" + inWeek + "|Other date…"
	if got := strings.Join(labels, "|"); got != want {
		t.Fatalf("menu: got %q, want %q", got, want)
	}
	test.Tap(items[inWeek])
	if f.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("the menu stayed open after a choice")
	}
	f.settle(s.loader)
	got, err := f.db.FollowUp(fu.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 30, 14, 15, 0, 0, zurich); !got.Due.Equal(want) {
		t.Fatalf("moved to %v, want %v", got.Due.In(zurich), want)
	}
	if n := s.followUps.rows.Length(); n != 0 {
		t.Fatalf("moved a week ahead, still %d rows on Today", n)
	}
	f.shortcut(shortcutUndo)
	f.settle(s.loader)
	if got, _ := f.db.FollowUp(fu.ID); !got.Due.Equal(due) {
		t.Fatalf("after Ctrl+Z: due %v, want %v", got.Due.In(zurich), due)
	}
	if n := s.followUps.rows.Length(); n != 1 {
		t.Fatalf("after Ctrl+Z: %d rows, want the follow-up back", n)
	}
}

func TestRescheduledDue(t *testing.T) {
	zurich := model.LoadLocation("Europe/Zurich")
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // Monday, 11:00 in Zurich
	tests := []struct {
		name   string
		due    time.Time
		allDay bool
		days   int
		want   time.Time
	}{
		{"due today, tomorrow", time.Date(2026, 11, 23, 15, 0, 0, 0, zurich), false, 1, time.Date(2026, 11, 24, 15, 0, 0, 0, zurich)},
		{"overdue counts from today", time.Date(2026, 11, 2, 9, 30, 0, 0, zurich), false, 7, time.Date(2026, 11, 30, 9, 30, 0, 0, zurich)},
		{"future counts from its day", time.Date(2026, 12, 1, 8, 0, 0, 0, zurich), false, 1, time.Date(2026, 12, 2, 8, 0, 0, 0, zurich)},
		{"all day stays at midnight", time.Date(2026, 11, 23, 0, 0, 0, 0, zurich), true, 1, time.Date(2026, 11, 24, 0, 0, 0, 0, zurich)},
		{"across the month", time.Date(2026, 11, 30, 9, 0, 0, 0, zurich), false, 7, time.Date(2026, 12, 7, 9, 0, 0, 0, zurich)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := model.FollowUp{Due: tt.due.UTC(), TZ: "Europe/Zurich", AllDay: tt.allDay}
			if got := rescheduledDue(&f, now, tt.days); !got.Equal(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGestureStatusStepIsUndone(t *testing.T) {
	f := newCareFixture(t)
	f.withKeys()
	c := f.customer(model.Customer{GivenName: "Rita", FamilyName: "Treu"})
	g := &model.Gesture{CustomerID: c.ID, Kind: model.GestureGift, Title: "Weinflasche", Status: model.GestureIdea}
	if err := f.db.CreateGesture(g); err != nil {
		t.Fatal(err)
	}
	stored, _ := f.db.Gesture(g.ID)
	s := newLoyaltyScreen(f.e)
	s.showStatusDialog(*stored)
	// Declined has no way back to idea in the lifecycle; the undo has.
	test.Tap(s.statusBtns[model.GestureDeclined])
	if got, _ := f.db.Gesture(g.ID); got.Status != model.GestureDeclined {
		t.Fatalf("after the step: status %q, want declined", got.Status)
	}
	if b := f.e.banner; !b.box.Visible() || !strings.Contains(b.label.Text, "Weinflasche") {
		t.Fatalf("banner: visible %v text %q", b.box.Visible(), b.label.Text)
	}
	f.shortcut(shortcutUndo)
	got, _ := f.db.Gesture(g.ID)
	if got.Status != model.GestureIdea || !got.StatusChanged.Equal(stored.StatusChanged) {
		t.Fatalf("after Ctrl+Z: status %q changed %v, want idea changed %v", got.Status, got.StatusChanged, stored.StatusChanged)
	}
}

func TestGestureFormStatusChangeIsUndone(t *testing.T) {
	f := newCareFixture(t)
	f.withKeys()
	c := f.customer(model.Customer{GivenName: "Rita", FamilyName: "Treu"})
	g := &model.Gesture{CustomerID: c.ID, Kind: model.GestureGift, Title: "Weinflasche", Status: model.GestureOffered}
	if err := f.db.CreateGesture(g); err != nil {
		t.Fatal(err)
	}
	stored, _ := f.db.Gesture(g.ID)
	form := newGestureForm(f.e, c.ID, stored)
	form.show()
	form.status.SetSelected(gestureStatusText(model.GestureAccepted))
	f.shortcut(shortcutSave) // nothing focused: the canvas shortcut saves the form
	if got, _ := f.db.Gesture(g.ID); got.Status != model.GestureAccepted {
		t.Fatalf("after Ctrl+S: status %q, want accepted", got.Status)
	}
	if f.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("Ctrl+S left the gesture dialog open")
	}
	f.shortcut(shortcutUndo)
	if got, _ := f.db.Gesture(g.ID); got.Status != model.GestureOffered {
		t.Fatalf("after Ctrl+Z: status %q, want offered", got.Status)
	}
}

func TestNoteDeleteAndCtrlZ(t *testing.T) {
	var id model.ID
	f := newShellFixture(t, Options{}, func(db *storage.DB) {
		c := model.Customer{GivenName: "Erika", FamilyName: "Moser"}
		if err := db.CreateCustomer(&c); err != nil {
			t.Fatal(err)
		}
		id = c.ID
	})
	n := &model.Note{CustomerID: id, At: shellNow, Kind: model.NoteComplaint, Impression: model.Negative, Text: "Lieferung zu spät"}
	if err := f.db.AddNote(n); err != nil {
		t.Fatal(err)
	}
	f.ui.env.openCustomer(id)
	cs := f.ui.customer
	if showNoteForm(f.ui.env, id, nil).del != nil {
		t.Fatalf("a new note has a Delete button")
	}
	f.ui.Window().Canvas().Overlays().Top().Hide()
	form := showNoteForm(f.ui.env, id, n)
	if form.del == nil || form.del.Importance != widget.DangerImportance {
		t.Fatalf("revising a note: no red Delete button")
	}
	test.Tap(form.del)
	if notes, _ := f.db.Notes(model.NoteFilter{CustomerID: id}); len(notes) != 0 {
		t.Fatalf("after Delete: %d notes, want 0", len(notes))
	}
	if f.ui.Window().Canvas().Overlays().Top() != nil {
		t.Fatalf("the note dialog stayed open after Delete")
	}
	if b := f.ui.env.banner; !b.box.Visible() {
		t.Fatalf("no undo banner after deleting a note")
	}
	shellEventually(t, "timeline without the note", func() bool { return len(cs.timeline.entries) == 0 })

	f.shortcut(shortcutUndo)
	notes, _ := f.db.Notes(model.NoteFilter{CustomerID: id})
	if len(notes) != 1 || notes[0].ID != n.ID {
		t.Fatalf("after Ctrl+Z: notes %+v, want the deleted one back", notes)
	}
	shellEventually(t, "timeline with the note again", func() bool { return len(cs.timeline.entries) == 1 })
	tl, _ := f.db.Timeline(id)
	if !tl.Stats.OpenComplaint {
		t.Fatalf("the restored complaint no longer counts as open")
	}
}

func TestCustomerDeleteAsksWithARedDeleteAndCtrlZRestores(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	id := f.customer(model.Customer{GivenName: "Erika", FamilyName: "Moser"})
	f.ui.env.openCustomer(id)
	cs := f.ui.customer
	c := f.ui.Window().Canvas()

	cs.delItem.Action()
	del := overlayButton(t, c, "Delete")
	if del.Importance != widget.DangerImportance {
		t.Fatalf("delete button importance %v, want danger", del.Importance)
	}
	if cancel := overlayButton(t, c, "Cancel"); cancel.Importance == widget.HighImportance {
		t.Fatalf("Cancel is the prominent button; want it plain")
	}
	for _, o := range test.LaidOutObjects(c.Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Visible() && b.Importance == widget.HighImportance {
			t.Fatalf("button %q is the blue default of a delete question", b.Text)
		}
	}
	// Cancel deletes nothing.
	test.Tap(overlayButton(t, c, "Cancel"))
	if n := f.db.Directory().Len(); n != 1 {
		t.Fatalf("Cancel: %d customers, want 1", n)
	}

	cs.delItem.Action()
	test.Tap(overlayButton(t, c, "Delete"))
	if n := f.db.Directory().Len(); n != 0 || !cs.undoBar.Visible() {
		t.Fatalf("after Delete: %d customers, bar %v; want 0 and the bar", n, cs.undoBar.Visible())
	}
	f.shortcut(shortcutUndo)
	if n := f.db.Directory().Len(); n != 1 {
		t.Fatalf("after Ctrl+Z: %d customers, want 1", n)
	}
	if cs.undoBar.Visible() || cs.currentID() != id {
		t.Fatalf("after Ctrl+Z: bar %v, current %v; want hidden and %v", cs.undoBar.Visible(), cs.currentID(), id)
	}
	// The banner's Undo and Ctrl+Z are one action: nothing is left.
	if f.ui.env.undos.last() != nil {
		t.Fatalf("undo stack still holds %q", f.ui.env.undos.last().label)
	}
}

func TestCtrlZInATextFieldUndoesTyping(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	id := f.customer(model.Customer{GivenName: "Erika", FamilyName: "Moser"})
	f.ui.env.openCustomer(id)
	f.ui.customer.delItem.Action()
	test.Tap(overlayButton(t, f.ui.Window().Canvas(), "Delete"))

	f.ui.focusSearch()
	test.Type(f.ui.customers.search, "Mos")
	f.shortcut(shortcutUndo)
	if got := f.ui.customers.search.Text; got == "Mos" {
		t.Fatalf("Ctrl+Z in the search box left %q, want the typing undone", got)
	}
	if n := f.db.Directory().Len(); n != 0 {
		t.Fatalf("Ctrl+Z in a text field restored the customer")
	}
	// The tab change drops the focus, so the next Ctrl+Z is the app's.
	f.ui.tabs.SelectIndex(0)
	f.shortcut(shortcutUndo)
	if n := f.db.Directory().Len(); n != 1 {
		t.Fatalf("Ctrl+Z without a text field: %d customers, want the delete undone", n)
	}
}

func TestCtrlSSavesOnlyTheOpenForm(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	id := f.customer(model.Customer{GivenName: "Erika", FamilyName: "Moser"})
	c := f.ui.Window().Canvas()

	// Customer form: Ctrl+N, type, Ctrl+S.
	f.shortcut(shortcutNewCustomer)
	test.Type(f.ui.customer.form.family, "Zürcher")
	f.ui.tabs.SelectIndex(0) // Today: the form is not on screen
	f.shortcut(shortcutSave)
	if n := f.db.Directory().Len(); n != 1 {
		t.Fatalf("Ctrl+S on Today saved the hidden customer form: %d customers", n)
	}
	f.ui.tabs.Select(f.ui.customersTab)
	f.shortcut(shortcutSave)
	if n := f.db.Directory().Len(); n != 2 {
		t.Fatalf("Ctrl+S on the customer form: %d customers, want 2", n)
	}

	// Note dialog.
	f.ui.env.openCustomer(id)
	f.shortcut(shortcutNewNote)
	test.Type(f.ui.customer.note.text, "Kurzer Anruf")
	f.shortcut(shortcutSave)
	if notes, _ := f.db.Notes(model.NoteFilter{CustomerID: id}); len(notes) != 1 || notes[0].Text != "Kurzer Anruf" {
		t.Fatalf("Ctrl+S on the note dialog: notes %+v", notes)
	}
	if c.Overlays().Top() != nil {
		t.Fatalf("Ctrl+S left the note dialog open")
	}
	// A closed dialog does not react.
	f.shortcut(shortcutSave)
	if notes, _ := f.db.Notes(model.NoteFilter{CustomerID: id}); len(notes) != 1 {
		t.Fatalf("Ctrl+S after the dialog closed stored %d notes, want 1", len(notes))
	}

	// Follow-up dialog: invalid input keeps it open with the message.
	form := newFollowUpForm(f.ui.env, id, nil)
	form.show()
	f.shortcut(shortcutSave)
	if c.Overlays().Top() == nil || form.form.message("title") == "" {
		t.Fatalf("Ctrl+S with an empty title: dialog closed or no message")
	}
	test.Type(form.title, "Offerte nachfassen")
	f.shortcut(shortcutSave)
	if fus, _ := f.db.FollowUps(model.FollowUpFilter{CustomerID: id}); len(fus) != 1 {
		t.Fatalf("Ctrl+S on the follow-up dialog: %d follow-ups, want 1", len(fus))
	}
	// Esc closes a dialog too, through its own Hide: Ctrl+S then does nothing.
	showNoteForm(f.ui.env, id, nil)
	f.ui.Window().Canvas().Unfocus()
	c.(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if c.Overlays().Top() != nil || f.ui.env.forms.top() != nil {
		t.Fatalf("Esc left the note dialog open or registered")
	}
}

func TestHelpMenuListsShortcutsAndAboutHidesTheDevice(t *testing.T) {
	f := newShellFixture(t, Options{Version: "1.2.3", DBPath: "/home/anna/kunden.db"}, nil)
	menu := f.ui.mainMenu()
	var help *fyne.Menu
	for _, m := range menu.Items {
		if m.Label == "Help" {
			help = m
		}
	}
	if help == nil || len(help.Items) != 2 || help.Items[0].Label != "Keyboard shortcuts" {
		t.Fatalf("help menu: %+v, want Keyboard shortcuts and About", help)
	}
	c := f.ui.Window().Canvas()
	help.Items[0].Action()
	var text []string
	for _, o := range test.LaidOutObjects(c.Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok {
			text = append(text, l.Text)
		}
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{"Ctrl+N", "Ctrl+Shift+N", "Ctrl+F", "Ctrl+S", "Ctrl+Z", "Esc"} {
		if !strings.Contains(all, want) {
			t.Errorf("shortcut list lacks %s:\n%s", want, all)
		}
	}
	c.Overlays().Top().Hide()

	help.Items[1].Action()
	text = nil
	for _, o := range test.LaidOutObjects(c.Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok {
			text = append(text, l.Text)
		}
	}
	all = strings.Join(text, "\n")
	if strings.Contains(all, f.db.DeviceID()) || !strings.Contains(all, "1.2.3") || !strings.Contains(all, "/home/anna/kunden.db") {
		t.Fatalf("about says %q; want version and database, not the device", all)
	}
}

func TestReminderSelectRoundTrip(t *testing.T) {
	test.NewTempApp(t)
	tests := []struct {
		name    string
		minutes int
		shown   string
		options int
	}{
		{"none", 0, "No reminder", len(reminderPresets)},
		{"a day", 1440, "1 day before", len(reminderPresets)},
		{"a week", 10080, "1 week before", len(reminderPresets)},
		{"an hour", 60, "1 hour before", len(reminderPresets)},
		{"typed earlier", 45, "45 minutes before", len(reminderPresets) + 1},
		{"three hours", 180, "3 hours before", len(reminderPresets) + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReminderSelect(tt.minutes)
			if r.sel.Selected != tt.shown || len(r.sel.Options) != tt.options || r.minutes() != tt.minutes {
				t.Fatalf("got %q of %d options = %d min, want %q of %d = %d", r.sel.Selected, len(r.sel.Options), r.minutes(), tt.shown, tt.options, tt.minutes)
			}
		})
	}
}

func TestFollowUpReminderIsChosenAndKept(t *testing.T) {
	f := newCareFixture(t)
	c := f.customer(model.Customer{GivenName: "Peter", FamilyName: "Keller"})
	form := newFollowUpForm(f.e, c.ID, nil)
	form.show()
	test.Type(form.title, "Offerte")
	form.reminder.sel.SetSelected("1 day before")
	form.onSave()
	fus, err := f.db.FollowUps(model.FollowUpFilter{CustomerID: c.ID})
	if err != nil || len(fus) != 1 || fus[0].Reminder != 1440 {
		t.Fatalf("stored: %+v (%v), want one with reminder 1440", fus, err)
	}

	// A value the old minute field allowed survives an edit untouched.
	old := fus[0]
	old.Reminder = 90
	if err := f.db.UpdateFollowUp(&old); err != nil {
		t.Fatal(err)
	}
	stored, _ := f.db.FollowUp(old.ID)
	edit := newFollowUpForm(f.e, c.ID, stored)
	edit.show()
	if got := edit.reminder.sel.Selected; got != "90 minutes before" {
		t.Fatalf("editing shows %q, want 90 minutes before", got)
	}
	edit.title.SetText("Offerte (neu)")
	edit.onSave()
	if got, _ := f.db.FollowUp(old.ID); got.Reminder != 90 || got.Title != "Offerte (neu)" {
		t.Fatalf("after the edit: reminder %d title %q, want 90 and the new title", got.Reminder, got.Title)
	}
}

func TestCtrlSSavesTheEventForm(t *testing.T) {
	f := newCareFixture(t)
	f.withKeys()
	var saved *model.Event
	ev := newEventForm(f.e, nil)
	ev.onSaved = func(e *model.Event) { saved = e }
	ev.show()
	test.Type(ev.name, "Tag der offenen Tür")
	test.Type(ev.date, "12.12.2026")
	f.shortcut(shortcutSave)
	if saved == nil || saved.Name != "Tag der offenen Tür" {
		t.Fatalf("Ctrl+S on the event dialog saved %+v", saved)
	}
	if f.e.forms.top() != nil || f.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("the saved event dialog is still open or registered")
	}
}

func TestShortcutsLeaveACoveredFormAlone(t *testing.T) {
	f := newCareFixture(t)
	u := f.withKeys()
	c := f.customer(model.Customer{GivenName: "Peter", FamilyName: "Keller"})
	fu := f.dueFollowUp(c, "Rückruf", careNow.Add(time.Hour))
	if err := f.db.SetFollowUpStatus(fu.ID, model.FollowUpDone); err != nil {
		t.Fatal(err)
	}
	f.e.remember(&undoAction{label: "done", undo: func() error { return f.db.SetFollowUpStatus(fu.ID, model.FollowUpOpen) }}, true)

	form := newFollowUpForm(f.e, c.ID, nil)
	form.show()
	test.Type(form.title, "Offerte")
	// A message opened from the form covers it: Ctrl+S does not save the
	// form behind it, Ctrl+Z does not undo anything under it.
	msg := dialogOver(f)
	f.shortcut(shortcutSave)
	if fus, _ := f.db.FollowUps(model.FollowUpFilter{Statuses: []model.FollowUpStatus{model.FollowUpOpen}}); len(fus) != 0 {
		t.Fatalf("Ctrl+S saved the covered form")
	}
	f.win.Canvas().Unfocus()
	u.onUndoKey()
	if got, _ := f.db.FollowUp(fu.ID); got.Status != model.FollowUpDone {
		t.Fatalf("Ctrl+Z under a dialog undid the last action unseen")
	}
	msg.Hide()
	if f.e.forms.top() == nil {
		t.Fatalf("the form is uncovered again but not found for Ctrl+S")
	}
	f.shortcut(shortcutSave)
	if fus, _ := f.db.FollowUps(model.FollowUpFilter{Statuses: []model.FollowUpStatus{model.FollowUpOpen}}); len(fus) != 1 {
		t.Fatalf("Ctrl+S on the uncovered form: %d open follow-ups, want 1", len(fus))
	}
	f.win.Canvas().Unfocus()
	f.shortcut(shortcutUndo)
	if got, _ := f.db.FollowUp(fu.ID); got.Status != model.FollowUpOpen {
		t.Fatalf("Ctrl+Z with the dialogs closed: status %q, want open", got.Status)
	}
}

// dialogOver shows a message dialog over whatever is open.
func dialogOver(f *careFixture) dialog.Dialog {
	d := dialog.NewInformation("Kalender", "Gespeichert", f.win)
	d.Show()
	return d
}

// The trade-fair capture and the settings are forms of their own: Ctrl+S
// saves them while their tab is shown.
func TestCtrlSSavesTheFairAndTheSettings(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	f.ui.tabs.SelectIndex(3) // Messe
	fair := f.ui.fair
	fair.fair.SetText("Messe Basel 2026")
	test.Type(fair.name, "Max Muster")
	f.shortcut(shortcutSave)
	if n := f.db.Directory().Len(); n != 1 {
		t.Fatalf("Ctrl+S on the trade-fair capture: %d customers, want the lead", n)
	}

	f.ui.tabs.SelectIndex(6) // Einstellungen
	f.ui.settingsView.userName.SetText("Anna Keller")
	f.shortcut(shortcutSave)
	if st, err := f.db.Settings(); err != nil || st.UserName != "Anna Keller" {
		t.Fatalf("Ctrl+S on the settings: got user %q (%v), want Anna Keller", st.UserName, err)
	}

	f.ui.tabs.SelectIndex(0) // Heute: no form, nothing happens
	f.ui.settingsView.userName.SetText("Someone else")
	f.shortcut(shortcutSave)
	if st, _ := f.db.Settings(); st.UserName != "Anna Keller" {
		t.Fatalf("Ctrl+S on Today saved the settings: %q", st.UserName)
	}
}
