package ical

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"hash"
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
	return writeFile(path, osCreate, func(w io.Writer) error { return Encode(w, items, events, opt) }, nil)
}

// writeEmpty is WriteFile that accepts an empty calendar: the automatic
// export must be able to clear a subscribed calendar.
func writeEmpty(path string, items []Item, events []EventItem, opt Options) error {
	_, err := writeIfChanged(path, Slice(items, events), opt, nil)
	return err
}

// WriteExport is WriteFile for a streaming export; it returns how many
// follow-ups and events it wrote.
func WriteExport(path string, x Export, opt Options) (int, error) {
	var n int
	err := writeFile(path, osCreate, func(w io.Writer) error {
		var err error
		n, err = EncodeExport(w, x, opt)
		return err
	}, nil)
	return n, err
}

// writeIfChanged writes x to path, empty or not, unless the new content
// hashes to old (see contentHash): then the file stays as it is. It
// returns the new content's hash.
func writeIfChanged(path string, x Export, opt Options, old *[32]byte) (*[32]byte, error) {
	h := newContentHash()
	var sum [32]byte
	err := writeFile(path, osCreate, func(w io.Writer) error {
		_, err := encodeExport(io.MultiWriter(w, h), x, opt, true)
		return err
	}, func() bool {
		sum = h.sum()
		return old != nil && sum == *old
	})
	if err != nil {
		return nil, err
	}
	return &sum, nil
}

// stampPrefix starts the one line that differs between two writes of the
// same calendar.
const stampPrefix = "DTSTAMP:"

// contentHash hashes a calendar as written, leaving out its DTSTAMP lines
// (the time of writing), so equal content hashes alike whenever written.
type contentHash struct {
	h       hash.Hash
	head    []byte // the start of the current line until it is known
	decided bool   // whether the current line is a DTSTAMP is known
	skip    bool   // the current line is a DTSTAMP
}

func newContentHash() *contentHash { return &contentHash{h: sha256.New()} }

func (c *contentHash) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		seg := p
		i := bytes.IndexByte(p, '\n')
		if i >= 0 {
			seg = p[:i+1]
		}
		p = p[len(seg):]
		if !c.decided {
			take := min(len(stampPrefix)-len(c.head), len(seg))
			c.head = append(c.head, seg[:take]...)
			seg = seg[take:]
			if len(c.head) == len(stampPrefix) || i >= 0 {
				c.decided, c.skip = true, string(c.head) == stampPrefix
				if !c.skip {
					c.h.Write(c.head)
				}
				c.head = c.head[:0]
			}
		}
		if !c.skip {
			c.h.Write(seg)
		}
		if i >= 0 {
			c.decided, c.skip = false, false
		}
	}
	return n, nil
}

func (c *contentHash) sum() [32]byte {
	c.h.Write(c.head)
	c.head = c.head[:0]
	var s [32]byte
	c.h.Sum(s[:0])
	return s
}

// fileContentHash returns the content hash of the file at path; false
// when it cannot be read.
func fileContentHash(path string) ([32]byte, bool) {
	f, err := os.Open(path)
	if err != nil {
		return [32]byte{}, false
	}
	defer f.Close()
	h := newContentHash()
	if _, err := io.CopyBuffer(h, f, make([]byte, 256<<10)); err != nil {
		return [32]byte{}, false
	}
	return h.sum(), true
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

// writeFile writes what encode writes to path through a temporary file;
// when keepOld (may be nil) says so after encoding, path stays as it was.
func writeFile(path string, create func(dir, pattern string) (tempFile, error), encode func(io.Writer) error, keepOld func() bool) (err error) {
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
	if err := bw.Flush(); err != nil {
		return model.WrapError(model.EINTERNAL, err, "write %s", path)
	}
	if keepOld != nil && keepOld() {
		if err := f.Close(); err != nil {
			return model.WrapError(model.EINTERNAL, err, "write %s", path)
		}
		return os.Remove(f.Name())
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
