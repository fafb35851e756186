package ical

import (
	"bufio"
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
	w   *bufio.Writer
	buf []byte // the logical line being built
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
	l.buf = t.UTC().AppendFormat(l.buf, "20060102T150405Z")
	l.flush()
}

// local writes NAME;TZID=zone:yyyymmddThhmmss with t's wall time.
func (l *lineWriter) local(name, tzid string, t time.Time) {
	l.begin(name)
	l.param("TZID", tzid)
	l.buf = append(l.buf, ':')
	l.buf = t.AppendFormat(l.buf, "20060102T150405")
	l.flush()
}

// date writes NAME;VALUE=DATE:yyyymmdd.
func (l *lineWriter) date(name string, t time.Time) {
	l.begin(name)
	l.buf = append(l.buf, ";VALUE=DATE:"...)
	l.buf = t.AppendFormat(l.buf, "20060102")
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
// never inside a UTF-8 sequence, each ended by CRLF (RFC 5545 §3.1).
func (l *lineWriter) flush() {
	if l.err != nil {
		return
	}
	_, l.err = l.w.Write(fold(l.buf))
	l.buf = l.buf[:0]
}

// fold returns line folded and terminated by CRLF. Continuation lines start
// with one space, which counts against their 75 octets.
func fold(line []byte) []byte {
	if len(line) <= maxLine {
		return append(line, '\r', '\n')
	}
	out := make([]byte, 0, len(line)+len(line)/maxLine*3+3)
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

// appendText appends s escaped as an RFC 5545 TEXT value (§3.3.11):
// backslash, semicolon and comma are escaped, every line break (CRLF, LF or
// a lone CR) becomes \n, and other control characters, which TEXT does not
// allow, are dropped. Invalid UTF-8 becomes U+FFFD.
func appendText(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			b = append(b, '\\', '\\')
		case c == ';':
			b = append(b, '\\', ';')
		case c == ',':
			b = append(b, '\\', ',')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'n')
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case c == '\t':
			b = append(b, c)
		case c < 0x20 || c == 0x7f:
			// not allowed in TEXT; nothing a user needs to see
		default:
			b = append(b, c)
		}
	}
	return b
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
