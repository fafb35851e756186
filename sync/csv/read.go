// Package csv imports and exports customers as CSV files.
//
// Import is a column-mapping step followed by the same preview and dedupe
// as vCard (package sync/vcard owns the plan and merge logic):
//
//	f, err := csv.Read(r)                      // BOM, UTF-16, Windows-1252 and separator detected
//	m := csv.DetectMapping(f.Header)           // German and English header names; the user may adjust m
//	cards, problems := f.Cards(m)              // rows as vcard.Card; bad rows reported with their line
//	plan, err := vcard.Preview(ctx, cards, svc, vcard.PreviewOptions{})
//	res, err := plan.Apply(ctx, svc, vcard.DefaultChoices(), progress)
//
// Export is Write (all columns) and WriteMailingList (only customers with
// an active email consent), in the dialect German Excel opens correctly
// (UTF-8 with BOM, semicolon, CRLF) or plain RFC 4180 (comma, CRLF).
package csv

import (
	"bytes"
	stdcsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

// File is a CSV file read into memory, ready for the mapping step.
type File struct {
	Header []string   // the first row
	Rows   [][]string // the data rows; short rows are padded to the header's width
	Lines  []int      // 1-based line in the file where each row starts
	Comma  rune       // the detected separator: ';', ',', '\t' or '|'
	BOM    bool       // the file started with a byte order mark
	// Problems are rows that could not be read as CSV (e.g. a stray
	// quote); they are left out of Rows.
	Problems []vcard.Problem
}

// Read reads a whole CSV file: it strips a UTF-8 BOM, transcodes UTF-16,
// reads invalid UTF-8 as Windows-1252 (what Excel's "CSV" without UTF-8
// writes on German Windows), and detects the separator from the header
// line. The error is for I/O, for a file without any row, and (EINVALID)
// for a header in which DetectMapping recognizes no column: it lists the
// headers found and the ones understood.
func Read(r io.Reader) (*File, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "read CSV file")
	}
	text, bom := decodeText(b)
	f := &File{BOM: bom, Comma: detectComma(text)}
	cr := stdcsv.NewReader(strings.NewReader(text))
	cr.Comma = f.Comma
	cr.FieldsPerRecord = -1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *stdcsv.ParseError
		if errors.As(err, &pe) {
			f.Problems = append(f.Problems, vcard.Problem{Card: len(f.Rows) + 1, Line: pe.StartLine, Reason: pe.Err.Error()})
			continue
		} else if err != nil {
			return nil, model.WrapError(model.EINTERNAL, err, "read CSV file")
		}
		line, _ := cr.FieldPos(0)
		if f.Header == nil {
			f.Header = rec
			continue
		}
		if isBlank(rec) {
			continue
		}
		f.Rows = append(f.Rows, rec)
		f.Lines = append(f.Lines, line)
	}
	if f.Header == nil {
		return nil, model.WrapError(model.EINVALID, vcard.ErrEmpty, "the CSV file")
	}
	if err := recognized(f.Header); err != nil {
		return nil, err
	}
	return f, nil
}

// recognized returns an EINVALID error when no column of header maps to a
// field, instead of one "name required" per row.
func recognized(header []string) error {
	for _, c := range DetectMapping(header) {
		if c.Field != Ignore {
			return nil
		}
	}
	found := make([]string, 0, min(len(header), 20))
	for i, h := range header {
		if i == 20 {
			found = append(found, fmt.Sprintf("… (%d more)", len(header)-20))
			break
		}
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if len(h) > 40 {
			h = strings.ToValidUTF8(h[:40], "") + "…"
		}
		found = append(found, fmt.Sprintf("%q", h))
	}
	var understood []string
	for _, c := range columns {
		if c.de == c.en {
			understood = append(understood, c.de)
		} else {
			understood = append(understood, c.de+"/"+c.en)
		}
	}
	return model.Errorf(model.EINVALID, "no column of the CSV file is recognized; its header has %s; understood are %s (and the Outlook and Google names)",
		strings.Join(found, ", "), strings.Join(understood, ", "))
}

func isBlank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func decodeText(b []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return toValid(b[3:]), true
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
		if err != nil {
			return toValid(b), true
		}
		return string(out), true
	}
	return toValid(b), false
}

// toValid returns b as text, read as Windows-1252 when it is not UTF-8.
func toValid(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// detectComma picks the separator that occurs most often, outside quotes,
// in the first line; ';' wins ties because German Excel writes it.
func detectComma(text string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range text {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if r == '\n' || r == '\r' {
			break
		}
		switch r {
		case ';', ',', '\t', '|':
			counts[r]++
		}
	}
	best := ';'
	for _, r := range []rune{',', '\t', '|'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// Field is the customer field a column maps to.
type Field string

// The fields a column can map to. Ignore leaves the column out.
const (
	Ignore     Field = ""
	Salutation Field = "salutation"
	GivenName  Field = "given_name"
	FamilyName Field = "family_name"
	FullName   Field = "full_name" // "Hans Muster" or "Muster, Hans"; used when given and family name are empty
	Company    Field = "company"
	Position   Field = "position"
	NamePrefix Field = "name_prefix" // honorific prefix: Outlook's "Title", Google's "Name Prefix"
	NameSuffix Field = "name_suffix"
	Department Field = "department"
	Email      Field = "email"
	Phone      Field = "phone"
	Mobile     Field = "mobile"
	Fax        Field = "fax"
	Street     Field = "street" // several street columns of one label are joined line by line
	PostalCode Field = "postal_code"
	City       Field = "city"
	Region     Field = "region"
	Country    Field = "country"
	Website    Field = "website"
	Birthday   Field = "birthday" // 15.04.1970, 15.04., 1970-04-15, --04-15
	Notes      Field = "notes"
	Tags       Field = "tags" // separated by ",", ";" or Google's ":::"
	UID        Field = "uid"  // an external ID; re-imports match on it
)

// Column says what one column holds.
type Column struct {
	Field Field
	// Label is the email/phone/address label (model.LabelWork …) for
	// Email, Phone and the address fields; address fields with the same
	// label form one address.
	Label string
}

// Mapping has one Column per header column, in order.
type Mapping []Column

type synonym struct {
	field Field
	label string
}

// synonyms maps a compact header key (lower case, umlauts spelled out,
// only letters) to a field. Label words (geschäftlich, privat, business,
// home …) and digits are removed before the lookup, so "Business Street 2"
// and "Straße geschäftlich" are found through "street" and "strasse".
var synonyms = map[string]synonym{
	"anrede": {Salutation, ""}, "salutation": {Salutation, ""},
	"title": {NamePrefix, ""}, "nameprefix": {NamePrefix, ""}, "titel": {NamePrefix, ""}, "prefix": {NamePrefix, ""}, "namensprafix": {NamePrefix, ""},
	"suffix": {NameSuffix, ""}, "namesuffix": {NameSuffix, ""}, "namenszusatz": {NameSuffix, ""}, "namenssuffix": {NameSuffix, ""},
	"abteilung": {Department, ""}, "department": {Department, ""}, "organizationdepartment": {Department, ""}, "organisationseinheit": {Department, ""},
	"vorname": {GivenName, ""}, "firstname": {GivenName, ""}, "givenname": {GivenName, ""}, "first": {GivenName, ""}, "given": {GivenName, ""},
	"nachname": {FamilyName, ""}, "lastname": {FamilyName, ""}, "familyname": {FamilyName, ""}, "surname": {FamilyName, ""}, "familienname": {FamilyName, ""}, "last": {FamilyName, ""},
	"name": {FullName, ""}, "fullname": {FullName, ""}, "displayname": {FullName, ""}, "vollername": {FullName, ""}, "kontakt": {FullName, ""}, "kunde": {FullName, ""},
	"firma": {Company, ""}, "company": {Company, ""}, "organization": {Company, ""}, "organisation": {Company, ""}, "organizationname": {Company, ""},
	"unternehmen": {Company, ""}, "companyname": {Company, ""}, "firmenname": {Company, ""}, "org": {Company, ""},
	"position": {Position, ""}, "jobtitle": {Position, ""}, "funktion": {Position, ""}, "rolle": {Position, ""}, "role": {Position, ""},
	"berufsbezeichnung": {Position, ""}, "organizationtitle": {Position, ""}, "beruf": {Position, ""},
	"email": {Email, ""}, "mail": {Email, ""}, "emailaddress": {Email, ""}, "emailadresse": {Email, ""}, "emailadr": {Email, ""},
	"telefon": {Phone, ""}, "phone": {Phone, ""}, "tel": {Phone, ""}, "telephone": {Phone, ""}, "telefonnummer": {Phone, ""}, "phonenumber": {Phone, ""}, "festnetz": {Phone, ""},
	"mobile": {Mobile, model.LabelMobile}, "mobil": {Mobile, model.LabelMobile}, "handy": {Mobile, model.LabelMobile}, "natel": {Mobile, model.LabelMobile},
	"mobilephone": {Mobile, model.LabelMobile}, "mobiltelefon": {Mobile, model.LabelMobile}, "cell": {Mobile, model.LabelMobile}, "cellphone": {Mobile, model.LabelMobile},
	"mobilenumber": {Mobile, model.LabelMobile}, "handynummer": {Mobile, model.LabelMobile},
	"fax": {Fax, model.LabelFax}, "telefax": {Fax, model.LabelFax}, "faxnummer": {Fax, model.LabelFax},
	"strasse": {Street, ""}, "street": {Street, ""}, "address": {Street, ""}, "adresse": {Street, ""}, "streetaddress": {Street, ""}, "addressstreet": {Street, ""},
	"anschrift": {Street, ""}, "strassehausnummer": {Street, ""}, "strasseundhausnummer": {Street, ""}, "str": {Street, ""},
	"plz": {PostalCode, ""}, "postalcode": {PostalCode, ""}, "zip": {PostalCode, ""}, "zipcode": {PostalCode, ""}, "postcode": {PostalCode, ""},
	"postleitzahl": {PostalCode, ""}, "addresspostalcode": {PostalCode, ""},
	"ort": {City, ""}, "city": {City, ""}, "stadt": {City, ""}, "wohnort": {City, ""}, "town": {City, ""}, "addresscity": {City, ""}, "gemeinde": {City, ""},
	"land": {Country, ""}, "country": {Country, ""}, "staat": {Country, ""}, "countryregion": {Country, ""}, "landregion": {Country, ""}, "addresscountry": {Country, ""},
	"region": {Region, ""}, "kanton": {Region, ""}, "bundesland": {Region, ""}, "state": {Region, ""}, "province": {Region, ""}, "addressregion": {Region, ""},
	"website": {Website, ""}, "web": {Website, ""}, "url": {Website, ""}, "homepage": {Website, ""}, "webpage": {Website, ""}, "webseite": {Website, ""},
	"internet": {Website, ""}, "internetadresse": {Website, ""}, "websitevalue": {Website, ""},
	"geburtstag": {Birthday, ""}, "birthday": {Birthday, ""}, "geburtsdatum": {Birthday, ""}, "birthdate": {Birthday, ""}, "dateofbirth": {Birthday, ""},
	"notiz": {Notes, ""}, "notizen": {Notes, ""}, "notes": {Notes, ""}, "note": {Notes, ""}, "bemerkung": {Notes, ""}, "bemerkungen": {Notes, ""},
	"kommentar": {Notes, ""}, "comment": {Notes, ""}, "comments": {Notes, ""}, "memo": {Notes, ""}, "hinweis": {Notes, ""},
	"tags": {Tags, ""}, "tag": {Tags, ""}, "kategorien": {Tags, ""}, "kategorie": {Tags, ""}, "categories": {Tags, ""}, "category": {Tags, ""},
	"gruppen": {Tags, ""}, "gruppe": {Tags, ""}, "groups": {Tags, ""}, "groupmembership": {Tags, ""}, "labels": {Tags, ""}, "schlagworte": {Tags, ""},
	"uid": {UID, ""}, "externalid": {UID, ""},
}

// labelWords are header words that name a label rather than a field.
var labelWords = map[string]string{
	"business": model.LabelWork, "geschaftlich": model.LabelWork, "geschaeftlich": model.LabelWork, "work": model.LabelWork,
	"arbeit": model.LabelWork, "dienstlich": model.LabelWork, "buro": model.LabelWork, "office": model.LabelWork,
	"home": model.LabelHome, "privat": model.LabelHome, "private": model.LabelHome, "personal": model.LabelHome, "personlich": model.LabelHome,
	"other": model.LabelOther, "weitere": model.LabelOther, "andere": model.LabelOther, "sonstige": model.LabelOther,
}

// DetectMapping guesses what each column holds from its header, in German
// and English, including the headers Outlook ("Business Street", "Straße
// geschäftlich") and Google ("E-mail 1 - Value") write. Unknown headers map
// to Ignore.
func DetectMapping(header []string) Mapping {
	m := make(Mapping, len(header))
	for i, h := range header {
		words := headerWords(h)
		label := ""
		var key strings.Builder
		for _, w := range words {
			if l, ok := labelWords[w]; ok && len(words) > 1 {
				label = l
				continue
			}
			if w == "value" || w == "wert" || (w == "nummer" || w == "nr") && len(words) > 1 {
				continue
			}
			key.WriteString(w)
		}
		s, ok := synonyms[key.String()]
		if !ok {
			continue
		}
		if s.label != "" {
			label = s.label
		}
		m[i] = Column{Field: s.field, Label: label}
	}
	return m
}

// headerWords lower-cases h, spells out umlauts and ß, and splits it into
// words of letters; digits and punctuation separate words.
func headerWords(h string) []string {
	h = strings.NewReplacer("ä", "a", "ö", "o", "ü", "u", "Ä", "a", "Ö", "o", "Ü", "u", "ß", "ss", "é", "e", "è", "e").Replace(h)
	h = strings.ToLower(strings.TrimPrefix(h, "\ufeff"))
	return strings.FieldsFunc(h, func(r rune) bool { return r < 'a' || r > 'z' })
}

// Cards maps the rows to customers with m. Each row becomes a vcard.Card
// (Index = data row number, Line = line in the file), normalized and
// validated; bad values are reported as problems with their line and left
// out. The problems returned include the rows Read could not parse.
func (f *File) Cards(m Mapping) ([]vcard.Card, []vcard.Problem) {
	cards := make([]vcard.Card, len(f.Rows))
	problems := append([]vcard.Problem(nil), f.Problems...)
	for i, row := range f.Rows {
		c := &cards[i]
		c.Index, c.Line = i+1, f.Lines[i]
		mapRow(f.Header, row, m, c)
		problems = append(problems, c.Problems...)
	}
	return cards, problems
}

func mapRow(header, row []string, m Mapping, card *vcard.Card) {
	cu := &card.Customer
	problem := func(col int, reason string) {
		name := ""
		if col < len(header) {
			name = header[col]
		}
		card.Problems = append(card.Problems, vcard.Problem{Card: card.Index, Line: card.Line, Field: name, Reason: reason})
	}
	if len(row) > len(header) && !isBlank(row[len(header):]) {
		problem(len(header), fmt.Sprintf("row has %d fields, the header %d; the extra ones are ignored", len(row), len(header)))
	}
	var fullName string
	addrs := map[string]*model.Address{}
	var addrOrder []string
	addr := func(label string) *model.Address {
		if a, ok := addrs[label]; ok {
			return a
		}
		a := &model.Address{Label: label}
		addrs[label] = a
		addrOrder = append(addrOrder, label)
		return a
	}
	for i, col := range m {
		if i >= len(row) || col.Field == Ignore {
			continue
		}
		v := unformula(strings.TrimSpace(strings.ReplaceAll(row[i], "\r\n", "\n")))
		if v == "" {
			continue
		}
		switch col.Field {
		case Salutation:
			cu.Salutation = v
		case GivenName:
			cu.GivenName = v
		case FamilyName:
			cu.FamilyName = v
		case FullName:
			fullName = v
		case Company:
			cu.Company = v
		case Position:
			cu.Position = v
		case NamePrefix:
			cu.NamePrefix = v
		case NameSuffix:
			cu.NameSuffix = v
		case Department:
			cu.Department = v
		case Email:
			for _, e := range splitList(v) {
				if !model.ValidEmail(e) {
					problem(i, fmt.Sprintf("%q is not an email address; left out", e))
					continue
				}
				cu.Emails = append(cu.Emails, model.Email{Label: col.Label, Address: e})
			}
		case Phone, Mobile, Fax:
			label := col.Label
			if col.Field == Mobile {
				label = model.LabelMobile
			} else if col.Field == Fax {
				label = model.LabelFax
			}
			if !model.ValidPhone(v) {
				problem(i, fmt.Sprintf("%q is not a phone number; left out", v))
				continue
			}
			cu.Phones = append(cu.Phones, model.Phone{Label: label, Number: v})
		case Street:
			a := addr(col.Label)
			if a.Street != "" {
				a.Street += "\n"
			}
			a.Street += v
		case PostalCode:
			addr(col.Label).PostalCode = v
		case City:
			addr(col.Label).City = v
		case Region:
			addr(col.Label).Region = v
		case Country:
			addr(col.Label).Country = v
		case Website:
			cu.Website = v
		case Birthday:
			d, err := model.ParseDate(v)
			if err != nil {
				problem(i, fmt.Sprintf("birthday %q not understood; left out", v))
				continue
			}
			cu.Birthday = d
		case Notes:
			if cu.Memo != "" {
				cu.Memo += "\n\n"
			}
			cu.Memo += v
		case Tags:
			for _, t := range splitTags(v) {
				cu.Tags = append(cu.Tags, t)
			}
		case UID:
			cu.ExternalUIDs = []string{v}
		}
	}
	for _, l := range addrOrder {
		cu.Addresses = append(cu.Addresses, *addrs[l])
	}
	if cu.GivenName == "" && cu.FamilyName == "" && fullName != "" && !strings.EqualFold(fullName, cu.Company) {
		if f, g, ok := strings.Cut(fullName, ","); ok {
			cu.GivenName, cu.FamilyName = strings.TrimSpace(g), strings.TrimSpace(f)
		} else if j := strings.LastIndexByte(fullName, ' '); j >= 0 {
			cu.GivenName, cu.FamilyName = fullName[:j], fullName[j+1:]
		} else {
			cu.FamilyName = fullName
		}
	} else if cu.Company == "" && fullName != "" && cu.GivenName == "" && cu.FamilyName == "" {
		cu.Company = fullName
	}
	cu.Normalize()
	if err := cu.Validate(); err != nil {
		if onlyWebsite(err) {
			problem(-1, fmt.Sprintf("%q is not a web address; left out", cu.Website))
			cu.Website = ""
			err = cu.Validate()
		}
		if err != nil {
			card.Err = err
			for _, fe := range model.ErrorFields(err) {
				card.Problems = append(card.Problems, vcard.Problem{Card: card.Index, Line: card.Line, Field: fe.Field, Reason: fe.Message})
			}
		}
	}
}

func onlyWebsite(err error) bool {
	fs := model.ErrorFields(err)
	return len(fs) == 1 && fs[0].Field == "website"
}

// unformula undoes the protection Write adds against spreadsheet formula
// injection: a leading apostrophe before = + - @.
func unformula(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		return s[1:]
	}
	return s
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// splitTags splits "Kunden, Messe" and Google's "* myContacts ::: Kunden",
// leaving out Google's system groups.
func splitTags(v string) []string {
	v = strings.ReplaceAll(v, ":::", ";")
	var out []string
	for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "* "))
		if t != "" && t != "myContacts" && t != "starred" {
			out = append(out, t)
		}
	}
	return out
}
