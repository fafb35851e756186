package storage

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// fieldsOf splits a record's JSON into its fields. Stored records are
// valid JSON written by encoding/json, and the plain ones (every key a
// plain ASCII name) are split by a scanner that only finds where values
// end; anything else goes through encoding/json.
func fieldsOf(raw []byte) (map[string]json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if raw == nil {
		return m, nil
	}
	if splitObject(raw, m) {
		return m, nil
	}
	clear(m)
	return m, json.Unmarshal(raw, &m)
}

// splitObject fills m with the members of the JSON object raw, the values
// as sub-slices of raw; false when raw is not an object of plain keys it
// can split (m is then partly filled).
func splitObject(raw []byte, m map[string]json.RawMessage) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return skipSpace(raw, i+1) == len(raw)
	}
	for {
		if i >= len(raw) || raw[i] != '"' {
			return false
		}
		j := i + 1
		for j < len(raw) && raw[j] != '"' {
			if c := raw[j]; c == '\\' || c < 0x20 || c > 0x7e {
				return false // an escaped or non-ASCII key: let encoding/json read it
			}
			j++
		}
		if j >= len(raw) {
			return false
		}
		key := string(raw[i+1 : j])
		i = skipSpace(raw, j+1)
		if i >= len(raw) || raw[i] != ':' {
			return false
		}
		i = skipSpace(raw, i+1)
		end := skipValue(raw, i)
		if end < 0 {
			return false
		}
		m[key] = raw[i:end:end]
		i = skipSpace(raw, end)
		if i >= len(raw) {
			return false
		}
		switch raw[i] {
		case ',':
			i = skipSpace(raw, i+1)
		case '}':
			return skipSpace(raw, i+1) == len(raw)
		default:
			return false
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at i, or -1. It
// finds the end of strings, arrays and objects without checking what is
// inside them beyond the nesting.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				if i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\t' && b[j] != '\r' {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}

// skipString returns the end of the JSON string starting at i, or -1.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// patchRecord returns a copy of the decoded record old (a pointer to a
// model record) with the named fields decoded from fields: what decoding
// old's JSON with those fields replaced would give, without decoding the
// unchanged ones again. Unknown names are ignored, as decoding does.
func patchRecord(old any, fields map[string]json.RawMessage, names []string) (any, error) {
	ov := reflect.ValueOf(old).Elem()
	rv := reflect.New(ov.Type())
	rv.Elem().Set(ov)
	idx := fieldPaths(ov.Type())
	for _, f := range names {
		path, ok := idx[f]
		if !ok {
			continue
		}
		fv := rv.Elem().FieldByIndex(path)
		fv.SetZero() // decoding into a slice or map would reuse old's
		if v := fields[f]; len(v) > 0 {
			if err := json.Unmarshal(v, fv.Addr().Interface()); err != nil {
				return nil, err
			}
		}
	}
	return rv.Interface(), nil
}

var jsonFieldCache sync.Map // reflect.Type → map[string][]int

// fieldPaths maps the JSON names of a struct type's fields (promoted ones
// included) to their index paths.
func fieldPaths(t reflect.Type) map[string][]int {
	if m, ok := jsonFieldCache.Load(t); ok {
		return m.(map[string][]int)
	}
	m := map[string][]int{}
	for _, f := range reflect.VisibleFields(t) {
		if f.Anonymous || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		m[name] = f.Index
	}
	jsonFieldCache.Store(t, m)
	return m
}
