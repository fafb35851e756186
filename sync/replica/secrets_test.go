package replica

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

const (
	testPassword   = "webdav-app-password-7731"
	testPassphrase = "correct horse battery"
)

// secretBytes are what must never be in a database file: the WebDAV
// password, the passphrase, the key's text and its raw bytes.
func secretBytes(t *testing.T, k *Key) [][]byte {
	t.Helper()
	text, err := k.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	return [][]byte{[]byte(testPassword), []byte(testPassphrase), text, k.seg[:], k.check[:]}
}

// assertNoSecrets searches the database file and every backup for the
// secrets, byte by byte.
func assertNoSecrets(t *testing.T, db *storage.DB, secrets [][]byte) {
	t.Helper()
	files := []string{db.Path()}
	backups, _ := filepath.Glob(filepath.Join(storage.DefaultBackupDir(db.Path()), "*"))
	files = append(files, backups...)
	if len(backups) == 0 {
		t.Fatal("no backup written; the test would not look at one")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range secrets {
			if bytes.Contains(data, s) {
				t.Errorf("%s holds secret #%d", filepath.Base(f), i)
			}
		}
	}
}

// TestSecretsStayOutOfTheDatabase: a WebDAV target set up through a
// SecretState keeps its password and key in the keychain; neither they nor
// the passphrase are in the database or its backups, and sync works from
// the keychain's copy.
func TestSecretsStayOutOfTheDatabase(t *testing.T) {
	keyring.MockInit()
	now := func() time.Time { return time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC) }
	db := openStore(t, now, true)
	srv := startRclone(t, t.TempDir(), "")
	sec := Keychain{Service: "kundenkartei-test"}
	state := NewSecretState(DBStateStore(db), sec)
	cfg := Config{URL: srv.url(), User: "team", Password: testPassword}
	if err := Setup(context.Background(), cfg, testPassphrase, true, testKDF, state); err != nil {
		t.Fatal(err)
	}
	if state.Problem() != nil {
		t.Fatalf("keychain problem: %v", state.Problem())
	}
	got, ok, err := LoadConfig(state)
	if err != nil || !ok || got.Password != testPassword || got.Key == "" || got.Secrets == "" {
		t.Fatalf("loaded config: got %+v, %v, %v, want the password and key from the keychain", got, ok, err)
	}
	key, err := got.OpenKey()
	if err != nil {
		t.Fatal(err)
	}
	c := model.Customer{GivenName: "Lea", FamilyName: "Brunner"}
	if err := db.CreateCustomer(&c); err != nil {
		t.Fatal(err)
	}
	sy, err := OpenSyncer(db, db, state)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := sy.Sync(context.Background(), nil); err != nil || rep.Pushed == 0 {
		t.Fatalf("sync from the keychain's secrets: got %+v, %v", rep, err)
	}
	if _, err := db.Backup("test"); err != nil {
		t.Fatal(err)
	}
	raw, err := db.SyncState()
	if err != nil || bytes.Contains(raw, []byte(testPassword)) || !strings.Contains(string(raw), got.Secrets) {
		t.Fatalf("stored state %s: want only the secrets' name", raw)
	}
	assertNoSecrets(t, db, secretBytes(t, key))
}

// TestSecretsMigrateOutOfOldState: a state written by the previous version
// (secrets in clear) has them moved to the keychain on first load; when
// the keychain is unavailable they stay, sync goes on and Problem says why.
func TestSecretsMigrateOutOfOldState(t *testing.T) {
	w := newWorld(t)
	text, _ := w.key.MarshalText()
	old := Config{Folder: w.dir, Key: string(text), Password: testPassword}
	tests := []struct {
		name    string
		fail    error
		inClear bool
	}{
		{"keychain works", nil, false},
		{"no keychain", errors.New("no secret service on the session bus"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fail != nil {
				keyring.MockInitWithError(tc.fail)
			} else {
				keyring.MockInit()
			}
			db := openStore(t, time.Now, true)
			if err := SaveConfig(DBStateStore(db), old); err != nil {
				t.Fatal(err)
			}
			state := NewSecretState(DBStateStore(db), Keychain{Service: "kundenkartei-test"})
			got, ok, err := LoadConfig(state)
			if err != nil || !ok || got.Key != old.Key || got.Password != testPassword {
				t.Fatalf("got %+v, %v, %v, want the old config", got, ok, err)
			}
			raw, err := db.SyncState()
			if err != nil {
				t.Fatal(err)
			}
			if clear := bytes.Contains(raw, text) || bytes.Contains(raw, []byte(testPassword)); clear != tc.inClear {
				t.Errorf("secrets in the stored state: got %v, want %v", clear, tc.inClear)
			}
			if (state.Problem() != nil) != (tc.fail != nil) {
				t.Errorf("got problem %v, want one: %v", state.Problem(), tc.fail != nil)
			}
			// Sync works either way.
			sy, err := OpenSyncer(db, db, state)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sy.Sync(context.Background(), nil); err != nil {
				t.Errorf("sync: %v", err)
			}
			if again, _, _ := LoadConfig(state); again.Key != old.Key {
				t.Errorf("after a sync: got key %q, want the old one", again.Key)
			}
		})
	}
}
