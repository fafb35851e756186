package app

import (
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
)

func TestSettingsSavedAndReloaded(t *testing.T) {
	f := newShellFixture(t, Options{DBPath: "/tmp/k.db"}, nil)
	s := f.ui.settingsView
	f.ui.tabs.Select(f.ui.tabs.Items[len(f.ui.tabs.Items)-1])

	want, err := f.db.Settings()
	if err != nil {
		t.Fatal(err)
	}
	want.UserName, want.Region, want.Language, want.ReminderMinutes, want.FollowUpDays, want.TimeZone =
		"Anna Beispiel", "DE", "de", 30, 5, "Europe/Berlin"

	test.Type(s.userName, "Anna Beispiel")
	s.region.SetText("de")
	s.language.SetSelected(languageText("de"))
	s.reminder.sel.SetSelected("30 minutes before")
	s.days.SetText("")
	test.Type(s.days, "5")
	s.timeZone.SetText("Mars/Olympus")
	test.Tap(s.save)
	if !s.errs["time_zone"].Visible() {
		t.Fatalf("unknown time zone accepted without a message")
	}
	if st, err := f.db.Settings(); err != nil || st.UserName != "" {
		t.Fatalf("settings saved despite an error: %+v", st)
	}

	s.timeZone.SetText("Europe/Berlin")
	test.Tap(s.save)
	if s.errs["time_zone"].Visible() {
		t.Fatalf("message still shown: %q", s.errs["time_zone"].Text)
	}
	if got := f.ui.env.settings(); got != want {
		t.Fatalf("env settings %+v, want %+v", got, want)
	}

	// A new screen reads back what was stored; so does a new session.
	s2 := newSettingsScreen(f.ui.env, Options{})
	s2.build()
	if s2.userName.Text != "Anna Beispiel" || s2.region.Text != "DE" || s2.reminder.minutes() != 30 || s2.timeZone.Text != "Europe/Berlin" ||
		s2.language.SelectedIndex() != 1 {
		t.Fatalf("reloaded form shows %q %q %d %q lang %d", s2.userName.Text, s2.region.Text, s2.reminder.minutes(), s2.timeZone.Text, s2.language.SelectedIndex())
	}
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	db := shellOpen(t, f.path)
	f.db = db // the fixture's cleanup checks and closes the reopened database
	got, err := db.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("after reopening got %+v, want %+v", got, want)
	}
}

func TestBackupNowListsTheBackup(t *testing.T) {
	restored := ""
	f := newShellFixture(t, Options{Restore: func(p string) error { restored = p; return nil }}, nil)
	s := f.ui.settingsView
	test.Tap(s.backupNow)
	shellEventually(t, "the backup in the list", func() bool { return s.Length() == 1 })
	if s.backups[0].Reason != "manual" {
		t.Fatalf("got reason %q, want manual", s.backups[0].Reason)
	}
	s.onRestore(s.backups[0])
	test.Tap(overlayButton(t, f.ui.Window().Canvas(), lang.L("Yes")))
	if restored != s.backups[0].Path {
		t.Fatalf("restore hook got %q, want %q", restored, s.backups[0].Path)
	}
	if !s.restart.Visible() || !s.save.Disabled() {
		t.Fatalf("no restart notice after restore")
	}
}
