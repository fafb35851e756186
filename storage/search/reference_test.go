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
	"unicode/utf8"

	"github.com/kundenkartei/kundenkartei/model"
)

// The reference is the matching rule written the plain way: fold every
// field of every customer for every query and compare. The index must
// return exactly what it returns, in the same order.

// refWords returns the indexed words of s by the package comment's rule.
func refWords(s *model.CustomerSummary) []string {
	var out []string
	fields := append([]string{s.Name, s.Company, s.Email, s.City, s.Segment}, s.Tags...)
	for _, f := range fields {
		for _, w := range model.FoldWords(f) {
			out = append(out, w)
			if at := strings.LastIndex(w, "@"); at >= 0 {
				out = append(out, w[at+1:])
			}
			out = append(out, strings.FieldsFunc(w, func(r rune) bool { return strings.ContainsRune("@.-_+", r) })...)
		}
	}
	return out
}

// refTerms cuts text into text words and digit words, by the package
// comment's rule.
func refTerms(text string) (words []string, digitWords []string) {
	isPhone := func(tok string) bool { return strings.Trim(tok, "0123456789+/-()") == "" }
	hasDigit := func(tok string) bool { return strings.ContainsAny(tok, "0123456789") }
	var group []string
	end := func() {
		if group != nil {
			digitWords = append(digitWords, model.Digits(strings.Join(group, "")))
			group = nil
		}
	}
	for _, tok := range strings.Fields(text) {
		if isPhone(tok) && (hasDigit(tok) || group != nil) {
			group = append(group, tok)
			continue
		}
		end()
		words = append(words, model.FoldWords(tok)...)
	}
	end()
	return words, digitWords
}

// refCache remembers refWords and model.PhoneKeys per summary, so the
// property test stays quick; the matching itself stays brute force.
var refCache sync.Map // refKey → refEntry

type refKey struct {
	id                 model.ID
	fields, phone, reg string
}

type refEntry struct{ words, keys []string }

func refLookup(s *model.CustomerSummary, region string) refEntry {
	// Every indexed field is part of the key, so a changed customer is
	// folded afresh.
	k := refKey{s.ID, s.Name + "|" + s.Company + "|" + s.Email + "|" + s.City + "|" + s.Segment + "|" + strings.Join(s.Tags, "|"), s.Phone, region}
	if e, ok := refCache.Load(k); ok {
		return e.(refEntry)
	}
	e := refEntry{refWords(s), model.PhoneKeys(s.Phone, region)}
	refCache.Store(k, e)
	return e
}

func refMatch(s *model.CustomerSummary, q model.Query, region string) bool {
	e := refLookup(s, region)
	ws := e.words
	hasPrefix := func(p string) bool {
		for _, w := range ws {
			if strings.HasPrefix(w, p) {
				return true
			}
		}
		return false
	}
	words, digitWords := refTerms(q.Text)
	for _, w := range words {
		if !hasPrefix(w) {
			return false
		}
	}
	keys := e.keys
	for _, d := range digitWords {
		if hasPrefix(d) {
			continue
		}
		d = strings.TrimLeft(d, "0")
		found := false
		for _, k := range keys {
			for i := 0; i < len(k) && !found; i++ {
				found = (i == 0 || len(k)-i >= 4) && strings.HasPrefix(k[i:], d)
			}
		}
		if !found {
			return false
		}
	}
	if q.Tag != "" && !slices.ContainsFunc(s.Tags, func(t string) bool { return model.Fold(t) == model.Fold(q.Tag) }) {
		return false
	}
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	return (q.Segment == "" || s.Segment == q.Segment) &&
		(!q.Due || s.DueForContact(now)) &&
		(!q.OpenComplaint || s.OpenComplaint) &&
		(!q.MailConsent || s.MailConsent)
}

func refCmp(order model.SortOrder) func(a, b *model.CustomerSummary) int {
	byName := func(a, b *model.CustomerSummary) int {
		if c := strings.Compare(a.SortName, b.SortName); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	}
	// zeroLast orders zero times after all others.
	zeroLast := func(a, b time.Time) int {
		switch {
		case a.IsZero() && b.IsZero():
			return 0
		case a.IsZero():
			return 1
		case b.IsZero():
			return -1
		}
		return 0
	}
	// text orders the folded field, empty last, ties by name.
	text := func(field func(s *model.CustomerSummary) string) func(a, b *model.CustomerSummary) int {
		return func(a, b *model.CustomerSummary) int {
			ka, kb := model.Fold(field(a)), model.Fold(field(b))
			switch {
			case ka == "" && kb == "":
				return byName(a, b)
			case ka == "":
				return 1
			case kb == "":
				return -1
			}
			if c := strings.Compare(ka, kb); c != 0 {
				return c
			}
			return byName(a, b)
		}
	}
	switch order {
	case model.SortByCompany:
		return text(func(s *model.CustomerSummary) string { return s.Company })
	case model.SortByCity:
		return text(func(s *model.CustomerSummary) string { return s.City })
	case model.SortBySegment:
		return text(func(s *model.CustomerSummary) string { return s.Segment })
	case model.SortByLastContact:
		return func(a, b *model.CustomerSummary) int {
			if c := zeroLast(a.LastContact, b.LastContact); c != 0 {
				return c
			}
			if c := b.LastContact.Compare(a.LastContact); c != 0 {
				return c
			}
			return byName(a, b)
		}
	case model.SortByNextDue:
		return func(a, b *model.CustomerSummary) int {
			if c := zeroLast(a.NextDue(), b.NextDue()); c != 0 {
				return c
			}
			if c := a.NextDue().Compare(b.NextDue()); c != 0 {
				return c
			}
			return byName(a, b)
		}
	}
	return byName
}

// refHasValue reports whether s has the value order sorts by.
func refHasValue(order model.SortOrder, s *model.CustomerSummary) bool {
	switch order {
	case model.SortByLastContact:
		return !s.LastContact.IsZero()
	case model.SortByNextDue:
		return !s.NextDue().IsZero()
	case model.SortByCompany:
		return model.Fold(s.Company) != ""
	case model.SortByCity:
		return model.Fold(s.City) != ""
	case model.SortBySegment:
		return model.Fold(s.Segment) != ""
	}
	return true
}

// nSortOrders is the number of model.SortOrder values.
const nSortOrders = int(model.SortBySegment) + 1

// refSearch is the brute-force Search over live.
func refSearch(live map[model.ID]model.CustomerSummary, q model.Query, region string) []*model.CustomerSummary {
	var out []*model.CustomerSummary
	for _, s := range live {
		if refMatch(&s, q, region) {
			out = append(out, &s)
		}
	}
	slices.SortFunc(out, refCmp(q.Sort))
	if q.Desc {
		// Reverse the customers with the sorted value; the rest stay last.
		k := 0
		for k < len(out) && refHasValue(q.Sort, out[k]) {
			k++
		}
		slices.Reverse(out[:k])
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out
}

// randomSummaries makes n customers from a small vocabulary, so that words,
// prefixes, names, phone digits and times collide often.
func randomSummaries(rng *rand.Rand, n int, idBase int) []model.CustomerSummary {
	out := make([]model.CustomerSummary, n)
	for i := range out {
		c := genCustomer(rng, idBase+i)
		switch rng.IntN(6) { // odd shapes real data has
		case 0:
			c.Company = "Bau-Müller & Co. (Zürich)"
		case 1:
			c.Phones = []model.Phone{{Number: fmt.Sprintf("0%d", rng.IntN(1000))}}
		case 2:
			c.Tags = append(c.Tags, "vip", "Vip")
		case 3:
			c.GivenName = "Ænne Łukasz Øystein"
		case 4: // nothing to sort by in the city and segment orders
			c.Addresses, c.Segment = nil, ""
		}
		st := genStats(rng)
		if rng.IntN(3) == 0 { // ties on the time sorts
			st.LastContact = benchNow.AddDate(0, 0, -rng.IntN(5))
		}
		out[i] = model.Summarize(c, st, benchNow)
	}
	return out
}

// randomQuery makes a query from prefixes of what customers hold, as typed.
func randomQuery(rng *rand.Rand, ss []model.CustomerSummary) model.Query {
	prefix := func(s string) string {
		if s == "" {
			return s
		}
		n := 1 + rng.IntN(utf8.RuneCountInString(s))
		return string([]rune(s)[:n])
	}
	q := model.Query{Now: benchNow}
	var parts []string
	for k := rng.IntN(4); k > 0; k-- {
		s := &ss[rng.IntN(len(ss))]
		var field string
		switch rng.IntN(9) {
		case 0, 1:
			field = s.Name
		case 2:
			field = s.Company
		case 3:
			field = s.Email
		case 4:
			field = s.City
		case 5:
			field = s.Phone
		case 6:
			if len(s.Phone) > 6 {
				field = s.Phone[rng.IntN(len(s.Phone)-4):]
			}
		case 7:
			if len(s.Tags) > 0 {
				field = s.Tags[0]
			}
		default:
			field = []string{"x", "0", "00", "+", "ß", "ue", "-", "79 1", "2026", "müller haus"}[rng.IntN(10)]
		}
		if words := strings.Fields(field); len(words) > 0 && rng.IntN(2) == 0 {
			field = words[rng.IntN(len(words))]
		}
		parts = append(parts, prefix(field))
	}
	q.Text = strings.Join(parts, " ")
	if rng.IntN(6) == 0 {
		q.Tag = tagPool[rng.IntN(len(tagPool))]
		if rng.IntN(2) == 0 {
			q.Tag = strings.ToLower(q.Tag)
		}
	}
	if rng.IntN(6) == 0 {
		q.Segment = segments[rng.IntN(len(segments))]
	}
	q.Due = rng.IntN(5) == 0
	q.OpenComplaint = rng.IntN(10) == 0
	q.MailConsent = rng.IntN(6) == 0
	q.Sort = model.SortOrder(rng.IntN(nSortOrders))
	q.Desc = rng.IntN(3) == 0
	if rng.IntN(3) == 0 {
		q.Limit = 1 + rng.IntN(20)
	}
	return q
}

// same compares an index result with the reference result.
func same(tb testing.TB, what string, q model.Query, got, want []*model.CustomerSummary) {
	tb.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i].ID == want[i].ID && got[i].Name == want[i].Name
	}
	if !ok {
		tb.Fatalf("%s: Search(%+v):\n got  %d %q\n want %d %q", what, q, len(got), names(got), len(want), names(want))
	}
}

// TestSearchMatchesReference runs random queries against random data and
// random changes, on the snapshot, through the overlay and after rebuilds.
func TestSearchMatchesReference(t *testing.T) {
	t.Run("default thresholds", func(t *testing.T) { testSearchMatchesReference(t, 2026) })
	t.Run("precomputed prefix sets", func(t *testing.T) {
		oldWords, oldPhone := headMinWords, headMin
		headMinWords, headMin = 50, 50
		t.Cleanup(func() { headMinWords, headMin = oldWords, oldPhone })
		testSearchMatchesReference(t, 2027)
	})
}

func testSearchMatchesReference(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 6))
	ss := randomSummaries(rng, 600, 0)
	live := map[model.ID]model.CustomerSummary{}
	for _, s := range ss {
		live[s.ID] = s
	}
	ix := New()
	ix.Load(ss)
	check := func(what string, queries int) {
		t.Helper()
		for i := 0; i < queries; i++ {
			q := randomQuery(rng, ss)
			same(t, what, q, ix.Search(q).Summaries(), refSearch(live, q, model.DefaultRegion))
		}
		if got, want := ix.Len(), len(live); got != want {
			t.Fatalf("%s: Len: got %d, want %d", what, got, want)
		}
	}
	check("after Load", 1500)
	ix.wait()

	// Enough changes to pass overlayLimit several times, so rebuilds run
	// in the background while queries and further changes go on.
	next := len(ss)
	for step := 0; step < 3000; step++ {
		switch r := rng.IntN(10); {
		case r < 4: // change an existing customer
			s := randomSummaries(rng, 1, next)[0]
			s.ID = ss[rng.IntN(len(ss))].ID
			ix.Put(s)
			live[s.ID] = s
		case r < 7: // a new one
			s := randomSummaries(rng, 1, next)[0]
			next++
			ss = append(ss, s)
			ix.Put(s)
			live[s.ID] = s
		default:
			id := ss[rng.IntN(len(ss))].ID
			ix.Delete(id)
			delete(live, id)
		}
		if step%10 == 0 {
			check(fmt.Sprintf("after step %d", step), 3)
		}
	}
	ix.wait()
	check("after rebuilds", 1000)
}

// TestSummaryTagsSegmentsMatchReference checks the other Directory methods
// after random changes.
func TestSummaryTagsSegmentsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	ss := randomSummaries(rng, 200, 0)
	ix := New()
	ix.Load(ss)
	live := map[model.ID]model.CustomerSummary{}
	for _, s := range ss {
		live[s.ID] = s
	}
	for i := 0; i < 300; i++ {
		id := ss[rng.IntN(len(ss))].ID
		if rng.IntN(3) == 0 {
			ix.Delete(id)
			delete(live, id)
			continue
		}
		s := randomSummaries(rng, 1, 1000+i)[0]
		s.ID = id
		ix.Put(s)
		live[id] = s
	}
	for _, s := range ss {
		got, ok := ix.Summary(s.ID)
		want, wantOK := live[s.ID]
		if ok != wantOK || (ok && got.Name != want.Name) {
			t.Fatalf("Summary(%s): got %v %v, want %v %v", s.ID, got, ok, want.Name, wantOK)
		}
	}
	tagsByFold, segs := map[string]string{}, map[string]bool{}
	for _, s := range live {
		for _, tg := range s.Tags {
			if b, ok := tagsByFold[model.Fold(tg)]; !ok || tg < b {
				tagsByFold[model.Fold(tg)] = tg
			}
		}
		if s.Segment != "" {
			segs[s.Segment] = true
		}
	}
	var wantTags, wantSegs []string
	for _, tg := range tagsByFold {
		wantTags = append(wantTags, tg)
	}
	for sg := range segs {
		wantSegs = append(wantSegs, sg)
	}
	sortFolded(wantTags)
	sortFolded(wantSegs)
	if got := ix.Tags(); !slices.Equal(got, wantTags) {
		t.Errorf("Tags: got %q, want %q", got, wantTags)
	}
	if got := ix.Segments(); !slices.Equal(got, wantSegs) {
		t.Errorf("Segments: got %q, want %q", got, wantSegs)
	}
	ix.wait()
}

// FuzzSearch checks arbitrary query text against the reference.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"Müller", "mueller hans", "+41 79 123 45 67", "079 / 123", "0", "(0)", "ß", "a@b.c",
		"hans-peter", "St. Gallen", "2026", "  ", "-- ++", "Ǆ", "\u00a0x", "e\u0301"} {
		f.Add(s, uint8(0))
	}
	rng := rand.New(rand.NewPCG(3, 3))
	ss := randomSummaries(rng, 300, 0)
	live := map[model.ID]model.CustomerSummary{}
	for _, s := range ss {
		live[s.ID] = s
	}
	ix := New()
	ix.Load(ss)
	f.Fuzz(func(t *testing.T, text string, sort uint8) {
		desc := sort >= 128
		if !utf8.ValidString(text) {
			return
		}
		q := model.Query{Text: text, Sort: model.SortOrder(int(sort) % nSortOrders), Desc: desc, Now: benchNow}
		same(t, "fuzz", q, ix.Search(q).Summaries(), refSearch(live, q, model.DefaultRegion))
	})
}

// TestPutAllMatchesReference puts batches (changes of stored customers,
// new ones, the same customer twice in one batch, small batches that go
// one by one) between deletions, across rebuilds, and checks searches,
// Len, Summary, Tags and Segments against the reference.
func TestPutAllMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 4))
	ss := randomSummaries(rng, 400, 0)
	live := map[model.ID]model.CustomerSummary{}
	for _, s := range ss {
		live[s.ID] = s
	}
	ix := New()
	ix.Load(ss)
	next := len(ss)
	check := func(what string) {
		t.Helper()
		for i := 0; i < 20; i++ {
			q := randomQuery(rng, ss)
			same(t, what, q, ix.Search(q).Summaries(), refSearch(live, q, model.DefaultRegion))
		}
		if got, want := ix.Len(), len(live); got != want {
			t.Fatalf("%s: Len: got %d, want %d", what, got, want)
		}
		for _, s := range ss[:50] {
			got, ok := ix.Summary(s.ID)
			want, wantOK := live[s.ID]
			if ok != wantOK || (ok && (got.Name != want.Name || got.City != want.City)) {
				t.Fatalf("%s: Summary(%s): got %v %v, want %v %v", what, s.ID, got, ok, want, wantOK)
			}
		}
	}
	for step := 0; step < 40; step++ {
		n := 1 + rng.IntN(3*putAllMin)
		batch := make([]model.CustomerSummary, 0, n)
		for len(batch) < n {
			s := randomSummaries(rng, 1, next)[0]
			next++
			switch r := rng.IntN(10); {
			case r < 4: // a stored customer
				s.ID = ss[rng.IntN(len(ss))].ID
			case r < 5 && len(batch) > 0: // again one of this batch
				s.ID = batch[rng.IntN(len(batch))].ID
			default:
				ss = append(ss, s)
			}
			batch = append(batch, s)
		}
		ix.PutAll(batch)
		for _, s := range batch {
			live[s.ID] = s
		}
		for i := rng.IntN(20); i > 0; i-- {
			id := ss[rng.IntN(len(ss))].ID
			ix.Delete(id)
			delete(live, id)
		}
		check(fmt.Sprintf("after batch %d of %d", step, n))
	}
	ix.wait()
	check("after rebuilds")
	tagsByFold, segs := map[string]string{}, map[string]bool{}
	for _, s := range live {
		for _, tg := range s.Tags {
			if b, ok := tagsByFold[model.Fold(tg)]; !ok || tg < b {
				tagsByFold[model.Fold(tg)] = tg
			}
		}
		if s.Segment != "" {
			segs[s.Segment] = true
		}
	}
	var wantTags, wantSegs []string
	for _, tg := range tagsByFold {
		wantTags = append(wantTags, tg)
	}
	for sg := range segs {
		wantSegs = append(wantSegs, sg)
	}
	sortFolded(wantTags)
	sortFolded(wantSegs)
	if got := ix.Tags(); !slices.Equal(got, wantTags) {
		t.Errorf("Tags: got %q, want %q", got, wantTags)
	}
	if got := ix.Segments(); !slices.Equal(got, wantSegs) {
		t.Errorf("Segments: got %q, want %q", got, wantSegs)
	}
}
