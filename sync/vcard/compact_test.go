package vcard

import (
	"fmt"
	"reflect"
	"testing"
	"unsafe"
)

// TestCompactCardCoversEveryString fills every string a Card can hold
// (found by reflection, so a field added to model.Customer later is
// covered too) and checks that compactCard moved all of them into one
// block: a string it missed would keep a slab of the file alive.
func TestCompactCardCoversEveryString(t *testing.T) {
	var c Card
	n := 0
	fill(reflect.ValueOf(&c).Elem(), &n)
	var want int
	walkStrings(reflect.ValueOf(&c).Elem(), func(s string) { want += len(s) })
	compactCard(&c)
	lo, hi, total, count := uintptr(0), uintptr(0), 0, 0
	walkStrings(reflect.ValueOf(&c).Elem(), func(s string) {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		if count == 0 || p < lo {
			lo = p
		}
		if end := p + uintptr(len(s)); end > hi {
			hi = end
		}
		total += len(s)
		count++
	})
	if count != n || total != want {
		t.Fatalf("got %d strings of %d bytes, want %d of %d", count, total, n, want)
	}
	if int(hi-lo) != total {
		t.Errorf("got the strings spread over %d bytes, want them in one block of %d", hi-lo, total)
	}
}

// fill sets every string reachable in v to a distinct value and gives
// every slice and map one element; Customer.Merge and Card.Err are left
// out (see eachString).
func fill(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.String:
		*n++
		v.SetString(fmt.Sprintf("value %d", *n))
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() && f.Name != "Merge" && f.Name != "Err" {
				fill(v.Field(i), n)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), n)
	case reflect.Map:
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, n)
		fill(e, n)
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(k, e)
	}
}

func walkStrings(v reflect.Value, f func(string)) {
	switch v.Kind() {
	case reflect.String:
		if v.Len() > 0 {
			f(v.String())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkStrings(v.Field(i), f)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkStrings(v.Index(i), f)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			walkStrings(iter.Key(), f)
			walkStrings(iter.Value(), f)
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), f)
		}
	}
}
