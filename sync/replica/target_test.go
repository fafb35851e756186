package replica

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// testTarget checks the Target contract; folder and WebDAV both run it.
func testTarget(t *testing.T, tg Target) {
	ctx := context.Background()
	if _, err := tg.Get(ctx, "devices/a/00000000000000000001"); model.ErrorCode(err) != model.ENOTFOUND {
		t.Fatalf("get missing: got code %q (%v), want %q", model.ErrorCode(err), err, model.ENOTFOUND)
	}
	if names, err := tg.List(ctx, "devices"); err != nil || len(names) != 0 {
		t.Fatalf("list missing dir: got %v, %v, want empty", names, err)
	}
	files := map[string]string{
		DescriptionName:                  "{}",
		"devices/a/00000000000000000001": "one",
		"devices/a/00000000000000000007": "seven",
		"devices/b/00000000000000000002": "",
	}
	for n, v := range files {
		if err := tg.Put(ctx, n, []byte(v)); err != nil {
			t.Fatalf("put %s: %v", n, err)
		}
	}
	for n, v := range files {
		got, err := tg.Get(ctx, n)
		if err != nil || string(got) != v {
			t.Errorf("get %s: got %q, %v, want %q", n, got, err, v)
		}
	}
	if err := tg.Put(ctx, "devices/a/00000000000000000001", []byte("uno")); err != nil {
		t.Fatal(err)
	}
	if got, _ := tg.Get(ctx, "devices/a/00000000000000000001"); string(got) != "uno" {
		t.Errorf("get after overwrite: got %q, want %q", got, "uno")
	}
	tests := []struct {
		name string
		dir  string
		want []string
	}{
		{"root", "", []string{"devices", DescriptionName}},
		{"devices", "devices", []string{"a", "b"}},
		{"device", "devices/a", []string{"00000000000000000001", "00000000000000000007"}},
		{"missing", "devices/c", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tg.List(ctx, tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 && len(tc.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	for _, bad := range []string{"../x", "/etc/passwd", "devices/../../x", "a//b", "devices/./a", `a\b`} {
		if err := tg.Put(ctx, bad, nil); model.ErrorCode(err) != model.EINVALID {
			t.Errorf("put %q: got code %q, want %q", bad, model.ErrorCode(err), model.EINVALID)
		}
		if err := tg.Delete(ctx, bad); model.ErrorCode(err) != model.EINVALID {
			t.Errorf("delete %q: got code %q, want %q", bad, model.ErrorCode(err), model.EINVALID)
		}
	}
	// Delete removes a file; a missing one is no error.
	for i := 0; i < 2; i++ {
		if err := tg.Delete(ctx, "devices/b/00000000000000000002"); err != nil {
			t.Fatalf("delete (%d): %v", i+1, err)
		}
	}
	if _, err := tg.Get(ctx, "devices/b/00000000000000000002"); model.ErrorCode(err) != model.ENOTFOUND {
		t.Errorf("get after delete: got %v, want ENOTFOUND", err)
	}
}

func TestFolderTarget(t *testing.T) {
	dir := t.TempDir()
	testTarget(t, NewFolderTarget(dir))
	// No temporary files stay behind.
	entries, err := os.ReadDir(filepath.Join(dir, "devices", "a"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("got %d files in devices/a, want 2", len(entries))
	}
}

func TestFolderTargetMissing(t *testing.T) {
	// A USB stick that is not plugged in must not look like an empty target,
	// or Init would happily "set it up" on the laptop's disk.
	tg := NewFolderTarget(filepath.Join(t.TempDir(), "stick"))
	ctx := context.Background()
	if _, err := tg.Get(ctx, DescriptionName); model.ErrorCode(err) == model.ENOTFOUND {
		t.Errorf("get on missing folder: got %q, want another code", model.ErrorCode(err))
	}
	if err := tg.Put(ctx, DescriptionName, []byte("x")); err == nil {
		t.Error("put on missing folder: got no error")
	}
	if _, err := tg.List(ctx, ""); err == nil {
		t.Error("list on missing folder: got no error")
	}
}

// rclone is a WebDAV server process for tests.
type rclone struct {
	dir, addr string
	cmd       *exec.Cmd
}

// startRclone serves dir over WebDAV on addr ("" picks a free port) with
// user "team" and password testPassword, and waits until it answers. It skips
// the test when rclone is not installed.
func startRclone(tb testing.TB, dir, addr string) *rclone {
	tb.Helper()
	bin, err := exec.LookPath("rclone")
	if err != nil {
		tb.Skip("rclone is not installed (apt-get install -y rclone); skipping the WebDAV integration test")
	}
	if addr == "" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		addr = l.Addr().String()
		l.Close()
	}
	cmd := exec.Command(bin, "serve", "webdav", dir, "--addr", addr, "--user", "team", "--pass", testPassword,
		"--config", filepath.Join(tb.TempDir(), "rclone.conf"))
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	r := &rclone{dir: dir, addr: addr, cmd: cmd}
	tb.Cleanup(r.stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return r
		}
		if time.Now().After(deadline) {
			tb.Fatalf("rclone did not start on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *rclone) url() string { return "http://" + r.addr + "/kk/" }

// stop kills the server, as a lost connection or a crashed server would.
func (r *rclone) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}

func TestWebDAVTarget(t *testing.T) {
	srv := startRclone(t, t.TempDir(), "")
	testTarget(t, NewWebDAVTarget(srv.url(), "team", testPassword, nil))
}

func TestWebDAVTargetErrors(t *testing.T) {
	srv := startRclone(t, t.TempDir(), "")
	ctx := context.Background()
	tests := []struct {
		name string
		tg   *WebDAVTarget
		want string
	}{
		{"wrong password", NewWebDAVTarget(srv.url(), "team", "wrong", nil), model.EINVALID},
		{"bad url", NewWebDAVTarget("ftp://x", "team", "secret", nil), model.EINVALID},
		{"unreachable", NewWebDAVTarget("http://127.0.0.1:1/kk/", "team", "secret", nil), model.EINTERNAL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.tg.Get(ctx, DescriptionName)
			if got := model.ErrorCode(err); got != tc.want {
				t.Errorf("get: got code %q (%v), want %q", got, err, tc.want)
			}
			err = tc.tg.Put(ctx, DescriptionName, []byte("x"))
			if got := model.ErrorCode(err); got != tc.want {
				t.Errorf("put: got code %q (%v), want %q", got, err, tc.want)
			}
		})
	}
	if s := NewWebDAVTarget("https://u:pw@cloud.example.ch/dav", "", "", nil).String(); s != "https://u:xxxxx@cloud.example.ch/dav/" {
		t.Errorf("String: got %q, want the password redacted", s)
	}
}
