package storage

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// person is a customer with something of every kind attached, and the
// strings and bytes that must vanish with an erasure.
type person struct {
	c, dup  *model.Customer
	secrets []string // name, email, note text … as stored or folded
	photo   []byte
	noteIDs []model.ID
}

// testPhoto returns a PNG whose pixels spell a pattern found nowhere else.
func testPhoto(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 24, 24))
	for i := range img.Pix {
		img.Pix[i] = byte(i*7 + 13)
	}
	img.Set(0, 0, color.RGBA{1, 2, 3, 255})
	var b bytes.Buffer
	mustOK(tb, png.Encode(&b, img))
	return b.Bytes()
}

// addPerson stores Kunigunde Zwetschgenbaum with notes (one revised, one
// deleted), a follow-up, an event invitation, a consent, a photo, and a
// duplicate merged into her.
func addPerson(tb testing.TB, db *DB) person {
	tb.Helper()
	c := newCustomer("Kunigunde", "Zwetschgenbaum", "Pflaumenhof AG")
	c.Emails = []model.Email{{Label: "work", Address: "kunigunde.zwetschge@example.ch"}}
	c.Phones = []model.Phone{{Label: "mobile", Number: "+41 79 555 12 34"}}
	c.Addresses = []model.Address{{Street: "Quittenweg 17", PostalCode: "8001", City: "Zürich"}}
	c.Consents = []model.Consent{{Channel: model.Channels[0], Purpose: "Newsletter", GivenAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Source: "Messe"}}
	mustOK(tb, db.CreateCustomer(c))
	p := person{c: c, photo: testPhoto(tb)}
	mustOK(tb, db.SetPhoto(c.ID, p.photo))
	n1 := &model.Note{CustomerID: c.ID, Kind: model.NoteVisit, Text: "Geheimnisnotiz Marmelade Quittengelee"}
	mustOK(tb, db.AddNote(n1))
	n2 := &model.Note{CustomerID: c.ID, Kind: model.NoteCall, Text: "Revidiert Holunderblütensirup"}
	mustOK(tb, db.ReviseNote(n1.ID, n2))
	n3 := &model.Note{CustomerID: c.ID, Kind: model.NoteComplaint, Text: "Gelöschte Beschwerde Mirabellenkompott"}
	mustOK(tb, db.AddNote(n3))
	mustOK(tb, db.DeleteNote(n3.ID))
	p.noteIDs = []model.ID{n1.ID, n2.ID, n3.ID}
	mustOK(tb, db.CreateFollowUp(&model.FollowUp{CustomerID: c.ID, Due: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Title: "Rückruf Aprikosenernte", TZ: "Europe/Zurich"}))
	ev := &model.Event{Name: "Sommerfest", Start: time.Date(2027, 6, 1, 17, 0, 0, 0, time.UTC), TZ: "Europe/Zurich"}
	mustOK(tb, db.CreateEvent(ev))
	if _, err := db.Invite(ev.ID, []model.ID{c.ID}, model.Gesture{Kind: model.GestureInvite, Title: "Einladung Stachelbeertorte", Status: model.GestureOffered}); err != nil {
		tb.Fatal(err)
	}
	dup := newCustomer("Kuni", "Zwetschgenbaum-Dublette", "")
	dup.Emails = []model.Email{{Address: "kuni.privat.dublette@example.org"}}
	mustOK(tb, db.CreateCustomer(dup))
	mustOK(tb, db.AddNote(&model.Note{CustomerID: dup.ID, Kind: model.NoteFair, Text: "Dublettennotiz Brombeerhecke"}))
	mustOK(tb, db.MergeCustomers(c.ID, dup.ID))
	p.dup = dup
	p.secrets = []string{"Zwetschgenbaum", "kunigunde.zwetschge@example.ch", "Quittenweg", "79 555 12 34", "555 1234",
		"Quittengelee", "Holunderblütensirup", "Mirabellenkompott", "Aprikosenernte", "Stachelbeertorte",
		"kuni.privat.dublette", "Brombeerhecke", "Pflaumenhof"}
	return p
}

// fileFinds returns which secrets (compared without case) are in the file,
// and whether the photo bytes are.
func fileFinds(tb testing.TB, path string, p person) []string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	mustOK(tb, err)
	lower := bytes.ToLower(data)
	var found []string
	for _, s := range p.secrets {
		if bytes.Contains(lower, []byte(strings.ToLower(s))) {
			found = append(found, s)
		}
	}
	if bytes.Contains(data, p.photo) {
		found = append(found, "photo")
	}
	return found
}

func TestEraseLeavesNoBytesAndRestoreErasesAgain(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.db")
	db, err := Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	p := addPerson(t, db)
	other := newCustomer("Otto", "Bleibtreu", "Bleibt AG")
	other.Emails = []model.Email{{Address: "otto.bleibtreu@example.ch"}}
	mustOK(t, db.CreateCustomer(other))
	mustOK(t, db.AddNote(&model.Note{CustomerID: other.ID, Kind: model.NoteVisit, Text: "Ottos Notiz bleibt"}))
	backup, err := db.Backup(BackupManual)
	mustOK(t, err)
	mustOK(t, db.Close()) // writes the directory snapshot, with her in it
	if got := fileFinds(t, path+".directory", p); len(got) == 0 {
		t.Fatalf("the directory snapshot holds none of the secrets before the erasure: the test proves nothing")
	}
	if got := fileFinds(t, path, p); len(got) < len(p.secrets) {
		t.Fatalf("before erasure the file holds %v, want all %d secrets", got, len(p.secrets))
	}

	db, err = Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	e, err := db.Erase(p.c.ID)
	mustOK(t, err)
	if e.ID != p.c.ID || len(e.Merged) != 1 || e.Merged[0] != p.dup.ID {
		t.Errorf("erasure: got %+v, want customer %s with merged %s", e, p.c.ID, p.dup.ID)
	}
	assertErased(t, db, p, other)
	if _, err := db.Erase(p.c.ID); model.ErrorCode(err) != model.ECONFLICT {
		t.Errorf("second erasure: got %v, want %s", err, model.ECONFLICT)
	}
	mustOK(t, db.Close())
	for _, f := range []string{path, path + ".directory", path + ".erasures"} {
		if got := fileFinds(t, f, p); len(got) > 0 {
			t.Errorf("%s after erasure holds %v, want none", filepath.Base(f), got)
		}
	}
	if data, _ := os.ReadFile(path); !bytes.Contains(data, []byte("Ottos Notiz bleibt")) {
		t.Errorf("the other customer's note is gone from the file")
	}

	// A backup from before the erasure is erased again when it is opened.
	mustOK(t, Restore(backup.Path, path, filepath.Join(dir, "backups")))
	db, err = Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	assertErased(t, db, p, other)
	mustOK(t, db.Close())
	for _, f := range []string{path, path + ".directory"} {
		if got := fileFinds(t, f, p); len(got) > 0 {
			t.Errorf("%s after restoring a backup holds %v, want none", filepath.Base(f), got)
		}
	}
}

// assertErased checks that p is gone everywhere the services look and
// other is untouched.
func assertErased(t *testing.T, db *DB, p person, other *model.Customer) {
	t.Helper()
	mustCheck(t, db)
	for _, id := range []model.ID{p.c.ID, p.dup.ID} {
		if _, err := db.Timeline(id); model.ErrorCode(err) != model.ENOTFOUND {
			t.Errorf("timeline of erased %s: got %v, want %s", id, err, model.ENOTFOUND)
		}
		if _, err := db.SubjectData(id); model.ErrorCode(err) != model.ENOTFOUND {
			t.Errorf("subject data of erased %s: got %v, want %s", id, err, model.ENOTFOUND)
		}
	}
	if hits := db.Directory().Search(model.Query{Text: "zwetschgenbaum"}); len(hits) != 0 {
		t.Errorf("search finds %d erased customers, want 0", len(hits))
	}
	if hits := db.Directory().Search(model.Query{Text: "bleibtreu"}); len(hits) != 1 {
		t.Errorf("search finds %d of the other customer, want 1", len(hits))
	}
	ops, _, err := db.Ops(0, 0)
	mustOK(t, err)
	for _, op := range ops {
		if op.ID == p.c.ID && op.Field != model.FieldErased {
			t.Errorf("log keeps op %s.%s of the erased customer", op.Type, op.Field)
		}
		for _, s := range p.secrets {
			if strings.Contains(strings.ToLower(string(op.Value)), strings.ToLower(s)) {
				t.Errorf("log op %s %s.%s holds %q", op.Type, op.ID, op.Field, s)
			}
		}
	}
	list, err := db.Erasures()
	mustOK(t, err)
	if len(list) != 1 || list[0].ID != p.c.ID {
		t.Errorf("erasures: got %+v, want one of %s", list, p.c.ID)
	}
	tl, err := db.Timeline(other.ID)
	mustOK(t, err)
	if len(tl.Notes) != 1 {
		t.Errorf("other customer has %d notes, want 1", len(tl.Notes))
	}
	evs, err := db.Events()
	mustOK(t, err)
	if len(evs) != 1 {
		t.Errorf("events: got %d, want 1 (the event stays, the invitation goes)", len(evs))
	}
}

func TestEraseRefusals(t *testing.T) {
	db := openTest(t)
	p := addPerson(t, db)
	tests := []struct {
		name string
		id   model.ID
		want string
	}{
		{"unknown customer", model.NewID(), model.ENOTFOUND},
		{"merged into another", p.dup.ID, model.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := db.Erase(tt.id); model.ErrorCode(err) != tt.want {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
}

func TestEraseDeletedCustomer(t *testing.T) {
	db := openTest(t)
	p := addPerson(t, db)
	mustOK(t, db.DeleteCustomer(p.c.ID))
	if _, err := db.Erase(p.c.ID); err != nil {
		t.Fatalf("erase a deleted customer: got %v, want success", err)
	}
	if err := db.RestoreCustomer(p.c.ID); model.ErrorCode(err) != model.ENOTFOUND {
		t.Errorf("restore after erasure: got %v, want %s", err, model.ENOTFOUND)
	}
}

func TestSubjectDataHoldsEveryRecord(t *testing.T) {
	db := openTest(t)
	p := addPerson(t, db)
	d, err := db.SubjectData(p.c.ID)
	mustOK(t, err)
	if d.Customer.ID != p.c.ID || len(d.Merged) != 1 || d.Merged[0].ID != p.dup.ID {
		t.Errorf("customers: got %s and %d merged, want %s and %s", d.Customer.ID, len(d.Merged), p.c.ID, p.dup.ID)
	}
	// Every version and the deleted note, and the duplicate's.
	if got, want := len(d.Notes), len(p.noteIDs)+1; got != want {
		t.Errorf("notes: got %d, want %d", got, want)
	}
	if len(d.FollowUps) != 1 || len(d.Gestures) != 1 || len(d.Events) != 1 || d.Events[0].Name != "Sommerfest" {
		t.Errorf("got %d follow-ups, %d gestures, %d events, want 1 each", len(d.FollowUps), len(d.Gestures), len(d.Events))
	}
	if !bytes.Equal(d.Photo, p.photo) {
		t.Errorf("photo: got %d bytes, want the %d stored", len(d.Photo), len(p.photo))
	}
	if len(d.Customer.Consents) != 1 {
		t.Errorf("consents: got %d, want 1", len(d.Customer.Consents))
	}
	// The history names every record and the device that changed it.
	seen := map[model.ID]bool{}
	for _, h := range d.Changes {
		seen[h.ID] = true
		if h.Device != db.DeviceID() {
			t.Errorf("change %s.%s by device %q, want %q", h.ID, h.Field, h.Device, db.DeviceID())
		}
	}
	for _, id := range append(p.noteIDs, p.c.ID, p.dup.ID, d.FollowUps[0].ID, d.Gestures[0].ID) {
		if !seen[id] {
			t.Errorf("history lacks record %s", id)
		}
	}
}

// TestEraseWaitsForAnOlderReader: a read that began before the erasure (a
// backup, a long list) keeps the freed pages from being reused; the scrub
// waits a while for it, or Close scrubs again, and the file ends without
// the person either way.
func TestEraseWaitsForAnOlderReader(t *testing.T) {
	tests := []struct {
		name string
		hold time.Duration
	}{
		{"short read: the scrub waits", 200 * time.Millisecond},
		{"long read: Close scrubs again", 1500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "k.db")
			db, err := Open(path, Options{Now: newTestClock().Now})
			mustOK(t, err)
			p := addPerson(t, db)
			tx, err := db.bolt.Begin(false)
			mustOK(t, err)
			done := make(chan struct{})
			go func() {
				defer close(done)
				time.Sleep(tt.hold)
				tx.Rollback()
			}()
			_, err = db.Erase(p.c.ID)
			<-done
			mustOK(t, err)
			mustCheck(t, db)
			mustOK(t, db.Close())
			if got := fileFinds(t, path, p); len(got) > 0 {
				t.Errorf("file holds %v after an erasure during a read, want none", got)
			}
		})
	}
}

func TestEraseDropsCalendarStamps(t *testing.T) {
	db := openTest(t)
	p := addPerson(t, db)
	fus, err := db.FollowUps(model.FollowUpFilter{CustomerID: p.c.ID})
	mustOK(t, err)
	if len(fus) != 1 {
		t.Fatalf("got %d follow-ups, want 1", len(fus))
	}
	stamp := map[model.ID]model.CalendarStamp{fus[0].ID: {Hash: [16]byte{1}, Sequence: 3, Modified: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}}
	mustOK(t, db.SaveCalendarStamps("auto", stamp))
	_, err = db.Erase(p.c.ID)
	mustOK(t, err)
	err = db.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketCalStamp).Bucket([]byte("auto")).Get(idBytes(fus[0].ID)); v != nil {
			t.Errorf("the .ics stamp of an erased follow-up is still stored")
		}
		return nil
	})
	mustOK(t, err)
}
