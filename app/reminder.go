package app

import (
	"slices"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// reminderPresets are the reminder offsets offered, in minutes before the
// follow-up; 0 is no reminder (the model's meaning of 0).
var reminderPresets = []int{0, 5, 15, 30, 60, 120, 1440, 2 * 1440, 7 * 1440}

// reminderSelect picks a reminder offset from a list instead of asking for
// a number of minutes. The stored value stays minutes; one that is not a
// preset (typed into the old minute field) is offered as it is, so saving
// the form does not change it.
type reminderSelect struct {
	sel    *widget.Select
	values []int
}

func newReminderSelect(minutes int) *reminderSelect {
	r := &reminderSelect{sel: widget.NewSelect(nil, nil)}
	r.set(minutes)
	return r
}

// set shows minutes, adding it to the choices when it is not a preset.
func (r *reminderSelect) set(minutes int) {
	if minutes < 0 {
		minutes = 0
	}
	r.values = slices.Clone(reminderPresets)
	if !slices.Contains(r.values, minutes) {
		r.values = append(r.values, minutes)
		slices.Sort(r.values)
	}
	opts := make([]string, len(r.values))
	for i, v := range r.values {
		opts[i] = reminderText(v)
	}
	r.sel.SetOptions(opts)
	r.sel.SetSelectedIndex(slices.Index(r.values, minutes))
}

// minutes returns the chosen offset.
func (r *reminderSelect) minutes() int {
	if i := r.sel.SelectedIndex(); i >= 0 {
		return r.values[i]
	}
	return 0
}

// reminderText names an offset in the largest whole unit: "1 day before".
func reminderText(m int) string {
	switch {
	case m <= 0:
		return lang.X("keys.reminder.none", "No reminder")
	case m%(7*1440) == 0:
		n := m / (7 * 1440)
		return lang.XN("keys.reminder.weeks", "{{.Count}} weeks before", n, map[string]any{"Count": n})
	case m%1440 == 0:
		n := m / 1440
		return lang.XN("keys.reminder.days", "{{.Count}} days before", n, map[string]any{"Count": n})
	case m%60 == 0:
		n := m / 60
		return lang.XN("keys.reminder.hours", "{{.Count}} hours before", n, map[string]any{"Count": n})
	}
	return lang.XN("keys.reminder.minutes", "{{.Count}} minutes before", m, map[string]any{"Count": m})
}
