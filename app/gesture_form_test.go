package app

import "testing"

func TestCareParseMoney(t *testing.T) {
	useLocale(t, "de-DE") // "1.200" is 1 200 in German, 1.20 in English
	tests := []struct {
		name, in string
		want     int64
		bad      bool
	}{
		{"empty", "", 0, false},
		{"whole", "50", 5000, false},
		{"point", "12.5", 1250, false},
		{"comma", "12,50", 1250, false},
		{"swiss thousands", "1'200.00", 120000, false},
		{"german thousands", "1.200,00", 120000, false},
		{"thousands only", "1.200", 120000, false},
		{"letters", "zwölf", 0, true},
		{"negative", "-5", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := careParseMoney(tt.in)
			if (err != nil) != tt.bad || (!tt.bad && got != tt.want) {
				t.Errorf("got %d (err %v), want %d (bad %v)", got, err, tt.want, tt.bad)
			}
		})
	}
}

func FuzzCareParseMoney(f *testing.F) {
	for _, s := range []string{"", "50", "12,50", "1'200.00", "1.200,00", "-5", "..", ",5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := careParseMoney(s)
		if err != nil {
			return
		}
		if v < 0 {
			t.Fatalf("%q: negative %d", s, v)
		}
		// What we format we read back.
		back, err := careParseMoney(formatMoney(v, ""))
		if err != nil || back != v {
			t.Fatalf("%q: %d formats as %q, reads back %d (%v)", s, v, formatMoney(v, ""), back, err)
		}
	})
}

func TestCareParseClock(t *testing.T) {
	tests := []struct {
		name, in string
		h, m     int
		bad      bool
	}{
		{"colon", "09:00", 9, 0, false},
		{"short", "9:05", 9, 5, false},
		{"dot", "14.30", 14, 30, false},
		{"four digits", "0830", 8, 30, false},
		{"hour only", "17", 17, 0, false},
		{"german suffix", "18 Uhr", 18, 0, false},
		{"too late", "25:00", 0, 0, true},
		{"minutes", "10:75", 0, 0, true},
		{"text", "mittags", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, m, err := careParseClock(tt.in)
			if (err != nil) != tt.bad || (!tt.bad && (h != tt.h || m != tt.m)) {
				t.Errorf("got %d:%d (err %v), want %d:%d (bad %v)", h, m, err, tt.h, tt.m, tt.bad)
			}
		})
	}
}
