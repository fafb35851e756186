package replica

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// Target is a place segments live: a folder (USB stick, network share, a
// folder a file-sync service mirrors) or a WebDAV collection. Names are
// slash-separated paths relative to the target root, such as
// "devices/<device-id>/<seq>"; they never contain "." or ".." elements.
//
// Every device writes only names below its own directory and never writes
// a name twice with different content, so targets need no locking and a
// file-sync service never sees a write conflict.
type Target interface {
	// Get returns the content of name. ENOTFOUND when it does not exist.
	Get(ctx context.Context, name string) ([]byte, error)
	// Put stores data under name atomically: readers see either nothing or
	// the whole file, never a prefix. Parent directories are created.
	Put(ctx context.Context, name string, data []byte) error
	// List returns the names of the entries (files and directories)
	// directly inside the directory dir ("" for the root), without the
	// directory part, sorted. A missing directory lists as empty. Names
	// starting with "." (temporary files) are left out.
	List(ctx context.Context, dir string) ([]string, error)
	// Delete removes the file name; a missing file is not an error.
	Delete(ctx context.Context, name string) error
	// RemoveStale deletes the temporary files (tmpPrefix…, left behind by
	// uploads cut short) directly in dir whose names contain mark and that
	// are older than age by the target's own clock, and returns how many.
	RemoveStale(ctx context.Context, dir, mark string, age time.Duration) (int, error)
}

// tmpPrefix starts the names of files being uploaded; List leaves them out.
const tmpPrefix = ".tmp-"

// checkName rejects names that could leave the target root.
func checkName(name string) error {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || path.Clean(name) != name {
		return model.Errorf(model.EINVALID, "bad target name %q", name)
	}
	for _, e := range strings.Split(name, "/") {
		if e == "." || e == ".." {
			return model.Errorf(model.EINVALID, "bad target name %q", name)
		}
	}
	return nil
}

// FolderTarget is a Target in a local directory.
type FolderTarget struct {
	dir string
}

// NewFolderTarget returns a target in dir, which must exist when it is used
// (a USB stick that is not plugged in should fail, not be created).
func NewFolderTarget(dir string) *FolderTarget { return &FolderTarget{dir: dir} }

func (f *FolderTarget) path(name string) (string, error) {
	if name == "" {
		return f.dir, nil
	}
	if err := checkName(name); err != nil {
		return "", err
	}
	return filepath.Join(f.dir, filepath.FromSlash(name)), nil
}

func (f *FolderTarget) root() error {
	if st, err := os.Stat(f.dir); err != nil || !st.IsDir() {
		return model.WrapError(model.ENOTFOUND, err, "sync folder %s is not available", f.dir)
	}
	return nil
}

// Get implements Target.
func (f *FolderTarget) Get(ctx context.Context, name string) ([]byte, error) {
	p, err := f.path(name)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		if err := f.root(); err != nil { // the folder itself is gone: not a missing file
			return nil, model.WrapError(model.EINTERNAL, err, "read %s", name)
		}
		return nil, model.Errorf(model.ENOTFOUND, "%s not found", name)
	} else if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "read %s", name)
	}
	return data, nil
}

// Put implements Target: it writes a temporary file in the same
// directory, syncs it and renames it into place, so a pulled USB stick or
// a file-sync service never sees half a segment under the final name.
func (f *FolderTarget) Put(ctx context.Context, name string, data []byte) error {
	p, err := f.path(name)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := f.root(); err != nil {
		return err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return model.WrapError(model.EINTERNAL, err, "create %s", dir)
	}
	tmp, err := os.CreateTemp(dir, tmpPrefix+filepath.Base(p)+"-*")
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "write %s", name)
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return model.WrapError(model.EINTERNAL, err, "write %s", name)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return model.WrapError(model.EINTERNAL, err, "write %s", name)
	}
	// The rename is durable only once the directory is synced; some
	// platforms (Windows) cannot open directories, which is not an error.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Delete implements Target.
func (f *FolderTarget) Delete(ctx context.Context, name string) error {
	p, err := f.path(name)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return model.WrapError(model.EINTERNAL, err, "delete %s", name)
	}
	return nil
}

// List implements Target.
func (f *FolderTarget) List(ctx context.Context, dir string) ([]string, error) {
	p, err := f.path(dir)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.root(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "list %s", dir)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// RemoveStale implements Target; age is measured by file modification
// times against this computer's clock.
func (f *FolderTarget) RemoveStale(ctx context.Context, dir, mark string, age time.Duration) (int, error) {
	p, err := f.path(dir)
	if err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(p)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, model.WrapError(model.EINTERNAL, err, "list %s", dir)
	}
	n := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tmpPrefix) || !strings.Contains(e.Name(), mark) {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < age {
			continue
		}
		if err := os.Remove(filepath.Join(p, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, model.WrapError(model.EINTERNAL, err, "delete %s", e.Name())
		}
		n++
	}
	return n, nil
}
