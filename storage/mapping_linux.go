package storage

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// canReleasePages says that dropPages works on this system.
const canReleasePages = true

// dropPages drops the resident pages of size bytes of a shared file
// mapping at addr. MADV_DONTNEED on a shared file mapping only unmaps the
// pages; their contents stay in the file and the page cache.
func dropPages(addr uintptr, size int64) error {
	if size <= 0 {
		return nil
	}
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, addr, uintptr(size), syscall.MADV_DONTNEED)
	if errno != 0 {
		return errno
	}
	return nil
}

// residentShared returns the process's resident file-backed memory in
// bytes, the third column of /proc/self/statm (RssFile + RssShmem): during
// an export that is the database's mapping above what the program's own
// code holds. False when it cannot be read. The file stays open: an export
// of every follow-up asks some 5,000 times.
func residentShared() (int64, bool) {
	statmOnce.Do(func() { statm, _ = os.Open("/proc/self/statm") })
	if statm == nil {
		return 0, false
	}
	var buf [128]byte
	n, err := statm.ReadAt(buf[:], 0)
	if n == 0 || err != nil && err != io.EOF {
		return 0, false
	}
	f := bytes.Fields(buf[:n])
	if len(f) < 3 {
		return 0, false
	}
	pages, err := strconv.ParseInt(string(f[2]), 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}

var (
	statmOnce sync.Once
	statm     *os.File
)
