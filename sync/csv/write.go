package csv

import (
	"bufio"
	stdcsv "encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// Dialect is the flavour of CSV written.
type Dialect int

// The dialects.
const (
	// Excel is what German Excel opens correctly by double-click: UTF-8
	// with BOM, semicolon separator, CRLF, German headers, dates as
	// 15.04.1970 (15.04. without a year).
	Excel Dialect = iota
	// RFC4180 is plain CSV: UTF-8 without BOM, comma, CRLF, English
	// headers, ISO dates (1970-04-15, --04-15 without a year).
	RFC4180
)

// WriteOptions tune Write and WriteMailingList.
type WriteOptions struct {
	Dialect Dialect
}

// column is one exported column: its German and English header (both
// recognised by DetectMapping) and how to get the value.
type column struct {
	de, en string
	get    func(c *model.Customer, d Dialect) string
}

func nth[T any](s []T, i int) (T, bool) {
	var zero T
	if i < len(s) {
		return s[i], true
	}
	return zero, false
}

// phoneOf returns the first phone whose label is (or, with other, is not
// one of) the given labels.
func phoneOf(c *model.Customer, label string) string {
	for _, p := range c.Phones {
		switch label {
		case "":
			if p.Label != model.LabelMobile && p.Label != model.LabelFax {
				return p.Number
			}
		default:
			if p.Label == label {
				return p.Number
			}
		}
	}
	return ""
}

func addrOf(c *model.Customer) model.Address {
	if a := c.PrimaryAddress(); a != nil {
		return *a
	}
	return model.Address{}
}

func dateOf(d model.Date, dl Dialect) string {
	switch {
	case d.IsZero():
		return ""
	case dl == RFC4180:
		return d.String()
	case d.HasYear():
		return fmt.Sprintf("%02d.%02d.%04d", d.Day, int(d.Month), d.Year)
	}
	return fmt.Sprintf("%02d.%02d.", d.Day, int(d.Month))
}

var columns = []column{
	{"Anrede", "Salutation", func(c *model.Customer, _ Dialect) string { return c.Salutation }},
	{"Vorname", "First Name", func(c *model.Customer, _ Dialect) string { return c.GivenName }},
	{"Nachname", "Last Name", func(c *model.Customer, _ Dialect) string { return c.FamilyName }},
	{"Firma", "Company", func(c *model.Customer, _ Dialect) string { return c.Company }},
	{"Position", "Job Title", func(c *model.Customer, _ Dialect) string { return c.Position }},
	{"Titel", "Title", func(c *model.Customer, _ Dialect) string { return c.NamePrefix }},
	{"Namenszusatz", "Suffix", func(c *model.Customer, _ Dialect) string { return c.NameSuffix }},
	{"Abteilung", "Department", func(c *model.Customer, _ Dialect) string { return c.Department }},
	{"E-Mail", "Email", func(c *model.Customer, _ Dialect) string { return c.PrimaryEmail() }},
	{"E-Mail 2", "Email 2", func(c *model.Customer, _ Dialect) string {
		var rest []string
		for _, e := range c.Emails {
			if e.Address != c.PrimaryEmail() {
				rest = append(rest, e.Address)
			}
		}
		return strings.Join(rest, ", ")
	}},
	{"Telefon", "Phone", func(c *model.Customer, _ Dialect) string { return phoneOf(c, "") }},
	{"Handy", "Mobile", func(c *model.Customer, _ Dialect) string { return phoneOf(c, model.LabelMobile) }},
	{"Fax", "Fax", func(c *model.Customer, _ Dialect) string { return phoneOf(c, model.LabelFax) }},
	{"Strasse", "Street", func(c *model.Customer, _ Dialect) string { return addrOf(c).Street }},
	{"PLZ", "Postal Code", func(c *model.Customer, _ Dialect) string { return addrOf(c).PostalCode }},
	{"Ort", "City", func(c *model.Customer, _ Dialect) string { return addrOf(c).City }},
	{"Kanton", "Region", func(c *model.Customer, _ Dialect) string { return addrOf(c).Region }},
	{"Land", "Country", func(c *model.Customer, _ Dialect) string { return addrOf(c).Country }},
	{"Website", "Website", func(c *model.Customer, _ Dialect) string { return c.Website }},
	{"Geburtstag", "Birthday", func(c *model.Customer, d Dialect) string { return dateOf(c.Birthday, d) }},
	{"Tags", "Tags", func(c *model.Customer, _ Dialect) string { return strings.Join(c.Tags, ", ") }},
	{"Notiz", "Notes", func(c *model.Customer, _ Dialect) string { return c.Memo }},
	{"UID", "UID", func(c *model.Customer, _ Dialect) string {
		if u, ok := nth(c.ExternalUIDs, 0); ok {
			return u
		}
		return "urn:uuid:" + c.ID.String()
	}},
}

// mailingColumns are the columns of the mailing list: what a mail merge
// needs, nothing more (data minimisation).
var mailingColumns = []column{
	columns[0], columns[5], columns[1], columns[2], columns[3], // Anrede, Titel, Vorname, Nachname, Firma
	{"E-Mail", "Email", func(c *model.Customer, _ Dialect) string { return c.PrimaryEmail() }},
	{"Briefanrede", "Letter Form", func(c *model.Customer, _ Dialect) string {
		if c.LetterForm == "" {
			return model.FormSie
		}
		return c.LetterForm
	}},
}

// Write writes customers with every column (the primary address only;
// further emails in "E-Mail 2"). Selection (chosen customers, a tag, all)
// is the caller's. Cells that a spreadsheet would run as a formula
// (starting with = @, or + - not followed by a digit) get a leading
// apostrophe, which Read removes again.
func Write(w io.Writer, customers []*model.Customer, opt WriteOptions) error {
	_, err := writeEach(w, slice(customers), columns, nil, opt)
	return err
}

// WriteEach is Write for customers that arrive in batches (each calls fn
// with every batch in order), holding one batch at a time; it returns how
// many rows it wrote.
func WriteEach(w io.Writer, each func(fn func([]*model.Customer) error) error, opt WriteOptions) (int, error) {
	return writeEach(w, each, columns, nil, opt)
}

// WriteMailingList writes the customers that have an active email consent
// at now, with a primary email, for a mail merge, and returns how many it
// wrote.
func WriteMailingList(w io.Writer, customers []*model.Customer, now time.Time, opt WriteOptions) (int, error) {
	return WriteMailingEach(w, slice(customers), now, opt)
}

// WriteMailingEach is WriteMailingList for customers that arrive in batches.
func WriteMailingEach(w io.Writer, each func(fn func([]*model.Customer) error) error, now time.Time, opt WriteOptions) (int, error) {
	consents := func(c *model.Customer) bool {
		return c.HasConsent(model.ChannelEmail, now) && c.PrimaryEmail() != ""
	}
	return writeEach(w, each, mailingColumns, consents, opt)
}

// slice yields customers as one batch.
func slice(customers []*model.Customer) func(fn func([]*model.Customer) error) error {
	return func(fn func([]*model.Customer) error) error { return fn(customers) }
}

// writeEach writes the header and a row for every customer keep accepts
// (nil keeps all), and returns the number of rows.
func writeEach(w io.Writer, each func(fn func([]*model.Customer) error) error, cols []column, keep func(*model.Customer) bool, opt WriteOptions) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := stdcsv.NewWriter(bw)
	cw.UseCRLF = true
	header := make([]string, len(cols))
	for i, col := range cols {
		header[i] = col.en
		if opt.Dialect == Excel {
			header[i] = col.de
		}
	}
	if opt.Dialect == Excel {
		cw.Comma = ';'
		if _, err := bw.WriteString("\ufeff"); err != nil {
			return 0, model.WrapError(model.EINTERNAL, err, "write CSV")
		}
	}
	if err := cw.Write(header); err != nil {
		return 0, model.WrapError(model.EINTERNAL, err, "write CSV")
	}
	rec := make([]string, len(cols))
	n := 0
	err := each(func(cs []*model.Customer) error {
		for _, c := range cs {
			if keep != nil && !keep(c) {
				continue
			}
			for i, col := range cols {
				rec[i] = guardFormula(col.get(c, opt.Dialect))
			}
			if err := cw.Write(rec); err != nil {
				return model.WrapError(model.EINTERNAL, err, "write CSV")
			}
			n++
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, model.WrapError(model.EINTERNAL, err, "write CSV")
	}
	if err := bw.Flush(); err != nil {
		return n, model.WrapError(model.EINTERNAL, err, "write CSV")
	}
	return n, nil
}

// guardFormula prefixes an apostrophe to cells a spreadsheet would
// evaluate. Phone numbers like "+41 44 …" stay as they are: a leading +
// or - before a digit is a number, not a formula call.
func guardFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@':
		return "'" + s
	case '+', '-':
		if len(s) == 1 || s[1] < '0' || s[1] > '9' {
			return "'" + s
		}
	}
	return s
}
