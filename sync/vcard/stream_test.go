package vcard

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// batchesOf yields cs in batches of size.
func batchesOf(cs []*model.Customer, size int) Batches {
	return func(fn func([]*model.Customer) error) error {
		for lo := 0; lo < len(cs); lo += size {
			if err := fn(cs[lo:min(lo+size, len(cs))]); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestEncodeEachMatchesEncode checks that cards written batch by batch are
// the bytes Encode writes for all of them, in every version.
func TestEncodeEachMatchesEncode(t *testing.T) {
	cs, photos := goldenCustomers(t)
	for _, v := range []string{Version30, Version40, VersionOutlook} {
		var want bytes.Buffer
		if err := Encode(&want, cs, photos, EncodeOptions{Version: v}); err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1, 2, len(cs)} {
			var got bytes.Buffer
			n, err := EncodeEach(&got, batchesOf(cs, size), photos, EncodeOptions{Version: v})
			if err != nil {
				t.Fatal(err)
			}
			if n != len(cs) || !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%s in batches of %d: got %d cards\n%s\nwant %d\n%s", v, size, n, got.Bytes(), len(cs), want.Bytes())
			}
		}
	}
}

func TestEncodeEachErrors(t *testing.T) {
	cs, photos := goldenCustomers(t)
	boom := errors.New("store gone")
	failing := func(fn func([]*model.Customer) error) error {
		if err := fn(cs[:1]); err != nil {
			return err
		}
		return boom
	}
	tests := []struct {
		name string
		each Batches
		opt  EncodeOptions
		want error
	}{
		{"source fails", failing, EncodeOptions{}, boom},
		{"unknown version", batchesOf(cs, 1), EncodeOptions{Version: "9.9"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EncodeEach(&bytes.Buffer{}, tt.each, photos, tt.opt)
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
			if tt.want == nil && model.ErrorCode(err) != model.EINVALID {
				t.Errorf("got %v, want EINVALID", err)
			}
		})
	}
}
