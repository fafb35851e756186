package search

import (
	"strings"

	"github.com/kundenkartei/kundenkartei/model"
)

// folder turns fields into indexed words and remembers the results: names,
// cities, companies, tags and segments repeat across customers, and
// model.Fold costs about a microsecond on text with umlauts. It also hands
// out memory in blocks, because a Load allocates millions of small slices
// otherwise and the collector's work would cost as much as the indexing.
// A folder serves one goroutine at a time.
type folder struct {
	fields map[string][]string // field value or name token → indexed words
	folds  map[string]string   // tag → model.Fold(tag)
	strs   []string            // block that words and tags slices are cut from
	docs   []doc               // block that documents are cut from
	mem    *arena              // where the documents' data is cut from; nil for one Put
}

// newFolder returns a folder for building many documents.
func newFolder() *folder {
	return &folder{fields: make(map[string][]string, 1024), folds: map[string]string{}, mem: &arena{}}
}

// arena hands out strings cut from blocks of arenaBlock bytes: the data of
// 100,000 documents as separate allocations would cost a header and the
// rounding up to a size class each. A block lives as long as one string
// cut from it. An arena serves one goroutine at a time; the nil arena
// allocates every string by itself.
type arena struct {
	block strings.Builder // written only at its end, so earlier strings stay valid
	tmp   []byte          // scratch for the callers of scratch
}

// arenaBlock is the size of an arena's blocks.
const arenaBlock = 64 << 10

// str returns a copy of p.
func (a *arena) str(p []byte) string {
	if a == nil || len(p) > arenaBlock/8 {
		return string(p)
	}
	if a.block.Cap()-a.block.Len() < len(p) {
		a.block = strings.Builder{}
		a.block.Grow(arenaBlock)
	}
	n := a.block.Len()
	a.block.Write(p)
	return a.block.String()[n:]
}

// scratch returns an empty slice to build a string in before str copies it.
func (a *arena) scratch() []byte {
	if a == nil {
		return make([]byte, 0, 320)
	}
	return a.tmp[:0]
}

// keep lets the next scratch reuse b's memory.
func (a *arena) keep(b []byte) {
	if a != nil {
		a.tmp = b[:0]
	}
}

// maxCached bounds the cache so a Load of unique values does not keep them all.
const maxCached = 1 << 16

// words appends the indexed words of a field to out, caching by the whole
// value; fields whose values are mostly unique (names, mail addresses) go
// through tokenWords or uncachedWords instead.
func (f *folder) words(out []string, field string) []string {
	if field == "" {
		return out
	}
	if ws, ok := f.fields[field]; ok {
		return append(out, ws...)
	}
	start := len(out)
	out = uncachedWords(out, field)
	f.remember(field, out[start:])
	return out
}

// tokenWords appends the indexed words of a field, caching per word as
// typed: the given and family names recur, their combinations rarely.
// Folding word by word gives the same words as folding the whole: Fold
// turns white space into a word break and looks at no more than two
// adjacent letters.
func (f *folder) tokenWords(out []string, field string) []string {
	for len(field) > 0 {
		i := 0
		for i < len(field) && !isSpace(field[i]) {
			i++
		}
		if i > 0 {
			tok := field[:i]
			if ws, ok := f.fields[tok]; ok {
				out = append(out, ws...)
			} else {
				start := len(out)
				out = uncachedWords(out, tok)
				f.remember(tok, out[start:])
			}
		}
		for i < len(field) && isSpace(field[i]) {
			i++
		}
		field = field[i:]
	}
	return out
}

// isSpace reports whether c separates words for tokenWords. Other Unicode
// spaces stay inside a token, where model.Fold breaks words at them anyway.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func (f *folder) remember(key string, ws []string) {
	if f.fields != nil && len(f.fields) < maxCached {
		f.fields[key] = f.clone(ws)
	}
}

// fold returns model.Fold(tag), cached.
func (f *folder) fold(tag string) string {
	if v, ok := f.folds[tag]; ok {
		return v
	}
	v := model.Fold(tag)
	if f.folds != nil && len(f.folds) < maxCached {
		f.folds[tag] = v
	}
	return v
}

// clone copies ws into the folder's block.
func (f *folder) clone(ws []string) []string {
	if f.fields == nil { // a single Put: plain allocation
		return append([]string(nil), ws...)
	}
	if len(ws) > cap(f.strs)-len(f.strs) {
		f.strs = make([]string, 0, max(4096, len(ws)))
	}
	n := len(f.strs)
	f.strs = append(f.strs, ws...)
	return f.strs[n:len(f.strs):len(f.strs)]
}

// newDoc returns a zero document from the folder's block.
func (f *folder) newDoc() *doc {
	if f.fields == nil {
		return &doc{}
	}
	if len(f.docs) == cap(f.docs) {
		f.docs = make([]doc, 0, 1024)
	}
	f.docs = f.docs[:len(f.docs)+1]
	return &f.docs[len(f.docs)-1]
}

// uncachedWords appends the indexed words of field to out: every folded
// word, the part after its '@' (the mail domain), and its parts split at
// '@', '.', '-', '_' and '+'. Splitting makes "Hans-Peter" findable as
// "peter", "St.Gallen" as "gallen" and "info@mueller-ag.ch" as "mueller",
// "ag", "ch" and "mueller-ag.ch".
func uncachedWords(out []string, field string) []string {
	folded := model.Fold(field)
	for len(folded) > 0 {
		i := strings.IndexByte(folded, ' ')
		if i < 0 {
			i = len(folded)
		}
		if i > 0 {
			out = appendWordParts(out, folded[:i])
		}
		folded = folded[min(i+1, len(folded)):]
	}
	return out
}

// appendWordParts appends w and what of it is indexed besides.
func appendWordParts(out []string, w string) []string {
	out = append(out, w)
	if !strings.ContainsAny(w, "@.-_+") {
		return out
	}
	if at := strings.LastIndexByte(w, '@'); at >= 0 && at+1 < len(w) {
		out = append(out, w[at+1:])
	}
	start := 0
	for i := 0; i <= len(w); i++ {
		if i == len(w) || isWordSep(w[i]) {
			if i > start && !(start == 0 && i == len(w)) {
				out = append(out, w[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func isWordSep(c byte) bool {
	return c == '@' || c == '.' || c == '-' || c == '_' || c == '+'
}
