package model_test

import (
	"math/rand/v2"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// person builds a customer from the fields the identity rule looks at.
func person(given, family, company string, opts ...func(*model.Customer)) *model.Customer {
	c := &model.Customer{Kind: model.Person, GivenName: given, FamilyName: family, Company: company}
	for _, o := range opts {
		o(c)
	}
	return c
}

func email(a string) func(*model.Customer) {
	return func(c *model.Customer) { c.Emails = append(c.Emails, model.Email{Address: a}) }
}

func phone(n string) func(*model.Customer) {
	return func(c *model.Customer) { c.Phones = append(c.Phones, model.Phone{Number: n}) }
}

func uid(u string) func(*model.Customer) {
	return func(c *model.Customer) { c.ExternalUIDs = append(c.ExternalUIDs, u) }
}

func town(city string) func(*model.Customer) {
	return func(c *model.Customer) { c.Addresses = append(c.Addresses, model.Address{City: city}) }
}

func TestSamePerson(t *testing.T) {
	stored := person("Anna", "Huber", "", func(c *model.Customer) { c.ID = model.NewID() })
	for _, tt := range []struct {
		name      string
		in, known *model.Customer
		want      model.SameReason // "" means: not the same
		value     string
	}{
		{"switchboard colleagues", person("Peter", "Meier", "Muster AG", phone("+41 44 123 45 67"), email("peter.meier@muster.ch")),
			person("Anna", "Huber", "Muster AG", phone("044 123 45 67"), email("anna.huber@muster.ch")), "", ""},
		{"family sharing a landline", person("Lisa", "Brunner", "", phone("031 987 65 43"), town("Bern")),
			person("Marco", "Brunner", "", phone("+41 31 987 65 43"), town("Bern")), "", ""},
		{"shared mobile, no names on one side", person("", "", "", phone("079 111 22 33"), email("kids@brunner.ch")),
			person("Marco", "Brunner", "", phone("079 111 22 33")), "", ""},
		{"same person, two emails, same name and company", person("Hans", "Müller", "Käser AG", email("hans@gmail.com")),
			person("Hans", "Mueller", "Kaeser AG", email("h.mueller@kaeser.ch")), model.SameNameCompany, "Hans Müller, Käser AG"},
		{"same person, one of two emails shared", person("Hans", "Müller", "", email("H.Mueller@Kaeser.ch ")),
			person("Hans", "Müller", "", email("hans@gmail.com"), email("h.mueller@kaeser.ch")), model.SameEmail, "H.Mueller@Kaeser.ch"},
		{"info@ used by two people", person("Peter", "Meier", "Muster AG", email("info@muster.ch")),
			person("Anna", "Huber", "Muster AG", email("info@muster.ch")), "", ""},
		{"info@ used by two people with given names only", person("Peter", "", "", email("info@muster.ch")),
			person("Anna", "", "", email("info@muster.ch")), "", ""},
		{"same email, married name added", person("Anna", "Meier-Huber", "", email("anna@example.ch")),
			person("Anna", "Huber", "", email("anna@example.ch")), model.SameEmail, "anna@example.ch"},
		{"email-only card vs stored named customer", person("", "", "", email("anna.huber@example.ch")),
			person("Anna", "Huber", "", email("anna.huber@example.ch")), model.SameEmail, "anna.huber@example.ch"},
		{"same email, family name missing, given names alike", person("Anna", "", "", email("anna@example.ch")),
			person("Anna", "Huber", "", email("anna@example.ch")), model.SameEmail, "anna@example.ch"},
		{"UID from two address books, different people", person("Peter", "Meier", "", uid("1")),
			person("Anna", "Huber", "", uid("1")), "", ""},
		{"UID, different people, but a shared email", person("Peter", "Meier", "", uid("1"), email("p@x.ch")),
			person("Anna", "Huber", "", uid("1"), email("p@x.ch")), model.SameUID, "1"},
		{"UID from two address books, same family, different given names", person("Peter", "Meier", "", uid("2")),
			person("Anna", "Meier", "", uid("2")), "", ""},
		{"UID from two address books, different names and different emails", person("Paul", "Meier", "", uid("3"), email("paul@meier.ch")),
			person("Peter", "Meier", "", uid("3"), email("peter@meier.ch")), "", ""},
		{"UID of an edited card: typo in the given name fixed", person("Hans", "Müller", "", uid("4")),
			person("Hnas", "Müller", "", uid("4")), model.SameUID, "4"},
		{"UID of an edited card: new email, same name", person("Hans", "Müller", "", uid("6"), email("hans@neu.ch")),
			person("Hans", "Mueller", "", uid("6"), email("hans@alt.ch")), model.SameUID, "6"},
		{"UID of the same person, name spelled differently", person("Hans", "Mueller", "", uid("5AD380FD")),
			person("Hans", "Müller", "", uid("5AD380FD")), model.SameUID, "5AD380FD"},
		{"UID, family name on one side only", person("", "", "Käser AG", uid("abc")),
			person("Hans", "Müller", "Käser AG", uid("abc")), model.SameUID, "abc"},
		{"UID, two companies without person names", person("", "", "Käser AG", uid("7")),
			person("", "", "Brändli GmbH", uid("7")), "", ""},
		{"our own export's UID", person("Anna", "Huber", "", uid("urn:uuid:"+stored.ID.String())),
			stored, model.SameUID, "urn:uuid:" + stored.ID.String()},
		{"same name, one side knows more", person("Hans", "Müller", ""), person("Hans", "Müller", "", email("hans@example.ch")), "", ""},
		{"same name, nothing else on either side", person("Hans", "Müller", ""), person("Hans", "Mueller", ""), model.SameNameOnly, "Hans Müller"},
		{"same name and town, different companies", person("Hans", "Müller", "Käser AG", town("Bern")),
			person("Hans", "Müller", "Brändli GmbH", town("Bern")), "", ""},
		{"same name and phone, company on one side", person("Hans", "Müller", "Käser AG", phone("079 123 45 67")),
			person("Hans", "Müller", "", phone("079 123 45 67")), model.SameNamePhone, "Hans Müller, 079 123 45 67"},
		{"same name, different companies", person("Hans", "Müller", "Käser AG"), person("Hans", "Müller", "Brändli GmbH"), "", ""},
		{"same name, swapped order, same town", person("Müller", "Hans", "", town("Zürich")),
			person("Hans", "Mueller", "", town("Zuerich")), model.SameNameTown, "Müller Hans, Zürich"},
		{"same name and phone", person("Hans", "Müller", "", phone("079 123 45 67")),
			person("Hans", "Müller", "", phone("+41791234567")), model.SameNamePhone, "Hans Müller, 079 123 45 67"},
		{"different names, same phone and town", person("Hans", "Müller", "", phone("079 123 45 67"), town("Bern")),
			person("Hansruedi", "Müller", "", phone("079 123 45 67"), town("Bern")), "", ""},
		{"company without person, same company and town", person("", "", "Käser AG", town("Thun")),
			person("", "", "Kaeser AG", town("Thun")), model.SameCompany, "Käser AG, Thun"},
		{"company without person, same company only", person("", "", "Käser AG"), person("", "", "Käser AG"), "", ""},
		{"only a phone on both sides", person("", "", "", phone("044 123 45 67")),
			person("", "", "", phone("+41 44 123 45 67")), model.SamePhoneOnly, "044 123 45 67"},
		{"phone-only card vs named stored customer", person("", "", "", phone("044 123 45 67")),
			person("Anna", "Huber", "", phone("+41 44 123 45 67")), "", ""},
		{"email-only vs phone-only", person("", "", "", email("a@b.ch")), person("", "", "", phone("044 123 45 67")), "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := model.SamePerson(tt.in, tt.known, "CH")
			if ok != (tt.want != "") || got.Reason != tt.want || got.Value != tt.value {
				t.Errorf("got %v %+v, want %q %q", ok, got, tt.want, tt.value)
			}
			if d, dok := model.NewIdentity(tt.in, "CH").Same(detached(tt.known)); dok != ok || d != got {
				t.Errorf("against the detached known side: got %v %+v, want %v %+v", dok, d, ok, got)
			}
			if tt.want == "" || tt.want == model.SameUID && tt.known == stored {
				return
			}
			// Apart from our own export's UID, the rule is symmetric.
			if back, ok := model.SamePerson(tt.known, tt.in, "CH"); !ok || back.Reason != tt.want {
				t.Errorf("reversed: got %v %+v, want %q", ok, back, tt.want)
			}
		})
	}
}

func TestSamePersonNeverOnPhoneAlone(t *testing.T) {
	// Whatever else differs, two named people sharing only a number stay two.
	for _, tt := range []struct {
		name string
		a, b *model.Customer
	}{
		{"different family names", person("Peter", "Meier", "", phone("+41 44 123 45 67")), person("Anna", "Huber", "", phone("+41 44 123 45 67"))},
		{"same family name", person("Peter", "Meier", "", phone("+41 44 123 45 67")), person("Anna", "Meier", "", phone("+41 44 123 45 67"))},
		{"same company", person("Peter", "Meier", "X AG", phone("+41 44 123 45 67")), person("Anna", "Huber", "X AG", phone("+41 44 123 45 67"))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := model.SamePerson(tt.a, tt.b, "CH"); ok {
				t.Errorf("got %+v, want no match", got)
			}
		})
	}
}

func TestSamenessString(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    model.Sameness
		want string
	}{
		{"email", model.Sameness{Reason: model.SameEmail, Value: "x@y.ch"}, `same email "x@y.ch"`},
		{"uid", model.Sameness{Reason: model.SameUID, Value: "1"}, `same UID "1"`},
		{"none", model.Sameness{}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIdentifiable(t *testing.T) {
	for _, tt := range []struct {
		name string
		c    *model.Customer
		want bool
	}{
		{"name", person("", "Huber", ""), true},
		{"company", person("", "", "Käser AG"), true},
		{"email", person("", "", "", email("a@b.ch")), true},
		{"phone", person("", "", "", phone("044 123 45 67")), true},
		{"only a town", person("", "", "", town("Bern")), false},
		{"only a mistyped email", person("", "", "", email("kein-at-zeichen")), false},
		{"only a number without digits", person("", "", "", phone("abc")), false},
		{"spaces", person(" ", " ", " "), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := model.Identifiable(tt.c); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSamePersonProperties checks the rule over random records drawn from
// small pools (so they share names, companies, towns, phones, emails and
// UIDs often): it is symmetric, and two records with different emails and
// different full names are never the same person.
func TestSamePersonProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 1))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	gen := func() *model.Customer {
		c := person(pick("", "Peter", "Paul", "Anna"), pick("", "Meier", "Meier-Huber", "Huber"), pick("", "", "Muster AG", "Käser AG"))
		if e := pick("", "", "info@muster.ch", "p@x.ch", "a@x.ch"); e != "" {
			email(e)(c)
		}
		if p := pick("", "044 123 45 67", "+41 44 123 45 67", "079 555 12 34"); p != "" {
			phone(p)(c)
		}
		if s := pick("", "Bern", "Zürich"); s != "" {
			town(s)(c)
		}
		if u := pick("", "", "1", "2"); u != "" {
			uid(u)(c)
		}
		return c
	}
	for i := 0; i < 20000; i++ {
		a, b := gen(), gen()
		ab, okAB := model.SamePerson(a, b, "CH")
		ba, okBA := model.SamePerson(b, a, "CH")
		if d, ok := model.NewIdentity(a, "CH").Same(detached(b)); ok != okAB || d != ab {
			t.Fatalf("detached:\n%+v\n%+v\ngot %v %v, attached %v %v", a, b, ok, d, okAB, ab)
		}
		if okAB != okBA || ab.Reason != ba.Reason {
			t.Fatalf("not symmetric:\n%+v\n%+v\ngot %v %v one way, %v %v the other", a, b, okAB, ab, okBA, ba)
		}
		na, nb := model.NewIdentity(a, "CH").FullNameKey(), model.NewIdentity(b, "CH").FullNameKey()
		if okAB && len(a.Emails) > 0 && len(b.Emails) > 0 && a.Emails[0].Address != b.Emails[0].Address && na != "" && nb != "" && na != nb {
			t.Fatalf("two people with different emails and names are one (%v):\n%+v\n%+v", ab, a, b)
		}
		if okAB && ab.Reason == model.SamePhoneOnly && (na != "" || nb != "") {
			t.Fatalf("named record matched on its phone alone:\n%+v\n%+v", a, b)
		}
	}
}

// detached is c's Identity detached from c, with every string of c
// overwritten afterwards: a detached Identity must hold its own copies.
func detached(c *model.Customer) *model.Identity {
	cp := *c
	cp.Emails = append([]model.Email(nil), c.Emails...)
	cp.Phones = append([]model.Phone(nil), c.Phones...)
	cp.Addresses = append([]model.Address(nil), c.Addresses...)
	cp.ExternalUIDs = append([]string(nil), c.ExternalUIDs...)
	x := model.NewIdentity(&cp, "CH")
	x.Detach()
	if x.Customer() != nil {
		panic("a detached Identity still names its customer")
	}
	cp.GivenName, cp.FamilyName, cp.Company = "zz", "zz", "zz"
	for i := range cp.Emails {
		cp.Emails[i].Address = "zz@zz.zz"
	}
	for i := range cp.Phones {
		cp.Phones[i].Number = "+1 555 0100"
	}
	for i := range cp.Addresses {
		cp.Addresses[i].City = "zz"
	}
	for i := range cp.ExternalUIDs {
		cp.ExternalUIDs[i] = "zz"
	}
	return x
}
