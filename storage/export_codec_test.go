package storage

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
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

// calendarReads are the members of a customer decodeCalendarCustomer
// decodes; with calendarSkips they must be all of model.Customer.
var calendarReads = []string{"id", "created", "updated", "deleted", "kind", "given_name", "family_name",
	"company", "emails", "phones", "addresses", "tags", "merged_into"}

// structFields calls fn with the JSON name of every field of the struct v,
// those of embedded structs included.
func structFields(v reflect.Value, fn func(name string, f reflect.Value)) {
	for i := range v.NumField() {
		sf := v.Type().Field(i)
		if sf.Anonymous {
			structFields(v.Field(i), fn)
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		fn(name, v.Field(i))
	}
}

// A field added to model.Customer must be placed: shown in calendars
// (read) or not (skipped).
func TestCalendarCustomerFieldsCoverCustomer(t *testing.T) {
	reads := map[string]bool{}
	for _, name := range calendarReads {
		reads[name] = true
	}
	seen := map[string]bool{}
	structFields(reflect.ValueOf(model.Customer{}), func(name string, _ reflect.Value) {
		seen[name] = true
		if reads[name] == calendarSkips[name] {
			t.Errorf("customer member %q: read %v, skipped %v; want exactly one", name, reads[name], calendarSkips[name])
		}
	})
	for name := range reads {
		if !seen[name] {
			t.Errorf("got read member %q, want a field of model.Customer", name)
		}
	}
	for name := range calendarSkips {
		if !seen[name] {
			t.Errorf("got skipped member %q, want a field of model.Customer", name)
		}
	}
}

// calendarView is c with the members of calendarSkips zero.
func calendarView(c model.Customer) model.Customer {
	structFields(reflect.ValueOf(&c).Elem(), func(name string, f reflect.Value) {
		if calendarSkips[name] {
			f.SetZero()
		}
	})
	return c
}

// TestDecodeCalendarCustomerMatchesJSON checks the calendar decoder
// against encoding/json on random customers: the members it reads are
// equal, the others zero, whenever it decodes, and it decodes the
// customers whose read members need no fallback.
func TestDecodeCalendarCustomerMatchesJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	fast := 0
	for i := range 5000 {
		raw, err := json.Marshal(randomCustomer(r))
		if err != nil {
			continue // a time json.Marshal refuses
		}
		var full model.Customer
		if err := json.Unmarshal(raw, &full); err != nil {
			continue // a date encoding/json refuses (February 29 of 2026)
		}
		want := calendarView(full)
		var got model.Customer
		if decodeCalendarCustomer(raw, &got) {
			fast++
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("customer %d %s:\n got %+v\nwant %+v", i, raw, got, want)
			}
		}
		got = model.Customer{}
		if err := decodeExportCustomer(raw, &got); err != nil || !reflect.DeepEqual(calendarView(got), want) {
			t.Fatalf("customer %d with fallback: got %+v (%v), want %+v", i, got, err, want)
		}
	}
	if fast < 1000 {
		t.Errorf("got %d of 5000 decoded for the calendar, want more than 1000", fast)
	}
}

// Anything but the members json.Marshal writes goes to the full decoding.
func TestDecodeCalendarCustomerRefuses(t *testing.T) {
	c := &model.Customer{Meta: model.Meta{ID: model.NewID(), Created: time.Now().UTC()}, Kind: model.Person,
		GivenName: "Jürg", FamilyName: "Müller", Memo: "lang", Tags: []string{"VIP"}}
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var got model.Customer
	if !decodeCalendarCustomer(raw, &got) || got.FamilyName != "Müller" || got.Memo != "" || got.Tags[0] != "VIP" {
		t.Fatalf("got %+v from %s, want the names and tags without the memo", got, raw)
	}
	tests := []struct {
		name string
		old  string
		new  string
	}{
		{"unknown member", `"memo":`, `"new_field":1,"memo":`},
		{"name in other case", `"family_name":`, `"Family_Name":`},
		{"invalid skipped value", `"memo":"lang"`, `"memo":lang`},
		{"null name", `"family_name":"Müller"`, `"family_name":null`},
		{"space", `"kind":`, `"kind": `},
		{"trailing bytes", `}`, `} `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := []byte(strings.Replace(string(raw), tt.old, tt.new, 1))
			if tt.old == `}` {
				bad = append(raw[:len(raw):len(raw)], ' ')
			}
			var got model.Customer
			if decodeCalendarCustomer(bad, &got) {
				t.Errorf("got a calendar decoding of %s, want none", bad)
			}
		})
	}
}

func FuzzDecodeCalendarCustomer(f *testing.F) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 10 {
		if raw, err := json.Marshal(randomCustomer(r)); err == nil {
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var got model.Customer
		if !decodeCalendarCustomer(raw, &got) {
			return
		}
		if !validJSON(raw) {
			t.Fatalf("got a calendar decoding of invalid JSON %q", raw)
		}
		var full model.Customer
		if err := json.Unmarshal(raw, &full); err != nil {
			return // a skipped member of another type: not what storage writes
		}
		if want := calendarView(full); !reflect.DeepEqual(got, want) {
			t.Fatalf("decode %q:\n got %+v\nwant %+v", raw, got, want)
		}
	})
}
