package ical

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// dirEntries lists the names in dir, so tests see leftover temp files.
func dirEntries(tb testing.TB, dir string) []string {
	tb.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFile(t *testing.T) {
	items, events := fixture(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "kundenkartei.ics")
	if err := WriteFile(path, items, events, fixedOptions()); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := encodeString(t, items, events, fixedOptions()); string(got) != want {
		t.Errorf("file differs from Encode's output")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fi.Mode().Perm(), fs.FileMode(0o600); got != want {
		t.Errorf("got mode %v, want %v", got, want)
	}
	// Overwriting replaces the file and leaves nothing else behind.
	if err := WriteFile(path, items[:1], nil, fixedOptions()); err != nil {
		t.Fatalf("WriteFile again: %v", err)
	}
	if got := dirEntries(t, dir); len(got) != 1 || got[0] != "kundenkartei.ics" {
		t.Errorf("got files %v, want only kundenkartei.ics", got)
	}
	again, _ := os.ReadFile(path)
	if strings.Count(string(again), "BEGIN:VEVENT") != 1 {
		t.Errorf("got %d events after overwrite, want 1", strings.Count(string(again), "BEGIN:VEVENT"))
	}
}

func TestWriteFileErrors(t *testing.T) {
	items, _ := fixture(t)
	dir := t.TempDir()
	readOnly := filepath.Join(dir, "ro")
	if err := os.Mkdir(readOnly, 0o500); err != nil {
		t.Fatal(err)
	}
	plainFile := filepath.Join(dir, "plain")
	if err := os.WriteFile(plainFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		path  string
		items []Item
		code  string
		cause error
	}{
		{"nothing to export", filepath.Join(dir, "a.ics"), nil, model.EINVALID, nil},
		{"missing directory", filepath.Join(dir, "nope", "a.ics"), items, model.EINVALID, fs.ErrNotExist},
		{"target is a folder", dir, items, model.EINVALID, nil},
		{"empty path", "", items, model.EINVALID, nil},
		{"parent is a file", filepath.Join(plainFile, "a.ics"), items, model.EINVALID, syscall.ENOTDIR},
		{"read-only directory", filepath.Join(readOnly, "a.ics"), items, model.EINVALID, fs.ErrPermission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cause == fs.ErrPermission && os.Geteuid() == 0 {
				t.Skip("root writes into read-only directories")
			}
			err := WriteFile(tt.path, tt.items, nil, fixedOptions())
			if got := model.ErrorCode(err); got != tt.code {
				t.Errorf("got code %q (%v), want %q", got, err, tt.code)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("got %v, want it to wrap %v", err, tt.cause)
			}
		})
	}
	if got := dirEntries(t, dir); len(got) != 2 {
		t.Errorf("got files %v, want only plain and ro", got)
	}
}

// failingFile is a temp file whose writes or sync fail, like a full disk.
type failingFile struct {
	*os.File
	writeErr, syncErr error
}

func (f *failingFile) Write(p []byte) (int, error) {
	if f.writeErr != nil {
		return 0, f.writeErr
	}
	return f.File.Write(p)
}

func (f *failingFile) Sync() error {
	if f.syncErr != nil {
		return f.syncErr
	}
	return f.File.Sync()
}

// TestWriteFileFailureKeepsOldFile: when writing fails half-way, the old
// calendar stays untouched and no temp file is left.
func TestWriteFileFailureKeepsOldFile(t *testing.T) {
	items, events := fixture(t)
	errFull := errors.New("no space left on device")
	tests := []struct {
		name string
		file func(f *os.File) tempFile
	}{
		{"write fails", func(f *os.File) tempFile { return &failingFile{File: f, writeErr: errFull} }},
		{"sync fails", func(f *os.File) tempFile { return &failingFile{File: f, syncErr: errFull} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "cal.ics")
			if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			create := func(dir, pattern string) (tempFile, error) {
				f, err := os.CreateTemp(dir, pattern)
				if err != nil {
					return nil, err
				}
				return tt.file(f), nil
			}
			err := writeFile(path, create, func(w io.Writer) error { return Encode(w, items, events, fixedOptions()) }, nil)
			if got := model.ErrorCode(err); got != model.EINTERNAL {
				t.Errorf("got code %q (%v), want %q", got, err, model.EINTERNAL)
			}
			if !errors.Is(err, errFull) {
				t.Errorf("got %v, want it to wrap %v", err, errFull)
			}
			if got, _ := os.ReadFile(path); string(got) != "old" {
				t.Errorf("got target %q, want the old content", got)
			}
			if got := dirEntries(t, dir); len(got) != 1 {
				t.Errorf("got files %v, want only cal.ics", got)
			}
		})
	}
}

func TestTempFile(t *testing.T) {
	items, events := fixture(t)
	dir := t.TempDir()
	path, err := TempFile(dir, items[0], fixedOptions())
	if err != nil {
		t.Fatalf("TempFile: %v", err)
	}
	if got, want := filepath.Base(path), "kundenkartei-"+items[0].FollowUp.ID.String()+".ics"; got != want {
		t.Errorf("got name %q, want %q", got, want)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "BEGIN:VEVENT"); n != 1 {
		t.Errorf("got %d events, want 1", n)
	}
	if !strings.Contains(string(b), "UID:"+UID(items[0].FollowUp.ID)+"\r\n") {
		t.Errorf("single-event file lacks the follow-up's UID")
	}
	epath, err := TempEventFile(dir, events[0], fixedOptions())
	if err != nil {
		t.Fatalf("TempEventFile: %v", err)
	}
	if b, _ := os.ReadFile(epath); !strings.Contains(string(b), "SUMMARY:Kundenapéro 2026\r\n") {
		t.Errorf("event file lacks the event")
	}
}
