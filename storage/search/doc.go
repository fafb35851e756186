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

// doc is one customer as the index sees it: its summary in a compact form,
// from which summary makes a model.CustomerSummary when one is asked for.
// All its text and the summary fields that searching does not look at
// live in one string, data (about 270 bytes, cut from a block that many
// documents share), instead of a 400-byte model.CustomerSummary and a
// dozen strings and slices. It never changes after it is built (except
// phones, see below), so snapshots, the overlay and earlier search results
// can share it.
type doc struct {
	hit model.Hit // the customer's ID, and d as the source of its summary
	// data holds, one after the other: the sort name (SortName, for
	// cmpName); the indexed words, distinct and sorted (a wordSet), which
	// only a document made for the overlay keeps (a snapshot holds the
	// words of its documents, see snapshot.fwd); the
	// summary's other numbers (see appendStats); and the text fields (see
	// the field* constants), then the tags as written and the folded tags,
	// ntags of each (packed). wordsAt, statsAt and textAt (below, beside
	// the other small fields, so that the struct has no padding) are where
	// the parts after the sort name begin.
	data string
	// phones are the phone keys (model.PhoneKeys). For documents built by
	// Load they are filled by a background goroutine, because parsing phone
	// numbers is the one slow step of a cold start (see Index.Load); nobody
	// reads them before the snapshot's phoneReady channel is closed.
	phones packed
	due    int64 // order key of NextDue; noDue without one
	// last is the order key of LastContact (neverContacted without one),
	// and LastContact itself unless it is clamped (see timeKey).
	last                     int64
	wordsAt, statsAt, textAt uint32
	ntags                    uint16
	flags                    uint8 // flag* bits
	// odd holds the whole summary when a field does not fit the compact
	// form (a time outside UTC, a date outside the years 0–65535, an empty
	// tag list that is not nil); data then holds the sort name, the words
	// and, as its text, only the folded tags.
	odd *model.CustomerSummary
}

// Positions of the text fields in the text part of doc.data.
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

// sort returns the sort name.
func (d *doc) sort() string { return d.data[:d.wordsAt] }

// words returns the indexed words.
func (d *doc) words() wordSet { return wordSet(d.data[d.wordsAt:d.statsAt]) }

// text yields the text fields and tags (see appendText).
func (d *doc) text() iter.Seq[string] {
	return func(yield func(string) bool) {
		s, prev := d.data[d.textAt:], ""
		for len(s) > 0 {
			st := varints(s)
			v := st.uvarint()
			s = string(st)
			w := prev
			switch {
			case v&1 == 0 && v/2 <= uint64(len(s)):
				w, s = s[:v/2], s[v/2:]
			case v&1 == 0:
				return // not from appendText
			case v/2 > 0 && v/2 <= uint64(len(textCodes)):
				w = textCodes[v/2-1]
			}
			if !yield(w) {
				return
			}
			prev = w
		}
	}
}

// textCodes are values of text fields that appendText writes as a code:
// every customer has a kind, most have an impression.
var textCodes = [...]string{
	string(model.Person), string(model.Company), string(model.Positive), string(model.Neutral), string(model.Negative),
}

// appendText appends ss for doc.text: each the uvarint of twice its
// length, then its bytes; or of 1 when it equals the one before (a
// company's name and company), or of 2i+3 when it is textCodes[i].
func appendText(b []byte, ss ...string) []byte {
	prev := ""
	for i, s := range ss {
		code := uint64(0)
		if i > 0 && s == prev && s != "" {
			code = 1
		} else {
			for j, c := range textCodes {
				if s == c {
					code = uint64(2*j + 3)
				}
			}
		}
		if code != 0 {
			b = binary.AppendUvarint(b, code)
		} else {
			b = binary.AppendUvarint(b, 2*uint64(len(s)))
			b = append(b, s...)
		}
		prev = s
	}
	return b
}

// appendStamp appends t, which must be in UTC, to the numbers of a doc:
// 0 for the zero time, else the Unix seconds zigzag-encoded, shifted left
// by one, with the low bit set when nanoseconds follow, plus one. It
// returns false for a time not in UTC or beyond ±2⁶¹ seconds.
func appendStamp(b []byte, t time.Time) ([]byte, bool) {
	if t.Location() != time.UTC {
		return b, false
	}
	if t.IsZero() {
		return append(b, 0), true
	}
	sec, ns := t.Unix(), uint64(t.Nanosecond())
	if sec < -1<<61 || sec > 1<<61 {
		return b, false
	}
	v := uint64(sec<<1^sec>>63) << 1
	if ns != 0 {
		v |= 1
	}
	b = binary.AppendUvarint(b, v+1)
	if ns != 0 {
		b = binary.AppendUvarint(b, ns)
	}
	return b, true
}

// packDate packs d into an integer (year 0–65535), or returns false.
func packDate(d model.Date) (uint64, bool) {
	if d.Year < 0 || d.Year > 0xffff || d.Month < 0 || d.Month > 12 || d.Day < 0 || d.Day > 31 {
		return 0, false
	}
	return uint64(d.Year)<<9 | uint64(d.Month)<<5 | uint64(d.Day), true
}

func unpackDate(v uint64) model.Date {
	return model.Date{Year: int(v >> 9), Month: time.Month(v >> 5 & 0xf), Day: int(v & 0x1f)}
}

// appendStats appends the numbers of s that a doc keeps in data: its
// times (LastContact only when last, its order key, is clamped), dates
// and counts. It returns false when one does not fit (see appendStamp and
// packDate); readStats is its inverse.
func appendStats(b []byte, s *model.CustomerSummary, last int64) ([]byte, bool) {
	ok := true
	stamp := func(t time.Time) {
		var fits bool
		b, fits = appendStamp(b, t)
		ok = ok && fits
	}
	if clampedTime(last) {
		stamp(s.LastContact)
	} else if s.LastContact.Location() != time.UTC {
		ok = false
	}
	for _, t := range [...]time.Time{s.Created, s.LastComplaint, s.NextFollowUp, s.LastGesture} {
		stamp(t)
	}
	for _, dt := range [...]model.Date{s.Birthday, s.Since} {
		v, fits := packDate(dt)
		b = binary.AppendUvarint(b, v)
		ok = ok && fits
	}
	for _, n := range [...]int{s.RhythmDays, s.OpenFollowUps, s.Notes, s.Gestures} {
		b = binary.AppendVarint(b, int64(n))
	}
	return b, ok
}

// clampedTime reports whether last, an order key of LastContact, stands
// for more than one time (see timeKey).
func clampedTime(last int64) bool { return last == math.MinInt64+1 || last == math.MaxInt64-1 }

// varints reads the numbers appendStats wrote, and the lengths and codes
// of appendText, one after the other.
type varints string

func (s *varints) uvarint() uint64 {
	var v uint64
	for shift := 0; len(*s) > 0; shift += 7 {
		c := (*s)[0]
		*s = (*s)[1:]
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
	}
	return v
}

func (s *varints) varint() int64 {
	v := s.uvarint()
	return int64(v>>1) ^ -int64(v&1)
}

func (s *varints) time() time.Time {
	v := s.uvarint()
	if v == 0 {
		return time.Time{}
	}
	v--
	var ns uint64
	if v&1 != 0 {
		ns = s.uvarint()
	}
	zz := v >> 1
	return time.Unix(int64(zz>>1)^-int64(zz&1), int64(ns)).UTC()
}

// lastContact returns LastContact from last, its order key, or from the
// numbers when last is clamped.
func lastContact(last int64, st *varints) time.Time {
	switch {
	case last == neverContacted:
		return time.Time{}
	case clampedTime(last):
		return st.time()
	}
	return time.Unix(0, last).UTC()
}

// setDoc builds d from s, its summary, with the folded tags and the
// indexed words (packed) given, taking d's memory from a (nil: a plain
// allocation).
func setDoc[W ~string | ~[]byte](d *doc, s *model.CustomerSummary, folded []string, words W, a *arena) {
	d.hit = model.NewHit(s.ID, d)
	d.due = noDue
	if t := s.NextDue(); !t.IsZero() {
		d.due = timeKey(t)
	}
	d.last = neverContacted
	if !s.LastContact.IsZero() {
		d.last = timeKey(s.LastContact)
	}
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

	b := a.scratch()
	b = append(b, s.SortName...)
	wordsAt := len(b)
	b = append(b, words...)
	statsAt := len(b)
	b, ok := appendStats(b, s, d.last)
	// An empty tag list that is not nil is kept as it is, in odd.
	ok = ok && len(s.Tags) <= math.MaxUint16 && len(folded) == len(s.Tags) && (s.Tags == nil || len(s.Tags) > 0)
	d.odd = nil
	if ok {
		d.ntags = uint16(len(s.Tags))
	} else {
		// The whole summary, and in data only the sort name, the words and
		// the folded tags.
		odd := *s
		odd.Tags = slices.Clone(s.Tags) // the caller may reuse its slice
		d.odd = &odd
		b = b[:statsAt]
		folded = folded[:min(len(folded), math.MaxUint16)]
		d.ntags = uint16(len(folded))
	}
	textAt := len(b)
	var fields [nFields + 16]string
	text := fields[:0]
	if ok {
		text = append(text, s.Name, s.Company, s.Email, s.Phone, s.City, s.Segment, string(s.Kind), string(s.LastImpression))
		text = append(text, s.Tags...)
	}
	text = append(text, folded...)
	b = appendText(b, text...)
	d.data = a.str(b)
	a.keep(b)
	d.wordsAt, d.statsAt, d.textAt = uint32(wordsAt), uint32(statsAt), uint32(textAt)
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
	for w := range d.text() {
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
	st := varints(d.data[d.statsAt:d.textAt])
	last := lastContact(d.last, &st)
	created, lastComplaint, nextFollowUp, lastGesture := st.time(), st.time(), st.time(), st.time()
	birthday, since := unpackDate(st.uvarint()), unpackDate(st.uvarint())
	rhythm, openFollowUps, notes, gestures := st.varint(), st.varint(), st.varint(), st.varint()
	*s = model.CustomerSummary{
		ID: d.hit.ID, Kind: model.CustomerKind(f[fieldKind]), Name: f[fieldName], SortName: d.sort(),
		Company: f[fieldCompany], Email: f[fieldEmail], Phone: f[fieldPhone], City: f[fieldCity],
		Segment: f[fieldSegment], Tags: tags, RhythmDays: int(rhythm),
		Birthday: birthday, Since: since, Created: created,
		MailConsent: d.flags&flagMailConsent != 0, PostBlocked: d.flags&flagPostBlocked != 0,
		Stats: model.Stats{
			LastContact: last, LastImpression: model.Impression(f[fieldImpression]),
			LastComplaint: lastComplaint, OpenComplaint: d.flags&flagOpenComplaint != 0,
			NextFollowUp: nextFollowUp, OpenFollowUps: int(openFollowUps),
			Notes: int(notes), Gestures: int(gestures), LastGesture: lastGesture,
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
	for w := range d.text() {
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

// textRange yields the packed strings from..to-1 of d's text.
func (d *doc) textRange(from, to int, yield func(string) bool) {
	i := 0
	for w := range d.text() {
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
	st := varints(d.data[d.statsAt:d.textAt])
	return lastContact(d.last, &st)
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

// newDoc builds the document of s, with its words, for the overlay. Phone
// keys are computed only when withPhones is set.
func newDoc(s *model.CustomerSummary, f *folder, region string, withPhones bool) *doc {
	d, _ := buildDoc(s, f, region, withPhones, nil)
	return d
}

// buildDoc builds the document of s. With words nil, d keeps its words;
// else d has none and they are returned, their memory from words (see
// Index.load). Phone keys are computed only when withPhones is set.
func buildDoc(s *model.CustomerSummary, f *folder, region string, withPhones bool, words *arena) (*doc, wordSet) {
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
	var wbuf [512]byte
	packedWords := appendPacked(wbuf[:0], sortedSet(ws)...)
	var fbuf [8]string
	folded := fbuf[:0]
	for _, t := range s.Tags {
		folded = append(folded, f.fold(t))
	}
	var out wordSet
	if words == nil {
		setDoc(d, s, folded, packedWords, f.mem)
	} else {
		setDoc(d, s, folded, "", f.mem)
		out = wordSet(words.str(packedWords))
	}
	if withPhones {
		d.phones = phoneKeys(s.Phone, region, f.mem)
	}
	return d, out
}

// sameText reports whether a and b have the same indexed text: the
// fields newDoc takes words, tags and phone keys from.
func sameText(a, b *model.CustomerSummary) bool {
	return a.Name == b.Name && a.Company == b.Company && a.Email == b.Email && a.City == b.City &&
		a.Segment == b.Segment && a.Phone == b.Phone && slices.Equal(a.Tags, b.Tags)
}

// withStats returns a new document of s, whose indexed text is d's, and
// whose words are given (a document in a snapshot does not keep its own).
func (d *doc) withStats(s *model.CustomerSummary, words wordSet) *doc {
	n := &doc{phones: d.phones}
	setDoc(n, s, slices.Collect(d.foldedTags()), words, nil)
	return n
}

// phoneKeys returns model.PhoneKeys packed, its memory from a.
func phoneKeys(number, region string, a *arena) packed {
	if strings.TrimSpace(number) == "" {
		return ""
	}
	b := appendPacked(a.scratch(), model.PhoneKeys(number, region)...)
	p := packed(a.str(b))
	a.keep(b)
	return p
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
	for w := range d.words().all() {
		if w >= p {
			return strings.HasPrefix(w, p)
		}
	}
	return false
}
