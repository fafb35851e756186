package model

import "testing"

func TestSimilarNameKey(t *testing.T) {
	key := func(given, family, company string) string {
		return SimilarNameKey(&Customer{GivenName: given, FamilyName: family, Company: company})
	}
	same := [][2][3]string{
		{{"Hans", "Meier", ""}, {"Hans", "Meyer", ""}},
		{{"Hans", "Maier", "Beck AG"}, {"hans", "Mayer", "BECK AG"}},
		{{"Anna", "Schmidt", ""}, {"Anna", "Schmitt", ""}},
		{{"Anna", "Schmid", ""}, {"Anna", "Schmitt", ""}},
		{{"Petra", "Kuhn", ""}, {"Petra", "Kun", ""}},
		{{"Jürg", "Müller", ""}, {"Juerg", "Mueller", ""}},
		{{"Stefan", "Philipp", ""}, {"Stephan", "Filip", ""}},
	}
	for _, p := range same {
		a, b := key(p[0][0], p[0][1], p[0][2]), key(p[1][0], p[1][1], p[1][2])
		if a != b {
			t.Errorf("%v and %v: keys %q and %q differ, want equal", p[0], p[1], a, b)
		}
	}
	differ := [][2][3]string{
		{{"Hans", "Meier", ""}, {"Hans", "Müller", ""}},
		{{"Hans", "Meier", "Beck AG"}, {"Hans", "Meier", "Huber AG"}},
		{{"Anna", "Schmid", ""}, {"Anna", "Schmied", ""}},
	}
	for _, p := range differ {
		a, b := key(p[0][0], p[0][1], p[0][2]), key(p[1][0], p[1][1], p[1][2])
		if a == b {
			t.Errorf("%v and %v: both keyed %q, want different", p[0], p[1], a)
		}
	}
}
