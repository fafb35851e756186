package model

import (
	"slices"
	"sort"
	"time"
)

// The aggregates in this file feed the charts: how many gestures each
// segment got per month, how often a customer was contacted per week.

// GestureStamp is what counting gestures over time needs of one gesture:
// whose it is, when it was made and how far it got. Storage reads stamps
// from its indexes without decoding the gestures.
type GestureStamp struct {
	CustomerID ID // the owner (a merged customer's survivor)
	Created    time.Time
	Status     GestureStatus
}

// Reached reports whether a gesture in state s reached its customer:
// offered, accepted or redeemed (not an idea, not declined or expired).
// Stats.Gestures counts the same ones.
func (s GestureStatus) Reached() bool {
	return s == GestureOffered || s == GestureAccepted || s == GestureRedeemed
}

// MonthlyGestures counts gestures per segment and calendar month.
type MonthlyGestures struct {
	Months   []time.Time // first instant of each month, oldest first
	Segments []string    // series order; "" is the customers without a segment
	Counts   [][]int     // Counts[segment][month]
}

// Total returns the number of gestures counted.
func (m *MonthlyGestures) Total() int {
	n := 0
	for _, row := range m.Counts {
		for _, c := range row {
			n += c
		}
	}
	return n
}

// MonthsStart returns the first instant (in now's location) of the month
// months-1 months before now's month: the start of a window of months
// calendar months that ends with the current one.
func MonthsStart(now time.Time, months int) time.Time {
	return time.Date(now.Year(), now.Month()-time.Month(months-1), 1, 0, 0, 0, 0, now.Location())
}

// GesturesPerMonth counts the stamps that reached their customer (see
// Reached) per segment and calendar month, over the months calendar
// months that end with now's, in now's location. segmentOf returns a
// customer's segment, or false for a customer no longer listed, whose
// gestures are not counted. segments come first in the given order, even
// when empty (the built-in ones, so an empty "small" shows); other
// segments follow by name, the customers without a segment last.
func GesturesPerMonth(stamps []GestureStamp, segmentOf func(ID) (string, bool), segments []string, now time.Time, months int) MonthlyGestures {
	start := MonthsStart(now, months)
	out := MonthlyGestures{Months: make([]time.Time, months)}
	for i := range out.Months {
		out.Months[i] = time.Date(start.Year(), start.Month()+time.Month(i), 1, 0, 0, 0, 0, now.Location())
	}
	counts := map[string][]int{}
	for _, s := range segments {
		counts[s] = make([]int, months)
	}
	end := now.Year()*12 + int(now.Month())
	for i := range stamps {
		st := &stamps[i]
		if !st.Status.Reached() || st.Created.After(now) {
			continue
		}
		t := st.Created.In(now.Location())
		m := months - 1 - (end - (t.Year()*12 + int(t.Month())))
		if m < 0 || m >= months {
			continue
		}
		seg, ok := segmentOf(st.CustomerID)
		if !ok {
			continue
		}
		row := counts[seg]
		if row == nil {
			row = make([]int, months)
			counts[seg] = row
		}
		row[m]++
	}
	out.Segments = append(out.Segments, segments...)
	var others []string
	for s := range counts {
		if !slices.Contains(segments, s) {
			others = append(others, s)
		}
	}
	sort.Slice(others, func(i, j int) bool {
		if (others[i] == "") != (others[j] == "") {
			return others[j] == ""
		}
		return others[i] < others[j]
	})
	out.Segments = append(out.Segments, others...)
	for _, s := range out.Segments {
		out.Counts = append(out.Counts, counts[s])
	}
	return out
}

// ContactsPerWeek counts a customer's contacts (live notes of any kind) per
// calendar week (Monday to Sunday in now's location) over the weeks weeks
// that end with now's week, oldest first. Notes after now are left out.
func ContactsPerWeek(notes []Note, now time.Time, weeks int) []int {
	out := make([]int, weeks)
	thisWeek := weekStart(DateOf(now))
	for i := range notes {
		n := &notes[i]
		if n.Deleted || n.At.After(now) {
			continue
		}
		back := DaysBetween(weekStart(DateOf(n.At.In(now.Location()))), thisWeek) / 7
		if back < weeks {
			out[weeks-1-back]++
		}
	}
	return out
}

// weekStart returns the Monday of d's week.
func weekStart(d Date) Date {
	t := d.Time(0, time.UTC)
	back := (int(t.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	return DateOf(t.AddDate(0, 0, -back))
}

// ActivityService reads what the charts count, cheaply on a large set.
type ActivityService interface {
	// GestureStamps returns a stamp of every live gesture created in
	// [from, to), oldest first, read from indexes only. Stamps of
	// customers deleted since are included: callers look the customers up
	// in the Directory anyway.
	GestureStamps(from, to time.Time) ([]GestureStamp, error)
}
