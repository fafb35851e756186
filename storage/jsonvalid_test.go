package storage

import (
	"encoding/json"
	"strings"
	"testing"
)

var validJSONCases = []string{
	``, ` `, `null`, `nul`, `nulll`, `true`, `false`, `tru`, `True`, ` true `, "\ttrue\r\n", "\vtrue",
	`0`, `-0`, `-`, `01`, `1.`, `1.5`, `.5`, `1e5`, `1E+5`, `1e-5`, `1e`, `1e+`, `-1.25e10`, `+1`, `1 2`,
	`""`, `"a"`, `"`, `"\"`, `"\\"`, `"\/\b\f\n\r\t"`, `"\x"`, `"\u00e4"`, `"\u00G4"`, `"\u00e"`, `"\uD83D\uDE00"`,
	"\"\x01\"", "\"\x7f\"", "\"\xff\xfe\"", `"ä"`, "\"a\tb\"",
	`[]`, `[ ]`, `[1,2]`, `[1,]`, `[,1]`, `[1 2]`, `[`, `]`, `[[[]]]`, `[1,[2,[3]]]`,
	`{}`, `{ }`, `{"a":1}`, `{"a":1,}`, `{"a"}`, `{"a":}`, `{a:1}`, `{"a":1 "b":2}`, `{"a" : [ {"b" : null} ] }`,
	`{"a":1}}`, `{"a":{"b":{}}}`, `{"":""}`, `{1:2}`,
}

func TestValidJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range validJSONCases {
		if got, want := validJSON([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("validJSON(%q) = %v, json.Valid says %v", c, got, want)
		}
	}
	// encoding/json's nesting limit: 10,000 levels pass, 10,001 do not.
	for _, depth := range []int{maxJSONDepth, maxJSONDepth + 1} {
		for _, open := range []string{"[", `{"a":`} {
			closing := "]"
			if open != "[" {
				closing = "}"
			}
			b := []byte(strings.Repeat(open, depth) + "1" + strings.Repeat(closing, depth))
			if got, want := validJSON(b), json.Valid(b); got != want {
				t.Errorf("%d levels of %s: validJSON %v, json.Valid %v", depth, open, got, want)
			}
		}
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, c := range validJSONCases {
		f.Add([]byte(c))
	}
	f.Add([]byte(`{"id":"0193a4b2-7c1d-7e00-8000-0000000000be","kind":"person","emails":[{"label":"work","address":"a@b.ch"}],"rhythm_days":90,"x":-1.5e3,"ok":true,"no":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid says %v", b, got, want)
		}
	})
}

// BenchmarkValidJSON checks a customer record as a sync's creation op
// carries it, with validJSON and with json.Valid.
func BenchmarkValidJSON(b *testing.B) {
	rec := []byte(`{"id":"0193a4b2-7c1d-7e00-8000-0000000000be","created":"2026-03-10T09:00:00Z","updated":"2026-03-10T09:00:00Z","device":"0193a4b2-7c1d-7e00-8000-0000000000be","author":"Lea Brunner","kind":"person","given_name":"Jürg","family_name":"Brändli","company":"Muster AG","position":"Einkauf","emails":[{"label":"work","address":"juerg.braendli@example.ch"}],"phones":[{"label":"mobile","number":"+41 79 123 45 67"}],"tags":["Messe Basel 2026"],"segment":"A","source":"Messe Basel 2026","rhythm_days":90,"consents":[{"channel":"email","purpose":"Newsletter","given_at":"2026-03-10T09:00:00Z","source":"fair"}],"memo":"Am Stand: interessiert an Modell 12, möchte Offerte bis Ende Monat.\nRückruf vereinbart."}`)
	for _, v := range []struct {
		name  string
		valid func([]byte) bool
	}{{"validJSON", validJSON}, {"json.Valid", json.Valid}} {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(rec)))
			for b.Loop() {
				if !v.valid(rec) {
					b.Fatal("not valid")
				}
			}
		})
	}
}
