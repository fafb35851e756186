package model

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// The phone numbers of an address book are nearly all written as digits
// parted by spaces, dashes, slashes, dots or parentheses, perhaps after a
// "+": "+41 79 123 45 67", "044/123 45 67", "+41 (0)61 987 65 43". libphonenumber's Parse spends about 10 µs on each,
// most of it in a regular expression looking for an extension ("ext. 12",
// "x12", "#12"), which such a number cannot have; a 10,000-card import
// brings 20,000 numbers seen for the first time. fastPhone parses these
// simple numbers the way phonenumbers.Parse and IsPossibleNumber do, step
// by step (country code after "+" or the literal international prefix,
// national prefix stripped when the general number pattern allows,
// possible lengths from the same metadata), and gives up (false) on
// anything else: letters, other characters, regions whose prefixes are
// patterns or transform the number, a number that starts with its own
// country code without a "+". TestFastPhoneMatchesLibphonenumber checks it
// against phonenumbers.Parse on generated numbers of many regions.

// phoneRegion is what fastPhone needs of one region's metadata.
type phoneRegion struct {
	cc      int
	ccStr   string
	idd     string         // literal international prefix ("00"), "" when a pattern
	npp     string         // literal national prefix for parsing, "" when none
	general *regexp.Regexp // ^(?:general national number pattern)$
	lengths []int32        // possible lengths of the general description
	local   []int32        // local-only lengths
	simple  bool           // the fast path can read numbers of this region
}

var phoneRegions = sync.OnceValue(func() map[string]*phoneRegion {
	out := map[string]*phoneRegion{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return out // every number takes the slow path
	}
	for _, m := range coll.GetMetadata() {
		g := m.GetGeneralDesc()
		r := &phoneRegion{cc: int(m.GetCountryCode()), lengths: g.GetPossibleLength(), local: g.GetPossibleLengthLocalOnly()}
		r.ccStr = strconv.Itoa(r.cc)
		if allDigits(m.GetInternationalPrefix()) {
			r.idd = m.GetInternationalPrefix()
		}
		npp := m.GetNationalPrefixForParsing()
		r.npp = npp
		pat := g.GetNationalNumberPattern()
		re, err := regexp.Compile("^(?:" + pat + ")$")
		r.simple = err == nil && pat != "" && (npp == "" || allDigits(npp)) && m.GetNationalPrefixTransformRule() == "" &&
			len(r.lengths) > 0 && r.lengths[0] != -1
		r.general = re
		out[m.GetId()] = r
	}
	return out
})

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// lengthResult is libphonenumber's testNumberLength for the general
// description: possible, possible only locally, too short, too long, or
// a length between that no number has.
type lengthResult int

const (
	lengthPossible lengthResult = iota
	lengthLocalOnly
	lengthTooShort
	lengthTooLong
	lengthInvalid
)

func (r *phoneRegion) testLength(n int) lengthResult {
	l := int32(n)
	for _, x := range r.local {
		if x == l {
			return lengthLocalOnly
		}
	}
	switch {
	case r.lengths[0] == l:
		return lengthPossible
	case r.lengths[0] > l:
		return lengthTooShort
	case r.lengths[len(r.lengths)-1] < l:
		return lengthTooLong
	}
	for _, x := range r.lengths[1:] {
		if x == l {
			return lengthPossible
		}
	}
	return lengthInvalid
}

// fastPhone parses number (trimmed, not empty) in region (upper case) as
// parsePhone does with libphonenumber; ok is false when it cannot say.
func fastPhone(number, region string) (out parsedPhone, ok bool) {
	var buf [24]byte
	digits := buf[:0]
	plus := false
	for i := 0; i < len(number); i++ {
		switch c := number[i]; {
		case c >= '0' && c <= '9':
			if len(digits) == len(buf) {
				return out, false
			}
			digits = append(digits, c)
		case c == '+' && i == 0:
			plus = true
		case c == ' ' || c == '-' || c == '/' || c == '.' || c == '(' || c == ')':
		default:
			return out, false
		}
	}
	if len(digits) < 3 {
		return out, false
	}
	regions := phoneRegions()
	home := regions[region]
	if region == "001" { // global services: not a region numbers are read in
		return out, false
	}
	if home == nil || !home.simple {
		return out, false
	}
	d := string(digits)
	var nsn string
	var meta *phoneRegion
	switch {
	case plus:
		meta, nsn = splitCountryCode(d, regions)
	case home.idd == "":
		return out, false
	case strings.HasPrefix(d, home.idd):
		rest := d[len(home.idd):]
		if len(rest) <= 2 || rest[0] == '0' {
			return out, false
		}
		meta, nsn = splitCountryCode(rest, regions)
	case strings.HasPrefix(d, home.ccStr):
		return out, false // maybe the country code without "+": libphonenumber weighs both readings
	default:
		meta, nsn = home, d
	}
	if meta == nil || !meta.simple || len(nsn) < 2 {
		return out, false
	}
	if meta.npp != "" && strings.HasPrefix(nsn, meta.npp) {
		stripped := nsn[len(meta.npp):]
		if !meta.general.MatchString(nsn) || meta.general.MatchString(stripped) {
			switch meta.testLength(len(stripped)) {
			case lengthTooShort, lengthLocalOnly, lengthInvalid:
			default:
				nsn = stripped
			}
		}
	}
	if len(nsn) < 2 || len(nsn) > 17 {
		return out, false
	}
	// IsPossibleNumber reads the lengths of the country code's main
	// region, which for a shared code (599: CW, BQ) need not be region.
	main, _ := splitCountryCode(meta.ccStr, regions)
	if main == nil || !main.simple {
		return out, false
	}
	if r := main.testLength(len(nsn)); r != lengthPossible && r != lengthLocalOnly {
		return parsedPhone{}, true // parsed, but not a possible number
	}
	national := strings.TrimLeft(nsn, "0")
	if national == "" {
		national = "0"
	}
	return parsedPhone{e164: "+" + meta.ccStr + nsn, national: national}, true
}

// splitCountryCode splits digits into the region of their country code
// (one to three digits, the first known one) and the rest; nil when no
// code is known or it belongs to no single region (global services).
func splitCountryCode(d string, regions map[string]*phoneRegion) (*phoneRegion, string) {
	if d[0] == '0' {
		return nil, ""
	}
	codes := phonenumbers.GetSupportedCallingCodes()
	for i := 1; i <= 3 && i <= len(d); i++ {
		cc, _ := strconv.Atoi(d[:i])
		if codes[cc] {
			r := phonenumbers.GetRegionCodeForCountryCode(cc)
			if r == "" || r == "001" || r == "ZZ" {
				return nil, ""
			}
			return regions[r], d[i:]
		}
	}
	return nil, ""
}
