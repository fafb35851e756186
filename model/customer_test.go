package model_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

var t0 = time.Date(2026, 4, 15, 8, 0, 0, 0, time.UTC)

// validCustomer returns a fresh valid person; each case changes one thing.
func validCustomer() model.Customer {
	return model.Customer{
		Kind:       model.Person,
		GivenName:  "Jürgen",
		FamilyName: "Weiß",
		Emails:     []model.Email{{Label: model.LabelHome, Address: "juergen.weiss@example.ch"}},
		Phones:     []model.Phone{{Label: model.LabelMobile, Number: "+41 79 123 45 67"}},
		Birthday:   model.Date{Month: time.February, Day: 29},
		Since:      model.Date{Year: 2019, Month: time.March, Day: 1},
		RhythmDays: 90,
		Consents:   []model.Consent{{Channel: model.ChannelEmail, GivenAt: t0}},
	}
}

func TestCustomerValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(c *model.Customer)
		want   []string // invalid fields; none means valid
	}{
		{"valid person", func(c *model.Customer) {}, nil},
		{"valid company", func(c *model.Customer) {
			*c = model.Customer{Kind: model.Company, Company: "Brändli Gartenbau GmbH", Website: "www.braendli-gartenbau.ch"}
		}, nil},
		{"company name alone is a name", func(c *model.Customer) { c.GivenName, c.FamilyName, c.Company = "", "", "Käser AG" }, nil},
		{"rhythm at the limits", func(c *model.Customer) { c.RhythmDays = 3660 }, nil},
		{"no rhythm", func(c *model.Customer) { c.RhythmDays = 0 }, nil},
		{"Du", func(c *model.Customer) { c.LetterForm = model.FormDu }, nil},
		{"phone with extension", func(c *model.Customer) { c.Phones[0].Number = "044/123 45 67 ext. 12" }, nil},
		{"withdrawn consent", func(c *model.Customer) { c.Consents[0].Withdrawn = t0.Add(time.Hour) }, nil},

		{"unknown kind", func(c *model.Customer) { c.Kind = "robot" }, []string{"kind"}},
		{"kind not filled in", func(c *model.Customer) { c.Kind = "" }, []string{"kind"}},
		{"no name but an email and a phone", func(c *model.Customer) { c.GivenName, c.FamilyName = "", "" }, nil},
		{"only an email", func(c *model.Customer) {
			*c = model.Customer{Kind: model.Person, Emails: []model.Email{{Address: "anna@example.ch"}}}
		}, nil},
		{"only a phone", func(c *model.Customer) {
			*c = model.Customer{Kind: model.Person, Phones: []model.Phone{{Number: "+41 44 123 45 67"}}}
		}, nil},
		{"nothing that tells who it is", func(c *model.Customer) {
			*c = model.Customer{Kind: model.Person, Memo: "met at the fair", Addresses: []model.Address{{City: "Bern"}}}
		}, []string{"name"}},
		{"company kind with only an email", func(c *model.Customer) {
			*c = model.Customer{Kind: model.Company, Emails: []model.Email{{Address: "info@example.ch"}}}
		}, []string{"company"}},
		{"company without company name", func(c *model.Customer) { c.Kind = model.Company }, []string{"company"}},
		{"letter form", func(c *model.Customer) { c.LetterForm = "ihr" }, []string{"letter_form"}},
		{"email", func(c *model.Customer) { c.Emails[0].Address = "juergen@" }, []string{"emails[0].address"}},
		{"second email", func(c *model.Customer) {
			c.Emails = append(c.Emails, model.Email{Address: "two words@example.ch"})
		}, []string{"emails[1].address"}},
		{"phone with letters", func(c *model.Customer) { c.Phones[0].Number = "call me" }, []string{"phones[0].number"}},
		{"phone too short", func(c *model.Customer) { c.Phones[0].Number = "12" }, []string{"phones[0].number"}},
		{"phone too long", func(c *model.Customer) { c.Phones[0].Number = "+41 79 123 45 67 89 01 23 45 67" }, []string{"phones[0].number"}},
		{"website", func(c *model.Customer) { c.Website = "kein web" }, []string{"website"}},
		{"website without a dot", func(c *model.Customer) { c.Website = "localhost" }, []string{"website"}},
		{"birthday", func(c *model.Customer) { c.Birthday = model.Date{Year: 2026, Month: time.February, Day: 29} }, []string{"birthday"}},
		{"since without year", func(c *model.Customer) { c.Since = model.Date{Month: time.March, Day: 1} }, []string{"since"}},
		{"since impossible", func(c *model.Customer) { c.Since = model.Date{Year: 2019, Month: time.April, Day: 31} }, []string{"since"}},
		{"negative rhythm", func(c *model.Customer) { c.RhythmDays = -1 }, []string{"rhythm_days"}},
		{"rhythm over ten years", func(c *model.Customer) { c.RhythmDays = 3661 }, []string{"rhythm_days"}},
		{"consent channel", func(c *model.Customer) { c.Consents[0].Channel = "fax" }, []string{"consents[0].channel"}},
		{"consent without date", func(c *model.Customer) { c.Consents[0].GivenAt = time.Time{} }, []string{"consents[0].given_at"}},
		{"consent withdrawn before given", func(c *model.Customer) { c.Consents[0].Withdrawn = t0.Add(-time.Hour) }, []string{"consents[0].withdrawn"}},
		{"every bad field is named; a bad email alone is no name", func(c *model.Customer) {
			c.GivenName, c.FamilyName, c.Phones = "", "", nil
			c.Emails[0].Address = "x"
			c.RhythmDays = -5
		}, []string{"name", "emails[0].address", "rhythm_days"}},
		{"every bad field is named, the missing name too", func(c *model.Customer) {
			c.GivenName, c.FamilyName, c.Phones, c.Emails = "", "", nil, nil
			c.Website = "kein web"
			c.RhythmDays = -5
		}, []string{"name", "website", "rhythm_days"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := validCustomer()
			tt.change(&c)
			checkValidate(t, c.Validate(), tt.want...)
		})
	}
}

func TestValidEmail(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"hans@example.ch", true},
		{"hans.mueller+crm@mail.example.co.uk", true},
		{"hans.müller@example.ch", true}, // lenient: real address books hold these
		{"", false},
		{"hans", false},
		{"@example.ch", false},
		{"hans@", false},
		{"hans@example", false},
		{"hans@.ch", false},
		{"hans@example.", false},
		{"hans@example..ch", false},
		{"hans mueller@example.ch", false},
		{"<hans@example.ch>", false},
		{"a@b.ch, c@d.ch", false},
	} {
		if got := model.ValidEmail(tt.in); got != tt.want {
			t.Errorf("ValidEmail(%q): got %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidPhone(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"+41 79 123 45 67", true},
		{"079 123 45 67", true},
		{"044/123 45 67", true},
		{"+49 (0)30 1234567", true},
		{"0043-1-234.5678", true},
		{"+41 44 123 45 67 ext. 12", true},
		{"+41 44 123 45 67;ext=12", true}, // see knownPhoneBugs
		{"112", true},
		{"12", false},
		{"123456789012345678901", false},
		{"41+79", false},
		{"079 123 45 67 (Büro)", false},
		{"", false},
	} {
		got := model.ValidPhone(tt.in)
		if bug := knownPhoneBugs[tt.in]; bug != "" && got != tt.want {
			t.Logf("skipped, known model bug: ValidPhone(%q): %s", tt.in, bug)
			continue
		}
		if got != tt.want {
			t.Errorf("ValidPhone(%q): got %v, want %v", tt.in, got, tt.want)
		}
	}
}

// knownPhoneBugs are inputs ValidPhone gets wrong today, with the reason.
var knownPhoneBugs = map[string]string{} // all fixed; add an entry only while a fix is pending

func TestCustomerNormalize(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   model.Customer
		want model.Customer
	}{
		{
			name: "trims and fills the kind of a person",
			in:   model.Customer{GivenName: "  Bärbel ", FamilyName: "Größer\t", Segment: " key ", Memo: "  erste Zeile\n\n"},
			want: model.Customer{Kind: model.Person, GivenName: "Bärbel", FamilyName: "Größer", Segment: "key", Memo: "  erste Zeile"},
		},
		{
			name: "a company name alone makes a company",
			in:   model.Customer{Company: " Müller Haustechnik AG "},
			want: model.Customer{Kind: model.Company, Company: "Müller Haustechnik AG"},
		},
		{
			name: "a set kind stays",
			in:   model.Customer{Kind: model.Person, Company: "Käser AG"},
			want: model.Customer{Kind: model.Person, Company: "Käser AG"},
		},
		{
			name: "drops empty emails, phones and addresses",
			in: model.Customer{
				Kind:      model.Person,
				Emails:    []model.Email{{Label: "work", Address: "  "}, {Label: " home ", Address: " a@b.ch "}},
				Phones:    []model.Phone{{Number: ""}, {Label: "mobile", Number: " 079 123 45 67 "}},
				Addresses: []model.Address{{Label: "home", Country: " "}, {City: " Zürich ", PostalCode: " 8001"}},
			},
			want: model.Customer{
				Kind:      model.Person,
				Emails:    []model.Email{{Label: "home", Address: "a@b.ch"}},
				Phones:    []model.Phone{{Label: "mobile", Number: "079 123 45 67"}},
				Addresses: []model.Address{{City: "Zürich", PostalCode: "8001"}},
			},
		},
		{
			name: "tags: trimmed, empty and folded duplicates dropped, first spelling kept",
			in:   model.Customer{Kind: model.Person, Tags: []string{"VIP", " vip ", "", "Messe Basel 2026", "messe  basel 2026", "Müller", "Mueller"}},
			want: model.Customer{Kind: model.Person, Tags: []string{"VIP", "Messe Basel 2026", "Müller"}},
		},
		{
			name: "no tags at all",
			in:   model.Customer{Kind: model.Person, Tags: []string{" ", ""}},
			want: model.Customer{Kind: model.Person},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in
			got.Normalize()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			again := got
			again.Normalize()
			if !reflect.DeepEqual(again, got) {
				t.Errorf("Normalize twice: got %+v, want %+v", again, got)
			}
		})
	}
}

func TestCustomerNames(t *testing.T) {
	for _, tt := range []struct {
		name    string
		c       model.Customer
		display string
		sort    string
	}{
		{"person", model.Customer{Kind: model.Person, GivenName: "Hans-Peter", FamilyName: "Müller", Company: "Käser AG"}, "Hans-Peter Müller", "muller hans-peter kaser ag"},
		{"company", model.Customer{Kind: model.Company, GivenName: "Ueli", FamilyName: "Brändli", Company: "Brändli Gartenbau GmbH"}, "Brändli Gartenbau GmbH", "brandli gartenbau gmbh brandli uli"},
		{"person without name shows the company", model.Customer{Kind: model.Person, Company: "Zürcher AG"}, "Zürcher AG", "zurcher ag"},
		{"only an email", model.Customer{Kind: model.Person, Emails: []model.Email{{Address: "x@y.ch"}}}, "x@y.ch", ""},
		{"only a phone", model.Customer{Kind: model.Person, Phones: []model.Phone{{Number: "079 123 45 67"}}}, "079 123 45 67", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.DisplayName(); got != tt.display {
				t.Errorf("DisplayName: got %q, want %q", got, tt.display)
			}
			if got := tt.c.SortName(); got != tt.sort {
				t.Errorf("SortName: got %q, want %q", got, tt.sort)
			}
		})
	}
}

func TestCustomerPrimary(t *testing.T) {
	c := model.Customer{
		Emails:    []model.Email{{Address: "a@b.ch"}, {Address: "pref@b.ch", Pref: true}},
		Phones:    []model.Phone{{Number: "111"}, {Number: "222"}},
		Addresses: []model.Address{{City: "Bern"}, {City: "Thun", Pref: true}},
	}
	if got := c.PrimaryEmail(); got != "pref@b.ch" {
		t.Errorf("PrimaryEmail: got %q, want %q", got, "pref@b.ch")
	}
	if got := c.PrimaryPhone(); got != "111" {
		t.Errorf("PrimaryPhone: got %q, want %q", got, "111")
	}
	if got := c.PrimaryAddress(); got == nil || got.City != "Thun" {
		t.Errorf("PrimaryAddress: got %+v, want Thun", got)
	}
	var empty model.Customer
	if empty.PrimaryEmail() != "" || empty.PrimaryPhone() != "" || empty.PrimaryAddress() != nil {
		t.Error("empty customer: want no primary email, phone or address")
	}
}

func TestAddressOneLine(t *testing.T) {
	a := model.Address{Street: "Bahnhofstrasse 1\n3. Stock", PostalCode: "8001", City: "Zürich", Country: "Schweiz"}
	if got, want := a.OneLine(), "Bahnhofstrasse 1, 3. Stock, 8001 Zürich, Schweiz"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := (model.Address{City: "Wien"}).OneLine(); got != "Wien" {
		t.Errorf("city only: got %q, want %q", got, "Wien")
	}
}

func TestHasConsent(t *testing.T) {
	c := model.Customer{Consents: []model.Consent{
		{Channel: model.ChannelEmail, GivenAt: t0},
		{Channel: model.ChannelPost, GivenAt: t0, Withdrawn: t0.Add(24 * time.Hour)},
	}}
	for _, tt := range []struct {
		channel string
		at      time.Time
		want    bool
	}{
		{model.ChannelEmail, t0, true},
		{model.ChannelEmail, t0.Add(-time.Second), false}, // not yet given
		{model.ChannelPost, t0.Add(time.Hour), true},
		{model.ChannelPost, t0.Add(24 * time.Hour), false}, // withdrawn from that instant
		{model.ChannelPhone, t0, false},
	} {
		if got := c.HasConsent(tt.channel, tt.at); got != tt.want {
			t.Errorf("HasConsent(%s, %v): got %v, want %v", tt.channel, tt.at, got, tt.want)
		}
	}
}

func TestHasTag(t *testing.T) {
	c := model.Customer{Tags: []string{"Messe Basel 2026", "Stammkunde"}}
	for _, tt := range []struct {
		tag  string
		want bool
	}{
		{"Messe Basel 2026", true},
		{"messe basel 2026", true},
		{"  MESSE   Basel 2026 ", true},
		{"Messe Basel", false},
		{"VIP", false},
	} {
		if got := c.HasTag(tt.tag); got != tt.want {
			t.Errorf("HasTag(%q): got %v, want %v", tt.tag, got, tt.want)
		}
	}
}

// TestCustomerNormalizeLeavesCopies: a caller that keeps a copy of the
// customer (the form's original, to see what changed) must not see it
// change when the edited one is normalized.
func TestCustomerNormalizeLeavesCopies(t *testing.T) {
	edited := model.Customer{
		Kind:   model.Person,
		Emails: []model.Email{{Address: " "}, {Address: "a@b.ch"}},
		Phones: []model.Phone{{Number: ""}, {Number: "079 123 45 67"}},
	}
	original := edited // shares the slices' arrays, as a struct copy does
	edited.Normalize()
	if original.Emails[0].Address != " " || original.Phones[0].Number != "" {
		t.Errorf("Normalize overwrote the copy's slices: got %+v, %+v", original.Emails, original.Phones)
	}
}
