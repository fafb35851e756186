package vcard

import (
	"hash/maphash"
	"slices"

	"github.com/kundenkartei/kundenkartei/model"
)

// fileIndex finds the earlier cards of a file a card may be the same
// person as: by UID, email, folded full name, a name-less card's company,
// and for cards with nothing but phones, by number. Never by a phone of a
// card that has anything else. A name finds only the namesakes the name
// rule can accept (model.Identity.Same): those at the same company and
// those without one, so a file full of namesakes at different companies
// costs no comparisons.
//
// Keys are 64-bit hashes of what they stand for: a file of 100,000 cards
// lists some 300,000, and a hash that two keys happen to share only
// proposes a card the rule then turns down.
type fileIndex struct {
	first map[uint64]int32   // key → the first card listed under it (position in the file)
	more  map[uint64][]int32 // key → the cards after the first, file order
}

// maxPerKey bounds the earlier cards one key lists, so a file of thousands
// of "Hans Müller" stays linear; the first ones are the likely originals.
const maxPerKey = 16

// newFileIndex returns an empty index with room for the keys of n cards
// (0 when not known): a card lists about three.
func newFileIndex(n int) *fileIndex {
	return &fileIndex{first: make(map[uint64]int32, 3*n), more: map[uint64][]int32{}}
}

// The kinds of keys.
const (
	keyUID       = 'u'
	keyEmail     = 'e'
	keyName      = 'n' // full name and company ("" for none)
	keyNamesake  = 'm' // full name of one with a company
	keyCompany   = 'c' // company of one without a person name
	keyPhoneOnly = 'p'
)

var keySeed = maphash.MakeSeed()

func fileKey(kind byte, a, b string) uint64 {
	var h maphash.Hash
	h.SetSeed(keySeed)
	h.WriteByte(kind)
	h.WriteString(a)
	h.WriteByte(0)
	h.WriteString(b)
	return h.Sum64()
}

func fileKeys(x *model.Identity, uids []string) []uint64 {
	var keys []uint64
	for _, u := range uids {
		keys = append(keys, fileKey(keyUID, u, ""))
	}
	for _, e := range x.Emails() {
		keys = append(keys, fileKey(keyEmail, e, ""))
	}
	switch n, c := x.FullNameKey(), x.Company(); {
	case n != "" && c != "":
		// Listed as a namesake at this company, and as one with a company.
		keys = append(keys, fileKey(keyName, n, c), fileKey(keyNamesake, n, ""))
	case n != "":
		keys = append(keys, fileKey(keyName, n, ""))
	case c != "":
		keys = append(keys, fileKey(keyCompany, c, ""))
	case x.PhoneOnly():
		for _, ph := range x.Phones() {
			if ph != "" {
				keys = append(keys, fileKey(keyPhoneOnly, ph, ""))
			}
		}
	}
	return keys
}

// lookupKeys turns the keys a card is listed under into those of the
// earlier cards it may be the same as: a namesake with a company is looked
// for at its company and among the namesakes without one; one without a
// company among all namesakes.
func lookupKeys(x *model.Identity, keys []uint64) []uint64 {
	switch n := x.FullNameKey(); {
	case n == "":
	case x.Company() != "":
		keys = append(keys[:len(keys)-1:len(keys)-1], fileKey(keyName, n, "")) // for the namesake key
	default:
		keys = append(keys[:len(keys):len(keys)], fileKey(keyNamesake, n, ""))
	}
	return keys
}

func (f *fileIndex) add(keys []uint64, pos int) {
	p := int32(pos)
	for _, k := range keys {
		first, ok := f.first[k]
		if !ok {
			f.first[k] = p
			continue
		}
		l := f.more[k]
		if first != p && len(l) < maxPerKey-1 && (len(l) == 0 || l[len(l)-1] != p) {
			f.more[k] = append(l, p)
		}
	}
}

// sameAs returns the Index of the earlier card x is the same person as
// (strongest reason, then earliest), or 0; entries and ids are those of
// the cards so far.
func (f *fileIndex) sameAs(x *model.Identity, keys []uint64, entries []Entry, ids []*model.Identity) (int, model.Sameness) {
	best, idx := -1, 0
	var why model.Sameness
	var seen []int32 // a card listed under several keys is judged once
	judge := func(pos int32) {
		if slices.Contains(seen, pos) {
			return
		}
		seen = append(seen, pos)
		w, ok := x.Same(ids[pos])
		if !ok {
			return
		}
		if r := rank(w.Reason); best < 0 || r < best || r == best && entries[pos].Index < idx {
			best, idx, why = r, entries[pos].Index, w
		}
	}
	for _, k := range keys {
		first, ok := f.first[k]
		if !ok {
			continue
		}
		judge(first)
		for _, pos := range f.more[k] {
			judge(pos)
		}
	}
	return idx, why
}
