package app

import (
	"net/url"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/ical"
)

// addToCalendar writes the follow-up as a one-event .ics file and hands it
// to the system, which opens it in the user's calendar program. The file
// work runs off the UI goroutine.
func addToCalendar(e *env, f model.FollowUp) {
	go func() {
		path, err := calendarFile(e.svc, f)
		if err == nil {
			err = e.openURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(path)})
		}
		if err != nil {
			fyne.Do(func() { e.showError(err) })
		}
	}()
}

// calendarFile writes the follow-up with its customer and note to a temp file.
func calendarFile(svc model.Services, f model.FollowUp) (string, error) {
	it := ical.Item{FollowUp: f}
	c, err := svc.Customer(f.CustomerID)
	if err != nil {
		return "", err
	}
	it.Customer = c
	if f.NoteID != model.NilID {
		if ns, err := svc.Notes(model.NoteFilter{CustomerID: f.CustomerID}); err == nil {
			for i := range ns {
				if ns[i].ID == f.NoteID {
					it.Note = &ns[i]
				}
			}
		}
	}
	opt := icalOptions()
	opt.Now = svc.Now
	return ical.TempFile("", it, opt)
}

// calendarButtonText is the label of "Add to calendar".
func calendarButtonText() string { return lang.X("followup.form.calendar", "Add to calendar") }

// calendarSync keeps the .ics file of Settings.ICSAutoPath current: a
// calendar program subscribed to it follows every change of follow-ups.
type calendarSync struct {
	e    *env
	path string
	auto *ical.AutoExporter
}

// apply starts, moves or stops the automatic export for path ("" stops).
func (c *calendarSync) apply(path string) {
	if path == c.path {
		return
	}
	if c.auto != nil {
		c.auto.Close()
		c.auto = nil
	}
	c.path = path
	if path == "" {
		return
	}
	svc := c.e.svc
	opt := icalOptions()
	opt.Now = svc.Now
	opt.CalendarName = lang.X("ical.calendar_name", "Kundenkartei follow-ups")
	// The file streams from storage, a batch at a time, so the GUI's
	// memory does not grow with the number of follow-ups.
	collect := func() (ical.Export, error) { return ical.FromStore(svc, ical.Filter{}, opt), nil }
	c.auto = ical.NewAutoExport(svc, collect, path, opt, func(err error) {
		fyne.Do(func() { c.e.showError(err) })
	})
}
