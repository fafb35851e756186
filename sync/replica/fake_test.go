package replica

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// fakeLog is an in-memory model.ChangeLog and model.BackupService with the
// merge rule storage implements: per field the highest stamp wins, ops are
// logged once, concurrent losers become conflicts. It lets the Syncer be
// tested without bbolt; the same property tests also run on storage.
type fakeLog struct {
	mu        sync.Mutex
	device    string
	clock     *model.Clock
	now       func() time.Time
	log       []model.Op // local log; the sequence number of log[i] is i+1
	seen      map[opKey]bool
	fields    map[fieldKey]fieldVal
	conflicts []model.Conflict
	backups   int
	applies   int // ApplyOps calls
}

type fieldKey struct {
	Type  model.RecordType
	ID    model.ID
	Field string
}

type fieldVal struct {
	Value json.RawMessage
	Stamp model.Stamp
}

type opKey struct {
	fieldKey
	Stamp model.Stamp
}

func newFakeLog(device string, now func() time.Time) *fakeLog {
	return &fakeLog{device: device, clock: model.NewClock(now), now: now,
		seen: map[opKey]bool{}, fields: map[fieldKey]fieldVal{}}
}

func (f *fakeLog) DeviceID() string { return f.device }

func (f *fakeLog) Ops(after uint64, limit int) ([]model.Op, uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if after >= uint64(len(f.log)) {
		return nil, after, nil
	}
	end := len(f.log)
	if limit > 0 {
		end = min(end, int(after)+limit)
	}
	return append([]model.Op(nil), f.log[after:end]...), uint64(end), nil
}

func (f *fakeLog) ApplyOps(ops []model.Op) (model.ApplyResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applies++
	var res model.ApplyResult
	for _, op := range ops {
		if op.Device == "" || op.HLC == 0 || op.ID == model.NilID || !json.Valid(op.Value) {
			return res, model.Errorf(model.EINVALID, "bad op")
		}
	}
	for _, op := range ops {
		res.Drift = max(res.Drift, f.clock.Observe(op.HLC))
		fk := fieldKey{op.Type, op.ID, op.Field}
		k := opKey{fk, op.Stamp()}
		if f.seen[k] {
			res.Ignored++
			continue
		}
		f.seen[k] = true
		f.log = append(f.log, op)
		cur, ok := f.fields[fk]
		switch {
		case !ok || op.Stamp().After(cur.Stamp):
			if ok && op.Prev != cur.Stamp.HLC {
				f.conflict(fk, op.Value, op.Stamp(), cur.Value, cur.Stamp)
				res.Conflicts++
			}
			f.fields[fk] = fieldVal{op.Value, op.Stamp()}
			res.Applied++
		default:
			if op.HLC != cur.Stamp.HLC && cur.Stamp.HLC != 0 {
				f.conflict(fk, cur.Value, cur.Stamp, op.Value, op.Stamp())
				res.Conflicts++
			}
			res.Ignored++
		}
	}
	return res, nil
}

func (f *fakeLog) conflict(k fieldKey, kept json.RawMessage, ks model.Stamp, lost json.RawMessage, ls model.Stamp) {
	f.conflicts = append(f.conflicts, model.Conflict{Type: k.Type, ID: k.ID, Field: k.Field,
		Kept: kept, KeptStamp: ks, Lost: lost, LostStamp: ls, Seen: f.now().UTC()})
}

func (f *fakeLog) Conflicts() ([]model.Conflict, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]model.Conflict(nil), f.conflicts...), nil
}

func (f *fakeLog) DismissConflict(c model.Conflict) error { return nil }

func (f *fakeLog) Backup(reason string) (model.BackupInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.backups++
	return model.BackupInfo{Path: fmt.Sprintf("backup-%d", f.backups), Created: f.now(), Reason: reason}, nil
}

func (f *fakeLog) Backups() ([]model.BackupInfo, error) { return nil, nil }

// set records a local change of one field, as storage does on a user edit.
func (f *fakeLog) set(t model.RecordType, id model.ID, field string, value any) {
	v, err := json.Marshal(value)
	if err != nil {
		panic(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fk := fieldKey{t, id, field}
	at := f.clock.Now()
	if prev := f.fields[fk].Stamp.HLC; prev >= at {
		at = prev + 1 // as storage: after a value stamped beyond model.MaxAdopt
	}
	op := model.Op{Type: t, ID: id, Field: field, Value: v, HLC: at, Device: f.device,
		Author: "user-" + f.device[:4], Prev: f.fields[fk].Stamp.HLC}
	f.seen[opKey{fk, op.Stamp()}] = true
	f.log = append(f.log, op)
	f.fields[fk] = fieldVal{v, op.Stamp()}
}

// live returns the IDs of live records of type t, sorted.
func (f *fakeLog) live(t model.RecordType) []model.ID {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []model.ID
	for k := range f.fields {
		if k.Type == t && k.Field == model.FieldCreated {
			if d, ok := f.fields[fieldKey{t, k.ID, model.FieldDeleted}]; ok && string(d.Value) == "true" {
				continue
			}
			ids = append(ids, k.ID)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].String() < ids[j].String() })
	return ids
}

// dump is a canonical text of every field with its value and stamp.
func (f *fakeLog) dump() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	lines := make([]string, 0, len(f.fields))
	for k, v := range f.fields {
		lines = append(lines, fmt.Sprintf("%s %s %s=%s @%d/%s", k.Type, k.ID, k.Field, v.Value, v.Stamp.HLC, v.Stamp.Device))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
