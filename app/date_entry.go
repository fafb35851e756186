package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/model/locale"
)

// dateEntry is Fyne's DateEntry (a date field with a calendar button)
// that writes and reads dates in the active locale's form. Fyne's own
// takes its layout from the system's country alone and writes 02/01/2006
// in Switzerland and Austria, so the layout, the check of typed text and
// the calendar button are set here. Typing stays possible, which is how a
// birthday without a year ("15.04.") is entered: a calendar cannot say it.
type dateEntry struct {
	widget.DateEntry
	loc      locale.Locale
	onEscape func()
	popUp    *widget.PopUp
	calendar *widget.Calendar
}

func newDateEntry() *dateEntry {
	d := &dateEntry{loc: fmtLocale()}
	d.ExtendBaseWidget(d)
	d.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	d.SetPlaceHolder(dateHint(d.loc))
	d.ActionItem = &widget.Button{Icon: theme.CalendarIcon(), Importance: widget.LowImportance, OnTapped: d.openCalendar}
	return d
}

// CreateRenderer builds Fyne's DateEntry and then replaces its check and
// change handler, which know only Fyne's layout.
func (d *dateEntry) CreateRenderer() fyne.WidgetRenderer {
	r := d.DateEntry.CreateRenderer()
	d.Validator = func(s string) error {
		_, err := d.loc.ParseDate(s)
		return err
	}
	d.Entry.OnChanged = func(string) { d.Date = d.date() }
	return r
}

// date is the typed date at midnight in the local zone, nil when the text
// is empty, not a date, or has no year.
func (d *dateEntry) date() *time.Time {
	day, err := d.loc.ParseDate(d.Text)
	if err != nil || !day.HasYear() {
		return nil
	}
	t := day.Time(0, time.Local)
	return &t
}

// SetDate shows t in the locale's form; nil empties the field.
func (d *dateEntry) SetDate(t *time.Time) {
	if t == nil {
		d.SetText("")
		d.Date = nil
		return
	}
	d.SetText(d.loc.Date(*t))
	d.Date = d.date()
}

// SetDay shows a calendar date, with or without a year.
func (d *dateEntry) SetDay(day model.Date) {
	d.SetText(d.loc.Day(day))
	d.Date = d.date()
}

// TypedKey lets Esc close the dialog the field is in.
func (d *dateEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && d.onEscape != nil {
		d.onEscape()
		return
	}
	d.DateEntry.TypedKey(k)
}

// openCalendar shows a calendar under the field, starting at the typed
// date or today.
func (d *dateEntry) openCalendar() {
	c := fyne.CurrentApp().Driver().CanvasForObject(d)
	if c == nil {
		return
	}
	start := time.Now()
	if t := d.date(); t != nil {
		start = *t
	}
	d.calendar = widget.NewCalendar(start, d.pick)
	d.popUp = widget.NewPopUp(d.calendar, c)
	d.popUp.ShowAtRelativePosition(fyne.NewPos(0, d.Size().Height), d)
	d.popUp.Resize(fyne.NewSize(max(d.Size().Width, d.popUp.MinSize().Width), d.popUp.MinSize().Height))
}

// pick takes the day chosen in the calendar.
func (d *dateEntry) pick(t time.Time) {
	if d.popUp != nil {
		d.popUp.Hide()
	}
	// Picking is not submitting: the dialog stays open for the other fields.
	d.SetDate(&t)
}
