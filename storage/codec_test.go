package storage

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// codecTexts are strings that need every kind of escape, and none.
var codecTexts = []string{
	"", "Rückruf vereinbart, möchte Offerte", "Zürich ß € 😀", `Zitat "gut"`, `C:\Temp`, "a\nb\tc\r",
	"<b>&amp;</b>", "\x00\x1f\x7f", "ungültig \xff\xfe", "Zeile\u2028Absatz\u2029", "\xe2\x80", "日本語",
}

// randomNote returns a note with values drawn from r, odd ones included.
func randomNote(r *rand.Rand) *model.Note {
	pick := func() string {
		if r.IntN(4) > 0 { // mostly text that needs no escapes
			return codecTexts[r.IntN(3)]
		}
		return codecTexts[r.IntN(len(codecTexts))]
	}
	when := func() time.Time {
		switch r.IntN(6) {
		case 0:
			return time.Time{}
		case 1:
			return time.Date(2026, 11, 23, 9, 30, 0, 0, time.FixedZone("", 3600+r.IntN(2)*1800))
		case 2:
			return time.Date(10000+r.IntN(5), 1, 1, 0, 0, 0, 0, time.UTC) // json.Marshal fails
		case 3:
			return time.Date(1900+r.IntN(200), 1, 1, 0, 0, 0, 0, time.UTC)
		}
		return time.UnixMilli(r.Int64N(4e12)).UTC().Add(time.Duration(r.IntN(1000)))
	}
	id := func() model.ID {
		var x model.ID
		if r.IntN(4) > 0 {
			for i := range x {
				x[i] = byte(r.Uint32())
			}
		}
		return x
	}
	return &model.Note{
		Meta:       model.Meta{ID: id(), Created: when(), Updated: when(), Device: pick(), Author: pick(), Deleted: r.IntN(2) == 0},
		CustomerID: id(), At: when(), Kind: model.NoteKind(pick()), Text: pick(),
		Impression: model.Impression(pick()), By: pick(), Replaces: id(),
	}
}

// checkCodec checks encodeRecord and decodeRecord against encoding/json for v.
func checkCodec[T any](t *testing.T, v *T) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, err := encodeRecord(v)
	if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
		t.Fatalf("encode %+v:\n got %s (%v)\nwant %s (%v)", v, got, err, want, wantErr)
	}
	if wantErr == nil {
		checkDecode[T](t, want)
	}
}

// checkDecode checks decodeRecord into a zero T against json.Unmarshal on raw.
func checkDecode[T any](t *testing.T, raw []byte) {
	t.Helper()
	var want, got T
	wantErr := json.Unmarshal(raw, &want)
	err := decodeRecord(raw, &got)
	if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, want) {
		t.Fatalf("decode %q:\n got %+v (%v)\nwant %+v (%v)", raw, got, err, want, wantErr)
	}
}

// checkRandomRecords runs checkCodec on 20,000 records from gen and
// checks that at least 1,000 of them take the fast decoding path.
func checkRandomRecords[T any](t *testing.T, r *rand.Rand, gen func(*rand.Rand) *T, fast func([]byte, *T) bool) {
	t.Helper()
	n := 0
	for range 20000 {
		v := gen(r)
		checkCodec(t, v)
		if raw, err := json.Marshal(v); err == nil && fast(raw, new(T)) {
			n++
		}
	}
	if n < 1000 {
		t.Errorf("only %d of 20000 %T took the fast path", n, new(T))
	}
}

func TestNoteCodecMatchesEncodingJSON(t *testing.T) {
	checkRandomRecords(t, rand.New(rand.NewPCG(7, 8)), randomNote, decodeNote)
	// A plain note, as the app writes them, takes the fast path both ways.
	n := &model.Note{Meta: model.Meta{ID: model.NewID(), Created: time.Now().UTC(), Device: "d", Author: "Lea Brunner"},
		CustomerID: model.NewID(), At: time.Now().UTC(), Kind: model.NoteVisit, Text: "Grüezi, Rückruf am Montag", Impression: model.Positive}
	raw, ok := appendNote(nil, n)
	if !ok || !decodeNote(raw, new(model.Note)) {
		t.Errorf("a plain note does not take the fast path: %s", raw)
	}
}

// TestNoteDecodeFallsBack: anything but the exact form json.Marshal
// writes is left to encoding/json, with its result.
func TestNoteDecodeFallsBack(t *testing.T) {
	n := &model.Note{Meta: model.Meta{ID: model.NewID(), Created: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)},
		CustomerID: model.NewID(), Kind: model.NoteCall, Text: "Rückruf"}
	raw, _ := json.Marshal(n)
	s := string(raw)
	for _, in := range []string{
		s,
		strings.Replace(s, `"text":"Rückruf"`, `"text":"R\u00fcckruf"`, 1), // escaped
		strings.Replace(s, `{"id"`, `{ "id"`, 1),                           // space
		strings.Replace(s, `"kind"`, `"Kind"`, 1),                          // other case
		strings.Replace(s, `}`, `,"extra":1}`, 1),                          // unknown member
		strings.Replace(s, `"deleted":false`, `"deleted":null`, 1),
		strings.Replace(s, `"replaces":"00000000-0000-0000-0000-000000000000"`, `"replaces":null`, 1),
		strings.Replace(s, `"at":"0001-01-01T00:00:00Z"`, `"at":"gestern"`, 1),
		strings.Replace(s, `"text":"Rückruf"`, "\"text\":\"R\xffckruf\"", 1), // invalid UTF-8
		s + " ", s + "x", s[:len(s)-1], `{"id":"x"}`, `[]`, `null`, ``,
	} {
		checkDecode[model.Note](t, []byte(in))
	}
	// A failed decode leaves the note as encoding/json would.
	got := model.Note{Text: "vorher"}
	want := got
	bad := []byte(strings.Replace(s, `"by":""`, `"by":7`, 1))
	wantErr := json.Unmarshal(bad, &want)
	if err := decodeRecord(bad, &got); err == nil || wantErr == nil || !reflect.DeepEqual(got, want) {
		t.Errorf("bad note: got %+v (%v), want %+v (%v)", got, err, want, wantErr)
	}
}

func FuzzNoteCodec(f *testing.F) {
	for i, s := range codecTexts {
		f.Add(s, int64(i)*1e15, uint8(i))
	}
	f.Fuzz(func(t *testing.T, text string, nanos int64, bits uint8) {
		at := time.Unix(0, nanos).UTC()
		if bits&1 != 0 {
			at = at.In(time.FixedZone("", int(bits)*60))
		}
		n := &model.Note{Meta: model.Meta{ID: model.ID{1: bits}, Created: at, Device: text, Deleted: bits&2 != 0},
			CustomerID: model.ID{15: bits}, At: at.Add(time.Duration(bits)), Kind: model.NoteKind(text), Text: text, By: text}
		checkCodec(t, n)
		checkDecode[model.Note](t, []byte(text))
	})
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range codecTexts {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Fatalf("%q: got %s, want %s", s, got[1:], want)
		}
	})
}

// BenchmarkRecordCodec compares the hand-written codec with encoding/json
// on a typical note and customer, side by side.
func BenchmarkRecordCodec(b *testing.B) {
	now := time.Now().UTC()
	meta := model.Meta{ID: model.NewID(), Created: now, Updated: now, Device: "0193a4b2-7c1d-7e00-8000-0000000000ff", Author: "Lea Brunner"}
	recs := []struct {
		name string
		v    any
		zero func() any
	}{
		{"note", &model.Note{Meta: meta, CustomerID: model.NewID(), At: now, Kind: model.NoteFair, Impression: model.Positive, By: "Lea Brunner",
			Text: "Am Stand: interessiert an Modell 42, möchte Offerte bis Ende Monat. Rückruf vereinbart."}, func() any { return new(model.Note) }},
		{"customer", &model.Customer{Meta: meta, Kind: model.Person, GivenName: "Jürg", FamilyName: "Müller", Company: "Müller AG", Position: "Einkauf",
			Emails: []model.Email{{Label: "work", Address: "juerg.mueller@example.ch"}}, Phones: []model.Phone{{Label: "mobile", Number: "+41 79 123 45 67"}},
			Addresses: []model.Address{{Label: "work", Street: "Bahnhofstrasse 1", PostalCode: "8001", City: "Zürich", Country: "Schweiz"}},
			Tags:      []string{"Messe Basel 2026"}, Segment: "regular", Source: "Messe Basel 2026", RhythmDays: 90,
			Consents: []model.Consent{{Channel: "email", Purpose: "Newsletter", GivenAt: now, Source: "fair"}}}, func() any { return new(model.Customer) }},
	}
	for _, rc := range recs {
		raw, _ := json.Marshal(rc.v)
		b.Run(rc.name+"/encode/json", func(b *testing.B) {
			for b.Loop() {
				json.Marshal(rc.v)
			}
		})
		b.Run(rc.name+"/encode/codec", func(b *testing.B) {
			for b.Loop() {
				encodeRecord(rc.v)
			}
		})
		b.Run(rc.name+"/decode/json", func(b *testing.B) {
			for b.Loop() {
				json.Unmarshal(raw, rc.zero())
			}
		})
		b.Run(rc.name+"/decode/codec", func(b *testing.B) {
			for b.Loop() {
				decodeRecord(raw, rc.zero())
			}
		})
	}
}

// randomCustomer returns a customer with values drawn from r, odd ones included.
func randomCustomer(r *rand.Rand) *model.Customer {
	n := randomNote(r)      // for its strings, times and IDs
	plain := r.IntN(2) == 0 // only text that needs no escapes
	pick := func() string {
		if plain || r.IntN(4) > 0 {
			return codecTexts[r.IntN(3)]
		}
		return codecTexts[r.IntN(len(codecTexts))]
	}
	c := &model.Customer{Meta: n.Meta, Kind: model.CustomerKind(pick()), Salutation: pick(), LetterForm: pick(),
		GivenName: pick(), FamilyName: pick(), Company: pick(), Position: pick(), Website: pick(),
		Segment: pick(), Source: pick(), Memo: pick(), Photo: pick(), RhythmDays: r.IntN(400) - 20}
	opt := func() string { // omitempty fields: absent half the time
		if r.IntN(2) == 0 {
			return ""
		}
		return pick()
	}
	c.NamePrefix, c.NameSuffix, c.Department = opt(), opt(), opt()
	c.Emails = randomList(r, 3, func() model.Email { return model.Email{Label: pick(), Address: pick(), Pref: r.IntN(2) == 0} })
	c.Phones = randomList(r, 3, func() model.Phone { return model.Phone{Label: pick(), Number: pick(), Pref: r.IntN(2) == 0} })
	c.Addresses = randomList(r, 2, func() model.Address {
		return model.Address{Label: pick(), Street: pick(), Extended: pick(), POBox: pick(),
			PostalCode: pick(), City: pick(), Region: pick(), Country: pick(), Pref: r.IntN(2) == 0, Group: opt()}
	})
	dates := []model.Date{{}, {Month: 4, Day: 15}, {Year: 1980, Month: 12, Day: 31}, {Year: 2026, Month: 2, Day: 29}}
	c.Birthday, c.Since = dates[r.IntN(len(dates))], dates[r.IntN(len(dates))]
	c.Tags = randomList(r, 3, pick)
	c.Consents = randomList(r, 2, func() model.Consent {
		m := randomNote(r)
		return model.Consent{Channel: pick(), Purpose: pick(), GivenAt: m.Created, Source: pick(), Withdrawn: m.At}
	})
	c.ExternalUIDs = randomList(r, 2, pick)
	c.Extra = randomList(r, 2, func() model.ExtraProp {
		x := model.ExtraProp{Name: pick(), Value: pick()}
		if r.IntN(2) == 0 {
			x.Group = pick()
		}
		switch r.IntN(3) {
		case 0:
			x.Params = map[string][]string{pick(): {pick()}, "TYPE": {"work", pick()}, "X": nil}
		case 1:
			x.Params = map[string][]string{}
		}
		return x
	})
	switch r.IntN(8) {
	case 0:
		c.MergedInto = n.CustomerID
	case 1:
		c.MergedInto = n.CustomerID
		c.Merge = &model.MergeInfo{At: n.At, Author: pick(), Before: map[string]json.RawMessage{"memo": json.RawMessage(`"x"`)}}
	case 2:
		c.NotDuplicates = []model.ID{n.ID, n.Replaces}
	case 3:
		c.NotDuplicates = []model.ID{}
	}
	return c
}

// randomList returns up to k elements made by elem, or nil one time in five.
func randomList[T any](r *rand.Rand, k int, elem func() T) []T {
	if r.IntN(5) == 0 {
		return nil
	}
	out := make([]T, r.IntN(k+1))
	for i := range out {
		out[i] = elem()
	}
	return out
}

func TestCustomerCodecMatchesEncodingJSON(t *testing.T) {
	checkRandomRecords(t, rand.New(rand.NewPCG(9, 10)), randomCustomer, decodeCustomer)
	// A customer as the app writes them takes the fast path both ways.
	c := &model.Customer{Meta: model.Meta{ID: model.NewID(), Created: time.Now().UTC(), Device: "d", Author: "Lea Brunner"},
		Kind: model.Person, GivenName: "Jürg", FamilyName: "Müller", Emails: []model.Email{{Label: "work", Address: "j@example.ch", Pref: true}},
		Birthday: model.Date{Month: 4, Day: 15}, Tags: []string{"VIP"}, RhythmDays: 90,
		Consents: []model.Consent{{Channel: "email", Purpose: "Newsletter", GivenAt: time.Now().UTC(), Source: "fair"}}}
	raw, ok := appendCustomer(nil, c)
	if !ok || !decodeCustomer(raw, new(model.Customer)) {
		t.Errorf("a plain customer does not take the fast path: %s", raw)
	}
	// A record without the name parts and department added later keeps
	// the bytes it had before they existed, so it needs no migration.
	for _, key := range []string{"name_prefix", "name_suffix", "department"} {
		if bytes.Contains(raw, []byte(key)) {
			t.Errorf("got %s in a customer without it: %s", key, raw)
		}
	}
	c.NamePrefix, c.NameSuffix, c.Department = "Prof. Dr.", "III", "Zahnmedizin; Team Süd"
	if raw, ok = appendCustomer(nil, c); !ok {
		t.Fatal("a customer with name parts does not take the fast path")
	}
	var got model.Customer
	if !decodeCustomer(raw, &got) || got.NamePrefix != c.NamePrefix || got.NameSuffix != c.NameSuffix || got.Department != c.Department {
		t.Errorf("got %q %q %q, want %q %q %q", got.NamePrefix, got.NameSuffix, got.Department, c.NamePrefix, c.NameSuffix, c.Department)
	}
	// Escaped characters, as json.Marshal writes "&", "<", ">" and
	// control characters, take the fast path too and decode as
	// encoding/json decodes them; a surrogate escape falls back.
	c.Company, c.Memo, c.Tags = "Steiner Fahrzeugbau & Co.", "<b>\"Zeile\"</b>\n\tzwei\\\x01/ é 😀", []string{"A&B"}
	if raw, err := json.Marshal(c); err != nil || !decodeCustomer(raw, new(model.Customer)) {
		t.Errorf("a customer with escapes does not take the fast path: %s", raw)
	} else {
		checkDecode[model.Customer](t, raw)
		checkDecode[model.Customer](t, bytes.Replace(raw, []byte(`\u0026 Co`), []byte(`\ud83d\ude00 Co`), 1))
		checkDecode[model.Customer](t, bytes.Replace(raw, []byte(`\u0026 Co`), []byte(`\u00E9\/\b\f\r Co`), 1))
		checkDecode[model.Customer](t, bytes.Replace(raw, []byte(`\u0026 Co`), []byte(`\u00g9 Co`), 1))
		checkDecode[model.Customer](t, bytes.Replace(raw, []byte(`\u0026 Co`), []byte(`\x Co`), 1))
	}
	// Only into a zero customer: encoding/json keeps what it does not overwrite.
	if decodeCustomer(raw, &model.Customer{Memo: "vorher"}) {
		t.Error("decoded into a customer that was not zero")
	}
}

func FuzzCustomerDecode(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		raw, err := json.Marshal(randomCustomer(r))
		if err == nil {
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkDecode[model.Customer](t, raw)
	})
}
