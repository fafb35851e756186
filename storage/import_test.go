package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestSaveCustomersIndexesAsStored creates more than a chunk of customers
// and updates stored ones in one SaveCustomers: the indexes and stats
// worked out ahead and in bulk must be those the checker recomputes from
// the records, and the directory kept current chunk by chunk must equal
// one rebuilt from the file.
func TestSaveCustomersIndexesAsStored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	db, err := Open(path, Options{Now: newTestClock().Now}) // checked and closed below
	mustOK(t, err)
	t.Cleanup(func() { db.Close() })
	var update []*model.Customer
	for i := 0; i < 3; i++ {
		c := newCustomer("Vreni", fmt.Sprint("Stamm", i), "")
		c.Phones = []model.Phone{{Number: fmt.Sprintf("044 555 00 0%d", i)}}
		mustOK(t, db.CreateCustomer(c))
		u := *c
		u.Phones = []model.Phone{{Number: fmt.Sprintf("+41 79 555 00 0%d", i)}}
		u.Tags = []string{"Stammkunde"}
		update = append(update, &u)
	}
	create := importCards(chunkSize+300, 7)
	mustOK(t, db.SaveCustomers(context.Background(), create, update, nil))
	mustCheck(t, db)
	if got, want := db.Directory().Len(), len(create)+len(update); got != want {
		t.Fatalf("directory: got %d customers, want %d", got, want)
	}
	m, err := db.Matches(&model.Customer{Phones: []model.Phone{{Number: "079 555 00 01"}}})
	mustOK(t, err)
	if len(m) != 1 || m[0].ID != update[1].ID {
		t.Errorf("match by the updated phone: got %v, want %s", m, update[1].ID)
	}
	live := db.Directory()
	queries := []string{"Stammkunde", "kunde2001", "Müller Firma", "079 555", "Zürich Messe"}
	var before []string
	for _, q := range queries {
		before = append(before, hitNames(live.Search(model.Query{Text: q})))
	}
	mustOK(t, db.Close())
	mustOK(t, os.Remove(path+".directory")) // rebuilt from the records
	again := openTestAt(t, path)
	for i, q := range queries {
		if got := hitNames(again.Directory().Search(model.Query{Text: q})); got != before[i] {
			t.Errorf("search %q: rebuilt directory has %s, the one kept current %s", q, got, before[i])
		}
	}
}

// hitNames lists the names and IDs of hits, in order, for comparing.
func hitNames(h model.Hits) string {
	var b strings.Builder
	for _, s := range h.Summaries() {
		fmt.Fprintf(&b, "%s %s; ", s.Name, s.ID)
	}
	return b.String()
}
