package storage

import "syscall"

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
