package storage

import (
	"bytes"
	"encoding/json"
	"sort"

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
