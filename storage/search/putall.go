package search

import (
	"runtime"
	"slices"
	"sync"

	"github.com/kundenkartei/kundenkartei/model"
)

// putAllMin is the fewest summaries PutAll builds on several cores and
// merges into the overlay at once; fewer go one by one.
const putAllMin = 64

// PutAll is Put for many summaries (a chunk of an import or a sync);
// of several with one ID the last counts. Their documents are built on
// all cores and the overlay takes them in one merge, not one sorted
// insertion each. While the index is held (Hold) PutAll never rebuilds
// it: the chunks of a large import or sync come through here, and each
// rebuild on the way held the old and the new index beside the growing
// overlay, the largest part of an import's memory. Release rebuilds once
// (a search of an overlay of 100,000 takes a few milliseconds).
func (ix *Index) PutAll(all []model.CustomerSummary) { ix.PrepareAll(all)() }

// PrepareAll is PutAll in two steps: it builds the documents, which takes
// the time, and returns what puts them into the index. A writer builds
// them on the cores its commit leaves, and puts them once it has; the
// documents of customers already indexed reuse their words only when the
// text is unchanged, so a put that lands between the two steps costs
// nothing but that reuse.
func (ix *Index) PrepareAll(all []model.CustomerSummary) (put func()) {
	if len(all) < putAllMin {
		return func() {
			for _, s := range all {
				ix.Put(s)
			}
		}
	}
	last := make(map[model.ID]int, len(all))
	for i := range all {
		last[all[i].ID] = i
	}
	ops := make([]op, len(all))
	// One core is left to the caller, which commits meanwhile.
	workers := max(1, runtime.GOMAXPROCS(0)-1)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			f := newFolder()
			for i := len(all) * w / workers; i < len(all)*(w+1)/workers; i++ {
				if last[all[i].ID] == i {
					ops[i] = op{id: all[i].ID, d: ix.docOf(&all[i], f)}
				}
			}
		})
	}
	wg.Wait()
	ops = slices.DeleteFunc(ops, func(o op) bool { return o.d == nil })
	return func() {
		ix.mu.Lock()
		defer ix.mu.Unlock()
		ix.applyAll(ops)
		if ix.compacting {
			ix.pending = append(ix.pending, ops...)
		}
		if ix.held == 0 {
			ix.maybeCompact()
		}
	}
}

// applyAll records puts of distinct customers in the overlay, as apply
// does one by one, and keeps the tag and segment counts. The caller holds
// mu for writing.
func (ix *Index) applyAll(ops []op) {
	var gone map[*doc]bool // overlay documents replaced
	for _, o := range ops {
		count(ix.tagCount, ix.segCount, ix.current(o.id), -1)
		count(ix.tagCount, ix.segCount, o.d, 1)
		if old, ok := ix.extraByID[o.id]; ok {
			if gone == nil {
				gone = map[*doc]bool{}
			}
			gone[old] = true
		} else if p, ok := ix.base.find(o.id); ok && !ix.dead.has(p) {
			ix.dead.set(p)
			ix.ndead++
		}
		ix.extraByID[o.id] = o.d
	}
	add := make([]*doc, len(ops))
	for i, o := range ops {
		add[i] = o.d
	}
	slices.SortFunc(add, cmpName)
	merged := make([]*doc, 0, len(ix.extra)-len(gone)+len(add))
	j := 0
	for _, d := range ix.extra {
		if gone[d] {
			continue
		}
		for j < len(add) && cmpName(add[j], d) < 0 {
			merged = append(merged, add[j])
			j++
		}
		merged = append(merged, d)
	}
	ix.extra = append(merged, add[j:]...)
}
