package storage

import (
	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// withDefaults fills unset settings.
func withDefaults(s model.Settings) model.Settings {
	if s.Region == "" {
		s.Region = model.DefaultRegion
	}
	if s.ReminderMinutes == 0 {
		s.ReminderMinutes = 15
	}
	if s.FollowUpDays == 0 {
		s.FollowUpDays = 7
	}
	if s.BackupKeep == 0 {
		s.BackupKeep = 10
	}
	return s
}

func (db *DB) currentSettings() model.Settings {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.settings
}

// Settings returns the device settings with defaults filled in.
func (db *DB) Settings() (model.Settings, error) { return db.currentSettings(), nil }

// SaveSettings stores the device settings. A new phone region re-keys the
// phone index in the same transaction, since E.164 forms depend on it.
func (db *DB) SaveSettings(s model.Settings) error {
	s = withDefaults(s)
	if _, err := model.ParseRegion(s.Region); err != nil {
		return err
	}
	old := db.currentSettings()
	err := db.update(func(w *writer) error {
		raw, err := json.Marshal(s)
		if err != nil {
			return err
		}
		if err := w.tx.Bucket(bucketMeta).Put(keySettings, raw); err != nil {
			return err
		}
		if s.Region != old.Region {
			return rebuildPhoneIndex(w.tx, s.Region)
		}
		return nil
	})
	if err != nil {
		return err
	}
	db.mu.Lock()
	db.settings = s
	db.mu.Unlock()
	return nil
}

func rebuildPhoneIndex(tx *bolt.Tx, region string) error {
	idx := tx.Bucket(bucketIdx)
	if err := idx.DeleteBucket(idxCustPhone); err != nil {
		return err
	}
	b, err := idx.CreateBucket(idxCustPhone)
	if err != nil {
		return err
	}
	return recBucket(tx, model.TypeCustomer).ForEach(func(k, v []byte) error {
		var c model.Customer
		if err := json.Unmarshal(v, &c); err != nil {
			return err
		}
		for _, ik := range customerKeys(tx, &c, region) {
			if string(ik.bucket) == string(idxCustPhone) && live(&c.Meta) {
				if err := b.Put(ik.key, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// SyncState returns the opaque state sync/replica keeps in this database.
func (db *DB) SyncState() ([]byte, error) {
	var out []byte
	err := db.view(func(tx *bolt.Tx) error {
		out = append([]byte(nil), tx.Bucket(bucketMeta).Get(keySyncState)...)
		return nil
	})
	return out, err
}

// SaveSyncState stores the sync state durably.
func (db *DB) SaveSyncState(state []byte) error {
	return translate(db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySyncState, state)
	}))
}
