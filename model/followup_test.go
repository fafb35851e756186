package model_test

import (
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

func validFollowUp() model.FollowUp {
	return model.FollowUp{CustomerID: customerID, Due: t0, TZ: "Europe/Zurich", Duration: 30, Title: "Offerte nachfassen",
		Status: model.FollowUpOpen, Reminder: 15}
}

func TestFollowUpValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(f *model.FollowUp)
		want   []string
	}{
		{"valid", func(f *model.FollowUp) {}, nil},
		{"UTC", func(f *model.FollowUp) { f.TZ = "" }, nil},
		{"a week long, a month ahead", func(f *model.FollowUp) { f.Duration, f.Reminder = 7*24*60, 30*24*60 }, nil},
		{"done", func(f *model.FollowUp) { f.Status, f.DoneAt = model.FollowUpDone, t0 }, nil},
		{"customer", func(f *model.FollowUp) { f.CustomerID = model.NilID }, []string{"customer_id"}},
		{"due", func(f *model.FollowUp) { f.Due = time.Time{} }, []string{"due"}},
		{"title", func(f *model.FollowUp) { f.Title = "" }, []string{"title"}},
		{"time zone", func(f *model.FollowUp) { f.TZ = "Europe/Atlantis" }, []string{"tz"}},
		{"negative duration", func(f *model.FollowUp) { f.Duration = -1 }, []string{"duration"}},
		{"duration over a week", func(f *model.FollowUp) { f.Duration = 7*24*60 + 1 }, []string{"duration"}},
		{"negative reminder", func(f *model.FollowUp) { f.Reminder = -1 }, []string{"reminder"}},
		{"reminder over 30 days", func(f *model.FollowUp) { f.Reminder = 30*24*60 + 1 }, []string{"reminder"}},
		{"status", func(f *model.FollowUp) { f.Status = "maybe" }, []string{"status"}},
		{"status not filled in", func(f *model.FollowUp) { f.Status = "" }, []string{"status"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := validFollowUp()
			tt.change(&f)
			checkValidate(t, f.Validate(), tt.want...)
		})
	}
}

func TestFollowUpNormalize(t *testing.T) {
	zurich := mustLoad(t, "Europe/Zurich")
	for _, tt := range []struct {
		name string
		in   model.FollowUp
		due  time.Time
	}{
		{"timed: to UTC", model.FollowUp{TZ: "Europe/Zurich", Due: time.Date(2026, 4, 15, 15, 30, 0, 0, zurich)},
			time.Date(2026, 4, 15, 13, 30, 0, 0, time.UTC)},
		{"all-day: midnight of the day in its zone (summer)", model.FollowUp{TZ: "Europe/Zurich", AllDay: true, Due: time.Date(2026, 4, 15, 15, 30, 0, 0, zurich)},
			time.Date(2026, 4, 14, 22, 0, 0, 0, time.UTC)},
		{"all-day: midnight of the day in its zone (winter)", model.FollowUp{TZ: "Europe/Zurich", AllDay: true, Due: time.Date(2026, 1, 15, 0, 30, 0, 0, zurich)},
			time.Date(2026, 1, 14, 23, 0, 0, 0, time.UTC)},
		{"all-day: the day is taken in its zone, not in UTC", model.FollowUp{TZ: "Europe/Zurich", AllDay: true, Due: time.Date(2026, 4, 14, 23, 30, 0, 0, time.UTC)},
			time.Date(2026, 4, 14, 22, 0, 0, 0, time.UTC)},
		{"all-day in UTC", model.FollowUp{AllDay: true, Due: time.Date(2026, 4, 15, 15, 30, 0, 0, zurich)},
			time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.in
			f.Title = "  Rückruf "
			f.Details = "\n"
			f.Normalize()
			if !f.Due.Equal(tt.due) || f.Due.Location() != time.UTC {
				t.Errorf("Due: got %v, want %v", f.Due, tt.due)
			}
			if f.Title != "Rückruf" || f.Details != "" || f.Status != model.FollowUpOpen {
				t.Errorf("got title %q, details %q, status %q; want \"Rückruf\", \"\", open", f.Title, f.Details, f.Status)
			}
		})
	}
}

func TestFollowUpDue(t *testing.T) {
	zurich := mustLoad(t, "Europe/Zurich")
	at := func(day, hour, min int) time.Time { return time.Date(2026, 4, day, hour, min, 0, 0, zurich) }
	timed := func(due time.Time, s model.FollowUpStatus) model.FollowUp {
		return model.FollowUp{TZ: "Europe/Zurich", Due: due.UTC(), Status: s}
	}
	allDay := func(day int) model.FollowUp {
		f := model.FollowUp{TZ: "Europe/Zurich", Due: at(day, 0, 0), AllDay: true, Status: model.FollowUpOpen}
		f.Normalize()
		return f
	}
	for _, tt := range []struct {
		name           string
		f              model.FollowUp
		now            time.Time
		overdue, today bool
	}{
		{"later today", timed(at(15, 14, 0), model.FollowUpOpen), at(15, 9, 0), false, true},
		{"earlier today is overdue", timed(at(15, 8, 0), model.FollowUpOpen), at(15, 9, 0), true, false},
		{"tomorrow", timed(at(16, 8, 0), model.FollowUpOpen), at(15, 9, 0), false, false},
		{"done is never overdue", timed(at(14, 8, 0), model.FollowUpDone), at(15, 9, 0), false, false},
		{"cancelled is never due", timed(at(15, 14, 0), model.FollowUpCancelled), at(15, 9, 0), false, false},
		{"all-day today, late evening", allDay(15), at(15, 23, 59), false, true},
		{"all-day today, just after midnight", allDay(15), at(15, 0, 1), false, true},
		{"all-day yesterday", allDay(14), at(15, 0, 0), true, false},
		{"all-day tomorrow", allDay(16), at(15, 23, 0), false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.Overdue(tt.now); got != tt.overdue {
				t.Errorf("Overdue: got %v, want %v", got, tt.overdue)
			}
			if got := tt.f.DueToday(tt.now, zurich); got != tt.today {
				t.Errorf("DueToday: got %v, want %v", got, tt.today)
			}
		})
	}
}

func TestLoadLocation(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "UTC"},
		{"Europe/Zurich", "Europe/Zurich"},
		{"Mars/Olympus_Mons", "UTC"},
	} {
		if got := model.LoadLocation(tt.in).String(); got != tt.want {
			t.Errorf("LoadLocation(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}
