package replica

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// Pruning: snapshots bound the history a joining device reads, and with
// cursor files they also bound what the target keeps.
//
// Every device publishes, after each sync, a small sealed cursor file
// (cursors/<device>): how far it has applied every other device, and the
// vector of its newest snapshot. A device deletes its own segments up to
// the lowest of those numbers for itself: every device it knows of has
// applied them, and the snapshots a new device would start from cover
// them. A device it knows of without a readable cursor file (one running
// an older version, or one that never finished a sync) stops pruning, and
// so does a snapshot whose vector no cursor file states. Each device keeps
// only its newest snapshot.
//
// Should a device still find a gap (a database restored from an old backup
// reads from older cursors), it catches up from a snapshot that covers the
// gap (catchUp), which is always correct: a snapshot holds the winning op of
// every field up to its vector.
const (
	cursorsDir  = "cursors"
	cursorMagic = "KKCU"
)

func init() { fileKind[cursorMagic] = "cursor file" }

// cursorFile is what a device tells the others about its progress.
type cursorFile struct {
	Read map[string]uint64 `json:"read"`           // last applied segment of every other device
	Snap map[string]uint64 `json:"snap,omitempty"` // vector of its newest snapshot on the target
	// At is the writer's wall time when it wrote the file (Unix ms);
	// Ahead the devices whose changes it saw ahead of its clock, in ms.
	At    int64            `json:"at,omitempty"`
	Ahead map[string]int64 `json:"ahead,omitempty"`
}

// publishCursor writes this device's cursor file when it changed.
func (s *Syncer) publishCursor(ctx context.Context, me string, st *state) error {
	read := make(map[string]uint64, len(st.Read))
	for d := range st.Read {
		read[d] = st.holeFloor(d)
	}
	c := cursorFile{Read: read, Snap: st.snapVector(), Ahead: st.Ahead}
	same, err := json.Marshal(c)
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "encode cursor file")
	}
	now := s.now()
	if string(same) == st.CursorSent && now.Sub(time.UnixMilli(st.CursorAt)).Abs() < cursorRefresh {
		return nil
	}
	c.At = now.UnixMilli()
	body, err := json.Marshal(c)
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "encode cursor file")
	}
	data, err := sealFile(s.key, cursorMagic, segmentHeader{Device: me, Seq: max(st.Last, 1)}, body)
	if err != nil {
		return err
	}
	if err := s.target.Put(ctx, cursorsDir+"/"+me, data); err != nil {
		return err
	}
	st.CursorSent, st.CursorAt = string(same), c.At
	return st.save(s.store)
}

// readCursor returns device d's cursor file; ok is false when it has none
// or it cannot be read.
func (s *Syncer) readCursor(ctx context.Context, d string) (c cursorFile, ok bool, err error) {
	if c, ok := s.cursors[d]; ok {
		return c, true, nil
	}
	data, err := s.target.Get(ctx, cursorsDir+"/"+d)
	if model.ErrorCode(err) == model.ENOTFOUND {
		return c, false, nil
	} else if err != nil {
		return c, false, err
	}
	h, body, err := openFile(s.key, cursorMagic, data)
	if err != nil || h.Device != d || json.Unmarshal(body, &c) != nil {
		return c, false, nil
	}
	if s.cursors != nil {
		s.cursors[d] = c
	}
	return c, true, nil
}

// pruneFloor returns the highest seq of this device's segments that no
// device still needs, 0 when it cannot tell.
func (s *Syncer) pruneFloor(ctx context.Context, me string, st *state) (uint64, error) {
	known := map[string]bool{}
	devs, err := s.target.List(ctx, devicesDir)
	if err != nil {
		return 0, err
	}
	curs, err := s.target.List(ctx, cursorsDir)
	if err != nil {
		return 0, err
	}
	snaps, err := s.target.List(ctx, snapshotsDir)
	if err != nil {
		return 0, err
	}
	writers := map[string]bool{}
	for _, n := range snaps {
		if w, ok := parseSnapshotName(n); ok {
			writers[w] = true
		}
	}
	for _, list := range [][]string{devs, curs} {
		for _, d := range list {
			if validDevice(d) {
				known[d] = true
			}
		}
	}
	for w := range writers {
		known[w] = true
	}
	delete(known, me)
	floor := st.Last
	covered := false // some snapshot covers our segments up to floor
	if v := st.snapVector(); v != nil {
		floor, covered = min(floor, v[me]), true
	} else if writers[me] {
		return 0, nil // a snapshot of ours whose vector we no longer know
	}
	for d := range known {
		c, ok, err := s.readCursor(ctx, d)
		if err != nil || !ok {
			return 0, err
		}
		floor = min(floor, c.Read[me])
		if c.Snap != nil {
			floor, covered = min(floor, c.Snap[me]), true
		} else if writers[d] {
			return 0, nil
		}
	}
	if !covered {
		return 0, nil
	}
	return floor, nil
}

// prune deletes this device's segments no device needs any more.
func (s *Syncer) prune(ctx context.Context, me string, st *state) error {
	floor, err := s.pruneFloor(ctx, me, st)
	if err != nil || floor <= st.Pruned {
		return err
	}
	names, err := s.target.List(ctx, devicesDir+"/"+me)
	if err != nil {
		return err
	}
	for _, n := range names {
		seq, ok := parseSeq(n)
		if !ok {
			seq, _, ok = parseHeal(n)
		}
		if ok && seq <= floor {
			if err := s.target.Delete(ctx, devicesDir+"/"+me+"/"+n); err != nil {
				return err
			}
		}
	}
	for seq := range st.Heals {
		if seq <= floor {
			delete(st.Heals, seq)
		}
	}
	st.Pruned = floor
	return st.save(s.store)
}

// keepSnapshots is how many of its own snapshots a device keeps: the
// newest, and one to fall back to should it be damaged.
const keepSnapshots = 2

// dropOldSnapshots deletes this device's snapshots other than keep.
func (s *Syncer) dropOldSnapshots(ctx context.Context, me string, keep []keptSnapshot) error {
	names, err := s.target.List(ctx, snapshotsDir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if w, ok := parseSnapshotName(n); ok && w == me && !slices.ContainsFunc(keep, func(k keptSnapshot) bool { return k.Name == snapshotsDir+"/"+n }) {
			if err := s.target.Delete(ctx, snapshotsDir+"/"+n); err != nil {
				return err
			}
		}
	}
	return nil
}

// catchUp applies a snapshot whose vector covers device d up to need, when
// d's segments up to there are gone from the target, and moves the cursors
// to the snapshot's vector. It reports whether it found one.
func (s *Syncer) catchUp(ctx context.Context, me string, st *state, rep *Report, d string, need uint64) (bool, error) {
	names, err := s.target.List(ctx, snapshotsDir)
	if err != nil {
		return false, err
	}
	for i := len(names) - 1; i >= 0; i-- {
		if _, ok := parseSnapshotName(names[i]); !ok {
			continue
		}
		name := snapshotsDir + "/" + names[i]
		data, err := s.target.Get(ctx, name)
		if model.ErrorCode(err) == model.ENOTFOUND {
			continue // replaced by a newer one meanwhile
		} else if err != nil {
			return false, err
		}
		_, vector, ops, err := openSnapshot(s.key, data)
		if err != nil || vector[d] < need {
			continue
		}
		if err := s.apply(ops, rep); err != nil {
			if model.ErrorCode(err) == model.EINVALID {
				continue
			}
			return false, err
		}
		for x, seq := range vector {
			if x != me && seq > st.Read[x] {
				st.Read[x] = seq
			}
		}
		rep.Snapshot = strings.TrimPrefix(name, snapshotsDir+"/")
		return true, st.save(s.store)
	}
	return false, nil
}

// gapIsPruned reports whether device d's segments up to its cursor are all
// gone from the listing, which is what pruning leaves; a file-sync service
// still copying leaves older files in place.
func gapIsPruned(names []string, read uint64) bool {
	return !slices.ContainsFunc(names, func(n string) bool {
		seq, ok := parseSeq(n)
		return ok && seq <= read
	})
}

// staleAfter is how old a temporary upload file must be before the device
// that left it removes it: no upload takes that long, so it was cut short.
const staleAfter = time.Hour

// removeStale deletes this device's temporary upload files older than
// staleAfter, at most once per staleAfter: a connection lost between the
// upload and the rename leaves one behind on a WebDAV server for good.
func (s *Syncer) removeStale(ctx context.Context, me string, st *state, rep *Report) error {
	now := s.now()
	if d := now.Sub(st.LastSweep); d >= 0 && d < staleAfter {
		return nil
	}
	for _, w := range []struct{ dir, mark string }{{devicesDir + "/" + me, ""}, {cursorsDir, me}, {snapshotsDir, me}} {
		n, err := s.target.RemoveStale(ctx, w.dir, w.mark, staleAfter)
		rep.TempRemoved += n
		if err != nil {
			return err
		}
	}
	st.LastSweep = now.UTC()
	return nil
}
