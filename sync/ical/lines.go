package ical

import (
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxLine is the longest physical line RFC 5545 §3.1 allows, in octets,
// without the CRLF.
const maxLine = 75

// lineWriter writes content lines with RFC 5545 folding and CRLF endings. It
// keeps the first write error, so the encoder can write a whole calendar and
// check once at the end.
type lineWriter struct {
	w   io.Writer
	buf []byte // the logical line being built
	out []byte // buf folded, reused
	err error
}

// begin starts a logical line with the property name.
func (l *lineWriter) begin(name string) {
	l.buf = append(l.buf[:0], name...)
}

// param appends ;NAME=value, quoting and escaping the value as needed.
func (l *lineWriter) param(name, value string) {
	l.buf = append(l.buf, ';')
	l.buf = append(l.buf, name...)
	l.buf = append(l.buf, '=')
	l.buf = appendParamValue(l.buf, value)
}

// text ends the line with an escaped TEXT value and writes it.
func (l *lineWriter) text(value string) {
	l.buf = append(l.buf, ':')
	l.buf = appendText(l.buf, value)
	l.flush()
}

// raw ends the line with a value that needs no escaping (dates, numbers,
// enumerated values) and writes it.
func (l *lineWriter) raw(value string) {
	l.buf = append(l.buf, ':')
	l.buf = append(l.buf, value...)
	l.flush()
}

// prop writes NAME:value for a value that needs no escaping.
func (l *lineWriter) prop(name, value string) {
	l.begin(name)
	l.raw(value)
}

// textProp writes NAME:value for a TEXT value.
func (l *lineWriter) textProp(name, value string) {
	l.begin(name)
	l.text(value)
}

// utc writes NAME:yyyymmddThhmmssZ.
func (l *lineWriter) utc(name string, t time.Time) {
	l.begin(name)
	l.buf = append(l.buf, ':')
	l.buf = appendDateTime(l.buf, t.UTC())
	l.buf = append(l.buf, 'Z')
	l.flush()
}

// local writes NAME;TZID=zone:yyyymmddThhmmss with t's wall time.
func (l *lineWriter) local(name, tzid string, t time.Time) {
	l.begin(name)
	l.param("TZID", tzid)
	l.buf = append(l.buf, ':')
	l.buf = appendDateTime(l.buf, t)
	l.flush()
}

// date writes NAME;VALUE=DATE:yyyymmdd.
func (l *lineWriter) date(name string, t time.Time) {
	l.begin(name)
	l.buf = append(l.buf, ";VALUE=DATE:"...)
	l.buf = appendDate(l.buf, t)
	l.flush()
}

// int writes NAME:n.
func (l *lineWriter) int(name string, n int) {
	l.begin(name)
	l.buf = append(l.buf, ':')
	l.buf = strconv.AppendInt(l.buf, int64(n), 10)
	l.flush()
}

// flush folds the logical line into physical lines of at most 75 octets,
// never inside a UTF-8 sequence, each ended by CRLF (RFC 5545 §3.1). A
// write error sticks in the bufio.Writer; the encoder reads it at the end.
func (l *lineWriter) flush() {
	l.out = appendFolded(l.out[:0], l.buf)
	if _, err := l.w.Write(l.out); err != nil && l.err == nil {
		l.err = err
	}
	l.buf = l.buf[:0]
}

// appendFolded appends line folded and terminated by CRLF. Continuation
// lines start with one space, which counts against their 75 octets.
func appendFolded(out, line []byte) []byte {
	limit := maxLine
	for len(line) > limit {
		cut := limit
		// Back off to the start of a rune so a multi-byte character is never
		// split across lines: parsers that decode each physical line (and
		// people reading the file) would see broken characters.
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		out = append(out, line[:cut]...)
		out = append(out, '\r', '\n', ' ')
		line = line[cut:]
		limit = maxLine - 1
	}
	out = append(out, line...)
	return append(out, '\r', '\n')
}

// textSpecial marks the bytes appendText cannot copy as they are.
var textSpecial = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = c != '\t'
	}
	t['\\'], t[';'], t[','], t[0x7f] = true, true, true, true
	return t
}()

// appendText appends s escaped as an RFC 5545 TEXT value (§3.3.11):
// backslash, semicolon and comma are escaped, every line break (CRLF, LF or
// a lone CR) becomes \n, and other control characters, which TEXT does not
// allow, are dropped. Invalid UTF-8 becomes U+FFFD.
func appendText(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !textSpecial[c] {
			continue
		}
		b = append(b, s[start:i]...)
		start = i + 1
		switch c {
		case '\\', ';', ',':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'n')
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
				start = i + 1
			}
		}
		// other control characters: not allowed in TEXT, dropped
	}
	return append(b, s[start:]...)
}

// appendParamValue appends s as a parameter value (RFC 5545 §3.2): quoted
// when it holds ':', ';' or ',' (which would otherwise end the parameter),
// with '^', newline and '"' encoded as RFC 6868 describes, because a quoted
// value cannot contain a DQUOTE at all.
func appendParamValue(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	quote := strings.ContainsAny(s, ":;,\"")
	if quote {
		b = append(b, '"')
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '^':
			b = append(b, '^', '^')
		case c == '"':
			b = append(b, '^', '\'')
		case c == '\n':
			b = append(b, '^', 'n')
		case c == '\r':
			b = append(b, '^', 'n')
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case c < 0x20 && c != '\t' || c == 0x7f:
		default:
			b = append(b, c)
		}
	}
	if quote {
		b = append(b, '"')
	}
	return b
}

// duration formats minutes as an RFC 5545 dur-value (§3.3.6), e.g. PT15M,
// PT1H30M, P1D, P1DT2H.
func duration(minutes int) string {
	var b []byte
	if minutes < 0 {
		b = append(b, '-')
		minutes = -minutes
	}
	b = append(b, 'P')
	d, h, m := minutes/(24*60), minutes/60%24, minutes%60
	if d > 0 {
		b = strconv.AppendInt(b, int64(d), 10)
		b = append(b, 'D')
	}
	if h > 0 || m > 0 || d == 0 {
		b = append(b, 'T')
		if h > 0 {
			b = strconv.AppendInt(b, int64(h), 10)
			b = append(b, 'H')
		}
		if m > 0 || h == 0 {
			b = strconv.AppendInt(b, int64(m), 10)
			b = append(b, 'M')
		}
	}
	return string(b)
}

// appendDate appends t's date in its location as yyyymmdd; it does what
// AppendFormat does, several times faster, which counts at 10,000 events.
func appendDate(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	b = appendTwo(b, y/100)
	b = appendTwo(b, y%100)
	b = appendTwo(b, int(m))
	return appendTwo(b, d)
}

// appendISODate appends t's date as yyyy-mm-dd, the form people read.
func appendISODate(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	b = appendTwo(b, y/100)
	b = appendTwo(b, y%100)
	b = append(b, '-')
	b = appendTwo(b, int(m))
	b = append(b, '-')
	return appendTwo(b, d)
}

// appendDateTime appends t's wall time as yyyymmddThhmmss.
func appendDateTime(b []byte, t time.Time) []byte {
	b = appendDate(b, t)
	hh, mm, ss := t.Clock()
	b = append(b, 'T')
	b = appendTwo(b, hh)
	b = appendTwo(b, mm)
	return appendTwo(b, ss)
}

const hexDigits = "0123456789abcdef"

// appendUUID appends id in its canonical text form without allocating.
func appendUUID(b []byte, id [16]byte) []byte {
	for i, c := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return b
}
