package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// Backup reasons. Manual backups are never rotated away.
const (
	BackupManual  = "manual"
	BackupDaily   = "daily"
	BackupImport  = "import"
	BackupSync    = "sync"
	BackupMerge   = "merge"
	BackupRestore = "restore"
)

const backupPrefix = "kundenkartei-"
const backupTimeLayout = "20060102-150405.000"

// backupDir returns where backups go.
func (db *DB) backupDir() string {
	if d := db.currentSettings().BackupDir; d != "" {
		return d
	}
	return DefaultBackupDir(db.path)
}

// DefaultBackupDir is the backup folder of the database at dbPath when the
// settings name none: "backups" beside it.
func DefaultBackupDir(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), "backups")
}

// Backup writes a consistent snapshot (one read transaction) to a temp
// file, fsyncs and renames it, then rotates old automatic backups.
func (db *DB) Backup(reason string) (model.BackupInfo, error) {
	if reason == "" || strings.ContainsAny(reason, `/\. `) {
		return model.BackupInfo{}, model.Errorf(model.EINVALID, "invalid backup reason %q", reason)
	}
	dir := db.backupDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return model.BackupInfo{}, model.WrapError(model.EINTERNAL, err, "create backup folder %s", dir)
	}
	now := db.now()
	name := backupPrefix + now.UTC().Format(backupTimeLayout) + "-" + reason + ".db"
	path := filepath.Join(dir, name)
	var size int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		size = tx.Size()
		return writeAtomic(path, func(w io.Writer) error {
			_, err := tx.WriteTo(w)
			return err
		})
	})
	if err != nil {
		return model.BackupInfo{}, model.WrapError(model.EINTERNAL, err, "write backup %s", path)
	}
	info := model.BackupInfo{Path: path, Created: now.UTC().Truncate(time.Millisecond), Size: size, Reason: reason}
	return info, db.rotate()
}

// writeAtomic writes a file through a temp file in the same folder, fsync
// and rename, so readers see the old file or the whole new one.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil { // persist the rename
		d.Sync()
		d.Close()
	}
	return nil
}

// Backups lists backups, newest first.
func (db *DB) Backups() ([]model.BackupInfo, error) {
	return listBackups(db.backupDir())
}

func listBackups(dir string) ([]model.BackupInfo, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "list backups in %s", dir)
	}
	var out []model.BackupInfo
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, backupPrefix) || !strings.HasSuffix(name, ".db") {
			continue
		}
		rest := strings.TrimSuffix(strings.TrimPrefix(name, backupPrefix), ".db")
		if len(rest) < len(backupTimeLayout)+2 {
			continue
		}
		t, err := time.Parse(backupTimeLayout, rest[:len(backupTimeLayout)])
		if err != nil {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, model.BackupInfo{Path: filepath.Join(dir, name), Created: t, Size: fi.Size(), Reason: rest[len(backupTimeLayout)+1:]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// rotate removes the oldest automatic backups beyond BackupKeep.
func (db *DB) rotate() error {
	all, err := db.Backups()
	if err != nil {
		return err
	}
	keep := db.currentSettings().BackupKeep
	n := 0
	for _, b := range all {
		if b.Reason == BackupManual {
			continue
		}
		n++
		if n > keep {
			if err := os.Remove(b.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return model.WrapError(model.EINTERNAL, err, "remove old backup %s", b.Path)
			}
		}
	}
	return nil
}

// DailyBackup makes a "daily" backup unless one is younger than a day.
func (db *DB) DailyBackup() (bool, error) {
	all, err := db.Backups()
	if err != nil {
		return false, err
	}
	for _, b := range all {
		if b.Reason == BackupDaily && db.now().Sub(b.Created) < 24*time.Hour {
			return false, nil
		}
	}
	_, err = db.Backup(BackupDaily)
	return err == nil, err
}

// CloseAndRestore closes db and replaces its file with the backup at
// backupPath, keeping the replaced file in db's backup folder. The program
// must open the database again (in practice: restart) to use it.
func (db *DB) CloseAndRestore(backupPath string) error {
	dir := db.backupDir()
	if err := db.Close(); err != nil {
		return err
	}
	return Restore(backupPath, db.path, dir)
}

// Restore replaces the database file at dbPath with the backup at
// backupPath. The database must be closed. The backup is checked first
// (it must open and pass bbolt's consistency check); the current file is
// itself kept as a "restore" backup in backupDir, so a restore can be undone.
func Restore(backupPath, dbPath, backupDir string) error {
	if err := verifyFile(backupPath); err != nil {
		return model.WrapError(model.EINVALID, err, "backup %s is damaged or not a Kundenkartei database", backupPath)
	}
	published, err := identityPublished(backupPath, dbPath)
	if err != nil {
		return model.WrapError(model.EINVALID, err, "backup %s is damaged or not a Kundenkartei database", backupPath)
	}
	if _, err := os.Stat(dbPath); err == nil {
		if err := os.MkdirAll(backupDir, 0o700); err != nil {
			return model.WrapError(model.EINTERNAL, err, "create backup folder")
		}
		keep := filepath.Join(backupDir, backupPrefix+time.Now().UTC().Format(backupTimeLayout)+"-"+BackupRestore+".db")
		if err := copyFile(dbPath, keep); err != nil {
			return model.WrapError(model.EINTERNAL, err, "keep the current database before restoring")
		}
	}
	if err := copyFile(backupPath, dbPath); err != nil {
		return model.WrapError(model.EINTERNAL, err, "restore %s", backupPath)
	}
	if published {
		if err := renewDevice(dbPath); err != nil {
			return model.WrapError(model.EINTERNAL, err, "restore %s: new device identity", backupPath)
		}
	}
	// The directory snapshot describes the replaced file.
	if err := os.Remove(dbPath + ".directory"); err != nil && !errors.Is(err, os.ErrNotExist) {
		return model.WrapError(model.EINTERNAL, err, "restore %s", backupPath)
	}
	return nil
}

// identityPublished reports whether the device identity of the backup may
// have sent changes to a sync target: the backup's sync state says so, or
// the database it replaces, under the same identity, does. Only then does
// Restore give it a new one (see renewDevice). An identity that never sent
// anything keeps its ID, so its changes, stamped with it, are sent at the
// first sync: under a new ID they never would be (a device sends the
// changes stamped with its own ID). The sync state is sync/replica's JSON;
// its "last" is the sequence number of the identity's newest segment on
// the target (0 or missing: none).
func identityPublished(backupPath, dbPath string) (bool, error) {
	dev, published, err := syncedIdentity(backupPath)
	if err != nil || published {
		return true, err
	}
	if _, err := os.Stat(dbPath); err != nil {
		return false, nil
	}
	cur, curPublished, err := syncedIdentity(dbPath)
	if err != nil {
		return true, nil // the file being replaced cannot tell: be safe
	}
	return cur == dev && curPublished, nil
}

// syncedIdentity returns the device ID of the database at path and whether
// its sync state says that identity has sent segments.
func syncedIdentity(path string) (string, bool, error) {
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return "", false, err
	}
	defer bdb.Close()
	var dev string
	published := false
	err = bdb.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return errors.New("not a Kundenkartei database")
		}
		dev = string(meta.Get(keyDevice))
		raw := meta.Get(keySyncState)
		if len(raw) == 0 {
			return nil
		}
		var st struct {
			Last   uint64 `json:"last"`
			Device string `json:"device"`
		}
		if json.Unmarshal(raw, &st) != nil {
			published = true // unreadable: assume it did
			return nil
		}
		published = st.Last > 0 && (st.Device == "" || st.Device == dev)
		return nil
	})
	return dev, published, err
}

// renewDevice gives a restored database a new device ID. Its log may lack
// changes the old identity had already sent to other devices (made after
// the backup); as a new device it reads them back from the sync target
// instead of disagreeing with its own segments there. The sync state keeps
// the old ID, so sync/replica sees the change and reads the old identity's
// segments as another device's (see replica's state.adopt). Changes the old
// identity made but never sent before the backup go out at the first sync
// as the old identity's last segment (replica's sendFormer).
func renewDevice(path string) error {
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistArrayType})
	if err != nil {
		return err
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return errors.New("not a Kundenkartei database")
		}
		return meta.Put(keyDevice, []byte(uuid.NewString()))
	})
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	return err
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	return writeAtomic(to, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
}

// verifyFile opens a database file read-only and runs bbolt's check and ours.
func verifyFile(path string) error {
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	defer bdb.Close()
	return bdb.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil || tx.Bucket(bucketRec) == nil {
			return fmt.Errorf("no Kundenkartei buckets")
		}
		for err := range tx.Check() {
			return err
		}
		return nil
	})
}
