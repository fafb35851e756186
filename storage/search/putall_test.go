package search

import (
	"fmt"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestPutAllHeldRebuildsOnceAtRelease: chunks put while held stay in the
// overlay however large it grows (no rebuild holding two indexes on the
// way), are found there, and release rebuilds the index once.
func TestPutAllHeldRebuildsOnceAtRelease(t *testing.T) {
	tests := []struct {
		name string
		base int // customers loaded before
	}{
		{name: "empty directory", base: 0},
		{name: "existing customers", base: 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mk := func(i int) model.CustomerSummary {
				s := sum(byte(i), fmt.Sprintf("Kunde %06d", i))
				s.ID[1], s.ID[2] = byte(i>>8), byte(i>>16)
				return s
			}
			ix := New()
			all := make([]model.CustomerSummary, tt.base)
			for i := range all {
				all[i] = mk(i)
			}
			ix.Load(all)
			release := ix.Hold()
			n := 3*tt.base + 4*overlayLimit(tt.base)*heldFactor // far beyond any held limit
			for c := 0; c < n; c += 500 {
				chunk := make([]model.CustomerSummary, 0, 500)
				for i := c; i < min(c+500, n); i++ {
					chunk = append(chunk, mk(tt.base+i))
				}
				ix.PutAll(chunk)
			}
			ix.Wait()
			if got := len(ix.extra); got != n {
				t.Fatalf("held: got overlay %d, want %d (no rebuild)", got, n)
			}
			if got := ix.Search(model.Query{Text: fmt.Sprintf("kunde %06d", tt.base+n-1)}); len(got) != 1 {
				t.Fatalf("held: got %d hits for the last put, want 1", len(got))
			}
			release()
			ix.Wait()
			if got := len(ix.extra); got != 0 || ix.Len() != tt.base+n {
				t.Fatalf("after release: got overlay %d and %d customers, want 0 and %d", got, ix.Len(), tt.base+n)
			}
			if got := ix.Search(model.Query{Text: fmt.Sprintf("kunde %06d", tt.base+n-1)}); len(got) != 1 {
				t.Fatalf("after release: got %d hits for the last put, want 1", len(got))
			}
		})
	}
}

// TestPrepareAllPutsOnlyWhenPut: documents prepared are found only once
// put, and a put of the same customers that lands between the two steps
// is overtaken by the prepared one, in text, words and count.
func TestPrepareAllPutsOnlyWhenPut(t *testing.T) {
	mk := func(i int, name string) model.CustomerSummary {
		s := sum(byte(i), name)
		s.ID[1] = byte(i >> 8)
		return s
	}
	ix := New()
	base := make([]model.CustomerSummary, 300)
	for i := range base {
		base[i] = mk(i, fmt.Sprintf("Alt %03d", i))
	}
	ix.Load(base)
	next := make([]model.CustomerSummary, 300)
	for i := range next {
		next[i] = mk(i, fmt.Sprintf("Neu %03d", i))
	}
	put := ix.PrepareAll(next)
	if got := ix.Search(model.Query{Text: "neu"}); len(got) != 0 {
		t.Fatalf("before put: got %d hits for the prepared text, want 0", len(got))
	}
	between := make([]model.CustomerSummary, 300)
	for i := range between {
		between[i] = mk(i, fmt.Sprintf("Zwischen %03d", i))
	}
	ix.PutAll(between)
	put()
	for text, want := range map[string]int{"neu": 300, "zwischen": 0, "alt": 0, "neu 007": 1} {
		if got := ix.Search(model.Query{Text: text}); len(got) != want {
			t.Errorf("after put: %q got %d hits, want %d", text, len(got), want)
		}
	}
	if ix.Len() != 300 {
		t.Errorf("got %d customers, want 300", ix.Len())
	}
}
