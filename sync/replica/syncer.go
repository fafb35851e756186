package replica

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// Defaults for how the log is read and cut into segments.
const (
	// logBatch is how many local ops one ChangeLog.Ops call reads.
	logBatch = 5000
	// segmentOps is how many own ops a segment holds at least before it is
	// closed (at the end of a log batch), unless the log ends first. Ten
	// thousand ops make segments of a few hundred KB: few files for a
	// file-sync service, one ApplyOps transaction each.
	segmentOps = 10000
)

// Syncer exchanges this device's change log with a target. Create one per
// target with NewSyncer; it is safe for concurrent use, but only one Sync
// or Status runs at a time.
type Syncer struct {
	log     model.ChangeLog
	backups model.BackupService
	target  Target
	key     *Key
	store   StateStore
	now     func() time.Time

	batch, segOps int // log batch and segment size; tests make them small
	applyOps      int // ops of consecutive segments applied together, see pull
	snapEvery     int // ops pushed or applied between own snapshots; 0 never
	// backupEvery is the least time between two backups before remote
	// changes: automatic sync runs every few minutes, and a backup copies
	// the whole database file.
	backupEvery time.Duration
	backupDue   bool // this sync takes a backup before its first remote change

	clock   clockWatch            // what this sync learns about clocks (clock.go)
	cursors map[string]cursorFile // cursor files read in this sync

	mu sync.Mutex
}

// NewSyncer returns a Syncer that pushes log's own ops to t and applies
// other devices' ops from t, encrypted with key (from Join or
// InitWithKDF), remembering its progress in state. backups is asked for a
// snapshot before the first remote change of each sync is applied.
func NewSyncer(log model.ChangeLog, backups model.BackupService, t Target, key *Key, state StateStore) *Syncer {
	return &Syncer{log: log, backups: backups, target: t, key: key, store: state, now: time.Now,
		batch: logBatch, segOps: segmentOps, applyOps: applyOps, snapEvery: snapshotEvery, backupEvery: time.Hour}
}

// Phase names the step a sync is in.
type Phase string

// The phases of a sync, in order.
const (
	PhasePush Phase = "push" // writing own segments
	PhasePull Phase = "pull" // reading and applying other devices' segments
)

// Progress is reported during Sync. Done and Total count own ops pushed
// in PhasePush and segments read in PhasePull.
type Progress struct {
	Phase  Phase
	Device string // the device whose segment was just read, in PhasePull
	Done   int
	Total  int // 0 when not known yet
}

// Problem is a file on the target that was rejected.
type Problem struct {
	Name string // target name of the file
	Err  error  // why, an EINVALID model.Error
}

// Report tells what one Sync did.
type Report struct {
	Pushed    int // own ops written to the target
	Segments  int // own segments written
	Received  int // remote ops read
	Applied   int // remote ops that changed a field
	Ignored   int // remote ops already known or older than ours
	Conflicts int // concurrent edits whose loser was kept for review
	// Drift is the largest amount a remote change not seen before was
	// ahead of this device's clock, DriftDevice the device that made it;
	// warn above model.MaxDrift.
	Drift       time.Duration
	DriftDevice string
	// ClockOff is how far this device's own clock seems to be off
	// against the other devices' (positive: ahead, negative: behind); 0
	// when it agrees within model.MaxDrift or nobody can tell yet.
	ClockOff time.Duration
	Backup   *model.BackupInfo // taken before the first remote change was applied; nil if none
	Snapshot string            // the snapshot a joining device started from, "" if none
	// Waiting lists devices with segments that cannot be read yet because
	// an earlier one is missing (a file-sync service still copying).
	Waiting  []string
	Problems []Problem // rejected files that stop their device until they are replaced
	// Skipped lists other devices' segments that could not be opened
	// (damaged, truncated, foreign): the device's later segments were
	// applied anyway and its writer was asked to send them again.
	Skipped []Problem
	// Repaired counts segments skipped earlier that arrived again and
	// were applied.
	Repaired int
	// Resent lists this device's segments that another device could not
	// open and that were written again from the change log.
	Resent []string
	// TempRemoved counts this device's temporary upload files, left by
	// uploads cut short, that were removed.
	TempRemoved int
}

// DriftWarning reports whether a remote clock ran so far ahead that the
// user should check the clocks. Sync goes on regardless.
func (r Report) DriftWarning() bool { return r.Drift > model.MaxDrift }

// ClockWarning reports whether this device's own clock seems wrong.
func (r Report) ClockWarning() bool { return r.ClockOff != 0 }

// Sync pushes this device's new ops as the next segment(s), then reads
// the other devices' new segments and applies them, saving its progress
// after each segment. It may be interrupted at any point (cancelled ctx,
// lost connection, crash) and called again: nothing is lost and nothing is
// applied or written twice in a way that matters, because segment names
// come from the local log, existing own segments are recognized, and
// applying ops is idempotent.
//
// Rejected files (damaged, truncated, foreign) are listed in the report
// and change nothing; Sync then returns an EINVALID error after finishing
// everything else. It returns ENOTFOUND if the target is not set up,
// EINVALID if the key does not fit the target or the target format is
// newer, ECONFLICT if a sync is already running or this device's segments
// on the target disagree with its log (a database restored from an old
// backup), and the target's or storage's error otherwise.
func (s *Syncer) Sync(ctx context.Context, progress func(Progress)) (Report, error) {
	var rep Report
	if !s.mu.TryLock() {
		return rep, model.Errorf(model.ECONFLICT, "a sync is already running")
	}
	defer s.mu.Unlock()
	if progress == nil {
		progress = func(Progress) {}
	}
	me := s.log.DeviceID()
	if !validDevice(me) {
		return rep, model.Errorf(model.EINTERNAL, "device id %q cannot name a segment directory", me)
	}
	st, err := s.open(ctx)
	if err != nil {
		return rep, err
	}
	if err := s.sendFormer(ctx, me, st, &rep); err != nil {
		return rep, err
	}
	if st.adopt(me) {
		if err := st.save(s.store); err != nil {
			return rep, err
		}
	}
	s.clock = clockWatch{seen: st.DriftSeen, ahead: map[string]time.Duration{}}
	s.cursors = map[string]cursorFile{}
	s.backupDue = st.LastBackup.IsZero() || s.now().Sub(st.LastBackup) >= s.backupEvery || s.now().Before(st.LastBackup)
	if err := s.push(ctx, me, st, &rep, progress); err != nil {
		return rep, err
	}
	listed, err := s.pull(ctx, me, st, &rep, progress)
	if err != nil {
		return rep, err
	}
	if err := s.heal(ctx, me, st, &rep, listed); err != nil {
		return rep, err
	}
	if err := s.sendRequests(ctx, me, st); err != nil {
		return rep, err
	}
	s.noteClocks(st)
	if err := s.checkOwnClock(ctx, me, &rep); err != nil {
		return rep, err
	}
	// A snapshot claims every segment up to the cursors: not while any is
	// a hole.
	if s.snapEvery > 0 && st.SinceSnapshot >= s.snapEvery && len(rep.Problems) == 0 && len(rep.Waiting) == 0 && len(st.Holes) == 0 {
		if err := s.writeSnapshot(ctx, me, st); err != nil {
			return rep, err
		}
	}
	if len(rep.Problems) == 0 {
		if err := s.publishCursor(ctx, me, st); err != nil {
			return rep, err
		}
		if err := s.prune(ctx, me, st); err != nil {
			return rep, err
		}
	}
	if err := s.removeStale(ctx, me, st, &rep); err != nil {
		return rep, err
	}
	st.LastSync = s.now().UTC()
	if rep.Backup != nil {
		st.LastBackup = st.LastSync
	}
	if err := st.save(s.store); err != nil {
		return rep, err
	}
	if len(rep.Problems) > 0 {
		var names []string
		for _, p := range rep.Problems {
			names = append(names, p.Name+": "+model.ErrorMessage(p.Err))
		}
		return rep, model.Errorf(model.EINVALID, "%d file(s) on the sync target were rejected: %s",
			len(rep.Problems), strings.Join(names, "; "))
	}
	return rep, nil
}

// open checks the target and the key and loads the state for this target.
func (s *Syncer) open(ctx context.Context) (*state, error) {
	d, err := readDescription(ctx, s.target)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(d.KeyCheck, s.key.check[:]) {
		return nil, model.Errorf(model.EINVALID, "the sync target was set up with another passphrase; join it again")
	}
	st, err := loadState(s.store)
	if err != nil {
		return nil, err
	}
	if st.Target != d.ID {
		*st = state{Target: d.ID, Read: map[string]uint64{}, Config: st.Config}
	}
	return st, nil
}

// ownOps returns the ops of device me with local sequence numbers in
// (from, to], and the sequence number it read up to (from when there are
// none).
func (s *Syncer) ownOps(me string, from, to uint64) ([]model.Op, uint64, error) {
	var own []model.Op
	after := from
	for after < to {
		ops, last, err := s.log.Ops(after, s.batch)
		if err != nil {
			return nil, 0, err
		}
		if len(ops) == 0 {
			break
		}
		if last > to {
			// The batch ran past to. Ops does not return per-op numbers, so
			// read this stretch one op at a time; it happens only when
			// recovering an interrupted push.
			ops, last, err = s.log.Ops(after, 1)
			if err != nil {
				return nil, 0, err
			}
			if last > to {
				break
			}
		}
		for i := range ops {
			if ops[i].Device == me {
				own = append(own, ops[i])
			}
		}
		after = last
	}
	return own, after, nil
}

// push writes own ops not yet on the target.
func (s *Syncer) push(ctx context.Context, me string, st *state, rep *Report, progress func(Progress)) error {
	if err := s.recover(ctx, me, st); err != nil {
		return err
	}
	var own []model.Op
	after := st.Scanned
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ops, last, err := s.log.Ops(after, s.batch)
		if err != nil {
			return err
		}
		for i := range ops {
			if ops[i].Device == me {
				own = append(own, ops[i])
			}
		}
		end := len(ops) == 0
		if !end {
			after = last
		}
		if len(own) > 0 && (len(own) >= s.segOps || end) {
			if err := s.putSegment(ctx, me, st.Last, after, own); err != nil {
				return err
			}
			st.Last, st.Scanned = after, after
			st.SinceSnapshot += len(own)
			if err := st.save(s.store); err != nil {
				return err
			}
			rep.Pushed += len(own)
			rep.Segments++
			progress(Progress{Phase: PhasePush, Done: rep.Pushed})
			own = own[:0]
		}
		if end {
			break
		}
	}
	if len(own) == 0 && after > st.Scanned {
		// Only other devices' ops since the last segment: skip them next time.
		st.Scanned = after
		return st.save(s.store)
	}
	return nil
}

func (s *Syncer) putSegment(ctx context.Context, me string, prev, seq uint64, ops []model.Op) error {
	data, err := sealSegment(s.key, segmentHeader{Device: me, Seq: seq, Prev: prev}, ops)
	if err != nil {
		return err
	}
	return s.target.Put(ctx, segmentName(me, seq), data)
}

// recover handles own segments on the target that the state does not know
// about: a push that was interrupted after the file was written but before
// the state was saved. A readable segment whose ops equal the local log's
// ops in its range is adopted; an unreadable one (a partial upload) is
// written again with the same ops. Any other difference means the local
// log and the target disagree, and syncing would lose or duplicate data.
func (s *Syncer) recover(ctx context.Context, me string, st *state) error {
	names, err := s.target.List(ctx, devicesDir+"/"+me)
	if err != nil {
		return err
	}
	for _, seq := range newSeqs(names, st.Last) {
		name := segmentName(me, seq)
		data, err := s.target.Get(ctx, name)
		if err != nil {
			return err
		}
		h, got, err := openSegment(s.key, data)
		if err != nil {
			// Unreadable: a partial upload. Write it again with the same ops.
			want, _, err := s.ownOps(me, st.Last, seq)
			if err != nil {
				return err
			}
			if len(want) == 0 {
				return diverged(name)
			}
			if err := s.putSegment(ctx, me, st.Last, seq, want); err != nil {
				return err
			}
		} else {
			// A write that reached the target although the writer heard an
			// error may have been followed by a longer segment from the same
			// start; readers apply both, ops are idempotent. Prev above Last
			// would mean a segment of ours went missing.
			if h.Device != me || h.Seq != seq || h.Prev > st.Last {
				return diverged(name)
			}
			want, _, err := s.ownOps(me, h.Prev, seq)
			if err != nil {
				return err
			}
			if !equalOps(got, want) {
				return diverged(name)
			}
		}
		st.Last = seq
		st.Scanned = max(st.Scanned, seq)
		if err := st.save(s.store); err != nil {
			return err
		}
	}
	return nil
}

func diverged(name string) error {
	return model.Errorf(model.ECONFLICT,
		"this device's data on the sync target (%s) does not match its database; was the database restored from a backup? Sync is stopped so nothing is lost", name)
}

// newSeqs returns the segment seqs among names greater than after, ascending.
func newSeqs(names []string, after uint64) []uint64 {
	var seqs []uint64
	for _, n := range names {
		if seq, ok := parseSeq(n); ok && seq > after {
			seqs = append(seqs, seq)
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	return seqs
}

func equalOps(a, b []model.Op) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Type != y.Type || x.ID != y.ID || x.Field != y.Field || x.HLC != y.HLC || x.Device != y.Device ||
			x.Author != y.Author || x.Prev != y.Prev || !bytes.Equal(x.Value, y.Value) {
			return false
		}
	}
	return true
}

// apply merges remote ops into the log, after a backup the first time in
// a sync, so a bad merge can be undone from the backup list.
func (s *Syncer) apply(ops []model.Op, rep *Report) error {
	if len(ops) == 0 {
		return nil
	}
	if s.backupDue && rep.Backup == nil {
		info, err := s.backups.Backup("sync")
		if err != nil {
			return fmt.Errorf("backup before sync: %w", err)
		}
		rep.Backup = &info
	}
	res, err := s.log.ApplyOps(ops)
	if err != nil {
		return err
	}
	rep.Received += len(ops)
	rep.Applied += res.Applied
	rep.Ignored += res.Ignored
	rep.Conflicts += res.Conflicts
	s.observe(ops, rep)
	return nil
}
