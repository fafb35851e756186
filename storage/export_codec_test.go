package storage

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// randomFollowUp fills every field of a follow-up with a random value,
// found by reflection, so a field added later is covered too.
func randomFollowUp(r *rand.Rand) model.FollowUp {
	plain := []string{"", "Nachfassen", "Grüße aus Zürich"}
	odd := []string{"a \"quoted\" \\ text", "line\nbreak", "\xff bad", "<&>"}
	var f model.FollowUp
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch v.Interface().(type) {
		case time.Time:
			if r.IntN(4) > 0 {
				v.Set(reflect.ValueOf(time.UnixMilli(r.Int64N(4e12)).UTC().Add(time.Duration(r.IntN(3)) * time.Nanosecond)))
			}
			return
		case model.ID:
			if r.IntN(4) > 0 {
				v.Set(reflect.ValueOf(model.NewID()))
			}
			return
		}
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i))
			}
		case reflect.String:
			if r.IntN(10) == 0 {
				v.SetString(odd[r.IntN(len(odd))])
			} else {
				v.SetString(plain[r.IntN(len(plain))])
			}
		case reflect.Int:
			v.SetInt(int64(r.IntN(2000) - 5))
		case reflect.Bool:
			v.SetBool(r.IntN(2) == 0)
		default:
			panic(fmt.Sprintf("randomFollowUp: no values for %s", v.Type()))
		}
	}
	fill(reflect.ValueOf(&f).Elem())
	return f
}

// TestDecodeFollowUpMatchesJSON checks the hand decoder against
// encoding/json on random follow-ups: the same value whenever it decodes,
// and it decodes every follow-up whose strings need no escapes.
func TestDecodeFollowUpMatchesJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fast := 0
	for i := range 3000 {
		f := randomFollowUp(r)
		raw, err := json.Marshal(&f)
		if err != nil {
			t.Fatal(err)
		}
		var want, got model.FollowUp
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		if decodeFollowUp(raw, &got) {
			fast++
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("follow-up %d: got %+v, want %+v", i, got, want)
			}
		}
		got = model.FollowUp{}
		if err := decodeExportFollowUp(raw, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("follow-up %d with fallback: got %+v (%v), want %+v", i, got, err, want)
		}
	}
	if fast < 1000 {
		t.Errorf("got %d of 3000 decoded by hand, want the plain ones (more than 1000)", fast)
	}
	plain := model.FollowUp{Meta: model.Meta{ID: model.NewID(), Created: time.Now().UTC()}, Title: "Nachfassen", Status: model.FollowUpOpen}
	raw, err := json.Marshal(&plain)
	if err != nil {
		t.Fatal(err)
	}
	var got model.FollowUp
	if !decodeFollowUp(raw, &got) {
		t.Errorf("got no hand decoding of a plain follow-up %s, want one", raw)
	}
}

func FuzzDecodeFollowUp(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 8 {
		fu := randomFollowUp(r)
		raw, err := json.Marshal(&fu)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var got, want model.FollowUp
		if !decodeFollowUp(raw, &got) {
			return
		}
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("got a hand decoding of %q that encoding/json rejects: %v", raw, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
}
