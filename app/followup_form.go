package app

import (
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// followUpForm is the dialog that plans a new follow-up or changes one.
type followUpForm struct {
	e        *env
	existing *model.FollowUp
	customer model.ID
	loc      *time.Location
	tz       string

	title    *escEntry
	date     *dateEntry
	clock    *escEntry
	allDay   *widget.Check
	duration *escEntry
	reminder *reminderSelect
	assignee *escEntry
	details  *escEntry
	form     *careForm
	dlg      *dialog.CustomDialog

	// onSaved, when set, is called with the stored follow-up after a
	// successful save (tests and callers that want to react).
	onSaved func(f *model.FollowUp)
}

// showFollowUpForm opens the follow-up dialog for customerID; existing nil
// plans a new one, otherwise existing is edited (rescheduled).
func showFollowUpForm(e *env, customerID model.ID, existing *model.FollowUp) {
	newFollowUpForm(e, customerID, existing).show()
}

func newFollowUpForm(e *env, customerID model.ID, existing *model.FollowUp) *followUpForm {
	f := &followUpForm{e: e, existing: existing, customer: customerID}
	st := e.settings()
	f.tz, f.loc = careZone(st.TimeZone)
	if existing != nil {
		f.customer = existing.CustomerID
		if existing.TZ != "" {
			f.tz, f.loc = existing.TZ, existing.Location()
		}
	}
	f.title = newEscEntry(false)
	f.date = newDateEntry()
	f.clock = newEscEntry(false)
	f.clock.SetPlaceHolder("09:00")
	f.allDay = widget.NewCheck(lang.X("followup.form.allday", "All day"), f.onAllDay)
	f.duration = newEscEntry(false)
	f.reminder = newReminderSelect(st.ReminderMinutes)
	f.assignee = newEscEntry(false)
	f.details = newEscEntry(false)
	f.details.MultiLine = true
	f.details.Wrapping = fyne.TextWrapWord
	f.details.SetMinRowsVisible(3)

	if existing != nil {
		due := existing.Due.In(f.loc)
		f.title.SetText(existing.Title)
		f.date.SetText(careFormatDate(due))
		if !existing.AllDay {
			f.clock.SetText(due.Format("15:04"))
		}
		f.allDay.SetChecked(existing.AllDay)
		f.duration.SetText(strconv.Itoa(existing.Duration))
		f.reminder.set(existing.Reminder)
		f.assignee.SetText(existing.Assignee)
		f.details.SetText(existing.Details)
	} else {
		tomorrow := e.now().In(f.loc).AddDate(0, 0, 1)
		f.date.SetText(careFormatDate(tomorrow))
		f.clock.SetText("09:00")
		f.duration.SetText("30")
		f.assignee.SetText(st.UserName)
	}

	f.form = newCareForm()
	f.form.add("title", lang.X("followup.form.title", "Title"), f.title)
	f.form.add("due", lang.X("followup.form.date", "Date"), f.date)
	f.form.add("time", lang.X("followup.form.time", "Time"), container.NewBorder(nil, nil, nil, f.allDay, f.clock))
	f.form.add("duration", lang.X("followup.form.duration", "Duration (minutes)"), f.duration)
	f.form.add("reminder", lang.X("keys.followup.reminder", "Reminder"), f.reminder.sel)
	f.form.add("assignee", lang.X("followup.form.assignee", "Assigned to"), f.assignee)
	f.form.add("details", lang.X("followup.form.details", "Details"), f.details)
	f.form.add("tz", lang.X("followup.form.timezone", "Time zone"), widget.NewLabel(f.loc.String()))
	for _, en := range []*escEntry{f.title, f.clock, f.duration, f.assignee} {
		en.OnSubmitted = func(string) { f.onSave() }
	}
	f.date.OnSubmitted = func(string) { f.onSave() }

	title := lang.X("followup.form.new", "New follow-up")
	if existing != nil {
		title = lang.X("followup.form.edit", "Change follow-up")
	}
	f.dlg = dialog.NewCustomWithoutButtons(title, f.form.build(), e.win)
	buttons := []fyne.CanvasObject{
		&widget.Button{Text: lang.X("followup.form.cancel", "Cancel"), Icon: theme.CancelIcon(), OnTapped: f.dlg.Hide},
	}
	if existing != nil {
		stored := *existing
		buttons = append(buttons, &widget.Button{Text: calendarButtonText(), Icon: theme.CalendarIcon(),
			OnTapped: func() { addToCalendar(e, stored) }})
	}
	f.dlg.SetButtons(append(buttons, &widget.Button{Text: lang.X("followup.form.save", "Save"), Icon: theme.ConfirmIcon(),
		Importance: widget.HighImportance, OnTapped: f.onSave}))
	careEscapeCloses(e.win, f.dlg, f.title, f.clock, f.duration, f.assignee, f.details)
	f.date.onEscape = f.dlg.Hide
	f.onAllDay(f.allDay.Checked)
	return f
}

func (f *followUpForm) show() {
	f.dlg.Resize(fyne.NewSize(480, 0))
	f.dlg.Show()
	f.e.forms.opened(f.dlg, f.onSave)
	f.e.win.Canvas().Focus(f.title)
}

func (f *followUpForm) onAllDay(on bool) {
	if on {
		f.clock.Disable()
		f.duration.Disable()
	} else {
		f.clock.Enable()
		f.duration.Enable()
	}
}

// collect reads the widgets into a follow-up; parse errors come back as
// field errors so they show where the user typed.
func (f *followUpForm) collect() (*model.FollowUp, error) {
	var fu model.FollowUp
	if f.existing != nil {
		fu = *f.existing
	} else {
		fu.CustomerID = f.customer
		fu.Status = model.FollowUpOpen
	}
	fu.TZ = f.tz
	fu.Title = f.title.Text
	fu.Details = f.details.Text
	fu.Assignee = strings.TrimSpace(f.assignee.Text)
	fu.AllDay = f.allDay.Checked

	var fe []model.FieldError
	day, err := careParseDate(f.date.Text, f.e.now().In(f.loc).Year())
	if err != nil {
		fe = append(fe, careFieldError("due", "care.validation.date", "not a date"))
	}
	h, m := 0, 0
	if !fu.AllDay {
		if h, m, err = careParseClock(f.clock.Text); err != nil {
			fe = append(fe, careFieldError("time", "care.validation.time", "not a time"))
		}
	}
	if !day.IsZero() {
		fu.Due = time.Date(day.Year, day.Month, day.Day, h, m, 0, 0, f.loc)
	} else {
		fu.Due = time.Time{}
	}
	if fu.AllDay {
		fu.Duration = 0
	} else if fu.Duration, err = careParseInt(f.duration.Text); err != nil {
		fe = append(fe, careFieldError("duration", "care.validation.number", "not a number"))
	}
	fu.Reminder = f.reminder.minutes()
	if len(fe) > 0 {
		return nil, &model.Error{Code: model.EINVALID, Message: "invalid follow-up", Fields: fe}
	}
	return &fu, nil
}

func (f *followUpForm) onSave() {
	f.form.clear()
	fu, err := f.collect()
	if err == nil {
		if f.existing != nil {
			err = f.e.svc.UpdateFollowUp(fu)
		} else {
			err = f.e.svc.CreateFollowUp(fu)
		}
	}
	if err != nil {
		if !f.form.showErrors(err) {
			f.e.showError(err)
		}
		return
	}
	f.dlg.Hide()
	if f.onSaved != nil {
		f.onSaved(fu)
	}
}

// The helpers below are shared by the care screens (follow-ups, gestures,
// events, Today, loyalty, trade fair, wishes).

// careEscapeCloses makes Esc hide d, whether an entry or nothing has focus,
// and restores the canvas key handler when d closes.
func careEscapeCloses(w fyne.Window, d dialog.Dialog, entries ...*escEntry) {
	for _, en := range entries {
		en.onEscape = d.Hide
	}
	c := w.Canvas()
	prev := c.OnTypedKey()
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			d.Hide()
			return
		}
		if prev != nil {
			prev(k)
		}
	})
	d.SetOnClosed(func() { c.SetOnTypedKey(prev) })
}

// careForm lays out labelled fields with a message line under each, so
// validation errors appear next to the field they concern.
type careForm struct {
	grid    *fyne.Container
	general *widget.Label
	errs    map[string]*widget.Label
	order   []string
}

func newCareForm() *careForm {
	general := widget.NewLabel("")
	general.Importance = widget.DangerImportance
	general.Wrapping = fyne.TextWrapWord
	general.Hide()
	return &careForm{grid: container.New(layout.NewFormLayout()), general: general, errs: map[string]*widget.Label{}}
}

// add appends a field; field is the model's field name (FieldError.Field,
// without index) the message line belongs to.
func (f *careForm) add(field, label string, obj fyne.CanvasObject) {
	msg := widget.NewLabel("")
	msg.Importance = widget.DangerImportance
	msg.Wrapping = fyne.TextWrapWord
	msg.Hide()
	f.errs[field] = msg
	f.order = append(f.order, field)
	f.grid.Add(widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
	f.grid.Add(container.NewVBox(obj, msg))
}

// alias routes errors of another model field to an existing message line.
func (f *careForm) alias(field, to string) { f.errs[field] = f.errs[to] }

func (f *careForm) build() fyne.CanvasObject {
	return container.NewVBox(f.general, f.grid)
}

// clear hides all messages.
func (f *careForm) clear() {
	for _, l := range f.errs {
		l.SetText("")
		l.Hide()
	}
	f.general.SetText("")
	f.general.Hide()
}

// showErrors shows err's field errors next to their fields and reports
// whether err was such a validation error at all.
func (f *careForm) showErrors(err error) bool {
	f.clear()
	if model.ErrorCode(err) != model.EINVALID {
		return false
	}
	fields := model.ErrorFields(err)
	if len(fields) == 0 {
		return false
	}
	var rest []string
	for _, fe := range fields {
		// Field keys are shared with the model (validation.*); the shell's
		// translation files hold them, so look them up by key at run time.
		text := lang.X(fe.Key, fe.Message)
		name := fe.Field
		if i := strings.IndexAny(name, "[."); i >= 0 {
			name = name[:i]
		}
		if l, ok := f.errs[name]; ok {
			if l.Text != "" {
				text = l.Text + "; " + text
			}
			l.SetText(text)
			l.Show()
		} else {
			rest = append(rest, text)
		}
	}
	if len(rest) > 0 {
		f.general.SetText(strings.Join(rest, "\n"))
		f.general.Show()
	}
	return true
}

// message returns the text shown under field (for tests and screen readers).
func (f *careForm) message(field string) string {
	if l, ok := f.errs[field]; ok {
		return l.Text
	}
	return ""
}

func careFieldError(field, key, msg string) model.FieldError {
	return model.FieldError{Field: field, Key: key, Message: msg}
}

func careFormatDate(t time.Time) string { return fmtLocale().Date(t) }

func careFormatDateTime(t time.Time) string { return fmtLocale().DateTime(t) }

// careParseDate reads a date in the locale's form or ISO; a date without
// year takes year.
func careParseDate(s string, year int) (model.Date, error) {
	d, err := fmtLocale().ParseDate(s)
	if err != nil {
		return model.Date{}, err
	}
	if d.IsZero() {
		return d, model.Errorf(model.EINVALID, "empty date")
	}
	if !d.HasYear() {
		d.Year = year
	}
	return d, nil
}

// careParseOptionalDate is careParseDate that allows an empty field.
func careParseOptionalDate(s string, year int) (model.Date, error) {
	if strings.TrimSpace(s) == "" {
		return model.Date{}, nil
	}
	return careParseDate(s, year)
}

// careParseClock reads 9:00, 09:00, 9.00, 0900 or 9 (hours).
func careParseClock(s string) (h, m int, err error) {
	s = strings.TrimSpace(s)
	bad := model.Errorf(model.EINVALID, "invalid time %q", s)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "h"), " Uhr")
	if i := strings.IndexAny(s, ":."); i >= 0 {
		h, err = strconv.Atoi(s[:i])
		if err == nil {
			m, err = strconv.Atoi(s[i+1:])
		}
	} else if len(s) == 4 {
		h, err = strconv.Atoi(s[:2])
		if err == nil {
			m, err = strconv.Atoi(s[2:])
		}
	} else {
		h, err = strconv.Atoi(s)
	}
	if err != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, bad
	}
	return h, m, nil
}

// careParseInt reads a whole number; empty means 0.
func careParseInt(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	return strconv.Atoi(s)
}

// careParseMoney reads an amount as the locale writes it (1.200,50,
// 1’200.50, 1,200.50, with or without grouping or currency) into minor
// units; amounts of gestures are never negative.
func careParseMoney(s string) (int64, error) {
	n, err := fmtLocale().ParseAmount(s)
	if err == nil && n < 0 {
		err = model.Errorf(model.EINVALID, "negative amount %q", s)
	}
	return n, err
}

// careZone returns the zone new follow-ups and events are planned in: the
// setting, else the system's zone by IANA name, else the locale's own zone
// (a system zone of UTC is taken as unset: see locale.IsUTC).
func careZone(setting string) (string, *time.Location) {
	l := fmtLocale()
	name := l.PlanningZone(setting, systemZoneName(l))
	loc, err := time.LoadLocation(name)
	if err != nil {
		return "", time.Local
	}
	return name, loc
}
