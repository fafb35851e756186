package model

import (
	"sort"
	"strings"
)

// MergeCustomer merges src into dst field by field and reports whether dst
// changed. The vCard import uses it to update a matching customer, and the
// merge of duplicates to hand the duplicate's contact data to the survivor.
//
// Single-valued fields (names, company, position, website, birthday, memo,
// segment, source, rhythm …) are filled when dst's is empty; with overwrite
// they take src's value whenever src's is not empty, so an import never
// blanks what the user had. Emails, phones and addresses are merged as sets
// keyed by normalized email, E.164 phone (read in region) and folded
// street + postal code + city; for entries in both, empty details (label,
// address parts) are filled, or with overwrite replaced. Tags, external
// UIDs, consents and extra properties are unioned; src's property groups
// (vCard's item1, item2 …) are renamed where dst uses the same name for
// other properties. Merge is idempotent: merging the same src again
// reports no change.
func MergeCustomer(dst, src *Customer, overwrite bool, region string) bool {
	src = regroup(dst, src)
	changed := false
	str := func(d *string, s string) {
		if s != "" && *d != s && (overwrite || *d == "") {
			*d, changed = s, true
		}
	}
	str(&dst.Salutation, src.Salutation)
	str(&dst.LetterForm, src.LetterForm)
	str(&dst.GivenName, src.GivenName)
	str(&dst.FamilyName, src.FamilyName)
	str(&dst.Company, src.Company)
	str(&dst.Position, src.Position)
	str(&dst.NamePrefix, src.NamePrefix)
	str(&dst.NameSuffix, src.NameSuffix)
	str(&dst.Department, src.Department)
	str(&dst.Website, src.Website)
	str(&dst.Segment, src.Segment)
	str(&dst.Source, src.Source)
	str(&dst.Memo, src.Memo)
	if overwrite && src.Kind != "" && src.Kind != dst.Kind && (src.Kind != Company || dst.Company != "") {
		dst.Kind, changed = src.Kind, true
	}
	date := func(d *Date, s Date) {
		if !s.IsZero() && *d != s && (overwrite || d.IsZero() || (!d.HasYear() && s.HasYear() && d.Month == s.Month && d.Day == s.Day)) {
			*d, changed = s, true
		}
	}
	date(&dst.Birthday, src.Birthday)
	date(&dst.Since, src.Since)
	if src.RhythmDays > 0 && dst.RhythmDays != src.RhythmDays && (overwrite || dst.RhythmDays == 0) {
		dst.RhythmDays, changed = src.RhythmDays, true
	}

	srcPref := false
	for _, e := range src.Emails {
		srcPref = srcPref || e.Pref
	}
	dstPref := false
	for _, e := range dst.Emails {
		dstPref = dstPref || e.Pref
	}
	for _, e := range src.Emails {
		k := NormalizeEmail(e.Address)
		i := indexOf(len(dst.Emails), func(i int) bool { return NormalizeEmail(dst.Emails[i].Address) == k })
		if i < 0 {
			e.Pref = e.Pref && (overwrite || !dstPref)
			if e.Pref && overwrite {
				for j := range dst.Emails {
					dst.Emails[j].Pref = false
				}
			}
			dst.Emails, changed = append(dst.Emails, e), true
			continue
		}
		d := &dst.Emails[i]
		str(&d.Label, e.Label)
		if overwrite && srcPref && d.Pref != e.Pref {
			d.Pref, changed = e.Pref, true
		} else if !dstPref && e.Pref && !d.Pref {
			d.Pref, changed, dstPref = true, true, true
		}
	}

	for _, ph := range src.Phones {
		k := PhoneKey(ph.Number, region)
		i := indexOf(len(dst.Phones), func(i int) bool { return PhoneKey(dst.Phones[i].Number, region) == k })
		if i < 0 {
			dst.Phones, changed = append(dst.Phones, ph), true
			continue
		}
		d := &dst.Phones[i]
		str(&d.Label, ph.Label)
		if overwrite {
			str(&d.Number, ph.Number)
		}
		if ph.Pref && !d.Pref && (overwrite || !anyPhonePref(dst.Phones)) {
			d.Pref, changed = true, true
		}
	}

	for _, a := range src.Addresses {
		k := addressKey(a)
		i := indexOf(len(dst.Addresses), func(i int) bool { return addressKey(dst.Addresses[i]) == k })
		if i < 0 {
			dst.Addresses, changed = append(dst.Addresses, a), true
			continue
		}
		d := &dst.Addresses[i]
		str(&d.Label, a.Label)
		str(&d.Street, a.Street)
		str(&d.Extended, a.Extended)
		str(&d.POBox, a.POBox)
		str(&d.PostalCode, a.PostalCode)
		str(&d.City, a.City)
		str(&d.Region, a.Region)
		str(&d.Country, a.Country)
		if d.Group == "" && a.Group != "" { // never another group: its label would move
			d.Group, changed = a.Group, true
		}
		if a.Pref && !d.Pref && (overwrite || !anyAddrPref(dst.Addresses)) {
			d.Pref, changed = true, true
		}
	}

	for _, t := range src.Tags {
		if !dst.HasTag(t) {
			dst.Tags, changed = append(dst.Tags, t), true
		}
	}
	for _, u := range src.ExternalUIDs {
		if id, own := uidOf(u); own && id == dst.ID {
			continue // our own export of this very customer
		}
		if indexOf(len(dst.ExternalUIDs), func(i int) bool { return dst.ExternalUIDs[i] == u }) < 0 {
			dst.ExternalUIDs, changed = append(dst.ExternalUIDs, u), true
		}
	}
	for _, k := range src.Consents {
		if indexOf(len(dst.Consents), func(i int) bool {
			d := dst.Consents[i]
			return d.Channel == k.Channel && d.Purpose == k.Purpose && d.GivenAt.Equal(k.GivenAt)
		}) < 0 {
			dst.Consents, changed = append(dst.Consents, k), true
		}
	}
	for _, x := range src.Extra {
		xk := extraKey(x)
		if indexOf(len(dst.Extra), func(i int) bool { return extraKey(dst.Extra[i]) == xk }) < 0 {
			dst.Extra, changed = append(dst.Extra, x), true
		}
	}
	return changed
}

func indexOf(n int, f func(int) bool) int {
	for i := 0; i < n; i++ {
		if f(i) {
			return i
		}
	}
	return -1
}

func anyPhonePref(ps []Phone) bool {
	for _, p := range ps {
		if p.Pref {
			return true
		}
	}
	return false
}

func anyAddrPref(as []Address) bool {
	for _, a := range as {
		if a.Pref {
			return true
		}
	}
	return false
}

// PhoneKey is the E.164 form of number, or its digits when it is not a
// possible number in region: the key phones are matched by.
func PhoneKey(number, region string) string {
	if e := E164(number, region); e != "" {
		return e
	}
	return Digits(number)
}

func addressKey(a Address) string {
	return Fold(a.Street) + "|" + Fold(a.PostalCode) + "|" + Fold(a.City)
}

func extraKey(x ExtraProp) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(x.Group) + "." + strings.ToUpper(x.Name))
	names := make([]string, 0, len(x.Params))
	for n := range x.Params {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString(";" + strings.ToUpper(n) + "=" + strings.ToLower(strings.Join(x.Params[n], ",")))
	}
	return b.String() + ":" + x.Value
}

// uidOf reads the customer ID from one of our own vCard UIDs ("urn:uuid:…").
func uidOf(uid string) (ID, bool) {
	s, ok := strings.CutPrefix(strings.ToLower(uid), "urn:uuid:")
	if !ok {
		return NilID, false
	}
	id, err := ParseID(s)
	return id, err == nil
}
