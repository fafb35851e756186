package storage

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage/search"
)

// lazyDirectory is the DB's directory: the search index, loaded when it is
// first used. A command that only reads records (an export of follow-ups,
// a backup) then never reads the 100 MB index or writes it back. With
// Options.LazyDirectory unset Open loads it at once, as the GUI wants.
//
// Loading late stays correct because every write that changes customers
// or their stats goes through DB.commit, which loads the directory before
// it writes: until then the stored customers are those of the transaction
// Open found (openTx), which is what the snapshot is checked against.
type lazyDirectory struct {
	db     *DB
	mu     sync.Mutex
	loaded atomic.Bool
	ix     directoryIndex
	err    error // of the load; the index is then empty

	// snapTx is the transaction the snapshot file matches when the index
	// was read from it, 0 when it was rebuilt (the file is stale then).
	snapTx int
	// gen counts the commits since the load: with none the index is still
	// what the snapshot holds, and Close need not write it again.
	gen atomic.Uint64
	// holds are the holds taken before the load (see Hold), guarded by mu.
	holds []*lazyHold
}

// lazyHold is a Hold taken before the index was loaded: it holds the
// index from the load on, until released.
type lazyHold struct {
	release  func() // the index's release, nil until the load
	released bool
}

var _ directoryIndex = (*lazyDirectory)(nil)

// get returns the index, loading it on the first call.
func (d *lazyDirectory) get() directoryIndex {
	if d.loaded.Load() {
		return d.ix
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.loaded.Load() {
		d.ix, d.snapTx, d.err = d.db.loadDirectory()
		if d.err != nil {
			d.ix = search.NewWithRegion(d.db.currentSettings().Region)
		}
		for _, h := range d.holds {
			if !h.released {
				h.release = d.ix.Hold()
			}
		}
		d.holds = nil
		d.loaded.Store(true)
	}
	return d.ix
}

// load loads the index and returns the error of loading it.
func (d *lazyDirectory) load() error {
	d.get()
	return d.err
}

func (d *lazyDirectory) Search(q model.Query) model.Hits { return d.get().Search(q) }
func (d *lazyDirectory) Summary(id model.ID) (*model.CustomerSummary, bool) {
	return d.get().Summary(id)
}
func (d *lazyDirectory) Len() int                           { return d.get().Len() }
func (d *lazyDirectory) Tags() []string                     { return d.get().Tags() }
func (d *lazyDirectory) Segments() []string                 { return d.get().Segments() }
func (d *lazyDirectory) Load(all []model.CustomerSummary)   { d.get().Load(all) }
func (d *lazyDirectory) Put(s model.CustomerSummary)        { d.get().Put(s) }
func (d *lazyDirectory) PutAll(all []model.CustomerSummary) { d.get().PutAll(all) }
func (d *lazyDirectory) PrepareAll(all []model.CustomerSummary) func() {
	return d.get().PrepareAll(all)
}
func (d *lazyDirectory) Delete(id model.ID) { d.get().Delete(id) }

// Hold defers the index's rebuilds until release. An index not loaded yet
// is not loaded for it: it is held from its load on, so a run that may
// never need it (an import's dry run) does not read it.
func (d *lazyDirectory) Hold() (release func()) {
	d.mu.Lock()
	if d.loaded.Load() {
		d.mu.Unlock()
		return d.ix.Hold()
	}
	h := &lazyHold{}
	d.holds = append(d.holds, h)
	d.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			d.mu.Lock()
			h.released = true
			rel := h.release
			d.holds = slices.DeleteFunc(d.holds, func(x *lazyHold) bool { return x == h })
			d.mu.Unlock()
			if rel != nil {
				rel()
			}
		})
	}
}
func (d *lazyDirectory) WriteSnapshot(w io.Writer) error { return d.get().WriteSnapshot(w) }

// Wait waits for the index's background work (benchmarks use it).
func (d *lazyDirectory) Wait() {
	if w, ok := d.get().(interface{ Wait() }); ok {
		w.Wait()
	}
}

// closeDirectory brings the snapshot file up to date at Close, writing as
// little as it can: nothing when the database is still at the snapshot's
// transaction; only the header's transaction ID when the writes since
// touched no customer (calendar stamps, settings, sync state: no commit
// ran since the load, or there was no load); the whole index otherwise.
func (db *DB) closeDirectory() error {
	d := db.dir
	now := db.txID()
	if !d.loaded.Load() {
		if now == db.openTx {
			return nil
		}
		return db.restampDirectory(db.openTx, now)
	}
	if d.err != nil {
		return nil // a broken index is not saved
	}
	if d.snapTx != 0 && d.gen.Load() == 0 {
		if now == d.snapTx {
			return nil
		}
		return db.restampDirectory(d.snapTx, now)
	}
	return db.saveDirectory()
}

// restampDirectory changes the transaction ID in the snapshot's header
// from old to now, when the snapshot is of old. The stored customers are
// the same at both (see closeDirectory), so the index is still current.
// An ID of the same length is overwritten in place (a few bytes of one
// sector: a crash leaves the old ID, a stale snapshot, or the new one);
// else the file is written anew through a temporary file.
func (db *DB) restampDirectory(old, now int) error {
	f, err := os.OpenFile(db.snapshotPath(), os.O_RDWR, 0)
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		return err
	}
	defer f.Close()
	var head [64]byte
	n, _ := io.ReadFull(f, head[:])
	at, size, ok := snapshotTxField(head[:n], old)
	if !ok {
		return nil // stale or another version: the next start rebuilds it
	}
	id := binary.AppendUvarint(nil, uint64(now))
	if len(id) == size {
		if _, err := f.WriteAt(id, int64(at)); err != nil {
			return err
		}
		return f.Sync()
	}
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<62))
	if err != nil {
		return err
	}
	return writeAtomic(db.snapshotPath(), func(w io.Writer) error {
		for _, part := range [][]byte{data[:at], id, data[at+size:]} {
			if _, err := w.Write(part); err != nil {
				return err
			}
		}
		return nil
	})
}

// snapshotTxField finds the transaction ID in a snapshot header of the
// current version: its offset and length, when it is tx.
func snapshotTxField(head []byte, tx int) (at, size int, ok bool) {
	if !bytes.HasPrefix(head, []byte(dirSnapshotMagic)) {
		return 0, 0, false
	}
	at = len(dirSnapshotMagic)
	v, n := binary.Uvarint(head[at:])
	if n <= 0 || v != dirSnapshotVersion {
		return 0, 0, false
	}
	at += n
	id, size := binary.Uvarint(head[at:])
	if size <= 0 || id != uint64(tx) {
		return 0, 0, false
	}
	return at, size, true
}
