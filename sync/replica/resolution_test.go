package replica

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

// TestClosedComplaintSyncs: the office records a complaint, the laptop
// closes it with a resolution note; after a round trip through the folder
// the complaint is closed on both devices and the resolution is there.
func TestClosedComplaintSyncs(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "share")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	wall := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	now := func() time.Time { return wall }
	office, laptop := openStore(t, now, true), openStore(t, now, true)
	if _, err := InitWithKDF(ctx, NewFolderTarget(dir), "Team-Schlüssel 2026", testKDF); err != nil {
		t.Fatal(err)
	}
	syncer := func(db *storage.DB) *Syncer {
		key, err := Join(ctx, NewFolderTarget(dir), "Team-Schlüssel 2026")
		if err != nil {
			t.Fatal(err)
		}
		return NewSyncer(db, db, NewFolderTarget(dir), key, DBStateStore(db))
	}
	officeSync, lapSync := syncer(office), syncer(laptop)
	sync := func(s *Syncer) {
		t.Helper()
		if _, err := s.Sync(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}

	c := &model.Customer{GivenName: "Käthi", FamilyName: "Zürcher"}
	if err := office.CreateCustomer(c); err != nil {
		t.Fatal(err)
	}
	if err := office.AddNote(&model.Note{CustomerID: c.ID, At: wall, Kind: model.NoteComplaint,
		Impression: model.Negative, Text: "Lieferung zu spät"}); err != nil {
		t.Fatal(err)
	}
	sync(officeSync)
	sync(lapSync)
	if s, ok := laptop.Directory().Summary(c.ID); !ok || !s.OpenComplaint {
		t.Fatalf("laptop before closing: got found %v, open %v, want an open complaint", ok, s.OpenComplaint)
	}

	wall = wall.Add(2 * time.Hour)
	if err := laptop.AddNote(&model.Note{CustomerID: c.ID, At: wall, Kind: model.NoteResolution,
		Impression: model.Positive, Text: "Ersatz geliefert, Kunde zufrieden"}); err != nil {
		t.Fatal(err)
	}
	sync(lapSync)
	sync(officeSync)
	for name, db := range map[string]*storage.DB{"office": office, "laptop": laptop} {
		if s, _ := db.Directory().Summary(c.ID); s.OpenComplaint {
			t.Errorf("%s after sync: complaint still open", name)
		}
		notes, err := db.Notes(model.NoteFilter{CustomerID: c.ID, Kinds: []model.NoteKind{model.NoteResolution}})
		if err != nil || len(notes) != 1 || notes[0].Text != "Ersatz geliefert, Kunde zufrieden" {
			t.Errorf("%s: got resolutions %+v, %v, want the laptop's one", name, notes, err)
		}
		if err := db.Check(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
