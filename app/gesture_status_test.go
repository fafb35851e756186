package app

import (
	"strings"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestGestureFormListsIdeaFirst: the status choice reads in lifecycle
// order (idea → offered → accepted/redeemed | declined | expired), whatever
// the gesture's current state; "idea" used to come last.
func TestGestureFormListsIdeaFirst(t *testing.T) {
	f := newCareFixture(t)
	c := f.customer(model.Customer{GivenName: "Nina", FamilyName: "Graf"})
	names := func(ss ...model.GestureStatus) string {
		var out []string
		for _, s := range ss {
			out = append(out, gestureStatusText(s))
		}
		return strings.Join(out, "|")
	}
	for _, tt := range []struct {
		name    string
		current model.GestureStatus
		want    string
	}{
		{"offered", model.GestureOffered, names(model.GestureIdea, model.GestureOffered, model.GestureAccepted,
			model.GestureRedeemed, model.GestureDeclined, model.GestureExpired)},
		{"accepted", model.GestureAccepted, names(model.GestureOffered, model.GestureAccepted, model.GestureRedeemed,
			model.GestureDeclined, model.GestureExpired)},
		{"declined", model.GestureDeclined, names(model.GestureOffered, model.GestureAccepted, model.GestureDeclined)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := &model.Gesture{Meta: model.Meta{ID: model.NewID()}, CustomerID: c.ID, Kind: model.GestureGift, Title: "Wein", Status: tt.current}
			form := newGestureForm(f.e, c.ID, g)
			if got := strings.Join(form.status.Options, "|"); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if got, want := form.status.Selected, gestureStatusText(tt.current); got != want {
				t.Errorf("selected: got %q, want the current %q", got, want)
			}
		})
	}
}
