package storage

import (
	"fmt"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestExpiringGestures checks that the status-index path for an expiry
// range returns what filtering every gesture by hand returns, soonest first,
// and that Limit keeps the soonest.
func TestExpiringGestures(t *testing.T) {
	db := openTest(t)
	a, gone := newCustomer("Bärbel", "Weiß", ""), newCustomer("Sören", "Größer", "")
	mustOK(t, db.CreateCustomer(a))
	mustOK(t, db.CreateCustomer(gone))
	today := model.Date{Year: 2026, Month: 11, Day: 23}
	valid := []model.Date{
		{}, // no expiry
		{Year: 2026, Month: 11, Day: 22},
		{Year: 2026, Month: 11, Day: 23},
		{Year: 2026, Month: 11, Day: 30},
		{Year: 2026, Month: 12, Day: 7},
		{Year: 2026, Month: 12, Day: 8},
		{Year: 2027, Month: 1, Day: 1},
	}
	statuses := []model.GestureStatus{model.GestureIdea, model.GestureOffered, model.GestureAccepted, model.GestureRedeemed}
	for i := 0; i < 48; i++ {
		c := a
		if i%7 == 0 {
			c = gone
		}
		g := &model.Gesture{CustomerID: c.ID, Kind: model.GestureGift, Title: fmt.Sprintf("Geste %d", i), ValidUntil: valid[i%len(valid)]}
		mustOK(t, db.CreateGesture(g))
		switch st := statuses[i%len(statuses)]; st {
		case model.GestureOffered:
			mustOK(t, db.SetGestureStatus(g.ID, st))
		case model.GestureAccepted, model.GestureRedeemed:
			mustOK(t, db.SetGestureStatus(g.ID, model.GestureOffered))
			mustOK(t, db.SetGestureStatus(g.ID, st))
		}
	}
	mustOK(t, db.DeleteCustomer(gone.ID))

	open := statuses[:3]
	all, err := db.Gestures(model.GestureFilter{Statuses: open})
	mustOK(t, err)
	var want []model.Gesture
	for _, g := range all {
		if g.ExpiresWithin(today, 14) {
			want = append(want, g)
		}
	}
	sortSlice(want, func(a, b *model.Gesture) bool {
		if a.ValidUntil != b.ValidUntil {
			return a.ValidUntil.String() < b.ValidUntil.String()
		}
		return string(a.ID[:]) < string(b.ID[:])
	})
	if len(want) < 4 {
		t.Fatalf("the fixture has %d expiring gestures; it should have several", len(want))
	}
	tests := []struct {
		name  string
		limit int
	}{
		{name: "all", limit: 0},
		{name: "limit", limit: 3},
		{name: "limit beyond", limit: 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Gestures(model.GestureFilter{Statuses: open, ExpiringFrom: today, ExpiringTo: model.DateOf(today.Time(0, time.UTC).AddDate(0, 0, 14)), Limit: tt.limit})
			mustOK(t, err)
			w := want
			if tt.limit > 0 && len(w) > tt.limit {
				w = w[:tt.limit]
			}
			if len(got) != len(w) {
				t.Fatalf("got %d gestures, want %d", len(got), len(w))
			}
			for i := range got {
				if got[i].ID != w[i].ID {
					t.Errorf("gesture %d: got %s (valid until %s), want %s (valid until %s)", i, got[i].Title, got[i].ValidUntil, w[i].Title, w[i].ValidUntil)
				}
			}
		})
	}
}
