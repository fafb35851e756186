package vcard

import (
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// TestParseStreamed checks that how the file arrives changes nothing: a
// reader that hands out one byte at a time (so every line end, CR CR LF
// and fold falls on a read boundary) or half of what is asked for gives
// the same cards and problems as the whole file at once, also over many
// slabs and batches.
func TestParseStreamed(t *testing.T) {
	inputs := map[string][]byte{"generated 1,100 cards": genVCF(1100)}
	for _, name := range append(dialectFiles, sampleFiles...) {
		inputs[name] = readFile(t, name)
	}
	for _, tt := range prepassCases {
		inputs[tt.name] = []byte(tt.in)
	}
	long := append(genVCF(3), strings.Repeat("NOTE:"+strings.Repeat("x", 70000)+"\r\n", 3)...)
	inputs["lines longer than a slab"] = append(long, "END:VCARD\r\n"...)
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			wantCards, wantProblems, wantErr := Parse(bytes.NewReader(in))
			for _, r := range []struct {
				name string
				r    io.Reader
			}{
				{"one byte", iotest.OneByteReader(bytes.NewReader(in))},
				{"half", iotest.HalfReader(bytes.NewReader(in))},
			} {
				cards, problems, err := Parse(r.r)
				if !reflect.DeepEqual(err, wantErr) {
					t.Fatalf("%s: got error %v, want %v", r.name, err, wantErr)
				}
				if !reflect.DeepEqual(cards, wantCards) {
					t.Errorf("%s: got %d cards different from the %d of the whole file", r.name, len(cards), len(wantCards))
				}
				if !reflect.DeepEqual(problems, wantProblems) {
					t.Errorf("%s: got problems %v, want %v", r.name, problems, wantProblems)
				}
			}
		})
	}
}

// TestParseReadError checks that a read error after the start of the file
// is an EINTERNAL error, not a shorter list of cards.
func TestParseReadError(t *testing.T) {
	in := genVCF(2000)
	r := io.MultiReader(bytes.NewReader(in[:len(in)/2]), iotest.ErrReader(errors.New("disk gone")))
	_, _, err := Parse(r)
	if err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Fatalf("got %v, want the read error", err)
	}
}

// TestParseCancel checks that a cancelled parse returns ctx.Err().
func TestParseCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := ParseContext(ctx, bytes.NewReader(genVCF(10)), ParseOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// TestParseProgress checks that progress rises to the exact count, with
// a total never below the cards done.
func TestParseProgress(t *testing.T) {
	var calls [][2]int
	cards, _, err := ParseContext(context.Background(), bytes.NewReader(genVCF(1000)), ParseOptions{Progress: func(d, total int) {
		calls = append(calls, [2]int{d, total})
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 {
		t.Fatalf("got %d progress calls, want several", len(calls))
	}
	last := 0
	for _, c := range calls {
		if c[0] < last || c[1] < c[0] {
			t.Fatalf("got progress %v after %d", c, last)
		}
		last = c[0]
	}
	if got := calls[len(calls)-1]; got != [2]int{len(cards), len(cards)} {
		t.Errorf("got last progress %v, want %d of %d", got, len(cards), len(cards))
	}
}
