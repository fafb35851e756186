package search

import (
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// term is one query word.
type term struct {
	word  string // folded text word; for a digit word its digits as typed
	phone string // digit word only: digits without leading zeros
	digit bool
}

// parseQuery cuts text into terms (see the package comment).
func parseQuery(text string) []term {
	var terms []term
	var digits []byte
	inDigits := false
	flush := func() {
		if inDigits {
			d := string(digits)
			terms = append(terms, term{word: d, phone: strings.TrimLeft(d, "0"), digit: true})
			digits, inDigits = digits[:0], false
		}
	}
	for _, tok := range strings.Fields(text) {
		if only, has := phoneToken(tok); only && (has || inDigits) {
			for i := 0; i < len(tok); i++ {
				if c := tok[i]; c >= '0' && c <= '9' {
					digits = append(digits, c)
				}
			}
			inDigits = true
			continue
		}
		flush()
		for _, w := range model.FoldWords(tok) {
			terms = append(terms, term{word: w})
		}
	}
	flush()
	return terms
}

// phoneToken reports whether tok consists only of digits and phone
// separators, and whether it has a digit. A lone separator between digit
// tokens ("079 / 123") continues the number.
func phoneToken(tok string) (only, hasDigit bool) {
	for i := 0; i < len(tok); i++ {
		switch c := tok[i]; {
		case c >= '0' && c <= '9':
			hasDigit = true
		case c == '+', c == '/', c == '-', c == '(', c == ')':
		default:
			return false, false
		}
	}
	return true, hasDigit
}

// filter holds the non-text conditions of a query.
type filter struct {
	tag       string // folded; "" for none
	hasTag    bool
	segment   string
	due       bool
	now       int64 // timeKey of Query.Now
	complaint bool
	consent   bool
}

func (f *filter) match(d *doc) bool {
	return (!f.hasTag || d.hasTag(f.tag)) &&
		(f.segment == "" || d.segment() == f.segment) &&
		(!f.due || (d.due != noDue && d.due <= f.now)) &&
		(!f.complaint || d.openComplaint()) &&
		(!f.consent || d.mailConsent())
}

// matchTerm reports whether d matches t (the overlay's check, and the
// per-candidate check of the snapshot's).
func (t *term) match(d *doc) bool {
	if d.hasWordPrefix(t.word) {
		return true
	}
	return t.digit && d.hasPhone(t.phone)
}

// Search returns the customers matching q in q.Sort order (see the package
// comment for the matching rules).
func (ix *Index) Search(q model.Query) model.Hits {
	terms := parseQuery(q.Text)
	digits := false
	for _, t := range terms {
		digits = digits || t.digit
	}
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	f := filter{segment: q.Segment, due: q.Due, now: timeKey(now), complaint: q.OpenComplaint, consent: q.MailConsent}
	if q.Tag != "" {
		f.tag, f.hasTag = model.Fold(q.Tag), true
	}

	ix.mu.RLock()
	for digits {
		ch := ix.base.phoneReady
		select {
		case <-ch:
			digits = false
			continue
		default:
		}
		ix.mu.RUnlock() // wait for Load's phone keys without blocking writers
		<-ch
		ix.mu.RLock()
	}
	defer ix.mu.RUnlock()

	sn := ix.base
	cand := ix.searchBase(sn, terms, &f)
	var extra []*doc
	for _, d := range ix.extra {
		if f.match(d) && matchAll(terms, d) {
			extra = append(extra, d)
		}
	}
	order := knownOrder(q.Sort)
	cmp := sortOf(order, q.Desc)
	cmpPos := func(p int32, e *doc) int { return cmp(sn.docs[p], e) }
	if i := textIndex(order); i >= 0 && len(extra) > 0 {
		cmp, cmpPos = sn.perm(order).textCmps(sn.docs, extra, textFields[i], q.Desc)
	}
	if order != model.SortByName || q.Desc {
		slices.SortFunc(extra, cmp) // extra is in name order already
	}
	limit := q.Limit
	if limit <= 0 {
		limit = len(sn.docs) + len(extra)
	}
	buf := posBufs.Get().(*[]int32)
	*buf = sn.ordered(*buf, cand, order, q.Desc, limit)
	out := merge(sn.docs, *buf, extra, cmpPos, limit)
	posBufs.Put(buf)
	return out
}

func matchAll(terms []term, d *doc) bool {
	for i := range terms {
		if !terms[i].match(d) {
			return false
		}
	}
	return true
}

// cond is one condition of a query over a snapshot.
type cond struct {
	cost int                // positions fill sets (an upper bound)
	bits bitset             // when set, the precomputed set of the condition
	fill func(b bitset)     // sets the bits of the positions that satisfy it
	test func(p int32) bool // reports whether position p satisfies it
}

// searchBase returns the set of live snapshot positions matching terms and f.
func (ix *Index) searchBase(sn *snapshot, terms []term, f *filter) bitset {
	n := len(sn.docs)
	docs := sn.docs
	var conds []cond
	for i := range terms {
		t := &terms[i]
		lo, hi := sn.wordRange(t.word)
		post := sn.post[sn.off[lo]:sn.off[hi]]
		c := cond{cost: len(post), test: func(p int32) bool {
			return sn.hasWordIn(p, lo, hi) || t.digit && docs[p].hasPhone(t.phone)
		}}
		head := sn.heads[t.word[0]]
		if len(t.word) > 1 {
			head = nil
		}
		if !t.digit {
			c.fill = func(b bitset) { b.setAll(post) }
			if head != nil {
				c.fill = func(b bitset) { b.or(head) }
			}
		} else {
			plo, phi := sn.phoneRange(t.phone)
			ppos := sn.phone.pos[plo:phi]
			c.cost += len(ppos)
			long := len(t.phone) > phoneKeyDigits // beyond what a packed key holds
			phead := sn.phone.heads[t.phone]
			c.fill = func(b bitset) {
				if head != nil {
					b.or(head)
				} else {
					b.setAll(post)
				}
				if phead != nil {
					b.or(phead)
					return
				}
				for _, p := range ppos {
					if !long || docs[p].hasPhone(t.phone) {
						b.set(p)
					}
				}
			}
		}
		conds = append(conds, c)
	}
	if f.hasTag {
		post := sn.tagPost[f.tag]
		conds = append(conds, cond{cost: len(post), fill: func(b bitset) { b.setAll(post) },
			test: func(p int32) bool { return docs[p].hasTag(f.tag) }})
	}
	if f.segment != "" {
		post := sn.segPost[f.segment]
		conds = append(conds, cond{cost: len(post), fill: func(b bitset) { b.setAll(post) },
			test: func(p int32) bool { return docs[p].segment() == f.segment }})
	}
	if f.due {
		// byDue is ascending by due key, so the due customers are a prefix.
		k := sort.Search(n, func(i int) bool {
			d := docs[sn.due.by[i]].due
			return d == noDue || d > f.now
		})
		due := sn.due.by[:k]
		conds = append(conds, cond{cost: k, fill: func(b bitset) { b.setAll(due) },
			test: func(p int32) bool { d := docs[p].due; return d != noDue && d <= f.now }})
	}
	if f.complaint {
		conds = append(conds, cond{cost: sn.nComplaint, bits: sn.complaint})
	}
	if f.consent {
		conds = append(conds, cond{cost: sn.nConsent, bits: sn.consent})
	}

	cand := newBitset(n)
	if len(conds) == 0 {
		cand.fill(n)
	} else {
		slices.SortStableFunc(conds, func(a, b cond) int { return a.cost - b.cost })
		if c := conds[0]; c.bits != nil {
			copy(cand, c.bits)
		} else {
			c.fill(cand)
		}
		left := cand.count()
		var tmp bitset
		for _, c := range conds[1:] {
			if left == 0 {
				break
			}
			switch {
			case c.bits != nil:
				cand.and(c.bits)
			case c.cost <= fillFactor*left:
				if tmp == nil {
					tmp = newBitset(n)
				} else {
					tmp.reset()
				}
				c.fill(tmp)
				cand.and(tmp)
			default:
				// Few candidates, a large condition: checking each candidate's
				// words beats touching every posting.
				forEach(cand, func(p int32) {
					if !c.test(p) {
						cand.clear(p)
					}
				})
			}
			left = cand.count()
		}
	}
	if ix.ndead > 0 {
		cand.andNot(ix.dead)
	}
	return cand
}

// fillFactor is how many postings cost as much as checking one candidate
// (a binary search over its two dozen words, against setting one bit).
const fillFactor = 16

// forEach calls fn with every position in b, ascending.
func forEach(b bitset, fn func(p int32)) {
	for i, w := range b {
		for w != 0 {
			fn(int32(i<<6 + bits.TrailingZeros64(w)))
			w &= w - 1
		}
	}
}

// posBufs recycles the position lists of ordered: a short query matches
// tens of thousands of customers on every keystroke.
var posBufs = sync.Pool{New: func() any { return new([]int32) }}

// merge merges the snapshot positions pos and the overlay documents extra,
// both sorted in one order, into at most limit hits; cmp compares the
// document at a position with an overlay document in that order.
func merge(docs []*doc, pos []int32, extra []*doc, cmp func(p int32, e *doc) int, limit int) model.Hits {
	out := make(model.Hits, 0, min(len(pos)+len(extra), limit))
	if len(extra) == 0 {
		for _, p := range pos {
			out = append(out, &docs[p].hit)
		}
		return out
	}
	// Few extras against many positions: find each extra's place by binary
	// search instead of comparing every position.
	i := 0
	for _, e := range extra {
		k := i + sort.Search(len(pos)-i, func(j int) bool { return cmp(pos[i+j], e) > 0 })
		for ; i < k; i++ {
			if len(out) == limit {
				return out
			}
			out = append(out, &docs[pos[i]].hit)
		}
		if len(out) == limit {
			return out
		}
		out = append(out, &e.hit)
	}
	for ; i < len(pos) && len(out) < limit; i++ {
		out = append(out, &docs[pos[i]].hit)
	}
	return out
}
