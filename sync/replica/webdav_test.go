package replica

import (
	"context"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestWebDAVSync runs devices against a real WebDAV server (rclone) and
// stops the server in the middle of a push and of a pull: the next sync
// resumes without losing or duplicating anything.
func TestWebDAVSync(t *testing.T) {
	root := t.TempDir()
	srv := startRclone(t, root, "")
	ctx := context.Background()
	client := &http.Client{Timeout: 5 * time.Second}
	dav := func() Target { return NewWebDAVTarget(srv.url(), "team", testPassword, client) }
	key, err := InitWithKDF(ctx, dav(), "correct horse battery", testKDF)
	if err != nil {
		t.Fatal(err)
	}
	joined, err := Join(ctx, dav(), "correct horse battery")
	if err != nil || joined.seg != key.seg {
		t.Fatalf("join over WebDAV: %v", err)
	}
	if _, err := Join(ctx, dav(), "wrong horse battery"); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("join with a wrong passphrase: got %v, want EINVALID", err)
	}
	// The world's folder view of the served directory checks the files.
	w := &world{tb: t, dir: filepath.Join(root, "kk"), key: key, wall: time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC),
		r: rand.New(rand.NewPCG(13, 14))}
	w.tg = NewFolderTarget(w.dir)
	a, b := w.peer("aaaaaaaa", 0, dav()), w.peer("bbbbbbbb", 0, dav())
	a.syncer.batch, a.syncer.segOps = 5, 5
	a.edit(w, 20)

	restart := func() {
		srv.stop()
		srv = startRclone(t, root, srv.addr)
	}
	stopAfter := func(n int) func(Progress) {
		return func(p Progress) {
			if n--; n == 0 {
				srv.stop()
			}
		}
	}
	rep, err := a.syncer.Sync(ctx, stopAfter(3))
	if err == nil || rep.Segments != 3 {
		t.Fatalf("push with the server stopped: got %d segments, %v, want 3 and an error", rep.Segments, err)
	}
	restart()
	a.sync(t)
	if _, n := w.segmentsOf(a.log.device); n != a.ownOps() {
		t.Errorf("segments hold %d ops, want exactly %d", n, a.ownOps())
	}

	b.syncer.applyOps = 1 // the server stops after the second segment
	rep, err = b.syncer.Sync(ctx, stopAfter(2))
	if err == nil || rep.Received == 0 {
		t.Fatalf("pull with the server stopped: got %d received, %v, want some and an error", rep.Received, err)
	}
	first := rep.Received
	restart()
	rep = b.sync(t)
	if first+rep.Received != a.ownOps() {
		t.Errorf("got %d + %d received, want %d", first, rep.Received, a.ownOps())
	}
	if a.log.dump() != b.log.dump() {
		t.Error("devices differ after resuming")
	}

	// A server that kept a partial upload under the final name: readers
	// skip it and change nothing until the writer repairs it.
	c := w.peer("cccccccc", 0, &faultTarget{Target: dav(), n: 1, mode: "partial"})
	c.edit(w, 2)
	if _, err := c.syncer.Sync(ctx, nil); err == nil {
		t.Fatal("partial upload: got no error")
	}
	before := b.log.dump()
	rep, err = b.syncer.Sync(ctx, nil)
	if err != nil || len(rep.Skipped) != 1 || rep.Received != 0 || b.log.dump() != before {
		t.Errorf("reading a partial file: got %d received, %v, skipped %v, want nothing and it skipped", rep.Received, err, rep.Skipped)
	}
	c.sync(t)
	b.sync(t)
	a.sync(t)
	if a.log.dump() != b.log.dump() || b.log.dump() != c.log.dump() {
		t.Error("devices differ after the repair")
	}
	// No temporary upload files stay behind after clean uploads.
	entries, err := os.ReadDir(filepath.Join(w.dir, devicesDir, a.log.device))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := parseSeq(e.Name()); !ok {
			t.Errorf("stray file %s", e.Name())
		}
	}
}

// TestSyncRemovesStaleUploads: temporary files that uploads cut short left
// behind are removed by the device that left them once they are an hour
// old; fresh ones (an upload still running) and other devices' stay.
func TestSyncRemovesStaleUploads(t *testing.T) {
	tests := []struct {
		name   string
		webdav bool
	}{
		{"folder", false},
		{"webdav", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			a := w.peer("aaaaaaaa", 0, nil)
			a.edit(w, 1)
			a.sync(t)
			other := "bbbbbbbb-0000-7000-8000-000000000000"
			old := time.Now().Add(-2 * time.Hour)
			files := map[string]bool{ // name: removed
				filepath.Join(devicesDir, a.log.device, ".tmp-00000000000000000009-1a2b"):  true,
				filepath.Join(cursorsDir, ".tmp-"+a.log.device+"-3c4d"):                    true,
				filepath.Join(devicesDir, a.log.device, ".tmp-00000000000000000011-fresh"): false,
				filepath.Join(cursorsDir, ".tmp-"+other+"-5e6f"):                           false,
			}
			for name, stale := range files {
				p := filepath.Join(w.dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
					t.Fatal(err)
				}
				if stale || strings.Contains(name, other) {
					if err := os.Chtimes(p, old, old); err != nil {
						t.Fatal(err)
					}
				}
			}
			if tc.webdav {
				// rclone serves <root>/kk as .../kk/; started after the
				// files are in place, as it caches what it listed.
				root := t.TempDir()
				kk := filepath.Join(root, "kk")
				if err := os.Rename(w.dir, kk); err != nil {
					t.Fatal(err)
				}
				w.dir, w.tg = kk, NewFolderTarget(kk)
				srv := startRclone(t, root, "")
				a.syncer.target = NewWebDAVTarget(srv.url(), "team", testPassword, nil)
			}
			a.syncer.now = func() time.Time { return w.wall.Add(2 * time.Hour) } // the hourly sweep is due
			rep := a.sync(t)
			if rep.TempRemoved != 2 {
				t.Errorf("got %d removed, want 2", rep.TempRemoved)
			}
			for name, removed := range files {
				_, err := os.Stat(filepath.Join(w.dir, name))
				if gone := os.IsNotExist(err); gone != removed {
					t.Errorf("%s: got removed %v, want %v", name, gone, removed)
				}
			}
		})
	}
}
