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

// TestMatchesProposesNamesakes: the candidates of an import card without
// a company include every stored customer of the same folded name, whatever
// the company, so the identity rule can match the same name in the same
// town; a card with a company gets the namesakes at that company or at
// none; a card without a person name gets the customers of its company.
func TestMatchesProposesNamesakes(t *testing.T) {
	db := openTest(t)
	withCompany := newCustomer("Hans", "Müller", "Käser AG")
	mustOK(t, db.CreateCustomer(withCompany))
	without := newCustomer("Hans", "Mueller", "")
	mustOK(t, db.CreateCustomer(without))
	other := newCustomer("Hansruedi", "Müller", "")
	mustOK(t, db.CreateCustomer(other))
	company := newCustomer("", "", "Käser AG")
	mustOK(t, db.CreateCustomer(company))
	for _, tt := range []struct {
		name  string
		probe *model.Customer
		want  []model.ID
	}{
		{"name without company", &model.Customer{GivenName: "Hans", FamilyName: "Müller"}, []model.ID{withCompany.ID, without.ID}},
		{"name with another company", &model.Customer{GivenName: "Müller", FamilyName: "Hans", Company: "Brändli GmbH"}, []model.ID{without.ID}},
		{"name with the same company", &model.Customer{GivenName: "Hans", FamilyName: "Müller", Company: "Kaeser AG"}, []model.ID{withCompany.ID, without.ID}},
		{"company only", &model.Customer{Company: "Kaeser AG"}, []model.ID{company.ID}},
		{"other name", &model.Customer{GivenName: "Hans-Peter", FamilyName: "Müller"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Matches(tt.probe)
			mustOK(t, err)
			ids := map[model.ID]bool{}
			for _, m := range got {
				if m.By != model.MatchName {
					t.Errorf("got a match by %q, want by name", m.By)
				}
				ids[m.ID] = true
			}
			if len(ids) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for _, id := range tt.want {
				if !ids[id] {
					t.Errorf("got %v, want %v among them", got, id)
				}
			}
		})
	}
}

// TestSaveCustomersRegionChangedBetweenChunks: the region changes between
// two chunks of one SaveCustomers, after the next chunk's index entries
// were worked out ahead under the old one. The second chunk must write
// the entries of the new region (check recomputes them), and a number is
// found read in it.
func TestSaveCustomersRegionChangedBetweenChunks(t *testing.T) {
	db := openTest(t)
	create := importCards(chunkSize+300, 11)
	for i, c := range create { // Berlin numbers: possible in Germany, not in Switzerland
		c.Phones = []model.Phone{{Number: fmt.Sprintf("030 %08d", 10000000+i)}}
	}
	changed := false
	err := db.SaveCustomers(context.Background(), create, nil, func(done int) {
		if !changed {
			changed = true
			s := db.currentSettings()
			s.Region = "DE"
			mustOK(t, db.SaveSettings(s))
		}
	})
	mustOK(t, err)
	if !changed {
		t.Fatal("no chunk reported progress")
	}
	mustCheck(t, db)
	last := create[len(create)-1]
	want := model.E164(last.Phones[0].Number, "DE")
	if want == "" || !strings.HasPrefix(want, "+49") {
		t.Fatalf("test number %q does not read as German: %q", last.Phones[0].Number, want)
	}
	m, err := db.Matches(&model.Customer{Phones: []model.Phone{{Number: want}}})
	mustOK(t, err)
	if len(m) != 1 || m[0].ID != last.ID {
		t.Errorf("match by the number read in the new region: got %v, want %s", m, last.ID)
	}
}
