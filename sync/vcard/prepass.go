package vcard

import (
	"bytes"
	"fmt"
	"strings"

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
	Index    int // 1-based position in the file
	Line     int // line of BEGIN:VCARD
	Version  string
	Props    []prop
	Problems []Problem
}

// utf16Order reports whether b is UTF-16 (with a BOM, or recognised by
// its NUL bytes) and in which byte order. A UTF-8 BOM is stripped by the
// caller; other legacy charsets are handled per value, where the CHARSET
// parameter says which one applies.
func utf16Order(b []byte) (unicode.Endianness, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.LittleEndian, true
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.BigEndian, true
	case len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0:
		return unicode.LittleEndian, true
	case len(b) >= 4 && b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0:
		return unicode.BigEndian, true
	}
	return unicode.BigEndian, false
}

// fromUTF16 transcodes b to UTF-8; what decodes of a broken file (odd
// length or similar) is kept.
func fromUTF16(b []byte, e unicode.Endianness) []byte {
	out, _ := unicode.UTF16(e, unicode.UseBOM).NewDecoder().Bytes(b)
	return out
}

// item is one entry of a card as the splitter found it: a logical line
// for the parser, or a problem found while splitting. Kept in file order,
// so a card's problems come out in the order the lines are.
type item struct {
	text string   // the logical line; "" when prob is set
	line int      // physical line it starts on
	prob *Problem // a problem in place of a line, nil for a line
}

// pendingCard is one BEGIN:VCARD … END:VCARD block cut into logical
// lines, not yet parsed; the splitter makes them one after the other,
// the parser (parseCard) maps them, several at once.
type pendingCard struct {
	index, line int
	items       []item
}

// splitter runs the sequential part of the pre-pass: it cuts the stream
// of lines into cards of logical lines (RFC folding, QP soft breaks,
// unfolded 2.1 base64 joined) and collects the problems found outside any
// card.
type splitter struct {
	ls       *lineReader
	problems []Problem // outside any card
	cards    int       // cards begun so far
	cur      *pendingCard
	// begun is the card whose BEGIN:VCARD ended the previous one.
	begun *pendingCard
	// outsideRun is the length the problem list has while its last problem
	// is a run the next outside line extends; -1 for none. noColon is the
	// current card's problem for a run of lines without a colon, nil for
	// none.
	outsideRun   int
	noColon      *Problem
	noColonFirst string
	items        []item // shared by the cards of a batch; reset by newBatch
}

func newSplitter(ls *lineReader) *splitter { return &splitter{ls: ls, outsideRun: -1} }

// newBatch lets the next cards use a fresh item buffer (as large as the
// last one), so the cards already handed out can be parsed while the
// splitter goes on.
func (sp *splitter) newBatch() { sp.items = make([]item, 0, cap(sp.items)) }

func (sp *splitter) begin(line int) {
	sp.cards++
	sp.cur = &pendingCard{index: sp.cards, line: line}
	sp.noColon = nil
}

func (sp *splitter) add(it item) {
	sp.items = append(sp.items, it)
	sp.cur.items = sp.items[len(sp.items)-len(sp.cur.items)-1 : len(sp.items) : len(sp.items)]
}

func (sp *splitter) problem(p Problem) *Problem {
	p.Card = sp.cur.index
	sp.add(item{line: p.Line, prob: &p})
	return &p
}

// next returns the next card of the file, false at its end.
func (sp *splitter) next() (pendingCard, bool) {
	for {
		l, ok := sp.ls.next()
		if !ok {
			break
		}
		if sp.line(l) {
			c := *sp.cur
			// A card cut short by the next BEGIN:VCARD: that one goes on.
			sp.cur, sp.begun = sp.begun, nil
			sp.noColon = nil
			return c, true
		}
	}
	if sp.cur != nil {
		sp.problem(Problem{Line: sp.ls.line, Reason: "file ends inside a card (no END:VCARD)"})
		c := *sp.cur
		sp.cur = nil
		return c, true
	}
	return pendingCard{}, false
}

// line takes the physical line l (and its continuations) and reports
// whether it completed the current card.
func (sp *splitter) line(l string) bool {
	ls := sp.ls
	if strings.TrimSpace(l) == "" {
		return false
	}
	start := ls.line
	head, headEnd := splitHead(l)
	logical := l
	if headEnd >= 0 {
		logical = joinContinuations(ls, l, head)
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
	if sp.cur == nil {
		if headEnd >= 0 && isBegin(logical) {
			sp.begin(start)
			sp.outsideRun = -1
			return false
		}
		// One problem per run of such lines, not one per line.
		if n := len(sp.problems); n > 0 && sp.outsideRun == n {
			sp.problems[n-1].Reason = "text outside BEGIN:VCARD … END:VCARD ignored (lines " + fmt.Sprint(sp.problems[n-1].Line) + "–" + fmt.Sprint(ls.line) + ")"
			return false
		}
		sp.problems = append(sp.problems, Problem{Line: start, Reason: "text outside BEGIN:VCARD … END:VCARD ignored"})
		sp.outsideRun = len(sp.problems)
		return false
	}
	sp.outsideRun = -1
	if headEnd < 0 {
		if p := sp.noColon; p != nil {
			p.Reason = fmt.Sprintf("%d lines without a colon ignored (lines %d–%d), the first: %s", ls.line-p.Line+1, p.Line, ls.line, sp.noColonFirst)
			return false
		}
		sp.noColonFirst = clip(l)
		sp.noColon = sp.problem(Problem{Line: start, Reason: "line without a colon ignored: " + sp.noColonFirst})
		return false
	}
	sp.noColon = nil
	if isBegin(logical) {
		sp.problem(Problem{Line: sp.cur.line, Reason: fmt.Sprintf("card has no END:VCARD (the next card begins at line %d)", start)})
		sp.cards++
		sp.begun = &pendingCard{index: sp.cards, line: start}
		return true
	}
	if !isEnd(head) {
		sp.add(item{text: logical, line: start})
		return false
	}
	var scratch []param
	p, perr := parseProp(logical, start, &scratch)
	if perr != "" {
		sp.problem(Problem{Line: start, Reason: perr})
		return false
	}
	if !strings.EqualFold(strings.TrimSpace(p.Value), "VCARD") {
		sp.problem(Problem{Line: start, Field: "END", Reason: "unexpected END:" + clip(p.Value)})
		return false
	}
	return true
}

// isEnd reports whether the property of a line with this head is END
// (with any group or parameters).
func isEnd(head string) bool {
	name := head
	if i := strings.IndexByte(head, ';'); i >= 0 {
		name = head[:i]
	}
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return strings.EqualFold(strings.TrimSpace(name), "END")
}

// parseCard parses the logical lines of pc into properties with decoded
// values and maps them to c. props and params are scratch buffers the
// caller reuses from card to card: nothing of them stays in c.
func parseCard(pc *pendingCard, props *[]prop, params *[]param, c *Card) {
	rc := rawCard{Index: pc.index, Line: pc.line}
	*props, *params = (*props)[:0], (*params)[:0]
	for i := range pc.items {
		it := &pc.items[i]
		if it.prob != nil {
			rc.Problems = append(rc.Problems, *it.prob)
			continue
		}
		p, perr := parseProp(it.text, it.line, params)
		if perr != "" {
			rc.Problems = append(rc.Problems, Problem{Card: rc.Index, Line: it.line, Reason: perr})
			continue
		}
		if p.Name == "VERSION" {
			rc.Version = strings.TrimSpace(p.Value)
		}
		decodeValue(&p, &rc)
		*props = append(*props, p)
	}
	rc.Props = *props
	mapCard(&rc, c)
	compactCard(c)
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
func joinContinuations(ls *lineReader, first, head string) string {
	qp, b64 := false, false
	// Encodings are parameters, and each of them has a Q or a B: most
	// heads (TEL;type=CELL) have neither and need no further look.
	if strings.IndexByte(head, ';') >= 0 && strings.ContainsAny(head, "QqBb") {
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
		*buf = appendParamValues(*buf, upper(strings.TrimSpace(pn)), pv)
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
			return interned(s, upperWords, strings.ToUpper)
		}
	}
	return s
}

// upperWords and lowerWords are the names and type values exporters write
// in the other case most often (Apple: "type=WORK", Google: "tel;type=cell"),
// so changing their case costs no allocation.
var (
	upperWords = []string{"TYPE", "ENCODING", "CHARSET", "VALUE", "PREF", "TEL", "EMAIL", "ADR", "N", "FN", "ORG", "TITLE", "NOTE", "URL", "BDAY", "UID", "PHOTO", "CATEGORIES", "VERSION", "X-ABLABEL", "BASE64", "QUOTED-PRINTABLE", "B"}
	lowerWords = []string{"work", "home", "cell", "voice", "internet", "pref", "fax", "other", "mobile", "main", "iphone", "x-mobile"}
)

// interned returns the word of words that s equals ignoring case, or
// change(s) when there is none.
func interned(s string, words []string, change func(string) string) string {
	for _, w := range words {
		if len(w) == len(s) && strings.EqualFold(w, s) {
			return w
		}
	}
	return change(s)
}

// lower is strings.ToLower without an allocation for the common type
// words.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return interned(s, lowerWords, strings.ToLower)
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

// appendParamValues splits TYPE=WORK,VOICE and "work,voice" into one
// param per value.
func appendParamValues(buf []param, name, s string) []param {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
		if !strings.Contains(s, ",") {
			return append(buf, param{Name: name, Value: s})
		}
	}
	if !strings.Contains(s, ",") {
		return append(buf, param{Name: name, Value: strings.Trim(s, `"`)})
	}
	for {
		v, rest, more := strings.Cut(s, ",")
		buf = append(buf, param{Name: name, Value: strings.Trim(strings.TrimSpace(v), `"`)})
		if !more {
			return buf
		}
		s = rest
	}
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
