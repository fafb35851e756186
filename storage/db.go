package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/kundenkartei/kundenkartei/model"
)

// Options configure Open. Zero values pick sensible defaults.
type Options struct {
	// Now is the wall clock; time.Now when nil. Tests fix it.
	Now func() time.Time
	// Timeout is how long Open waits for another instance to release the
	// file before it returns ELOCKED; 1 s when zero.
	Timeout time.Duration
	// NoSync skips fsync on commit. Only for benchmarks that build data sets.
	NoSync bool
	// LazyDirectory loads the customer directory (summaries and search
	// index, 100 MB for 100,000 customers) when it is first used instead
	// of in Open: for commands that may not need it, as an export of
	// follow-ups or a backup. An error of the late load makes the
	// directory empty and fails the writes and Check.
	LazyDirectory bool
	// ExportMemory is how much memory an export may use beside the open
	// database; 16 MB when zero, as beside the GUI (the automatic .ics);
	// the CLI, which holds nothing else, gives 64 MB. An export of
	// customers keeps up to that much of the file's mapping resident
	// before it drops the pages it touched (see mapping.go): the records
	// lie all over the file, and without drops an export of every
	// follow-up kept a gigabyte of the mapping resident, while dropping
	// after every batch of 256 faulted the same pages in again and again.
	// An export of follow-ups reads windows of ExportMemory/4 KiB of them
	// (see exportWindowItem), and keeps their customers for the whole
	// export when that takes at most half of ExportMemory, else for one
	// window at a time (see exportCustomers).
	ExportMemory int64
	// DeviceName names this computer ("Laptop Messe", the host name) as
	// the author of changes while no user name is set, so that a conflict
	// or a note says where it came from; main passes the host name.
	DeviceName string
	// NewSettings are the settings a database created by this Open starts
	// with; main passes the phone region of the user's locale. A database
	// that exists keeps what it has (without stored settings, the region
	// is model.DefaultRegion, the one its phone index was built for).
	NewSettings model.Settings
}

// pageSize is the page size of a new database file (an existing one keeps
// its own). bbolt writes every dirty page with a pwrite of its own and
// rewrites a whole page for any change in it; with 16 KiB pages (as
// InnoDB's) a sync of 100,000 changes makes a quarter of the write calls,
// the trees are a level shallower, and the bytes written stay about the
// same: the buckets that take random keys (stats, index entries by
// customer) are rewritten almost whole by a large transaction either way.
const pageSize = 16 << 10

// initialMmap is how much of the file bbolt maps at least (not on Windows).
const initialMmap = 128 << 20

// DB is the bbolt-backed implementation of model.Services.
type DB struct {
	bolt   *bolt.DB
	path   string
	now    func() time.Time
	clock  *model.Clock
	device string
	dir    *lazyDirectory
	openTx int         // the last transaction when Open was done
	closed atomic.Bool // Close ran; a second Close does nothing

	scrubAgain atomic.Bool // an erasure's scrub missed pages a read held (erase_scrub.go)

	release      releaser                // releases the file's mapped pages when idle (mapping.go)
	exportMemory int64                   // Options.ExportMemory
	bulk         atomic.Pointer[bulkRun] // the bulk run going on (BeginBulk), nil for none
	deviceName   string                  // Options.DeviceName

	// writeMu makes a write transaction and the directory update after its
	// commit one step, so the next writer reads a directory that matches
	// the committed data (writers take stats and summaries from it). The
	// one exception is updateLate, whose directory update runs on while
	// the next transaction goes on; dirPending is closed when it is done,
	// and every writer waits for it before reading the directory (see
	// settleDirectory).
	writeMu    sync.Mutex
	dirPending chan struct{} // guarded by writeMu

	mu       sync.RWMutex // guards settings and subs
	settings model.Settings
	subs     map[int]func([]model.Change)
	nextSub  int
}

// directoryIndex is the in-memory customer index the DB keeps current
// after every commit (implemented by package search).
type directoryIndex interface {
	model.Directory
	Load(all []model.CustomerSummary)
	Put(s model.CustomerSummary)
	// PutAll is Put for many; of several with one ID the last counts.
	PutAll(all []model.CustomerSummary)
	// PrepareAll is PutAll in two steps: the work, then the put it returns.
	PrepareAll(all []model.CustomerSummary) (put func())
	Delete(id model.ID)
	// Hold defers rebuilds of the index during a long run of writes.
	Hold() (release func())
	// WriteSnapshot writes what search.ReadSnapshot reads back.
	WriteSnapshot(w io.Writer) error
}

// Services returns db as model.Services; DB implements all of them.
var _ model.Services = (*DB)(nil)
var _ model.BulkLoader = (*DB)(nil)

// DefaultPath returns the database path in the user's data directory:
// %AppData%\Kundenkartei on Windows, ~/Library/Application Support/Kundenkartei
// on macOS, $XDG_DATA_HOME/kundenkartei (~/.local/share/kundenkartei) on Linux.
// KUNDENKARTEI_DB overrides it.
func DefaultPath() (string, error) {
	if p := os.Getenv("KUNDENKARTEI_DB"); p != "" {
		return p, nil
	}
	var dir string
	switch runtime.GOOS {
	case "windows", "darwin":
		d, err := os.UserConfigDir() // %AppData%, ~/Library/Application Support
		if err != nil {
			return "", err
		}
		dir = filepath.Join(d, "Kundenkartei")
	default:
		if x := os.Getenv("XDG_DATA_HOME"); x != "" {
			dir = filepath.Join(x, "kundenkartei")
		} else {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", err
			}
			dir = filepath.Join(home, ".local", "share", "kundenkartei")
		}
	}
	return filepath.Join(dir, "kundenkartei.db"), nil
}

// Open opens or creates the database at path (mode 0600, directories 0700),
// migrates it to the current schema and loads the customer directory. A
// database held open by another instance yields ELOCKED after the timeout.
func Open(path string, opt Options) (*DB, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Timeout == 0 {
		opt.Timeout = time.Second
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "create data folder")
	}
	// The array freelist, not the hashmap one: the hashmap sorts its free
	// spans with sort.Sort on every commit to write them out, which on the
	// large data set (33,000 free pages) was most of a one-note commit's
	// CPU; the array is kept sorted and merged in linear time. Its weak
	// spot, multi-page allocations scanning the list, is rare here (records
	// are smaller than a page). Both write the same freelist page.
	bopt := &bolt.Options{Timeout: opt.Timeout, NoSync: opt.NoSync, FreelistType: bolt.FreelistArrayType, PageSize: pageSize}
	if runtime.GOOS != "windows" {
		// Growing the mapping inside a write transaction copies every node
		// the transaction holds out of the old one, and waits for readers;
		// a growing database did that a dozen times on its way to 100 MB.
		// Mapping more than the file costs only address space, except on
		// Windows, where bbolt grows the file to the mapping's size.
		bopt.InitialMmapSize = initialMmap
	}
	bdb, err := bolt.Open(path, 0o600, bopt)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, model.WrapError(model.ELOCKED, err, "database %s is already open in another instance", path)
	} else if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "open database %s", path)
	}
	db := &DB{bolt: bdb, path: path, now: opt.Now, subs: map[int]func([]model.Change){}}
	db.dir = &lazyDirectory{db: db}
	db.exportMemory = opt.ExportMemory
	db.deviceName = strings.TrimSpace(opt.DeviceName)
	if db.exportMemory <= 0 {
		db.exportMemory = defaultExportMemory
	}
	if err := db.init(opt.LazyDirectory, opt.NewSettings); err != nil {
		bdb.Close()
		return nil, err
	}
	if err := db.reapplyErasures(); err != nil {
		bdb.Close()
		return nil, err
	}
	db.touched() // migration and a directory rebuild read the whole file
	return db, nil
}

// init migrates, reads the device identity, clock and settings, and loads
// the directory unless lazy.
func (db *DB) init(lazy bool, fresh model.Settings) error {
	if needsMigration(db.bolt) {
		if err := db.bolt.Update(func(tx *bolt.Tx) error {
			isNew := tx.Bucket(bucketMeta) == nil
			if err := migrate(tx, db.now); err != nil {
				return err
			}
			if !isNew || fresh == (model.Settings{}) {
				return nil
			}
			raw, err := json.Marshal(withDefaults(fresh))
			if err != nil {
				return err
			}
			return tx.Bucket(bucketMeta).Put(keySettings, raw)
		}); err != nil {
			return model.WrapError(model.EINTERNAL, err, "migrate database")
		}
	}
	var last model.HLC
	err := db.bolt.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		db.device = string(meta.Get(keyDevice))
		if v := meta.Get(keyHLC); len(v) == 8 {
			last = model.HLC(binary.BigEndian.Uint64(v))
		}
		if v := meta.Get(keySettings); v != nil {
			if err := json.Unmarshal(v, &db.settings); err != nil {
				return fmt.Errorf("settings: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "read database header")
	}
	db.settings = withDefaults(db.settings)
	db.clock = model.NewClock(db.now)
	db.clock.Observe(last)
	db.openTx = db.txID()
	if lazy {
		return nil
	}
	return db.dir.load()
}

// Close brings the directory snapshot up to date and closes the database
// file.
func (db *DB) Close() error {
	if db.closed.Swap(true) {
		return nil // CloseAndRestore closed it already
	}
	db.stopReleases()
	var snapErr error
	if err := db.scrubBeforeClose(); err != nil {
		snapErr = model.WrapError(model.EINTERNAL, err, "overwrite free pages")
	}
	if !db.bolt.IsReadOnly() && db.dir != nil {
		// Without the snapshot the next start rebuilds the directory, so a
		// failure is reported but does not keep the database open.
		if err := db.closeDirectory(); err != nil {
			snapErr = model.WrapError(model.EINTERNAL, err, "write directory snapshot")
		}
	}
	if err := db.bolt.Close(); err != nil {
		return model.WrapError(model.EINTERNAL, err, "close database")
	}
	return snapErr
}

// Path returns the file the database lives in.
func (db *DB) Path() string { return db.path }

// DeviceID returns this database's device ID.
func (db *DB) DeviceID() string { return db.device }

// Now returns the current time of the injected clock.
func (db *DB) Now() time.Time { return db.now() }

// Directory returns the in-memory customer index.
func (db *DB) Directory() model.Directory { return db.dir }

// Subscribe registers fn to be called after every commit.
func (db *DB) Subscribe(fn func([]model.Change)) (cancel func()) {
	db.mu.Lock()
	defer db.mu.Unlock()
	id := db.nextSub
	db.nextSub++
	db.subs[id] = fn
	return func() {
		db.mu.Lock()
		defer db.mu.Unlock()
		delete(db.subs, id)
	}
}

func (db *DB) notify(changes []model.Change) {
	if len(changes) == 0 {
		return
	}
	db.mu.RLock()
	fns := make([]func([]model.Change), 0, len(db.subs))
	for _, fn := range db.subs {
		fns = append(fns, fn)
	}
	db.mu.RUnlock()
	for _, fn := range fns {
		fn(changes)
	}
}

// author returns the user name changes are made in, or the device's name
// while no user name is set.
func (db *DB) author() string {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.settings.UserName == "" {
		return db.deviceName
	}
	return db.settings.UserName
}

// view runs fn in a read transaction and translates bbolt's errors.
func (db *DB) view(fn func(tx *bolt.Tx) error) error {
	defer db.touched()
	return translate(db.bolt.View(fn))
}

// update runs fn in one write transaction with a change context; after a
// successful commit it applies the directory updates and notifies
// subscribers. Nothing is applied or announced when fn fails.
func (db *DB) update(fn func(w *writer) error) error {
	w, err := db.commit(fn, false)
	if err != nil {
		return err
	}
	w.notify() // outside the lock: subscribers may write
	return nil
}

// updateLate is update for the chunks of ApplyOps: the directory update
// after the commit runs on another goroutine, so the next chunk's records
// are written meanwhile, and the caller notifies subscribers with the
// returned writer once the update is done (see settleDirectory).
func (db *DB) updateLate(fn func(w *writer) error) (*writer, error) {
	return db.commit(fn, true)
}

// commit runs fn and finish in one write transaction and updates the
// directory after it: at once, or with late on another goroutine. A
// pending late update is settled before anything reads the directory:
// before fn (which may), or with late only before finish (which does).
func (db *DB) commit(fn func(w *writer) error, late bool) (*writer, error) {
	var w *writer
	defer db.touched()
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	if !late {
		db.settleDirectory()
	}
	// Load the directory before the first write changes customers (see
	// lazyDirectory); every commit makes the snapshot one to write again.
	if err := db.dir.load(); err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "load the customer directory")
	}
	db.dir.gen.Add(1)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		w = newWriter(db, tx)
		if err := fn(w); err != nil {
			return err
		}
		db.settleDirectory() // finish takes stats and summaries from it
		return w.finish()
	})
	if err != nil {
		return nil, translate(err)
	}
	if !late {
		w.updateDirectory()
		return w, nil
	}
	done := make(chan struct{})
	db.dirPending = done
	go func() {
		defer close(done)
		if testHookLateDirectory != nil {
			testHookLateDirectory()
		}
		w.updateDirectory()
	}()
	return w, nil
}

// testHookLateDirectory, when set by a test, runs before a late directory
// update, to make it late.
var testHookLateDirectory func()

// settleDirectory waits for the directory update of the last updateLate.
// The caller holds writeMu.
func (db *DB) settleDirectory() {
	if db.dirPending != nil {
		<-db.dirPending
		db.dirPending = nil
	}
}

// translate maps bbolt's errors to model error codes; model errors pass.
func translate(err error) error {
	var me *model.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &me):
		return err
	case errors.Is(err, bolterrors.ErrDatabaseNotOpen):
		return model.WrapError(model.EINTERNAL, err, "database is closed")
	case errors.Is(err, bolterrors.ErrTimeout):
		return model.WrapError(model.ELOCKED, err, "database is locked")
	}
	return model.WrapError(model.EINTERNAL, err, "database")
}
