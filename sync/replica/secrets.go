package replica

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sync"

	"github.com/zalando/go-keyring"

	"github.com/kundenkartei/kundenkartei/model"
)

// Secrets keeps small secrets outside the database, so that neither the
// database file nor any backup of it holds them: the operating system's
// keychain in the application (Keychain), a map in tests.
type Secrets interface {
	// Get returns the secret stored under name: ENOTFOUND if there is
	// none, another error when the keychain cannot be used.
	Get(name string) (string, error)
	// Set stores secret under name, replacing any.
	Set(name, secret string) error
	// Delete removes name; a missing one is not an error.
	Delete(name string) error
}

// Keychain is Secrets in the operating system's keychain (Windows
// Credential Manager, macOS Keychain, the Secret Service on Linux) under
// one service name.
type Keychain struct{ Service string }

// Get implements Secrets.
func (k Keychain) Get(name string) (string, error) {
	s, err := keyring.Get(k.Service, name)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", model.Errorf(model.ENOTFOUND, "no %s in the keychain", name)
	} else if err != nil {
		return "", model.WrapError(model.EINTERNAL, err, "the system keychain is not available")
	}
	return s, nil
}

// Set implements Secrets.
func (k Keychain) Set(name, secret string) error {
	if err := keyring.Set(k.Service, name, secret); err != nil {
		return model.WrapError(model.EINTERNAL, err, "the system keychain is not available")
	}
	return nil
}

// Delete implements Secrets.
func (k Keychain) Delete(name string) error {
	if err := keyring.Delete(k.Service, name); err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return model.WrapError(model.EINTERNAL, err, "the system keychain is not available")
	}
	return nil
}

// SecretState is a StateStore that keeps the configuration's secrets (the
// WebDAV password and the team key) in Secrets and only a reference to
// them (Config.Secrets) in the state it passes on. A state that still holds
// secrets in clear (set up by an earlier version) has them moved out when
// it is loaded. When the keychain cannot be used the secrets stay where
// they are, sync keeps working, and Problem says why.
type SecretState struct {
	inner StateStore
	sec   Secrets

	mu      sync.Mutex
	written map[string]string // secrets known to be in sec, so saves do not rewrite them
	problem error
}

// NewSecretState keeps inner's secrets in sec.
func NewSecretState(inner StateStore, sec Secrets) *SecretState {
	return &SecretState{inner: inner, sec: sec, written: map[string]string{}}
}

// Problem returns why the secrets could not be kept in the keychain at the
// last load or save, nil when they could.
func (s *SecretState) Problem() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.problem
}

// Load implements StateStore: it fills the secrets in from the keychain,
// and moves secrets still kept in clear out of the database.
func (s *SecretState) Load() ([]byte, error) {
	data, err := s.inner.Load()
	if err != nil || len(data) == 0 {
		return data, err
	}
	var st state
	if json.Unmarshal(data, &st) != nil || st.Config == nil {
		return data, nil // loadState reports a damaged state
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *st.Config
	if c.Key != "" || c.Password != "" {
		// Secrets in clear: move them out, then remove them here.
		if stripped, ok := s.strip(st); ok {
			if err := s.inner.Save(stripped); err != nil {
				return nil, err
			}
		}
		return data, nil
	}
	if c.Secrets == "" {
		return data, nil
	}
	s.problem = nil
	for _, f := range []struct {
		name string
		to   *string
	}{{c.Secrets + "/key", &c.Key}, {c.Secrets + "/password", &c.Password}} {
		v, err := s.sec.Get(f.name)
		switch {
		case err == nil:
			*f.to = v
			s.written[f.name] = v
		case model.ErrorCode(err) != model.ENOTFOUND:
			s.problem = err
		}
	}
	st.Config = &c
	return json.Marshal(&st)
}

// Save implements StateStore: secrets go to the keychain, the rest on.
func (s *SecretState) Save(data []byte) error {
	var st state
	if json.Unmarshal(data, &st) != nil || st.Config == nil || st.Config.Key == "" && st.Config.Password == "" {
		return s.inner.Save(data)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if stripped, ok := s.strip(st); ok {
		data = stripped
	}
	return s.inner.Save(data)
}

// strip writes st's secrets to the keychain and returns st without them;
// ok is false (and problem set) when the keychain refused.
func (s *SecretState) strip(st state) ([]byte, bool) {
	c := *st.Config
	if c.Secrets == "" {
		var ref [12]byte
		if _, err := rand.Read(ref[:]); err != nil {
			s.problem = model.WrapError(model.EINTERNAL, err, "random secret name")
			return nil, false
		}
		c.Secrets = "sync-" + base64.RawURLEncoding.EncodeToString(ref[:])
	}
	for _, f := range []struct{ name, value string }{{c.Secrets + "/key", c.Key}, {c.Secrets + "/password", c.Password}} {
		if w, ok := s.written[f.name]; ok && w == f.value {
			continue
		}
		var err error
		if f.value == "" {
			err = s.sec.Delete(f.name)
		} else {
			err = s.sec.Set(f.name, f.value)
		}
		if err != nil {
			s.problem = err
			return nil, false
		}
		s.written[f.name] = f.value
	}
	s.problem = nil
	c.Key, c.Password = "", ""
	st.Config = &c
	out, err := json.Marshal(&st)
	if err != nil {
		s.problem = model.WrapError(model.EINTERNAL, err, "encode sync state")
		return nil, false
	}
	return out, true
}
