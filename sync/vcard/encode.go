package vcard

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kundenkartei/kundenkartei/model"
)

// The vCard versions Encode writes.
const (
	Version30      = "3.0"         // RFC 2426; the default, read by Apple, Google and Outlook
	Version40      = "4.0"         // RFC 6350
	VersionOutlook = "2.1-outlook" // vCard 2.1 in Windows-1252 with quoted-printable, for Outlook
)

// EncodeOptions tune Encode.
type EncodeOptions struct {
	Version string // Version30 (default when ""), Version40 or VersionOutlook
	ProdID  string // PRODID of 3.0/4.0 cards; "" means "-//Kundenkartei//Kundenkartei//DE"
}

// Encode writes customers as vCards. Selection (chosen customers, a tag,
// all) is the caller's: pass the customers to export, e.g. from
// Directory().Search(model.Query{Tag: t}) and ImportService.Customers.
//
// Text is escaped per RFC (\\ \n \, \; in text values only; emails,
// phones, URLs are not escaped, unlike go-vcard's encoder) and lines are
// folded at 75 octets without splitting a UTF-8 sequence. photos loads a
// customer's photo by Customer.Photo key (nil: no photos); an error from it
// aborts. The UID is the customer's first external UID, so the address book
// it came from recognises the card, or else urn:uuid:<ID>. Extra
// properties kept from an import are written back unchanged.
//
// N carries the honorific prefix and NameSuffix, ORG the company and its
// units (Department). The prefix is the letter salutation followed by
// NamePrefix ("Frau Dr."), so other address books greet the person as
// before; the salutation is also written as X-KUNDENKARTEI-SALUTATION,
// from which Parse splits the two again, so an export and re-import
// change nothing. An address keeps the item group it was
// imported in while properties of that group are kept (Apple's
// item2.X-ABADR), and they are written right after it (not in the Outlook
// variant, whose addresses carry no group).
//
// The Outlook variant writes 2.1 in Windows-1252: values with non-ASCII
// characters, line breaks or long lines are quoted-printable; a value with
// characters Windows-1252 lacks (Kovačević, Łódź, emoji) is written as
// CHARSET=UTF-8 quoted-printable instead, never with "?". Labels other
// than work/home/mobile/fax are dropped (Outlook has no custom labels).
func Encode(w io.Writer, customers []*model.Customer, photos func(key string) ([]byte, error), opt EncodeOptions) error {
	v := opt.Version
	switch v {
	case "":
		v = Version30
	case Version30, Version40, VersionOutlook:
	default:
		return model.Errorf(model.EINVALID, "unknown vCard version %q", opt.Version)
	}
	prodID := opt.ProdID
	if prodID == "" {
		prodID = "-//Kundenkartei//Kundenkartei//DE"
	}
	bw := bufio.NewWriter(w)
	e := &encoder{w: bw, v: v}
	for _, c := range customers {
		var photo []byte
		if c.Photo != "" && photos != nil {
			var err error
			if photo, err = photos(c.Photo); err != nil {
				return fmt.Errorf("photo of customer %s: %w", c.ID, err)
			}
		}
		e.card(c, photo, prodID)
		if e.err != nil {
			return model.WrapError(model.EINTERNAL, e.err, "write vCard")
		}
	}
	if err := bw.Flush(); err != nil {
		return model.WrapError(model.EINTERNAL, err, "write vCard")
	}
	return nil
}

type encoder struct {
	w   *bufio.Writer
	v   string
	err error
}

func (e *encoder) outlook() bool { return e.v == VersionOutlook }

func (e *encoder) card(c *model.Customer, photo []byte, prodID string) {
	e.raw("BEGIN:VCARD")
	switch e.v {
	case Version40:
		e.raw("VERSION:4.0")
	case Version30:
		e.raw("VERSION:3.0")
	default:
		e.raw("VERSION:2.1")
	}
	if !e.outlook() {
		e.prop("", "PRODID", nil, prodID, false)
	}
	if e.v == Version40 && c.Kind == model.Company {
		e.raw("KIND:org")
	}
	prefix := strings.TrimSpace(c.Salutation + " " + c.NamePrefix)
	e.prop("", "N", nil, e.structured(c.FamilyName, c.GivenName, "", prefix, c.NameSuffix), true)
	e.prop("", "FN", nil, e.text(c.DisplayName()), true)
	if c.Company != "" || c.Department != "" {
		org := []string{c.Company}
		if c.Department != "" {
			org = append(org, strings.Split(c.Department, "; ")...)
		}
		e.prop("", "ORG", nil, e.structured(org...), true)
	}
	if c.Position != "" {
		e.prop("", "TITLE", nil, e.text(c.Position), true)
	}
	if e.v == Version30 && c.Kind == model.Company {
		e.raw("X-ABShowAs:COMPANY")
	}

	if c.Salutation != "" {
		e.prop("", salutationProp, nil, e.text(c.Salutation), true)
	}

	groups := newGroups(c.Extra)
	for _, m := range c.Emails {
		ps, custom := e.typeParams(m.Label, m.Pref, "INTERNET")
		e.labelled(groups.of(custom), "EMAIL", ps, m.Address, m.Label)
	}
	for _, p := range c.Phones {
		ps, custom := e.typeParams(p.Label, p.Pref, "VOICE")
		e.labelled(groups.of(custom), "TEL", ps, p.Number, p.Label)
	}
	written := e.addresses(c, groups)
	if c.Website != "" {
		e.prop("", "URL", nil, c.Website, false)
	}
	if !c.Birthday.IsZero() {
		e.prop("", "BDAY", nil, e.date(c.Birthday), false)
	}
	if c.Memo != "" {
		e.prop("", "NOTE", nil, e.text(c.Memo), true)
	}
	if len(c.Tags) > 0 {
		parts := make([]string, len(c.Tags))
		for i, t := range c.Tags {
			parts[i] = e.text(t)
			if e.outlook() {
				parts[i] = strings.ReplaceAll(parts[i], ",", " ")
			}
		}
		e.prop("", "CATEGORIES", nil, strings.Join(parts, ","), true)
	}
	if len(photo) > 0 {
		e.photo(photo)
	}
	uid := "urn:uuid:" + c.ID.String()
	if len(c.ExternalUIDs) > 0 {
		uid = c.ExternalUIDs[0]
	}
	e.prop("", "UID", nil, uid, false)
	for _, x := range c.Extra {
		if x.Group == "" || !written[strings.ToLower(x.Group)] {
			e.extra(x)
		}
	}
	e.raw("END:VCARD")
}

// salutationProp carries the letter salutation (model Customer.Salutation),
// which vCard has no property for.
const salutationProp = "X-KUNDENKARTEI-SALUTATION"

// addresses writes the ADR properties. An address whose item group still
// has kept properties is written in that group, followed by them; it
// returns those groups (lower case), whose extras are then written.
func (e *encoder) addresses(c *model.Customer, gs *groups) map[string]bool {
	var written map[string]bool
	for _, a := range c.Addresses {
		ps, custom := e.typeParams(a.Label, a.Pref, "")
		v := e.structured(a.POBox, a.Extended, a.Street, a.City, a.Region, a.PostalCode, a.Country)
		// Outlook gets its addresses without groups, which it may not read.
		own := a.Group != "" && !e.outlook() && gs.used[strings.ToLower(a.Group)] && !written[strings.ToLower(a.Group)]
		if !own {
			e.labelled(gs.of(custom), "ADR", ps, v, a.Label)
			continue
		}
		e.prop(a.Group, "ADR", ps, v, true)
		if custom {
			e.prop(a.Group, "X-ABLabel", nil, e.text(a.Label), true)
		}
		for _, x := range c.Extra {
			// The address's label is its Label, not a kept X-ABLabel.
			if strings.EqualFold(x.Group, a.Group) && !strings.EqualFold(x.Name, "X-ABLABEL") {
				e.extra(x)
			}
		}
		if written == nil {
			written = map[string]bool{}
		}
		written[strings.ToLower(a.Group)] = true
	}
	return written
}

// groups hands out Apple-style item groups that do not clash with the
// groups of kept extra properties.
type groups struct {
	used map[string]bool
	n    int
}

func newGroups(extra []model.ExtraProp) *groups {
	g := &groups{}
	for _, x := range extra {
		if x.Group != "" {
			if g.used == nil {
				g.used = map[string]bool{}
			}
			g.used[strings.ToLower(x.Group)] = true
		}
	}
	return g
}

// of returns a fresh group when custom is set, else "".
func (g *groups) of(custom bool) string {
	if !custom {
		return ""
	}
	return g.next()
}

func (g *groups) next() string {
	for {
		g.n++
		s := "item" + strconv.Itoa(g.n)
		if !g.used[s] {
			return s
		}
	}
}

// typeParams returns the TYPE (and PREF) parameters for a label, and
// whether the label is a custom one that only X-ABLabel (in an item group)
// can carry.
func (e *encoder) typeParams(label string, pref bool, base string) ([]param, bool) {
	var ps []param
	add := func(v string) { ps = append(ps, param{Name: "TYPE", Value: v}) }
	if base == "INTERNET" && e.v != Version40 {
		add(base)
	}
	custom := false
	switch l, rank := stdLabel(strings.ToLower(label)); {
	case l == model.LabelMobile:
		add("CELL")
	case l == model.LabelFax:
		add("FAX")
	case rank > 0:
		add(strings.ToUpper(l))
	case label != "" && !e.outlook():
		custom = true
	}
	if base == "VOICE" && e.v != Version40 && len(ps) > 0 && ps[len(ps)-1].Value != "FAX" && ps[len(ps)-1].Value != "CELL" {
		add(base)
	}
	if pref {
		if e.v == Version40 {
			ps = append(ps, param{Name: "PREF", Value: "1"})
		} else {
			add("PREF")
		}
	}
	if e.v == Version40 {
		for i := range ps {
			ps[i].Value = strings.ToLower(ps[i].Value)
		}
	}
	return ps, custom
}

func (e *encoder) labelled(group, name string, ps []param, value, label string) {
	e.prop(group, name, ps, value, false)
	if group != "" {
		e.prop(group, "X-ABLabel", nil, e.text(label), true)
	}
}

func (e *encoder) date(d model.Date) string {
	switch {
	case e.v == Version30 && d.HasYear():
		return d.String()
	case e.v == Version30:
		return fmt.Sprintf("--%02d-%02d", int(d.Month), d.Day)
	case d.HasYear():
		return fmt.Sprintf("%04d%02d%02d", d.Year, int(d.Month), d.Day)
	}
	return fmt.Sprintf("--%02d%02d", int(d.Month), d.Day)
}

func (e *encoder) photo(data []byte) {
	mime := http.DetectContentType(data)
	typ := strings.ToUpper(strings.TrimPrefix(mime, "image/"))
	b64 := base64.StdEncoding.EncodeToString(data)
	switch e.v {
	case Version40:
		if !strings.HasPrefix(mime, "image/") {
			mime = "image/jpeg"
		}
		e.prop("", "PHOTO", nil, "data:"+mime+";base64,"+b64, false)
	case Version30:
		e.prop("", "PHOTO", []param{{"ENCODING", "b"}, {"TYPE", typ}}, b64, false)
	default:
		// 2.1: base64 on indented lines, ended by an empty line.
		e.raw("PHOTO;ENCODING=BASE64;TYPE=" + typ + ":")
		for len(b64) > 0 {
			n := min(72, len(b64))
			e.raw("  " + b64[:n])
			b64 = b64[n:]
		}
		e.raw("")
	}
}

func (e *encoder) extra(x model.ExtraProp) {
	switch strings.ToUpper(x.Name) {
	case "BEGIN", "END", "VERSION":
		return // would break the card's structure
	}
	var ps []param
	names := make([]string, 0, len(x.Params))
	for n := range x.Params {
		names = append(names, n)
	}
	sort.Strings(names)
	b64 := false
	for _, n := range names {
		for _, v := range x.Params[n] {
			if strings.EqualFold(n, "ENCODING") && (strings.EqualFold(v, "b") || strings.EqualFold(v, "base64")) {
				b64 = true
				if e.outlook() {
					v = "BASE64"
				} else {
					v = "b"
				}
			}
			ps = append(ps, param{Name: strings.ToUpper(n), Value: v})
		}
	}
	if b64 && e.outlook() {
		e.prop(x.Group, x.Name, ps, x.Value, false)
		e.raw("")
		return
	}
	e.prop(x.Group, x.Name, ps, x.Value, false)
}

// text escapes a text value; in 2.1 only ';' and ',' are escaped, and only
// in structured values (see structured).
func (e *encoder) text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if e.outlook() {
		return s
	}
	if !strings.ContainsAny(s, "\\\n,;\r") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\n', '\r':
			b.WriteString(`\n`)
		case ',':
			b.WriteString(`\,`)
		case ';':
			b.WriteString(`\;`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (e *encoder) structured(parts ...string) string {
	for i, p := range parts {
		if e.outlook() {
			parts[i] = strings.NewReplacer("\r\n", "\n", ";", `\;`, ",", `\,`).Replace(p)
		} else {
			parts[i] = e.text(p)
		}
	}
	return strings.Join(parts, ";")
}

func (e *encoder) raw(s string) {
	if e.err != nil {
		return
	}
	if _, err := e.w.WriteString(s); err != nil {
		e.err = err
		return
	}
	_, e.err = e.w.WriteString("\r\n")
}

// prop writes one property. text says the value may hold characters the
// Outlook variant must quote-print; values are already escaped.
func (e *encoder) prop(group, name string, ps []param, value string, text bool) {
	if e.err != nil {
		return
	}
	var b strings.Builder
	if group != "" {
		b.WriteString(group)
		b.WriteByte('.')
	}
	b.WriteString(name)
	if e.outlook() {
		for _, p := range ps {
			b.WriteByte(';')
			if p.Name == "TYPE" {
				b.WriteString(p.Value) // 2.1 bare parameter
			} else {
				b.WriteString(p.Name + "=" + p.Value)
			}
		}
		e.outlookValue(b.String(), value)
		return
	}
	writeParams(&b, ps)
	b.WriteByte(':')
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(value, "\r", ""), "\n", `\n`))
	e.folded(b.String())
}

// writeParams writes ;NAME=v1,v2 with values of one name joined.
func writeParams(b *strings.Builder, ps []param) {
	for i := 0; i < len(ps); i++ {
		if i > 0 && ps[i].Name == ps[i-1].Name {
			b.WriteByte(',')
		} else {
			b.WriteString(";" + ps[i].Name + "=")
		}
		v := ps[i].Value
		if strings.ContainsAny(v, ":;,") {
			v = `"` + strings.ReplaceAll(v, `"`, "'") + `"`
		}
		b.WriteString(v)
	}
}

// folded writes line folded at 75 octets; a fold never splits a UTF-8
// sequence, and continuation lines start with one space.
func (e *encoder) folded(line string) {
	limit := 75
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if cut <= 1 {
			// No character starts in the first 75 bytes (bytes that are
			// not UTF-8): cut anywhere rather than fold forever.
			cut = limit
		}
		e.raw(line[:cut])
		line = " " + line[cut:]
		limit = 75
	}
	e.raw(line)
}

// outlookValue writes a 2.1 property in Windows-1252, quoted-printable
// when the value has non-ASCII bytes, line breaks or would be long. A
// value Windows-1252 cannot hold is written as UTF-8, quoted-printable.
func (e *encoder) outlookValue(head, value string) {
	enc, ok := toWin1252(value)
	charset := "Windows-1252"
	if !ok {
		enc, charset = []byte(value), "UTF-8"
	}
	needQP := len(head)+1+len(enc) > 75 || strings.Contains(value, "\n")
	for i := 0; i < len(enc) && !needQP; i++ {
		needQP = enc[i] >= 0x80 || enc[i] < 0x20
	}
	if !needQP {
		e.raw(head + ":" + string(enc))
		return
	}
	if strings.HasPrefix(head, "PHOTO") || strings.Contains(head, "ENCODING=") {
		e.raw(head + ":" + string(enc))
		return
	}
	var b strings.Builder
	b.WriteString(head)
	if hasNonASCII(enc) {
		b.WriteString(";CHARSET=" + charset)
	}
	b.WriteString(";ENCODING=QUOTED-PRINTABLE:")
	col := b.Len()
	const hexd = "0123456789ABCDEF"
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		var tok string
		switch {
		case c == '\n':
			tok = "=0D=0A"
		case c >= 0x80 || c < 0x20 || c == '=' || (c == ' ' && i == len(enc)-1):
			tok = string([]byte{'=', hexd[c>>4], hexd[c&15]})
		default:
			tok = string(c)
		}
		if col+len(tok) > 75 { // room for the soft-break "="
			b.WriteString("=\r\n")
			col = 0
		}
		b.WriteString(tok)
		col += len(tok)
	}
	e.raw(b.String())
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// toWin1252 encodes s in Windows-1252; false when s has a character
// Windows-1252 lacks.
func toWin1252(s string) ([]byte, bool) {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r < 0x80 {
			out = append(out, byte(r))
			continue
		}
		b, ok := cp1252Enc.EncodeRune(r)
		if !ok {
			return nil, false
		}
		out = append(out, b)
	}
	return out, true
}
