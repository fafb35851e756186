package cli

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/sync/replica"
)

// TestPrintReport: what a sync found is told in sentences, never as Go
// structs.
func TestPrintReport(t *testing.T) {
	tests := []struct {
		name string
		rep  replica.Report
		want []string
	}{
		{"rejected", replica.Report{Problems: []replica.Problem{{Name: "devices/a/00000000000000000007", Err: model.Errorf(model.EINVALID, "segment format 9 is newer")}}},
			[]string{"rejected devices/a/00000000000000000007: segment format 9 is newer\n"}},
		{"skipped", replica.Report{Skipped: []replica.Problem{{Name: "devices/a/00000000000000000007", Err: model.Errorf(model.EINVALID, "segment is damaged")}}},
			[]string{"skipped devices/a/00000000000000000007: segment is damaged; its device was asked to send it again"}},
		{"repaired and resent", replica.Report{Repaired: 2, Resent: []string{"devices/b/00000000000000000003"}},
			[]string{"2 damaged segment(s) arrived again", "another device could not read devices/b/00000000000000000003; it was sent again"}},
		{"clock ahead", replica.Report{ClockOff: 2 * time.Hour}, []string{"this computer's clock seems to be 2h0m0s ahead"}},
		{"clock behind", replica.Report{ClockOff: -30 * time.Minute}, []string{"this computer's clock seems to be 30m0s behind"}},
		{"other clock", replica.Report{Drift: time.Hour, DriftDevice: "dev-b"}, []string{"a change from device dev-b is 1h0m0s ahead"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			printReport(&out, tc.rep)
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("got %q, want it to contain %q", out.String(), w)
				}
			}
			if strings.ContainsAny(out.String(), "{}") {
				t.Errorf("got %q, want no struct braces", out.String())
			}
		})
	}
}

// runWith runs the CLI on te's database with the keychain sec (nil: none).
func (te *testEnv) runWith(t *testing.T, sec replica.Secrets, args ...string) error {
	t.Helper()
	te.out.Reset()
	te.err.Reset()
	return Run(context.Background(), args, Env{
		Stdin:  strings.NewReader(""),
		Stdout: &te.out, Stderr: &te.err,
		Open:    func() (Store, error) { return storage.Open(te.path, storage.Options{}) },
		Secrets: sec,
	})
}

// keyText derives the team key of the folder target as stored text.
func keyText(t *testing.T, folder, pass string) []byte {
	t.Helper()
	k, err := replica.Join(context.Background(), replica.NewFolderTarget(folder), pass)
	if err != nil {
		t.Fatal(err)
	}
	text, err := k.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// TestSyncSecretsNotInTheDatabase: with a keychain the key is kept there
// and 'sync now' needs no passphrase; without one it is not kept at all,
// the CLI says why and reads the passphrase each time. Either way the
// database file holds neither the key nor the passphrase.
func TestSyncSecretsNotInTheDatabase(t *testing.T) {
	const pass = "Messe Basel 2026 geheim"
	tests := []struct {
		name string
		sec  replica.Secrets
		note string // on stderr at setup
	}{
		{"keychain", replica.Keychain{Service: "kundenkartei-cli-test"}, ""},
		{"no keychain", nil, "not stored"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keyring.MockInit()
			folder := t.TempDir()
			te := newTestEnv(t)
			t.Setenv("KUNDENKARTEI_PASSPHRASE", pass)
			if err := te.runWith(t, tc.sec, "sync", "init", "-folder", folder); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(te.err.String(), tc.note) || tc.note == "" && te.err.Len() > 0 {
				t.Errorf("setup said %q, want %q", te.err.String(), tc.note)
			}
			t.Setenv("KUNDENKARTEI_PASSPHRASE", "")
			err := te.runWith(t, tc.sec, "sync", "now")
			if tc.sec != nil && err != nil {
				t.Fatalf("sync now from the keychain: %v", err)
			}
			if tc.sec == nil && (model.ErrorCode(err) != model.EINVALID || !strings.Contains(te.err.String(), "not stored on this computer")) {
				t.Fatalf("sync now without passphrase or keychain: got %v, %q, want EINVALID saying why", err, te.err.String())
			}
			t.Setenv("KUNDENKARTEI_PASSPHRASE", pass)
			if err := te.runWith(t, tc.sec, "sync", "now"); err != nil {
				t.Fatalf("sync now: %v", err)
			}
			data, err := os.ReadFile(te.path)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range [][]byte{keyText(t, folder, pass), []byte(pass)} {
				if bytes.Contains(data, s) {
					t.Errorf("the database holds %.12q…", s)
				}
			}
		})
	}
}

// TestDemoRefusedWhenSynced: demo data would reach every device of the
// team with the same IDs there, so a database set up for sync refuses it.
func TestDemoRefusedWhenSynced(t *testing.T) {
	t.Setenv("KUNDENKARTEI_PASSPHRASE", "Messe Basel 2026 geheim")
	te := newTestEnv(t)
	if err := te.run(t, "sync", "init", "-folder", t.TempDir()); err != nil {
		t.Fatal(err)
	}
	err := te.run(t, "demo")
	if model.ErrorCode(err) != model.ECONFLICT || !strings.Contains(model.ErrorMessage(err), "set up to sync") {
		t.Fatalf("got %v, want ECONFLICT saying the database syncs", err)
	}
	if n := te.customers(t); n != 0 {
		t.Errorf("got %d customers, want none", n)
	}
}
