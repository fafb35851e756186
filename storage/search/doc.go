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

// doc is one customer as the index sees it: its summary in a compact form
// (about 170 bytes and one string instead of a 400-byte
// model.CustomerSummary and a dozen strings and slices), from which
// summary makes a model.CustomerSummary when one is asked for. It never
// changes after it is built (except phones, see below), so snapshots, the
// overlay and earlier search results can share it.
type doc struct {
	hit  model.Hit // the customer's ID, and d as the source of its summary
	sort string    // SortName, for cmpName
	// text packs the other text fields (see the field* constants), then
	// the tags as written and the folded tags, ntags of each.
	text  packed
	words wordSet // distinct indexed words, sorted
	// phones are the phone keys (model.PhoneKeys). For documents built by
	// Load they are filled by a background goroutine, because parsing phone
	// numbers is the one slow step of a cold start (see Index.Load); nobody
	// reads them before the snapshot's phoneReady channel is closed.
	phones packed
	due    int64 // order key of NextDue; noDue without one
	last   int64 // order key of LastContact; neverContacted without one

	// The summary's times as Unix nanoseconds of a UTC time (noTime for
	// the zero time), its dates packed by packDate.
	created, lastContact, lastComplaint, nextFollowUp, lastGesture int64
	rhythm, openFollowUps, notes, gestures                         int32
	birthday, since                                                uint32
	ntags                                                          uint16
	flags                                                          uint8 // flag* bits
	// odd holds the whole summary when a field does not fit the compact
	// form (a time outside UTC or the years 1678–2261, a count beyond
	// int32); the fields above are then unused.
	odd *model.CustomerSummary
}

// Positions of the text fields in doc.text.
const (
	fieldName = iota
	fieldCompany
	fieldEmail
	fieldPhone
	fieldCity
	fieldSegment
	fieldKind
	fieldImpression
	nFields
)

// Bits of doc.flags.
const (
	flagMailConsent = 1 << iota
	flagPostBlocked
	flagOpenComplaint
)

// noTime stands for the zero time in a doc's time fields.
const noTime = math.MinInt64

// stamp returns t as a doc time field, or false when it does not fit.
func stamp(t time.Time) (int64, bool) {
	if t.IsZero() {
		return noTime, t.Location() == time.UTC
	}
	if t.Location() != time.UTC {
		return 0, false
	}
	if y := t.Year(); y < 1678 || y > 2261 {
		return 0, false
	}
	return t.UnixNano(), true
}

// unstamp is the inverse of stamp.
func unstamp(n int64) time.Time {
	if n == noTime {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// packDate packs d into 32 bits (year 0–65535), or returns false.
func packDate(d model.Date) (uint32, bool) {
	if d.Year < 0 || d.Year > 0xffff || d.Month < 0 || d.Month > 12 || d.Day < 0 || d.Day > 31 {
		return 0, false
	}
	return uint32(d.Year)<<16 | uint32(d.Month)<<8 | uint32(d.Day), true
}

func unpackDate(v uint32) model.Date {
	return model.Date{Year: int(v >> 16), Month: time.Month(v >> 8 & 0xff), Day: int(v & 0xff)}
}

// fitsInt32 reports whether every n fits a doc's int32 fields.
func fitsInt32(ns ...int) bool {
	for _, n := range ns {
		if n < math.MinInt32 || n > math.MaxInt32 {
			return false
		}
	}
	return true
}

// setSummary sets d's summary fields from s, with the folded tags given.
func (d *doc) setSummary(s *model.CustomerSummary, folded []string) {
	d.hit, d.sort = model.NewHit(s.ID, d), s.SortName
	var ok [9]bool
	d.created, ok[0] = stamp(s.Created)
	d.lastContact, ok[1] = stamp(s.LastContact)
	d.lastComplaint, ok[2] = stamp(s.LastComplaint)
	d.nextFollowUp, ok[3] = stamp(s.NextFollowUp)
	d.lastGesture, ok[4] = stamp(s.LastGesture)
	d.birthday, ok[5] = packDate(s.Birthday)
	d.since, ok[6] = packDate(s.Since)
	ok[7] = fitsInt32(s.RhythmDays, s.OpenFollowUps, s.Notes, s.Gestures)
	// An empty tag list that is not nil is kept as it is, in odd.
	ok[8] = len(s.Tags) <= math.MaxUint16 && len(folded) == len(s.Tags) && (s.Tags == nil || len(s.Tags) > 0)
	d.rhythm, d.openFollowUps, d.notes, d.gestures = int32(s.RhythmDays), int32(s.OpenFollowUps), int32(s.Notes), int32(s.Gestures)
	d.flags = 0
	if s.MailConsent {
		d.flags |= flagMailConsent
	}
	if s.PostBlocked {
		d.flags |= flagPostBlocked
	}
	if s.OpenComplaint {
		d.flags |= flagOpenComplaint
	}
	d.odd = nil
	for _, o := range ok {
		if !o {
			// The whole summary, and in text only the folded tags.
			odd := *s
			odd.Tags = slices.Clone(s.Tags) // the caller may reuse its slice
			d.odd = &odd
			folded = folded[:min(len(folded), math.MaxUint16)]
			d.ntags = uint16(len(folded))
			d.text = pack(folded)
			return
		}
	}
	d.ntags = uint16(len(s.Tags))
	fields := make([]string, 0, nFields+2*len(s.Tags))
	fields = append(fields, s.Name, s.Company, s.Email, s.Phone, s.City, s.Segment, string(s.Kind), string(s.LastImpression))
	fields = append(fields, s.Tags...)
	fields = append(fields, folded...)
	d.text = pack(fields)
}

// summary returns a new summary of d.
func (d *doc) summary() *model.CustomerSummary {
	s := new(model.CustomerSummary)
	d.FillSummary(s)
	return s
}

// FillSummary sets every field of s to d's summary (model.HitSource).
// Strings share d's memory; the tag slice is new.
func (d *doc) FillSummary(s *model.CustomerSummary) {
	if d.odd != nil {
		*s = *d.odd
		s.Tags = slices.Clone(d.odd.Tags)
		return
	}
	var f [nFields]string
	i := 0
	var tags []string
	if d.ntags > 0 {
		tags = make([]string, 0, d.ntags)
	}
	for w := range d.text.all() {
		switch {
		case i < nFields:
			f[i] = w
		case i < nFields+int(d.ntags):
			tags = append(tags, w)
		}
		i++
		if i == nFields+int(d.ntags) {
			break
		}
	}
	*s = model.CustomerSummary{
		ID: d.hit.ID, Kind: model.CustomerKind(f[fieldKind]), Name: f[fieldName], SortName: d.sort,
		Company: f[fieldCompany], Email: f[fieldEmail], Phone: f[fieldPhone], City: f[fieldCity],
		Segment: f[fieldSegment], Tags: tags, RhythmDays: int(d.rhythm),
		Birthday: unpackDate(d.birthday), Since: unpackDate(d.since), Created: unstamp(d.created),
		MailConsent: d.flags&flagMailConsent != 0, PostBlocked: d.flags&flagPostBlocked != 0,
		Stats: model.Stats{
			LastContact: unstamp(d.lastContact), LastImpression: model.Impression(f[fieldImpression]),
			LastComplaint: unstamp(d.lastComplaint), OpenComplaint: d.flags&flagOpenComplaint != 0,
			NextFollowUp: unstamp(d.nextFollowUp), OpenFollowUps: int(d.openFollowUps),
			Notes: int(d.notes), Gestures: int(d.gestures), LastGesture: unstamp(d.lastGesture),
		},
	}
}

// field returns text field i (a field* constant).
func (d *doc) field(i int) string {
	if d.odd != nil {
		s := d.odd
		return [nFields]string{s.Name, s.Company, s.Email, s.Phone, s.City, s.Segment, string(s.Kind), string(s.LastImpression)}[i]
	}
	n := 0
	for w := range d.text.all() {
		if n == i {
			return w
		}
		n++
	}
	return ""
}

// segment returns the customer's segment.
func (d *doc) segment() string { return d.field(fieldSegment) }

// tagList yields the tags as written.
func (d *doc) tagList() iter.Seq[string] {
	return func(yield func(string) bool) {
		if d.odd != nil {
			for _, t := range d.odd.Tags {
				if !yield(t) {
					return
				}
			}
			return
		}
		d.textRange(nFields, nFields+int(d.ntags), yield)
	}
}

// foldedTags yields the folded tags, for Query.Tag.
func (d *doc) foldedTags() iter.Seq[string] {
	return func(yield func(string) bool) {
		start := nFields + int(d.ntags)
		if d.odd != nil {
			start = 0 // odd docs pack only the folded tags
		}
		d.textRange(start, start+int(d.ntags), yield)
	}
}

// textRange yields the packed strings from..to-1 of d.text.
func (d *doc) textRange(from, to int, yield func(string) bool) {
	i := 0
	for w := range d.text.all() {
		if i >= to {
			return
		}
		if i >= from && !yield(w) {
			return
		}
		i++
	}
}

// openComplaint and mailConsent are the summary's flags.
func (d *doc) openComplaint() bool {
	if d.odd != nil {
		return d.odd.OpenComplaint
	}
	return d.flags&flagOpenComplaint != 0
}

func (d *doc) mailConsent() bool {
	if d.odd != nil {
		return d.odd.MailConsent
	}
	return d.flags&flagMailConsent != 0
}

// lastContactTime returns Stats.LastContact.
func (d *doc) lastContactTime() time.Time {
	if d.odd != nil {
		return d.odd.LastContact
	}
	return unstamp(d.lastContact)
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
	var folded []string
	if len(s.Tags) > 0 {
		folded = make([]string, len(s.Tags))
		for i, t := range s.Tags {
			folded[i] = f.fold(t)
		}
	}
	d.setSummary(s, folded)
	if withPhones {
		d.phones = phoneKeys(s.Phone, region)
	}
	d.setTimes(s)
	return d
}

// setTimes sets the order keys of the time sorts from s, d's summary.
func (d *doc) setTimes(s *model.CustomerSummary) {
	d.due = noDue
	if t := s.NextDue(); !t.IsZero() {
		d.due = timeKey(t)
	}
	d.last = neverContacted
	if !s.LastContact.IsZero() {
		d.last = timeKey(s.LastContact)
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
	n := &doc{words: d.words, phones: d.phones}
	n.setSummary(s, slices.Collect(d.foldedTags()))
	n.setTimes(s)
	return n
}

// phoneKeys returns model.PhoneKeys packed.
func phoneKeys(number, region string) packed {
	if strings.TrimSpace(number) == "" {
		return ""
	}
	return pack(model.PhoneKeys(number, region))
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

// packed is a list of strings in one string, each after its length as a
// uvarint: a customer's dozen or two words as a []string took 16 bytes of
// header each, 19 MB for 100,000 customers.
type packed string

// wordSet is a document's distinct indexed words in sorted order, packed.
type wordSet = packed

// pack packs ss.
func pack(ss []string) packed {
	if len(ss) == 0 {
		return ""
	}
	n := 0
	for _, w := range ss {
		n += len(w) + 1
		if len(w) >= 0x80 {
			n += 2
		}
	}
	b := make([]byte, 0, n)
	for _, w := range ss {
		b = binary.AppendUvarint(b, uint64(len(w)))
		b = append(b, w...)
	}
	return packed(b)
}

// packWords packs ws, which must be sorted and distinct.
func packWords(ws []string) wordSet { return pack(ws) }

// all yields the strings in order.
func (ws packed) all() iter.Seq[string] {
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
			if i+n > len(s) { // not from pack
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
	for k := range d.phones.all() {
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
	for t := range d.foldedTags() {
		if t == folded {
			return true
		}
	}
	return false
}
