package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// onDone marks f done; the row leaves the list at once, and the banner and
// Ctrl+Z bring it back.
func (s *todayScreen) onDone(f model.FollowUp) {
	if err := s.e.svc.SetFollowUpStatus(f.ID, model.FollowUpDone); err != nil {
		s.e.showError(err)
		return
	}
	s.e.remember(&undoAction{
		label: lang.X("keys.undo.done", "“{{.Title}}” with {{.Name}} marked done.",
			map[string]any{"Title": f.Title, "Name": s.customerName(f.CustomerID)}),
		undo: func() error { return s.e.svc.SetFollowUpStatus(f.ID, model.FollowUpOpen) },
	}, true)
}

// rescheduleMenu offers tomorrow, in a week, or the whole form for another
// date.
func (s *todayScreen) rescheduleMenu(f model.FollowUp) *fyne.Menu {
	now, loc := s.e.now(), f.Location()
	tomorrow, week := rescheduledDue(&f, now, 1), rescheduledDue(&f, now, 7)
	return fyne.NewMenu("",
		fyne.NewMenuItem(lang.X("keys.reschedule.day", "Tomorrow ({{.Date}})", map[string]any{"Date": careFormatDate(tomorrow.In(loc))}),
			func() { s.moveTo(f, tomorrow) }),
		fyne.NewMenuItem(lang.X("keys.reschedule.week", "In a week ({{.Date}})", map[string]any{"Date": careFormatDate(week.In(loc))}),
			func() { s.moveTo(f, week) }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(lang.X("keys.reschedule.other", "Other date…"), func() { showFollowUpForm(s.e, f.CustomerID, &f) }),
	)
}

// moveTo gives f the new due time (one transaction) and offers Undo.
func (s *todayScreen) moveTo(f model.FollowUp, due time.Time) {
	moved := f
	moved.Due = due
	if err := s.e.svc.UpdateFollowUp(&moved); err != nil {
		s.e.showError(err)
		return
	}
	old := f.Due
	s.e.remember(&undoAction{
		label: lang.X("keys.undo.moved", "“{{.Title}}” moved to {{.Date}}.",
			map[string]any{"Title": f.Title, "Date": careFormatDate(due.In(f.Location()))}),
		undo: func() error {
			cur, err := s.e.svc.FollowUp(f.ID)
			if err != nil {
				return err
			}
			cur.Due = old
			return s.e.svc.UpdateFollowUp(cur)
		},
	}, true)
}

// rescheduledDue is f's due time moved days ahead, keeping the time of day
// in the follow-up's zone. It counts from the due day, or from today when
// that has passed: "tomorrow" for an overdue follow-up means tomorrow.
func rescheduledDue(f *model.FollowUp, now time.Time, days int) time.Time {
	loc := f.Location()
	due := f.Due.In(loc)
	day := model.DateOf(due)
	if today := model.DateOf(now.In(loc)); model.DaysBetween(day, today) > 0 {
		day = today
	}
	return time.Date(day.Year, day.Month, day.Day+days, due.Hour(), due.Minute(), 0, 0, loc)
}

// showMenuBelow opens m on c under the button b.
func showMenuBelow(m *fyne.Menu, c fyne.Canvas, b *widget.Button) {
	widget.ShowPopUpMenuAtRelativePosition(m, c, fyne.NewPos(0, b.Size().Height), b)
}
