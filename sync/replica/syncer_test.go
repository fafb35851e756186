package replica

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// world is a folder target with a team key and a fixed clock.
type world struct {
	tb   testing.TB
	dir  string
	tg   *FolderTarget
	key  *Key
	wall time.Time
	r    *rand.Rand
}

func newWorld(tb testing.TB) *world {
	tb.Helper()
	w := &world{tb: tb, dir: tb.TempDir(), wall: time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC), r: rand.New(rand.NewPCG(11, 12))}
	w.tg = NewFolderTarget(w.dir)
	k, err := InitWithKDF(context.Background(), w.tg, "correct horse battery", testKDF)
	if err != nil {
		tb.Fatal(err)
	}
	w.key = k
	return w
}

// peer is one device on the world's target.
type peer struct {
	log    *fakeLog
	syncer *Syncer
	state  string // state file
}

func (w *world) peer(name string, offset time.Duration, tg Target) *peer {
	now := func() time.Time { return w.wall.Add(offset) }
	log := newFakeLog(fmt.Sprintf("%s-0000-7000-8000-000000000000", name), now)
	if tg == nil {
		tg = w.tg
	}
	state := filepath.Join(w.tb.TempDir(), "state.json")
	s := NewSyncer(log, log, tg, w.key, NewFileStateStore(state))
	s.now = now
	return &peer{log: log, syncer: s, state: state}
}

// edit makes n customers with a note each.
func (p *peer) edit(w *world, n int) {
	for i := 0; i < n; i++ {
		fs := fakeSim{p.log}
		if err := fs.createCustomer(w.r); err != nil {
			w.tb.Fatal(err)
		}
		ids := p.log.live(model.TypeCustomer)
		if _, _, err := fs.addNote(w.r, ids[len(ids)-1]); err != nil {
			w.tb.Fatal(err)
		}
	}
}

func (p *peer) sync(tb testing.TB) Report {
	tb.Helper()
	rep, err := p.syncer.Sync(context.Background(), nil)
	if err != nil {
		tb.Fatalf("%s: sync: %v", p.log.device, err)
	}
	return rep
}

func (p *peer) ownOps() int {
	n := 0
	for _, op := range p.log.log {
		if op.Device == p.log.device {
			n++
		}
	}
	return n
}

// segmentsOf reads every segment of device on the target and checks they
// form one chain; it returns how many ops they hold in all.
func (w *world) segmentsOf(device string) (segments, ops int) {
	w.tb.Helper()
	ctx := context.Background()
	names, err := w.tg.List(ctx, devicesDir+"/"+device)
	if err != nil {
		w.tb.Fatal(err)
	}
	var prev uint64
	for _, seq := range newSeqs(names, 0) {
		data, err := w.tg.Get(ctx, segmentName(device, seq))
		if err != nil {
			w.tb.Fatal(err)
		}
		h, o, err := openSegment(w.key, data)
		if err != nil {
			w.tb.Fatalf("segment %d: %v", seq, err)
		}
		if h.Prev != prev {
			w.tb.Errorf("segment %d: got prev %d, want %d (a gap or a duplicate)", seq, h.Prev, prev)
		}
		prev = seq
		segments++
		ops += len(o)
	}
	return segments, ops
}

func TestSyncTwoDevices(t *testing.T) {
	w := newWorld(t)
	a, b := w.peer("aaaaaaaa", 0, nil), w.peer("bbbbbbbb", 0, nil)
	a.edit(w, 5)
	ra := a.sync(t)
	if ra.Pushed != a.ownOps() || ra.Segments != 1 || ra.Received != 0 || ra.Backup != nil {
		t.Errorf("first push: got %+v, want %d pushed in 1 segment, nothing received, no backup", ra, a.ownOps())
	}
	rb := b.sync(t)
	if rb.Received != a.ownOps() || rb.Applied != a.ownOps() || rb.Pushed != 0 {
		t.Errorf("first pull: got %+v, want %d received and applied", rb, a.ownOps())
	}
	if rb.Backup == nil || b.log.backups != 1 || rb.Backup.Reason != "sync" {
		t.Errorf("got %d backups (%v), want 1 with reason sync before applying", b.log.backups, rb.Backup)
	}
	b.edit(w, 3)
	rb = b.sync(t)
	if rb.Received != 0 || rb.Pushed != b.ownOps() || rb.Backup != nil {
		t.Errorf("b's push: got %+v, want %d pushed, nothing received, no backup", rb, b.ownOps())
	}
	ra = a.sync(t)
	if ra.Received != b.ownOps() {
		t.Errorf("a's pull: got %d received, want %d", ra.Received, b.ownOps())
	}
	if a.log.dump() != b.log.dump() {
		t.Error("devices differ after exchanging everything")
	}
	// Nothing new: a sync is a no-op that pushes and applies nothing.
	for _, p := range []*peer{a, b} {
		if rep := p.sync(t); rep.Pushed != 0 || rep.Received != 0 {
			t.Errorf("idle sync: got %+v, want nothing", rep)
		}
	}
	if _, n := w.segmentsOf(a.log.device); n != a.ownOps() {
		t.Errorf("a's segments hold %d ops, want %d", n, a.ownOps())
	}
}

func TestSyncSegmentSize(t *testing.T) {
	w := newWorld(t)
	a, b := w.peer("aaaaaaaa", 0, nil), w.peer("bbbbbbbb", 0, nil)
	a.syncer.batch, a.syncer.segOps = 4, 10
	a.edit(w, 20) // 7 ops each
	var calls []Progress
	rep, err := a.syncer.Sync(context.Background(), func(p Progress) { calls = append(calls, p) })
	if err != nil {
		t.Fatal(err)
	}
	segs, ops := w.segmentsOf(a.log.device)
	if segs != rep.Segments || segs < 10 || ops != a.ownOps() {
		t.Errorf("got %d segments (report %d) with %d ops, want ≥ 10 with %d", segs, rep.Segments, ops, a.ownOps())
	}
	if len(calls) != segs || calls[len(calls)-1].Done != a.ownOps() || calls[0].Phase != PhasePush {
		t.Errorf("got progress %+v, want one push call per segment ending at %d", calls, a.ownOps())
	}
	calls = nil
	b.syncer.applyOps = 1 // every segment on its own
	rep, err = b.syncer.Sync(context.Background(), func(p Progress) { calls = append(calls, p) })
	if err != nil || rep.Received != a.ownOps() {
		t.Fatalf("got %d received, %v, want %d", rep.Received, err, a.ownOps())
	}
	if len(calls) != segs || calls[segs-1].Done != segs || calls[segs-1].Total != segs || calls[0].Device != a.log.device {
		t.Errorf("got progress %+v, want %d pull calls", calls, segs)
	}
}

// TestSyncAppliesSegmentsTogether: consecutive segments are applied in
// batches of about applyOps ops, the cursor moves after each batch, and a
// segment storage does not understand stops its device there while the
// segments before it in the same batch still land.
func TestSyncAppliesSegmentsTogether(t *testing.T) {
	w := newWorld(t)
	a, b := w.peer("aaaaaaaa", 0, nil), w.peer("bbbbbbbb", 0, nil)
	a.syncer.batch, a.syncer.segOps = 4, 10
	a.edit(w, 20) // 7 ops each
	a.sync(t)
	segs, _ := w.segmentsOf(a.log.device)
	b.syncer.applyOps = 30 // three segments of 10 or more ops: a batch
	var calls []Progress
	rep, err := b.syncer.Sync(context.Background(), func(p Progress) { calls = append(calls, p) })
	if err != nil || rep.Received != a.ownOps() || b.log.applies != (segs+2)/3 {
		t.Fatalf("got %d received in %d ApplyOps calls, %v, want %d in %d", rep.Received, b.log.applies, err, a.ownOps(), (segs+2)/3)
	}
	if len(calls) != (segs+2)/3 || calls[len(calls)-1].Done != segs {
		t.Errorf("got progress %+v, want one call per batch ending at %d", calls, segs)
	}
	if a.log.dump() != b.log.dump() {
		t.Error("devices differ")
	}

	// The fifth segment is authentic, but one op in it is not understood.
	ctx := context.Background()
	c := w.peer("cccccccc", 0, nil)
	c.syncer.applyOps = 1000 // all segments in one batch
	names, _ := w.tg.List(ctx, devicesDir+"/"+a.log.device)
	file := filepath.Join(w.dir, devicesDir, a.log.device, names[4])
	good, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	h, ops, err := openSegment(w.key, good)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]model.Op(nil), ops...)
	bad[0].Value = []byte("{")
	spoiled, err := sealSegment(w.key, h, bad)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, spoiled, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err = c.syncer.Sync(ctx, nil)
	if model.ErrorCode(err) != model.EINVALID || len(rep.Problems) != 1 || rep.Problems[0].Name != segmentName(a.log.device, h.Seq) {
		t.Fatalf("got %v, problems %v, want EINVALID for %s", err, rep.Problems, segmentName(a.log.device, h.Seq))
	}
	before := 0
	for _, seq := range newSeqs(names, 0)[:4] {
		data, _ := w.tg.Get(ctx, segmentName(a.log.device, seq))
		_, o, _ := openSegment(w.key, data)
		before += len(o)
	}
	if rep.Received != before || len(c.log.log) != before {
		t.Errorf("got %d received, %d in the log, want the %d ops of the four segments before", rep.Received, len(c.log.log), before)
	}
	if err := os.WriteFile(file, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if rep := c.sync(t); rep.Received != a.ownOps()-before {
		t.Errorf("after repair: got %d received, want %d", rep.Received, a.ownOps()-before)
	}
	if a.log.dump() != c.log.dump() {
		t.Error("devices differ after repair")
	}
}

// TestSyncRejects drops damaged and foreign files into the target: each is
// skipped without an error and changes nothing, and the device applies it
// once a good copy appears.
func TestSyncRejects(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, w *world, data []byte) []byte
	}{
		{"flipped byte", func(t *testing.T, w *world, d []byte) []byte { d[len(d)/2] ^= 0x40; return d }},
		{"truncated", func(t *testing.T, w *world, d []byte) []byte { return d[:len(d)-1] }},
		{"empty", func(t *testing.T, w *world, d []byte) []byte { return nil }},
		{"foreign key", func(t *testing.T, w *world, d []byte) []byte {
			h, ops, err := openSegment(w.key, d)
			if err != nil {
				t.Fatal(err)
			}
			out, err := sealSegment(testKey(t, "someone else's team"), h, ops)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}},
		{"renamed", func(t *testing.T, w *world, d []byte) []byte {
			h, ops, err := openSegment(w.key, d)
			if err != nil {
				t.Fatal(err)
			}
			h.Seq++
			out, err := sealSegment(w.key, h, ops) // a valid segment under the wrong name
			if err != nil {
				t.Fatal(err)
			}
			return out
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			a, b := w.peer("aaaaaaaa", 0, nil), w.peer("bbbbbbbb", 0, nil)
			a.edit(w, 3)
			a.sync(t)
			names, _ := w.tg.List(context.Background(), devicesDir+"/"+a.log.device)
			file := filepath.Join(w.dir, devicesDir, a.log.device, names[0])
			good, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, tc.spoil(t, w, append([]byte(nil), good...)), 0o644); err != nil {
				t.Fatal(err)
			}
			before := b.log.dump()
			rep, err := b.syncer.Sync(context.Background(), nil)
			if err != nil || len(rep.Skipped) != 1 || model.ErrorCode(rep.Skipped[0].Err) != model.EINVALID {
				t.Fatalf("got %v, skipped %v, want no error and one EINVALID skipped", err, rep.Skipped)
			}
			if got := b.log.dump(); got != before || rep.Received != 0 || b.log.backups != 0 {
				t.Errorf("a rejected file changed the database (%d received, %d backups)", rep.Received, b.log.backups)
			}
			if err := os.WriteFile(file, good, 0o644); err != nil {
				t.Fatal(err)
			}
			if rep := b.sync(t); rep.Received != a.ownOps() || rep.Repaired != 1 {
				t.Errorf("after repair: got %d received, %d repaired, want %d and 1", rep.Received, rep.Repaired, a.ownOps())
			}
			if a.log.dump() != b.log.dump() {
				t.Error("devices differ after repair")
			}
		})
	}
}

// TestSyncIgnoresStrangers: files that file-sync services and operating
// systems leave behind are not segments and are not complained about.
func TestSyncIgnoresStrangers(t *testing.T) {
	w := newWorld(t)
	a, b := w.peer("aaaaaaaa", 0, nil), w.peer("bbbbbbbb", 0, nil)
	a.edit(w, 2)
	a.sync(t)
	ctx := context.Background()
	for _, n := range []string{"devices/desktop.ini", "devices/Thumbs.db", "devices/x y/00000000000000000001",
		"devices/" + a.log.device + "/00000000000000000009 (conflicted copy)", "devices/" + a.log.device + "/.DS_Store", "README.txt"} {
		if err := w.tg.Put(ctx, n, []byte("junk")); err != nil {
			t.Fatal(err)
		}
	}
	if rep := b.sync(t); rep.Received != a.ownOps() || len(rep.Problems) != 0 {
		t.Errorf("got %d received, problems %v, want %d and none", rep.Received, rep.Problems, a.ownOps())
	}
}

// TestSyncGap: a file-sync service delivers a device's second segment
// before its first. The reader waits and then reads both in order.
func TestSyncGap(t *testing.T) {
	w := newWorld(t)
	a, b := w.peer("aaaaaaaa", 0, nil), w.peer("bbbbbbbb", 0, nil)
	a.edit(w, 2)
	a.sync(t)
	a.edit(w, 2)
	a.sync(t)
	dir := filepath.Join(w.dir, devicesDir, a.log.device)
	names, _ := w.tg.List(context.Background(), devicesDir+"/"+a.log.device)
	if len(names) != 2 {
		t.Fatalf("got %d segments, want 2", len(names))
	}
	hidden := filepath.Join(t.TempDir(), "first")
	if err := os.Rename(filepath.Join(dir, names[0]), hidden); err != nil {
		t.Fatal(err)
	}
	rep := b.sync(t)
	if rep.Received != 0 || len(rep.Waiting) != 1 || rep.Waiting[0] != a.log.device {
		t.Errorf("with a gap: got %d received, waiting %v, want 0 and [%s]", rep.Received, rep.Waiting, a.log.device)
	}
	if err := os.Rename(hidden, filepath.Join(dir, names[0])); err != nil {
		t.Fatal(err)
	}
	if rep := b.sync(t); rep.Received != a.ownOps() || len(rep.Waiting) != 0 {
		t.Errorf("gap closed: got %d received, waiting %v, want %d", rep.Received, rep.Waiting, a.ownOps())
	}
}

// faultTarget fails the nth Put in the chosen way.
type faultTarget struct {
	Target
	n    int // Put calls left before the fault; the fault hits when it reaches 0
	mode string
}

func (f *faultTarget) Put(ctx context.Context, name string, data []byte) error {
	f.n--
	if f.n != 0 {
		return f.Target.Put(ctx, name, data)
	}
	switch f.mode {
	case "after": // the file arrived, the answer did not
		if err := f.Target.Put(ctx, name, data); err != nil {
			return err
		}
	case "partial": // a server without atomic uploads kept a prefix
		if err := f.Target.Put(ctx, name, data[:len(data)/2]); err != nil {
			return err
		}
	}
	return injected("put " + name)
}

// TestSyncInterruptedPush: a push that fails after, during or before the
// upload, followed by more local work, leaves no gap and no duplicate.
func TestSyncInterruptedPush(t *testing.T) {
	for _, mode := range []string{"before", "after", "partial"} {
		t.Run(mode, func(t *testing.T) {
			w := newWorld(t)
			ft := &faultTarget{Target: w.tg, n: 2, mode: mode}
			a, b := w.peer("aaaaaaaa", 0, ft), w.peer("bbbbbbbb", 0, nil)
			a.syncer.batch, a.syncer.segOps = 5, 5
			a.edit(w, 3)
			if _, err := a.syncer.Sync(context.Background(), nil); !errors.Is(err, errInjected) {
				t.Fatalf("got %v, want the injected fault", err)
			}
			if mode == "partial" {
				// Others skip the partial file and wait for the repair.
				if rep, err := b.syncer.Sync(context.Background(), nil); err != nil || len(rep.Skipped) != 1 {
					t.Errorf("reading a partial segment: got %v, skipped %v, want it skipped", err, rep.Skipped)
				}
			} else {
				b.sync(t)
			}
			a.edit(w, 2) // more work before the retry
			a.sync(t)
			if _, n := w.segmentsOf(a.log.device); n != a.ownOps() {
				t.Errorf("segments hold %d ops, want exactly %d", n, a.ownOps())
			}
			b.sync(t)
			if a.log.dump() != b.log.dump() {
				t.Error("devices differ after the retry")
			}
		})
	}
}

// TestSyncStateLost: the state was not saved after several segments were
// written (a crash); the next sync recognizes them instead of writing the
// ops again.
func TestSyncStateLost(t *testing.T) {
	w := newWorld(t)
	a := w.peer("aaaaaaaa", 0, nil)
	a.syncer.batch, a.syncer.segOps = 3, 3
	a.edit(w, 4)
	a.sync(t)
	if err := os.Remove(a.state); err != nil {
		t.Fatal(err)
	}
	a.edit(w, 1)
	rep := a.sync(t)
	if _, ops := w.segmentsOf(a.log.device); ops != a.ownOps() || rep.Pushed != 7 {
		t.Errorf("got %d ops in segments and %d pushed, want %d and 7", ops, rep.Pushed, a.ownOps())
	}
}

// TestSyncDiverged: a device whose database lost ops it had already pushed
// (restored from an old backup under the same device ID) must stop rather
// than write different ops under names others have read.
func TestSyncDiverged(t *testing.T) {
	w := newWorld(t)
	a := w.peer("aaaaaaaa", 0, nil)
	a.edit(w, 3)
	a.sync(t)
	restored := w.peer("aaaaaaaa", 0, nil) // same device, empty log and state
	restored.edit(w, 5)
	if _, err := restored.syncer.Sync(context.Background(), nil); model.ErrorCode(err) != model.ECONFLICT {
		t.Errorf("got code %q (%v), want %q", model.ErrorCode(err), err, model.ECONFLICT)
	}
}

func TestSyncCancelResume(t *testing.T) {
	w := newWorld(t)
	a, b := w.peer("aaaaaaaa", 0, nil), w.peer("bbbbbbbb", 0, nil)
	a.syncer.batch, a.syncer.segOps = 2, 2
	a.edit(w, 6)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := a.syncer.Sync(ctx, func(p Progress) { cancel() }); !errors.Is(err, context.Canceled) {
		t.Fatalf("push: got %v, want context.Canceled", err)
	}
	a.sync(t)
	b.syncer.applyOps = 1 // cancelled after the first segment
	ctx, cancel = context.WithCancel(context.Background())
	rep, err := b.syncer.Sync(ctx, func(p Progress) { cancel() })
	if !errors.Is(err, context.Canceled) || rep.Received == 0 || rep.Received == a.ownOps() {
		t.Fatalf("pull: got %d received, %v, want part and context.Canceled", rep.Received, err)
	}
	first := rep.Received
	rep = b.sync(t)
	if first+rep.Received != a.ownOps() {
		t.Errorf("got %d + %d received, want %d in all (no segment read twice)", first, rep.Received, a.ownOps())
	}
	if _, n := w.segmentsOf(a.log.device); n != a.ownOps() {
		t.Errorf("segments hold %d ops, want %d", n, a.ownOps())
	}
	if a.log.dump() != b.log.dump() {
		t.Error("devices differ")
	}
}

func TestSyncBusy(t *testing.T) {
	w := newWorld(t)
	a := w.peer("aaaaaaaa", 0, nil)
	a.edit(w, 1)
	var inner error
	_, err := a.syncer.Sync(context.Background(), func(Progress) {
		_, inner = a.syncer.Sync(context.Background(), nil)
	})
	if err != nil || model.ErrorCode(inner) != model.ECONFLICT {
		t.Errorf("got %v and inner %v, want nil and ECONFLICT", err, inner)
	}
}

func TestSyncDrift(t *testing.T) {
	w := newWorld(t)
	a, b := w.peer("aaaaaaaa", 2*time.Hour, nil), w.peer("bbbbbbbb", 0, nil)
	a.edit(w, 1)
	a.sync(t)
	rep := b.sync(t)
	if rep.Drift < 2*time.Hour-time.Second || rep.Drift > 2*time.Hour || !rep.DriftWarning() {
		t.Errorf("got drift %v (warning %v), want 2h and a warning", rep.Drift, rep.DriftWarning())
	}
	// b's next change orders after a's although b's clock is behind.
	b.edit(w, 1)
	last := b.log.log[len(b.log.log)-1]
	if last.HLC <= a.log.log[len(a.log.log)-1].HLC {
		t.Errorf("b's new op %v does not order after a's %v", last.HLC, a.log.log[len(a.log.log)-1].HLC)
	}
	small := w.peer("cccccccc", 0, nil)
	if rep := small.sync(t); rep.DriftWarning() != (rep.Drift > model.MaxDrift) {
		t.Error("DriftWarning disagrees with model.MaxDrift")
	}
}

func TestSyncTargetChecks(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	other := NewFolderTarget(t.TempDir())
	otherKey, err := InitWithKDF(ctx, other, "another team passphrase", testKDF)
	if err != nil {
		t.Fatal(err)
	}
	newer := NewFolderTarget(t.TempDir())
	if err := newer.Put(ctx, DescriptionName, []byte(`{"app":"kundenkartei-sync","format":99}`)); err != nil {
		t.Fatal(err)
	}
	log := newFakeLog("dddddddd-0000", time.Now)
	tests := []struct {
		name string
		tg   Target
		key  *Key
		want string
	}{
		{"key of another target", w.tg, otherKey, model.EINVALID},
		{"newer format", newer, w.key, model.EINVALID},
		{"not set up", NewFolderTarget(t.TempDir()), w.key, model.ENOTFOUND},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSyncer(log, log, tc.tg, tc.key, NewFileStateStore(filepath.Join(t.TempDir(), "s")))
			if _, err := s.Sync(ctx, nil); model.ErrorCode(err) != tc.want {
				t.Errorf("got code %q (%v), want %q", model.ErrorCode(err), err, tc.want)
			}
		})
	}
}

// TestSyncNewTarget: moving to another target pushes everything there,
// since the cursors of the old one mean nothing.
func TestSyncNewTarget(t *testing.T) {
	w := newWorld(t)
	a := w.peer("aaaaaaaa", 0, nil)
	a.edit(w, 2)
	a.sync(t)
	w2 := newWorld(t)
	w2.key = w.key // same passphrase is not required; same key keeps the test short
	if err := os.Remove(filepath.Join(w2.dir, DescriptionName)); err != nil {
		t.Fatal(err)
	}
	desc, _ := os.ReadFile(filepath.Join(w.dir, DescriptionName))
	desc = []byte(replaceID(t, desc))
	if err := os.WriteFile(filepath.Join(w2.dir, DescriptionName), desc, 0o644); err != nil {
		t.Fatal(err)
	}
	s := NewSyncer(a.log, a.log, w2.tg, w.key, NewFileStateStore(a.state))
	rep, err := s.Sync(context.Background(), nil)
	if err != nil || rep.Pushed != a.ownOps() {
		t.Errorf("got %d pushed, %v, want %d", rep.Pushed, err, a.ownOps())
	}
}

func TestStatus(t *testing.T) {
	w := newWorld(t)
	a, b := w.peer("aaaaaaaa", 0, nil), w.peer("bbbbbbbb", 0, nil)
	a.syncer.batch, a.syncer.segOps = 3, 3
	a.edit(w, 3)
	st, err := a.syncer.Status(context.Background())
	if err != nil || st.PendingOps != a.ownOps() || !st.LastSync.IsZero() || len(st.Devices) != 0 {
		t.Errorf("before push: got %+v, %v, want %d pending", st, err, a.ownOps())
	}
	a.sync(t)
	segs, _ := w.segmentsOf(a.log.device)
	st, err = a.syncer.Status(context.Background())
	if err != nil || st.PendingOps != 0 || !st.LastSync.Equal(w.wall) {
		t.Errorf("after push: got %+v, %v, want 0 pending, last sync %v", st, err, w.wall)
	}
	st, err = b.syncer.Status(context.Background())
	want := []DeviceStatus{{Device: a.log.device, Read: 0, Unread: segs}}
	if err != nil || len(st.Devices) != 1 || st.Devices[0] != want[0] {
		t.Errorf("b before pull: got %+v, %v, want %+v", st.Devices, err, want)
	}
	b.sync(t)
	st, err = b.syncer.Status(context.Background())
	want = []DeviceStatus{{Device: a.log.device, Read: segs, Unread: 0}}
	if err != nil || len(st.Devices) != 1 || st.Devices[0] != want[0] || st.PendingOps != 0 {
		t.Errorf("b after pull: got %+v, %v, want %+v and 0 pending", st, err, want)
	}
	// Offline: the local part is still there.
	gone := NewSyncer(b.log, b.log, NewFolderTarget(filepath.Join(t.TempDir(), "unplugged")), w.key, NewFileStateStore(b.state))
	st, err = gone.Status(context.Background())
	if err == nil || st.LastSync.IsZero() {
		t.Errorf("offline: got %+v, %v, want last sync and an error", st, err)
	}
}

// replaceID gives a copy of a target description a new target ID.
func replaceID(t *testing.T, desc []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(desc, &m); err != nil {
		t.Fatal(err)
	}
	m["id"] = "another-target"
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSnapshotJoin: a device joining late starts from the newest snapshot
// and reads only the segments after it.
func TestSnapshotJoin(t *testing.T) {
	w := newWorld(t)
	a := w.peer("aaaaaaaa", 0, nil)
	a.syncer.snapEvery = 10
	a.edit(w, 5)
	ids := a.log.live(model.TypeCustomer)
	for i := 0; i < 30; i++ { // the same field over and over: compaction keeps one
		a.log.set(model.TypeCustomer, ids[0], "memo", fmt.Sprint("Stand ", i))
	}
	a.sync(t)
	names, err := w.tg.List(context.Background(), snapshotsDir)
	if err != nil || len(names) != 1 {
		t.Fatalf("got snapshots %v, %v, want one", names, err)
	}
	b := w.peer("bbbbbbbb", 0, nil)
	rep := b.sync(t)
	if rep.Snapshot != names[0] || rep.Received != a.ownOps()-29 {
		t.Errorf("join: got snapshot %q and %d received, want %q and %d", rep.Snapshot, rep.Received, names[0], a.ownOps()-29)
	}
	if a.log.dump() != b.log.dump() {
		t.Error("devices differ after joining from a snapshot")
	}
	a.edit(w, 2)
	a.sync(t)
	if rep := b.sync(t); rep.Received != 14 || rep.Snapshot != "" {
		t.Errorf("after join: got %d received (snapshot %q), want the 14 new ops only", rep.Received, rep.Snapshot)
	}
	// A damaged snapshot is reported and skipped; an older one serves.
	names, err = w.tg.List(context.Background(), snapshotsDir)
	if err != nil || len(names) != 2 {
		t.Fatalf("got snapshots %v, %v, want two", names, err)
	}
	file := filepath.Join(w.dir, snapshotsDir, names[1])
	if err := os.WriteFile(file, []byte("KKSN garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := w.peer("cccccccc", 0, nil)
	rep, err = c.syncer.Sync(context.Background(), nil)
	if model.ErrorCode(err) != model.EINVALID || len(rep.Problems) != 1 || rep.Snapshot != names[0] {
		t.Errorf("damaged snapshot: got %v, problems %v, snapshot %q, want EINVALID, one problem, %q", err, rep.Problems, rep.Snapshot, names[0])
	}
	if a.log.dump() != c.log.dump() {
		t.Error("device joining past a damaged snapshot differs")
	}
}

func TestConfig(t *testing.T) {
	w := newWorld(t)
	store := NewFileStateStore(filepath.Join(t.TempDir(), "state"))
	if _, ok, err := LoadConfig(store); ok || err != nil {
		t.Fatalf("empty store: got ok %v, %v, want none", ok, err)
	}
	text, err := w.key.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Folder: w.dir, Key: string(text)}
	if err := SaveConfig(store, cfg); err != nil {
		t.Fatal(err)
	}
	got, ok, err := LoadConfig(store)
	if err != nil || !ok || got != cfg {
		t.Fatalf("got %+v, %v, %v, want %+v", got, ok, err, cfg)
	}
	tg, err := got.Target(nil)
	if err != nil {
		t.Fatal(err)
	}
	key, err := got.OpenKey()
	if err != nil {
		t.Fatal(err)
	}
	a := w.peer("aaaaaaaa", 0, nil)
	a.edit(w, 1)
	s := NewSyncer(a.log, a.log, tg, key, store)
	if rep, err := s.Sync(context.Background(), nil); err != nil || rep.Pushed == 0 {
		t.Fatalf("sync from config: got %+v, %v", rep, err)
	}
	if again, _, _ := LoadConfig(store); again != cfg {
		t.Errorf("sync lost the config: got %+v, want %+v", again, cfg)
	}
	tests := []struct {
		name string
		cfg  Config
	}{
		{"nothing", Config{}},
		{"both", Config{Folder: "/x", URL: "https://x.ch/dav"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.cfg.Target(nil); model.ErrorCode(err) != model.EINVALID {
				t.Errorf("target: got %v, want EINVALID", err)
			}
			if _, err := tc.cfg.OpenKey(); model.ErrorCode(err) != model.EINVALID {
				t.Errorf("key: got %v, want EINVALID", err)
			}
		})
	}
}

// TestBackupBeforeRemoteChangesAtMostHourly: the first sync that brings
// remote changes takes a backup; syncs within the next hour do not (each
// copies the whole file, and automatic sync runs every few minutes); the
// first after an hour does again.
func TestBackupBeforeRemoteChangesAtMostHourly(t *testing.T) {
	w := newWorld(t)
	a, b := w.peer("aaaaaaaa", 0, nil), w.peer("bbbbbbbb", 0, nil)
	round := func() Report {
		a.edit(w, 1)
		a.sync(t)
		return b.sync(t)
	}
	if rep := round(); rep.Backup == nil {
		t.Fatal("first remote changes: no backup")
	}
	w.wall = w.wall.Add(5 * time.Minute)
	if rep := round(); rep.Backup != nil || rep.Received == 0 {
		t.Errorf("five minutes later: backup %v, %d received; want no backup and the changes", rep.Backup, rep.Received)
	}
	w.wall = w.wall.Add(time.Hour)
	if rep := round(); rep.Backup == nil {
		t.Error("an hour later: no backup")
	}
	if b.log.backups != 2 {
		t.Errorf("took %d backups, want 2", b.log.backups)
	}
}

// A sync state that cannot be read is reported as damaged, and setting
// sync up again replaces it instead of failing on it forever.
func TestDamagedStateIsReplacedBySettingUpAgain(t *testing.T) {
	store := NewFileStateStore(filepath.Join(t.TempDir(), "state"))
	if err := store.Save([]byte("99")); err != nil {
		t.Fatal(err)
	}
	_, _, err := LoadConfig(store)
	if !IsDamaged(err) {
		t.Fatalf("LoadConfig of a damaged state: %v, want damaged", err)
	}
	cfg := Config{Folder: t.TempDir(), Key: "k"}
	if err := SaveConfig(store, cfg); err != nil {
		t.Fatalf("setting up again: %v", err)
	}
	if got, ok, err := LoadConfig(store); err != nil || !ok || got != cfg {
		t.Fatalf("after setting up again: %+v %v %v", got, ok, err)
	}
	if IsDamaged(errors.New("sync state is damaged")) {
		t.Fatal("IsDamaged matches by text")
	}
}
