package storage

import (
	"path/filepath"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestNewSettingsOnlyForNewDatabases checks that a new database starts with
// the locale's defaults main hands in, while an existing one keeps the
// region its phone index was built with.
func TestNewSettingsOnlyForNewDatabases(t *testing.T) {
	open := func(path, region string) model.Settings {
		t.Helper()
		db, err := Open(path, Options{Now: newTestClock().Now, NewSettings: model.Settings{Region: region}})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer db.Close()
		st, err := db.Settings()
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Check(); err != nil {
			t.Errorf("check: %v", err)
		}
		return st
	}
	dir := t.TempDir()
	tests := []struct {
		name       string
		path       string
		region     string
		wantRegion string
	}{
		{name: "new database under de_DE", path: "de.db", region: "DE", wantRegion: "DE"},
		{name: "reopened under de_AT keeps DE", path: "de.db", region: "AT", wantRegion: "DE"},
		{name: "new database without defaults", path: "old.db", region: "", wantRegion: model.DefaultRegion},
		{name: "old database without stored settings keeps its region", path: "old.db", region: "GB", wantRegion: model.DefaultRegion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := open(filepath.Join(dir, tt.path), tt.region)
			if st.Region != tt.wantRegion {
				t.Errorf("got region %q, want %q", st.Region, tt.wantRegion)
			}
			if st.ReminderMinutes == 0 || st.BackupKeep == 0 {
				t.Errorf("got %+v, want the other defaults filled in", st)
			}
		})
	}
}
