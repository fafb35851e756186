package model_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

func TestGesturesPerMonth(t *testing.T) {
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, zurich)
	keyC, smallC, freeC, noneC, goneC := model.NewID(), model.NewID(), model.NewID(), model.NewID(), model.NewID()
	segs := map[model.ID]string{keyC: model.SegmentKey, smallC: model.SegmentSmall, freeC: "Partner", noneC: ""}
	segmentOf := func(id model.ID) (string, bool) { s, ok := segs[id]; return s, ok }
	stamp := func(c model.ID, at time.Time, s model.GestureStatus) model.GestureStamp {
		return model.GestureStamp{CustomerID: c, Created: at, Status: s}
	}
	builtins := []string{model.SegmentKey, model.SegmentRegular, model.SegmentSmall}
	tests := []struct {
		name     string
		stamps   []model.GestureStamp
		segments []string
		want     map[string][]int // segment → counts of the last 3 months
		order    []string         // the series order, when the case is about it
	}{
		{name: "empty shows the given segments with zeros", segments: builtins,
			want: map[string][]int{model.SegmentKey: {0, 0, 0}, model.SegmentRegular: {0, 0, 0}, model.SegmentSmall: {0, 0, 0}}},
		{name: "counted per month and segment", segments: builtins, stamps: []model.GestureStamp{
			stamp(keyC, time.Date(2026, 12, 1, 0, 0, 0, 0, zurich), model.GestureOffered),
			stamp(keyC, time.Date(2026, 12, 6, 0, 0, 0, 0, zurich), model.GestureRedeemed),
			stamp(smallC, time.Date(2026, 10, 31, 23, 30, 0, 0, zurich), model.GestureAccepted),
		}, want: map[string][]int{model.SegmentKey: {0, 0, 2}, model.SegmentRegular: {0, 0, 0}, model.SegmentSmall: {1, 0, 0}}},
		{name: "month boundary in the local zone, not UTC", segments: builtins, stamps: []model.GestureStamp{
			// 30 Nov 23:30 UTC is 1 Dec 00:30 in Zurich
			stamp(keyC, time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC), model.GestureOffered),
		}, want: map[string][]int{model.SegmentKey: {0, 0, 1}, model.SegmentRegular: {0, 0, 0}, model.SegmentSmall: {0, 0, 0}}},
		{name: "ideas, declined and expired did not reach the customer", segments: builtins, stamps: []model.GestureStamp{
			stamp(keyC, now.AddDate(0, 0, -1), model.GestureIdea),
			stamp(keyC, now.AddDate(0, 0, -1), model.GestureDeclined),
			stamp(keyC, now.AddDate(0, 0, -1), model.GestureExpired),
		}, want: map[string][]int{model.SegmentKey: {0, 0, 0}, model.SegmentRegular: {0, 0, 0}, model.SegmentSmall: {0, 0, 0}}},
		{name: "outside the window, in the future, or of an unlisted customer", segments: builtins, stamps: []model.GestureStamp{
			stamp(keyC, time.Date(2026, 9, 30, 23, 0, 0, 0, zurich), model.GestureOffered),
			stamp(keyC, now.Add(time.Hour), model.GestureOffered),
			stamp(goneC, now.Add(-time.Hour), model.GestureOffered),
		}, want: map[string][]int{model.SegmentKey: {0, 0, 0}, model.SegmentRegular: {0, 0, 0}, model.SegmentSmall: {0, 0, 0}}},
		{name: "other segments after the given ones, unsegmented last", segments: []string{model.SegmentKey}, stamps: []model.GestureStamp{
			stamp(noneC, now.AddDate(0, -1, 0), model.GestureOffered),
			stamp(freeC, now.AddDate(0, -2, 0), model.GestureOffered),
			stamp(freeC, now.AddDate(0, -2, 0), model.GestureOffered),
		}, want: map[string][]int{model.SegmentKey: {0, 0, 0}, "Partner": {2, 0, 0}, "": {0, 1, 0}},
			order: []string{model.SegmentKey, "Partner", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := model.GesturesPerMonth(tt.stamps, segmentOf, tt.segments, now, 3)
			wantMonths := []time.Time{time.Date(2026, 10, 1, 0, 0, 0, 0, zurich), time.Date(2026, 11, 1, 0, 0, 0, 0, zurich), time.Date(2026, 12, 1, 0, 0, 0, 0, zurich)}
			if !slices.EqualFunc(got.Months, wantMonths, time.Time.Equal) {
				t.Errorf("months: got %v, want %v", got.Months, wantMonths)
			}
			if len(got.Segments) != len(tt.want) || len(got.Counts) != len(got.Segments) {
				t.Fatalf("segments: got %q with %d rows, want %d", got.Segments, len(got.Counts), len(tt.want))
			}
			for i, s := range got.Segments {
				if !slices.Equal(got.Counts[i], tt.want[s]) {
					t.Errorf("segment %q: got %v, want %v", s, got.Counts[i], tt.want[s])
				}
			}
			if tt.order != nil && !slices.Equal(got.Segments, tt.order) {
				t.Errorf("order: got %q, want %q", got.Segments, tt.order)
			}
		})
	}
}

func TestContactsPerWeek(t *testing.T) {
	// Wednesday 9 December 2026; its week began on Monday 7 December.
	now := time.Date(2026, 12, 9, 12, 0, 0, 0, time.UTC)
	at := func(y int, m time.Month, d, h int) model.Note {
		return model.Note{Meta: model.Meta{ID: model.NewID()}, At: time.Date(y, m, d, h, 0, 0, 0, time.UTC), Kind: model.NoteCall}
	}
	deleted := at(2026, 12, 8, 9)
	deleted.Deleted = true
	tests := []struct {
		name  string
		notes []model.Note
		want  []int
	}{
		{name: "none", want: []int{0, 0, 0}},
		{name: "this week from Monday on", notes: []model.Note{at(2026, 12, 7, 0), at(2026, 12, 9, 11)}, want: []int{0, 0, 2}},
		{name: "Sunday belongs to the week before", notes: []model.Note{at(2026, 12, 6, 23)}, want: []int{0, 1, 0}},
		{name: "oldest week of the window, and one before it", notes: []model.Note{at(2026, 11, 23, 8), at(2026, 11, 22, 8)}, want: []int{1, 0, 0}},
		{name: "future and deleted notes do not count", notes: []model.Note{at(2026, 12, 9, 13), deleted}, want: []int{0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := model.ContactsPerWeek(tt.notes, now, 3); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
