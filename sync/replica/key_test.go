package replica

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

func TestInitJoin(t *testing.T) {
	ctx := context.Background()
	tg := NewFolderTarget(t.TempDir())
	k, err := InitWithKDF(ctx, tg, "Grüezi mitenand", testKDF)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		passphrase string
		wantCode   string
	}{
		{"same", "Grüezi mitenand", ""},
		{"decomposed umlaut", "Gru\u0308ezi mitenand", ""}, // as macOS may type it
		{"wrong", "Grüezi mitenant", model.EINVALID},
		{"empty", "", model.EINVALID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Join(ctx, tg, tc.passphrase)
			if code := model.ErrorCode(err); code != tc.wantCode {
				t.Fatalf("got code %q (%v), want %q", code, err, tc.wantCode)
			}
			if err == nil && got.seg != k.seg {
				t.Error("got a different key than Init derived")
			}
			if err != nil && !strings.Contains(model.ErrorMessage(err), "wrong passphrase") {
				t.Errorf("got message %q, want it to say wrong passphrase", model.ErrorMessage(err))
			}
		})
	}
	if _, err := InitWithKDF(ctx, tg, "another passphrase", testKDF); model.ErrorCode(err) != model.ECONFLICT {
		t.Errorf("second init: got code %q, want %q", model.ErrorCode(err), model.ECONFLICT)
	}
}

func TestInitRejects(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		passphrase string
		kdf        KDFParams
	}{
		{"short passphrase", "kurz", testKDF},
		{"blank passphrase", "          ", testKDF},
		{"zero kdf", "long enough passphrase", KDFParams{}},
		{"huge memory", "long enough passphrase", KDFParams{Time: 1, MemoryKiB: 1 << 30, Threads: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := NewFolderTarget(t.TempDir())
			if _, err := InitWithKDF(ctx, tg, tc.passphrase, tc.kdf); model.ErrorCode(err) != model.EINVALID {
				t.Errorf("got code %q (%v), want %q", model.ErrorCode(err), err, model.EINVALID)
			}
			if _, err := tg.Get(ctx, DescriptionName); model.ErrorCode(err) != model.ENOTFOUND {
				t.Errorf("description written anyway: %v", err)
			}
		})
	}
}

func TestJoinDescription(t *testing.T) {
	ctx := context.Background()
	good := NewFolderTarget(t.TempDir())
	if _, err := InitWithKDF(ctx, good, "correct horse battery", testKDF); err != nil {
		t.Fatal(err)
	}
	orig, err := good.Get(ctx, DescriptionName)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(m map[string]any)) string {
		var m map[string]any
		if err := json.Unmarshal(orig, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name     string
		desc     string // "" for none
		wantCode string
		wantMsg  string
	}{
		{"missing", "", model.ENOTFOUND, "not set up"},
		{"newer format", edit(func(m map[string]any) { m["format"] = FormatVersion + 1 }), model.EINVALID, "please update"},
		{"not json", "<html>", model.EINVALID, "not a Kundenkartei"},
		{"other app", edit(func(m map[string]any) { m["app"] = "other" }), model.EINVALID, "not a Kundenkartei"},
		{"other kdf", edit(func(m map[string]any) { m["kdf"] = "scrypt" }), model.EINVALID, "damaged"},
		{"hostile kdf", edit(func(m map[string]any) {
			m["kdf_params"] = map[string]any{"time": 1, "memory_kib": 1 << 30, "threads": 1}
		}), model.EINVALID, "unsupported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := NewFolderTarget(t.TempDir())
			if tc.desc != "" {
				if err := tg.Put(ctx, DescriptionName, []byte(tc.desc)); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Join(ctx, tg, "correct horse battery")
			if code := model.ErrorCode(err); code != tc.wantCode {
				t.Fatalf("got code %q (%v), want %q", code, err, tc.wantCode)
			}
			if !strings.Contains(model.ErrorMessage(err), tc.wantMsg) {
				t.Errorf("got message %q, want it to contain %q", model.ErrorMessage(err), tc.wantMsg)
			}
		})
	}
}

func TestKeyText(t *testing.T) {
	k := deriveKey("correct horse battery", []byte("0123456789abcdef"), testKDF)
	text, err := k.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	var got Key
	if err := got.UnmarshalText(text); err != nil {
		t.Fatal(err)
	}
	if got != *k {
		t.Error("got a different key after a round trip")
	}
	for _, bad := range []string{"", "kk1:", "kk1:AAAA", string(text[:len(text)-2]), "kk2:" + string(text[4:])} {
		if err := new(Key).UnmarshalText([]byte(bad)); model.ErrorCode(err) != model.EINVALID {
			t.Errorf("unmarshal %q: got code %q, want %q", bad, model.ErrorCode(err), model.EINVALID)
		}
	}
}
