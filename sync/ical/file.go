package ical

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/kundenkartei/kundenkartei/model"
)

// WriteFile writes the calendar to path so that path holds either its old
// content or the complete new calendar, never a partial one: it writes a
// temporary file in the same directory, syncs it to disk and renames it over
// path. It returns EINVALID when there is nothing to export or path cannot
// be written (missing directory, no permission, a directory), EINTERNAL when
// writing fails on the way (disk full, I/O error); the cause stays in the
// error chain for errors.Is. The file is readable by the user only (0600):
// it holds customers' phone numbers and notes.
func WriteFile(path string, items []Item, events []EventItem, opt Options) error {
	if len(items) == 0 && len(events) == 0 {
		return model.Errorf(model.EINVALID, "nothing to export")
	}
	return writeFile(path, osCreate, func(w io.Writer) error { return Encode(w, items, events, opt) })
}

// writeEmpty is WriteFile that accepts an empty calendar: the automatic
// export must be able to clear a subscribed calendar.
func writeEmpty(path string, items []Item, events []EventItem, opt Options) error {
	return writeFile(path, osCreate, func(w io.Writer) error {
		_, err := encodeExport(w, Slice(items, events), opt, true)
		return err
	})
}

// TempFile writes a single follow-up as an .ics file in dir (os.TempDir()
// when empty) for "Add to calendar": the GUI hands the path to the system,
// which opens it in the calendar program. The name derives from the
// follow-up's ID, so doing it twice replaces the earlier file.
func TempFile(dir string, it Item, opt Options) (string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, "kundenkartei-"+it.FollowUp.ID.String()+".ics")
	if err := WriteFile(path, []Item{it}, nil, opt); err != nil {
		return "", err
	}
	return path, nil
}

// TempEventFile is TempFile for an event.
func TempEventFile(dir string, ev EventItem, opt Options) (string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, "kundenkartei-"+ev.Event.ID.String()+".ics")
	if err := WriteFile(path, nil, []EventItem{ev}, opt); err != nil {
		return "", err
	}
	return path, nil
}

// tempFile is what writeFile needs of an *os.File; tests put in one whose
// writes fail.
type tempFile interface {
	io.Writer
	Sync() error
	Close() error
	Name() string
}

func osCreate(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }

func writeFile(path string, create func(dir, pattern string) (tempFile, error), encode func(io.Writer) error) (err error) {
	if path == "" {
		return model.Errorf(model.EINVALID, "no file to export to")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return model.Errorf(model.EINVALID, "cannot export to %s: it is a folder", path)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	// The temporary file lives beside the target: a rename within one file
	// system is atomic, and a calendar program subscribed to the target
	// never reads a half-written file. The leading dot hides it from file
	// sync tools and people while it exists.
	f, err := create(dir, "."+base+".*.tmp")
	if err != nil {
		return model.WrapError(model.EINVALID, err, "cannot write to %s", path)
	}
	defer func() {
		if err != nil {
			_ = f.Close() // the write error is the one to report
			_ = os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := encode(bw); err != nil {
		if model.ErrorCode(err) == model.EINVALID {
			return err
		}
		return model.WrapError(model.EINTERNAL, unwrapModel(err), "write %s", path)
	}
	if err := f.Sync(); err != nil {
		return model.WrapError(model.EINTERNAL, err, "write %s", path)
	}
	if err := f.Close(); err != nil {
		return model.WrapError(model.EINTERNAL, err, "write %s", path)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return model.WrapError(model.EINTERNAL, err, "write %s", path)
	}
	// Make the rename itself durable; failing here leaves a complete file,
	// so it is not worth an error.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// unwrapModel returns the cause inside an EINTERNAL *model.Error from
// encode, so the error chain is not doubled.
func unwrapModel(err error) error {
	var e *model.Error
	if errors.As(err, &e) && e.Err != nil {
		return e.Err
	}
	return err
}
