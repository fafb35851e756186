package vcard

import (
	"fmt"
	"strings"

	"github.com/kundenkartei/kundenkartei/model"
)

// mapper maps the properties of one raw card to a customer: every
// property lands in a model field or, verbatim, in Customer.Extra.
type mapper struct {
	rc *rawCard
	c  *Card
	cu *model.Customer
	// un unescapes text: vCard 2.1 escapes only ";" (in structured
	// values); a backslash before anything else is text, as in "C:\Kunden".
	un    func(string) string
	split [8]string // scratch for structured values

	// Apple ties a label to a property through a group: item1.EMAIL and
	// item1.X-ABLabel. Cards have a handful of groups, so a slice beats a map.
	groups []groupInfo

	fn                         string
	seenN, hasN, hasOrg, isOrg bool
	labelProps                 []int   // X-ABLabel props, resolved once all others are seen
	placeholders               []*prop // Outlook's field names written for empty phones
}

// groupInfo is what the mapper knows of one item group.
type groupInfo struct {
	name         string // lower case
	label        string // its X-ABLabel, unescaped
	kept, mapped bool   // a property of it went to Extra / to a field
	adr          int    // index+1 of the address mapped from the group, 0 for none
}

// mapCard maps the properties of rc to the customer of c.
func mapCard(rc *rawCard, c *Card) {
	c.Index, c.Line = rc.Index, rc.Line
	c.Problems = rc.Problems
	m := mapper{rc: rc, c: c, cu: &c.Customer, un: unescape}
	if rc.Version == "2.1" {
		m.un = unescape21
	}
	for i := range rc.Props {
		if p := &rc.Props[i]; p.Group != "" && p.Name == "X-ABLABEL" {
			m.group(p).label = m.un(p.Value)
		}
	}
	for i := range rc.Props {
		m.prop(i)
	}
	m.finish()
}

func (m *mapper) problem(p *prop, reason string) {
	m.c.Problems = append(m.c.Problems, Problem{Card: m.rc.Index, Line: p.Line, Field: p.Name, Reason: reason})
}

func (m *mapper) note(p *prop, kind NoteKind, value, reason string) {
	m.c.Notes = append(m.c.Notes, Problem{Card: m.rc.Index, Line: p.Line, Field: p.Name, Reason: reason, Note: kind, Value: value})
}

// group returns the group of p, nil for none.
func (m *mapper) group(p *prop) *groupInfo {
	if p.Group == "" {
		return nil
	}
	for i := range m.groups {
		if strings.EqualFold(m.groups[i].name, p.Group) {
			return &m.groups[i]
		}
	}
	m.groups = append(m.groups, groupInfo{name: strings.ToLower(p.Group)})
	return &m.groups[len(m.groups)-1]
}

func (m *mapper) labelOf(p *prop) string {
	if g := m.group(p); g != nil {
		return g.label
	}
	return ""
}

// keep puts p verbatim into Extra. A label belongs to the properties of its
// group; it is kept only when one of them was kept too (or it stands alone).
func (m *mapper) keep(p *prop) {
	m.cu.Extra = append(m.cu.Extra, extraOf(p))
	if g := m.group(p); g != nil {
		g.kept = true
	}
}

// prop maps the i-th property.
func (m *mapper) prop(i int) {
	p, cu, un := &m.rc.Props[i], m.cu, m.un
	if g := m.group(p); g != nil && p.Name != "X-ABLABEL" {
		g.mapped = true
	}
	switch p.Name {
	case "VERSION", "PRODID", "REV", "LABEL", "NAME", "SOURCE", "MAILER":
		// Derived or about the exporter; export writes its own.
	case "BEGIN", "END":
		// Only a grouped one gets here ("x.BEGIN:VCARD"): structure,
		// never data, or an export would split the card.
		m.problem(p, "misplaced "+p.Name+" ignored")
	case "X-ABLABEL":
		m.labelProps = append(m.labelProps, i)
	case "FN":
		m.fn = strings.TrimSpace(un(p.Value))
	case "N":
		m.name(p)
	case "ORG":
		if m.hasOrg { // a second organization has no field: kept verbatim
			m.keep(p)
			return
		}
		// An empty ORG (some exporters write one for every contact)
		// carries nothing and leaves the field to the next one.
		cu.Company, cu.Department = orgParts(m.split[:0], p.Value, un)
		m.hasOrg = cu.Company != "" || cu.Department != ""
	case salutationProp:
		cu.Salutation = strings.TrimSpace(un(p.Value))
	case "TITLE", "ROLE":
		m.single(p, &cu.Position, un(p.Value))
	case "KIND":
		m.isOrg = strings.EqualFold(strings.TrimSpace(p.Value), "org")
		if !m.isOrg && !strings.EqualFold(strings.TrimSpace(p.Value), "individual") {
			m.keep(p)
		}
	case "X-ABSHOWAS":
		m.isOrg = strings.EqualFold(strings.TrimSpace(p.Value), "COMPANY")
	case "EMAIL":
		m.email(p)
	case "TEL":
		m.tel(p)
	case "ADR":
		m.adr(p)
	case "URL":
		m.single(p, &cu.Website, strings.TrimSpace(un(p.Value)))
	case "BDAY":
		m.birthday(p)
	case "NOTE":
		text := normalizeNewlines(un(p.Value))
		if cu.Memo != "" && text != "" {
			cu.Memo += "\n\n"
		}
		cu.Memo += text
	case "CATEGORIES":
		for _, t := range splitUnescaped(m.split[:0], p.Value, ',', un) {
			if t = strings.TrimSpace(t); t != "" && t != "myContacts" && t != "starred" {
				cu.Tags = append(cu.Tags, t)
			}
		}
	case "PHOTO":
		m.photo(p)
	case "UID":
		// A second UID is kept, not taken for identity.
		m.single(p, nil, strings.TrimSpace(un(p.Value)))
	default:
		m.keep(p)
	}
}

// single sets a one-value field (nil: the first external UID) from v, or
// keeps p when the field is taken; an empty v is nothing to keep.
func (m *mapper) single(p *prop, field *string, v string) {
	switch {
	case v == "":
	case field == nil && len(m.cu.ExternalUIDs) == 0:
		m.cu.ExternalUIDs = []string{v}
	case field != nil && *field == "":
		*field = v
	default:
		m.keep(p)
	}
}

// name maps N. Prefix and suffix have fields of their own (model
// Customer.NamePrefix says how the prefix relates to the letter
// salutation); a second N is kept, never mixed into the first.
func (m *mapper) name(p *prop) {
	if m.seenN {
		m.keep(p)
		return
	}
	m.seenN = true
	// Components may be lists ("Hans,Peter"); only unescaped commas
	// separate their values.
	parts := splitUnescaped(m.split[:0], p.Value, ';', keepEscapes)
	get := func(i int) string {
		switch {
		case i >= len(parts):
			return ""
		case strings.IndexByte(parts[i], ',') < 0:
			return strings.TrimSpace(m.un(parts[i]))
		}
		return strings.TrimSpace(strings.Join(splitUnescaped(nil, parts[i], ',', m.un), " "))
	}
	cu := m.cu
	cu.FamilyName = get(0)
	cu.GivenName = strings.TrimSpace(get(1) + " " + get(2))
	cu.NamePrefix, cu.NameSuffix = get(3), get(4)
	m.hasN = cu.FamilyName != "" || cu.GivenName != ""
}

func (m *mapper) email(p *prop) {
	addr := strings.TrimPrefix(strings.TrimSpace(m.un(p.Value)), "mailto:")
	if !model.ValidEmail(addr) {
		if addr != "" {
			m.note(p, NoteEmail, clip(addr), fmt.Sprintf("%q is not an email address; kept unchanged for export", clip(addr)))
			m.keep(p)
		}
		return
	}
	label, pref := label(p, m.labelOf(p))
	m.cu.Emails = append(m.cu.Emails, model.Email{Label: label, Address: addr, Pref: pref})
}

func (m *mapper) tel(p *prop) {
	num := strings.TrimPrefix(strings.TrimSpace(m.un(p.Value)), "tel:")
	if outlookPlaceholder(num) {
		m.placeholders = append(m.placeholders, p)
		return
	}
	if !model.ValidPhone(num) {
		if num != "" {
			m.note(p, NotePhone, clip(num), fmt.Sprintf("%q is not a phone number; kept unchanged for export", clip(num)))
			m.keep(p)
		}
		return
	}
	label, pref := label(p, m.labelOf(p))
	m.cu.Phones = append(m.cu.Phones, model.Phone{Label: label, Number: num, Pref: pref})
}

func (m *mapper) adr(p *prop) {
	parts := splitUnescaped(m.split[:0], p.Value, ';', m.un)
	get := func(i int) string {
		if i < len(parts) {
			return strings.TrimSpace(normalizeNewlines(parts[i]))
		}
		return ""
	}
	label, pref := label(p, m.labelOf(p))
	a := model.Address{Label: label, POBox: get(0), Extended: get(1), Street: get(2), City: get(3),
		Region: get(4), PostalCode: get(5), Country: get(6), Pref: pref}
	if a.Street == "" && a.Extended == "" && a.POBox == "" && a.PostalCode == "" && a.City == "" && a.Region == "" && a.Country == "" {
		return // what Address.OneLine shows is empty: all parts are trimmed
	}
	m.cu.Addresses = append(m.cu.Addresses, a)
	if g := m.group(p); g != nil && g.adr == 0 {
		g.adr = len(m.cu.Addresses)
	}
}

func (m *mapper) birthday(p *prop) {
	d, ok := parseBirthday(p)
	switch {
	case !ok || !d.Valid():
		m.note(p, NoteBirthday, clip(p.Value), fmt.Sprintf("birthday %q not understood; kept unchanged for export", clip(p.Value)))
		m.keep(p)
	case m.cu.Birthday.IsZero():
		m.cu.Birthday = d
	default: // a second birthday has no field: kept
		m.keep(p)
	}
}

func (m *mapper) photo(p *prop) {
	data, ok := photoData(p)
	switch {
	case ok && m.c.PhotoData == nil:
		m.c.PhotoData = data
	case ok: // a second photo: nowhere to put it but Extra
		m.keep(p)
	default:
		if !isURI(p) {
			m.note(p, NotePhoto, "", "photo data could not be decoded; kept unchanged for export")
		}
		m.keep(p)
	}
}

// finish resolves what needs the whole card: labels and groups, Outlook's
// placeholders, names from FN, and validation.
func (m *mapper) finish() {
	cu := m.cu
	for _, i := range m.labelProps {
		p := &m.rc.Props[i]
		// An address's label lives in Address.Label, even when other
		// properties of its group are kept.
		if g := m.group(p); g == nil || !g.mapped || g.kept && g.adr == 0 {
			m.keep(p)
		}
	}
	// Properties kept from an address's group (Apple's item2.X-ABADR)
	// are written next to it again on export.
	for _, g := range m.groups {
		if g.kept && g.adr > 0 {
			cu.Addresses[g.adr-1].Group = g.name
		}
	}
	splitSalutation(cu)
	if len(m.placeholders) > 0 {
		names := make([]string, len(m.placeholders))
		for i, p := range m.placeholders {
			names[i] = strings.TrimSpace(m.un(p.Value))
		}
		list := clip(strings.Join(names, ", "))
		m.note(m.placeholders[0], NotePlaceholders, list, "Outlook placeholders for empty phone fields ignored: "+list)
	}

	// Names: N is authoritative; without it FN is split, or taken as the
	// company name when it is one. An FN that is only the email address or
	// phone number (what exporters write for a name-less contact) is no name.
	if !m.hasN && m.fn != "" && !model.ValidEmail(m.fn) && !model.ValidPhone(m.fn) {
		if m.isOrg || strings.EqualFold(m.fn, cu.Company) {
			if cu.Company == "" {
				cu.Company = m.fn
			}
		} else {
			cu.GivenName, cu.FamilyName = splitFullName(m.fn)
		}
	}
	if m.isOrg && cu.Company != "" {
		cu.Kind = model.Company
	}
	cu.Normalize()
	m.validate()
}

// validate sets Card.Err when the customer cannot be saved; a bad website
// is not worth losing the card over: it is kept and the card validated
// without it.
func (m *mapper) validate() {
	cu := m.cu
	err := cu.Validate()
	if err != nil && onlyField(err, "website") {
		for i := range m.rc.Props {
			if p := &m.rc.Props[i]; p.Name == "URL" && strings.TrimSpace(m.un(p.Value)) == cu.Website {
				m.note(p, NoteWebsite, clip(cu.Website), fmt.Sprintf("%q is not a web address; kept unchanged for export", clip(cu.Website)))
				m.keep(p)
				break
			}
		}
		cu.Website = ""
		err = cu.Validate()
	}
	if err != nil {
		m.c.Err = err
		for _, f := range model.ErrorFields(err) {
			m.c.Problems = append(m.c.Problems, Problem{Card: m.rc.Index, Line: m.rc.Line, Field: f.Field, Reason: f.Message})
		}
	}
}
