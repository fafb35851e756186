package replica

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// segmentsOf counts the segment files of a peer on the target.
func segmentsOf(t *testing.T, w *world, p *peer) int {
	t.Helper()
	names, err := w.tg.List(context.Background(), devicesDir+"/"+p.log.device)
	if err != nil {
		t.Fatal(err)
	}
	return len(names)
}

// TestPruneOldSegments: once every device has read a device's segments
// and a snapshot covers them, the device deletes them; a device that joins
// later starts from a snapshot and converges; a device whose cursors went
// back (a restored backup) catches up from a snapshot instead of waiting.
func TestPruneOldSegments(t *testing.T) {
	w := newWorld(t)
	a, b := w.peer("aaaaaaaa", 0, nil), w.peer("bbbbbbbb", 0, nil)
	for _, p := range []*peer{a, b} {
		p.syncer.segOps, p.syncer.snapEvery = 3, 10
	}
	for round := 0; round < 6; round++ {
		a.edit(w, 3)
		b.edit(w, 2)
		a.sync(t)
		b.sync(t)
		a.sync(t)
	}
	if a.log.dump() != b.log.dump() {
		t.Fatal("a and b differ")
	}
	pushed := a.ownOps() / a.syncer.segOps
	if n := segmentsOf(t, w, a); n == 0 || n >= pushed {
		t.Fatalf("a keeps %d of about %d segments, want some pruned and some kept", n, pushed)
	}
	snaps, _ := w.tg.List(context.Background(), snapshotsDir)
	if len(snaps) > 2*keepSnapshots {
		t.Errorf("%d snapshots on the target, want at most %d per device", len(snaps), keepSnapshots)
	}

	// A device that was never seen cannot have been counted: it joins from
	// a snapshot and reads only what is left.
	c := w.peer("cccccccc", 0, nil)
	if rep := c.sync(t); rep.Snapshot == "" || len(rep.Waiting) != 0 {
		t.Fatalf("join: snapshot %q, waiting %v; want a snapshot and nothing waiting", rep.Snapshot, rep.Waiting)
	}
	if c.log.dump() != a.log.dump() {
		t.Fatal("the joining device differs")
	}

	// c is now known without a cursor file of its own until it syncs: a
	// device that lost its cursor file stops pruning.
	if err := os.Remove(filepath.Join(w.dir, cursorsDir, c.log.device)); err != nil {
		t.Fatal(err)
	}
	before := segmentsOf(t, w, a)
	a.edit(w, 9)
	a.sync(t)
	if got := segmentsOf(t, w, a); got <= before {
		t.Errorf("a pruned although c's cursor file is missing: %d segments, had %d", got, before)
	}
	b.sync(t)
	c.sync(t) // c publishes again

	// b's cursors go back to zero, as in a database restored from an old
	// backup: a's first segments are gone, so b catches up from a snapshot.
	b.edit(w, 1)
	b.sync(t)
	for _, p := range []*peer{a, c, a} {
		p.sync(t)
	}
	st, err := loadState(b.syncer.store)
	if err != nil {
		t.Fatal(err)
	}
	for d := range st.Read {
		st.Read[d] = 1 // not empty: this is not a join
	}
	if err := st.save(b.syncer.store); err != nil {
		t.Fatal(err)
	}
	a.edit(w, 2)
	a.sync(t)
	if rep := b.sync(t); len(rep.Waiting) != 0 || rep.Snapshot == "" {
		t.Fatalf("b waits for pruned segments (%v) or did not catch up from a snapshot (%q)", rep.Waiting, rep.Snapshot)
	}
	c.sync(t)
	if b.log.dump() != a.log.dump() || c.log.dump() != a.log.dump() {
		t.Fatal("devices differ after catching up")
	}
}
