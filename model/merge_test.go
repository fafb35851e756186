package model

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestMergeCustomer(t *testing.T) {
	base := func() *Customer {
		return &Customer{Kind: Person, GivenName: "Hans", FamilyName: "Muster", Position: "",
			Emails:    []Email{{Label: "", Address: "hans@muster.ch", Pref: true}},
			Phones:    []Phone{{Label: "work", Number: "044 123 45 67"}},
			Addresses: []Address{{Street: "Hauptstrasse 1", PostalCode: "8000", City: "Zürich"}},
			Tags:      []string{"Kunde"}}
	}
	src := &Customer{Kind: Person, GivenName: "Johannes", FamilyName: "Muster", Position: "Chef",
		Emails:       []Email{{Label: "work", Address: "HANS@muster.ch"}, {Label: "home", Address: "h@privat.ch", Pref: true}},
		Phones:       []Phone{{Label: "mobile", Number: "+41 44 123 45 67"}, {Number: "079 1"}},
		Addresses:    []Address{{Label: "work", Street: "Hauptstraße 1", PostalCode: "8000", City: "Zuerich", Country: "Schweiz"}},
		Tags:         []string{"kunde", "Messe"},
		ExternalUIDs: []string{"u1"},
		Birthday:     Date{Month: 4, Day: 15}}
	tests := []struct {
		name      string
		overwrite bool
		want      *Customer
	}{
		{"fill empty", false, &Customer{Kind: Person, GivenName: "Hans", FamilyName: "Muster", Position: "Chef",
			Emails:       []Email{{Label: "work", Address: "hans@muster.ch", Pref: true}, {Label: "home", Address: "h@privat.ch"}},
			Phones:       []Phone{{Label: "work", Number: "044 123 45 67"}, {Number: "079 1"}},
			Addresses:    []Address{{Label: "work", Street: "Hauptstrasse 1", PostalCode: "8000", City: "Zürich", Country: "Schweiz"}},
			Tags:         []string{"Kunde", "Messe"},
			ExternalUIDs: []string{"u1"},
			Birthday:     Date{Month: 4, Day: 15}}},
		{"overwrite", true, &Customer{Kind: Person, GivenName: "Johannes", FamilyName: "Muster", Position: "Chef",
			Emails:       []Email{{Label: "work", Address: "hans@muster.ch"}, {Label: "home", Address: "h@privat.ch", Pref: true}},
			Phones:       []Phone{{Label: "mobile", Number: "+41 44 123 45 67"}, {Number: "079 1"}},
			Addresses:    []Address{{Label: "work", Street: "Hauptstraße 1", PostalCode: "8000", City: "Zuerich", Country: "Schweiz"}},
			Tags:         []string{"Kunde", "Messe"},
			ExternalUIDs: []string{"u1"},
			Birthday:     Date{Month: 4, Day: 15}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := base()
			if !MergeCustomer(dst, src, tt.overwrite, "CH") {
				t.Error("got no change, want one")
			}
			if !reflect.DeepEqual(dst, tt.want) {
				g, _ := json.Marshal(dst)
				w, _ := json.Marshal(tt.want)
				t.Errorf("got  %s\nwant %s", g, w)
			}
			if MergeCustomer(dst, src, tt.overwrite, "CH") {
				t.Error("second merge reported a change, want none (idempotent)")
			}
		})
	}
}
