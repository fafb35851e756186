package app

import (
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// eventForm is the dialog that plans an event customers are invited to.
type eventForm struct {
	e        *env
	existing *model.Event
	tz       string
	loc      *time.Location

	name     *escEntry
	date     *dateEntry
	clock    *escEntry
	duration *escEntry
	place    *escEntry
	capacity *escEntry
	details  *escEntry
	form     *careForm
	dlg      *dialog.CustomDialog

	onSaved func(ev *model.Event)
}

// showEventForm opens the event dialog; existing nil plans a new event.
// onSaved, when not nil, gets the stored event.
func showEventForm(e *env, existing *model.Event, onSaved func(*model.Event)) {
	f := newEventForm(e, existing)
	f.onSaved = onSaved
	f.show()
}

func newEventForm(e *env, existing *model.Event) *eventForm {
	f := &eventForm{e: e, existing: existing}
	f.tz, f.loc = careZone(e.settings().TimeZone)
	if existing != nil && existing.TZ != "" {
		f.tz, f.loc = existing.TZ, model.LoadLocation(existing.TZ)
	}
	f.name = newEscEntry(false)
	f.date = newDateEntry()
	f.clock = newEscEntry(false)
	f.clock.SetPlaceHolder("18:00")
	f.duration = newEscEntry(false)
	f.place = newEscEntry(false)
	f.capacity = newEscEntry(false)
	f.capacity.SetPlaceHolder(lang.X("event.form.capacity.placeholder", "0 = unlimited"))
	f.details = newEscEntry(false)
	f.details.MultiLine = true
	f.details.Wrapping = fyne.TextWrapWord
	f.details.SetMinRowsVisible(3)
	if existing != nil {
		start := existing.Start.In(f.loc)
		f.name.SetText(existing.Name)
		f.date.SetText(careFormatDate(start))
		f.clock.SetText(start.Format("15:04"))
		f.duration.SetText(strconv.Itoa(existing.Duration))
		f.place.SetText(existing.Place)
		if existing.Capacity > 0 {
			f.capacity.SetText(strconv.Itoa(existing.Capacity))
		}
		f.details.SetText(existing.Details)
	} else {
		f.clock.SetText("18:00")
		f.duration.SetText("120")
	}

	f.form = newCareForm()
	f.form.add("name", lang.X("event.form.name", "Name"), f.name)
	f.form.add("start", lang.X("event.form.date", "Date"), f.date)
	f.form.add("time", lang.X("event.form.time", "Time"), f.clock)
	f.form.add("duration", lang.X("event.form.duration", "Duration (minutes)"), f.duration)
	f.form.add("place", lang.X("event.form.place", "Place"), f.place)
	f.form.add("capacity", lang.X("event.form.capacity", "Capacity"), f.capacity)
	f.form.add("details", lang.X("event.form.details", "Details"), f.details)
	f.form.alias("tz", "start")
	f.date.OnSubmitted = func(string) { f.onSave() }
	for _, en := range []*escEntry{f.name, f.clock, f.duration, f.place, f.capacity} {
		en.OnSubmitted = func(string) { f.onSave() }
	}
	title := lang.X("event.form.new", "New event")
	if existing != nil {
		title = lang.X("event.form.edit", "Change event")
	}
	f.dlg = dialog.NewCustomWithoutButtons(title, f.form.build(), e.win)
	f.dlg.SetButtons([]fyne.CanvasObject{
		&widget.Button{Text: lang.X("event.form.cancel", "Cancel"), Icon: theme.CancelIcon(), OnTapped: f.dlg.Hide},
		&widget.Button{Text: lang.X("event.form.save", "Save"), Icon: theme.ConfirmIcon(),
			Importance: widget.HighImportance, OnTapped: f.onSave},
	})
	careEscapeCloses(e.win, f.dlg, f.name, f.clock, f.duration, f.place, f.capacity, f.details)
	f.date.onEscape = f.dlg.Hide
	return f
}

func (f *eventForm) show() {
	f.dlg.Resize(fyne.NewSize(480, 0))
	f.dlg.Show()
	f.e.forms.opened(f.dlg, f.onSave)
	f.e.win.Canvas().Focus(f.name)
}

func (f *eventForm) collect() (*model.Event, error) {
	var ev model.Event
	if f.existing != nil {
		ev = *f.existing
	}
	ev.TZ = f.tz
	ev.Name = f.name.Text
	ev.Place = f.place.Text
	ev.Details = f.details.Text
	var fe []model.FieldError
	day, err := careParseDate(f.date.Text, f.e.now().In(f.loc).Year())
	if err != nil {
		fe = append(fe, careFieldError("start", "care.validation.date", "not a date"))
	}
	h, m, err := careParseClock(f.clock.Text)
	if err != nil {
		fe = append(fe, careFieldError("time", "care.validation.time", "not a time"))
	}
	ev.Start = time.Time{}
	if !day.IsZero() {
		ev.Start = time.Date(day.Year, day.Month, day.Day, h, m, 0, 0, f.loc)
	}
	if ev.Duration, err = careParseInt(f.duration.Text); err != nil {
		fe = append(fe, careFieldError("duration", "care.validation.number", "not a number"))
	}
	if ev.Capacity, err = careParseInt(f.capacity.Text); err != nil {
		fe = append(fe, careFieldError("capacity", "care.validation.number", "not a number"))
	}
	if len(fe) > 0 {
		return nil, &model.Error{Code: model.EINVALID, Message: "invalid event", Fields: fe}
	}
	return &ev, nil
}

func (f *eventForm) onSave() {
	f.form.clear()
	ev, err := f.collect()
	if err == nil {
		if f.existing != nil {
			err = f.e.svc.UpdateEvent(ev)
		} else {
			err = f.e.svc.CreateEvent(ev)
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
		f.onSaved(ev)
	}
}
