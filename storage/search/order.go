package search

import (
	"bytes"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/kundenkartei/kundenkartei/model"
)

// This file holds the sort orders. A snapshot's positions are in name
// order, so SortByName needs no permutation; last contact and next due are
// permutations built with every snapshot; company, city and segment are
// built on their first use, because most sessions never sort by them and a
// start should not pay for them (a few tens of milliseconds at 100,000
// customers, once per snapshot).
//
// Every order but name has customers without a value (never contacted, no
// rhythm, no company …); they come last, in name order, and stay last when
// the order is reversed (Query.Desc): a list sorted by company, descending,
// starts with "Zürcher AG", not with ten thousand private persons.

// perm is a snapshot's permutation for one sort order: by holds every
// position in that order, the keyed ones (those with a value) first, and
// rank is its inverse.
type perm struct {
	by, rank []int32
	keyed    int
	// A text order also has its distinct folded values, sorted, and the
	// index of each position's value in them (noValue for none), so that
	// the overlay's documents are placed by comparing integers (textCmps).
	values  []string
	valueOf []uint32
}

// noValue is perm.valueOf of a customer without the sorted value.
const noValue = ^uint32(0)

// lazyPerm is a permutation built on first use.
type lazyPerm struct {
	once sync.Once
	done atomic.Bool
	p    perm
}

// textOrders are the orders built on first use, by their index in
// snapshot.text; textFields are the doc fields they sort by.
var (
	textOrders = [...]model.SortOrder{model.SortByCompany, model.SortByCity, model.SortBySegment}
	textFields = [...]int{fieldCompany, fieldCity, fieldSegment}
)

// textIndex returns the index of o in textOrders, or -1.
func textIndex(o model.SortOrder) int {
	for i, t := range textOrders {
		if t == o {
			return i
		}
	}
	return -1
}

// knownOrder returns o, or SortByName for an order the index does not know.
func knownOrder(o model.SortOrder) model.SortOrder {
	if o == model.SortByName || o == model.SortByLastContact || o == model.SortByNextDue || textIndex(o) >= 0 {
		return o
	}
	return model.SortByName
}

// perm returns the permutation of order o (not SortByName), building a
// text order on its first use.
func (sn *snapshot) perm(o model.SortOrder) *perm {
	switch o {
	case model.SortByLastContact:
		return &sn.last
	case model.SortByNextDue:
		return &sn.due
	}
	i := textIndex(o)
	t := &sn.text[i]
	t.once.Do(func() {
		t.p = textPerm(sn.docs, textFields[i])
		t.done.Store(true)
	})
	return &t.p
}

// warm builds the text orders that from has built: a rebuild in the
// background must not hand the next search a cold order the user sorts by.
func (sn *snapshot) warm(from *snapshot) {
	for i := range from.text {
		if from.text[i].done.Load() {
			sn.perm(textOrders[i])
		}
	}
}

// textKey is what a text order compares: the folded field.
func textKey(d *doc, field int) string { return model.Fold(d.field(field)) }

// textPerm sorts docs by their folded field, empty last, ties by position.
// Customers share few distinct values (a segment has a handful, a town a
// few hundred), so each distinct value is folded once, the distinct keys
// are sorted, and a radix sort on their ranks orders the positions.
func textPerm(docs []*doc, field int) perm {
	n := len(docs)
	ids := make(map[string]int32) // field as written → index in raw
	var raw []string
	of := make([]uint64, n) // index in raw, then rank of the folded key
	for i, d := range docs {
		v := d.field(field)
		id, ok := ids[v]
		if !ok {
			id = int32(len(raw))
			ids[v] = id
			raw = append(raw, v)
		}
		of[i] = uint64(id)
	}
	folded := make([]string, len(raw))
	byKey := make([]int32, len(raw))
	for i, v := range raw {
		folded[i], byKey[i] = model.Fold(v), int32(i)
	}
	slices.SortFunc(byKey, func(a, b int32) int { return strings.Compare(folded[a], folded[b]) })
	var values []string // distinct, sorted, without ""
	rank := make([]uint32, len(raw))
	for _, id := range byKey {
		f := folded[id]
		if f == "" {
			rank[id] = noValue
			continue
		}
		if len(values) == 0 || values[len(values)-1] != f {
			values = append(values, f)
		}
		rank[id] = uint32(len(values) - 1)
	}
	by := make([]int32, n)
	valueOf := make([]uint32, n)
	keyed := 0
	for i := range of {
		valueOf[i] = rank[of[i]]
		of[i] = uint64(valueOf[i]) // noValue sorts after every value
		by[i] = int32(i)
		if valueOf[i] != noValue {
			keyed++
		}
	}
	sortPairs(of, by)
	return perm{by: by, rank: inverse(by), keyed: keyed, values: values, valueOf: valueOf}
}

// textCmps returns the comparisons of a text order over the snapshot
// documents docs, for a search whose overlay holds extra: between two overlay documents, and between the
// snapshot document at a position and an overlay document. Each overlay
// document's value is folded once and placed among the snapshot's values,
// instead of folding two values in every comparison.
func (p *perm) textCmps(docs, extra []*doc, field int, desc bool) (cmp func(a, b *doc) int, cmpPos func(pos int32, e *doc) int) {
	type placed struct {
		v   uint64 // 2i+1: values[i]; 2i: between values[i-1] and values[i]; noPlace: none
		key string
	}
	const noPlace = ^uint64(0)
	at := make(map[*doc]placed, len(extra))
	for _, e := range extra {
		k := textKey(e, field)
		pl := placed{v: noPlace, key: k}
		if k != "" {
			i, found := slices.BinarySearch(p.values, k)
			pl.v = 2 * uint64(i)
			if found {
				pl.v++
			}
		}
		at[e] = pl
	}
	order := func(va, vb uint64, tie func() int) int {
		c := 0
		switch {
		case va < vb:
			c = -1
		case va > vb:
			c = 1
		default:
			return tie()
		}
		if desc && va != noPlace && vb != noPlace {
			return -c
		}
		return c
	}
	tieDir := func(c int, v uint64) int {
		if desc && v != noPlace {
			return -c
		}
		return c
	}
	cmp = func(a, b *doc) int {
		pa, pb := at[a], at[b]
		return order(pa.v, pb.v, func() int {
			if c := strings.Compare(pa.key, pb.key); c != 0 { // both between the same two values
				return tieDir(c, pa.v)
			}
			return tieDir(cmpName(a, b), pa.v)
		})
	}
	var last *doc // merge asks about one overlay document many times in a row
	var pe placed
	cmpPos = func(pos int32, e *doc) int {
		v := uint64(noPlace)
		if r := p.valueOf[pos]; r != noValue {
			v = 2*uint64(r) + 1
		}
		if e != last {
			last, pe = e, at[e]
		}
		return order(v, pe.v, func() int { return tieDir(cmpName(docs[pos], e), v) })
	}
	return cmp, cmpPos
}

// inverse returns the inverse of the permutation by.
func inverse(by []int32) []int32 {
	rank := make([]int32, len(by))
	for r, p := range by {
		rank[p] = int32(r)
	}
	return rank
}

// timePerm is order's permutation with its keyed count.
func timePerm(docs []*doc, key func(*doc) uint64, cmp func(a, b *doc) int, keyed func(*doc) bool) perm {
	by, rank := order(docs, key, cmp)
	k := 0
	for _, d := range docs {
		if keyed(d) {
			k++
		}
	}
	return perm{by: by, rank: rank, keyed: k}
}

// cmpName is the SortByName order: folded sort name, then ID.
func cmpName(a, b *doc) int {
	if c := strings.Compare(a.sort(), b.sort()); c != 0 {
		return c
	}
	return bytes.Compare(a.hit.ID[:], b.hit.ID[:])
}

// cmpLast is the SortByLastContact order: newest contact first, never
// contacted last, ties by name.
func cmpLast(a, b *doc) int {
	if a.last != b.last {
		if a.last > b.last {
			return -1
		}
		return 1
	}
	if a.last != neverContacted {
		if c := b.lastContactTime().Compare(a.lastContactTime()); c != 0 { // clamped keys
			return c
		}
	}
	return cmpName(a, b)
}

// cmpDue is the SortByNextDue order: earliest next due first, no rhythm
// last, ties by name.
func cmpDue(a, b *doc) int {
	if a.due != b.due {
		if a.due < b.due {
			return -1
		}
		return 1
	}
	if a.due != noDue {
		if c := a.summary().NextDue().Compare(b.summary().NextDue()); c != 0 { // clamped keys
			return c
		}
	}
	return cmpName(a, b)
}

// order returns the positions of docs sorted by key, ties by position (that
// is, by name), and the inverse permutation. Keys are exact except for
// dates far outside the app's range; runs of such equal keys are sorted
// again with cmp.
func order(docs []*doc, key func(*doc) uint64, cmp func(a, b *doc) int) (perm, rank []int32) {
	n := len(docs)
	keys := make([]uint64, n)
	perm = make([]int32, n)
	for i, d := range docs {
		keys[i] = key(d)
		perm[i] = int32(i)
	}
	sortPairs(keys, perm)
	for i := 0; i < n; {
		j := i + 1
		for j < n && keys[j] == keys[i] {
			j++
		}
		if j-i > 1 && clampedKey(keys[i]) {
			slices.SortStableFunc(perm[i:j], func(a, b int32) int { return cmp(docs[a], docs[b]) })
		}
		i = j
	}
	rank = make([]int32, n)
	for r, p := range perm {
		rank[p] = int32(r)
	}
	return perm, rank
}

// clampedKey reports whether an order key (as transformed for sortPairs)
// stands for a clamped time, whose ties cmpLast or cmpDue must break.
func clampedKey(k uint64) bool {
	const lo, hi = uint64(1), ^uint64(0) - 1 // MinInt64+1 and MaxInt64-1 after ^1<<63
	return k == lo || k == hi || ^k == lo || ^k == hi
}

// cmpText returns the order of a text sort: folded field, empty last, ties
// by name. The overlay's few documents are sorted with it.
func cmpText(field int) func(a, b *doc) int {
	return func(a, b *doc) int {
		ka, kb := textKey(a, field), textKey(b, field)
		if (ka == "") != (kb == "") {
			if ka == "" {
				return 1
			}
			return -1
		}
		if c := strings.Compare(ka, kb); c != 0 {
			return c
		}
		return cmpName(a, b)
	}
}

// hasLast, hasDue and hasText report whether a document has the value an
// order sorts by.
func hasLast(d *doc) bool { return d.last != neverContacted }
func hasDue(d *doc) bool  { return d.due != noDue }

// sortOf returns the comparison of order o (reversed for desc, keyed
// documents first either way) and whether a document has the sorted value.
func sortOf(o model.SortOrder, desc bool) func(a, b *doc) int {
	cmp, keyed := cmpName, func(*doc) bool { return true }
	switch o {
	case model.SortByLastContact:
		cmp, keyed = cmpLast, hasLast
	case model.SortByNextDue:
		cmp, keyed = cmpDue, hasDue
	default:
		if i := textIndex(o); i >= 0 {
			f := textFields[i]
			cmp, keyed = cmpText(f), func(d *doc) bool { return textKey(d, f) != "" }
		}
	}
	if !desc {
		return cmp
	}
	return func(a, b *doc) int {
		ka, kb := keyed(a), keyed(b)
		switch {
		case ka && kb:
			return -cmp(a, b)
		case ka:
			return -1
		case kb:
			return 1
		}
		return cmp(a, b)
	}
}

// ordered appends to buf the positions in cand in the given order, at most
// limit of them.
func (sn *snapshot) ordered(buf []int32, cand bitset, order model.SortOrder, desc bool, limit int) []int32 {
	out := buf[:0]
	total := cand.count()
	if total == 0 {
		return out
	}
	if order == model.SortByName {
		if desc {
			return descending(out, cand, limit)
		}
		for i, w := range cand {
			for w != 0 {
				out = append(out, int32(i<<6+bits.TrailingZeros64(w)))
				if len(out) == limit {
					return out
				}
				w &= w - 1
			}
		}
		return out
	}
	p := sn.perm(order)
	// flip maps a rank to its place in the descending order and back.
	flip := func(r int32) int32 {
		if desc && int(r) < p.keyed {
			return int32(p.keyed) - 1 - r
		}
		return r
	}
	if total*32 < len(sn.docs) {
		// A small result: sort its ranks rather than walk the whole permutation.
		forEach(cand, func(q int32) { out = append(out, flip(p.rank[q])) })
		slices.Sort(out)
		out = out[:min(len(out), limit)]
		for i, r := range out {
			out[i] = p.by[flip(r)]
		}
		return out
	}
	if !desc {
		return takeIn(out, p.by, cand, limit)
	}
	for i := p.keyed - 1; i >= 0; i-- {
		if q := p.by[i]; cand.has(q) {
			out = append(out, q)
			if len(out) == limit {
				return out
			}
		}
	}
	return takeIn(out, p.by[p.keyed:], cand, limit)
}

// takeIn appends the positions of by that are in cand until out holds limit.
func takeIn(out, by []int32, cand bitset, limit int) []int32 {
	for _, q := range by {
		if len(out) == limit {
			break
		}
		if cand.has(q) {
			out = append(out, q)
		}
	}
	return out
}

// descending appends the positions in cand from the highest down.
func descending(out []int32, cand bitset, limit int) []int32 {
	for i := len(cand) - 1; i >= 0; i-- {
		for w := cand[i]; w != 0; {
			b := 63 - bits.LeadingZeros64(w)
			out = append(out, int32(i<<6+b))
			if len(out) == limit {
				return out
			}
			w &^= 1 << b
		}
	}
	return out
}
