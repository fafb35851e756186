package search

import (
	"encoding/binary"
	"iter"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/kundenkartei/kundenkartei/model"
)

// snapshot is an immutable index over a set of customers. Positions are
// indexes into docs, which is sorted by name, so every posting list and
// every bitset is in name order for free.
type snapshot struct {
	docs []*doc
	// ids are the first eight bytes of every customer's ID, sorted, with
	// the customer's position beside each in idPos (see find): 12 bytes a
	// customer, where a map from ID to position took about 28.
	ids    []uint64
	idPos  []int32
	dupIDs bool // an ID is at two positions (only load builds such a snapshot, and drops it)

	// words are the distinct indexed words, sorted; the positions of the
	// customers carrying words[i] are post[off[i]:off[i+1]], ascending. A
	// query word's prefix range is found by binary search, and off gives the
	// number of postings in the range without touching them.
	words wordList
	off   []int32
	post  []int32
	// fwd holds the words of every position, as indexes into words in
	// ascending order, each the uvarint of its difference to the one
	// before: position p's are fwd[fwdOff[p]:fwdOff[p+1]]. Its documents
	// do not keep their words: about 25 bytes a customer instead of 100,
	// and checking a candidate against a query word's range of words
	// compares integers instead of strings.
	fwd    []byte
	fwdOff []uint32
	// heads is the set of customers for every one-byte prefix with many
	// postings: the first keystroke ("m") matches half the customers, and
	// copying a precomputed set beats setting a bit per posting.
	heads map[byte]bitset

	// last and due are the SortByLastContact and SortByNextDue orders, text
	// the orders built on first use (see order.go); their ranks let a small
	// result set be sorted by comparing two integers.
	last, due perm
	text      [len(textOrders)]lazyPerm

	complaint, consent   bitset // Stats.OpenComplaint, MailConsent
	nComplaint, nConsent int
	tagPost              map[string][]int32 // folded tag → positions
	segPost              map[string][]int32 // segment → positions

	// phone is filled once phoneReady is closed; see Index.Load.
	phoneReady chan struct{}
	phone      phoneIndex
}

// phoneIndex holds every phone key of every customer and every suffix of at
// least minSuffix digits of one, their first phoneKeyDigits digits packed
// by packDigits and sorted, with the position of the customer beside each.
// A query of more digits takes the range of its first phoneKeyDigits and
// checks each customer in it: eight digits leave a handful of customers,
// and a key of eight digits is half the size of one of sixteen (750,000
// entries for 100,000 customers).
type phoneIndex struct {
	keys []uint32
	pos  []int32
	// heads holds the set of customers for every prefix of at most two
	// digits with many entries: the first keystrokes of a number ("0",
	// "07", "079") match most customers, and setting a bit per entry would
	// cost a millisecond each time.
	heads map[string]bitset
}

// phoneKeyDigits is how many digits of a phone key the phone index holds.
const phoneKeyDigits = 8

// headMin is how many entries a phone prefix needs to get a precomputed
// set (of 12.5 KB at 100,000 customers): setting fewer bits one by one
// takes some ten microseconds.
var headMin = 16384

// wordList is a sorted list of words in one string, word i being
// text[at[i]:at[i+1]]: 4 bytes a word beside its text instead of a 16-byte
// string header.
type wordList struct {
	text string
	at   []uint32
}

// len returns the number of words.
func (l *wordList) len() int { return max(len(l.at)-1, 0) }

// word returns word i.
func (l *wordList) word(i int) string { return l.text[l.at[i]:l.at[i+1]] }

// wordsFunc returns the words of docs[i] of a build.
type wordsFunc func(i int) iter.Seq[string]

// build indexes docs, which must be sorted by cmpName and hold each ID
// once; words gives their words. The phone index is left to buildPhones.
func build(docs []*doc, words wordsFunc) *snapshot {
	n := len(docs)
	sn := &snapshot{
		docs:       docs,
		ids:        make([]uint64, n),
		idPos:      make([]int32, n),
		complaint:  newBitset(n),
		consent:    newBitset(n),
		tagPost:    map[string][]int32{},
		segPost:    map[string][]int32{},
		phoneReady: make(chan struct{}),
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		sn.buildWords(words)
		sn.buildHeads()
	})
	wg.Go(func() {
		sn.last = timePerm(docs, func(d *doc) uint64 { return ^(uint64(d.last) ^ 1<<63) }, cmpLast, hasLast)
		sn.due = timePerm(docs, func(d *doc) uint64 { return uint64(d.due) ^ 1<<63 }, cmpDue, hasDue)
	})
	for i, d := range docs {
		p := int32(i)
		sn.ids[i], sn.idPos[i] = idKey(d.hit.ID), p
		if d.openComplaint() {
			sn.complaint.set(p)
			sn.nComplaint++
		}
		if d.mailConsent() {
			sn.consent.set(p)
			sn.nConsent++
		}
		for t := range d.foldedTags() {
			if l := sn.tagPost[t]; len(l) == 0 || l[len(l)-1] != p {
				sn.tagPost[t] = append(l, p)
			}
		}
		if seg := d.segment(); seg != "" {
			sn.segPost[seg] = append(sn.segPost[seg], p)
		}
	}
	sortPairs(sn.ids, sn.idPos)
	for i := 1; i < n && !sn.dupIDs; i++ {
		for j := i - 1; j >= 0 && sn.ids[j] == sn.ids[i]; j-- {
			if docs[sn.idPos[j]].hit.ID == docs[sn.idPos[i]].hit.ID {
				sn.dupIDs = true
			}
		}
	}
	wg.Wait()
	return sn
}

// idKey is the key of id in snapshot.ids.
func idKey(id model.ID) uint64 { return binary.BigEndian.Uint64(id[:8]) }

// find returns the position of the customer with id.
func (sn *snapshot) find(id model.ID) (int32, bool) {
	k := idKey(id)
	i, _ := slices.BinarySearch(sn.ids, k)
	for ; i < len(sn.ids) && sn.ids[i] == k; i++ {
		if p := sn.idPos[i]; sn.docs[p].hit.ID == id {
			return p, true
		}
	}
	return 0, false
}

// wordShard spreads words over the goroutines of buildWords.
func wordShard(w string, shards int) int {
	return int(uint(w[0])+uint(w[len(w)-1])+uint(len(w))) % shards
}

// buildWords fills words, off, post and fwd. Assigning ids to a million
// and more words through a map is the bulk of a build, so the words are
// split into shards that are numbered, sorted and filled in parallel.
func (sn *snapshot) buildWords(words wordsFunc) {
	type entry struct {
		w  string
		id int32
	}
	type shard struct {
		uniq   []entry
		counts []int32
		flat   []int32 // ids of this shard's words, doc after doc
		global []int32 // id → rank in sn.words
	}
	nShards := max(1, min(runtime.GOMAXPROCS(0), 8))
	shards := make([]shard, nShards)
	// start[p] is where the words of position p begin in the list of every
	// position's words (counted by shard 0), for fwd.
	start := make([]int32, len(sn.docs)+1)
	var wg sync.WaitGroup
	for k := range shards {
		wg.Go(func() {
			sh := &shards[k]
			ids := make(map[string]int32, len(sn.docs)*2/nShards)
			sh.flat = make([]int32, 0, len(sn.docs)*16/nShards)
			for p := range sn.docs {
				for w := range words(p) {
					if k == 0 {
						start[p+1]++
					}
					if nShards > 1 && wordShard(w, nShards) != k {
						continue
					}
					id, ok := ids[w]
					if !ok {
						id = int32(len(sh.uniq))
						ids[w] = id
						sh.uniq = append(sh.uniq, entry{w, id})
						sh.counts = append(sh.counts, 0)
					}
					sh.counts[id]++
					sh.flat = append(sh.flat, id)
				}
			}
			slices.SortFunc(sh.uniq, func(a, b entry) int { return strings.Compare(a.w, b.w) })
			sh.global = make([]int32, len(sh.uniq))
		})
	}
	wg.Wait()

	// Merge the sorted shards into one sorted word list, with the words
	// copied: they may be parts of memory that goes once the build is done.
	total, size := 0, 0
	for k := range shards {
		total += len(shards[k].uniq)
		for _, e := range shards[k].uniq {
			size += len(e.w)
		}
	}
	var text strings.Builder
	text.Grow(size)
	sn.words.at = make([]uint32, 1, total+1)
	sn.off = make([]int32, 1, total+1)
	next := make([]int, nShards)
	for rank := int32(0); int(rank) < total; rank++ {
		best := -1
		for k := range shards {
			if next[k] < len(shards[k].uniq) && (best < 0 || shards[k].uniq[next[k]].w < shards[best].uniq[next[best]].w) {
				best = k
			}
		}
		sh := &shards[best]
		e := sh.uniq[next[best]]
		next[best]++
		sh.global[e.id] = rank
		text.WriteString(e.w)
		sn.words.at = append(sn.words.at, uint32(text.Len()))
		sn.off = append(sn.off, sn.off[len(sn.off)-1]+sh.counts[e.id])
	}

	sn.words.text = text.String()

	// Each shard fills the posting lists of its own words (disjoint
	// ranges) and the ranks of its words in every position's list.
	for p := range sn.docs {
		start[p+1] += start[p]
	}
	ranks := make([]int32, start[len(sn.docs)])
	sn.post = make([]int32, sn.off[total])
	cursor := slices.Clone(sn.off[:total])
	for k := range shards {
		wg.Go(func() {
			sh := &shards[k]
			i := 0
			for p := range sn.docs {
				j := start[p]
				for w := range words(p) {
					if nShards > 1 && wordShard(w, nShards) != k {
						j++
						continue
					}
					r := sh.global[sh.flat[i]]
					i++
					sn.post[cursor[r]] = int32(p)
					cursor[r]++
					ranks[j] = r
					j++
				}
			}
		})
	}
	wg.Wait()
	sn.buildForward(ranks, start)
}

// buildForward fills fwd from the ranks of every position's words,
// position p's in ranks[start[p]:start[p+1]].
func (sn *snapshot) buildForward(ranks, start []int32) {
	n := len(sn.docs)
	size := 0
	for p := 0; p < n; p++ {
		rs := ranks[start[p]:start[p+1]]
		// Words are sorted and distinct, so their ranks ascend; a damaged
		// persisted index may say otherwise.
		if !slices.IsSorted(rs) {
			slices.Sort(rs)
		}
		prev := int32(-1)
		for _, r := range rs {
			if r != prev {
				size += uvarintLen(uint64(r - max(prev, 0)))
			}
			prev = r
		}
	}
	sn.fwd = make([]byte, 0, size)
	sn.fwdOff = make([]uint32, n+1)
	for p := 0; p < n; p++ {
		prev := int32(-1)
		for _, r := range ranks[start[p]:start[p+1]] {
			if r != prev {
				sn.fwd = binary.AppendUvarint(sn.fwd, uint64(r-max(prev, 0)))
			}
			prev = r
		}
		sn.fwdOff[p+1] = uint32(len(sn.fwd))
	}
}

// uvarintLen is the length of binary.AppendUvarint's encoding of v.
func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// hasWordIn reports whether position p carries one of words[lo:hi].
func (sn *snapshot) hasWordIn(p int32, lo, hi int) bool {
	b := sn.fwd[sn.fwdOff[p]:sn.fwdOff[p+1]]
	r := 0
	for i := 0; i < len(b); {
		v, shift := 0, 0
		for {
			c := b[i]
			i++
			v |= int(c&0x7f) << shift
			if c < 0x80 {
				break
			}
			shift += 7
		}
		r += v
		if r >= hi {
			return false
		}
		if r >= lo {
			return true
		}
	}
	return false
}

// wordsOf yields the words of position p in ascending order.
func (sn *snapshot) wordsOf(p int32) iter.Seq[string] {
	return func(yield func(string) bool) {
		b := sn.fwd[sn.fwdOff[p]:sn.fwdOff[p+1]]
		r := 0
		for len(b) > 0 {
			v, n := binary.Uvarint(b)
			b = b[n:]
			r += int(v)
			if !yield(sn.words.word(r)) {
				return
			}
		}
	}
}

// headMinWords is how many postings a one-byte word prefix needs to get a
// precomputed set in snapshot.heads. headMinWords and headMin are variables
// only so that tests can make small data sets use precomputed sets.
var headMinWords = 8192

func (sn *snapshot) buildHeads() {
	sn.heads = map[byte]bitset{}
	n := sn.words.len()
	for lo := 0; lo < n; {
		c := sn.words.text[sn.words.at[lo]]
		hi := lo + 1
		for hi < n && sn.words.text[sn.words.at[hi]] == c {
			hi++
		}
		if post := sn.post[sn.off[lo]:sn.off[hi]]; len(post) >= headMinWords {
			b := newBitset(len(sn.docs))
			b.setAll(post)
			sn.heads[c] = b
		}
		lo = hi
	}
}

// packDigits packs the first phoneKeyDigits ASCII digits of s into a
// uint32, one nibble each (digit+1, so a shorter string sorts before its
// extensions), first digit in the top nibble. Packed suffixes sort like the
// strings, and all strings starting with p fall in [packDigits(p),
// packDigits(p)+span(len(p))).
func packDigits(s string) uint32 {
	var v uint32
	for i := 0; i < phoneKeyDigits; i++ {
		v <<= 4
		if i < len(s) {
			v |= uint32(s[i]-'0') + 1
		}
	}
	return v
}

// phonesReady reports whether the docs' phone keys are computed.
func (sn *snapshot) phonesReady() bool {
	select {
	case <-sn.phoneReady:
		return true
	default:
		return false
	}
}

// buildPhones fills the phone index from the docs' phone keys and closes
// phoneReady.
func (sn *snapshot) buildPhones() {
	var wide []uint64 // keys, widened for sortPairs
	var pos []int32
	var mine []uint32
	for p, d := range sn.docs {
		mine = mine[:0]
		for k := range d.phones.all() {
			mine = append(mine, packDigits(k))
			for i := 1; len(k)-i >= minSuffix; i++ {
				mine = append(mine, packDigits(k[i:]))
			}
		}
		slices.Sort(mine)
		mine = slices.Compact(mine)
		for _, k := range mine {
			wide = append(wide, uint64(k))
			pos = append(pos, int32(p))
		}
	}
	sortPairs(wide, pos)
	pos = slices.Clone(pos) // without the spare capacity of append
	keys := make([]uint32, len(wide))
	for i, k := range wide {
		keys[i] = uint32(k)
	}
	sn.phone = phoneIndex{keys: keys, pos: pos, heads: map[string]bitset{}}
	var digits [2]byte
	for l := 0; l <= 2; l++ {
		for v := 0; v < 100; v++ {
			if (l == 0 && v > 0) || (l == 1 && v > 9) {
				break
			}
			digits[0], digits[1] = '0'+byte(v/10), '0'+byte(v%10)
			prefix := string(digits[2-l:])
			lo, hi := sn.phoneRange(prefix)
			if hi-lo < headMin {
				continue
			}
			b := newBitset(len(sn.docs))
			b.setAll(pos[lo:hi])
			sn.phone.heads[prefix] = b
		}
	}
	close(sn.phoneReady)
}

// wordRange returns the range of words starting with prefix.
func (sn *snapshot) wordRange(prefix string) (lo, hi int) {
	words := &sn.words
	n := words.len()
	lo = sort.Search(n, func(i int) bool { return words.word(i) >= prefix })
	hi = lo
	// Words with the prefix form one run; gallop to its end.
	step := 1
	for hi+step <= n && strings.HasPrefix(words.word(hi+step-1), prefix) {
		hi += step
		step *= 2
	}
	for step > 0 {
		if hi+step <= n && strings.HasPrefix(words.word(hi+step-1), prefix) {
			hi += step
		}
		step /= 2
	}
	return lo, hi
}

// phoneRange returns the range of phone-index entries starting with digits.
// Digits beyond phoneKeyDigits are checked per customer by the caller.
func (sn *snapshot) phoneRange(digits string) (lo, hi int) {
	keys := sn.phone.keys
	if len(digits) == 0 {
		return 0, len(keys)
	}
	if len(digits) > phoneKeyDigits {
		digits = digits[:phoneKeyDigits]
	}
	from := packDigits(digits)
	span := uint32(1) << (4 * uint(phoneKeyDigits-len(digits)))
	lo, _ = slices.BinarySearch(keys, from)
	hi, _ = slices.BinarySearch(keys, from+span)
	return lo, hi
}
