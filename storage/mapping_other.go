//go:build !linux

package storage

// canReleasePages says that dropPages works on this system: elsewhere the
// mapped pages stay resident until the database is closed (on Windows
// bbolt's mapping is a file view the system trims itself).
const canReleasePages = false

func dropPages(addr uintptr, size int64) error { return nil }

func residentShared() (int64, bool) { return 0, false }
