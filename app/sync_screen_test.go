package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"github.com/zalando/go-keyring"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/sync/replica"
)

// settleSync runs queued UI updates until the screen's background work
// has ended and no update is left. An update may start new work, so it
// repeats until a whole round ran no update.
func settleSync(t *testing.T, f *careFixture, s *syncScreen) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		ran := false
		done := make(chan struct{})
		go func() { s.work.Wait(); close(done) }()
	wait:
		for {
			select {
			case fn := <-f.ui:
				fn()
				ran = true
			case <-done:
				break wait
			case <-timeout:
				t.Fatal("sync screen did not settle")
			}
		}
		for len(f.ui) > 0 {
			(<-f.ui)()
			ran = true
		}
		if !ran {
			return
		}
	}
}

func TestSyncScreenSetupAndSync(t *testing.T) {
	f := newCareFixture(t)
	var errs []error
	f.e.showError = func(err error) { errs = append(errs, err) }
	s := newSyncScreen(f.e)
	s.kdf = replica.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}
	s.do = func(fn func()) { f.ui <- fn }
	f.show(s.build())
	settleSync(t, f, s)
	if s.store == nil {
		t.Fatal("storage offers no sync state")
	}
	if !s.setupBox.Items[0].Open {
		t.Error("the target form is closed before sync is set up")
	}
	dir := t.TempDir()
	test.Type(s.folder, dir)
	test.Type(s.passphrase, "Messe-Team 2026!")
	test.Tap(s.create)
	settleSync(t, f, s)
	cfg, ok, err := replica.LoadConfig(s.store)
	if err != nil || !ok || cfg.Folder != dir || cfg.Key == "" || len(errs) != 0 {
		t.Fatalf("after setup: got %+v, %v, %v, errors %v", cfg, ok, err, errs)
	}
	if s.passphrase.Text != "" {
		t.Error("the passphrase stays in the field after setup")
	}
	if s.setupBox.Items[0].Open {
		t.Error("the target form stays open after setup, taking the conflicts' room")
	}

	f.customer(model.Customer{GivenName: "Lea", FamilyName: "Brunner"})
	test.Tap(s.syncNow)
	settleSync(t, f, s)
	if len(errs) != 0 {
		t.Fatalf("sync: %v", errs)
	}
	segs, err := os.ReadDir(filepath.Join(dir, "devices", f.db.DeviceID()))
	if err != nil || len(segs) != 1 {
		t.Errorf("got %d segments, %v, want 1", len(segs), err)
	}
	if s.progress.Visible() || s.syncNow.Disabled() || !s.cancel.Disabled() {
		t.Error("progress or buttons still busy after the sync")
	}

	// Joining with the wrong passphrase is reported and keeps the setup.
	test.Type(s.passphrase, "Messe-Team 2025!")
	test.Tap(s.join)
	settleSync(t, f, s)
	if len(errs) != 1 || model.ErrorCode(errs[0]) != model.EINVALID {
		t.Errorf("wrong passphrase: got %v, want one EINVALID error", errs)
	}
	if again, _, _ := replica.LoadConfig(s.store); again != cfg {
		t.Error("a failed join changed the saved setup")
	}
}

// TestAutoSyncRunsAfterAChange: with sync set up, a local change starts a
// sync by itself after the delay; turning automatic sync off stops that.
func TestAutoSyncRunsAfterAChange(t *testing.T) {
	f := newCareFixture(t)
	s := newSyncScreen(f.e)
	s.kdf = replica.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}
	s.do = func(fn func()) { f.ui <- fn }
	s.autoDelay, s.autoEvery = 20*time.Millisecond, time.Hour
	f.show(s.build())
	settleSync(t, f, s)
	dir := t.TempDir()
	test.Type(s.folder, dir)
	test.Type(s.passphrase, "Messe-Team 2026!")
	test.Tap(s.create)
	settleSync(t, f, s)
	if s.auto.Disabled() || !s.auto.Checked {
		cfg, ok, err := s.loadConfig()
		t.Fatalf("automatic sync is not offered, or not on by default, after setup: disabled %v checked %v; config %+v %v %v", s.auto.Disabled(), s.auto.Checked, cfg, ok, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.startAuto(ctx)

	segments := func() int {
		segs, _ := os.ReadDir(filepath.Join(dir, "devices", f.db.DeviceID()))
		return len(segs)
	}
	f.customer(model.Customer{GivenName: "Lea", FamilyName: "Brunner"})
	deadline := time.Now().Add(10 * time.Second)
	for segments() == 0 && time.Now().Before(deadline) {
		select {
		case fn := <-f.ui:
			fn()
		case <-time.After(10 * time.Millisecond):
		}
	}
	settleSync(t, f, s)
	if segments() != 1 {
		t.Fatalf("no automatic sync after a change: %d segments", segments())
	}

	test.Tap(s.auto) // off
	settleSync(t, f, s)
	if cfg, _, _ := replica.LoadConfig(s.store); !cfg.Manual {
		t.Fatal("turning automatic sync off was not saved")
	}
	f.customer(model.Customer{GivenName: "Max", FamilyName: "Graf"})
	time.Sleep(200 * time.Millisecond)
	for len(f.ui) > 0 {
		(<-f.ui)()
	}
	settleSync(t, f, s)
	if segments() != 1 {
		t.Errorf("automatic sync ran although it is off: %d segments", segments())
	}
	s.Stop()
}

// TestOnlyNewDuplicatesInterruptAfterASync: automatic sync runs every few
// minutes, so the screen points at the duplicates only when a sync brought
// new ones.
func TestOnlyNewDuplicatesInterruptAfterASync(t *testing.T) {
	f := newCareFixture(t)
	s := newSyncScreen(f.e)
	s.do = func(fn func()) { f.ui <- fn }
	f.show(s.build())
	settleSync(t, f, s)
	s.afterSync = true
	s.onDuplicateCount(3, 0)
	if s.tabs.Selected() != s.dupTab || !s.warning.Visible() {
		t.Fatal("the first pairs after a sync: tab not opened or no message")
	}
	s.tabs.Select(s.conflictTab)
	s.warning.Hide()
	s.afterSync = true
	s.onDuplicateCount(3, 0)
	if s.tabs.Selected() != s.conflictTab || s.warning.Visible() {
		t.Error("the same pairs after the next sync switched the tab again")
	}
	s.afterSync = true
	s.onDuplicateCount(4, 0)
	if s.tabs.Selected() != s.dupTab {
		t.Error("a new pair after a sync did not open the tab")
	}
}

// TestSyncScreenShowsHealingAndClock: the sync screen tells, in German and
// in English, that damaged parts were skipped, repaired and sent again,
// and that this computer's clock is ahead or behind.
func TestSyncScreenShowsHealingAndClock(t *testing.T) {
	restore := "en"
	if l := lang.SystemLocale().LanguageString(); strings.HasPrefix(l, "de") {
		restore = "de"
	}
	t.Cleanup(func() {
		if err := LoadTranslationsFor(restore); err != nil {
			t.Errorf("restore %s: %v", restore, err)
		}
	})
	heal := replica.Report{Skipped: []replica.Problem{{Name: "devices/a/1", Err: model.Errorf(model.EINVALID, "damaged")}},
		Repaired: 2, Resent: []string{"devices/b/3"}}
	tests := []struct {
		name string
		lang string
		rep  replica.Report
		want []string
	}{
		{"healing de", "de", heal, []string{"1 Teil eines anderen Geräts wurde unterwegs beschädigt", "2 zuvor beschädigte Teile sind neu angekommen", "1 Teil dieses Computers nicht lesen; es wurde neu gesendet"}},
		{"healing en", "en", heal, []string{"1 part from another device was damaged on the way", "2 parts that had been damaged arrived again", "1 part sent by this computer; it was sent again"}},
		{"clock ahead de", "de", replica.Report{ClockOff: 2*time.Hour + 5*time.Minute}, []string{"Die Uhr dieses Computers scheint gegenüber den anderen Geräten 2 h 5 min vorzugehen"}},
		{"clock ahead en", "en", replica.Report{ClockOff: 2*time.Hour + 5*time.Minute}, []string{"This computer's clock seems to be 2 h 5 min ahead"}},
		{"clock behind de", "de", replica.Report{ClockOff: -40 * time.Minute}, []string{"40 min nachzugehen"}},
		{"clock behind en", "en", replica.Report{ClockOff: -40 * time.Minute}, []string{"40 min behind the other devices"}},
		{"other device ahead en", "en", replica.Report{Drift: 3 * time.Hour, DriftDevice: "0190abcd-ffff"}, []string{"A change from device 0190abcd is 3 h 0 min ahead"}},
	}
	f := newCareFixture(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := LoadTranslationsFor(tc.lang); err != nil {
				t.Fatal(err)
			}
			s := newSyncScreen(f.e) // not built: nothing runs in the background while the language changes
			s.showReport(tc.rep)
			if !s.warning.Visible() {
				t.Fatal("got the notice hidden, want it shown")
			}
			for _, w := range tc.want {
				if !strings.Contains(s.warning.Text, w) {
					t.Errorf("got %q, want it to contain %q", s.warning.Text, w)
				}
			}
			s.showReport(replica.Report{})
			if s.warning.Visible() {
				t.Errorf("after a clean sync: got the notice %q shown, want it hidden", s.warning.Text)
			}
		})
	}
}

// TestSyncScreenKeepsSecretsInKeychain: set up through the screen, the team
// key goes to the keychain, not the database; without a keychain it stays
// in the database and the screen says why.
func TestSyncScreenKeepsSecretsInKeychain(t *testing.T) {
	tests := []struct {
		name    string
		fail    error
		inClear bool
	}{
		{"keychain", nil, false},
		{"no keychain", errors.New("no secret service"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fail != nil {
				keyring.MockInitWithError(tc.fail)
			} else {
				keyring.MockInit()
			}
			f := newCareFixture(t)
			f.e.showError = func(err error) { t.Errorf("showError: %v", err) }
			s := newSyncScreen(f.e)
			s.keepSecrets(replica.Keychain{Service: "kundenkartei-gui-test"})
			s.kdf = replica.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}
			s.do = func(fn func()) { f.ui <- fn }
			f.show(s.build())
			settleSync(t, f, s)
			test.Type(s.folder, t.TempDir())
			test.Type(s.passphrase, "Messe-Team 2026!")
			test.Tap(s.create)
			settleSync(t, f, s)
			cfg, ok, err := replica.LoadConfig(s.store)
			if err != nil || !ok || cfg.Key == "" {
				t.Fatalf("got %+v, %v, %v, want a usable configuration", cfg, ok, err)
			}
			raw, err := f.db.SyncState()
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(string(raw), cfg.Key); got != tc.inClear {
				t.Errorf("key in the database: got %v, want %v", got, tc.inClear)
			}
			warned := strings.Contains(s.status.Text, "keychain")
			if warned != tc.inClear {
				t.Errorf("status %q: keychain warning %v, want %v", s.status.Text, warned, tc.inClear)
			}
		})
	}
}

// TestSyncScreenConflictRestoresDeletedCustomer: a customer deleted here
// and edited on another device shows as a sentence saying so, and
// "Restore with this edit" brings the customer back with the edit.
func TestSyncScreenConflictRestoresDeletedCustomer(t *testing.T) {
	if err := LoadTranslationsFor("en"); err != nil {
		t.Fatal(err)
	}
	f := newCareFixture(t)
	other, err := storage.Open(filepath.Join(t.TempDir(), "other.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := other.Close(); err != nil {
			t.Error(err)
		}
	})
	exchange := func(from, to *storage.DB) {
		t.Helper()
		ops, _, err := from.Ops(0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := to.ApplyOps(ops); err != nil {
			t.Fatal(err)
		}
	}
	c := f.customer(model.Customer{GivenName: "Reto", FamilyName: "Brändli"})
	exchange(f.db, other)
	if err := f.db.DeleteCustomer(c.ID); err != nil {
		t.Fatal(err)
	}
	oc, err := other.Customer(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	oc.Memo = "Rückruf Montag"
	if err := other.UpdateCustomer(oc); err != nil {
		t.Fatal(err)
	}
	exchange(other, f.db)

	s := newSyncScreen(f.e)
	s.build()
	s.refresh()
	settleSync(t, f, s)
	if len(s.conflicts) != 1 {
		t.Fatalf("got %d conflicts, want the edit after the deletion", len(s.conflicts))
	}
	row := newConflictRow()
	s.updateConflict(0, row)
	for _, want := range []string{"Reto Brändli was edited", "after it had been deleted on another device", "Memo = Rückruf Montag"} {
		if !strings.Contains(row.label.Text, want) {
			t.Errorf("got %q, want it to contain %q", row.label.Text, want)
		}
	}
	if row.take.Text != "Restore with this edit" {
		t.Errorf("got button %q, want %q", row.take.Text, "Restore with this edit")
	}
	test.Tap(row.take)
	settleSync(t, f, s)
	got, err := f.db.Customer(c.ID)
	if err != nil || got.Memo != "Rückruf Montag" {
		t.Fatalf("after restore: got %v, %v, want the customer back with the memo", got, err)
	}
	if len(s.conflicts) != 0 {
		t.Errorf("after restore: got %d conflicts listed, want none", len(s.conflicts))
	}
}

// TestSyncStatusCountsParts: the status says "1 part read", not "1 parts".
func TestSyncStatusCountsParts(t *testing.T) {
	f := newCareFixture(t)
	s := newSyncScreen(f.e)
	tests := []struct {
		name string
		read int
		want string
	}{
		{"one", 1, "Device aaaaaaaa: 1 part read, 0 new."},
		{"several", 3, "Device aaaaaaaa: 3 parts read, 0 new."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := replica.Status{Devices: []replica.DeviceStatus{{Device: "aaaaaaaa-0000-7000-8000-000000000000", Read: tt.read}}}
			if got := s.statusText(st, nil); !strings.Contains(got, tt.want) {
				t.Errorf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}
