package model

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// phoneSamples returns numbers as people write them, for region: with
// "+" and a country code, with the international prefix, national with
// and without the trunk 0, of every length from 3 to 18 digits, parted
// by spaces, dashes, slashes, dots and parentheses, plus the region's own
// country code without "+".
func phoneSamples(rng *rand.Rand, region string, n int) []string {
	ccs := []string{"41", "49", "43", "33", "39", "1", "44", "31", "423", "352", "7", "86", "81", "55", "61", "971", "7", "380", "800", "882", "999", "0", "3"}
	if r := phoneRegions()[region]; r != nil {
		ccs = append(ccs, r.ccStr, r.ccStr, r.ccStr)
	}
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		switch rng.IntN(6) {
		case 0, 1:
			b.WriteString("+" + ccs[rng.IntN(len(ccs))])
		case 2:
			b.WriteString("00" + ccs[rng.IntN(len(ccs))])
		case 3:
			b.WriteString("0")
		case 4:
			b.WriteString(ccs[rng.IntN(len(ccs))])
		}
		for i, k := 0, 2+rng.IntN(15); i < k; i++ {
			if rng.IntN(3) == 0 {
				b.WriteByte(" -/.() "[rng.IntN(7)])
			}
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		out = append(out, strings.TrimSpace(b.String()))
	}
	return out
}

// TestFastPhoneMatchesLibphonenumber: wherever fastPhone answers, its
// answer is libphonenumber's, and it answers for the usual shapes.
func TestFastPhoneMatchesLibphonenumber(t *testing.T) {
	regions := []string{"CH", "DE", "AT", "LI", "FR", "IT", "US", "CA", "GB", "NL", "BE", "LU", "ES", "PT", "SE", "NO", "DK", "FI", "PL", "CZ", "RU", "AR", "BR", "MX", "AU", "JP", "CN", "IN", "ZA", "TR"}
	rng := rand.New(rand.NewPCG(15, 4))
	fast, total := 0, 0
	check := func(region string, n int) {
		t.Helper()
		for _, n := range phoneSamples(rng, region, n) {
			total++
			got, ok := fastPhone(n, region)
			if !ok {
				continue
			}
			fast++
			if want := slowPhone(n, region); got != want {
				t.Errorf("fastPhone(%q, %s): got %+v, want %+v", n, region, got, want)
			}
		}
	}
	for _, region := range regions {
		check(region, 3000)
	}
	for region := range phoneRegions() { // every region, fewer each
		check(region, 200)
	}
	if fast < total/2 {
		t.Errorf("fast path answered %d of %d numbers, want at least half", fast, total)
	}
	for _, tt := range []struct{ name, number, region string }{
		{"mobile with plus", "+41 79 123 45 67", "CH"},
		{"national", "044 123 45 67", "CH"},
		{"international prefix", "0049 89 1234567", "CH"},
		{"german national", "089 1234567", "DE"},
		{"slash", "044/123 45 67", "CH"},
		{"trunk 0 in parentheses", "+41 (0)61 987 65 43", "CH"},
		{"dashes", "079-123-45-67", "CH"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := fastPhone(tt.number, tt.region)
			if want := slowPhone(tt.number, tt.region); !ok || got != want {
				t.Errorf("fastPhone(%q, %s): got %+v %v, want %+v true", tt.number, tt.region, got, ok, want)
			}
		})
	}
}

// FuzzFastPhone checks fastPhone against libphonenumber on any input.
func FuzzFastPhone(f *testing.F) {
	for _, s := range []string{"+41 79 123 45 67", "044 123 45 67", "0049 89 1234567", "41 79 123 45 67", "+1 212 555 0100", "00", "+0 12", "0 0 0", "044/123 45 67", "+41 (0)61 987 65 43", "(079) 123-45.67"} {
		f.Add(s, "CH")
	}
	f.Add("089 1234567", "DE")
	f.Add("011 41 79 123 45 67", "US")
	f.Fuzz(func(t *testing.T, number, region string) {
		number = strings.TrimSpace(number)
		if number == "" || len(region) != 2 {
			return
		}
		region = strings.ToUpper(region)
		if got, ok := fastPhone(number, region); ok {
			if want := slowPhone(number, region); got != want {
				t.Errorf("fastPhone(%q, %s): got %+v, want %+v", number, region, got, want)
			}
		}
	})
}

// BenchmarkParsePhone is the first parse of a number (the memo is
// bypassed), through the fast path and through libphonenumber.
func BenchmarkParsePhone(b *testing.B) {
	for _, n := range []string{"+41 79 123 45 67", "044 123 45 67"} {
		b.Run("fast/"+n, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, ok := fastPhone(n, "CH"); !ok {
					b.Fatal("slow path")
				}
			}
		})
		b.Run("libphonenumber/"+n, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				slowPhone(n, "CH")
			}
		})
	}
}
