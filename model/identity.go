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
// symmetric in what it accepts, apart from the own-UID form.
func SamePerson(in, known *Customer, region string) (Sameness, bool) {
	if u, ok := sharedUID(in, known); ok && !namesConflict(in, known) {
		return Sameness{SameUID, u}, true
	}
	if e, ok := sharedEmail(in, known); ok && namesCompatible(in, known) {
		return Sameness{SameEmail, e}, true
	}
	inName, knownName := fullName(in), fullName(known)
	if inName != "" && inName == knownName {
		display := strings.TrimSpace(in.GivenName + " " + in.FamilyName)
		if in.Company != "" && Fold(in.Company) == Fold(known.Company) {
			return Sameness{SameNameCompany, display + ", " + in.Company}, true
		}
		if in.Company != "" && known.Company != "" && Fold(in.Company) != Fold(known.Company) {
			return Sameness{}, false // namesakes at two employers
		}
		if t, ok := sharedTown(in, known); ok {
			return Sameness{SameNameTown, display + ", " + t}, true
		}
		if p, ok := sharedPhone(in, known, region); ok {
			return Sameness{SameNamePhone, display + ", " + p}, true
		}
		if nameOnly(in) && nameOnly(known) {
			return Sameness{SameNameOnly, display}, true
		}
		return Sameness{}, false
	}
	if inName == "" && knownName == "" && in.Company != "" && Fold(in.Company) == Fold(known.Company) {
		if t, ok := sharedTown(in, known); ok {
			return Sameness{SameCompany, in.Company + ", " + t}, true
		}
		if p, ok := sharedPhone(in, known, region); ok {
			return Sameness{SameCompany, in.Company + ", " + p}, true
		}
	}
	if phoneOnly(in) && phoneOnly(known) {
		if p, ok := sharedPhone(in, known, region); ok {
			return Sameness{SamePhoneOnly, p}, true
		}
	}
	return Sameness{}, false
}

// FullNameKey is the folded full name SamePerson compares: the folded words
// of given and family name, sorted ("Müller Hans" = "Hans Mueller"), "" for
// none. Importers index earlier contacts by it.
func FullNameKey(c *Customer) string { return fullName(c) }

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
func namesConflict(a, b *Customer) bool {
	if _, ok := sharedEmail(a, b); ok {
		return false
	}
	na, nb := fullName(a), fullName(b)
	if na == "" || nb == "" {
		return na == "" && nb == "" && a.Company != "" && b.Company != "" && Fold(a.Company) != Fold(b.Company)
	}
	if na == nb {
		return false
	}
	if len(a.Emails) > 0 && len(b.Emails) > 0 {
		return true
	}
	if fa, fb := familyWords(a), familyWords(b); len(fa) > 0 && len(fb) > 0 && !shareWord(fa, fb) {
		return true
	}
	ga, gb := Fold(a.GivenName), Fold(b.GivenName)
	return ga != "" && gb != "" && ga[0] != gb[0]
}

// namesCompatible: one side has no person name, or the family names share
// a word, or one family name is missing and the given names fold alike.
func namesCompatible(a, b *Customer) bool {
	if fullName(a) == "" || fullName(b) == "" {
		return true
	}
	fa, fb := familyWords(a), familyWords(b)
	if len(fa) > 0 && len(fb) > 0 {
		return shareWord(fa, fb)
	}
	return Fold(a.GivenName) == Fold(b.GivenName)
}

func sharedUID(in, known *Customer) (string, bool) {
	own := ""
	if known.ID != NilID {
		own = "urn:uuid:" + known.ID.String()
	}
	for _, u := range in.ExternalUIDs {
		if u == "" {
			continue
		}
		if own != "" && strings.EqualFold(u, own) {
			return u, true
		}
		for _, k := range known.ExternalUIDs {
			if u == k {
				return u, true
			}
		}
	}
	return "", false
}

func sharedEmail(a, b *Customer) (string, bool) {
	for _, x := range a.Emails {
		nx := NormalizeEmail(x.Address)
		if nx == "" {
			continue
		}
		for _, y := range b.Emails {
			if nx == NormalizeEmail(y.Address) {
				return strings.TrimSpace(x.Address), true
			}
		}
	}
	return "", false
}

func sharedTown(a, b *Customer) (string, bool) {
	for _, x := range a.Addresses {
		fx := Fold(x.City)
		if fx == "" {
			continue
		}
		for _, y := range b.Addresses {
			if fx == Fold(y.City) {
				return x.City, true
			}
		}
	}
	return "", false
}

func sharedPhone(a, b *Customer, region string) (string, bool) {
	for _, x := range a.Phones {
		ex := E164(x.Number, region)
		if ex == "" {
			continue
		}
		for _, y := range b.Phones {
			if ex == E164(y.Number, region) {
				return x.Number, true
			}
		}
	}
	return "", false
}

// nameOnly: the person name is all there is to tell who it is.
func nameOnly(c *Customer) bool {
	return len(c.Phones) == 0 && len(c.Emails) == 0 && Fold(c.Company) == "" && len(c.Addresses) == 0
}

// phoneOnly: phones are all there is to tell who it is.
func phoneOnly(c *Customer) bool {
	return len(c.Phones) > 0 && fullName(c) == "" && Fold(c.Company) == "" && len(c.Emails) == 0
}

// Identifiable reports whether c carries anything that tells who it is: a
// name, a company, an email or a phone number. Importers keep every contact
// that is, and Validate asks for it.
func Identifiable(c *Customer) bool {
	return strings.TrimSpace(c.GivenName+c.FamilyName+c.Company) != "" || len(c.Emails) > 0 || len(c.Phones) > 0
}
