package model

import (
	"strings"
)

// SameReason says why an incoming contact (an imported card or CSV row) is
// taken for the same person or company as a stored customer or an earlier
// contact of the same file.
type SameReason string

// The reasons, strongest first. A phone number is never a reason on its
// own while either side has anything else to tell who it is: switchboards,
// family landlines and shared mobiles put one number on several people.
const (
	SameUID         SameReason = "uid"          // the same vCard UID, and the names do not clearly conflict
	SameEmail       SameReason = "email"        // the same normalized email and a compatible name
	SameNameCompany SameReason = "name_company" // the same folded full name and the same company
	SameNameTown    SameReason = "name_town"    // the same folded full name and the same town
	SameNamePhone   SameReason = "name_phone"   // the same folded full name and the same E.164 phone
	SameCompany     SameReason = "company"      // no person name on either side, the same company and town or phone
	SameNameOnly    SameReason = "name_only"    // the same folded full name, and neither side has anything else
	SamePhoneOnly   SameReason = "phone_only"   // neither side has a name, company or email; the same phone
)

// SameReasons lists the reasons, strongest first.
var SameReasons = []SameReason{SameUID, SameEmail, SameNameCompany, SameNameTown, SameNamePhone, SameCompany, SameNameOnly, SamePhoneOnly}

// Sameness is the verdict of SamePerson: why, and the value both share
// (the UID, email, name, company, town or number as the incoming side
// writes it), for a preview to show.
type Sameness struct {
	Reason SameReason
	Value  string
}

// String reads the verdict in English, for logs and the CLI:
// `same email "anna@example.ch"`.
func (s Sameness) String() string {
	what := map[SameReason]string{
		SameUID:         "same UID",
		SameEmail:       "same email",
		SameNameCompany: "same name and company",
		SameNameTown:    "same name and town",
		SameNamePhone:   "same name and phone",
		SameCompany:     "same company",
		SameNameOnly:    "same name, nothing else known",
		SamePhoneOnly:   "same phone, nothing else known",
	}[s.Reason]
	if what == "" {
		return ""
	}
	if s.Value == "" {
		return what
	}
	return what + " " + quote(s.Value)
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `'`) + `"` }

// SamePerson decides whether the incoming contact in is the same person or
// company as known (a stored customer, or an earlier contact of the same
// file), and why. The evidence, checked in this order:
//
//   - the same vCard UID (or in carries "urn:uuid:<known.ID>", as our
//     export writes) – unless the names clearly conflict (see
//     namesConflict: different family names, different given-name
//     initials, or different names and different emails, and no email in
//     common). Simple UIDs ("1", "2" …) are reused by different address
//     books; a UID together with a clearly different person is not trusted;
//   - the same normalized email with a compatible name: one side has no
//     person name, or the family names share a folded word (Huber and
//     Meier-Huber), or one family name is missing and the given names fold
//     alike. info@ used by two people with different names is no match;
//   - the same folded full name (word order and case ignored) with the same
//     company, or – unless both have a company and they differ – the same
//     town or the same E.164 phone. The name alone is not enough: two Hans
//     Müller in one address book are usually two people; only when neither
//     side carries anything but the name (no email, phone, company or
//     address) is the name all there is, and importing the same file twice
//     must not add them twice;
//   - for records without any person name: the same company with the same
//     town or phone;
//   - for records with nothing but phone numbers: the same number (they
//     cannot be told apart any other way, and importing the same file twice
//     must not add them twice).
//
// region reads phone numbers without a country code. SamePerson is
// symmetric in what it accepts, apart from the own-UID form. To compare one
// record with many, build each Identity once and use Identity.Same.
func SamePerson(in, known *Customer, region string) (Sameness, bool) {
	return NewIdentity(in, region).Same(NewIdentity(known, region))
}

// Identity is what SamePerson compares of a customer, folded once.
type Identity struct {
	c       *Customer
	own     string   // "urn:uuid:<ID>" for a stored customer, else ""
	name    string   // folded full name, words sorted; "" for none
	family  []string // folded family name words
	given   string   // folded given name
	company string   // folded company
	emails  []string // normalized, index-aligned with c.Emails
	towns   []string // folded cities, index-aligned with c.Addresses
	region  string
	phones  []string // E.164, index-aligned with c.Phones ("" when unreadable); parsed on first use
	parsed  bool     // phones is filled
	numbers []Phone  // c.Phones, or their numbers alone once detached
	uids    []string // c.ExternalUIDs
}

// NewIdentity folds what SamePerson compares of c; region reads phone
// numbers without a country code. c must not change while it is in use,
// and an Identity is not for concurrent use (phone numbers are parsed on
// first need: most comparisons are decided before them).
func NewIdentity(c *Customer, region string) *Identity {
	x := &Identity{c: c, name: fullName(c), family: familyWords(c), given: Fold(c.GivenName), company: Fold(c.Company),
		numbers: c.Phones, uids: c.ExternalUIDs}
	if c.ID != NilID {
		x.own = "urn:uuid:" + c.ID.String()
	}
	for _, e := range c.Emails {
		x.emails = append(x.emails, NormalizeEmail(e.Address))
	}
	x.region = region
	for _, a := range c.Addresses {
		x.towns = append(x.towns, Fold(a.City))
	}
	return x
}

// Same is SamePerson of the two customers: whether x is the same person
// as known, and why.
func (x *Identity) Same(known *Identity) (Sameness, bool) {
	if u, ok := x.sharedUID(known); ok && !namesConflict(x, known) {
		return Sameness{SameUID, u}, true
	}
	if i, ok := shared(x.emails, known.emails); ok && namesCompatible(x, known) {
		return Sameness{SameEmail, strings.TrimSpace(x.c.Emails[i].Address)}, true
	}
	if x.name != "" && x.name == known.name {
		display := strings.TrimSpace(x.c.GivenName + " " + x.c.FamilyName)
		if x.company != "" && x.company == known.company {
			return Sameness{SameNameCompany, display + ", " + x.c.Company}, true
		}
		if x.company != "" && known.company != "" {
			return Sameness{}, false // namesakes at two employers
		}
		if i, ok := shared(x.towns, known.towns); ok {
			return Sameness{SameNameTown, display + ", " + x.c.Addresses[i].City}, true
		}
		if i, ok := shared(x.Phones(), known.Phones()); ok {
			return Sameness{SameNamePhone, display + ", " + x.c.Phones[i].Number}, true
		}
		if x.nameOnly() && known.nameOnly() {
			return Sameness{SameNameOnly, display}, true
		}
		return Sameness{}, false
	}
	if x.name == "" && known.name == "" && x.company != "" && x.company == known.company {
		if i, ok := shared(x.towns, known.towns); ok {
			return Sameness{SameCompany, x.c.Company + ", " + x.c.Addresses[i].City}, true
		}
		if i, ok := shared(x.Phones(), known.Phones()); ok {
			return Sameness{SameCompany, x.c.Company + ", " + x.c.Phones[i].Number}, true
		}
	}
	if x.PhoneOnly() && known.PhoneOnly() {
		if i, ok := shared(x.Phones(), known.Phones()); ok {
			return Sameness{SamePhoneOnly, x.c.Phones[i].Number}, true
		}
	}
	return Sameness{}, false
}

// shared returns the index in a of the first non-empty value that b holds too.
func shared(a, b []string) (int, bool) {
	for i, x := range a {
		if x == "" {
			continue
		}
		for _, y := range b {
			if x == y {
				return i, true
			}
		}
	}
	return 0, false
}

// FullNameKey is the folded full name SamePerson compares: the folded words
// of given and family name, sorted ("Müller Hans" = "Hans Mueller"), "" for
// none. Importers index earlier contacts by it.
func (x *Identity) FullNameKey() string { return x.name }

// Customer is the customer x was made of, nil once detached.
func (x *Identity) Customer() *Customer { return x.c }

// Company is the folded company.
func (x *Identity) Company() string { return x.company }

// Emails are the normalized email addresses.
func (x *Identity) Emails() []string { return x.emails }

// Phones are the phone numbers in E.164 ("" for an unreadable one).
func (x *Identity) Phones() []string {
	if !x.parsed {
		x.parsed = true
		for _, p := range x.numbers {
			x.phones = append(x.phones, E164(p.Number, x.region))
		}
	}
	return x.phones
}

// PhoneOnly reports whether phone numbers are all there is to tell who it
// is: no person name, company or email.
func (x *Identity) PhoneOnly() bool {
	return len(x.numbers) > 0 && x.name == "" && x.company == "" && len(x.emails) == 0
}

// nameOnly: the person name is all there is to tell who it is.
func (x *Identity) nameOnly() bool {
	return len(x.numbers) == 0 && len(x.emails) == 0 && x.company == "" && len(x.towns) == 0
}

func fullName(c *Customer) string {
	if c.GivenName == "" && c.FamilyName == "" {
		return ""
	}
	words := FoldWords(strings.ReplaceAll(c.GivenName+" "+c.FamilyName, "-", " "))
	sortStrings(words)
	return strings.Join(words, " ")
}

func familyWords(c *Customer) []string {
	return FoldWords(strings.ReplaceAll(c.FamilyName, "-", " "))
}

func shareWord(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// namesConflict tells a UID shared by two different people (simple UIDs
// reused by two address books) from a card edited since the last import.
// With an email in common nothing conflicts. Otherwise the names conflict
// when both sides have differing person names and
//   - both have emails (none shared): two kinds of evidence against one, or
//   - the family names share no folded word (Meier vs. Huber), or
//   - the given names start with different letters (Peter vs. Anna Meier;
//     a typo like Hnas for Hans still matches);
//
// and, for records without person names, when the companies differ.
func namesConflict(a, b *Identity) bool {
	if _, ok := shared(a.emails, b.emails); ok {
		return false
	}
	if a.name == "" || b.name == "" {
		return a.name == "" && b.name == "" && a.company != "" && b.company != "" && a.company != b.company
	}
	if a.name == b.name {
		return false
	}
	if len(a.emails) > 0 && len(b.emails) > 0 {
		return true
	}
	if len(a.family) > 0 && len(b.family) > 0 && !shareWord(a.family, b.family) {
		return true
	}
	return a.given != "" && b.given != "" && a.given[0] != b.given[0]
}

// namesCompatible: one side has no person name, or the family names share
// a word, or one family name is missing and the given names fold alike.
func namesCompatible(a, b *Identity) bool {
	if a.name == "" || b.name == "" {
		return true
	}
	if len(a.family) > 0 && len(b.family) > 0 {
		return shareWord(a.family, b.family)
	}
	return a.given == b.given
}

func (x *Identity) sharedUID(known *Identity) (string, bool) {
	for _, u := range x.uids {
		if u == "" {
			continue
		}
		if known.own != "" && strings.EqualFold(u, known.own) {
			return u, true
		}
		for _, k := range known.uids {
			if u == k {
				return u, true
			}
		}
	}
	return "", false
}

// Identifiable reports whether c carries anything that tells who it is: a
// name, a company, a valid email or a valid phone number. Importers keep
// every contact that is, and Validate asks for it (so a form with only a
// mistyped email asks for a name as well as for a correct address).
func Identifiable(c *Customer) bool {
	if strings.TrimSpace(c.GivenName+c.FamilyName+c.Company) != "" {
		return true
	}
	for _, e := range c.Emails {
		if ValidEmail(strings.TrimSpace(e.Address)) {
			return true
		}
	}
	for _, p := range c.Phones {
		if ValidPhone(strings.TrimSpace(p.Number)) {
			return true
		}
	}
	return false
}
