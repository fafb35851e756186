package search

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// roundTrip writes ix and reads it back.
func roundTrip(tb testing.TB, ix *Index) *Index {
	tb.Helper()
	var buf bytes.Buffer
	if err := ix.WriteSnapshot(&buf); err != nil {
		tb.Fatal(err)
	}
	back, err := ReadSnapshot(buf.Bytes(), ix.Region())
	if err != nil {
		tb.Fatal(err)
	}
	return back
}

// TestSnapshotMatchesReference checks an index read back from its
// persisted form against the reference, after a Load and after changes
// that went through the overlay, and that it takes further changes.
func TestSnapshotMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(2028, 6))
	ss := randomSummaries(rng, 600, 0)
	live := map[model.ID]model.CustomerSummary{}
	for _, s := range ss {
		live[s.ID] = s
	}
	ix := New()
	ix.Load(ss)
	check := func(what string, ix *Index, queries int) {
		t.Helper()
		for i := 0; i < queries; i++ {
			q := randomQuery(rng, ss)
			same(t, what, q, ix.Search(q).Summaries(), refSearch(live, q, model.DefaultRegion))
		}
		if got, want := ix.Len(), len(live); got != want {
			t.Fatalf("%s: Len: got %d, want %d", what, got, want)
		}
		for id, want := range live {
			got, ok := ix.Summary(id)
			if !ok || !reflect.DeepEqual(*got, want) {
				t.Fatalf("%s: Summary(%v):\n got  %+v\n want %+v", what, id, got, want)
			}
		}
	}
	check("read after Load", roundTrip(t, ix), 1000)

	next := len(ss)
	for step := 0; step < 400; step++ {
		s := randomSummaries(rng, 1, next)[0]
		next++
		if step%3 == 0 {
			s.ID = ss[rng.IntN(len(ss))].ID
		} else {
			ss = append(ss, s)
		}
		ix.Put(s)
		live[s.ID] = s
		if step%5 == 0 {
			id := ss[rng.IntN(len(ss))].ID
			ix.Delete(id)
			delete(live, id)
		}
	}
	back := roundTrip(t, ix)
	check("read after changes", back, 1000)

	for step := 0; step < 1000; step++ { // past overlayLimit: a rebuild of read documents
		s := randomSummaries(rng, 1, next)[0]
		next++
		ss = append(ss, s)
		back.Put(s)
		live[s.ID] = s
	}
	back.wait()
	check("changes after reading", back, 500)
	if got, want := back.Tags(), ix.Tags(); len(got) == 0 || len(want) == 0 {
		t.Fatalf("tags: got %q, want some", got)
	}
}

// TestSnapshotKeepsEveryField fills every field of a summary, by
// reflection so that a field added later is covered too, and checks that
// it survives the round trip.
func TestSnapshotKeepsEveryField(t *testing.T) {
	var s model.CustomerSummary
	fill(t, reflect.ValueOf(&s).Elem(), 1)
	s.Tags = []string{"Messe Basel 2026", "VIP"}
	zurich := time.FixedZone("", 3600) // as JSON decodes "+01:00"; zone names are not kept
	other := s
	other.ID[0]++
	other.Created = time.Date(2026, 3, 1, 8, 0, 0, 5, zurich) // not UTC: kept as it is
	other.LastContact = time.Date(12026, 3, 1, 8, 0, 0, 0, time.UTC)
	other.Tags = nil
	ix := New()
	ix.Load([]model.CustomerSummary{s, other})
	back := roundTrip(t, ix)
	for _, want := range []model.CustomerSummary{s, other} {
		got, ok := back.Summary(want.ID)
		if !ok || !reflect.DeepEqual(*got, want) {
			t.Errorf("round trip:\n got  %+v\n want %+v", got, want)
		}
	}
}

// fill sets every field of v to a value that is not zero.
func fill(t *testing.T, v reflect.Value, n int) {
	switch v.Kind() {
	case reflect.Struct:
		if tm, ok := v.Addr().Interface().(*time.Time); ok {
			*tm = time.Date(2026, 11, 23, 9, n, 0, n, time.UTC)
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if !v.Type().Field(i).IsExported() {
				continue
			}
			fill(t, v.Field(i), n*7+i)
		}
	case reflect.String:
		v.SetString(fmt.Sprintf("Wert %d Müller", n))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(n%11 + 1))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Array: // the ID
		for i := 0; i < v.Len(); i++ {
			v.Index(i).Set(reflect.ValueOf(byte(n + i)))
		}
	case reflect.Slice:
		// Tags, set by the caller
	default:
		t.Fatalf("field of kind %s: extend fill and the persisted form", v.Kind())
	}
}

func crc32IEEE(b []byte) [4]byte {
	var out [4]byte
	binary.LittleEndian.PutUint32(out[:], crc32.ChecksumIEEE(b))
	return out
}

// TestReadSnapshotRejectsDamage checks that truncated and altered data is
// refused, not half read.
func TestReadSnapshotRejectsDamage(t *testing.T) {
	ix := New()
	ix.Load(genSummaries(50, 1))
	var buf bytes.Buffer
	if err := ix.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	tests := []struct {
		name string
		data []byte
	}{
		{name: "empty", data: nil},
		{name: "truncated", data: data[:len(data)/2]},
		{name: "one byte changed", data: func() []byte {
			d := bytes.Clone(data)
			d[len(d)/3] ^= 0x40
			return d
		}()},
		{name: "other format", data: []byte("\x0d\xff\x81\x03\x01\x01\x0bdirSnapshot")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ReadSnapshot(tt.data, model.DefaultRegion); err == nil {
				t.Errorf("got no error, want one")
			}
		})
	}
}

// FuzzReadSnapshot checks that no input makes the reader panic or accept
// data it cannot serve searches from. The checksum is recomputed, so the
// fuzzer reaches the decoder.
func FuzzReadSnapshot(f *testing.F) {
	ix := New()
	ix.Load(genSummaries(20, 2))
	var buf bytes.Buffer
	if err := ix.WriteSnapshot(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes()[:buf.Len()-4])
	f.Add([]byte(persistMagic))
	f.Fuzz(func(t *testing.T, body []byte) {
		data := append(bytes.Clone(body), 0, 0, 0, 0)
		sum := crc32IEEE(body)
		copy(data[len(body):], sum[:])
		back, err := ReadSnapshot(data, model.DefaultRegion)
		if err != nil {
			return
		}
		back.Search(model.Query{Text: "a 0"}).Summaries()
		back.Search(model.Query{Sort: model.SortByNextDue}).Summaries()
	})
}

// TestWordSet checks that packed words come back as they went in and that
// the prefix test finds exactly the words a prefix starts.
func TestWordSet(t *testing.T) {
	long := strings.Repeat("x", 300) // a length that takes two bytes
	words := []string{"ag", "bau", "baumann", "info@bau-muller.ch", "muller", long, "zurich"}
	d := doc{data: string(packWords(words))}
	d.statsAt, d.textAt = uint32(len(d.data)), uint32(len(d.data))
	var got []string
	for w := range d.words().all() {
		got = append(got, w)
	}
	if !slices.Equal(got, words) {
		t.Fatalf("words: got %q, want %q", got, words)
	}
	tests := []struct {
		prefix string
		want   bool
	}{
		{"", true}, {"a", true}, {"ag", true}, {"agx", false}, {"bauman", true}, {"baumanx", false},
		{"info@", true}, {"m", true}, {"x", true}, {long, true}, {long + "x", false}, {"zurich", true}, {"zz", false}, {"0", false},
	}
	for _, tt := range tests {
		if got := d.hasWordPrefix(tt.prefix); got != tt.want {
			t.Errorf("hasWordPrefix(%.10q): got %v, want %v", tt.prefix, got, tt.want)
		}
	}
	if (&doc{}).hasWordPrefix("") {
		t.Errorf("a document without words matched the empty prefix")
	}
}

// TestCompactFormKeepsEveryField checks that the summaries an index makes
// from its compact documents equal the ones it was given, through Load and
// Put, for summaries that fit the compact form and for ones that need the
// whole summary kept (a time outside UTC, an empty tag list that is not
// nil).
func TestCompactFormKeepsEveryField(t *testing.T) {
	var base model.CustomerSummary
	fill(t, reflect.ValueOf(&base).Elem(), 1)
	base.Tags = []string{"Messe Basel 2026", "VIP"}
	variant := func(n byte, change func(s *model.CustomerSummary)) model.CustomerSummary {
		s := base
		s.ID[15] = n
		s.Tags = slices.Clone(base.Tags)
		change(&s)
		return s
	}
	ss := []model.CustomerSummary{
		variant(1, func(s *model.CustomerSummary) {}),
		variant(2, func(s *model.CustomerSummary) { s.Tags = nil; s.Birthday = model.Date{Month: 2, Day: 29} }),
		variant(3, func(s *model.CustomerSummary) { s.Tags = []string{} }),
		variant(4, func(s *model.CustomerSummary) {
			s.Created = time.Date(2026, 3, 1, 8, 0, 0, 5, time.FixedZone("", 3600))
		}),
		variant(5, func(s *model.CustomerSummary) { s.LastContact = time.Date(12026, 3, 1, 8, 0, 0, 0, time.UTC) }),
		variant(6, func(s *model.CustomerSummary) { s.Notes = math.MaxInt32 + 1 }),
		variant(7, func(s *model.CustomerSummary) { s.LastGesture = time.Time{}; s.Kind = "" }),
	}
	ix := New()
	ix.Load(ss[:4])
	for _, s := range ss[4:] {
		ix.Put(s)
	}
	ix.wait()
	for _, want := range ss {
		got, ok := ix.Summary(want.ID)
		if !ok || !reflect.DeepEqual(*got, want) {
			t.Errorf("Summary:\n got  %+v\n want %+v", got, want)
		}
	}
	h := ix.Search(model.Query{Tag: "vip"})
	if got, want := len(h), 5; got != want {
		t.Fatalf("tagged: got %d, want %d", got, want)
	}
	var reused model.CustomerSummary
	for _, x := range h {
		want, _ := ix.Summary(x.ID)
		x.Fill(&reused)
		if got := x.Summary(); !reflect.DeepEqual(got, want) || !reflect.DeepEqual(&reused, want) {
			t.Errorf("hit %v: Summary %+v, Fill %+v, want %+v", x.ID, got, reused, want)
		}
	}
}

// TestCompactFormRoundTrips checks, value by value, that the compact form
// gives back exactly the summary it was made from, through Load, Put and
// the persisted form, and that it needs the whole summary (odd) only for
// what its encoding cannot hold.
func TestCompactFormRoundTrips(t *testing.T) {
	var base model.CustomerSummary
	fill(t, reflect.ValueOf(&base).Elem(), 1)
	base.Tags = []string{"Messe Basel 2026", "Zürich"}
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		name    string
		change  func(s *model.CustomerSummary)
		wantOdd bool
	}{
		{"filled", func(s *model.CustomerSummary) {}, false},
		{"zero", func(s *model.CustomerSummary) { *s = model.CustomerSummary{ID: s.ID} }, false},
		{"nanoseconds", func(s *model.CustomerSummary) {
			s.Created, s.LastContact = utc(2026, 11, 23, 9, 15, 2, 123456789), utc(2025, 1, 2, 3, 4, 5, 1)
			s.LastComplaint, s.NextFollowUp, s.LastGesture = utc(2024, 2, 29, 0, 0, 0, 999999999), utc(2027, 1, 1, 0, 0, 0, 1000), utc(1970, 1, 1, 0, 0, 0, 0)
		}, false},
		{"before 1970", func(s *model.CustomerSummary) {
			s.Created, s.LastGesture = utc(1969, 12, 31, 23, 59, 59, 500), utc(1, 1, 1, 0, 0, 1, 0)
		}, false},
		{"contact beyond the order key's range", func(s *model.CustomerSummary) { s.LastContact = utc(12026, 3, 1, 8, 0, 0, 7) }, false},
		{"contact before the order key's range", func(s *model.CustomerSummary) { s.LastContact = utc(1200, 3, 1, 8, 0, 0, 0) }, false},
		{"far years", func(s *model.CustomerSummary) {
			s.Created, s.NextFollowUp = utc(-40000, 1, 1, 0, 0, 0, 3), utc(292277026, 1, 1, 0, 0, 0, 0)
		}, false},
		{"counts beyond int32", func(s *model.CustomerSummary) {
			s.Notes, s.Gestures, s.OpenFollowUps, s.RhythmDays = math.MaxInt64, math.MinInt64, math.MaxInt32+1, -1
		}, false},
		{"dates at the ends", func(s *model.CustomerSummary) {
			s.Birthday, s.Since = model.Date{Year: 0xffff, Month: 12, Day: 31}, model.Date{Month: 2, Day: 29}
		}, false},
		{"no tags", func(s *model.CustomerSummary) { s.Tags = nil }, false},
		{"values with a code", func(s *model.CustomerSummary) {
			s.Name, s.Company, s.Kind, s.LastImpression = "Müller AG", "Müller AG", model.Company, model.Negative
			s.City, s.Segment, s.Tags = "", "", []string{"person", "person", "Neutral", ""}
		}, false},
		{"flags", func(s *model.CustomerSummary) { s.MailConsent, s.PostBlocked, s.OpenComplaint = false, true, false }, false},
		{"time not in UTC", func(s *model.CustomerSummary) {
			s.LastComplaint = time.Date(2026, 3, 1, 8, 0, 0, 5, time.FixedZone("", 3600))
		}, true},
		{"contact not in UTC", func(s *model.CustomerSummary) {
			s.LastContact = time.Date(2026, 3, 1, 8, 0, 0, 5, time.FixedZone("", 3600))
		}, true},
		{"zero time not in UTC", func(s *model.CustomerSummary) { s.Created = time.Time{}.In(time.FixedZone("", 3600)) }, true},
		{"date beyond the packed range", func(s *model.CustomerSummary) { s.Birthday = model.Date{Year: 70000, Month: 1, Day: 1} }, true},
		{"month beyond the packed range", func(s *model.CustomerSummary) { s.Since = model.Date{Year: 2000, Month: 13, Day: 1} }, true},
		{"empty tag list", func(s *model.CustomerSummary) { s.Tags = []string{} }, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := base
			want.Tags = slices.Clone(base.Tags)
			want.ID[15] = byte(i + 1)
			tt.change(&want)
			loaded := New()
			loaded.Load([]model.CustomerSummary{want})
			loaded.wait()
			put := New()
			put.Put(want)
			for _, c := range []struct {
				name      string
				ix        *Index
				persisted bool
			}{{"Load", loaded, false}, {"Put", put, false}, {"Load, persisted", roundTrip(t, loaded), true}, {"Put, persisted", roundTrip(t, put), true}} {
				want, wantOdd := want, tt.wantOdd
				if c.persisted && want.Tags != nil && len(want.Tags) == 0 {
					// The persisted form does not tell an empty tag list from none.
					want.Tags, wantOdd = nil, false
				}
				d := c.ix.current(want.ID)
				if d == nil {
					t.Fatalf("%s: not found", c.name)
				}
				if got := d.summary(); !reflect.DeepEqual(*got, want) {
					t.Errorf("%s:\n got  %+v\n want %+v", c.name, *got, want)
				}
				if got := d.lastContactTime(); !got.Equal(want.LastContact) || got.Location() != want.LastContact.Location() {
					t.Errorf("%s: lastContactTime: got %v, want %v", c.name, got, want.LastContact)
				}
				if got := d.odd != nil; got != wantOdd {
					t.Errorf("%s: whole summary kept: got %v, want %v", c.name, got, wantOdd)
				}
				if got, want := slices.Collect(d.tagList()), want.Tags; !slices.Equal(got, want) {
					t.Errorf("%s: tags: got %q, want %q", c.name, got, want)
				}
			}
		})
	}
}

// TestText checks that appendText's codes for repeated and common values
// read back as the values.
func TestText(t *testing.T) {
	long := strings.Repeat("ü", 40) // a length that takes two bytes
	tests := []struct {
		name string
		ss   []string
	}{
		{"none", nil},
		{"literals", []string{"Hans Müller", "Müller AG", long}},
		{"empty", []string{"", "", "x", ""}},
		{"repeated", []string{"Müller AG", "Müller AG", "Müller AG", "x", "x"}},
		{"codes", []string{"person", "company", "positive", "neutral", "negative", "Person"}},
		{"repeated code", []string{"neutral", "neutral", long, long}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := doc{data: string(appendText(nil, tt.ss...))}
			if got := slices.Collect(d.text()); !slices.Equal(got, tt.ss) {
				t.Errorf("got %q, want %q", got, tt.ss)
			}
		})
	}
	if got, want := len(appendText(nil, "Müller AG", "Müller AG", "company", "neutral")), 1+len("Müller AG")+3; got != want {
		t.Errorf("encoded length: got %d, want %d", got, want)
	}
}
