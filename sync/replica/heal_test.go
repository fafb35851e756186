package replica

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// flip changes one byte in the middle of the target file name.
func (w *world) flip(name string) {
	w.tb.Helper()
	file := filepath.Join(w.dir, filepath.FromSlash(name))
	data, err := os.ReadFile(file)
	if err != nil {
		w.tb.Fatal(err)
	}
	data[len(data)/2] ^= 0x01
	if err := os.WriteFile(file, data, 0o644); err != nil {
		w.tb.Fatal(err)
	}
}

// TestSyncHealsDamagedSegment: one byte of a device's segment changes on
// the target. The reader goes on with the device's later segments and asks
// for the damaged one; the writer sends it again from its change log; within
// two sync rounds of both devices everything converges, without a hand.
func TestSyncHealsDamagedSegment(t *testing.T) {
	w := newWorld(t)
	a, b := w.peer("aaaaaaaa", 0, nil), w.peer("bbbbbbbb", 0, nil)
	a.edit(w, 3)
	a.sync(t)
	first := a.ownOps()
	a.edit(w, 2)
	a.sync(t)
	names, _ := w.tg.List(context.Background(), devicesDir+"/"+a.log.device)
	if len(names) != 2 {
		t.Fatalf("got %d segments, want 2", len(names))
	}
	damaged := devicesDir + "/" + a.log.device + "/" + names[0]
	w.flip(damaged)
	b.edit(w, 1)

	// Round 1.
	a.edit(w, 1)
	if rep := a.sync(t); len(rep.Resent) != 0 {
		t.Errorf("round 1, writer: got resent %v, want none (nobody asked)", rep.Resent)
	}
	rep := b.sync(t)
	if len(rep.Skipped) != 1 || rep.Skipped[0].Name != damaged {
		t.Fatalf("round 1, reader: got skipped %v, want %s", rep.Skipped, damaged)
	}
	if want := a.ownOps() - first; rep.Received != want {
		t.Errorf("round 1, reader: got %d received, want the %d ops of the later segments", rep.Received, want)
	}
	if _, err := w.tg.Get(context.Background(), requestsName(b.log.device)); err != nil {
		t.Errorf("reader left no heal request: %v", err)
	}

	// Round 2.
	if rep := a.sync(t); len(rep.Resent) != 1 || rep.Resent[0] != damaged {
		t.Errorf("round 2, writer: got resent %v, want [%s]", rep.Resent, damaged)
	}
	if rep := b.sync(t); rep.Repaired != 1 || rep.Received != first || len(rep.Skipped) != 0 {
		t.Errorf("round 2, reader: got %d repaired, %d received, skipped %v, want 1, %d, none", rep.Repaired, rep.Received, rep.Skipped, first)
	}
	a.sync(t)
	if a.log.dump() != b.log.dump() {
		t.Error("devices differ after two rounds")
	}
	if _, err := w.tg.Get(context.Background(), requestsName(b.log.device)); err == nil {
		t.Error("the heal request stayed after the repair")
	}
	// A third device joining later is not disturbed by the damaged file.
	c := w.peer("cccccccc", 0, nil)
	c.sync(t)
	c.sync(t)
	if c.log.dump() != a.log.dump() {
		t.Error("a new device differs")
	}
}

// TestSyncHealDamagedCopy: the copy the writer sends is damaged too; the
// reader names it in its request and the writer sends another.
func TestSyncHealDamagedCopy(t *testing.T) {
	w := newWorld(t)
	a, b := w.peer("aaaaaaaa", 0, nil), w.peer("bbbbbbbb", 0, nil)
	a.edit(w, 2)
	a.sync(t)
	names, _ := w.tg.List(context.Background(), devicesDir+"/"+a.log.device)
	seq, _ := parseSeq(names[0])
	w.flip(segmentName(a.log.device, seq))
	b.sync(t)
	a.sync(t)
	w.flip(healName(a.log.device, seq, 1))
	if rep := b.sync(t); rep.Repaired != 0 {
		t.Fatalf("got %d repaired from a damaged copy, want 0", rep.Repaired)
	}
	if rep := a.sync(t); len(rep.Resent) != 1 {
		t.Fatalf("got resent %v, want a second copy", rep.Resent)
	}
	if _, err := w.tg.Get(context.Background(), healName(a.log.device, seq, 2)); err != nil {
		t.Fatalf("second copy: %v", err)
	}
	if rep := b.sync(t); rep.Repaired != 1 || a.log.dump() != b.log.dump() {
		t.Errorf("got %d repaired, want 1 and equal devices", rep.Repaired)
	}
}

func TestParseHeal(t *testing.T) {
	tests := []struct {
		name string
		file string
		seq  uint64
		n    int
		ok   bool
	}{
		{"copy", "00000000000000000007.heal2", 7, 2, true},
		{"segment", "00000000000000000007", 0, 0, false},
		{"zero copy", "00000000000000000007.heal0", 0, 0, false},
		{"leading zero", "00000000000000000007.heal01", 0, 0, false},
		{"conflicted", "00000000000000000007.heal1 (conflicted copy)", 0, 0, false},
		{"short seq", "7.heal1", 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seq, n, ok := parseHeal(tc.file)
			if seq != tc.seq || n != tc.n || ok != tc.ok {
				t.Errorf("got %d, %d, %v, want %d, %d, %v", seq, n, ok, tc.seq, tc.n, tc.ok)
			}
		})
	}
	if got := healName("d", 7, 3); got != "devices/d/00000000000000000007.heal3" {
		t.Errorf("got %s", got)
	}
}
