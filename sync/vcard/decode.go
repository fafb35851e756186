package vcard

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// Value decoding: quoted-printable, base64 text, character sets and vCard
// text escapes, so every value is UTF-8 text by the time mapCard reads it.

// decodeValue undoes quoted-printable and the card's character set, so
// every value is UTF-8 afterwards. Base64 is left for the consumer: only it
// knows whether the bytes are text or an image.
func decodeValue(p *prop, c *rawCard) {
	enc := upper(p.param("ENCODING"))
	charset := p.param("CHARSET")
	var raw []byte
	switch enc {
	case "QUOTED-PRINTABLE", "QP":
		raw = decodeQP(p.Value)
	case "B", "BASE64":
		v := stripSpace(p.Value)
		switch {
		case p.Name == "PHOTO" || p.Name == "LOGO" || p.Name == "SOUND" || p.Name == "KEY" || strings.HasPrefix(p.Name, "X-"):
			// Binary: the consumer decodes (or keeps) it.
			if utf8.ValidString(v) {
				p.Value = v
				return
			}
			raw = []byte(v)
		default:
			// A text value some exporters base64-encode: decode it and
			// drop the parameter, so the value reads as plain text.
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				b = []byte(v)
			}
			raw = b
			params := p.Params[:0:0]
			for _, q := range p.Params {
				if q.Name != "ENCODING" {
					params = append(params, q)
				}
			}
			p.Params = params
		}
	default:
		if charset == "" && utf8.ValidString(p.Value) {
			return
		}
		raw = []byte(p.Value)
	}
	if bytes.IndexByte(raw, '\r') >= 0 {
		// =0D=0A is how QP writes a line break inside a value; the model
		// keeps "\n" only.
		raw = bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	}
	if charset != "" && !strings.EqualFold(charset, "utf-8") && !strings.EqualFold(charset, "utf8") {
		if e, err := htmlindex.Get(charset); err == nil {
			if out, err := e.NewDecoder().Bytes(raw); err == nil {
				p.Value = string(out)
				return
			}
		}
		c.Problems = append(c.Problems, Problem{Card: c.Index, Line: p.Line, Field: p.Name, Reason: "unknown character set " + clip(charset) + ", read as Windows-1252"})
		p.Value = win1252(raw)
		return
	}
	if utf8.Valid(raw) {
		p.Value = string(raw)
		return
	}
	// Invalid UTF-8 and no charset: Outlook and old Windows tools write
	// Windows-1252 without saying so.
	p.Value = win1252(raw)
}

var cp1252Enc = charmap.Windows1252

func win1252(b []byte) string {
	out, err := cp1252Enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// decodeQP decodes quoted-printable leniently: a broken escape is kept as
// text instead of failing the value (mime/quotedprintable rejects it).
// Soft line breaks were joined by the pre-pass already.
func decodeQP(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		if c == '=' && i == len(s)-1 { // trailing soft break at the very end
			continue
		}
		out = append(out, c)
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'F' || c >= 'a' && c <= 'f'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func stripSpace(s string) string {
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
}

// unescape resolves vCard text escapes: \n \N \, \; \\ (and \: which some
// exporters write). An unknown escape keeps its character.
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i == len(s)-1 {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// unescape21 resolves the escapes of vCard 2.1 text: "\;" (the spec's
// only one) and "\," (which readers that treat commas as list separators,
// like vobject, need, and which the Outlook export writes).
func unescape21(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, `\;`, ";"), `\,`, ",")
}

// splitUnescaped splits s on sep where it is not escaped by a backslash and
// unescapes each part with un.
func splitUnescaped(parts []string, s string, sep byte, un func(string) string) []string {
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			parts = append(parts, un(s[start:i]))
			start = i + 1
		}
	}
	return append(parts, un(s[start:]))
}

func clip(s string) string {
	if len(s) > 60 {
		s = s[:60]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		return s + "…"
	}
	return s
}
