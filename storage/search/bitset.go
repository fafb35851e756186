package search

import "math/bits"

// bitset is a set of snapshot positions. Positions are in name order, so
// walking the set bits upwards yields customers sorted by name.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)>>6) }

func (b bitset) set(i int32)      { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) clear(i int32)    { b[i>>6] &^= 1 << (uint(i) & 63) }
func (b bitset) has(i int32) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }
func (b bitset) and(o bitset)     { and(b, o) }
func (b bitset) andNot(o bitset)  { andNot(b, o) }
func (b bitset) setAll(postings []int32) {
	for _, p := range postings {
		b[p>>6] |= 1 << (uint(p) & 63)
	}
}

func and(b, o bitset) {
	o = o[:len(b)]
	for i := range b {
		b[i] &= o[i]
	}
}

func (b bitset) or(o bitset) {
	o = o[:len(b)]
	for i := range b {
		b[i] |= o[i]
	}
}

func andNot(b, o bitset) {
	o = o[:len(b)]
	for i := range b {
		b[i] &^= o[i]
	}
}

// fill sets the first n bits and clears the rest.
func (b bitset) fill(n int) {
	for i := range b {
		b[i] = ^uint64(0)
	}
	if r := n & 63; r != 0 {
		b[len(b)-1] = 1<<uint(r) - 1
	}
}

func (b bitset) reset() {
	for i := range b {
		b[i] = 0
	}
}

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}
