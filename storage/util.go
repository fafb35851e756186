package storage

import (
	"bytes"
	"encoding/json"
	"runtime"
	"sort"
	"sync"

	"github.com/kundenkartei/kundenkartei/model"
)

// sortSlice sorts s by less on element pointers.
func sortSlice[T any](s []T, less func(a, b *T) bool) {
	sort.SliceStable(s, func(i, j int) bool { return less(&s[i], &s[j]) })
}

// jsonDecode decodes a stored record, naming a missing one.
func jsonDecode(raw []byte, v any) error {
	if raw == nil {
		return model.Errorf(model.EINTERNAL, "index points to a missing record")
	}
	if err := decodeRecord(raw, v); err != nil {
		return model.WrapError(model.EINTERNAL, err, "decode record")
	}
	return nil
}

// equalJSON reports whether a and b encode to the same JSON.
func equalJSON(a, b any) bool {
	ra, err1 := json.Marshal(a)
	rb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ra, rb)
}

// parallel splits n items into consecutive stretches, one per CPU and at
// least minEach items each, runs fn on each stretch [lo, hi) on its own
// goroutine and waits for all. Of the stretches that fail it returns the
// first one's error: the first failing item's, when fn stops at it.
func parallel(n, minEach int, fn func(lo, hi int) error) error {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/minEach))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { errs[w] = fn(n*w/workers, n*(w+1)/workers) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
