package vcard

import (
	"unsafe"

	"github.com/kundenkartei/kundenkartei/model"
)

// compactCard copies the strings a parsed card keeps into one block of its
// own. Values are cut from the slabs the file is read into (lineReader)
// without copying; a card that kept them would keep its whole slab, so a
// large import would hold the file in memory until the end. Compacted, a
// card holds what it took over and nothing of the lines it dropped.
func compactCard(c *Card) {
	n := 0
	eachString(c, func(s *string) { n += len(*s) })
	if n == 0 {
		return
	}
	buf := make([]byte, 0, n) // never grows, so the strings below stay put
	eachString(c, func(s *string) {
		if len(*s) == 0 {
			return
		}
		start := len(buf)
		buf = append(buf, *s...)
		*s = unsafe.String(&buf[start], len(*s))
	})
}

// eachString calls f with every string of c an import can fill (a test
// checks the list against the types by reflection). Customer.Merge and
// Card.Err are not visited: an import never sets the one, and the other's
// messages are formatted, never cut from the file.
func eachString(c *Card, f func(*string)) {
	cu := &c.Customer
	for _, s := range [...]*string{&cu.Device, &cu.Author, &cu.Salutation, &cu.LetterForm, &cu.GivenName, &cu.FamilyName,
		&cu.Company, &cu.Position, &cu.Website, &cu.Segment, &cu.Source, &cu.Memo, &cu.Photo, &cu.NamePrefix,
		&cu.NameSuffix, &cu.Department} {
		f(s)
	}
	kind := string(cu.Kind)
	f(&kind)
	cu.Kind = model.CustomerKind(kind)
	for i := range cu.Emails {
		f(&cu.Emails[i].Label)
		f(&cu.Emails[i].Address)
	}
	for i := range cu.Phones {
		f(&cu.Phones[i].Label)
		f(&cu.Phones[i].Number)
	}
	for i := range cu.Addresses {
		a := &cu.Addresses[i]
		for _, s := range [...]*string{&a.Label, &a.Street, &a.Extended, &a.POBox, &a.PostalCode, &a.City, &a.Region, &a.Country, &a.Group} {
			f(s)
		}
	}
	for i := range cu.Tags {
		f(&cu.Tags[i])
	}
	for i := range cu.Consents {
		f(&cu.Consents[i].Channel)
		f(&cu.Consents[i].Purpose)
		f(&cu.Consents[i].Source)
	}
	for i := range cu.ExternalUIDs {
		f(&cu.ExternalUIDs[i])
	}
	for i := range cu.Extra {
		x := &cu.Extra[i]
		f(&x.Group)
		f(&x.Name)
		f(&x.Value)
		if x.Params == nil {
			continue
		}
		params := make(map[string][]string, len(x.Params)) // keys cannot be changed in place
		for k, vs := range x.Params {
			for j := range vs {
				f(&vs[j])
			}
			f(&k)
			params[k] = vs
		}
		x.Params = params
	}
	for _, ps := range [...][]Problem{c.Problems, c.Notes} {
		for i := range ps {
			f(&ps[i].Field)
			f(&ps[i].Reason)
			f(&ps[i].Value)
		}
	}
}
