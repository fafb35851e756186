package replica

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

// storeSim drives a real storage database through the model services.
type storeSim struct {
	*storage.DB
}

// openStore opens a fresh database under tb's temp dir. NoSync keeps the
// many small commits of a property run fast; durability is not under test.
func openStore(tb testing.TB, now func() time.Time, noSync bool) *storage.DB {
	tb.Helper()
	db, err := storage.Open(filepath.Join(tb.TempDir(), "kk.db"), storage.Options{Now: now, NoSync: noSync})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func newStoreSim(tb testing.TB, name string, now func() time.Time) simDB {
	db := openStore(tb, now, true)
	tb.Cleanup(func() { // before the close openStore registered
		if err := db.Check(); err != nil {
			tb.Errorf("%s: %v", name, err)
		}
	})
	return storeSim{db}
}

func (s storeSim) createCustomer(r *rand.Rand) error {
	c := &model.Customer{GivenName: pick(r, givenNames), FamilyName: pick(r, familyNames), Company: pick(r, companies)}
	c.ID = randomID(r)
	return s.CreateCustomer(c)
}

func (s storeSim) editCustomer(r *rand.Rand, id model.ID) error {
	c, err := s.Customer(id)
	if err != nil {
		return err
	}
	switch r.IntN(4) {
	case 0:
		c.FamilyName = pick(r, familyNames)
	case 1:
		c.Segment = pick(r, segments)
	case 2:
		c.Tags = append(c.Tags, fmt.Sprintf("Messe %d", r.IntN(5)))
	default:
		c.Memo = fmt.Sprintf("memo %d", r.IntN(1000))
	}
	return s.UpdateCustomer(c)
}

func (s storeSim) addNote(r *rand.Rand, customer model.ID) (model.ID, string, error) {
	n := &model.Note{CustomerID: customer, At: s.Now(), Kind: model.NoteFair,
		Text: fmt.Sprintf("Besuch %d bei %s", r.IntN(100000), s.DeviceID()[:8])}
	n.ID = randomID(r)
	err := s.AddNote(n)
	return n.ID, n.Text, err
}

func (s storeSim) customers() ([]model.ID, error) {
	var ids []model.ID
	for _, c := range s.Directory().Search(model.Query{}) {
		ids = append(ids, c.ID)
	}
	return sortedIDs(ids), nil
}

func (s storeSim) notes() (map[model.ID]string, error) {
	notes, err := s.Notes(model.NoteFilter{})
	if err != nil {
		return nil, err
	}
	out := map[model.ID]string{}
	for _, n := range notes {
		out[n.ID] = n.Text
	}
	return out, nil
}

// dump is every live record as JSON, one per line, sorted: the canonical
// form two converged databases must agree on byte for byte.
func (s storeSim) dump() (string, error) {
	ids, err := s.customers()
	if err != nil {
		return "", err
	}
	var lines []string
	add := func(kind string, v any) error {
		b, err := json.Marshal(v)
		lines = append(lines, kind+" "+string(b))
		return err
	}
	cs, err := s.Customers(ids)
	if err != nil {
		return "", err
	}
	for _, c := range cs {
		if err := add("customer", c); err != nil {
			return "", err
		}
	}
	notes, err := s.Notes(model.NoteFilter{})
	if err != nil {
		return "", err
	}
	for _, n := range notes {
		if err := add("note", n); err != nil {
			return "", err
		}
	}
	fus, err := s.FollowUps(model.FollowUpFilter{})
	if err != nil {
		return "", err
	}
	for _, f := range fus {
		if err := add("followup", f); err != nil {
			return "", err
		}
	}
	gs, err := s.Gestures(model.GestureFilter{})
	if err != nil {
		return "", err
	}
	for _, g := range gs {
		if err := add("gesture", g); err != nil {
			return "", err
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n"), nil
}

func TestPropertyStorage(t *testing.T) {
	for seed := uint64(1); seed <= uint64(*propertySeeds); seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			runProperty(t, seed, propertyConfig{devices: 2 + int(seed%4), steps: 150, newDB: newStoreSim})
		})
	}
}

func (s storeSim) deleteCustomer(id model.ID) error { return s.DeleteCustomer(id) }

func (s storeSim) deleteNote(id model.ID) error { return s.DeleteNote(id) }

func (s storeSim) mergeCustomers(survivor, duplicate model.ID) error {
	return s.MergeCustomers(survivor, duplicate)
}

func (s storeSim) undoMerge(r *rand.Rand) error {
	ms, err := s.Merges()
	if err != nil || len(ms) == 0 {
		return err
	}
	_, err = s.UndoMerge(ms[r.IntN(len(ms))].Duplicate)
	return err
}

func (s storeSim) listedOwner(id model.ID) bool {
	_, err := s.Customer(id)
	return err == nil
}

// TestTradeFairLaptop is the story from the issue on real storage: a new
// laptop joins the office's target, receives the customers, captures
// leads and notes at a fair without any connection, and brings them home.
func TestTradeFairLaptop(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "Nextcloud", "Kundenkartei")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	wall := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	now := func() time.Time { return wall }
	office := openStore(t, now, true)
	r := rand.New(rand.NewPCG(21, 22))
	for i := 0; i < 40; i++ {
		if err := (storeSim{office}).createCustomer(r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := InitWithKDF(ctx, NewFolderTarget(dir), "Messe-Team 2026!", testKDF); err != nil {
		t.Fatal(err)
	}
	officeKey, err := Join(ctx, NewFolderTarget(dir), "Messe-Team 2026!")
	if err != nil {
		t.Fatal(err)
	}
	officeSync := NewSyncer(office, office, NewFolderTarget(dir), officeKey, DBStateStore(office))
	if _, err := officeSync.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}

	laptop := openStore(t, func() time.Time { return wall.Add(-3 * time.Minute) }, true) // its clock is behind
	if _, err := Join(ctx, NewFolderTarget(dir), "Messe-Team 2025!"); model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("join with last year's passphrase: got %v, want EINVALID", err)
	}
	key, err := Join(ctx, NewFolderTarget(dir), "Messe-Team 2026!")
	if err != nil {
		t.Fatal(err)
	}
	// The lead keeps the key so the laptop syncs later without the passphrase.
	text, err := key.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	var kept Key
	if err := kept.UnmarshalText(text); err != nil {
		t.Fatal(err)
	}
	lapSync := NewSyncer(laptop, laptop, NewFolderTarget(dir), &kept, DBStateStore(laptop))
	rep, err := lapSync.Sync(ctx, nil)
	if err != nil || laptop.Directory().Len() != 40 || rep.Backup == nil {
		t.Fatalf("join: got %d customers, backup %v, %v, want 40 and a backup", laptop.Directory().Len(), rep.Backup, err)
	}

	// At the fair: no connection for days.
	offline := NewSyncer(laptop, laptop, NewFolderTarget(filepath.Join(t.TempDir(), "not-mounted")), &kept, DBStateStore(laptop))
	var leads []model.ID
	for day := 0; day < 3; day++ {
		wall = wall.Add(24 * time.Hour)
		for i := 0; i < 5; i++ {
			c := &model.Customer{GivenName: pick(r, givenNames), FamilyName: pick(r, familyNames), Company: "Messebesuch AG",
				Tags: []string{"Messe Basel 2026"}, Source: "Messe Basel 2026"}
			if err := laptop.CreateCustomer(c); err != nil {
				t.Fatal(err)
			}
			leads = append(leads, c.ID)
			if err := laptop.AddNote(&model.Note{CustomerID: c.ID, At: laptop.Now(), Kind: model.NoteFair,
				Text: fmt.Sprintf("Tag %d: will eine Offerte", day+1)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := offline.Sync(ctx, nil); err == nil {
			t.Fatal("sync without the folder: got no error")
		}
	}
	// Meanwhile the office edits one of the same customers.
	ids, _ := (storeSim{office}).customers()
	c, err := office.Customer(ids[0])
	if err != nil {
		t.Fatal(err)
	}
	c.Memo = "Rückruf Montag"
	if err := office.UpdateCustomer(c); err != nil {
		t.Fatal(err)
	}

	// Home again.
	if _, err := lapSync.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := officeSync.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := lapSync.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	got, err := office.Customers(leads)
	if err != nil || len(got) != len(leads) {
		t.Fatalf("office has %d of %d leads, %v", len(got), len(leads), err)
	}
	for _, id := range leads {
		notes, err := office.Notes(model.NoteFilter{CustomerID: id})
		if err != nil || len(notes) != 1 {
			t.Errorf("lead %s: got %d notes, %v, want 1", id, len(notes), err)
		}
	}
	sameStores(t, office, laptop)
	if lc, err := laptop.Customer(ids[0]); err != nil || lc.Memo != "Rückruf Montag" {
		t.Errorf("laptop: got memo %q, %v, want the office's edit", lc.Memo, err)
	}
}

// sameStores fails t unless office and laptop hold the same records.
func sameStores(t *testing.T, office, laptop *storage.DB) {
	t.Helper()
	a, err := (storeSim{office}).dump()
	if err != nil {
		t.Fatal(err)
	}
	b, err := (storeSim{laptop}).dump()
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("office and laptop differ:\n%s", firstDiff(b, a))
	}
}

// openAt opens the database at path, closed at the end of the test (a
// restore closes it earlier).
func openAt(t *testing.T, path string, now func() time.Time) *storage.DB {
	t.Helper()
	db, err := storage.Open(path, storage.Options{Now: now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// mustCreate stores a new customer.
func mustCreate(t *testing.T, db *storage.DB, given, family string) *model.Customer {
	t.Helper()
	c := &model.Customer{GivenName: given, FamilyName: family}
	if err := db.CreateCustomer(c); err != nil {
		t.Fatal(err)
	}
	return c
}

// newTeamFolder sets up a sync folder and joins it.
func newTeamFolder(t *testing.T) (string, *Key) {
	t.Helper()
	dir := t.TempDir()
	if _, err := InitWithKDF(context.Background(), NewFolderTarget(dir), "Messe-Team 2026!", testKDF); err != nil {
		t.Fatal(err)
	}
	key, err := Join(context.Background(), NewFolderTarget(dir), "Messe-Team 2026!")
	if err != nil {
		t.Fatal(err)
	}
	return dir, key
}

// restoreAndOpen restores db (at path) from backup and opens it again,
// closed at the end of the test.
func restoreAndOpen(t *testing.T, db *storage.DB, backup, path string, now func() time.Time) *storage.DB {
	t.Helper()
	if err := db.CloseAndRestore(backup); err != nil {
		t.Fatal(err)
	}
	return openAt(t, path, now)
}

// TestRestoredDeviceRecoversItsSentChanges: a laptop is restored from an
// old backup. It gets a new device ID, so its next sync does not stop:
// what it had sent after the backup comes back from the target.
func TestRestoredDeviceRecoversItsSentChanges(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return time.Now().UTC() }
	dir, key := newTeamFolder(t)
	office := openStore(t, now, true)
	officeSync := NewSyncer(office, office, NewFolderTarget(dir), key, DBStateStore(office))
	lapPath := filepath.Join(t.TempDir(), "laptop.db")
	laptop, err := storage.Open(lapPath, storage.Options{Now: now, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	syncLaptop := func() (Report, error) {
		return NewSyncer(laptop, laptop, NewFolderTarget(dir), key, DBStateStore(laptop)).Sync(ctx, nil)
	}
	create := func(db *storage.DB, name string) model.ID {
		t.Helper()
		c := &model.Customer{GivenName: name, FamilyName: "Brunner"}
		if err := db.CreateCustomer(c); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	synced := create(laptop, "Synced")
	if _, err := syncLaptop(); err != nil {
		t.Fatal(err)
	}
	unsent := create(laptop, "Unsent") // in the backup, sent by the old identity after it
	backup, err := laptop.Backup(storage.BackupManual)
	if err != nil {
		t.Fatal(err)
	}
	afterBackup := create(laptop, "AfterBackup")
	if _, err := syncLaptop(); err != nil {
		t.Fatal(err)
	}
	oldID := laptop.DeviceID()
	laptop = restoreAndOpen(t, laptop, backup.Path, lapPath, now)
	if laptop.DeviceID() == oldID {
		t.Fatal("the restored laptop kept its device ID")
	}
	if _, err := laptop.Customer(afterBackup); err == nil {
		t.Fatal("the backup already holds the later customer; the test proves nothing")
	}
	if _, err := syncLaptop(); err != nil {
		t.Fatalf("first sync after restore: %v", err)
	}
	for _, id := range []model.ID{synced, unsent, afterBackup} {
		if _, err := laptop.Customer(id); err != nil {
			t.Errorf("restored laptop misses customer %s after sync: %v", id, err)
		}
	}
	fresh := create(laptop, "AfterRestore")
	if _, err := syncLaptop(); err != nil {
		t.Fatal(err)
	}
	if _, err := officeSync.Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range []model.ID{synced, unsent, afterBackup, fresh} {
		if _, err := office.Customer(id); err != nil {
			t.Errorf("office misses customer %s: %v", id, err)
		}
	}
	if err := laptop.Check(); err != nil {
		t.Error(err)
	}
}

// TestRestoredUnsyncedDeviceSendsEverything: a database that never synced
// is restored from its backup (undoing an import, say), and sync is set
// up afterwards. It keeps its device ID, so everything it holds reaches
// the other devices: under a new ID its changes, stamped with the old
// one, were never sent.
func TestRestoredUnsyncedDeviceSendsEverything(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return time.Now().UTC() }
	dir, key := newTeamFolder(t)
	lapPath := filepath.Join(t.TempDir(), "laptop.db")
	laptop := openAt(t, lapPath, now)
	kept := mustCreate(t, laptop, "Vor", "Sicherung")
	backup, err := laptop.Backup(storage.BackupManual)
	if err != nil {
		t.Fatal(err)
	}
	undone := mustCreate(t, laptop, "Falsch", "Importiert")
	oldID := laptop.DeviceID()
	laptop = restoreAndOpen(t, laptop, backup.Path, lapPath, now)
	if laptop.DeviceID() != oldID {
		t.Error("a database that never synced got a new device ID on restore")
	}
	if _, err := NewSyncer(laptop, laptop, NewFolderTarget(dir), key, DBStateStore(laptop)).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	office := openStore(t, now, true)
	if _, err := NewSyncer(office, office, NewFolderTarget(dir), key, DBStateStore(office)).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := office.Customer(kept.ID); err != nil {
		t.Errorf("the office misses the restored laptop's customer: %v", err)
	}
	if _, err := office.Customer(undone.ID); err == nil {
		t.Error("the office got the customer the restore undid")
	}
}

// TestRestoredDeviceSendsWhatItsBackupHeldUnsent: a laptop syncs, records
// a customer, is backed up, and breaks before its next sync. Restored
// from that backup, it sends the customer its old identity never sent.
func TestRestoredDeviceSendsWhatItsBackupHeldUnsent(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return time.Now().UTC() }
	dir, key := newTeamFolder(t)
	lapPath := filepath.Join(t.TempDir(), "laptop.db")
	laptop := openAt(t, lapPath, now)
	syncLaptop := func() (Report, error) {
		return NewSyncer(laptop, laptop, NewFolderTarget(dir), key, DBStateStore(laptop)).Sync(ctx, nil)
	}
	synced := mustCreate(t, laptop, "Schon", "Gesendet")
	if _, err := syncLaptop(); err != nil {
		t.Fatal(err)
	}
	unsent := mustCreate(t, laptop, "Nie", "Gesendet")
	backup, err := laptop.Backup(storage.BackupManual)
	if err != nil {
		t.Fatal(err)
	}
	oldID := laptop.DeviceID()
	laptop = restoreAndOpen(t, laptop, backup.Path, lapPath, now)
	if laptop.DeviceID() == oldID {
		t.Fatal("a database that sent segments kept its device ID")
	}
	rep, err := syncLaptop()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pushed == 0 {
		t.Errorf("the restored laptop pushed nothing: %+v", rep)
	}
	later := mustCreate(t, laptop, "Nach", "Wiederherstellung")
	if _, err := syncLaptop(); err != nil {
		t.Fatal(err)
	}
	office := openStore(t, now, true)
	if _, err := NewSyncer(office, office, NewFolderTarget(dir), key, DBStateStore(office)).Sync(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*model.Customer{synced, unsent, later} {
		if _, err := office.Customer(c.ID); err != nil {
			t.Errorf("the office misses %s %s: %v", c.GivenName, c.FamilyName, err)
		}
	}
	sameStores(t, office, laptop)
}
