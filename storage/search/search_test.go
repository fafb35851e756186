package search

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/kundenkartei/kundenkartei/model"
)

// sum makes a summary with a readable ID derived from n.
func sum(n byte, name string, opts ...func(*model.CustomerSummary)) model.CustomerSummary {
	s := model.CustomerSummary{ID: uuid.UUID{15: n}, Name: name, SortName: model.Fold(name), Created: benchNow.AddDate(-1, 0, 0)}
	for _, o := range opts {
		o(&s)
	}
	return s
}

func company(c string) func(*model.CustomerSummary) {
	return func(s *model.CustomerSummary) { s.Company = c }
}
func email(e string) func(*model.CustomerSummary) {
	return func(s *model.CustomerSummary) { s.Email = e }
}
func tel(p string) func(*model.CustomerSummary) {
	return func(s *model.CustomerSummary) { s.Phone = p }
}
func city(c string) func(*model.CustomerSummary) {
	return func(s *model.CustomerSummary) { s.City = c }
}
func tags(t ...string) func(*model.CustomerSummary) {
	return func(s *model.CustomerSummary) { s.Tags = t }
}
func segment(g string) func(*model.CustomerSummary) {
	return func(s *model.CustomerSummary) { s.Segment = g }
}

// names returns the names of the summaries, for readable failures.
func names(ss []*model.CustomerSummary) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Name
	}
	return out
}

// loaded returns an index over ss with its phone keys ready.
func loaded(tb testing.TB, ss ...model.CustomerSummary) *Index {
	tb.Helper()
	ix := New()
	ix.Load(ss)
	ix.wait()
	return ix
}

func TestSearchMatching(t *testing.T) {
	ix := loaded(t,
		sum(1, "Hans Müller", company("Müller Haustechnik AG"), email("hans.mueller@bluewin.ch"), tel("+41 79 123 45 67"), city("Zürich"), tags("Messe Basel 2026")),
		sum(2, "Ursula Mueller", tel("079 765 43 21"), city("Rapperswil-Jona"), segment("key")),
		sum(3, "Peter Muller", email("info@muller-bau.de"), tel("0049 89 1234567"), city("München")),
		sum(4, "Käthi Strauß", company("Straßenbau Weiß GmbH"), city("St. Gallen"), tel("044/123 45 67")),
		sum(5, "Hans-Peter Keller", company("Keller & Söhne"), city("Biel/Bienne"), tags("VIP")),
		sum(6, "Jérôme Böhlen", email("j.boehlen@gmx.ch"), city("Genève"), tel("+41 (0)61 987 65 43")),
	)
	tests := []struct {
		name, text string
		want       []string
	}{
		{"umlaut", "Müller", []string{"Hans Müller", "Peter Muller", "Ursula Mueller"}},
		{"transliterated", "Mueller", []string{"Hans Müller", "Peter Muller", "Ursula Mueller"}},
		{"plain", "muller", []string{"Hans Müller", "Peter Muller", "Ursula Mueller"}},
		{"upper case", "MÜLLER", []string{"Hans Müller", "Peter Muller", "Ursula Mueller"}},
		{"prefix with umlaut", "mül", []string{"Hans Müller", "Peter Muller", "Ursula Mueller"}},
		{"prefix only, not infix", "ller", nil},
		{"sharp s", "Straße", []string{"Käthi Strauß"}},
		{"ss for sharp s", "strasse", []string{"Käthi Strauß"}},
		{"sharp s in name", "Strauss", []string{"Käthi Strauß"}},
		{"capital sharp s", "STRAẞENBAU", []string{"Käthi Strauß"}},
		{"accents", "jerome", []string{"Jérôme Böhlen"}},
		{"city with accent", "geneve", []string{"Jérôme Böhlen"}},
		{"every word must match", "hans zürich", []string{"Hans Müller"}},
		{"word order is free", "zürich hans", []string{"Hans Müller"}},
		{"one word missing", "hans basel zug", nil},
		{"company", "haustechnik", []string{"Hans Müller"}},
		{"hyphen part", "peter", []string{"Hans-Peter Keller", "Peter Muller"}},
		{"hyphenated word", "hans-peter", []string{"Hans-Peter Keller"}},
		{"city part after hyphen", "jona", []string{"Ursula Mueller"}},
		{"city part after slash", "bienne", []string{"Hans-Peter Keller"}},
		{"city with dot", "st. gallen", []string{"Käthi Strauß"}},
		{"email whole", "hans.mueller@blue", []string{"Hans Müller"}},
		{"email local part", "hans.mu", []string{"Hans Müller"}},
		{"email domain", "bluewin.ch", []string{"Hans Müller"}},
		{"email domain part", "bluewin", []string{"Hans Müller"}},
		{"email domain with hyphen", "muller-bau", []string{"Peter Muller"}},
		{"tag word", "messe", []string{"Hans Müller"}},
		{"digits in a tag", "2026", []string{"Hans Müller"}},
		{"tag words and digits", "messe 2026", []string{"Hans Müller"}},
		{"segment", "key", []string{"Ursula Mueller"}},
		{"phone e164", "+41 79 123 45 67", []string{"Hans Müller"}},
		{"phone national", "079 123 45 67", []string{"Hans Müller"}},
		{"phone national no spaces", "0791234567", []string{"Hans Müller"}},
		{"phone international 00", "0041 79 123 45 67", []string{"Hans Müller"}},
		{"phone suffix", "1234567", []string{"Hans Müller", "Käthi Strauß", "Peter Muller"}},
		{"phone suffix with spaces", "123 45 67", []string{"Hans Müller", "Käthi Strauß", "Peter Muller"}},
		{"phone prefix while typing", "079", []string{"Hans Müller", "Ursula Mueller"}},
		{"phone with slash", "044/123 45 67", []string{"Käthi Strauß"}},
		{"phone with (0)", "+41 (0)61 987 65 43", []string{"Jérôme Böhlen"}},
		{"phone written with (0) found nationally", "061 987 65 43", []string{"Jérôme Böhlen"}},
		{"german number", "+49 89 1234567", []string{"Peter Muller"}},
		{"phone and name", "müller 079 765", []string{"Ursula Mueller"}},
		{"phone digits wrong", "079 999 99 99", nil},
		{"empty text lists all by name", "", []string{"Hans Müller", "Hans-Peter Keller", "Jérôme Böhlen", "Käthi Strauß", "Peter Muller", "Ursula Mueller"}},
		{"only punctuation lists all", " , ; ", []string{"Hans Müller", "Hans-Peter Keller", "Jérôme Böhlen", "Käthi Strauß", "Peter Muller", "Ursula Mueller"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := names(ix.Search(model.Query{Text: tt.text, Now: benchNow}).Summaries())
			want := tt.want
			if want == nil {
				want = []string{}
			}
			if tt.name != "empty text lists all by name" && tt.name != "only punctuation lists all" {
				slices.Sort(got)
			}
			if !slices.Equal(got, want) {
				t.Errorf("Search(%q): got %q, want %q", tt.text, got, want)
			}
		})
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		text string
		want []term
	}{
		{"Müller", []term{{word: "muller"}}},
		{"  Hans   Müller ", []term{{word: "hans"}, {word: "muller"}}},
		{"+41 79 123 45 67", []term{{word: "41791234567", phone: "41791234567", digit: true}}},
		{"079 123 45 67", []term{{word: "0791234567", phone: "791234567", digit: true}}},
		{"(044) 123-45-67", []term{{word: "0441234567", phone: "441234567", digit: true}}},
		{"079 / 123", []term{{word: "079123", phone: "79123", digit: true}}},
		{"hans 079 müller 12", []term{{word: "hans"}, {word: "079", phone: "79", digit: true}, {word: "muller"}, {word: "12", phone: "12", digit: true}}},
		{"0", []term{{word: "0", phone: "", digit: true}}},
		{"-", []term{{word: "-"}}},
		{"3M", []term{{word: "3m"}}},
		{"St.Gallen,", []term{{word: "st.gallen"}}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := parseQuery(tt.text)
			if !slices.Equal(got, tt.want) {
				t.Errorf("parseQuery(%q): got %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
}

func TestSearchFiltersAndSorts(t *testing.T) {
	day := func(d int) time.Time { return benchNow.AddDate(0, 0, -d) }
	ix := loaded(t,
		sum(1, "Anna Amsler", tags("VIP", "Messe Basel 2026"), segment("key"), func(s *model.CustomerSummary) {
			s.RhythmDays, s.LastContact, s.MailConsent = 30, day(40), true // due 10 days ago
		}),
		sum(2, "Bruno Brändli", tags("vip"), segment("small"), func(s *model.CustomerSummary) {
			s.RhythmDays, s.LastContact, s.OpenComplaint = 90, day(10), true // due in 80 days
		}),
		sum(3, "Carla Cadruvi", segment("small"), func(s *model.CustomerSummary) {
			s.RhythmDays, s.LastContact = 30, day(100) // due 70 days ago
		}),
		sum(4, "Dario Dörig", tags("Ärzte"), func(s *model.CustomerSummary) { // never contacted, no rhythm
			s.MailConsent = true
		}),
		sum(5, "Anna Amsler", segment("key"), func(s *model.CustomerSummary) { // same name: ID decides
			s.RhythmDays, s.LastContact = 7, day(7) // due exactly now
		}),
	)
	ids := func(ss []*model.CustomerSummary) []byte {
		out := []byte{}
		for _, s := range ss {
			out = append(out, s.ID[15])
		}
		return out
	}
	tests := []struct {
		name string
		q    model.Query
		want []byte
	}{
		{"by name, ties by ID", model.Query{}, []byte{1, 5, 2, 3, 4}},
		{"tag folded", model.Query{Tag: "VIP"}, []byte{1, 2}},
		{"tag folded other spelling", model.Query{Tag: "vip"}, []byte{1, 2}},
		{"tag with umlaut", model.Query{Tag: "Aerzte"}, []byte{4}},
		{"tag is not a prefix match", model.Query{Tag: "Messe"}, []byte{}},
		{"segment", model.Query{Segment: "small"}, []byte{2, 3}},
		{"segment is exact", model.Query{Segment: "Small"}, []byte{}},
		{"due", model.Query{Due: true}, []byte{1, 5, 3}},
		{"due by next due", model.Query{Due: true, Sort: model.SortByNextDue}, []byte{3, 1, 5}},
		{"open complaint", model.Query{OpenComplaint: true}, []byte{2}},
		{"mail consent", model.Query{MailConsent: true}, []byte{1, 4}},
		{"by last contact, never last", model.Query{Sort: model.SortByLastContact}, []byte{5, 2, 1, 3, 4}},
		{"by next due, no rhythm last", model.Query{Sort: model.SortByNextDue}, []byte{3, 1, 5, 2, 4}},
		{"limit", model.Query{Sort: model.SortByLastContact, Limit: 2}, []byte{5, 2}},
		{"text and filters", model.Query{Text: "anna", Segment: "key", Due: true}, []byte{1, 5}},
		{"filters combined", model.Query{Tag: "vip", MailConsent: true}, []byte{1}},
		{"no match", model.Query{Tag: "vip", Segment: "small", MailConsent: true}, []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Now = benchNow
			if got := ids(ix.Search(tt.q).Summaries()); !bytes.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("zero Now means now", func(t *testing.T) {
		// Carla was due long before today's date, whatever it is.
		got := ids(ix.Search(model.Query{Due: true, Segment: "small"}).Summaries())
		if !bytes.Contains(got, []byte{3}) {
			t.Errorf("got %v, want 3 among them", got)
		}
	})
	t.Run("tags and segments", func(t *testing.T) {
		if got, want := ix.Tags(), []string{"Ärzte", "Messe Basel 2026", "VIP"}; !slices.Equal(got, want) {
			t.Errorf("Tags: got %q, want %q", got, want)
		}
		if got, want := ix.Segments(), []string{"key", "small"}; !slices.Equal(got, want) {
			t.Errorf("Segments: got %q, want %q", got, want)
		}
	})
}

func TestPutDelete(t *testing.T) {
	ix := loaded(t, sum(1, "Hans Müller", tags("VIP"), segment("key")), sum(2, "Ursula Meier", tel("079 123 45 67")))
	search := func(text string) []string { return names(ix.Search(model.Query{Text: text}).Summaries()) }
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", what, got, want)
		}
	}

	ix.Put(sum(3, "Anna Zürcher", city("Zürich"), tel("+41 44 555 66 77"), tags("Messe Bern")))
	check("new customer by name", search("zürcher"), []string{"Anna Zürcher"})
	check("new customer by phone", search("044 555 66"), []string{"Anna Zürcher"})
	check("new customer merged in name order", search(""), []string{"Anna Zürcher", "Hans Müller", "Ursula Meier"})
	if got := ix.Len(); got != 3 {
		t.Errorf("Len: got %d, want 3", got)
	}

	ix.Put(sum(1, "Hans Mueller-Graf", segment("small")))
	check("replaced: old name gone", search("vip"), []string{})
	check("replaced: new name found", search("graf"), []string{"Hans Mueller-Graf"})
	check("replaced: once", search("hans"), []string{"Hans Mueller-Graf"})
	if s, ok := ix.Summary(uuid.UUID{15: 1}); !ok || s.Name != "Hans Mueller-Graf" {
		t.Errorf("Summary after replace: got %v %v, want Hans Mueller-Graf", s, ok)
	}
	check("tags follow replace", ix.Tags(), []string{"Messe Bern"})
	check("segments follow replace", ix.Segments(), []string{"small"})

	ix.Put(sum(3, "Anna Zürcher-Keller", city("Zug")))
	check("overlay entry replaced", search("anna"), []string{"Anna Zürcher-Keller"})
	check("overlay entry's old city gone", search("zürich"), []string{})

	ix.Delete(uuid.UUID{15: 2})
	check("deleted from snapshot", search("ursula"), []string{})
	check("deleted by phone", search("079 123"), []string{})
	ix.Delete(uuid.UUID{15: 3})
	check("deleted from overlay", search("anna"), []string{})
	ix.Delete(uuid.UUID{15: 99}) // unknown: nothing happens
	if got := ix.Len(); got != 1 {
		t.Errorf("Len: got %d, want 1", got)
	}
	if _, ok := ix.Summary(uuid.UUID{15: 2}); ok {
		t.Error("Summary of a deleted customer: got ok, want not found")
	}
	ix.Put(sum(2, "Ursula Meier", tel("079 123 45 67")))
	check("deleted and put again", search("079 123"), []string{"Ursula Meier"})
}

// TestPutStatsOnly covers a Put that changes only the stats (a new note),
// which keeps the current document's words and phone keys, from the
// snapshot and from the overlay.
func TestPutStatsOnly(t *testing.T) {
	contacted := func(at time.Time) func(*model.CustomerSummary) {
		return func(s *model.CustomerSummary) { s.LastContact = at }
	}
	ix := loaded(t, sum(1, "Hans Müller", tel("079 123 45 67"), tags("VIP")), sum(2, "Ursula Meier", contacted(benchNow.AddDate(0, 0, -3))))
	byContact := func() []string { return names(ix.Search(model.Query{Sort: model.SortByLastContact}).Summaries()) }
	for _, step := range []string{"from the snapshot", "from the overlay"} {
		ix.Put(sum(1, "Hans Müller", tel("079 123 45 67"), tags("VIP"), contacted(benchNow)))
		if got, want := byContact(), []string{"Hans Müller", "Ursula Meier"}; !slices.Equal(got, want) {
			t.Errorf("%s: by last contact: got %q, want %q", step, got, want)
		}
		if got := names(ix.Search(model.Query{Text: "079 123"}).Summaries()); !slices.Equal(got, []string{"Hans Müller"}) {
			t.Errorf("%s: by phone: got %q, want [Hans Müller]", step, got)
		}
		if got := names(ix.Search(model.Query{Tag: "vip"}).Summaries()); !slices.Equal(got, []string{"Hans Müller"}) {
			t.Errorf("%s: by tag: got %q, want [Hans Müller]", step, got)
		}
		if s, _ := ix.Summary(uuid.UUID{15: 1}); !s.LastContact.Equal(benchNow) {
			t.Errorf("%s: Summary: got last contact %v, want %v", step, s.LastContact, benchNow)
		}
		if got := ix.Len(); got != 2 {
			t.Errorf("%s: Len: got %d, want 2", step, got)
		}
	}
	ix.Put(sum(1, "Hans Müller", tel("044 555 66 77"), tags("VIP")))
	if got := names(ix.Search(model.Query{Text: "079 123"}).Summaries()); len(got) != 0 {
		t.Errorf("changed phone: old number still finds %q", got)
	}
}

func TestLoadReplacesAndKeepsLastDuplicate(t *testing.T) {
	ix := loaded(t, sum(1, "Alt"))
	ix.Put(sum(2, "Dazwischen"))
	ix.Load([]model.CustomerSummary{sum(3, "Erster"), sum(4, "Zweiter"), sum(3, "Dritter")})
	ix.wait()
	if got, want := names(ix.Search(model.Query{}).Summaries()), []string{"Dritter", "Zweiter"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := ix.Len(); got != 2 {
		t.Errorf("Len: got %d, want 2", got)
	}
}

func TestSummaryNotShared(t *testing.T) {
	in := sum(1, "Hans", tags("VIP"))
	ix := loaded(t)
	ix.Put(in)
	in.Tags[0] = "changed"
	if got := ix.Search(model.Query{Tag: "vip"}).Summaries(); len(got) != 1 || got[0].Tags[0] != "VIP" {
		t.Errorf("got %v, want the tag as put", names(got))
	}
}

// TestSearchWaitsForPhones checks that a phone search right after Load sees
// the phone keys computed in the background.
func TestSearchWaitsForPhones(t *testing.T) {
	ss := genSummaries(3000, 9)
	ix := New()
	ix.Load(ss)
	q := strings.ReplaceAll(ss[0].Phone, " ", "")
	if q == "" {
		t.Fatal("generated customer without phone")
	}
	got := ix.Search(model.Query{Text: q}).Summaries()
	found := false
	for _, s := range got {
		found = found || s.ID == ss[0].ID
	}
	if !found {
		t.Errorf("Search(%q) right after Load: got %d customers without %s", q, len(got), ss[0].Name)
	}
	ix.wait()
}

// TestConcurrentSearchAndPut runs searches while customers are put and
// deleted; run with -race.
func TestConcurrentSearchAndPut(t *testing.T) {
	ss := genSummaries(2000, 3)
	ix := New()
	ix.Load(ss)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 3; g++ {
		wg.Go(func() {
			texts := []string{"m", "müller", "079", "hans zürich", ""}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				res := ix.Search(model.Query{Text: texts[i%len(texts)], Sort: model.SortOrder(i % 3), Limit: i % 50}).Summaries()
				for _, s := range res {
					_ = s.Name
				}
				ix.Tags()
				ix.Len()
			}
		})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		s := ss[rng.IntN(len(ss))]
		if rng.IntN(4) == 0 {
			ix.Delete(s.ID)
		} else {
			s.Name = fmt.Sprintf("%s %d", s.Name, i)
			ix.Put(s)
		}
	}
	close(stop)
	wg.Wait()
	ix.wait()
}

func TestEmptyIndex(t *testing.T) {
	ix := New()
	if got := ix.Search(model.Query{Text: "a 079"}).Summaries(); len(got) != 0 {
		t.Errorf("got %d results, want 0", len(got))
	}
	if got := ix.Search(model.Query{}).Summaries(); len(got) != 0 {
		t.Errorf("got %d results, want 0", len(got))
	}
	if ix.Len() != 0 || len(ix.Tags()) != 0 || len(ix.Segments()) != 0 {
		t.Error("empty index reports content")
	}
	ix.Load(nil)
	ix.wait()
	if got := ix.Len(); got != 0 {
		t.Errorf("Len: got %d, want 0", got)
	}
}

func TestRegion(t *testing.T) {
	ix := NewWithRegion("DE")
	ix.Load([]model.CustomerSummary{sum(1, "Berlin", tel("030 1234567"))})
	if got := names(ix.Search(model.Query{Text: "+49 30 123"}).Summaries()); !slices.Equal(got, []string{"Berlin"}) {
		t.Errorf("got %q, want [Berlin]", got)
	}
	if got := New().Region(); got != model.DefaultRegion {
		t.Errorf("Region: got %q, want %q", got, model.DefaultRegion)
	}
}

func TestHoldDefersCompactionUntilReleased(t *testing.T) {
	ix := New()
	release := ix.Hold()
	n := overlayLimit(0) + 10
	for i := range n {
		s := sum(byte(i), fmt.Sprintf("Kunde %05d", i))
		s.ID[1], s.ID[2] = byte(i>>8), byte(i>>16)
		ix.Put(s)
	}
	ix.Wait()
	if got := len(ix.extra); got != n {
		t.Fatalf("held index compacted: overlay %d, want %d", got, n)
	}
	release()
	release() // a second call does nothing
	ix.Wait()
	if got := len(ix.extra); got != 0 || ix.Len() != n {
		t.Fatalf("after release: overlay %d, %d customers, want 0 and %d", got, ix.Len(), n)
	}
	if hits := ix.Search(model.Query{Text: "kunde 00042"}); len(hits) != 1 {
		t.Fatalf("search after compaction found %d", len(hits))
	}
}

// TestHoldGrowsWithTheBase: while held, the overlay may grow as large as
// the base before a rebuild, so a large sync rebuilds a few times in all.
func TestHoldGrowsWithTheBase(t *testing.T) {
	ix := New()
	mk := func(i int) model.CustomerSummary {
		s := sum(byte(i), fmt.Sprintf("Kunde %05d", i))
		s.ID[1], s.ID[2] = byte(i>>8), byte(i>>16)
		return s
	}
	const base = 8000
	all := make([]model.CustomerSummary, base)
	for i := range all {
		all[i] = mk(i)
	}
	ix.Load(all)
	release := ix.Hold()
	n := base - 1
	if n <= overlayLimit(base)*heldFactor {
		t.Fatalf("test needs more than %d put", overlayLimit(base)*heldFactor)
	}
	for i := range n {
		ix.Put(mk(base + i))
	}
	ix.Wait()
	if got := len(ix.extra); got != n {
		t.Fatalf("held index compacted: overlay %d, want %d", got, n)
	}
	ix.Put(mk(2*base + 1))
	ix.Put(mk(2*base + 2))
	ix.Wait()
	if got := len(ix.extra); got >= n {
		t.Fatalf("overlay of %d beyond the base's %d not compacted", got, base)
	}
	release()
	ix.Wait()
	if ix.Len() != base+n+2 {
		t.Fatalf("%d customers, want %d", ix.Len(), base+n+2)
	}
}
