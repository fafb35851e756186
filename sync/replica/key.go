package replica

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"github.com/kundenkartei/kundenkartei/model"
)

// DescriptionName is the name of the target description file at the root
// of every target.
const DescriptionName = "kundenkartei-sync.json"

// FormatVersion is the newest target format this package reads and writes.
// A target whose description carries a higher number was set up by a newer
// Kundenkartei; joining or syncing it fails with a clear message instead of
// guessing.
const FormatVersion = 1

// MinPassphrase is the shortest team passphrase InitWithKDF accepts, in characters.
const MinPassphrase = 8

// KDFParams are the Argon2id parameters stored in the target description,
// so every device derives the same key and the cost can be raised later
// without breaking existing targets.
type KDFParams struct {
	Time      uint32 `json:"time"`       // passes over memory
	MemoryKiB uint32 `json:"memory_kib"` // memory in KiB
	Threads   uint8  `json:"threads"`    // lanes
}

// DefaultKDF follows RFC 9106's second recommendation (t=3, 64 MiB): about
// a tenth of a second on a laptop, and it is paid once per join, not per sync.
var DefaultKDF = KDFParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

// Upper bounds for parameters read from a target, so a hostile description
// cannot make a joining device allocate gigabytes or spin for hours.
const (
	maxKDFTime   = 64
	maxKDFMemory = 1 << 20 // 1 GiB in KiB
)

// description is the JSON in DescriptionName.
type description struct {
	App      string    `json:"app"`
	Format   int       `json:"format"`
	ID       string    `json:"id"`      // random; cursors belong to one target
	Created  time.Time `json:"created"` // UTC
	KDF      string    `json:"kdf"`     // "argon2id"
	Params   KDFParams `json:"kdf_params"`
	Salt     []byte    `json:"salt"`      // 16 random bytes
	KeyCheck []byte    `json:"key_check"` // HMAC of a label under the derived key
}

const appName = "kundenkartei-sync"

// Key is the team key derived from the passphrase. It encrypts and
// authenticates every segment. A Key is safe for concurrent use.
type Key struct {
	seg   [32]byte // XChaCha20-Poly1305 key for segments
	check [32]byte // key-check value written to the description
}

// Derivation labels keep the segment key and the public key-check value
// independent although both come from the same Argon2id output.
const (
	labelSegment = "kundenkartei/segment-key/v1"
	labelCheck   = "kundenkartei/key-check/v1"
)

func newKey(master []byte) *Key {
	k := &Key{}
	copy(k.seg[:], mac(master, labelSegment))
	copy(k.check[:], mac(master, labelCheck))
	return k
}

func mac(key []byte, label string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(label))
	return h.Sum(nil)
}

// id is the short key identifier in segment headers: it tells "written
// under another passphrase or for another target" apart from "damaged".
func (k *Key) id() [8]byte {
	var id [8]byte
	copy(id[:], k.check[:8])
	return id
}

const keyTextPrefix = "kk1:"

// MarshalText encodes the key so a device can keep it (for example in the
// sync state or the OS keyring) and sync without asking for the passphrase
// again. The text is as secret as the passphrase.
func (k *Key) MarshalText() ([]byte, error) {
	buf := append(append([]byte{}, k.seg[:]...), k.check[:]...)
	return []byte(keyTextPrefix + base64.RawStdEncoding.EncodeToString(buf)), nil
}

// UnmarshalText decodes a key written by MarshalText. EINVALID on bad input.
func (k *Key) UnmarshalText(text []byte) error {
	s, ok := strings.CutPrefix(string(text), keyTextPrefix)
	if !ok {
		return model.Errorf(model.EINVALID, "not a sync key")
	}
	buf, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil || len(buf) != 64 {
		return model.Errorf(model.EINVALID, "not a sync key")
	}
	copy(k.seg[:], buf[:32])
	copy(k.check[:], buf[32:])
	return nil
}

func deriveKey(passphrase string, salt []byte, p KDFParams) *Key {
	// Normalize so "ü" typed on macOS (often decomposed) and on Windows
	// (precomposed) gives the same key.
	pw := norm.NFC.String(passphrase)
	return newKey(argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, 32))
}

// InitWithKDF sets up an empty target for the team with the given Argon2id
// parameters (the application passes DefaultKDF, tests cheap ones): it
// writes the target description with a fresh salt and the key-check value,
// and returns the key so the initializing device need not derive it again.
// ECONFLICT if the target already has a description (join it instead);
// EINVALID if the passphrase is shorter than MinPassphrase.
func InitWithKDF(ctx context.Context, t Target, passphrase string, p KDFParams) (*Key, error) {
	if utf8.RuneCountInString(strings.TrimSpace(passphrase)) < MinPassphrase {
		return nil, model.Errorf(model.EINVALID, "the passphrase needs at least %d characters", MinPassphrase)
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	switch _, err := t.Get(ctx, DescriptionName); model.ErrorCode(err) {
	case "":
		return nil, model.Errorf(model.ECONFLICT, "the target is already set up for sync; join it instead")
	case model.ENOTFOUND:
	default:
		return nil, err
	}
	d := description{App: appName, Format: FormatVersion, KDF: "argon2id", Params: p,
		Created: time.Now().UTC().Truncate(time.Second)}
	d.Salt = make([]byte, 16)
	id := make([]byte, 16)
	if _, err := rand.Read(d.Salt); err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "random salt")
	}
	if _, err := rand.Read(id); err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "random target id")
	}
	d.ID = base64.RawURLEncoding.EncodeToString(id)
	k := deriveKey(passphrase, d.Salt, p)
	d.KeyCheck = k.check[:]
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "encode target description")
	}
	if err := t.Put(ctx, DescriptionName, append(data, '\n')); err != nil {
		return nil, err
	}
	return k, nil
}

func (p KDFParams) check() error {
	if p.Time < 1 || p.Time > maxKDFTime || p.MemoryKiB < 8*uint32(max(p.Threads, 1)) ||
		p.MemoryKiB > maxKDFMemory || p.Threads < 1 {
		return model.Errorf(model.EINVALID, "unsupported key derivation parameters %+v", p)
	}
	return nil
}

// Join derives the team key for a target set up with InitWithKDF. It returns
// ENOTFOUND if the target has no description (set it up with InitWithKDF first),
// EINVALID "wrong passphrase" if the passphrase does not match the key
// check, and EINVALID if the target was written by a newer format.
func Join(ctx context.Context, t Target, passphrase string) (*Key, error) {
	d, err := readDescription(ctx, t)
	if err != nil {
		return nil, err
	}
	k := deriveKey(passphrase, d.Salt, d.Params)
	if subtle.ConstantTimeCompare(k.check[:], d.KeyCheck) != 1 {
		return nil, model.Errorf(model.EINVALID, "wrong passphrase for this sync target")
	}
	return k, nil
}

// readDescription reads and checks the target description.
func readDescription(ctx context.Context, t Target) (*description, error) {
	data, err := t.Get(ctx, DescriptionName)
	if model.ErrorCode(err) == model.ENOTFOUND {
		return nil, model.Errorf(model.ENOTFOUND, "the target is not set up for sync (no %s)", DescriptionName)
	} else if err != nil {
		return nil, err
	}
	var d description
	if err := json.Unmarshal(data, &d); err != nil || d.App != appName {
		return nil, model.Errorf(model.EINVALID, "%s is not a Kundenkartei sync description", DescriptionName)
	}
	if d.Format > FormatVersion {
		return nil, model.Errorf(model.EINVALID,
			"the sync target uses format %d, this Kundenkartei understands format %d; please update Kundenkartei", d.Format, FormatVersion)
	}
	if d.Format < 1 || d.KDF != "argon2id" || len(d.Salt) < 8 || len(d.KeyCheck) != 32 || d.ID == "" {
		return nil, model.Errorf(model.EINVALID, "%s is damaged", DescriptionName)
	}
	if err := d.Params.check(); err != nil {
		return nil, err
	}
	return &d, nil
}
