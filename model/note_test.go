package model_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

var customerID = model.NewID()

func validNote() model.Note {
	return model.Note{CustomerID: customerID, At: t0, Kind: model.NoteVisit, Text: "Besuch vor Ort.", Impression: model.Positive, By: "Anna"}
}

func TestNoteValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(n *model.Note)
		want   []string
	}{
		{"valid", func(n *model.Note) {}, nil},
		{"every kind", func(n *model.Note) { n.Kind = model.NoteFeedback }, nil},
		{"customer", func(n *model.Note) { n.CustomerID = model.NilID }, []string{"customer_id"}},
		{"date", func(n *model.Note) { n.At = time.Time{} }, []string{"at"}},
		{"kind", func(n *model.Note) { n.Kind = "letter" }, []string{"kind"}},
		{"kind not filled in", func(n *model.Note) { n.Kind = "" }, []string{"kind"}},
		{"impression", func(n *model.Note) { n.Impression = "meh" }, []string{"impression"}},
		{"text", func(n *model.Note) { n.Text = "" }, []string{"text"}},
		{"all at once", func(n *model.Note) { *n = model.Note{} }, []string{"customer_id", "at", "kind", "impression", "text"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := validNote()
			tt.change(&n)
			checkValidate(t, n.Validate(), tt.want...)
		})
	}
	for _, k := range model.NoteKinds {
		n := validNote()
		n.Kind = k
		if err := n.Validate(); err != nil {
			t.Errorf("kind %s: got %v, want valid", k, err)
		}
	}
}

func TestNoteNormalize(t *testing.T) {
	zurich := mustLoad(t, "Europe/Zurich")
	n := model.Note{CustomerID: customerID, At: time.Date(2026, 4, 15, 10, 0, 0, 0, zurich), Text: "  Anruf \n", By: " Reto "}
	n.Normalize()
	want := model.Note{CustomerID: customerID, At: time.Date(2026, 4, 15, 8, 0, 0, 0, time.UTC), Text: "Anruf", By: "Reto",
		Kind: model.NoteOther, Impression: model.Neutral}
	if !reflect.DeepEqual(n, want) {
		t.Errorf("got  %+v\nwant %+v", n, want)
	}
	if n.At.Location() != time.UTC {
		t.Errorf("At location: got %v, want UTC", n.At.Location())
	}
	if err := n.Validate(); err != nil {
		t.Errorf("normalized note: got %v, want valid", err)
	}
}
