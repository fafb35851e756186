// Package search is the in-memory customer index behind model.Directory:
// it answers a search over 100,000 customers within a keystroke and is
// kept current by storage after every commit.
//
// # Matching
//
// The query text is cut at white space. Runs of tokens made only of digits
// and the phone separators + / - ( ) form one digit word ("+41 79 123 45
// 67" is one word); every other token is folded with model.Fold and split
// into words. A customer matches when every query word matches:
//
//   - a text word matches when it is a prefix of an indexed word. Indexed
//     words are the folded words of the display name, company, primary
//     email, city, segment and tags, each also split at '@', '.', '-', '_'
//     and '+' ("peter" finds "Hans-Peter"), plus the mail domain after '@';
//     the whole address is a word too, so its local part is a prefix of one.
//   - a digit word matches when its digits are a prefix of an indexed word
//     ("2026" finds the tag "Messe Basel 2026"), or when, with leading zeros
//     stripped, they are a prefix of one of model.PhoneKeys of the primary
//     phone or of a suffix of at least four digits of one ("079 123 45 67",
//     "+41 79 123 45 67" and "1234567" all find "+41791234567").
//
// # Design
//
// Customers live in a snapshot, an immutable array in name order, with a
// sorted array of distinct words, their posting lists of positions in that
// array, and for every position the ranks of its words in that array. A
// query word is a binary-searched range of words; the words are
// intersected cheapest first, as bitsets over positions, or, once few
// candidates remain, by checking whether a candidate has a word whose rank
// is in the range. Because positions are in name order, walking the
// resulting bitset gives the SortByName order without sorting; the other
// two orders are precomputed permutations. Phone keys and their suffixes
// are packed into integers in one sorted array. Each customer's summary is
// kept compactly in one string (see doc).
//
// Put and Delete do not touch the snapshot: replaced and deleted customers
// are marked dead in a bitset and new versions go to a small sorted overlay
// that Search checks one by one and merges into the result. When the
// overlay grows past a few thousand customers, a background goroutine
// builds a new snapshot from the already folded documents and swaps it in,
// replaying the changes that arrived meanwhile, so neither Put nor Search
// ever waits for a rebuild.
package search

import (
	"iter"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/kundenkartei/kundenkartei/model"
)

// Index is the in-memory directory of live customers. It implements
// model.Directory. Load, Put and Delete may be called from one goroutine
// at a time; Search and the other reads may run concurrently with them and
// with each other. The summaries it returns are made for the caller.
type Index struct {
	region string // phone region, see NewWithRegion

	mu        sync.RWMutex
	base      *snapshot
	dead      bitset // base positions replaced or deleted since base was built
	ndead     int
	extra     []*doc // customers put since base was built, by cmpName
	extraByID map[model.ID]*doc
	tagCount  map[string]int // tag as written → live customers carrying it
	segCount  map[string]int // segment → live customers in it

	gen        uint64 // bumped by Load, so that a compaction it overtook is dropped
	compacting bool
	held       int            // Hold calls not released: compactions wait for a bigger overlay
	pending    []op           // changes made while compacting, replayed onto its result
	wg         sync.WaitGroup // background work, waited for by tests
}

// op is one Put (d set) or Delete (d nil).
type op struct {
	id model.ID
	d  *doc
}

var _ model.Directory = (*Index)(nil)

// New returns an empty index that reads phone numbers without a country
// code in model.DefaultRegion.
func New() *Index { return NewWithRegion(model.DefaultRegion) }

// NewWithRegion returns an empty index that reads phone numbers without a
// country code in region ("CH", "DE", "AT" …; "" means model.DefaultRegion).
func NewWithRegion(region string) *Index {
	if region == "" {
		region = model.DefaultRegion
	}
	ix := &Index{region: region}
	ix.install(build(nil, nil))
	close(ix.base.phoneReady)
	ix.tagCount, ix.segCount = map[string]int{}, map[string]int{}
	return ix
}

// Region returns the region phone numbers without a country code are read in.
func (ix *Index) Region() string { return ix.region }

// install makes sn the base with an empty overlay. The caller holds mu for
// writing (or owns ix exclusively).
func (ix *Index) install(sn *snapshot) {
	ix.base = sn
	ix.dead = newBitset(len(sn.docs))
	ix.ndead = 0
	ix.extra = nil
	ix.extraByID = map[model.ID]*doc{}
}

// Load replaces the whole index with all, the summaries of every live
// customer; of several summaries with one ID the last counts.
//
// Parsing phone numbers (libphonenumber, about 12 µs each) would dominate a
// cold start, so Load returns once the text index is ready and computes the
// phone keys in a background goroutine; a Search with a digit word waits
// for them, every other search is served at once.
func (ix *Index) Load(all []model.CustomerSummary) {
	docs, words := makeDocs(all)
	ix.load(docs, words, false)
}

// load replaces the whole index with docs (in any order; of several with
// one ID the last counts), which keep no words of their own; words[i] are
// docs[i]'s. withPhones says that the docs' phone keys are computed already
// (ReadSnapshot); otherwise a goroutine computes them.
func (ix *Index) load(docs []*doc, words []wordSet, withPhones bool) {
	var order []int32 // the input index of each document in name order; nil: as given
	if !sortedByName(docs) {
		order = nameOrder(docs)
	}
	byName := func() []*doc {
		if order == nil {
			return docs
		}
		out := make([]*doc, len(order))
		for i, j := range order {
			out[i] = docs[j]
		}
		return out
	}
	wordsOf := func(i int) iter.Seq[string] {
		if order != nil {
			i = int(order[i])
		}
		return words[i].all()
	}
	sorted := byName()
	sn := build(sorted, wordsOf)
	if sn.dupIDs { // keep the last of each ID
		last := make(map[model.ID]int32, len(docs))
		for i, d := range docs {
			last[d.hit.ID] = int32(i)
		}
		if order == nil {
			order = make([]int32, len(docs))
			for i := range order {
				order[i] = int32(i)
			}
		}
		keep := order[:0] // still in name order
		for _, j := range order {
			if last[docs[j].hit.ID] == j {
				keep = append(keep, j)
			}
		}
		order = keep
		sorted = byName()
		sn = build(sorted, wordsOf)
	}
	docs = sorted
	tags, segs := map[string]int{}, map[string]int{}
	for _, d := range docs {
		count(tags, segs, d, 1)
	}

	ix.mu.Lock()
	ix.gen++
	ix.install(sn)
	ix.tagCount, ix.segCount = tags, segs
	ix.compacting, ix.pending = false, nil
	ix.mu.Unlock()

	ix.wg.Add(1)
	go func() {
		defer ix.wg.Done()
		if !withPhones {
			fillPhones(docs, ix.region)
		}
		sn.buildPhones()
	}()
}

// makeDocs builds the documents of all in parallel, without phone keys and
// without words of their own: it returns those beside them, for load.
func makeDocs(all []model.CustomerSummary) ([]*doc, []wordSet) {
	docs := make([]*doc, len(all))
	words := make([]wordSet, len(all))
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(all) + workers - 1) / workers
	var wg sync.WaitGroup
	for from := 0; from < len(all); from += chunk {
		to := min(from+chunk, len(all))
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := newFolder()
			var mem arena // garbage once the snapshot is built
			for i := from; i < to; i++ {
				docs[i], words[i] = buildDoc(&all[i], f, "", false, &mem)
			}
		}()
	}
	wg.Wait()
	return docs, words
}

// nameOrder returns the indexes of docs in cmpName order: a radix sort on
// the first eight bytes of the sort name, then a comparison sort within
// runs of equal prefixes. Comparing 100,000 strings through pointers
// directly costs several times as much, most of it in cache misses.
func nameOrder(docs []*doc) []int32 {
	keys := make([]uint64, len(docs))
	idx := make([]int32, len(docs))
	for i, d := range docs {
		var k uint64
		name := d.sort()
		for j := 0; j < 8; j++ {
			k <<= 8
			if j < len(name) {
				k |= uint64(name[j])
			}
		}
		keys[i], idx[i] = k, int32(i)
	}
	sortPairs(keys, idx)
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && keys[j] == keys[i] {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(idx[i:j], func(a, b int32) int { return cmpName(docs[a], docs[b]) })
		}
		i = j
	}
	return idx
}

// fillPhones computes the phone keys of docs. It leaves one core to the
// rest of the program starting up.
func fillPhones(docs []*doc, region string) {
	workers := max(1, runtime.GOMAXPROCS(0)-1)
	chunk := (len(docs) + workers - 1) / workers
	var wg sync.WaitGroup
	for from := 0; from < len(docs); from += chunk {
		to := min(from+chunk, len(docs))
		wg.Add(1)
		go func() {
			defer wg.Done()
			mem := &arena{}
			for _, d := range docs[from:to] {
				d.phones = phoneKeys(d.field(fieldPhone), region, mem)
			}
		}()
	}
	wg.Wait()
}

// count adds n to the tag and segment counts of d.
func count(tags, segs map[string]int, d *doc, n int) {
	if d == nil {
		return
	}
	for t := range d.tagList() {
		tags[t] += n
		if tags[t] <= 0 {
			delete(tags, t)
		}
	}
	if seg := d.segment(); seg != "" {
		segs[seg] += n
		if segs[seg] <= 0 {
			delete(segs, seg)
		}
	}
}

// Put inserts s, or replaces the customer with its ID. It takes a few
// microseconds plus the phone number's parse; when no indexed text
// changed (a new note changes only the stats), the current document's
// words and phone keys are kept.
func (ix *Index) Put(s model.CustomerSummary) {
	ix.change(op{id: s.ID, d: ix.docOf(&s, &folder{})})
}

// docOf returns the document of s, from f or, when only its stats
// changed, from the current one's words and phone keys.
func (ix *Index) docOf(s *model.CustomerSummary, f *folder) *doc {
	ix.mu.RLock()
	cur, p := ix.currentPos(s.ID)
	if cur != nil && p >= 0 && !ix.base.phonesReady() {
		cur = nil // its phone keys are still being computed
	}
	var words wordSet
	switch {
	case cur != nil && p >= 0:
		words = pack(slices.Collect(ix.base.wordsOf(p)))
	case cur != nil:
		words = cur.words()
	}
	ix.mu.RUnlock()
	if cur != nil && sameText(cur.summary(), s) {
		return cur.withStats(s, words)
	}
	return newDoc(s, f, ix.region, true)
}

// Delete removes the customer with id, if present.
func (ix *Index) Delete(id model.ID) {
	ix.change(op{id: id})
}

func (ix *Index) change(o op) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	count(ix.tagCount, ix.segCount, ix.current(o.id), -1)
	count(ix.tagCount, ix.segCount, o.d, 1)
	ix.apply(o)
	if ix.compacting {
		ix.pending = append(ix.pending, o)
	}
	ix.maybeCompact()
}

// current returns the live document of id, or nil.
func (ix *Index) current(id model.ID) *doc {
	d, _ := ix.currentPos(id)
	return d
}

// currentPos returns the live document of id, or nil, and its position in
// the base snapshot, or -1 when it is in the overlay.
func (ix *Index) currentPos(id model.ID) (*doc, int32) {
	if d, ok := ix.extraByID[id]; ok {
		return d, -1
	}
	if p, ok := ix.base.find(id); ok && !ix.dead.has(p) {
		return ix.base.docs[p], p
	}
	return nil, -1
}

// apply records o in the overlay. Applying an op twice in a row has the
// effect of applying it once, which compaction relies on.
func (ix *Index) apply(o op) {
	if old, ok := ix.extraByID[o.id]; ok {
		i, _ := slices.BinarySearchFunc(ix.extra, old, cmpName)
		ix.extra = slices.Delete(ix.extra, i, i+1)
		delete(ix.extraByID, o.id)
	} else if p, ok := ix.base.find(o.id); ok && !ix.dead.has(p) {
		ix.dead.set(p)
		ix.ndead++
	}
	if o.d != nil {
		i, _ := slices.BinarySearchFunc(ix.extra, o.d, cmpName)
		ix.extra = slices.Insert(ix.extra, i, o.d)
		ix.extraByID[o.id] = o.d
	}
}

// overlayLimit is how many changed customers the overlay holds before a
// new snapshot is built: enough that rebuilds (tens of milliseconds of
// background work at 100,000 customers) stay rare during imports, few
// enough that checking the overlay one by one stays far below a keystroke.
func overlayLimit(n int) int { return 512 + n/64 }

func (ix *Index) maybeCompact() {
	limit := overlayLimit(len(ix.base.docs))
	if ix.held > 0 {
		// At least as many as the base holds: a first sync into an empty
		// directory then rebuilds it a few times in all (each at double
		// the size), not once per few thousand customers.
		limit = max(limit*heldFactor, len(ix.base.docs))
	}
	if ix.compacting || len(ix.extra)+ix.ndead <= limit {
		return
	}
	ix.compacting, ix.pending = true, nil
	ix.wg.Add(1)
	go ix.compact(ix.gen)
}

// heldFactor is how much larger the overlay may grow while held.
const heldFactor = 4

// Hold lets the overlay grow heldFactor times larger before the next
// compaction, until release is called: a sync or an import puts thousands
// of customers in a row, and rebuilding the index after every few hundred
// of them would redo nearly the same work again and again.
func (ix *Index) Hold() (release func()) {
	ix.mu.Lock()
	ix.held++
	ix.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			ix.mu.Lock()
			defer ix.mu.Unlock()
			ix.held--
			ix.maybeCompact()
		})
	}
}

// compact builds a snapshot of the live customers and installs it.
func (ix *Index) compact(gen uint64) {
	defer ix.wg.Done()
	ix.mu.RLock()
	base := ix.base
	ix.mu.RUnlock()
	<-base.phoneReady // the docs' phone keys are needed, and written until then

	ix.mu.RLock()
	if ix.gen != gen {
		ix.mu.RUnlock()
		return
	}
	docs, words := ix.liveDocs()
	ix.mu.RUnlock()

	sn := build(docs, words)
	sn.buildPhones()
	sn.warm(base)

	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.gen != gen {
		return
	}
	// Ops recorded after compaction began may be in docs already; applying
	// them again is harmless (see apply).
	pending := ix.pending
	ix.install(sn)
	for _, o := range pending {
		ix.apply(o)
	}
	ix.compacting, ix.pending = false, nil
	ix.maybeCompact()
}

// liveDocs returns every live document by cmpName, and their words: the
// base snapshot's for its documents, their own for the overlay's. The
// caller holds mu; the words stay readable after it releases it.
func (ix *Index) liveDocs() ([]*doc, wordsFunc) {
	sn := ix.base
	n := len(sn.docs) - ix.ndead + len(ix.extra)
	out := make([]*doc, 0, n)
	from := make([]int32, 0, n) // base position, or -1
	j := 0
	for p, d := range sn.docs {
		if ix.dead.has(int32(p)) {
			continue
		}
		for j < len(ix.extra) && cmpName(ix.extra[j], d) < 0 {
			out, from = append(out, ix.extra[j]), append(from, -1)
			j++
		}
		out, from = append(out, d), append(from, int32(p))
	}
	for _, d := range ix.extra[j:] {
		out, from = append(out, d), append(from, -1)
	}
	return out, func(i int) iter.Seq[string] {
		if p := from[i]; p >= 0 {
			return sn.wordsOf(p)
		}
		return out[i].words().all()
	}
}

// Wait blocks until background work (phone keys, compaction) is done.
func (ix *Index) Wait() { ix.wg.Wait() }

// wait is Wait, for the package's tests.
func (ix *Index) wait() { ix.Wait() }

// Summary returns the summary of the live customer with id, made anew.
func (ix *Index) Summary(id model.ID) (*model.CustomerSummary, bool) {
	ix.mu.RLock()
	d := ix.current(id)
	ix.mu.RUnlock()
	if d == nil {
		return nil, false
	}
	return d.summary(), true
}

// Len returns the number of live customers.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.base.docs) - ix.ndead + len(ix.extra)
}

// Tags returns every tag in use, sorted by folded form. Tags that fold
// alike ("VIP", "vip") are one tag, shown in the spelling that sorts first.
func (ix *Index) Tags() []string {
	ix.mu.RLock()
	best := map[string]string{}
	for t := range ix.tagCount {
		f := model.Fold(t)
		if b, ok := best[f]; !ok || t < b {
			best[f] = t
		}
	}
	ix.mu.RUnlock()
	out := make([]string, 0, len(best))
	for _, t := range best {
		out = append(out, t)
	}
	sortFolded(out)
	return out
}

// Segments returns every segment in use, sorted by folded form.
func (ix *Index) Segments() []string {
	ix.mu.RLock()
	out := make([]string, 0, len(ix.segCount))
	for s := range ix.segCount {
		out = append(out, s)
	}
	ix.mu.RUnlock()
	sortFolded(out)
	return out
}

// sortFolded sorts names as a person reads them ("Ärzte" beside "Arzt"),
// ties in byte order so the result is deterministic.
func sortFolded(s []string) {
	keys := make(map[string]string, len(s))
	for _, v := range s {
		keys[v] = model.Fold(v)
	}
	sort.Slice(s, func(i, j int) bool {
		if keys[s[i]] != keys[s[j]] {
			return keys[s[i]] < keys[s[j]]
		}
		return s[i] < s[j]
	})
}
