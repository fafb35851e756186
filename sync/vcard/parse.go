// Package vcard imports and exports customers as vCards (2.1, 3.0, 4.0).
//
// Import is three steps, so the GUI can show a preview before anything is
// written:
//
//	cards, problems, err := vcard.Parse(f)            // never aborts on a bad card
//	plan, err := vcard.Preview(ctx, cards, svc, vcard.PreviewOptions{})
//	// show plan.Counts(); let the user pick an Action per group
//	res, err := plan.Apply(ctx, svc, vcard.DefaultChoices(), progress)
//
// Parse runs its own pre-pass instead of go-vcard, because go-vcard loses
// data on real exports (DESIGN.md §7). The plan and merge logic (Preview,
// Plan, Apply, Merge) is shared with package sync/csv, whose rows become
// Cards too.
//
// Export is Encode: clean vCard 3.0 (default) or 4.0, or 2.1 in
// Windows-1252 for Outlook.
package vcard

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/kundenkartei/kundenkartei/model"
)

// Problem is something the importer could not take over as it was. Card is
// the 1-based card (or CSV row) number, 0 for text outside any card; Line is
// the 1-based line in the file.
type Problem struct {
	Card   int
	Line   int
	Field  string // property or column, e.g. "EMAIL"; "" for the whole card
	Reason string // English, for the log and the preview
}

// String formats the problem for logs: "card 3, line 42, EMAIL: reason".
func (p Problem) String() string {
	var b strings.Builder
	if p.Card > 0 {
		fmt.Fprintf(&b, "card %d, ", p.Card)
	}
	fmt.Fprintf(&b, "line %d", p.Line)
	if p.Field != "" {
		b.WriteString(", " + p.Field)
	}
	return b.String() + ": " + p.Reason
}

// Card is one imported card (or CSV row) mapped to a customer, normalized
// (model Customer.Normalize) and validated.
type Card struct {
	Index     int            // 1-based number of the card in the file (CSV: data row)
	Line      int            // line of BEGIN:VCARD (CSV: line of the row)
	Customer  model.Customer // Meta is zero; ExternalUIDs holds the card's UID
	PhotoData []byte         // decoded photo, nil for none; Apply stores it with SetPhoto
	Problems  []Problem      // what was lost or is doubtful: broken lines, unknown charsets, validation errors
	// Notes are values the model cannot hold that were kept verbatim in
	// Customer.Extra (and so are exported again), or Outlook's placeholders
	// for empty fields, which were ignored. They are reported, but the card
	// is whole without them: a bad value never makes a card a problem.
	Notes []Problem
	Err   error // EINVALID when the customer cannot be saved as it is (e.g. no name); nil otherwise
}

// ParseOptions tune ParseContext.
type ParseOptions struct {
	// Progress, when set, is called after every 1,000 cards with the number
	// of cards mapped and the total in the file.
	Progress func(done, total int)
}

// Parse reads every card of a .vcf file: vCard 2.1, 3.0 or 4.0, in UTF-8
// (with or without BOM), UTF-16, or legacy charsets, with LF, CRLF, CR or
// CR CR LF line ends. A broken card never aborts the file: it is returned
// with its Problems and Err, and the file-level problems come back as well
// (all problems and notes, sorted by line). The error is for I/O (EINTERNAL) and
// for a file that is not an address book (EINVALID): an empty one, or one
// without BEGIN:VCARD in its first 64 KB (an image, an archive, a binary
// file renamed .vcf), which gets this one error naming the file instead
// of one problem per line.
func Parse(r io.Reader) ([]Card, []Problem, error) {
	return ParseContext(context.Background(), r, ParseOptions{})
}

// ParseContext is Parse with cancellation (returns ctx.Err()) and progress.
func ParseContext(ctx context.Context, r io.Reader, opt ParseOptions) ([]Card, []Problem, error) {
	b, err := readAll(r)
	if err != nil {
		return nil, nil, model.WrapError(model.EINTERNAL, err, "read vCard file")
	}
	text := decodeText(b)
	if err := checkAddressBook(b, text, fileName(r)); err != nil {
		return nil, nil, err
	}
	raws, problems := splitCards(text)
	cards := make([]Card, len(raws))
	for i := range raws {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
			if opt.Progress != nil && i > 0 {
				opt.Progress(i, len(raws))
			}
		}
		mapCard(&raws[i], &cards[i])
		problems = append(append(problems, cards[i].Problems...), cards[i].Notes...)
	}
	if opt.Progress != nil {
		opt.Progress(len(raws), len(raws))
	}
	sortProblems(problems)
	return cards, problems, nil
}

// sniffSize is how far into a file BEGIN:VCARD must appear.
const sniffSize = 64 << 10

// checkAddressBook returns an EINVALID error when text is empty or has no
// BEGIN:VCARD in its first 64 KB; b is the file as read, for naming what
// it is instead.
func checkAddressBook(b []byte, text, name string) error {
	if strings.TrimSpace(text) == "" { // as package csv says of an empty file
		if name != "" {
			return model.Errorf(model.EINVALID, "the vCard file %s is empty", name)
		}
		return model.Errorf(model.EINVALID, "the vCard file is empty")
	}
	if name == "" {
		name = "the file"
	}
	if containsFold(text[:min(len(text), sniffSize)], "BEGIN:VCARD") {
		return nil
	}
	what := ""
	if t := http.DetectContentType(b); !strings.HasPrefix(t, "text/plain") && t != "application/octet-stream" {
		what = " (it looks like " + t + ")"
	}
	return model.Errorf(model.EINVALID, "%s is not an address book: no BEGIN:VCARD in its first 64 KB%s; nothing was imported", name, what)
}

// fileName is the name of the file r reads, "" when r is no file.
func fileName(r io.Reader) string {
	if f, ok := r.(interface{ Name() string }); ok {
		return f.Name()
	}
	return ""
}

// readAll reads r into a buffer sized from the file or reader length when
// known, instead of io.ReadAll's repeated doubling.
func readAll(r io.Reader) ([]byte, error) {
	size := 0
	switch v := r.(type) {
	case interface{ Len() int }:
		size = v.Len()
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Size() < 1<<31 {
			size = int(fi.Size())
		}
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
}

// mapCard maps the properties of rc to the customer of c.
func mapCard(rc *rawCard, c *Card) {
	c.Index, c.Line = rc.Index, rc.Line
	c.Problems = rc.Problems
	cu := &c.Customer
	// vCard 2.1 escapes only ";" (in structured values); a backslash
	// before anything else is text, as in "C:\Kunden".
	var split [8]string // scratch for structured values
	un := unescape
	if rc.Version == "2.1" {
		un = unescape21
	}
	problem := func(p *prop, reason string) {
		c.Problems = append(c.Problems, Problem{Card: rc.Index, Line: p.Line, Field: p.Name, Reason: reason})
	}
	note := func(p *prop, reason string) {
		c.Notes = append(c.Notes, Problem{Card: rc.Index, Line: p.Line, Field: p.Name, Reason: reason})
	}

	// Apple ties a label to a property through a group: item1.EMAIL and
	// item1.X-ABLabel. Cards have a handful of groups, so slices beat maps.
	type groupInfo struct {
		name         string // lower case
		label        string
		kept, mapped bool
		adr          int // index+1 of the address mapped from the group, 0 for none
	}
	var groups []groupInfo
	group := func(p *prop) *groupInfo {
		if p.Group == "" {
			return nil
		}
		for i := range groups {
			if strings.EqualFold(groups[i].name, p.Group) {
				return &groups[i]
			}
		}
		groups = append(groups, groupInfo{name: strings.ToLower(p.Group)})
		return &groups[len(groups)-1]
	}
	for i := range rc.Props {
		if p := &rc.Props[i]; p.Group != "" && p.Name == "X-ABLABEL" {
			group(p).label = un(p.Value)
		}
	}
	labelOf := func(p *prop) string {
		if g := group(p); g != nil {
			return g.label
		}
		return ""
	}
	// A label belongs to the properties of its group; it is kept as an extra
	// only when one of them was kept too (or it stands alone).
	keep := func(p *prop) {
		cu.Extra = append(cu.Extra, extraOf(p))
		if g := group(p); g != nil {
			g.kept = true
		}
	}

	var fn string
	var seenN, hasN, hasOrg, company bool
	var labelProps []int     // X-ABLabel props, resolved once all others are seen
	var placeholders []*prop // Outlook's field names written for empty phones
	for i := range rc.Props {
		p := &rc.Props[i]
		if g := group(p); g != nil && p.Name != "X-ABLABEL" {
			g.mapped = true
		}
		switch p.Name {
		case "VERSION", "PRODID", "REV", "LABEL", "NAME", "SOURCE", "MAILER":
			// Derived or about the exporter; export writes its own.
		case "BEGIN", "END":
			// Only a grouped one gets here ("x.BEGIN:VCARD"): structure,
			// never data, or an export would split the card.
			problem(p, "misplaced "+p.Name+" ignored")
		case "X-ABLABEL":
			labelProps = append(labelProps, i)
		case "FN":
			fn = strings.TrimSpace(un(p.Value))
		case "N":
			// Components may be lists ("Hans,Peter"); only unescaped
			// commas separate their values.
			parts := splitUnescaped(split[:0], p.Value, ';', keepEscapes)
			get := func(i int) string {
				if i < len(parts) {
					return strings.TrimSpace(strings.Join(splitUnescaped(nil, parts[i], ',', un), " "))
				}
				return ""
			}
			if seenN { // a second N: kept, never mixed into the first
				keep(p)
				continue
			}
			seenN = true
			// Prefix and suffix have fields of their own (model
			// Customer.NamePrefix says how the prefix relates to the
			// letter salutation).
			cu.FamilyName = get(0)
			cu.GivenName = strings.TrimSpace(get(1) + " " + get(2))
			cu.NamePrefix, cu.NameSuffix = get(3), get(4)
			hasN = cu.FamilyName != "" || cu.GivenName != ""
		case "ORG":
			if hasOrg { // a second organization has no field: kept verbatim
				keep(p)
				continue
			}
			hasOrg = true
			cu.Company, cu.Department = orgParts(split[:0], p.Value, un)
		case salutationProp:
			cu.Salutation = strings.TrimSpace(un(p.Value))
		case "TITLE":
			if cu.Position == "" {
				cu.Position = un(p.Value)
			} else {
				keep(p)
			}
		case "ROLE":
			if cu.Position == "" {
				cu.Position = un(p.Value)
			} else {
				keep(p)
			}
		case "KIND":
			company = strings.EqualFold(strings.TrimSpace(p.Value), "org")
			if !company && !strings.EqualFold(strings.TrimSpace(p.Value), "individual") {
				keep(p)
			}
		case "X-ABSHOWAS":
			company = strings.EqualFold(strings.TrimSpace(p.Value), "COMPANY")
		case "EMAIL":
			addr := strings.TrimSpace(un(p.Value))
			addr = strings.TrimPrefix(addr, "mailto:")
			if !model.ValidEmail(addr) {
				if addr != "" {
					note(p, fmt.Sprintf("%q is not an email address; kept unchanged for export", clip(addr)))
					keep(p)
				}
				continue
			}
			label, pref := label(p, labelOf(p))
			cu.Emails = append(cu.Emails, model.Email{Label: label, Address: addr, Pref: pref})
		case "TEL":
			num := strings.TrimSpace(un(p.Value))
			num = strings.TrimPrefix(num, "tel:")
			if outlookPlaceholder(num) {
				placeholders = append(placeholders, p)
				continue
			}
			if !model.ValidPhone(num) {
				if num != "" {
					note(p, fmt.Sprintf("%q is not a phone number; kept unchanged for export", clip(num)))
					keep(p)
				}
				continue
			}
			label, pref := label(p, labelOf(p))
			cu.Phones = append(cu.Phones, model.Phone{Label: label, Number: num, Pref: pref})
		case "ADR":
			parts := splitUnescaped(split[:0], p.Value, ';', un)
			get := func(i int) string {
				if i < len(parts) {
					return strings.TrimSpace(normalizeNewlines(parts[i]))
				}
				return ""
			}
			label, pref := label(p, labelOf(p))
			a := model.Address{Label: label, POBox: get(0), Extended: get(1), Street: get(2), City: get(3),
				Region: get(4), PostalCode: get(5), Country: get(6), Pref: pref}
			if a.OneLine() != "" {
				cu.Addresses = append(cu.Addresses, a)
				if g := group(p); g != nil && g.adr == 0 {
					g.adr = len(cu.Addresses)
				}
			}
		case "URL":
			u := strings.TrimSpace(un(p.Value))
			if cu.Website == "" && u != "" {
				cu.Website = u
			} else if u != "" {
				keep(p)
			}
		case "BDAY":
			d, ok := parseBirthday(p)
			switch {
			case !ok || !d.Valid():
				note(p, fmt.Sprintf("birthday %q not understood; kept unchanged for export", clip(p.Value)))
				keep(p)
			case cu.Birthday.IsZero():
				cu.Birthday = d
			default: // a second birthday has no field: kept
				keep(p)
			}
		case "NOTE":
			text := normalizeNewlines(un(p.Value))
			if cu.Memo != "" && text != "" {
				cu.Memo += "\n\n"
			}
			cu.Memo += text
		case "CATEGORIES":
			for _, t := range splitUnescaped(split[:0], p.Value, ',', un) {
				if t = strings.TrimSpace(t); t != "" && t != "myContacts" && t != "starred" {
					cu.Tags = append(cu.Tags, t)
				}
			}
		case "PHOTO":
			data, ok := photoData(p)
			switch {
			case ok && c.PhotoData == nil:
				c.PhotoData = data
			case ok: // a second photo: nowhere to put it but Extra
				keep(p)
			default:
				if !isURI(p) {
					note(p, "photo data could not be decoded; kept unchanged for export")
				}
				keep(p)
			}
		case "UID":
			if u := strings.TrimSpace(un(p.Value)); u != "" && len(cu.ExternalUIDs) == 0 {
				cu.ExternalUIDs = []string{u}
			} else if u != "" { // a second UID: kept, not taken for identity
				keep(p)
			}
		default:
			keep(p)
		}
	}
	for _, i := range labelProps {
		p := &rc.Props[i]
		// An address's label lives in Address.Label, even when other
		// properties of its group are kept.
		if g := group(p); g == nil || !g.mapped || g.kept && g.adr == 0 {
			keep(p)
		}
	}
	// Properties kept from an address's group (Apple's item2.X-ABADR)
	// are written next to it again on export.
	for _, g := range groups {
		if g.kept && g.adr > 0 {
			cu.Addresses[g.adr-1].Group = g.name
		}
	}
	splitSalutation(cu)
	if len(placeholders) > 0 {
		names := make([]string, len(placeholders))
		for i, p := range placeholders {
			names[i] = strings.TrimSpace(un(p.Value))
		}
		note(placeholders[0], fmt.Sprintf("Outlook placeholders for empty phone fields ignored: %s", clip(strings.Join(names, ", "))))
	}

	// Names: N is authoritative; without it FN is split, or taken as the
	// company name when it is one.
	if !hasN && fn != "" && !model.ValidEmail(fn) {
		if company || strings.EqualFold(fn, cu.Company) {
			if cu.Company == "" {
				cu.Company = fn
			}
		} else {
			given, family := splitFullName(fn)
			cu.GivenName, cu.FamilyName = given, family
		}
	}
	if company && cu.Company != "" {
		cu.Kind = model.Company
	}
	cu.Normalize()
	if err := cu.Validate(); err != nil {
		// A bad website is not worth losing the card over.
		if onlyField(err, "website") {
			for i := range rc.Props {
				if rc.Props[i].Name == "URL" && strings.TrimSpace(un(rc.Props[i].Value)) == cu.Website {
					note(&rc.Props[i], fmt.Sprintf("%q is not a web address; kept unchanged for export", clip(cu.Website)))
					keep(&rc.Props[i])
					break
				}
			}
			cu.Website = ""
			err = cu.Validate()
		}
		if err != nil {
			c.Err = err
			for _, f := range model.ErrorFields(err) {
				c.Problems = append(c.Problems, Problem{Card: rc.Index, Line: rc.Line, Field: f.Field, Reason: f.Message})
			}
		}
	}
}

func keepEscapes(s string) string { return s }

// splitSalutation takes the letter salutation off the front of the N
// prefix when the card says what it is (our own export writes N's prefix
// as "Frau Dr." and X-KUNDENKARTEI-SALUTATION:Frau).
func splitSalutation(cu *model.Customer) {
	s := cu.Salutation
	switch {
	case s == "":
	case cu.NamePrefix == s:
		cu.NamePrefix = ""
	case strings.HasPrefix(cu.NamePrefix, s+" "):
		cu.NamePrefix = strings.TrimSpace(cu.NamePrefix[len(s):])
	}
}

// orgParts splits ORG into the organization and its units; nested units
// are joined with "; " (model Customer.Department), so nothing is folded
// into the company name.
func orgParts(buf []string, v string, un func(string) string) (company, department string) {
	parts := splitUnescaped(buf, v, ';', un)
	company = strings.TrimSpace(parts[0])
	var units []string
	for _, s := range parts[1:] {
		if s = strings.TrimSpace(s); s != "" {
			units = append(units, s)
		}
	}
	return company, strings.Join(units, "; ")
}

// outlookPlaceholder reports whether a phone value is one of the field
// names Outlook 2003 writes for a phone field left empty.
func outlookPlaceholder(v string) bool {
	switch strings.ToLower(v) {
	case "businessphone", "business2phone", "homephone", "home2phone", "mobilephone", "businessfax",
		"homefax", "otherfax", "otherphone", "pager", "carphone", "assistantphone", "callbackphone",
		"companymainphone", "primaryphone", "radiophone", "ttytddphone", "telex", "isdn":
		return true
	}
	return false
}

func onlyField(err error, field string) bool {
	fs := model.ErrorFields(err)
	for _, f := range fs {
		if f.Field != field {
			return false
		}
	}
	return len(fs) > 0
}

// splitFullName splits "Hans Peter Müller" into "Hans Peter" and "Müller",
// and "Müller, Hans" into "Hans" and "Müller".
func splitFullName(fn string) (given, family string) {
	if f, g, ok := strings.Cut(fn, ","); ok {
		return strings.TrimSpace(g), strings.TrimSpace(f)
	}
	i := strings.LastIndexByte(fn, ' ')
	if i < 0 {
		return "", fn
	}
	return strings.TrimSpace(fn[:i]), strings.TrimSpace(fn[i+1:])
}

func normalizeNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
