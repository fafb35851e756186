package model

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestFoldLatinMatchesSlow: wherever foldLatin answers, it folds as the
// decomposing path does, and it answers for names of the region.
func TestFoldLatinMatchesSlow(t *testing.T) {
	alphabet := []rune("aZ09 .,;-_+@/&()'\"\t\nÄäÖöÜüßẞÉéÈèÊêÀàÂâÇçÑñÅåÆæØøŁłŒœĞğŞşİıĐđÞþŸÿŐőŰűǍǎȘșȚț\u0300\u0301\u0308\u0327\u20ac\u00a0\u00b2\u00aa\u00bd\u01c4\u0149\u1e9e\u3042\uffff")
	rng := rand.New(rand.NewPCG(15, 4))
	fast := 0
	for i := 0; i < 200000; i++ {
		var b strings.Builder
		for j, n := 0, rng.IntN(12); j < n; j++ {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		got, ok := foldLatin(s)
		if !ok {
			continue
		}
		fast++
		if want := foldSlow(s); got != want {
			t.Fatalf("foldLatin(%q): got %q, want %q", s, got, want)
		}
	}
	if fast < 1000 {
		t.Errorf("foldLatin answered %d strings, want many", fast)
	}
	for _, s := range []string{"Jürg Müller", "Chloé Brändli-Weiß", "Søren Gößwein", "Łukasz Ørsted", "Firma 12 AG, Zürich"} {
		got, ok := foldLatin(s)
		if want := foldSlow(s); !ok || got != want {
			t.Errorf("foldLatin(%q): got %q %v, want %q true", s, got, ok, want)
		}
	}
}

// FuzzFoldLatin checks foldLatin against the decomposing path on any text.
func FuzzFoldLatin(f *testing.F) {
	for _, s := range []string{"Müller", "Mu\u0308ller", "STRAẞE", "Ørsted Łukasz", "  Hans-Peter, Müller ", "Æsir", "\xff", "İstanbul"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, ok := foldLatin(s); ok {
			if want := foldSlow(s); got != want {
				t.Errorf("foldLatin(%q): got %q, want %q", s, got, want)
			}
		}
	})
}

// BenchmarkFold folds a name with umlauts, the common case foldLatin
// takes, and through the decomposing path.
func BenchmarkFold(b *testing.B) {
	const s = "Chloé Brändli-Weiß"
	b.Run("Fold", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			Fold(s)
		}
	})
	b.Run("slow", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			foldSlow(s)
		}
	})
}
