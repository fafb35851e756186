package replica

import (
	"context"
	"net/http"

	"github.com/kundenkartei/kundenkartei/model"
)

// Config is how this device reaches its target: a folder or a WebDAV
// address with its login, and the team key from Join or InitWithKDF. It is kept
// with the sync state (SaveConfig), so "sync now" needs neither the
// passphrase nor the password again. Password and Key are as secret as the
// passphrase: a SecretState keeps them in the keychain and only the name
// they are kept under (Secrets) in the database.
type Config struct {
	Folder   string `json:"folder,omitempty"`   // path of a folder target
	URL      string `json:"url,omitempty"`      // address of a WebDAV target
	User     string `json:"user,omitempty"`     // WebDAV user
	Password string `json:"password,omitempty"` // WebDAV (app) password
	Key      string `json:"key"`                // Key.MarshalText; "" when kept elsewhere or not kept
	// Secrets names where a SecretState keeps Password and Key; "" when
	// they are in this struct.
	Secrets string `json:"secrets,omitempty"`
	// Manual turns automatic sync off: the app then syncs only when asked.
	Manual bool `json:"manual,omitempty"`
}

// Target returns the configured target; client is used for WebDAV (nil
// for the default). EINVALID when neither or both kinds are set.
func (c Config) Target(client *http.Client) (Target, error) {
	switch {
	case c.Folder != "" && c.URL == "":
		return NewFolderTarget(c.Folder), nil
	case c.URL != "" && c.Folder == "":
		return NewWebDAVTarget(c.URL, c.User, c.Password, client), nil
	}
	return nil, model.Errorf(model.EINVALID, "sync is not set up: choose a folder or a WebDAV address")
}

// OpenKey returns the configured key. EINVALID when it is missing or bad.
func (c Config) OpenKey() (*Key, error) {
	k := &Key{}
	if err := k.UnmarshalText([]byte(c.Key)); err != nil {
		return nil, model.Errorf(model.EINVALID, "sync is not set up: join the target with the team passphrase")
	}
	return k, nil
}

// LoadConfig returns the saved configuration; ok is false if none is.
func LoadConfig(s StateStore) (c Config, ok bool, err error) {
	st, err := loadState(s)
	if err != nil || st.Config == nil {
		return Config{}, false, err
	}
	return *st.Config, true, nil
}

// SaveConfig keeps c with the sync state. A different target or key
// starts over: the cursors of the old target mean nothing on a new one,
// and the next Sync finds out from the target's ID anyway.
//
// A damaged state is replaced: setting sync up again is how it is repaired,
// and without cursors the next sync reads the target from the start
// (applying changes twice is harmless).
func SaveConfig(s StateStore, c Config) error {
	st, err := loadState(s)
	if IsDamaged(err) {
		st, err = &state{Read: map[string]uint64{}}, nil
	}
	if err != nil {
		return err
	}
	st.Config = &c
	return st.save(s)
}

// Setup creates a new target (create) or joins an existing one with the
// team passphrase, and keeps cfg with the derived key in state, so later
// syncs need neither the passphrase nor the target's address again.
// EINVALID for a wrong passphrase, ECONFLICT when creating over an existing target.
func Setup(ctx context.Context, cfg Config, passphrase string, create bool, kdf KDFParams, state StateStore) error {
	cfg, err := Connect(ctx, cfg, passphrase, create, kdf)
	if err != nil {
		return err
	}
	return SaveConfig(state, cfg)
}

// Connect creates a new target (create) or joins an existing one with the
// team passphrase and returns cfg with the derived key, without keeping it.
// Errors as Setup.
func Connect(ctx context.Context, cfg Config, passphrase string, create bool, kdf KDFParams) (Config, error) {
	t, err := cfg.Target(nil)
	if err != nil {
		return cfg, err
	}
	var key *Key
	if create {
		key, err = InitWithKDF(ctx, t, passphrase, kdf)
	} else {
		key, err = Join(ctx, t, passphrase)
	}
	if err != nil {
		return cfg, err
	}
	text, err := key.MarshalText()
	if err != nil {
		return cfg, err
	}
	cfg.Key = string(text)
	return cfg, nil
}

// OpenSyncer builds the Syncer of the configuration kept in state.
// ENOTFOUND when sync is not set up yet.
func OpenSyncer(log model.ChangeLog, backups model.BackupService, state StateStore) (*Syncer, error) {
	cfg, ok, err := LoadConfig(state)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, model.Errorf(model.ENOTFOUND, "no sync target set up yet")
	}
	return cfg.Syncer(log, backups, state)
}

// Syncer builds the Syncer of this configuration, keeping its progress in
// state.
func (c Config) Syncer(log model.ChangeLog, backups model.BackupService, state StateStore) (*Syncer, error) {
	t, err := c.Target(nil)
	if err != nil {
		return nil, err
	}
	key, err := c.OpenKey()
	if err != nil {
		return nil, err
	}
	return NewSyncer(log, backups, t, key, state), nil
}
