package storage

import (
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

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
