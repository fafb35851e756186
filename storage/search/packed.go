package search

import (
	"encoding/binary"
	"iter"
	"strings"
)

// packed is a list of strings in one string, each after its length as a
// uvarint: a customer's dozen or two words as a []string took 16 bytes of
// header each, 19 MB for 100,000 customers.
type packed string

// wordSet is a document's distinct indexed words in sorted order, packed.
type wordSet = packed

// pack packs ss.
func pack(ss []string) packed { return packed(appendPacked(nil, ss...)) }

// appendPacked appends ss to b, packed.
func appendPacked(b []byte, ss ...string) []byte {
	for _, w := range ss {
		b = binary.AppendUvarint(b, uint64(len(w)))
		b = append(b, w...)
	}
	return b
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
