package ical

import (
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/kundenkartei/kundenkartei/model"
)

// bigExport makes n open follow-ups with alarms, spread over two years in
// Zurich (so times cross DST changes), each with a customer with phone,
// email and address, every third with a note, all deterministic.
func bigExport(tb testing.TB, n int) []Item {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		tb.Fatal(err)
	}
	items := make([]Item, n)
	customers := make([]*model.Customer, 1000)
	for i := range customers {
		customers[i] = &model.Customer{
			Meta: model.Meta{ID: uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "c%d", i))},
			Kind: model.Person, GivenName: "Jürg", FamilyName: fmt.Sprintf("Müller-%d", i), Company: "Bäckerei Zürcher AG",
			Phones:    []model.Phone{{Number: "+41 44 123 45 67"}},
			Emails:    []model.Email{{Address: fmt.Sprintf("juerg%d@example.ch", i)}},
			Addresses: []model.Address{{Street: "Seestrasse 12", PostalCode: "8002", City: "Zürich", Country: "Schweiz"}},
		}
	}
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, loc)
	for i := range items {
		c := customers[i%len(customers)]
		items[i] = Item{Customer: c, FollowUp: model.FollowUp{
			Meta:       model.Meta{ID: uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "f%d", i)), Created: start.UTC(), Updated: start.UTC()},
			CustomerID: c.ID, Due: start.AddDate(0, 0, i%730).UTC(), TZ: "Europe/Zurich", Duration: 30,
			Title: "Offerte nachfassen, Termin für Vorführung vereinbaren", Details: "Interessiert an Modell X; Budget ca. 20'000 CHF",
			Status: model.FollowUpOpen, Reminder: 15, Sequence: i % 7,
		}}
		if i%3 == 0 {
			items[i].Note = &model.Note{At: start.UTC(), Text: "Am Messestand: fragt nach Lieferzeit, Wartungsvertrag und Rabatt für Stammkunden."}
		}
	}
	return items
}

// BenchmarkExport10k is the budget of DESIGN.md §9: 10,000 follow-ups with
// alarms in at most 100 ms.
func BenchmarkExport10k(b *testing.B) {
	items := bigExport(b, 10000)
	opt := fixedOptions()
	b.ReportAllocs()
	for b.Loop() {
		if err := Encode(io.Discard, items, nil, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteFile10k is the same export to disk, with fsync and rename.
func BenchmarkWriteFile10k(b *testing.B) {
	items := bigExport(b, 10000)
	opt := fixedOptions()
	path := filepath.Join(b.TempDir(), "cal.ics")
	for b.Loop() {
		if err := WriteFile(path, items, nil, opt); err != nil {
			b.Fatal(err)
		}
	}
}
