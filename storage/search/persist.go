package search

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// The persisted form of an index (see WriteSnapshot) holds every live
// customer's summary together with what Load would compute from it: the
// indexed words (packed, see wordSet), the folded tags and the phone keys. Reading it back folds
// no text and parses no phone number, and every string lives in one arena.
//
//	magic        "kksearch2"
//	counts       uvarint: strings, customers, tag refs, phone refs
//	string table uvarint length of each string, then their bytes
//	customers    in name order, each: 16-byte ID, then uvarint string
//	             references (index into the table) and numbers, see putDoc
//	crc32        IEEE, little endian, of everything before it
const persistMagic = "kksearch2"

// errCorrupt is returned for a persisted index that does not decode.
var errCorrupt = errors.New("search: corrupt persisted index")

// WriteSnapshot writes the live customers, with their indexed words, folded
// tags and phone keys, for ReadSnapshot. It waits for the phone keys of a
// Load that is still computing them.
func (ix *Index) WriteSnapshot(w io.Writer) error {
	ix.mu.RLock()
	base := ix.base
	ix.mu.RUnlock()
	<-base.phoneReady // Load fills the docs' phone keys until then
	ix.mu.RLock()
	docs, words := ix.liveDocs()
	ix.mu.RUnlock()

	p := persister{ids: make(map[string]uint64, len(docs)*4), strs: []string{""}}
	p.ids[""] = 0
	var body []byte
	var nTags, nPhones int
	var sum model.CustomerSummary
	var scratch []byte
	for i, d := range docs {
		d.FillSummary(&sum)
		scratch = scratch[:0]
		for w := range words(i) {
			scratch = appendPacked(scratch, w)
		}
		body = p.putDoc(body, d, &sum, wordSet(scratch))
		nTags += len(sum.Tags)
		nPhones += len(slices.Collect(d.phones.all()))
	}
	// Written through a buffer, not gathered into one more copy of the
	// file: at the end of a large import the index and body are in
	// memory already.
	crc := crc32.NewIEEE()
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 64<<10)
	var num []byte
	bw.WriteString(persistMagic)
	for _, n := range []int{len(p.strs), len(docs), nTags, nPhones} {
		num = binary.AppendUvarint(num[:0], uint64(n))
		bw.Write(num)
	}
	for _, s := range p.strs {
		num = binary.AppendUvarint(num[:0], uint64(len(s)))
		bw.Write(num)
	}
	for _, s := range p.strs {
		bw.WriteString(s)
	}
	bw.Write(body)
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32()))
	return err
}

// persister interns the strings of the documents it writes.
type persister struct {
	ids   map[string]uint64
	strs  []string
	bytes int
}

func (p *persister) ref(b []byte, s string) []byte {
	id, ok := p.ids[s]
	if !ok {
		id = uint64(len(p.strs))
		p.ids[s] = id
		p.strs = append(p.strs, s)
		p.bytes += len(s)
	}
	return binary.AppendUvarint(b, id)
}

func (p *persister) refs(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = p.ref(b, s)
	}
	return b
}

// putDoc appends d, whose summary is s and words words. Keep getDoc in
// step.
func (p *persister) putDoc(b []byte, d *doc, s *model.CustomerSummary, words wordSet) []byte {
	b = append(b, s.ID[:]...)
	for _, f := range []string{string(s.Kind), s.Name, s.SortName, s.Company, s.Email, s.Phone, s.City, s.Segment, string(s.LastImpression)} {
		b = p.ref(b, f)
	}
	b = p.refs(b, s.Tags)
	b = p.refs(b, slices.Collect(d.foldedTags()))
	b = p.ref(b, string(words))
	b = p.refs(b, slices.Collect(d.phones.all()))
	b = binary.AppendVarint(b, int64(s.RhythmDays))
	for _, dt := range []model.Date{s.Birthday, s.Since} {
		b = binary.AppendVarint(b, int64(dt.Year))
		b = binary.AppendVarint(b, int64(dt.Month))
		b = binary.AppendVarint(b, int64(dt.Day))
	}
	for _, t := range []time.Time{s.Created, s.LastContact, s.LastComplaint, s.NextFollowUp, s.LastGesture} {
		b = putTime(b, t)
	}
	var flags byte
	if s.MailConsent {
		flags |= 1
	}
	if s.OpenComplaint {
		flags |= 2
	}
	if s.PostBlocked {
		flags |= 4
	}
	b = append(b, flags)
	for _, n := range []int{s.OpenFollowUps, s.Notes, s.Gestures} {
		b = binary.AppendVarint(b, int64(n))
	}
	return b
}

// putTime appends t: 0 for the zero time, 1 and Unix seconds and
// nanoseconds for a UTC time, 2 and MarshalBinary's bytes for any other.
func putTime(b []byte, t time.Time) []byte {
	switch {
	case t.IsZero() && t.Location() == time.UTC:
		return append(b, 0)
	case t.Location() == time.UTC:
		b = append(b, 1)
		b = binary.AppendVarint(b, t.Unix())
		return binary.AppendUvarint(b, uint64(t.Nanosecond()))
	}
	raw, err := t.MarshalBinary()
	if err != nil { // an offset that is not whole minutes: keep the instant
		return putTime(b, t.UTC())
	}
	b = append(b, 2, byte(len(raw)))
	return append(b, raw...)
}

// ReadSnapshot returns the index WriteSnapshot wrote to data, reading phone
// numbers without a country code in region. It holds on to no part of
// data. The index is ready for every search when it returns.
func ReadSnapshot(data []byte, region string) (*Index, error) {
	if len(data) < len(persistMagic)+4 || !bytes.HasPrefix(data, []byte(persistMagic)) {
		return nil, errCorrupt
	}
	body := data[:len(data)-4]
	if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return nil, errCorrupt
	}
	r := reader{b: body[len(persistMagic):]}
	nStrs, nDocs, nTags, nPhones := r.count(), r.count(), r.count(), r.count()
	if r.err != nil {
		return nil, r.err
	}
	// All strings are cut from one arena: one allocation instead of a
	// million, and nothing for the collector to trace.
	lens := make([]int, nStrs)
	total := 0
	for i := range lens {
		lens[i] = r.count()
		total += lens[i]
	}
	if r.err != nil || total > len(r.b) {
		return nil, errCorrupt
	}
	arena := string(r.b[:total])
	r.b = r.b[total:]
	r.strs = make([]string, nStrs)
	for i, n := range lens {
		r.strs[i], arena = arena[:n], arena[n:]
	}
	if nTags+nPhones > len(r.b) {
		return nil, errCorrupt
	}

	if nDocs > len(r.b)/(len(model.ID{})+1) {
		return nil, errCorrupt
	}
	docs := make([]doc, nDocs)
	ptrs := make([]*doc, nDocs)
	words := make([]wordSet, nDocs) // strings of the table, garbage after the load
	var lists [3][]string
	for i := range docs {
		words[i] = r.getDoc(&docs[i], &lists)
		ptrs[i] = &docs[i]
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errCorrupt
	}
	ix := NewWithRegion(region)
	ix.load(ptrs, words, true)
	return ix, nil
}

// reader decodes a persisted index; the first error sticks.
type reader struct {
	b    []byte
	strs []string
	err  error
	mem  arena // the documents' data
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a length or number of items, which cannot exceed the bytes
// left: every item takes at least one.
func (r *reader) count() int {
	v := r.uvarint()
	if v > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(v)
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.b = nil
}

func (r *reader) str() string {
	id := r.uvarint()
	if id >= uint64(len(r.strs)) {
		r.fail()
		return ""
	}
	return r.strs[id]
}

// list reads a list of references into buf, reusing its memory. empty
// is what a list of none is.
func (r *reader) list(buf []string, empty []string) []string {
	n := r.count()
	if n == 0 {
		return empty
	}
	buf = buf[:0]
	for i := 0; i < n; i++ {
		buf = append(buf, r.str())
	}
	return buf
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) time() time.Time {
	switch r.byte() {
	case 0:
		return time.Time{}
	case 1:
		sec := r.varint()
		return time.Unix(sec, int64(r.uvarint())).UTC()
	case 2:
		n := int(r.byte())
		if n > len(r.b) {
			r.fail()
			return time.Time{}
		}
		var t time.Time
		if err := t.UnmarshalBinary(r.b[:n]); err != nil {
			r.fail()
		}
		r.b = r.b[n:]
		return t
	}
	r.fail()
	return time.Time{}
}

// getDoc reads what putDoc wrote, and returns the document's words, which
// d does not keep. The strings d keeps are copied out of the string table
// into r.mem, so that the table is garbage once the index is read; lists
// is scratch memory for the lists of one document.
func (r *reader) getDoc(d *doc, lists *[3][]string) wordSet {
	var s model.CustomerSummary
	if len(r.b) < len(s.ID) {
		r.fail()
		return ""
	}
	copy(s.ID[:], r.b)
	r.b = r.b[len(s.ID):]
	s.Kind = model.CustomerKind(r.str())
	s.Name, s.SortName, s.Company, s.Email = r.str(), r.str(), r.str(), r.str()
	s.Phone, s.City, s.Segment = r.str(), r.str(), r.str()
	s.LastImpression = model.Impression(r.str())
	lists[0] = r.list(lists[0], nil)
	s.Tags = lists[0]
	lists[1] = r.list(lists[1], nil)
	folded := lists[1]
	words := r.str()
	lists[2] = r.list(lists[2], nil)
	phones := lists[2]
	s.RhythmDays = int(r.varint())
	for _, dt := range []*model.Date{&s.Birthday, &s.Since} {
		dt.Year, dt.Month, dt.Day = int(r.varint()), time.Month(r.varint()), int(r.varint())
	}
	for _, t := range []*time.Time{&s.Created, &s.LastContact, &s.LastComplaint, &s.NextFollowUp, &s.LastGesture} {
		*t = r.time()
	}
	flags := r.byte()
	s.MailConsent, s.OpenComplaint, s.PostBlocked = flags&1 != 0, flags&2 != 0, flags&4 != 0
	s.OpenFollowUps, s.Notes, s.Gestures = int(r.varint()), int(r.varint()), int(r.varint())
	if r.err != nil {
		return ""
	}
	setDoc(d, &s, folded, "", &r.mem)
	if len(phones) > 0 {
		b := appendPacked(r.mem.scratch(), phones...)
		d.phones = packed(r.mem.str(b))
		r.mem.keep(b)
	}
	if d.odd != nil { // it keeps strings of the table: copy them
		o := d.odd
		o.Name, o.Company, o.Email, o.Phone = strings.Clone(o.Name), strings.Clone(o.Company), strings.Clone(o.Email), strings.Clone(o.Phone)
		o.City, o.Segment = strings.Clone(o.City), strings.Clone(o.Segment)
		o.Kind, o.LastImpression = model.CustomerKind(strings.Clone(string(o.Kind))), model.Impression(strings.Clone(string(o.LastImpression)))
		for i, t := range o.Tags {
			o.Tags[i] = strings.Clone(t)
		}
	}
	return wordSet(words)
}

// sortedByName reports whether docs are in cmpName order with distinct IDs
// next to each other, as WriteSnapshot writes them.
func sortedByName(docs []*doc) bool {
	return slices.IsSortedFunc(docs, cmpName)
}
