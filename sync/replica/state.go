package replica

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// StateStore keeps the sync state of this device durably: what it has
// pushed and how far it has read every other device. The Syncer saves
// after every segment it writes or applies, so an interrupted sync resumes
// where it stopped. The bytes are opaque JSON, a few hundred bytes per
// device on the target.
//
// Storage should provide one in the database (a key in its meta bucket,
// written in its own small Update) so the state travels with a backup
// restore; FileStateStore serves tests and the CLI until then.
type StateStore interface {
	// Load returns the saved state, or nil and no error if none was saved.
	Load() ([]byte, error)
	// Save replaces the saved state durably before it returns.
	Save(data []byte) error
}

// FileStateStore is a StateStore in one file, replaced atomically.
type FileStateStore struct {
	path string
}

// NewFileStateStore returns a StateStore kept in the file at path.
func NewFileStateStore(path string) *FileStateStore { return &FileStateStore{path: path} }

// Load implements StateStore.
func (f *FileStateStore) Load() ([]byte, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "read sync state")
	}
	return data, nil
}

// Save implements StateStore with a synced temporary file and a rename.
func (f *FileStateStore) Save(data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".sync-state-*")
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "write sync state")
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return model.WrapError(model.EINTERNAL, err, "write sync state")
	}
	return nil
}

// state is what a device remembers about one target.
type state struct {
	// Target is the ID from the target description; cursors of another
	// target are meaningless, so a new target starts from scratch.
	Target string `json:"target"`
	// Scanned is the local log sequence number up to which this device's
	// own ops have been pushed (or found to be remote ops).
	Scanned uint64 `json:"scanned"`
	// Last is the seq of this device's newest segment on the target.
	Last uint64 `json:"last"`
	// Read maps each other device to the seq of its last applied segment.
	Read map[string]uint64 `json:"read"`
	// SinceSnapshot counts ops pushed and applied since this device last
	// wrote a snapshot.
	SinceSnapshot int `json:"since_snapshot"`
	// Config is how the device reaches the target (SaveConfig).
	Config *Config `json:"config,omitempty"`
	// LastSync is when the last complete sync ended (UTC).
	LastSync time.Time `json:"last_sync"`
	// LastBackup is when a sync last took a backup before applying remote
	// changes (UTC); the next one waits Syncer.backupEvery.
	LastBackup time.Time `json:"last_backup,omitzero"`
	// Device is the device ID the state was written for. A restored
	// database gets a new ID (storage.Restore), and adopt moves the state
	// to it.
	Device string `json:"device,omitempty"`
	// Snaps are this device's snapshots kept on the target, oldest first
	// (at most keepSnapshots), CursorSent the cursor file last published,
	// Pruned the seq up to which own segments were deleted (prune.go).
	Snaps      []keptSnapshot `json:"snaps,omitempty"`
	CursorSent string         `json:"cursor_sent,omitempty"`
	Pruned     uint64         `json:"pruned,omitempty"`
	// Holes are other devices' segments that could not be opened and
	// were skipped, by device and seq; RequestSent is the heal request
	// last written for them; Heals counts the copies written of own
	// segments others asked for (heal.go).
	Holes       map[string]map[uint64]hole `json:"holes,omitempty"`
	RequestSent string                     `json:"request_sent,omitempty"`
	Heals       map[uint64]int             `json:"heals,omitempty"`
	// DriftSeen is the highest remote stamp already checked against the
	// clock, so a change is warned about once; Ahead the devices whose
	// newest changes were ahead of this clock, in ms; CursorAt the wall
	// time (Unix ms) in the cursor file last published (clock.go).
	DriftSeen model.HLC        `json:"drift_seen,omitempty"`
	Ahead     map[string]int64 `json:"ahead,omitempty"`
	CursorAt  int64            `json:"cursor_at,omitempty"`
	// LastSweep is when this device last removed its stale temporary
	// upload files (UTC).
	LastSweep time.Time `json:"last_sweep,omitzero"`
}

// keptSnapshot is one of this device's snapshots on the target.
type keptSnapshot struct {
	Name   string            `json:"name"`
	Vector map[string]uint64 `json:"vector"`
}

// snapVector is the vector of the oldest snapshot this device keeps: a
// new device may start from any of them (an older one when the newest is
// damaged), so pruning must leave what the oldest does not cover.
func (st *state) snapVector() map[string]uint64 {
	if len(st.Snaps) == 0 {
		return nil
	}
	return st.Snaps[0].Vector
}

// adopt moves the state to device me when the database's ID changed (a
// restored backup): the old identity's segments are now another device's,
// read from where the backup had written them, so whatever the old
// identity sent after the backup comes back; the new identity's segments
// start afresh. It reports whether anything changed.
func (st *state) adopt(me string) bool {
	switch st.Device {
	case me:
		return false
	case "":
		st.Device = me // a state from before IDs were recorded
		return true
	}
	old := st.Device
	st.Read[old] = max(st.Read[old], st.Last)
	delete(st.Read, me)
	st.Last, st.Device = 0, me
	return true
}

func loadState(s StateStore) (*state, error) {
	data, err := s.Load()
	if err != nil {
		return nil, err
	}
	st := &state{}
	if len(data) > 0 {
		if err := json.Unmarshal(data, st); err != nil {
			return nil, model.WrapError(model.EINTERNAL, &damagedError{err}, "sync state is damaged")
		}
	}
	if st.Read == nil {
		st.Read = map[string]uint64{}
	}
	return st, nil
}

// damagedError is a sync state that cannot be read; setting sync up
// again (SaveConfig) replaces it.
type damagedError struct{ err error }

func (e *damagedError) Error() string { return e.err.Error() }
func (e *damagedError) Unwrap() error { return e.err }

// IsDamaged reports whether err says the stored sync state cannot be read.
func IsDamaged(err error) bool {
	var d *damagedError
	return errors.As(err, &d)
}

func (st *state) save(s StateStore) error {
	data, err := json.Marshal(st)
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "encode sync state")
	}
	return s.Save(data)
}

// StateKV is what a database offers to keep the sync state in; storage's
// *DB has these methods.
type StateKV interface {
	SyncState() ([]byte, error)
	SaveSyncState(state []byte) error
}

// DBStateStore keeps the sync state in the database, so it is part of
// every backup and a restored database resumes from its own cursors.
func DBStateStore(db StateKV) StateStore { return dbState{db} }

type dbState struct{ db StateKV }

func (d dbState) Load() ([]byte, error)   { return d.db.SyncState() }
func (d dbState) Save(state []byte) error { return d.db.SaveSyncState(state) }
