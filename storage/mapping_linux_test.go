package storage

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// mappedRSS returns how many bytes of the mappings of path are resident in
// this process, from /proc/self/smaps.
func mappedRSS(tb testing.TB, path string) int64 {
	tb.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		tb.Skipf("no smaps: %v", err)
	}
	defer f.Close()
	var total int64
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			in = len(fields) >= 6 && fields[5] == path
		case in && len(fields) == 3 && fields[0] == "Rss:":
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			total += kb << 10
		}
	}
	mustOK(tb, sc.Err())
	return total
}

func TestReleasePages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	db, err := Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	defer db.Close()
	// 8 MB of values in a bucket of their own, read back through the mapping.
	bucket, value := []byte("test-release"), bytes.Repeat([]byte{'x'}, 2000)
	mustOK(t, db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucket)
		if err != nil {
			return err
		}
		for i := 0; i < 4000; i++ {
			if err := b.Put([]byte(strconv.Itoa(i)), value); err != nil {
				return err
			}
		}
		return nil
	}))
	readAll := func() int {
		n := 0
		mustOK(t, db.view(func(tx *bolt.Tx) error {
			return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
				if bytes.Equal(v, value) {
					n++
				}
				return nil
			})
		}))
		return n
	}
	if got := readAll(); got != 4000 {
		t.Fatalf("read %d values, want 4000", got)
	}
	db.stopReleases() // released by hand below, not by the timer
	before := mappedRSS(t, path)
	if before < 4<<20 {
		t.Fatalf("resident before the release: got %d bytes, want at least 4 MB", before)
	}
	db.releasePages()
	if after := mappedRSS(t, path); after > before/10 {
		t.Fatalf("resident after the release: got %d bytes, want at most %d", after, before/10)
	}
	if got := readAll(); got != 4000 {
		t.Fatalf("read %d values after the release, want 4000", got)
	}
}

func TestReleasePagesAfterIdle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	db := openTestAt(t, path)
	c := newCustomer("Anna", "Muster", "")
	mustOK(t, db.CreateCustomer(c))
	if _, err := db.Customer(c.ID); err != nil {
		t.Fatal(err)
	}
	if mappedRSS(t, path) == 0 {
		t.Fatal("nothing of the file is resident after a read")
	}
	deadline := time.Now().Add(releaseDelay + 5*time.Second)
	for mappedRSS(t, path) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("still %d bytes resident %v after the last read", mappedRSS(t, path), releaseDelay+5*time.Second)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestReleasePagesAfterClose(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "k.db"), Options{Now: newTestClock().Now})
	mustOK(t, err)
	mustOK(t, db.Close())
	db.releasePages() // must not touch an address that is no longer the file's
}

// TestResidentShared checks that the resident file-backed memory export
// drops are measured against reads and grows when a file mapping is read.
func TestResidentShared(t *testing.T) {
	before, ok := residentShared()
	if !ok || before <= 0 {
		t.Fatalf("got %d, %v, want a positive size", before, ok)
	}
	path := filepath.Join(t.TempDir(), "big")
	mustOK(t, os.WriteFile(path, bytes.Repeat([]byte{1}, 16<<20), 0o600))
	f, err := os.Open(path)
	mustOK(t, err)
	defer f.Close()
	data, err := syscall.Mmap(int(f.Fd()), 0, 16<<20, syscall.PROT_READ, syscall.MAP_SHARED)
	mustOK(t, err)
	defer syscall.Munmap(data)
	sum := 0
	for i := 0; i < len(data); i += 4096 {
		sum += int(data[i])
	}
	after, _ := residentShared()
	if sum != 4096 || after-before < 8<<20 {
		t.Errorf("after reading a 16 MB mapping: got %d MB more, want at least 8", (after-before)>>20)
	}
}

// TestExportDropsPagesOverLimit checks that an export drops the mapped
// pages it touched once they pass Options.ExportMemory, and only then.
func TestExportDropsPagesOverLimit(t *testing.T) {
	tests := []struct {
		name             string
		limit            int64
		wantMin, wantMax int64
	}{
		{"over a 1 MB limit", 1 << 20, 0, 3 << 20},
		{"under a limit far away", 1 << 40, 6 << 20, 1 << 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "k.db")
			db, err := Open(path, Options{Now: newTestClock().Now, NoSync: true, ExportMemory: tt.limit})
			mustOK(t, err)
			defer db.Close()
			b := model.Bulk{}
			for i := range 4000 {
				c := newCustomer("Anna", fmt.Sprintf("Muster%d", i), "")
				c.Memo = strings.Repeat("m", 2000)
				b.Customers = append(b.Customers, *c)
			}
			mustOK(t, db.BulkLoad(context.Background(), b, nil))
			db.stopReleases()
			db.releasePages()
			ids, err := db.CustomerIDsByName()
			mustOK(t, err)
			n := 0
			mustOK(t, db.ExportCustomers(ids, func(cs []*model.Customer) error {
				n += len(cs)
				return nil
			}))
			db.stopReleases()
			got := mappedRSS(t, path)
			if n != 4000 || got < tt.wantMin || got > tt.wantMax {
				t.Errorf("got %d customers, %d bytes resident; want 4000, %d to %d", n, got, tt.wantMin, tt.wantMax)
			}
		})
	}
}

// A bulk import touches the B+tree's pages through the mapping; it drops
// them once they pass Options.ExportMemory, so a 100,000-card import does
// not leave the whole file resident.
func TestSaveCustomersReleasesPages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	const limit = 2 << 20
	db, err := Open(path, Options{Now: newTestClock().Now, ExportMemory: limit})
	mustOK(t, err)
	defer db.Close()
	db.stopReleases() // only the import's own releases count here
	mustOK(t, db.SaveCustomers(context.Background(), importCards(24000, 0), nil, nil))
	db.stopReleases()
	st, err := os.Stat(path)
	mustOK(t, err)
	// One chunk's pages may stay after the last release.
	if got, max := mappedRSS(t, path), int64(limit+16<<20); got > max || st.Size() < 4*max {
		t.Errorf("got %d MB of the %d MB file resident after the import, want at most %d MB", got>>20, st.Size()>>20, max>>20)
	}
}

// A start without a current directory snapshot reads every customer
// through the mapping; it lets those pages go before the search index is
// built, so the two do not add up.
func TestDirectoryRebuildReleasesPages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	db, err := Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	mustOK(t, db.SaveCustomers(context.Background(), importCards(20000, 0), nil, nil))
	mustOK(t, db.Close())
	mustOK(t, os.Remove(db.snapshotPath()))

	db, err = Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	defer db.Close()
	db.stopReleases() // only the rebuild's own release counts here
	if n := db.Directory().Len(); n != 20000 {
		t.Fatalf("got %d customers in the rebuilt directory, want 20000", n)
	}
	if got := mappedRSS(t, path); got > 8<<20 {
		t.Errorf("got %d MB of the file resident after the directory was rebuilt, want at most 8 MB", got>>20)
	}
}

// An import applied in groups keeps the pages it maps within the limit
// over the whole run (BeginBulk), and so does its preview's reading of
// every customer a few hundred at a time.
func TestBulkRunReleasesPages(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	const limit = 2 << 20
	db, err := Open(path, Options{Now: newTestClock().Now, ExportMemory: limit})
	mustOK(t, err)
	defer db.Close()
	db.stopReleases() // only the run's own releases count here
	end := db.BeginBulk()
	cs := importCards(24000, 0)
	for i := 0; i < len(cs); i += 4000 {
		mustOK(t, db.SaveCustomers(context.Background(), cs[i:i+4000], nil, nil))
	}
	end()
	st, err := os.Stat(path)
	mustOK(t, err)
	max := int64(limit + 16<<20) // one chunk's pages may stay after the last release
	if got := mappedRSS(t, path); got > max || st.Size() < 4*max {
		t.Errorf("writes: got %d MB of the %d MB file resident, want at most %d MB", got>>20, st.Size()>>20, max>>20)
	}

	mustOK(t, db.Close())
	db, err = Open(path, Options{Now: newTestClock().Now, ExportMemory: limit})
	mustOK(t, err)
	defer db.Close()
	db.stopReleases()
	end = db.BeginBulk()
	defer end()
	for i := 0; i < len(cs); i += 500 {
		ids := make([]model.ID, 0, 500)
		for _, c := range cs[i : i+500] {
			ids = append(ids, c.ID)
		}
		got, err := db.Customers(ids)
		mustOK(t, err)
		if len(got) != len(ids) {
			t.Fatalf("got %d customers, want %d", len(got), len(ids))
		}
		_, err = db.MatchesAll(got)
		mustOK(t, err)
	}
	if got := mappedRSS(t, path); got > max {
		t.Errorf("reads: got %d MB of the %d MB file resident, want at most %d MB", got>>20, st.Size()>>20, max>>20)
	}
}
