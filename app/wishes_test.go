package app

import (
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

func TestWishesListsFeedbackOnly(t *testing.T) {
	f := newCareFixture(t)
	a := f.customer(model.Customer{GivenName: "Ida", FamilyName: "Idee"})
	b := f.customer(model.Customer{Company: "Wunsch & Co"})
	notes := []model.Note{
		{CustomerID: a.ID, At: careNow.AddDate(0, 0, -20), Kind: model.NoteFeedback, Text: "Online-Terminbuchung wäre toll", By: "Anna"},
		{CustomerID: b.ID, At: careNow.AddDate(0, 0, -2), Kind: model.NoteFeedback, Text: "Mehr Farben für das Modell Alpin", By: "Beat"},
		{CustomerID: a.ID, At: careNow.AddDate(0, 0, -1), Kind: model.NoteVisit, Text: "Besuch, Wunsch nach Katalog"},
		{CustomerID: b.ID, At: careNow.AddDate(0, 0, -1), Kind: model.NoteComplaint, Text: "Wunschtermin verpasst", Impression: model.Negative},
	}
	s := newWishesScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	if len(s.notes) != 0 || !s.hint.Visible() {
		t.Fatalf("empty database: got %d notes, hint visible %v; want 0, true", len(s.notes), s.hint.Visible())
	}
	for i := range notes {
		if err := f.db.AddNote(&notes[i]); err != nil {
			t.Fatal(err)
		}
	}
	f.settle(s.loader)

	if got := careRowTitles(s.rows); len(got) != 2 ||
		got[0] != careFormatDate(notes[1].At.In(time.Local))+" · Wunsch & Co" ||
		got[1] != careFormatDate(notes[0].At.In(time.Local))+" · Ida Idee" {
		t.Errorf("rows: got %q, want the two feedback notes, newest first", got)
	}
	if got, want := s.rows.rows[0].detail, "Mehr Farben für das Modell Alpin — Beat"; got != want {
		t.Errorf("detail: got %q, want %q", got, want)
	}

	tests := []struct {
		name, text, from, to string
		want                 int
	}{
		{"text", "termin", "", "", 1},
		{"text folded", "TERMINBUCHUNG", "", "", 1},
		{"from", "", careFormatDate(careNow.AddDate(0, 0, -5)), "", 1},
		{"until", "", "", careFormatDate(careNow.AddDate(0, 0, -10)), 1},
		{"range with both", "", careFormatDate(careNow.AddDate(0, 0, -30)), careFormatDate(careNow), 2},
		{"nothing", "xylophon", "", "", 0},
		{"all", "", "", "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.text.SetText(tt.text)
			s.from.SetText(tt.from)
			s.to.SetText(tt.to)
			f.settle(s.loader)
			if got := len(s.notes); got != tt.want {
				t.Errorf("got %d notes, want %d", got, tt.want)
			}
			for _, n := range s.notes {
				if n.Kind != model.NoteFeedback {
					t.Errorf("got a %q note, want feedback only", n.Kind)
				}
			}
		})
	}

	s.text.SetText("")
	s.from.SetText("32.13.2026")
	if !s.problem.Visible() {
		t.Errorf("bad date: no message")
	}
	s.from.SetText("")
	f.settle(s.loader)
	s.rows.list.Select(0)
	if len(f.opened) != 1 || f.opened[0] != b.ID {
		t.Errorf("click: opened %v, want %v", f.opened, b.ID)
	}
}

// BenchmarkWishesLoad measures the feedback list: every feedback note
// across customers, newest first, then a text filter.
func BenchmarkWishesLoad(b *testing.B) {
	f := careBenchFixture(b)
	for _, bc := range []struct{ name, text string }{{"all", ""}, {"text", "lieferung"}} {
		b.Run(bc.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				notes, err := f.db.Notes(model.NoteFilter{Kinds: []model.NoteKind{model.NoteFeedback}, Text: bc.text})
				if err != nil {
					b.Fatal(err)
				}
				n = len(notes)
			}
			b.ReportMetric(float64(n), "notes")
		})
	}
}
