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

// TestMergeKeepsGroupsApart: two Apple cards of one person both number
// their groups from item1. Merged, each group keeps its own members (an
// address with its country code, a value with its label), under names
// that no longer collide; merging either card again changes nothing.
func TestMergeKeepsGroupsApart(t *testing.T) {
	x := func(group, name, value string) ExtraProp { return ExtraProp{Group: group, Name: name, Value: value} }
	a := func() *Customer {
		return &Customer{GivenName: "Anna", FamilyName: "Huber",
			Addresses: []Address{{Label: "home", Street: "Seestrasse 1", PostalCode: "8000", City: "Zürich", Group: "item1"}},
			Extra: []ExtraProp{x("item1", "X-ABADR", "ch"), x("item3", "X-ABRELATEDNAMES", "Peter"),
				x("item3", "X-ABLabel", "_$!<Spouse>!$_")}}
	}
	b := &Customer{GivenName: "Anna", FamilyName: "Huber",
		Addresses: []Address{{Label: "work", Street: "Bahnhofstrasse 5", PostalCode: "3000", City: "Bern", Group: "ITEM1"}},
		Extra: []ExtraProp{x("ITEM1", "X-ABADR", "ch"), x("item3", "X-ABDATE", "2020-05-01"),
			x("item3", "X-ABLabel", "_$!<Anniversary>!$_"), x("", "X-PHONETIC-LAST-NAME", "Huuber")}}
	for _, overwrite := range []bool{false, true} {
		dst := a()
		if !MergeCustomer(dst, b, overwrite, "CH") {
			t.Fatal("got no change")
		}
		members := map[string][]string{}
		for _, ad := range dst.Addresses {
			members[ad.Group] = append(members[ad.Group], "ADR "+ad.City)
		}
		for _, e := range dst.Extra {
			members[e.Group] = append(members[e.Group], e.Name+" "+e.Value)
		}
		want := map[string][]string{
			"item1": {"ADR Zürich", "X-ABADR ch"},
			"item2": {"ADR Bern", "X-ABADR ch"},
			"item3": {"X-ABRELATEDNAMES Peter", "X-ABLabel _$!<Spouse>!$_"},
			"item4": {"X-ABDATE 2020-05-01", "X-ABLabel _$!<Anniversary>!$_"},
			"":      {"X-PHONETIC-LAST-NAME Huuber"},
		}
		if !reflect.DeepEqual(members, want) {
			t.Errorf("overwrite %v: got groups %v, want %v", overwrite, members, want)
		}
		if b.Addresses[0].Group != "ITEM1" || b.Extra[1].Group != "item3" {
			t.Errorf("the merged card was changed: %+v", b)
		}
		for _, again := range []*Customer{b, a()} {
			if MergeCustomer(dst, again, overwrite, "CH") {
				t.Errorf("overwrite %v: merging %s %s again changed %+v", overwrite, again.Addresses[0].City, again.Extra[0].Value, dst)
			}
		}
	}
}
