package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

func TestCreateCustomerValidation(t *testing.T) {
	tests := []struct {
		name  string
		c     model.Customer
		field string
	}{
		{"no name", model.Customer{}, "name"},
		{"bad email", model.Customer{FamilyName: "Müller", Emails: []model.Email{{Address: "hans@"}}}, "emails[0].address"},
		{"bad phone", model.Customer{FamilyName: "Müller", Phones: []model.Phone{{Number: "call me"}}}, "phones[0].number"},
		{"bad birthday", model.Customer{FamilyName: "Müller", Birthday: model.Date{Year: 2026, Month: 2, Day: 30}}, "birthday"},
		{"negative rhythm", model.Customer{FamilyName: "Müller", RhythmDays: -1}, "rhythm_days"},
		{"bad website", model.Customer{FamilyName: "Müller", Website: "not a url"}, "website"},
		{"company without name", model.Customer{Kind: model.Company, FamilyName: "Müller"}, "company"},
		{"consent without date", model.Customer{FamilyName: "Müller", Consents: []model.Consent{{Channel: model.ChannelEmail}}}, "consents[0].given_at"},
	}
	db := openTest(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			err := db.CreateCustomer(&c)
			if got := model.ErrorCode(err); got != model.EINVALID {
				t.Fatalf("code: got %q, want %q (%v)", got, model.EINVALID, err)
			}
			fields := model.ErrorFields(err)
			if len(fields) == 0 || fields[0].Field != tt.field {
				t.Fatalf("fields: got %+v, want %s first", fields, tt.field)
			}
			if db.Directory().Len() != 0 {
				t.Fatalf("an invalid customer reached the directory")
			}
		})
	}
	mustCheck(t, db)
}

func TestCustomerLifecycle(t *testing.T) {
	db := openTest(t)
	c := newCustomer("Hans", "Müller", "Müller Haustechnik AG")
	c.Emails = []model.Email{{Label: model.LabelWork, Address: "hans@mueller-haustechnik.ch"}}
	c.Phones = []model.Phone{{Label: model.LabelMobile, Number: "+41 79 123 45 67"}}
	c.Tags = []string{"VIP", "Messe Basel 2026"}
	c.Segment = model.SegmentKey
	mustOK(t, db.CreateCustomer(c))
	mustCheck(t, db)
	if c.ID == model.NilID || c.Created.IsZero() || c.Device != db.DeviceID() {
		t.Fatalf("meta not filled: %+v", c.Meta)
	}
	got, err := db.Customer(c.ID)
	mustOK(t, err)
	if got.FamilyName != "Müller" || got.Emails[0].Address != "hans@mueller-haustechnik.ch" {
		t.Fatalf("got %+v", got)
	}

	got.Tags = []string{"VIP"}
	got.Phones[0].Number = "079 765 43 21"
	mustOK(t, db.UpdateCustomer(got))
	mustCheck(t, db)
	if m, _ := db.Matches(&model.Customer{Phones: []model.Phone{{Number: "+41797654321"}}}); len(m) != 1 || m[0].By != model.MatchPhone {
		t.Fatalf("phone index not updated: %+v", m)
	}
	if m, _ := db.Matches(&model.Customer{Phones: []model.Phone{{Number: "+41791234567"}}}); len(m) != 0 {
		t.Fatalf("old phone still indexed: %+v", m)
	}

	mustOK(t, db.DeleteCustomer(c.ID))
	mustCheck(t, db)
	if _, err := db.Customer(c.ID); model.ErrorCode(err) != model.ENOTFOUND {
		t.Fatalf("deleted customer: got %v, want ENOTFOUND", err)
	}
	if db.Directory().Len() != 0 {
		t.Fatalf("deleted customer still in directory")
	}
	mustOK(t, db.RestoreCustomer(c.ID))
	mustCheck(t, db)
	if _, err := db.Customer(c.ID); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if err := db.UpdateCustomer(&model.Customer{Meta: model.Meta{ID: model.NewID()}, FamilyName: "X"}); model.ErrorCode(err) != model.ENOTFOUND {
		t.Fatalf("update of unknown: got %v, want ENOTFOUND", err)
	}
}

func TestUnchangedUpdateWritesNothing(t *testing.T) {
	db := openTest(t)
	c := newCustomer("Reto", "Brändli", "")
	mustOK(t, db.CreateCustomer(c))
	before := len(allOps(t, db))
	again, _ := db.Customer(c.ID)
	mustOK(t, db.UpdateCustomer(again))
	if after := len(allOps(t, db)); after != before {
		t.Fatalf("log grew from %d to %d on an unchanged save", before, after)
	}
}

func TestNotesStatsAndComplaint(t *testing.T) {
	db := openTest(t)
	c := newCustomer("Käthi", "Zürcher", "")
	c.RhythmDays = 30
	mustOK(t, db.CreateCustomer(c))
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	n := &model.Note{CustomerID: c.ID, At: at, Kind: model.NoteComplaint, Impression: model.Negative, Text: "Lieferung zu spät"}
	mustOK(t, db.AddNote(n))
	mustCheck(t, db)
	s, ok := db.Directory().Summary(c.ID)
	if !ok || !s.OpenComplaint || !s.LastContact.Equal(at) {
		t.Fatalf("after complaint: got %+v", s)
	}
	// A done follow-up closes the complaint.
	f := &model.FollowUp{CustomerID: c.ID, Due: at.Add(24 * time.Hour), Title: "Nachfassen", TZ: "Europe/Zurich"}
	mustOK(t, db.CreateFollowUp(f))
	s, _ = db.Directory().Summary(c.ID)
	if !s.OpenComplaint || s.OpenFollowUps != 1 {
		t.Fatalf("open follow-up must not close the complaint: %+v", s.Stats)
	}
	mustOK(t, db.SetFollowUpStatus(f.ID, model.FollowUpDone))
	mustCheck(t, db)
	s, _ = db.Directory().Summary(c.ID)
	if s.OpenComplaint || s.OpenFollowUps != 0 {
		t.Fatalf("done follow-up must close the complaint: %+v", s.Stats)
	}

	// Revising a note replaces it in the timeline, deleting removes it.
	rev := &model.Note{CustomerID: c.ID, At: at, Kind: model.NoteComplaint, Impression: model.Negative, Text: "Lieferung 3 Tage zu spät"}
	mustOK(t, db.ReviseNote(n.ID, rev))
	mustCheck(t, db)
	tl, err := db.Timeline(c.ID)
	mustOK(t, err)
	if len(tl.Notes) != 1 || tl.Notes[0].Text != "Lieferung 3 Tage zu spät" {
		t.Fatalf("timeline after revise: %+v", tl.Notes)
	}
	mustOK(t, db.DeleteNote(rev.ID))
	mustCheck(t, db)
	tl, _ = db.Timeline(c.ID)
	if len(tl.Notes) != 1 || tl.Notes[0].ID != n.ID {
		t.Fatalf("deleting the revision should bring the original back: %+v", tl.Notes)
	}
	if err := db.AddNote(&model.Note{CustomerID: model.NewID(), Kind: model.NoteCall, Text: "x"}); model.ErrorCode(err) != model.ENOTFOUND {
		t.Fatalf("note for unknown customer: got %v, want ENOTFOUND", err)
	}
	feedback := &model.Note{CustomerID: c.ID, Kind: model.NoteFeedback, Text: "Wunsch: Online-Terminbuchung"}
	mustOK(t, db.AddNote(feedback))
	ns, err := db.Notes(model.NoteFilter{Kinds: []model.NoteKind{model.NoteFeedback}})
	mustOK(t, err)
	if len(ns) != 1 || ns[0].ID != feedback.ID {
		t.Fatalf("feedback notes: got %+v", ns)
	}
}

func TestFollowUpSequence(t *testing.T) {
	db := openTest(t)
	c := newCustomer("Ueli", "Käser", "")
	mustOK(t, db.CreateCustomer(c))
	f := &model.FollowUp{CustomerID: c.ID, Due: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), Title: "Offerte nachfassen"}
	mustOK(t, db.CreateFollowUp(f))
	if f.Sequence != 0 {
		t.Fatalf("new sequence: got %d, want 0", f.Sequence)
	}
	f.Title = "Offerte nachfassen (2)"
	mustOK(t, db.UpdateFollowUp(f))
	got, _ := db.FollowUp(f.ID)
	if got.Sequence != 1 {
		t.Fatalf("after update: got %d, want 1", got.Sequence)
	}
	mustOK(t, db.UpdateFollowUp(got)) // unchanged
	got, _ = db.FollowUp(f.ID)
	if got.Sequence != 1 {
		t.Fatalf("unchanged update raised the sequence to %d", got.Sequence)
	}
	mustOK(t, db.SetFollowUpStatus(f.ID, model.FollowUpCancelled))
	got, _ = db.FollowUp(f.ID)
	if got.Sequence != 2 || got.DoneAt.IsZero() {
		t.Fatalf("after cancel: %+v", got)
	}
	open, err := db.FollowUps(model.FollowUpFilter{Statuses: []model.FollowUpStatus{model.FollowUpOpen}})
	mustOK(t, err)
	if len(open) != 0 {
		t.Fatalf("open follow-ups: got %d, want 0", len(open))
	}
	mustCheck(t, db)
}

func TestGestureLifecycleAndInvite(t *testing.T) {
	db := openTest(t)
	a, b := newCustomer("Bärbel", "Weiß", ""), newCustomer("Sören", "Größer", "")
	mustOK(t, db.CreateCustomer(a))
	mustOK(t, db.CreateCustomer(b))
	g := &model.Gesture{CustomerID: a.ID, Kind: model.GestureGift, Title: "Weinflasche", Cost: 2500, Currency: "chf"}
	mustOK(t, db.CreateGesture(g))
	if err := db.SetGestureStatus(g.ID, model.GestureRedeemed); model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("idea → redeemed: got %v, want EINVALID", err)
	}
	mustOK(t, db.SetGestureStatus(g.ID, model.GestureOffered))
	mustOK(t, db.SetGestureStatus(g.ID, model.GestureRedeemed))
	s, _ := db.Directory().Summary(a.ID)
	if s.Gestures != 1 {
		t.Fatalf("gestures in stats: got %d, want 1", s.Gestures)
	}
	ev := &model.Event{Name: "Herbstapéro", Start: time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC), Capacity: 40}
	mustOK(t, db.CreateEvent(ev))
	n, err := db.Invite(ev.ID, []model.ID{a.ID, b.ID, a.ID}, model.Gesture{})
	mustOK(t, err)
	if n != 2 {
		t.Fatalf("invited: got %d, want 2", n)
	}
	n, err = db.Invite(ev.ID, []model.ID{a.ID, b.ID}, model.Gesture{})
	mustOK(t, err)
	if n != 0 {
		t.Fatalf("second invite: got %d, want 0", n)
	}
	inv, err := db.Gestures(model.GestureFilter{EventID: ev.ID})
	mustOK(t, err)
	if r := model.CountRSVP(inv); r.Invited != 2 || r.Pending != 2 {
		t.Fatalf("rsvp: %+v", r)
	}
	mustCheck(t, db)
}

func TestSecondOpenIsLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	db := openTestAt(t, path)
	_ = db
	start := time.Now()
	_, err := Open(path, Options{Timeout: 200 * time.Millisecond})
	if got := model.ErrorCode(err); got != model.ELOCKED {
		t.Fatalf("second open: got %q (%v), want %q", got, err, model.ELOCKED)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("second open hung")
	}
}

func TestFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "k.db")
	openTestAt(t, path)
	fi, err := os.Stat(path)
	mustOK(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode: got %v, want 0600", fi.Mode().Perm())
	}
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.db")
	db, err := Open(path, Options{Now: newTestClock().Now})
	mustOK(t, err)
	c := newCustomer("Jürgen", "Gößnitz", "")
	mustOK(t, db.CreateCustomer(c))
	info, err := db.Backup(BackupManual)
	mustOK(t, err)
	want := dump(t, db)
	oldDevice := db.DeviceID()
	mustOK(t, db.DeleteCustomer(c.ID))
	mustOK(t, db.CreateCustomer(newCustomer("Neu", "Nach Backup", "")))
	list, err := db.Backups()
	mustOK(t, err)
	if len(list) != 1 || list[0].Path != info.Path || list[0].Reason != BackupManual {
		t.Fatalf("backups: %+v", list)
	}
	mustOK(t, db.Close())

	mustOK(t, Restore(info.Path, path, filepath.Join(dir, "backups")))
	db2 := openTestAt(t, path)
	if got := dump(t, db2); got != want {
		t.Fatalf("restored database differs")
	}
	if db2.Directory().Len() != 1 {
		t.Fatalf("restored directory: got %d customers, want 1", db2.Directory().Len())
	}
	if d := db2.DeviceID(); d != oldDevice {
		t.Errorf("restored database has device %q, want its own %q: it never sent anything", d, oldDevice)
	}
	list, _ = db2.Backups()
	if len(list) != 2 {
		t.Fatalf("restore should keep the replaced database as a backup, got %d backups", len(list))
	}
	// An identity that sent segments to a sync target gets a new one.
	syncedPath := filepath.Join(dir, "synced.db")
	sdb, err := Open(syncedPath, Options{Now: newTestClock().Now})
	mustOK(t, err)
	syncedDevice := sdb.DeviceID()
	mustOK(t, sdb.SaveSyncState([]byte(`{"last":3,"device":"`+syncedDevice+`"}`)))
	synced, err := sdb.Backup(BackupManual)
	mustOK(t, err)
	mustOK(t, sdb.CloseAndRestore(synced.Path))
	db3 := openTestAt(t, syncedPath)
	if d := db3.DeviceID(); d == syncedDevice || len(d) != 36 {
		t.Errorf("restored synced database has device %q, want a new one (was %q)", d, syncedDevice)
	}
	// A damaged backup is refused and changes nothing.
	bad := filepath.Join(dir, "bad.db")
	mustOK(t, os.WriteFile(bad, []byte("not a database"), 0o600))
	if err := Restore(bad, filepath.Join(dir, "other.db"), dir); model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("restore of garbage: got %v, want EINVALID", err)
	}
}

func TestBackupRotation(t *testing.T) {
	db := openTest(t)
	s, _ := db.Settings()
	s.BackupKeep = 3
	mustOK(t, db.SaveSettings(s))
	for i := 0; i < 6; i++ {
		_, err := db.Backup(BackupImport)
		mustOK(t, err)
	}
	_, err := db.Backup(BackupManual)
	mustOK(t, err)
	list, _ := db.Backups()
	if len(list) != 4 {
		t.Fatalf("after rotation: got %d backups, want 3 automatic + 1 manual", len(list))
	}
}

func TestSaveCustomersChunksAndCancel(t *testing.T) {
	db := openTest(t)
	var create []*model.Customer
	for i := 0; i < chunkSize*2+10; i++ {
		create = append(create, newCustomer("Anna", "Muster", ""))
	}
	ctx, cancel := context.WithCancel(context.Background())
	var calls []int
	err := db.SaveCustomers(ctx, create, nil, func(done int) {
		calls = append(calls, done)
		cancel()
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if db.Directory().Len() != chunkSize {
		t.Fatalf("after cancel: %d customers, want the first chunk of %d", db.Directory().Len(), chunkSize)
	}
	mustCheck(t, db)
}

// TestSaveCustomersMostlyUpdates: an import that updates more customers
// than fit one chunk, with few or no new ones, writes every chunk (it
// once waited for the index entries of new customers that did not exist).
func TestSaveCustomersMostlyUpdates(t *testing.T) {
	for _, tt := range []struct {
		name            string
		creates, stored int
	}{
		{"updates only", 0, chunkSize + 10},
		{"few new, many updates", 3, chunkSize*2 + 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			var stored []*model.Customer
			for i := 0; i < tt.stored; i++ {
				stored = append(stored, newCustomer("Anna", fmt.Sprintf("Muster%d", i), ""))
			}
			mustOK(t, db.SaveCustomers(context.Background(), stored, nil, nil))
			var create, update []*model.Customer
			for i := 0; i < tt.creates; i++ {
				create = append(create, newCustomer("Beat", fmt.Sprintf("Neu%d", i), ""))
			}
			for _, c := range stored {
				u := *c
				u.Memo = "aktualisiert"
				update = append(update, &u)
			}
			done := make(chan error, 1)
			go func() { done <- db.SaveCustomers(context.Background(), create, update, nil) }()
			select {
			case err := <-done:
				mustOK(t, err)
			case <-time.After(time.Minute):
				t.Fatal("SaveCustomers did not return within a minute")
			}
			if got, want := db.Directory().Len(), tt.stored+tt.creates; got != want {
				t.Errorf("got %d customers, want %d", got, want)
			}
			got, err := db.Customer(stored[len(stored)-1].ID)
			mustOK(t, err)
			if got.Memo != "aktualisiert" {
				t.Errorf("last update: got memo %q, want %q", got.Memo, "aktualisiert")
			}
			mustCheck(t, db)
		})
	}
}

func TestSettingsRegionRekeysPhones(t *testing.T) {
	db := openTest(t)
	c := newCustomer("Max", "Mustermann", "")
	c.Phones = []model.Phone{{Number: "030 1234567"}}
	mustOK(t, db.CreateCustomer(c))
	s, _ := db.Settings()
	s.Region = "DE"
	s.UserName = "Anna"
	mustOK(t, db.SaveSettings(s))
	mustCheck(t, db)
	m, _ := db.Matches(&model.Customer{Phones: []model.Phone{{Number: "+49 30 1234567"}}})
	if len(m) != 1 {
		t.Fatalf("after region DE: got %+v", m)
	}
	s.Region = "Schweiz"
	if err := db.SaveSettings(s); model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("bad region: got %v", err)
	}
}

func TestCaptureLeadIsOneTransaction(t *testing.T) {
	db := openTest(t)
	commits := 0
	cancel := db.Subscribe(func([]model.Change) { commits++ })
	defer cancel()
	due := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

	// A follow-up without a title: nothing at all is stored.
	c := newCustomer("Lea", "Brunner", "Brunner Bau")
	err := db.CaptureLead(c, &model.Note{Kind: model.NoteFair, Text: "Interesse"}, &model.FollowUp{Due: due, AllDay: true, Status: model.FollowUpOpen})
	if model.ErrorCode(err) != model.EINVALID {
		t.Fatalf("bad follow-up: got %v, want EINVALID", err)
	}
	if db.Directory().Len() != 0 || len(allOps(t, db)) != 0 || commits != 0 {
		t.Fatalf("a failed capture stored something: %d customers, %d ops, %d commits", db.Directory().Len(), len(allOps(t, db)), commits)
	}

	c = newCustomer("Lea", "Brunner", "Brunner Bau")
	n := &model.Note{Kind: model.NoteFair, Text: "Interesse an Wartungsvertrag"}
	f := &model.FollowUp{Title: "Offerte", Due: due, AllDay: true, Status: model.FollowUpOpen}
	mustOK(t, db.CaptureLead(c, n, f))
	if commits != 1 {
		t.Errorf("capture took %d commits, want 1", commits)
	}
	tl, err := db.Timeline(c.ID)
	mustOK(t, err)
	if len(tl.Notes) != 1 || len(tl.FollowUps) != 1 || tl.FollowUps[0].NoteID != n.ID || tl.Notes[0].CustomerID != c.ID {
		t.Errorf("timeline: %+v", tl)
	}
	if s, _ := db.Directory().Summary(c.ID); s.Notes != 1 || s.OpenFollowUps != 1 {
		t.Errorf("directory stats: %+v", s.Stats)
	}
	// Without a follow-up.
	mustOK(t, db.CaptureLead(newCustomer("Max", "Graf", ""), &model.Note{Kind: model.NoteFair, Text: "Prospekt"}, nil))
	if commits != 2 {
		t.Errorf("got %d commits, want 2", commits)
	}
}

func TestMatchesAllEqualsMatches(t *testing.T) {
	db := openTest(t)
	empty, err := db.MatchesAll([]*model.Customer{{GivenName: "Hans", Phones: []model.Phone{{Number: "079 123 45 67"}}}})
	mustOK(t, err)
	if len(empty) != 1 || len(empty[0]) != 0 {
		t.Fatalf("empty database: got %v, want one empty result", empty)
	}
	c := newCustomer("Hans", "Müller", "Müller Haustechnik AG")
	c.Emails = []model.Email{{Address: "hans@mueller-haustechnik.ch"}}
	c.Phones = []model.Phone{{Number: "+41 79 123 45 67"}}
	c.ExternalUIDs = []string{"card-1"}
	mustOK(t, db.CreateCustomer(c))
	d := newCustomer("Anna", "Meier", "")
	d.Phones = []model.Phone{{Number: "079 123 45 67"}}
	mustOK(t, db.CreateCustomer(d))
	probes := []*model.Customer{
		{GivenName: "Hans", FamilyName: "Mueller", Company: "Müller Haustechnik AG"},
		{Emails: []model.Email{{Address: " HANS@mueller-haustechnik.ch"}}},
		{Phones: []model.Phone{{Number: "0791234567"}}},
		{ExternalUIDs: []string{"card-1"}, Emails: []model.Email{{Address: "anna@example.ch"}}},
		{GivenName: "Niemand"},
		c, // itself: never its own match
	}
	got, err := db.MatchesAll(probes)
	mustOK(t, err)
	if len(got) != len(probes) {
		t.Fatalf("got %d results, want %d", len(got), len(probes))
	}
	for i, p := range probes {
		want, err := db.Matches(p)
		mustOK(t, err)
		if fmt.Sprint(got[i]) != fmt.Sprint(want) {
			t.Errorf("probe %d: got %v, want %v", i, got[i], want)
		}
	}
	if len(got[2]) != 2 {
		t.Errorf("phone probe: got %v, want both customers", got[2])
	}
}

// TestStatsWithTiedNoteTimes adds notes dated alike (as imports dated by
// day do), one by one and in bulk, with equal and differing impressions:
// the stats updated in place must equal a fresh computation every time.
func TestStatsWithTiedNoteTimes(t *testing.T) {
	db := openTest(t)
	c := newCustomer("Ruedi", "Brändli", "")
	mustOK(t, db.CreateCustomer(c))
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	impressions := []model.Impression{model.Positive, model.Positive, model.Neutral, model.Positive, model.Negative, model.Negative}
	for i, imp := range impressions {
		mustOK(t, db.AddNote(&model.Note{CustomerID: c.ID, At: day, Kind: model.NoteVisit, Impression: imp, Text: fmt.Sprintf("Besuch %d", i)}))
		mustCheck(t, db)
	}
	// Notes that arrive later but sort first among the tied ones (older
	// IDs, as sync brings them) decide the last impression.
	for i, imp := range impressions {
		var b model.Bulk
		id := model.ID{0: 0x01, 1: byte(100 - i)}
		b.Notes = append(b.Notes, model.Note{Meta: model.Meta{ID: id}, CustomerID: c.ID, At: day.AddDate(0, 0, 1), Kind: model.NoteCall, Impression: imp, Text: fmt.Sprintf("Anruf %d", i)})
		mustOK(t, db.BulkLoad(context.Background(), b, nil))
		mustCheck(t, db)
	}
	s, _ := db.Directory().Summary(c.ID)
	if s.Notes != 2*len(impressions) || !s.LastContact.Equal(day.AddDate(0, 0, 1)) {
		t.Fatalf("got %d notes, last contact %v; want %d, %v", s.Notes, s.LastContact, 2*len(impressions), day.AddDate(0, 0, 1))
	}
}

// TestNewestGesturesMatchesAFullScan: the creation-index walk returns what
// filtering and sorting every gesture returns, for limits and ranges.
func TestNewestGesturesMatchesAFullScan(t *testing.T) {
	db := openTest(t)
	c := newCustomer("Rita", "Treu", "")
	mustOK(t, db.CreateCustomer(c))
	gone := newCustomer("Weg", "Gelöscht", "")
	mustOK(t, db.CreateCustomer(gone))
	kinds := []model.GestureKind{model.GestureGift, model.GestureDiscount, model.GesturePriority}
	for i := 0; i < 40; i++ {
		cust := c.ID
		if i%7 == 0 {
			cust = gone.ID
		}
		g := &model.Gesture{CustomerID: cust, Kind: kinds[i%3], Title: fmt.Sprint("Geste ", i), Status: model.GestureOffered, Percent: 10}
		if g.Kind == model.GestureGift {
			g.Percent = 0
		}
		mustOK(t, db.CreateGesture(g))
	}
	mustOK(t, db.DeleteCustomer(gone.ID))
	all, err := db.Gestures(model.GestureFilter{CustomerID: c.ID})
	mustOK(t, err)
	if len(all) != 34 {
		t.Fatalf("got %d gestures of the live customer, want 34", len(all))
	}
	from, to := all[25].Created, all[5].Created // all is newest first
	for _, f := range []model.GestureFilter{
		{}, {Limit: 5}, {Kinds: []model.GestureKind{model.GestureDiscount}, Limit: 4},
		{From: from}, {To: to}, {From: from, To: to, Limit: 3},
	} {
		got, err := db.Gestures(f)
		mustOK(t, err)
		var want []model.Gesture
		for _, g := range all {
			if len(f.Kinds) > 0 && g.Kind != f.Kinds[0] || !f.From.IsZero() && g.Created.Before(f.From) || !f.To.IsZero() && !g.Created.Before(f.To) {
				continue
			}
			want = append(want, g)
		}
		if f.Limit > 0 && len(want) > f.Limit {
			want = want[:f.Limit]
		}
		if len(got) != len(want) {
			t.Errorf("%+v: got %d gestures, want %d", f, len(got), len(want))
			continue
		}
		for i := range want {
			if got[i].ID != want[i].ID {
				t.Errorf("%+v: gesture %d is %q, want %q", f, i, got[i].Title, want[i].Title)
				break
			}
		}
	}
}

// A new database gets pageSize pages; a database made with another page
// size (every one before 16 KiB pages) keeps its own and works as before.
func TestPageSizeOfNewAndExistingDatabases(t *testing.T) {
	db := openTest(t)
	if got := db.bolt.Info().PageSize; got != pageSize {
		t.Fatalf("new database: page size %d, want %d", got, pageSize)
	}
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := newCustomer("Jürg", "Brändli", "")
	if err := db.CreateCustomer(c); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTestAt(t, path)
	if got := db.bolt.Info().PageSize; got != 4096 {
		t.Fatalf("existing database: page size %d, want its own 4096", got)
	}
	if got, err := db.Customer(c.ID); err != nil || got.FamilyName != "Brändli" {
		t.Fatalf("customer after reopening: %v, %v", got, err)
	}
}

// TestDeviceNameStandsForAMissingUserName: without a user name, changes
// carry the computer's name, so a conflict or a note says where it came
// from; a user name, once set, takes its place.
func TestDeviceNameStandsForAMissingUserName(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "k.db"), Options{DeviceName: " Laptop Messe "})
	mustOK(t, err)
	t.Cleanup(func() { mustOK(t, db.Close()) })
	c := newCustomer("Lea", "Brunner", "")
	mustOK(t, db.CreateCustomer(c))
	ops := allOps(t, db)
	if len(ops) == 0 || ops[len(ops)-1].Author != "Laptop Messe" {
		t.Fatalf("got ops %+v, want the last one by %q", ops, "Laptop Messe")
	}
	s, err := db.Settings()
	mustOK(t, err)
	s.UserName = "Anna"
	mustOK(t, db.SaveSettings(s))
	c.Memo = "Rückruf"
	mustOK(t, db.UpdateCustomer(c))
	ops = allOps(t, db)
	if got := ops[len(ops)-1].Author; got != "Anna" {
		t.Errorf("after setting a user name: got author %q, want %q", got, "Anna")
	}
}
