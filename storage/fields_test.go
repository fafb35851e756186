package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage/demo"
)

// demoRecords returns the small demo set's records, each as a pointer to
// its model type.
func demoRecords(t testing.TB) []any {
	var recs []any
	err := demo.Generate(context.Background(), demo.Small(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)), 1000, func(b model.Bulk) error {
		for i := range b.Customers {
			recs = append(recs, &b.Customers[i])
		}
		for i := range b.Notes {
			recs = append(recs, &b.Notes[i])
		}
		for i := range b.FollowUps {
			recs = append(recs, &b.FollowUps[i])
		}
		for i := range b.Gestures {
			recs = append(recs, &b.Gestures[i])
		}
		for i := range b.Events {
			recs = append(recs, &b.Events[i])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestSplitObjectMatchesEncodingJSON(t *testing.T) {
	cases := []string{
		`{}`, ` { } `, `{"a":1}`, `{"a" : "x,}]\"y" , "b":[1,{"c":"]"}],"d":null,"e":true,"f":-1.5e3}`,
		`{"a":{"b":{"c":[[],{}]}},"g":"ü\u00fc"}`, "{\n\t\"a\": 1\n}",
	}
	for _, r := range demoRecords(t) {
		raw, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, string(raw))
	}
	for _, c := range cases {
		got := map[string]json.RawMessage{}
		if !splitObject([]byte(c), got) {
			t.Fatalf("splitObject refused %s", c)
		}
		want := map[string]json.RawMessage{}
		if err := json.Unmarshal([]byte(c), &want); err != nil {
			t.Fatal(err)
		}
		if !maps.EqualFunc(got, want, func(a, b json.RawMessage) bool { return bytes.Equal(a, b) }) {
			t.Fatalf("%s:\n got %q\nwant %q", c, got, want)
		}
	}
	// What it does not split it hands back, and fieldsOf decodes it.
	for _, c := range []string{`{"\u0061":1}`, `{"ä":1}`, `[1]`, `{"a":1`, `{"a":1}x`, `{"a" 1}`, `{"a":}`} {
		if splitObject([]byte(c), map[string]json.RawMessage{}) {
			t.Errorf("splitObject accepted %s", c)
		}
	}
	if m, err := fieldsOf([]byte(`{"\u0061":1}`)); err != nil || string(m["a"]) != "1" {
		t.Errorf("fieldsOf with an escaped key: %v %v", m, err)
	}
}

// patchRecord must give the bytes that decoding the whole patched JSON
// gives: that is what every device stores.
func TestPatchRecordMatchesFullDecode(t *testing.T) {
	recs := demoRecords(t)
	r := rand.New(rand.NewPCG(7, 7))
	for i, old := range recs {
		// Fields of another record of the same type, some set to null.
		var other any
		for other == nil || typeOf(other) != typeOf(old) {
			other = recs[r.IntN(len(recs))]
		}
		oldRaw, _ := json.Marshal(old)
		otherRaw, _ := json.Marshal(other)
		fields, _ := fieldsOf(oldRaw)
		src, _ := fieldsOf(otherRaw)
		names := slices.Sorted(maps.Keys(src))
		var set []string
		for _, f := range names {
			switch r.IntN(4) {
			case 0:
				fields[f], set = src[f], append(set, f)
			case 1:
				fields[f], set = json.RawMessage("null"), append(set, f)
			}
		}
		decoded := newRecord(typeOf(old))
		if err := json.Unmarshal(oldRaw, decoded); err != nil {
			t.Fatal(err)
		}
		got, err := patchRecord(decoded, fields, set)
		if err != nil {
			t.Fatal(err)
		}
		want := newRecord(typeOf(old))
		if err := json.Unmarshal(appendFields(nil, fields), want); err != nil {
			t.Fatal(err)
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if !bytes.Equal(g, w) {
			t.Fatalf("record %d, fields %v:\n got %s\nwant %s", i, set, g, w)
		}
		if again, _ := json.Marshal(decoded); !bytes.Equal(again, oldRaw) {
			t.Fatalf("record %d: patching changed the original:\n%s\n%s", i, again, oldRaw)
		}
	}
}

func typeOf(rec any) model.RecordType {
	switch rec.(type) {
	case *model.Customer:
		return model.TypeCustomer
	case *model.Note:
		return model.TypeNote
	case *model.FollowUp:
		return model.TypeFollowUp
	case *model.Gesture:
		return model.TypeGesture
	case *model.Event:
		return model.TypeEvent
	}
	panic("not a record")
}

// FuzzSplitObject checks the scanner against encoding/json on any valid
// JSON object.
func FuzzSplitObject(f *testing.F) {
	f.Add([]byte(`{"a":"x,}]\"y","b":[1,{"c":"]"}],"d":null}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		want := map[string]json.RawMessage{}
		if json.Unmarshal(raw, &want) != nil {
			return
		}
		got := map[string]json.RawMessage{}
		if !splitObject(raw, got) {
			return // handed to encoding/json
		}
		for k, v := range want {
			if !bytes.Equal(bytes.TrimSpace(got[k]), bytes.TrimSpace(v)) {
				t.Fatalf("%q: key %q got %q want %q", raw, k, got[k], v)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%q: got %d keys, want %d", raw, len(got), len(want))
		}
	})
}

func TestAppendStatsMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	at := func() time.Time {
		if r.IntN(4) == 0 {
			return time.Time{}
		}
		return time.Unix(r.Int64N(2e9), r.Int64N(1e9)*int64(r.IntN(2))).UTC()
	}
	for range 1000 {
		st := model.Stats{
			LastContact: at(), LastImpression: []model.Impression{"", model.Positive, "neutral", `"<&>"`}[r.IntN(4)],
			LastComplaint: at(), OpenComplaint: r.IntN(2) == 0, NextFollowUp: at(),
			OpenFollowUps: r.IntN(5), Notes: r.IntN(1000), Gestures: r.IntN(9), LastGesture: at(),
		}
		want, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendStats(nil, &st); !bytes.Equal(got, want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	}
}
