package ical

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppendText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Offerte nachfassen", "Offerte nachfassen"},
		{"comma semicolon backslash", `a,b;c\d`, `a\,b\;c\\d`},
		{"LF", "a\nb", `a\nb`},
		{"CRLF is one break", "a\r\nb", `a\nb`},
		{"lone CR", "a\rb", `a\nb`},
		{"CR CR LF", "a\r\r\nb", `a\n\nb`},
		{"colon and quote stay", `Zeit: "9 Uhr"`, `Zeit: "9 Uhr"`},
		{"tab stays", "a\tb", "a\tb"},
		{"other controls dropped", "a\x00b\x1bc\x7f", "abc"},
		{"umlauts", "Müller – Grüße", "Müller – Grüße"},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendText(nil, tt.in)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAppendParamValue(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Europe/Zurich", "Europe/Zurich"},
		{"colon quoted", "a:b", `"a:b"`},
		{"semicolon quoted", "Müller; AG", `"Müller; AG"`},
		{"comma quoted", "Meier, Anna", `"Meier, Anna"`},
		{"DQUOTE as RFC 6868", `Der "Chef"`, `"Der ^'Chef^'"`},
		{"caret", "a^b", "a^^b"},
		{"newline", "a\r\nb", "a^nb"},
		{"no backslash escaping", `a\b`, `a\b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendParamValue(nil, tt.in)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		min  int
		want string
	}{
		{0, "PT0M"}, {-15, "-PT15M"}, {-60, "-PT1H"}, {-90, "-PT1H30M"},
		{-1440, "-P1D"}, {-1500, "-P1DT1H"}, {-1441, "-P1DT1M"}, {-2 * 1440, "-P2D"}, {45, "PT45M"},
	}
	for _, tt := range tests {
		if got := duration(tt.min); got != tt.want {
			t.Errorf("duration(%d): got %q, want %q", tt.min, got, tt.want)
		}
	}
}

func TestOffset(t *testing.T) {
	tests := []struct {
		sec  int
		want string
	}{
		{0, "+0000"}, {3600, "+0100"}, {-5 * 3600, "-0500"}, {5*3600 + 45*60, "+0545"}, {-(3*3600 + 30*60), "-0330"}, {1172, "+001932"},
	}
	for _, tt := range tests {
		if got := offset(tt.sec); got != tt.want {
			t.Errorf("offset(%d): got %q, want %q", tt.sec, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"short", "SUMMARY:x", "SUMMARY:x\r\n"},
		{"exactly 75", strings.Repeat("a", 75), strings.Repeat("a", 75) + "\r\n"},
		{"76", strings.Repeat("a", 76), strings.Repeat("a", 75) + "\r\n a\r\n"},
		{"continuation holds 74", strings.Repeat("a", 75+74+1), strings.Repeat("a", 75) + "\r\n " + strings.Repeat("a", 74) + "\r\n a\r\n"},
		// ü is two octets at 74..75: it must move to the next line whole.
		{"no split rune", strings.Repeat("a", 74) + "übc", strings.Repeat("a", 74) + "\r\n übc\r\n"},
		{"no split 4-byte rune", strings.Repeat("a", 73) + "😀z", strings.Repeat("a", 73) + "\r\n 😀z\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendFolded(nil, []byte(tt.in))); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// unescapeText reverses appendText the way RFC 5545 readers do.
func unescapeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// canonicalText is what a TEXT value can carry of s: valid UTF-8, line
// breaks as LF, no control characters but TAB.
func canonicalText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// FuzzTextLine checks, for any text, that the written property line obeys
// the framing rules and unfolds and unescapes to the text.
func FuzzTextLine(f *testing.F) {
	for _, s := range []string{"", "Offerte nachfassen", "a,b;c\\d", "a\r\nb\rc\nd", "Müller – Grüße 😀",
		strings.Repeat("ü", 100), strings.Repeat("a,", 80), "a\xffb\x00c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var out bytes.Buffer
		l := &lineWriter{w: &out}
		l.textProp("DESCRIPTION", s)
		if l.err != nil {
			t.Fatal(l.err)
		}
		raw := out.String()
		if !strings.HasSuffix(raw, "\r\n") {
			t.Fatalf("no CRLF at the end: %q", raw)
		}
		for _, line := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
			if len(line) > maxLine || !utf8.ValidString(line) || strings.ContainsAny(line, "\r\n") {
				t.Fatalf("bad physical line %q", line)
			}
		}
		logical := strings.ReplaceAll(strings.TrimSuffix(raw, "\r\n"), "\r\n ", "")
		value, ok := strings.CutPrefix(logical, "DESCRIPTION:")
		if !ok {
			t.Fatalf("got %q, want a DESCRIPTION line", logical)
		}
		if got, want := unescapeText(value), canonicalText(s); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}
