package vcard

import (
	"bytes"
	"fmt"
	"strings"
	"unsafe"

	"golang.org/x/text/encoding/unicode"
)

// The pre-pass turns the bytes of a .vcf file into cards of logical
// properties with decoded values. It exists because go-vcard loses data on
// real exports (DESIGN.md §7): it knows no QUOTED-PRINTABLE or CHARSET,
// drops 2.1 bare parameters, fails on a BOM and stops at the first broken
// card. Everything here is lenient: odd input becomes a Problem, never an
// abort.

// prop is one logical property line of a card.
type prop struct {
	Group  string  // e.g. "item1" of Apple's "item1.EMAIL"; "" for none
	Name   string  // upper case, e.g. "TEL"
	Params []param // in the order written; bare 2.1 parameters already named
	Value  string  // QP and charset decoded to UTF-8; still vCard-escaped
	Line   int     // 1-based physical line the property starts on
}

// param is one parameter; a list value like TYPE=WORK,VOICE is split into
// one param per value so lookups need no further parsing.
type param struct {
	Name  string // upper case
	Value string // as written, unquoted
}

// param returns the first value of parameter name, or "".
func (p *prop) param(name string) string {
	for _, q := range p.Params {
		if q.Name == name {
			return q.Value
		}
	}
	return ""
}

// rawCard is one BEGIN:VCARD … END:VCARD block.
type rawCard struct {
	first    int // index of its first prop in the file's shared prop buffer
	Index    int // 1-based position in the file
	Line     int // line of BEGIN:VCARD
	Version  string
	Props    []prop
	Problems []Problem
}

// decodeText returns the file as UTF-8 text: a UTF-8 BOM is stripped and
// UTF-16 (with a BOM, or recognised by its NUL bytes) is transcoded. Other
// legacy charsets are handled per value, where the CHARSET parameter says
// which one applies.
func decodeText(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return bytesToString(b[3:])
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return fromUTF16(b, unicode.LittleEndian)
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return fromUTF16(b, unicode.BigEndian)
	case len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0:
		return fromUTF16(b, unicode.LittleEndian)
	case len(b) >= 4 && b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0:
		return fromUTF16(b, unicode.BigEndian)
	}
	return bytesToString(b)
}

// bytesToString returns b as a string without copying it; the file's
// bytes are several megabytes and never change after reading, and every
// value the parser returns is a substring of them.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func fromUTF16(b []byte, e unicode.Endianness) string {
	out, err := unicode.UTF16(e, unicode.UseBOM).NewDecoder().Bytes(b)
	if err != nil { // odd length or similar: keep what decoded
		return string(out)
	}
	return string(out)
}

// lineScanner splits text into lines on CRLF, LF, a lone CR, or CR CR LF
// (what the iPhone's export writes: a CR too many before every CRLF, so
// taking it for a line end of its own would put an empty line between a
// folded line and its continuation).
type lineScanner struct {
	s    string
	pos  int
	line int // number of the line last returned
}

func (ls *lineScanner) next() (string, bool) {
	if ls.pos >= len(ls.s) {
		return "", false
	}
	rest := ls.s[ls.pos:]
	i := strings.IndexAny(rest, "\r\n")
	ls.line++
	if i < 0 {
		ls.pos = len(ls.s)
		return rest, true
	}
	l := rest[:i]
	ls.pos += i + 1
	if rest[i] == '\r' {
		switch {
		case i+1 < len(rest) && rest[i+1] == '\n':
			ls.pos++
		case i+2 < len(rest) && rest[i+1] == '\r' && rest[i+2] == '\n':
			ls.pos += 2
		}
	}
	return l, true
}

// peek returns the next line without consuming it.
func (ls *lineScanner) peek() (string, bool) {
	save, saveLine := ls.pos, ls.line
	l, ok := ls.next()
	ls.pos, ls.line = save, saveLine
	return l, ok
}

// splitCards runs the pre-pass over text and returns the cards and the
// problems found outside any card.
func splitCards(text string) ([]rawCard, []Problem) {
	var (
		cards    = make([]rawCard, 0, strings.Count(text, "BEGIN:VCARD")+strings.Count(text, "begin:vcard"))
		problems []Problem
		cur      *rawCard
		ls       = lineScanner{s: text}
		// Props and params of all cards share two buffers, so a card
		// costs a few allocations instead of one per property; each card
		// keeps a capped sub-slice, valid even after the buffer regrows.
		props  = make([]prop, 0, strings.Count(text, "\n")+1)
		params = make([]param, 0, strings.Count(text, ";")+1)
		// outsideRun and noColonRun are the length the problem list
		// has while its last problem is a run the next line of the same
		// kind extends; -1 for none.
		outsideRun, noColonRun = -1, -1
		noColonFirst           string
	)
	for {
		l, ok := ls.next()
		if !ok {
			break
		}
		if strings.TrimSpace(l) == "" {
			continue
		}
		start := ls.line
		head, headEnd := splitHead(l)
		logical := l
		if headEnd >= 0 {
			logical = joinContinuations(&ls, l, head)
		} else {
			// No colon: a folded tail whose head was lost, or garbage.
			for {
				n, ok := ls.peek()
				if !ok || n == "" || (n[0] != ' ' && n[0] != '\t') {
					break
				}
				ls.next()
			}
		}
		if cur == nil {
			if headEnd >= 0 && isBegin(logical) {
				cards = append(cards, rawCard{Index: len(cards) + 1, Line: start, first: len(props)})
				cur = &cards[len(cards)-1]
				outsideRun = -1
				continue
			}
			// One problem per run of such lines, not one per line.
			if n := len(problems); n > 0 && outsideRun == n {
				problems[n-1].Reason = "text outside BEGIN:VCARD … END:VCARD ignored (lines " + fmt.Sprint(problems[n-1].Line) + "–" + fmt.Sprint(ls.line) + ")"
				continue
			}
			problems = append(problems, Problem{Line: start, Reason: "text outside BEGIN:VCARD … END:VCARD ignored"})
			outsideRun = len(problems)
			continue
		}
		outsideRun = -1
		if headEnd < 0 {
			if n := len(cur.Problems); n > 0 && noColonRun == n {
				cur.Problems[n-1].Reason = fmt.Sprintf("%d lines without a colon ignored (lines %d–%d), the first: %s", ls.line-cur.Problems[n-1].Line+1, cur.Problems[n-1].Line, ls.line, noColonFirst)
				continue
			}
			noColonFirst = clip(l)
			cur.Problems = append(cur.Problems, Problem{Card: cur.Index, Line: start, Reason: "line without a colon ignored: " + noColonFirst})
			noColonRun = len(cur.Problems)
			continue
		}
		noColonRun = -1
		if isBegin(logical) {
			cur.Problems = append(cur.Problems, Problem{Card: cur.Index, Line: cur.Line, Reason: fmt.Sprintf("card has no END:VCARD (the next card begins at line %d)", start)})
			cards = append(cards, rawCard{Index: len(cards) + 1, Line: start, first: len(props)})
			cur = &cards[len(cards)-1]
			continue
		}
		p, perr := parseProp(logical, start, &params)
		if perr != "" {
			cur.Problems = append(cur.Problems, Problem{Card: cur.Index, Line: start, Reason: perr})
			continue
		}
		switch p.Name {
		case "END":
			if !strings.EqualFold(strings.TrimSpace(p.Value), "VCARD") {
				cur.Problems = append(cur.Problems, Problem{Card: cur.Index, Line: start, Field: "END", Reason: "unexpected END:" + clip(p.Value)})
				continue
			}
			cur = nil
			continue
		case "VERSION":
			cur.Version = strings.TrimSpace(p.Value)
		}
		decodeValue(&p, cur)
		props = append(props, p)
		cur.Props = props[cur.first:len(props):len(props)]
	}
	if cur != nil {
		cur.Problems = append(cur.Problems, Problem{Card: cur.Index, Line: ls.line, Reason: "file ends inside a card (no END:VCARD)"})
	}
	return cards, problems
}

func isBegin(l string) bool {
	if len(l) < 11 || !strings.EqualFold(l[:6], "BEGIN:") {
		return false
	}
	return strings.EqualFold(strings.TrimSpace(l[6:]), "VCARD")
}

// splitHead returns the part before the first colon outside a quoted
// parameter value, and the colon's index (-1 when there is none).
func splitHead(l string) (string, int) {
	quoted := false
	for i := 0; i < len(l); i++ {
		switch l[i] {
		case '"':
			quoted = !quoted
		case ':':
			if !quoted {
				return l[:i], i
			}
		}
	}
	// An unbalanced quote: fall back to the first colon.
	if i := strings.IndexByte(l, ':'); i >= 0 {
		return l[:i], i
	}
	return "", -1
}

// joinContinuations reads the physical lines that continue first and
// returns the logical line. Three kinds of continuation exist in the wild:
// RFC folding (a leading space or tab), quoted-printable soft line breaks (a
// trailing "="), and vCard 2.1 base64 data on unindented lines.
func joinContinuations(ls *lineScanner, first, head string) string {
	qp, b64 := false, false
	if strings.IndexByte(head, ';') >= 0 { // encodings are parameters
		qp = containsFold(head, "QUOTED-PRINTABLE")
		b64 = containsFold(head, "BASE64") || containsFold(head, "ENCODING=B")
	}
	var buf []byte // nil while the logical line is just first
	cur := first
	for {
		n, ok := ls.peek()
		if !ok {
			break
		}
		switch {
		case qp && strings.HasSuffix(cur, "="):
			// Soft line break: the "=" goes, the next line is content as is.
			if buf == nil {
				buf = append(make([]byte, 0, 2*len(first)), first...)
			}
			buf = append(buf[:len(buf)-1], n...)
		case n != "" && (n[0] == ' ' || n[0] == '\t'):
			if buf == nil {
				buf = append(make([]byte, 0, 2*len(first)), first...)
			}
			if b64 {
				buf = append(buf, strings.TrimSpace(n)...)
			} else {
				buf = append(buf, n[1:]...)
			}
		case b64 && n != "" && isBase64Line(n):
			if buf == nil {
				buf = append(make([]byte, 0, 2*len(first)), first...)
			}
			buf = append(buf, n...)
		default:
			if buf == nil {
				return first
			}
			return string(buf)
		}
		ls.next()
		cur = n
	}
	if buf == nil {
		return first
	}
	return string(buf)
}

// containsFold reports whether s contains the upper-case ASCII word sub,
// ignoring case, without allocating.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if c >= 'a' && c <= 'z' {
				c -= 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

func isBase64Line(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	// Every property line has a colon, which base64 lacks, so such a line
	// can only be data.
	return true
}

// parseProp parses a logical line into group, name, parameters and the raw
// value. It returns a reason when the line is not a property.
func parseProp(l string, line int, buf *[]param) (prop, string) {
	head, colon := splitHead(l)
	p := prop{Line: line, Value: l[colon+1:]}
	name := head
	var rest string
	if i := strings.IndexByte(head, ';'); i >= 0 {
		name, rest = head[:i], head[i+1:]
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		p.Group, name = name[:i], name[i+1:]
	}
	name = strings.TrimSpace(name)
	if name == "" || !validName(name) {
		return p, "not a property: " + clip(l)
	}
	p.Name = upper(name)
	first := len(*buf)
	for rest != "" {
		var part string
		part, rest = cutParam(rest)
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		pn, pv, hasEq := strings.Cut(part, "=")
		if !hasEq { // vCard 2.1 bare parameter: WORK, QUOTED-PRINTABLE, UTF-8 …
			*buf = append(*buf, bareParam(part))
			continue
		}
		pn = upper(strings.TrimSpace(pn))
		for _, v := range splitParamValues(pv) {
			*buf = append(*buf, param{Name: pn, Value: v})
		}
	}
	if len(*buf) > first {
		p.Params = (*buf)[first:len(*buf):len(*buf)]
	}
	return p, ""
}

func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func upper(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}

// cutParam cuts the parameter list at the first ';' outside quotes.
func cutParam(s string) (string, string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case ';':
			if !quoted {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

// splitParamValues splits TYPE=WORK,VOICE and "work,voice" into values.
func splitParamValues(s string) []string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
		if !strings.Contains(s, ",") {
			return []string{s}
		}
	}
	if !strings.Contains(s, ",") {
		return []string{strings.Trim(s, `"`)}
	}
	vs := strings.Split(s, ",")
	for i := range vs {
		vs[i] = strings.Trim(strings.TrimSpace(vs[i]), `"`)
	}
	return vs
}

// bareParam names a vCard 2.1 parameter written without a name.
func bareParam(v string) param {
	switch u := upper(v); u {
	case "QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B":
		return param{Name: "ENCODING", Value: u}
	case "UTF-8", "UTF8":
		return param{Name: "CHARSET", Value: u}
	}
	return param{Name: "TYPE", Value: v}
}
