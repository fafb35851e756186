package search

import (
	"encoding/binary"
	"iter"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// doc is one customer as the index sees it. It never changes after it is
// built (except phones, see below), so snapshots, the overlay and callers
// holding a *model.CustomerSummary from an earlier Search can share it.
type doc struct {
	s     model.CustomerSummary
	words wordSet  // distinct indexed words, sorted
	tags  []string // folded tags, for Query.Tag
	// phones are the phone keys (model.PhoneKeys). For documents built by
	// Load they are filled by a background goroutine, because parsing phone
	// numbers is the one slow step of a cold start (see Index.Load); nobody
	// reads them before the snapshot's phoneReady channel is closed.
	phones []string
	due    int64 // order key of NextDue; noDue without one
	last   int64 // order key of LastContact; neverContacted without one
}

// Order keys of the two time sorts. Zero times sort last in both sorts.
const (
	noDue          = math.MaxInt64
	neverContacted = math.MinInt64
)

// timeKey maps t to an int64 that orders like t for every date the app can
// hold; dates outside the years 1678–2261 clamp to the ends, and cmpDoc falls
// back to comparing the times themselves when two keys are equal.
func timeKey(t time.Time) int64 {
	switch y := t.Year(); {
	case y < 1678:
		return math.MinInt64 + 1
	case y > 2261:
		return math.MaxInt64 - 1
	}
	return t.UnixNano()
}

// folder turns fields into indexed words and remembers the results: names,
// cities, companies, tags and segments repeat across customers, and
// model.Fold costs about a microsecond on text with umlauts. It also hands
// out memory in blocks, because a Load allocates millions of small slices
// otherwise and the collector's work would cost as much as the indexing.
// A folder serves one goroutine at a time.
type folder struct {
	fields map[string][]string // field value or name token → indexed words
	folds  map[string]string   // tag → model.Fold(tag)
	strs   []string            // block that words and tags slices are cut from
	docs   []doc               // block that documents are cut from
}

// newFolder returns a folder for building many documents.
func newFolder() *folder {
	return &folder{fields: make(map[string][]string, 1024), folds: map[string]string{}}
}

// maxCached bounds the cache so a Load of unique values does not keep them all.
const maxCached = 1 << 16

// words appends the indexed words of a field to out, caching by the whole
// value; fields whose values are mostly unique (names, mail addresses) go
// through tokenWords or uncachedWords instead.
func (f *folder) words(out []string, field string) []string {
	if field == "" {
		return out
	}
	if ws, ok := f.fields[field]; ok {
		return append(out, ws...)
	}
	start := len(out)
	out = uncachedWords(out, field)
	f.remember(field, out[start:])
	return out
}

// tokenWords appends the indexed words of a field, caching per word as
// typed: the given and family names recur, their combinations rarely.
// Folding word by word gives the same words as folding the whole: Fold
// turns white space into a word break and looks at no more than two
// adjacent letters.
func (f *folder) tokenWords(out []string, field string) []string {
	for len(field) > 0 {
		i := 0
		for i < len(field) && !isSpace(field[i]) {
			i++
		}
		if i > 0 {
			tok := field[:i]
			if ws, ok := f.fields[tok]; ok {
				out = append(out, ws...)
			} else {
				start := len(out)
				out = uncachedWords(out, tok)
				f.remember(tok, out[start:])
			}
		}
		for i < len(field) && isSpace(field[i]) {
			i++
		}
		field = field[i:]
	}
	return out
}

// isSpace reports whether c separates words for tokenWords. Other Unicode
// spaces stay inside a token, where model.Fold breaks words at them anyway.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func (f *folder) remember(key string, ws []string) {
	if f.fields != nil && len(f.fields) < maxCached {
		f.fields[key] = f.clone(ws)
	}
}

// fold returns model.Fold(tag), cached.
func (f *folder) fold(tag string) string {
	if v, ok := f.folds[tag]; ok {
		return v
	}
	v := model.Fold(tag)
	if f.folds != nil && len(f.folds) < maxCached {
		f.folds[tag] = v
	}
	return v
}

// clone copies ws into the folder's block.
func (f *folder) clone(ws []string) []string {
	if f.fields == nil { // a single Put: plain allocation
		return append([]string(nil), ws...)
	}
	if len(ws) > cap(f.strs)-len(f.strs) {
		f.strs = make([]string, 0, max(4096, len(ws)))
	}
	n := len(f.strs)
	f.strs = append(f.strs, ws...)
	return f.strs[n:len(f.strs):len(f.strs)]
}

// newDoc returns a zero document from the folder's block.
func (f *folder) newDoc() *doc {
	if f.fields == nil {
		return &doc{}
	}
	if len(f.docs) == cap(f.docs) {
		f.docs = make([]doc, 0, 1024)
	}
	f.docs = f.docs[:len(f.docs)+1]
	return &f.docs[len(f.docs)-1]
}

// uncachedWords appends the indexed words of field to out: every folded
// word, the part after its '@' (the mail domain), and its parts split at
// '@', '.', '-', '_' and '+'. Splitting makes "Hans-Peter" findable as
// "peter", "St.Gallen" as "gallen" and "info@mueller-ag.ch" as "mueller",
// "ag", "ch" and "mueller-ag.ch".
func uncachedWords(out []string, field string) []string {
	folded := model.Fold(field)
	for len(folded) > 0 {
		i := strings.IndexByte(folded, ' ')
		if i < 0 {
			i = len(folded)
		}
		if i > 0 {
			out = appendWordParts(out, folded[:i])
		}
		folded = folded[min(i+1, len(folded)):]
	}
	return out
}

// appendWordParts appends w and what of it is indexed besides.
func appendWordParts(out []string, w string) []string {
	out = append(out, w)
	if !strings.ContainsAny(w, "@.-_+") {
		return out
	}
	if at := strings.LastIndexByte(w, '@'); at >= 0 && at+1 < len(w) {
		out = append(out, w[at+1:])
	}
	start := 0
	for i := 0; i <= len(w); i++ {
		if i == len(w) || isWordSep(w[i]) {
			if i > start && !(start == 0 && i == len(w)) {
				out = append(out, w[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func isWordSep(c byte) bool {
	return c == '@' || c == '.' || c == '-' || c == '_' || c == '+'
}

// newDoc builds the document of s. Phone keys are computed only when
// withPhones is set.
func newDoc(s *model.CustomerSummary, f *folder, region string, withPhones bool) *doc {
	d := f.newDoc()
	d.s = *s
	var buf [48]string
	ws := buf[:0]
	ws = f.tokenWords(ws, s.Name)
	ws = f.words(ws, s.Company)
	ws = uncachedWords(ws, s.Email)
	ws = f.words(ws, s.City)
	ws = f.words(ws, s.Segment)
	for _, t := range s.Tags {
		ws = f.words(ws, t)
	}
	d.words = packWords(sortedSet(ws))
	if len(s.Tags) > 0 {
		// Copied: the caller may reuse its slice.
		tags := f.clone(s.Tags)
		d.s.Tags = tags[:len(tags):len(tags)]
		folded := make([]string, len(s.Tags))
		for i, t := range s.Tags {
			folded[i] = f.fold(t)
		}
		d.tags = f.clone(folded)
	}
	if withPhones {
		d.phones = phoneKeys(s.Phone, region)
	}
	d.setTimes()
	return d
}

// setTimes sets the order keys of the time sorts from the summary.
func (d *doc) setTimes() {
	d.due = noDue
	if t := d.s.NextDue(); !t.IsZero() {
		d.due = timeKey(t)
	}
	d.last = neverContacted
	if !d.s.LastContact.IsZero() {
		d.last = timeKey(d.s.LastContact)
	}
}

// sameText reports whether a and b have the same indexed text: the
// fields newDoc takes words, tags and phone keys from.
func sameText(a, b *model.CustomerSummary) bool {
	return a.Name == b.Name && a.Company == b.Company && a.Email == b.Email && a.City == b.City &&
		a.Segment == b.Segment && a.Phone == b.Phone && slices.Equal(a.Tags, b.Tags)
}

// withStats returns a new document of s, whose indexed text is d's.
func (d *doc) withStats(s *model.CustomerSummary) *doc {
	n := &doc{s: *s, words: d.words, tags: d.tags, phones: d.phones}
	n.s.Tags = d.s.Tags // d's own copy; the caller may reuse its slice
	n.setTimes()
	return n
}

// phoneKeys wraps model.PhoneKeys, which returns an empty, non-nil slice for
// no number; nil here means "not computed yet" only while Load runs.
func phoneKeys(number, region string) []string {
	if strings.TrimSpace(number) == "" {
		return []string{}
	}
	return model.PhoneKeys(number, region)
}

// sortedSet sorts ws in place and drops duplicates.
func sortedSet(ws []string) []string {
	// Insertion sort: a customer has a dozen or two words.
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && ws[j] < ws[j-1]; j-- {
			ws[j], ws[j-1] = ws[j-1], ws[j]
		}
	}
	n := 0
	for i, w := range ws {
		if i == 0 || w != ws[n-1] {
			ws[n] = w
			n++
		}
	}
	return ws[:n]
}

// hasWordPrefix reports whether some indexed word of d starts with p.
func (d *doc) hasWordPrefix(p string) bool {
	// The first word not below p is the only one that can start with it.
	for w := range d.words.all() {
		if w >= p {
			return strings.HasPrefix(w, p)
		}
	}
	return false
}

// wordSet is a document's distinct indexed words in sorted order, packed
// into one string, each word after its length as a uvarint. A customer
// has a dozen or two words; as a []string their headers alone took 16
// bytes each, 19 MB for 100,000 customers.
type wordSet string

// packWords packs ws, which must be sorted and distinct.
func packWords(ws []string) wordSet {
	n := 0
	for _, w := range ws {
		n += len(w) + 1
	}
	b := make([]byte, 0, n+8)
	for _, w := range ws {
		b = binary.AppendUvarint(b, uint64(len(w)))
		b = append(b, w...)
	}
	return wordSet(b)
}

// all yields the words in order.
func (ws wordSet) all() iter.Seq[string] {
	return func(yield func(string) bool) {
		for s := string(ws); len(s) > 0; {
			n, i := 0, 0
			for shift := 0; i < len(s); shift += 7 {
				c := s[i]
				i++
				n |= int(c&0x7f) << shift
				if c < 0x80 {
					break
				}
			}
			if i+n > len(s) { // not from packWords
				return
			}
			if !yield(s[i : i+n]) {
				return
			}
			s = s[i+n:]
		}
	}
}

// hasPhone reports whether digits (leading zeros stripped) is a prefix of a
// phone key of d, or of a suffix of at least four digits of one.
func (d *doc) hasPhone(digits string) bool {
	for _, k := range d.phones {
		if strings.HasPrefix(k, digits) {
			return true
		}
		for i := 1; len(k)-i >= minSuffix; i++ {
			if strings.HasPrefix(k[i:], digits) {
				return true
			}
		}
	}
	return false
}

// minSuffix is the shortest phone-key suffix a query may match the start
// of: "1234567" finds "+41 79 123 45 67", while suffixes like "67" would
// make every short number match everything.
const minSuffix = 4

// hasTag reports whether d carries the folded tag.
func (d *doc) hasTag(folded string) bool {
	for _, t := range d.tags {
		if t == folded {
			return true
		}
	}
	return false
}
