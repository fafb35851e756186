package model

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/unicode/norm"
)

// Fold maps s to the form search and dedupe compare: lower case, accents
// removed, German umlauts and their transliterations made equal ("Müller",
// "Mueller" and "Muller" all fold to "muller"), ß and ẞ to "ss", runs of
// spaces and punctuation to one space. It is applied to the stored text and
// to the query alike, so a prefix of a word folds to a prefix of its fold.
func Fold(s string) string {
	if isPlainLower(s) {
		return collapseVowelE(s)
	}
	if f, ok := foldLatin(s); ok {
		return collapseVowelE(f)
	}
	return collapseVowelE(foldSlow(s))
}

// foldSlow is Fold but for collapseVowelE, for any text: decomposed
// (NFD), accents dropped, letters lower-cased, separators one space.
func foldSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading separators
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r): // combining accents
			continue
		case r == 'ß' || r == 'ẞ':
			b.WriteString("ss")
			space = false
		case r == 'æ' || r == 'Æ':
			b.WriteString("ae")
			space = false
		case r == 'ø' || r == 'Ø':
			b.WriteByte('o')
			space = false
		case r == 'ł' || r == 'Ł':
			b.WriteByte('l')
			space = false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '@':
			b.WriteRune(unicode.ToLower(r))
			space = false
		case r == '.' || r == '-' || r == '_' || r == '+': // keep inside emails and domains
			b.WriteRune(r)
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// latinBase maps each precomposed letter below U+0250 (Latin-1, Latin
// Extended-A and -B) whose canonical decomposition is an ASCII letter and
// combining accents to that letter in lower case, as foldSlow folds it;
// 0 for any other rune. It is made from norm.NFD itself.
var latinBase = func() (t [0x250]byte) {
	for r := rune(0x80); r < 0x250; r++ {
		d := []rune(norm.NFD.String(string(r)))
		if len(d) < 2 || d[0] >= utf8.RuneSelf || !unicode.IsLetter(d[0]) {
			continue
		}
		accents := true
		for _, m := range d[1:] {
			accents = accents && isAccent(m)
		}
		if accents {
			t[r] = byte(unicode.ToLower(d[0]))
		}
	}
	return t
}()

// isAccent reports whether r is one of the Combining Diacritical Marks,
// which foldSlow drops (they are Mn, and decompose to Mn only).
func isAccent(r rune) bool { return r >= 0x300 && r <= 0x36F }

// foldLatin is foldSlow for text of ASCII, accented Latin letters and the
// letters Fold spells out (ß, æ, ø, ł), without decomposing the whole
// string: names and addresses of the DACH region are nearly all of it.
// ok is false for any other rune.
func foldLatin(s string) (f string, ok bool) {
	b := make([]byte, 0, len(s)+4)
	space := true // drop leading separators
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			c := byte(r)
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '@', c == '.', c == '-', c == '_', c == '+':
				b = append(b, c)
				space = false
			case c >= 'A' && c <= 'Z':
				b = append(b, c+'a'-'A')
				space = false
			default:
				if !space {
					b = append(b, ' ')
					space = true
				}
			}
		case r < 0x250 && latinBase[r] != 0:
			b = append(b, latinBase[r])
			space = false
		case isAccent(r):
		case r == 'ß' || r == 'ẞ':
			b = append(b, "ss"...)
			space = false
		case r == 'æ' || r == 'Æ':
			b = append(b, "ae"...)
			space = false
		case r == 'ø' || r == 'Ø':
			b = append(b, 'o')
			space = false
		case r == 'ł' || r == 'Ł':
			b = append(b, 'l')
			space = false
		default:
			return "", false
		}
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return string(b), true
}

// isPlainLower reports whether s is already lower-case ASCII letters, digits
// and single inner spaces: the common case, folded without allocation.
func isPlainLower(s string) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '@', c == '.', c == '-', c == '_', c == '+':
			prevSpace = false
		case c == ' ' && !prevSpace:
			prevSpace = true
		default:
			return false
		}
	}
	return true
}

// collapseVowelE turns "ae", "oe", "ue" into "a", "o", "u": the ASCII
// transliteration of ä, ö, ü meets the plain vowel the accent stripping left.
func collapseVowelE(s string) string {
	if !strings.Contains(s, "e") {
		return s
	}
	i := strings.Index(s, "ae")
	if j := strings.Index(s, "oe"); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if j := strings.Index(s, "ue"); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		b = append(b, c)
		for (c == 'a' || c == 'o' || c == 'u') && i+1 < len(s) && s[i+1] == 'e' { // all of them, so Fold is idempotent
			i++
		}
	}
	return string(b)
}

// FoldWords folds s and splits it into words.
func FoldWords(s string) []string { return strings.Fields(Fold(s)) }

// NormalizeEmail is the dedupe key of an email address: trimmed, lower case.
func NormalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// Digits returns only the ASCII digits of s.
func Digits(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// DefaultRegion is the region phone numbers without a country code are
// read in when the caller passes none ("CH", "DE", "AT" …).
const DefaultRegion = "CH"

// e164Cache memoizes the numbers only libphonenumber can parse: that takes
// 15-20 µs a number, and search, import and dedupe ask for the same numbers
// again and again. Numbers the fast path reads (about 270 ns) are not kept:
// storing them cost more than parsing them again, and a 100,000-card
// import filled the memo with 50 MB of numbers seen once. It is keyed by
// region, then by number, so a look-up builds no key.
var (
	e164Cache sync.Map // region → *sync.Map of number → parsedPhone
	e164Size  atomic.Int64
)

// E164 returns the number in E.164 form (+41791234567) read in region, or ""
// when it cannot be parsed as a possible number.
func E164(number, region string) string { return parsePhone(number, region).e164 }

// parsedPhone is what parsing a number once yields.
type parsedPhone struct {
	e164     string // "" when not a possible number
	national string // national significant number, "" likewise
}

// parsePhone parses number in region: the fast path for the common forms,
// libphonenumber (memoized) for the rest.
func parsePhone(number, region string) parsedPhone {
	number = strings.TrimSpace(number)
	if number == "" {
		return parsedPhone{}
	}
	region = strings.ToUpper(orDefault(region))
	if out, ok := fastPhone(number, region); ok {
		return out
	}
	m, ok := e164Cache.Load(region)
	if !ok {
		m, _ = e164Cache.LoadOrStore(region, new(sync.Map))
	}
	numbers := m.(*sync.Map)
	if v, ok := numbers.Load(number); ok {
		return v.(parsedPhone)
	}
	out := slowPhone(number, region)
	if e164Size.Add(1) > 50_000 { // bounded: one entry per distinct number typed
		e164Cache.Clear()
		e164Size.Store(0)
	}
	numbers.Store(strings.Clone(number), out) // not a slice of a whole file read in
	return out
}

// slowPhone parses number in region with libphonenumber.
func slowPhone(number, region string) parsedPhone {
	var out parsedPhone
	if num, err := phonenumbers.Parse(number, region); err == nil && phonenumbers.IsPossibleNumber(num) {
		out.e164 = phonenumbers.Format(num, phonenumbers.E164)
		out.national = strconv.FormatUint(num.GetNationalNumber(), 10)
	}
	return out
}

// PhoneKeys returns the digit strings search matches a phone number by: its
// E.164 digits (41791234567), its national number (791234567) and, when it
// differs, the digits as written without leading zeros (so "+41 (0)61 …"
// typed the way it is stored finds it). A query typed as "079 123 45 67" or
// "+41 79…" then matches by prefix of one of them or of a suffix.
func PhoneKeys(number, region string) []string {
	keys := []string{}
	add := func(k string) {
		if k == "" {
			return
		}
		for _, x := range keys {
			if x == k {
				return
			}
		}
		keys = append(keys, k)
	}
	if p := parsePhone(number, region); p.e164 != "" {
		add(strings.TrimPrefix(p.e164, "+"))
		add(p.national)
	}
	add(strings.TrimLeft(Digits(number), "0"))
	return keys
}

func orDefault(region string) string {
	if region == "" {
		return DefaultRegion
	}
	return region
}

// NameKey is the dedupe key of a customer's name and company: folded words
// sorted, so "Müller Hans" and "Hans Mueller" match.
func NameKey(c *Customer) string {
	words := FoldWords(strings.ReplaceAll(c.GivenName+" "+c.FamilyName, "-", " ")) // Hans-Peter = Hans Peter
	sortStrings(words)
	name := strings.Join(words, " ")
	return name + "|" + Fold(c.Company)
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Initial returns the upper-case first letter of the folded sort name, or "#".
func Initial(sortName string) string {
	r, _ := utf8.DecodeRuneInString(sortName)
	if unicode.IsLetter(r) {
		return string(unicode.ToUpper(r))
	}
	return "#"
}

// ParseRegion checks a two-letter region code for phone numbers ("CH").
func ParseRegion(s string) (string, error) {
	r := strings.ToUpper(strings.TrimSpace(s))
	if len(r) != 2 || r[0] < 'A' || r[0] > 'Z' || r[1] < 'A' || r[1] > 'Z' {
		return "", &Error{Code: EINVALID, Message: "invalid settings", Fields: []FieldError{{Field: "region", Key: "validation.region", Message: "region must be a two-letter country code like CH"}}}
	}
	return r, nil
}
