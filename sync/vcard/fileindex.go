package vcard

import (
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
type fileIndex struct {
	byKey map[string][]int // key → positions in the cards slice, file order
}

// maxPerKey bounds the earlier cards one key lists, so a file of thousands
// of "Hans Müller" stays linear; the first ones are the likely originals.
const maxPerKey = 16

func newFileIndex() *fileIndex { return &fileIndex{byKey: map[string][]int{}} }

func fileKeys(x *model.Identity, uids []string) []string {
	var keys []string
	for _, u := range uids {
		keys = append(keys, "u:"+u)
	}
	for _, e := range x.Emails() {
		keys = append(keys, "e:"+e)
	}
	switch {
	case x.FullNameKey() != "" && x.Company() != "":
		// Listed as a namesake at this company, and as one with a company.
		keys = append(keys, "n:"+x.FullNameKey()+"|"+x.Company(), "m:"+x.FullNameKey())
	case x.FullNameKey() != "":
		keys = append(keys, "n:"+x.FullNameKey()+"|")
	case x.Company() != "":
		keys = append(keys, "c:"+x.Company())
	case x.PhoneOnly():
		for _, ph := range x.Phones() {
			if ph != "" {
				keys = append(keys, "p:"+ph)
			}
		}
	}
	return keys
}

// lookupKeys turns the keys a card is listed under into those of the
// earlier cards it may be the same as: a namesake with a company is looked
// for at its company and among the namesakes without one; one without a
// company among all namesakes.
func lookupKeys(x *model.Identity, keys []string) []string {
	switch n := x.FullNameKey(); {
	case n == "":
	case x.Company() != "":
		keys = append(keys[:len(keys)-1:len(keys)-1], "n:"+n+"|") // for "m:"+n
	default:
		keys = append(keys[:len(keys):len(keys)], "m:"+n)
	}
	return keys
}

func (f *fileIndex) add(keys []string, pos int) {
	for _, k := range keys {
		if l := f.byKey[k]; len(l) < maxPerKey && (len(l) == 0 || l[len(l)-1] != pos) {
			f.byKey[k] = append(l, pos)
		}
	}
}

// sameAs returns the Index of the earlier card x is the same person as
// (strongest reason, then earliest), or 0; ids are the cards' identities.
func (f *fileIndex) sameAs(x *model.Identity, keys []string, cards []Card, ids []*model.Identity) (int, model.Sameness) {
	best, idx := -1, 0
	var why model.Sameness
	var seen []int // a card listed under several keys is judged once
	for _, k := range keys {
		for _, pos := range f.byKey[k] {
			if slices.Contains(seen, pos) {
				continue
			}
			seen = append(seen, pos)
			w, ok := x.Same(ids[pos])
			if !ok {
				continue
			}
			if r := rank(w.Reason); best < 0 || r < best || r == best && cards[pos].Index < idx {
				best, idx, why = r, cards[pos].Index, w
			}
		}
	}
	return idx, why
}
