package model

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// normalizeReference is Normalize's list handling as it was before
// Normalize kept arrays that are already normal: always fresh arrays.
func normalizeReference(c *Customer) {
	var emails []Email
	for _, e := range c.Emails {
		e.Address, e.Label = strings.TrimSpace(e.Address), strings.TrimSpace(e.Label)
		if e.Address != "" {
			emails = append(emails, e)
		}
	}
	c.Emails = emails
	var phones []Phone
	for _, p := range c.Phones {
		p.Number, p.Label = strings.TrimSpace(p.Number), strings.TrimSpace(p.Label)
		if p.Number != "" {
			phones = append(phones, p)
		}
	}
	c.Phones = phones
	var addrs []Address
	for _, a := range c.Addresses {
		for _, p := range []*string{&a.Label, &a.Street, &a.Extended, &a.POBox, &a.PostalCode, &a.City, &a.Region, &a.Country} {
			*p = strings.TrimSpace(*p)
		}
		if a.OneLine() != "" {
			addrs = append(addrs, a)
		}
	}
	c.Addresses = addrs
	var tags []string
	seen := map[string]bool{}
	for _, t := range c.Tags {
		t = strings.TrimSpace(t)
		if f := Fold(t); t != "" && !seen[f] {
			seen[f] = true
			tags = append(tags, t)
		}
	}
	c.Tags = tags
}

// TestNormalizeListsKeepsNormalArrays: Normalize gives the lists the same
// values as always, keeps an array that is already normal (no copy per
// import card), and never changes the array of a caller's copy.
func TestNormalizeListsKeepsNormalArrays(t *testing.T) {
	tests := []struct {
		name string
		c    Customer
		keep bool // the arrays stay the same
	}{
		{name: "normal", keep: true, c: Customer{Emails: []Email{{Label: "work", Address: "a@b.ch"}}, Phones: []Phone{{Number: "044 123 45 67"}},
			Addresses: []Address{{City: "Bern", Group: " g "}}, Tags: []string{"Messe", "Kunden"}}},
		{name: "nil lists", keep: true, c: Customer{}},
		{name: "empty lists become nil", c: Customer{Emails: []Email{}, Phones: []Phone{}, Addresses: []Address{}, Tags: []string{}}},
		{name: "untrimmed email", c: Customer{Emails: []Email{{Address: " a@b.ch"}, {Address: " "}}}},
		{name: "untrimmed label", c: Customer{Emails: []Email{{Label: "work ", Address: "a@b.ch"}}, Phones: []Phone{{Label: " x", Number: "1"}}}},
		{name: "empty phone", c: Customer{Phones: []Phone{{Number: "1"}, {Number: ""}}}},
		{name: "empty address", c: Customer{Addresses: []Address{{City: "Bern "}, {Label: "x", Group: "g"}}}},
		{name: "duplicate tags by fold", c: Customer{Tags: []string{"Messe", "MESSE", " Kunden", ""}}},
		{name: "more tags than checked in place", keep: false, c: Customer{Tags: strings.Fields("a b c d e f g h i j k l m n o p q r")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := cloneForTest(tt.c)
			want := cloneForTest(tt.c)
			normalizeReference(&want)
			got := tt.c
			got.Normalize()
			if !reflect.DeepEqual(got.Emails, want.Emails) || !reflect.DeepEqual(got.Phones, want.Phones) ||
				!reflect.DeepEqual(got.Addresses, want.Addresses) || !reflect.DeepEqual(got.Tags, want.Tags) {
				t.Fatalf("got %+v, want %+v", got, want)
			}
			if !reflect.DeepEqual(tt.c, before) {
				t.Fatalf("caller's copy changed: got %+v, want %+v", tt.c, before)
			}
			kept := sameArray(got.Emails, tt.c.Emails) && sameArray(got.Phones, tt.c.Phones) &&
				sameArray(got.Addresses, tt.c.Addresses) && sameArray(got.Tags, tt.c.Tags)
			if tt.keep && !kept {
				t.Fatalf("got fresh arrays, want the normal ones kept")
			}
		})
	}
}

func sameArray[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func cloneForTest(c Customer) Customer {
	d := c
	d.Emails = slices.Clone(c.Emails)
	d.Phones = slices.Clone(c.Phones)
	d.Addresses = slices.Clone(c.Addresses)
	d.Tags = slices.Clone(c.Tags)
	return d
}
