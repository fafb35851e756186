package app

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/replica"
)

// syncScreen sets up device sync (a folder or a WebDAV server plus the
// team passphrase), runs it with progress and cancel, shows how far every
// other device has been read, and lists the conflicts kept for review.
type syncScreen struct {
	e     *env
	store replica.StateStore // nil when the services cannot keep sync state
	// secrets is store with the password and key in the system keychain;
	// nil without one (tests), when they stay in the database.
	secrets *replica.SecretState
	kdf     replica.KDFParams // key derivation for new targets; tests make it cheap
	do      func(func())      // runs UI updates on the UI thread (fyne.Do)
	work    jobs              // background jobs, so tests can wait for them

	kind       *widget.RadioGroup
	folder     *widget.Entry
	pick       *widget.Button
	url        *widget.Entry
	user       *widget.Entry
	password   *widget.Entry
	passphrase *widget.Entry
	create     *widget.Button
	join       *widget.Button

	syncNow  *widget.Button
	cancel   *widget.Button
	auto     *widget.Check // sync by itself (Config.Manual is its opposite)
	progress *widget.ProgressBar
	status   *widget.Label
	warning  *widget.Label
	list     *widget.List
	hint     *widget.Label // above the conflicts: what they are, or that there are none

	mu        sync.Mutex // guards stop
	stop      context.CancelFunc
	conflicts []model.Conflict // what the list shows (UI thread only)

	// setupBox holds the target form; it is closed while a target is
	// set up, so the conflicts get the room (setupFor: the state it was
	// last opened or closed for, 0 before the first refresh).
	setupBox *widget.Accordion
	setupFor int8

	dups                        *duplicatesView
	tabs                        *container.AppTabs
	conflictTab, dupTab, merged *container.TabItem
	afterSync                   bool // the next duplicate count comes from a sync
	knownPairs                  int  // the duplicate count last shown

	// Automatic sync: every autoEvery, and autoDelay after a local change,
	// when set up and not turned off. Unreachable targets are retried
	// quietly; the status line says so.
	autoEvery, autoDelay time.Duration
	kick                 chan struct{}
	busy                 atomic.Bool    // a sync is running
	syncing              sync.WaitGroup // the running sync, so Stop can wait for it
}

func newSyncScreen(e *env) *syncScreen {
	s := &syncScreen{e: e, kdf: replica.DefaultKDF, do: fyne.Do,
		autoEvery: 5 * time.Minute, autoDelay: time.Minute, kick: make(chan struct{}, 1)}
	if kv, ok := e.svc.(replica.StateKV); ok {
		s.store = replica.DBStateStore(kv)
	}
	folderKind, webdavKind := lang.X("sync.kind.folder", "Folder"), lang.X("sync.kind.webdav", "WebDAV (Nextcloud)")
	s.folder = widget.NewEntry()
	s.folder.SetPlaceHolder(lang.X("sync.folder.placeholder", "Folder on a USB stick, network share or Nextcloud/Dropbox folder"))
	s.pick = widget.NewButton(lang.X("sync.folder.pick", "Choose…"), s.onPickFolder)
	s.url = widget.NewEntry()
	s.url.SetPlaceHolder("https://cloud.example.ch/remote.php/dav/files/anna/Kundenkartei/")
	s.user = widget.NewEntry()
	s.user.SetPlaceHolder(lang.X("sync.user", "User name"))
	s.password = widget.NewPasswordEntry()
	s.password.SetPlaceHolder(lang.X("sync.password", "App password"))
	s.passphrase = widget.NewPasswordEntry()
	s.passphrase.SetPlaceHolder(lang.X("sync.passphrase", "Team passphrase"))
	s.kind = widget.NewRadioGroup([]string{folderKind, webdavKind}, func(v string) { s.onKind(v == webdavKind) })
	s.kind.Horizontal = true
	s.kind.SetSelected(folderKind)
	s.create = widget.NewButton(lang.X("sync.setup.create", "Set up new sync target"), func() { s.onSetup(true) })
	s.join = widget.NewButton(lang.X("sync.setup.join", "Join existing target"), func() { s.onSetup(false) })

	s.syncNow = widget.NewButton(lang.X("sync.now", "Sync now"), s.onSync)
	s.syncNow.Importance = widget.HighImportance
	s.cancel = widget.NewButton(lang.X("sync.cancel", "Cancel"), s.onCancel)
	s.cancel.Disable()
	s.auto = widget.NewCheck(lang.X("sync.auto", "Sync automatically (every 5 minutes and soon after changes, whenever the target is reachable)"), s.onAuto)
	s.progress = widget.NewProgressBar()
	s.progress.Hide()
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.warning = widget.NewLabel("")
	s.warning.Importance = widget.WarningImportance
	s.warning.Wrapping = fyne.TextWrapWord
	s.warning.Hide()
	s.list = widget.NewList(
		func() int { return len(s.conflicts) },
		func() fyne.CanvasObject { return newConflictRow() },
		s.updateConflict)
	s.hint = widget.NewLabel("")
	s.hint.Wrapping = fyne.TextWrapWord
	s.dups = newDuplicatesView(e, func(fn func()) { s.do(fn) }, &s.work)
	s.dups.onCount = s.onDuplicateCount
	return s
}

func (s *syncScreen) build() fyne.CanvasObject {
	setup := widget.NewForm(
		widget.NewFormItem(lang.X("sync.kind", "Where"), s.kind),
		widget.NewFormItem(lang.X("sync.folder", "Folder"), container.NewBorder(nil, nil, nil, s.pick, s.folder)),
		widget.NewFormItem(lang.X("sync.url", "WebDAV address"), s.url),
		widget.NewFormItem(lang.X("sync.user", "User name"), s.user),
		widget.NewFormItem(lang.X("sync.password", "App password"), s.password),
		widget.NewFormItem(lang.X("sync.passphrase", "Team passphrase"), s.passphrase),
	)
	s.setupBox = widget.NewAccordion(widget.NewAccordionItem(lang.X("sync.setup", "Sync target: set up or join"),
		container.NewVBox(setup, container.NewHBox(s.create, s.join))))
	s.setupBox.Open(0)
	top := container.NewVBox(
		widget.NewLabelWithStyle(lang.X("sync.title", "Sync between devices"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.setupBox,
		widget.NewSeparator(),
		container.NewHBox(s.syncNow, s.cancel), s.auto, s.progress, s.status, s.warning,
	)
	s.conflictTab = container.NewTabItem(lang.X("sync.conflicts", "Conflicts to review"), container.NewBorder(s.hint, nil, nil, nil, s.list))
	s.dupTab = container.NewTabItem(lang.X("dup.tab.duplicates", "Possible duplicates"), s.dups.pairsView())
	s.merged = container.NewTabItem(lang.X("dup.tab.merged", "Merged"), s.dups.mergesView())
	s.tabs = container.NewAppTabs(s.conflictTab, s.dupTab, s.merged)
	s.refresh()
	return container.NewBorder(top, nil, nil, nil, s.tabs)
}

// onDuplicateCount shows the counts in the tab titles; after a sync that
// left duplicates to review it says so and opens their tab.
func (s *syncScreen) onDuplicateCount(pairs, merges int) {
	if s.tabs == nil {
		return
	}
	s.dupTab.Text = lang.X("dup.tab.duplicates", "Possible duplicates")
	if pairs > 0 {
		s.dupTab.Text += " (" + formatCount(pairs) + ")"
	}
	s.merged.Text = lang.X("dup.tab.merged", "Merged")
	if merges > 0 {
		s.merged.Text += " (" + formatCount(merges) + ")"
	}
	// Only new pairs are news: automatic sync runs every few minutes.
	if s.afterSync && pairs > s.knownPairs {
		s.warning.SetText(lang.XN("dup.after_sync", "{{.Count}} possible duplicates to review (tab “Possible duplicates”).", pairs, map[string]any{"Count": formatCount(pairs)}))
		s.warning.Show()
		s.tabs.Select(s.dupTab)
	}
	s.afterSync, s.knownPairs = false, pairs
	s.tabs.Refresh()
}

// onKind shows the fields of the chosen target kind.
func (s *syncScreen) onKind(webdav bool) {
	for _, w := range []fyne.Disableable{s.url, s.user, s.password} {
		if webdav {
			w.Enable()
		} else {
			w.Disable()
		}
	}
	for _, w := range []fyne.Disableable{s.folder, s.pick} {
		if webdav {
			w.Disable()
		} else {
			w.Enable()
		}
	}
}

func (s *syncScreen) onPickFolder() {
	dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			s.e.showError(err)
		} else if u != nil {
			s.folder.SetText(u.Path())
		}
	}, s.e.win)
}

// keepSecrets keeps the sync password and team key in sec (the system
// keychain) instead of the database; main wires it.
func (s *syncScreen) keepSecrets(sec replica.Secrets) {
	if s.store == nil || sec == nil {
		return
	}
	s.secrets = replica.NewSecretState(s.store, sec)
	s.store = s.secrets
}

// config returns the target the fields describe, without a key.
func (s *syncScreen) config() replica.Config {
	if !s.folder.Disabled() {
		return replica.Config{Folder: s.folder.Text}
	}
	return replica.Config{URL: s.url.Text, User: s.user.Text, Password: s.password.Text}
}

// onSetup creates or joins the target in the background; the key
// derivation takes a noticeable moment on purpose.
func (s *syncScreen) onSetup(create bool) {
	if s.store == nil {
		s.e.showError(model.Errorf(model.EINTERNAL, "this database cannot keep sync state"))
		return
	}
	cfg, pass := s.config(), s.passphrase.Text
	s.setBusy(true)
	s.work.Add(1)
	go func() {
		defer s.work.Done()
		err := s.setup(cfg, pass, create)
		s.do(func() {
			s.setBusy(false)
			if err != nil {
				s.e.showError(err)
				return
			}
			s.passphrase.SetText("")
			s.refresh()
		})
	}()
}

func (s *syncScreen) setup(cfg replica.Config, pass string, create bool) error {
	return replica.Setup(context.Background(), cfg, pass, create, s.kdf, s.store)
}

// syncer builds a Syncer from the saved configuration.
func (s *syncScreen) syncer() (*replica.Syncer, error) {
	if s.store == nil {
		return nil, model.Errorf(model.EINTERNAL, "this database cannot keep sync state")
	}
	return replica.OpenSyncer(s.e.svc, s.e.svc, s.store)
}

func (s *syncScreen) onSync() { s.runSync(false) }

// runSync syncs in the background with progress and cancel. An automatic
// (quiet) run reports problems in the status line instead of a dialog.
func (s *syncScreen) runSync(quiet bool) {
	if !s.busy.CompareAndSwap(false, true) {
		return // one at a time; the running one covers this request
	}
	sy, err := s.syncer()
	if err != nil {
		s.busy.Store(false)
		if !quiet {
			s.e.showError(err)
		}
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	s.mu.Lock()
	s.stop = stop
	s.mu.Unlock()
	s.setBusy(true)
	s.cancel.Enable()
	s.progress.SetValue(0)
	s.progress.Show()
	s.work.Add(1)
	s.syncing.Add(1)
	go func() {
		defer s.work.Done()
		defer stop()
		rep, err := sy.Sync(ctx, func(p replica.Progress) {
			s.do(func() {
				if p.Total > 0 {
					s.progress.SetValue(float64(p.Done) / float64(p.Total))
				}
			})
		})
		if err == nil && s.e.privacy != nil && len(rep.Problems) == 0 && len(rep.Waiting) == 0 {
			err = sy.CompactErasures(ctx, s.e.privacy) // rewrite own files after an erasure
		}
		s.busy.Store(false)
		s.syncing.Done()
		// Read now: s.do runs the update later, after the deferred stop
		// has ended ctx, which would hide every error as a cancel.
		cancelled := ctx.Err() != nil
		s.do(func() {
			s.setBusy(false)
			s.cancel.Disable()
			s.progress.Hide()
			s.showReport(rep)
			if err != nil && !cancelled {
				if quiet {
					fyne.LogError("automatic sync", err)
					s.warning.SetText(lang.X("sync.auto.failed", "Automatic sync did not get through: {{.Error}} It tries again in a few minutes.",
						map[string]any{"Error": model.ErrorMessage(err)}))
					s.warning.Show()
				} else {
					s.e.showError(err)
				}
			}
			s.afterSync = err == nil
			s.refresh()
			s.dups.refresh()
		})
	}()
}

// startAuto runs automatic sync until ctx ends: a first attempt shortly
// after start, then every autoEvery, and autoDelay after local changes.
func (s *syncScreen) startAuto(ctx context.Context) {
	unsubscribe := s.e.svc.Subscribe(func([]model.Change) {
		if s.busy.Load() {
			return // the sync's own writes
		}
		select {
		case s.kick <- struct{}{}:
		default:
		}
	})
	go func() {
		defer unsubscribe()
		t := time.NewTimer(s.autoDelay)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.kick:
				t.Reset(s.autoDelay)
				continue
			case <-t.C:
			}
			t.Reset(s.autoEvery)
			cfg, ok, err := s.loadConfig()
			if err != nil {
				fyne.LogError("automatic sync: read the sync setup", err) // the screen shows it when opened
			} else if ok && !cfg.Manual {
				s.do(func() { s.runSync(true) })
			}
		}
	}()
}

// Stop cancels a running sync and waits for it to end (at most a few
// seconds), so the database can close.
func (s *syncScreen) Stop() {
	s.onCancel()
	done := make(chan struct{})
	go func() { s.syncing.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

func (s *syncScreen) loadConfig() (replica.Config, bool, error) {
	if s.store == nil {
		return replica.Config{}, false, nil
	}
	return replica.LoadConfig(s.store)
}

// onAuto saves the automatic-sync choice with the configuration.
func (s *syncScreen) onAuto(on bool) {
	s.work.Add(1)
	go func() {
		defer s.work.Done()
		cfg, ok, err := s.loadConfig()
		if err == nil && ok && cfg.Manual == on {
			cfg.Manual = !on
			err = replica.SaveConfig(s.store, cfg)
		}
		if err != nil {
			s.do(func() { s.e.showError(err) })
		}
	}()
}

func (s *syncScreen) onCancel() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
	}
}

// showReport shows what a sync found that the user should know: a clock
// that is off (this computer's or another device's), and damaged parts
// skipped, repaired or sent again.
func (s *syncScreen) showReport(rep replica.Report) {
	if text := reportText(rep); text != "" {
		s.warning.SetText(text)
		s.warning.Show()
	} else {
		s.warning.Hide()
	}
}

// reportText is the translated notice about rep, "" when there is none.
func reportText(rep replica.Report) string {
	var lines []string
	switch {
	case rep.ClockOff > 0:
		lines = append(lines, lang.X("sync.clock.ahead", "This computer's clock seems to be {{.Offset}} ahead of the other devices' clocks. Please check its date, time and time zone: changes made here carry the wrong time.",
			map[string]any{"Offset": formatOffset(rep.ClockOff)}))
	case rep.ClockOff < 0:
		lines = append(lines, lang.X("sync.clock.behind", "This computer's clock seems to be {{.Offset}} behind the other devices' clocks. Please check its date, time and time zone: changes made here carry the wrong time.",
			map[string]any{"Offset": formatOffset(-rep.ClockOff)}))
	}
	if rep.DriftWarning() {
		lines = append(lines, lang.X("sync.drift.device", "A change from device {{.Device}} is {{.Offset}} ahead of this computer's clock. One of the two clocks is wrong; sync goes on.",
			map[string]any{"Device": shortDevice(rep.DriftDevice), "Offset": formatOffset(rep.Drift)}))
	}
	if n := len(rep.Skipped); n > 0 {
		lines = append(lines, lang.XN("sync.heal.skipped", "{{.Count}} parts from other devices were damaged on the way and were skipped; those devices were asked to send them again. Everything else was received.",
			n, map[string]any{"Count": formatCount(n)}))
	}
	if n := rep.Repaired; n > 0 {
		lines = append(lines, lang.XN("sync.heal.repaired", "{{.Count}} parts that had been damaged arrived again and were applied.",
			n, map[string]any{"Count": formatCount(n)}))
	}
	if n := len(rep.Resent); n > 0 {
		lines = append(lines, lang.XN("sync.heal.resent", "Other devices could not read {{.Count}} parts sent by this computer; they were sent again.",
			n, map[string]any{"Count": formatCount(n)}))
	}
	return strings.Join(lines, "\n")
}

// formatOffset writes a clock difference in hours and minutes ("2 h 5 min",
// "12 min"), units both languages read.
func formatOffset(d time.Duration) string {
	m := int(d.Round(time.Minute).Minutes())
	if m < 60 {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}

func (s *syncScreen) setBusy(busy bool) {
	for _, b := range []*widget.Button{s.create, s.join, s.syncNow} {
		if busy {
			b.Disable()
		} else {
			b.Enable()
		}
	}
}

// refresh reloads the status (which reads the target) and the conflicts
// in the background.
func (s *syncScreen) refresh() {
	s.work.Add(1)
	go func() {
		defer s.work.Done()
		// The configuration is read once; a damaged one is reported, not
		// taken for "not set up".
		text := lang.X("sync.status.none", "Sync is not set up yet.")
		cfg, configured, cfgErr := s.loadConfig()
		if cfgErr == nil && configured {
			var sy *replica.Syncer
			if sy, cfgErr = cfg.Syncer(s.e.svc, s.e.svc, s.store); cfgErr == nil {
				st, err := sy.Status(context.Background())
				text = s.statusText(st, err)
			}
			if s.secrets != nil && s.secrets.Problem() != nil {
				fyne.LogError("sync secrets", s.secrets.Problem())
				text += "\n" + lang.X("sync.secrets.unavailable", "The system keychain is not available ({{.Error}}). The sync password and team key stay in the database, so they are also in its backups.",
					map[string]any{"Error": model.ErrorMessage(s.secrets.Problem())})
			}
		}
		conflicts, err := s.e.svc.Conflicts()
		s.do(func() {
			if cfgErr != nil {
				s.e.showError(cfgErr)
			}
			if configured {
				s.auto.Enable()
				s.auto.Checked = !cfg.Manual
				s.auto.Refresh()
			} else {
				s.auto.Disable()
			}
			if err != nil {
				s.e.showError(err)
			}
			s.status.SetText(text)
			s.showSetup(!configured)
			s.conflicts = conflicts
			if len(conflicts) == 0 {
				s.hint.SetText(lang.X("sync.conflicts.none", "No conflicts. When two devices change the same field at the same time, the value that was not kept appears here for review."))
			} else {
				s.hint.SetText(lang.X("sync.conflicts.hint", "Every device lists the same conflicts. Keep what is there, or take the other side: resolving here resolves it on every device."))
			}
			s.list.Refresh()
		})
	}()
}

// showSetup opens the target form when no target is set up and closes it
// when one is, each time that changes; in between the user may open and
// close it.
func (s *syncScreen) showSetup(open bool) {
	want := int8(1)
	if open {
		want = 2
	}
	if s.setupBox == nil || s.setupFor == want {
		return
	}
	s.setupFor = want
	if open {
		s.setupBox.Open(0)
	} else {
		s.setupBox.Close(0)
	}
}

// show is what opening the screen does: status, conflicts and the search
// for duplicates (which reads every customer, so not at start-up).
func (s *syncScreen) show() {
	s.refresh()
	s.dups.refresh()
}

func (s *syncScreen) statusText(st replica.Status, err error) string {
	var text string
	if st.LastSync.IsZero() {
		text = lang.X("sync.status.never", "Not synced yet.")
	} else {
		text = lang.X("sync.status.last", "Last sync: {{.When}}.", map[string]any{"When": st.LastSync.In(s.e.now().Location()).Format("2006-01-02 15:04")})
	}
	text += " " + lang.XN("sync.status.pending", "{{.Count}} changes waiting to be sent.", st.PendingOps, map[string]any{"Count": formatCount(st.PendingOps)})
	for _, d := range st.Devices {
		text += "\n" + lang.XN("sync.status.device", "Device {{.Device}}: {{.Read}} parts read, {{.Unread}} new.", d.Read,
			map[string]any{"Device": shortDevice(d.Device), "Read": formatCount(d.Read), "Unread": formatCount(d.Unread)})
	}
	if err != nil {
		text += "\n" + lang.X("sync.status.offline", "The sync target cannot be reached right now.")
	}
	return text
}

func shortDevice(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
