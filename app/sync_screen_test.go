package app

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/replica"
)

// settleSync runs queued UI updates until the screen's background work
// has ended.
func settleSync(t *testing.T, f *careFixture, s *syncScreen) {
	t.Helper()
	done := make(chan struct{})
	go func() { s.work.Wait(); close(done) }()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case fn := <-f.ui:
			fn()
		case <-done:
			for len(f.ui) > 0 {
				(<-f.ui)()
			}
			return
		case <-timeout:
			t.Fatal("sync screen did not settle")
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
