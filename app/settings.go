package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// settingsScreen edits the device settings and manages backups.
type settingsScreen struct {
	e   *env
	opt Options

	userName  *widget.Entry
	region    *widget.SelectEntry
	language  *widget.Select
	reminder  *reminderSelect
	days      *widget.Entry
	timeZone  *widget.SelectEntry
	backupDir *widget.Entry
	keep      *widget.Entry
	icsPath   *widget.Entry
	errs      map[string]*widget.Label
	save      *widget.Button
	saved     *widget.Label

	backupNow *widget.Button
	backups   []model.BackupInfo
	list      *widget.List
	restart   *widget.Label
	erased    *erasedLog // nil without a privacy service
	locale    *localeFields

	// loaded are the settings last read, so fields this screen does not
	// show (the current fair) survive a save.
	loaded model.Settings
}

func newSettingsScreen(e *env, opt Options) *settingsScreen {
	return &settingsScreen{e: e, opt: opt, errs: map[string]*widget.Label{}}
}

// languages are the choices of the language select: system, German, English.
var languages = []string{"", "de", "en"}

func languageText(code string) string {
	switch code {
	case "de":
		return lang.X("settings.language.de", "Deutsch")
	case "en":
		return lang.X("settings.language.en", "English")
	}
	return lang.X("settings.language.system", "System language")
}

// regions offered for phone numbers; any other ISO code may be typed.
var regions = []string{"CH", "DE", "AT", "LI", "FR", "IT", "NL", "BE", "LU", "GB", "US"}

// zones offered for planning; any IANA name may be typed.
var zones = []string{"Europe/Zurich", "Europe/Berlin", "Europe/Vienna", "Europe/Vaduz", "Europe/Paris", "Europe/Rome", "Europe/London", "America/New_York", "UTC"}

func (s *settingsScreen) build() fyne.CanvasObject {
	s.userName = widget.NewEntry()
	s.userName.SetPlaceHolder(lang.X("settings.user_name.hint", "Your name, shown as author of your notes"))
	s.region = widget.NewSelectEntry(regions)
	var langs []string
	for _, l := range languages {
		langs = append(langs, languageText(l))
	}
	s.language = widget.NewSelect(langs, nil)
	s.reminder = newReminderSelect(0)
	s.days = widget.NewEntry()
	s.timeZone = widget.NewSelectEntry(zones)
	s.locale = newLocaleFields(s.region, s.timeZone)
	s.backupDir = widget.NewEntry()
	s.backupDir.SetPlaceHolder(lang.X("settings.backup_dir.hint", "empty: next to the database"))
	s.keep = widget.NewEntry()
	s.icsPath = widget.NewEntry()
	s.icsPath.SetPlaceHolder(lang.X("settings.ics.hint", "e.g. /Users/me/Nextcloud/followups.ics; empty: off"))

	grid := container.New(layout.NewFormLayout())
	add := func(label string, obj fyne.CanvasObject, field, help string) {
		l := newErrorLabel()
		s.errs[field] = l
		box := container.NewVBox(obj)
		if help != "" {
			h := widget.NewLabel(help)
			h.Wrapping = fyne.TextWrapWord
			h.Importance = widget.LowImportance
			box.Add(h)
		}
		box.Add(l)
		grid.Add(widget.NewLabel(label))
		grid.Add(box)
	}
	add(lang.X("settings.user_name", "Your name"), s.userName, "user_name", "")
	add(lang.X("settings.region", "Phone region"), s.region, "region",
		lang.X("settings.region.help", "Numbers typed without a country code are read as numbers of this country."))
	add(lang.X("settings.language", "Language"), s.language, "language",
		lang.X("settings.language.help", "Takes effect when Kundenkartei is started again."))
	s.locale.add(add)
	add(lang.X("keys.settings.reminder", "Default reminder"), s.reminder.sel, "reminder", "")
	add(lang.X("settings.followup_days", "Follow up after (days)"), s.days, "followup_days",
		lang.X("settings.followup_days.help", "Default of the trade-fair capture."))
	add(lang.X("settings.time_zone", "Time zone"), s.timeZone, "time_zone", "")
	add(lang.X("settings.ics", "Calendar file (.ics)"), s.icsPath, "ics",
		lang.X("settings.ics.help", "When set, follow-ups are written to this file after every change, for your calendar to subscribe to."))
	add(lang.X("settings.backup_dir", "Backup folder"), s.backupDir, "backup_dir", "")
	add(lang.X("settings.backup_keep", "Keep automatic backups"), s.keep, "backup_keep", "")
	dbPath := widget.NewLabel(s.opt.DBPath)
	dbPath.Wrapping = fyne.TextWrapBreak
	grid.Add(widget.NewLabel(lang.X("settings.db_path", "Data file")))
	grid.Add(dbPath)

	s.save = widget.NewButtonWithIcon(lang.X("settings.save", "Save settings"), theme.DocumentSaveIcon(), s.onSave)
	s.save.Importance = widget.HighImportance
	s.saved = widget.NewLabel("")

	s.backupNow = widget.NewButtonWithIcon(lang.X("settings.backup_now", "Back up now"), theme.UploadIcon(), s.onBackupNow)
	s.list = widget.NewList(s.Length, s.CreateItem, s.UpdateItem)
	s.restart = widget.NewLabel("")
	s.restart.Importance = widget.WarningImportance
	s.restart.Wrapping = fyne.TextWrapWord
	s.restart.Hide()

	form := container.NewVBox(
		widget.NewLabelWithStyle(lang.X("settings.title", "Settings of this device"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		grid, container.NewHBox(s.save, s.saved),
	)
	if s.e.privacy != nil {
		s.erased = newErasedLog(s.e)
		form.Add(s.erased.build())
	}
	backups := container.NewBorder(
		container.NewVBox(widget.NewSeparator(),
			widget.NewLabelWithStyle(lang.X("settings.backups", "Backups"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			container.NewHBox(s.backupNow), s.restart),
		nil, nil, nil, s.list)
	s.load()
	split := container.NewVSplit(container.NewVScroll(form), backups)
	split.Offset = 0.7
	return split
}

// load shows the stored settings and backups.
func (s *settingsScreen) load() {
	st, err := s.e.svc.Settings()
	if err != nil {
		s.e.showError(err)
		return
	}
	s.loaded = st
	s.userName.SetText(st.UserName)
	s.locale.load(st)
	s.region.SetText(st.Region)
	s.language.SetSelectedIndex(0)
	for i, l := range languages {
		if l == st.Language {
			s.language.SetSelectedIndex(i)
		}
	}
	s.reminder.set(st.ReminderMinutes)
	s.days.SetText(intText(st.FollowUpDays))
	s.timeZone.SetText(st.TimeZone)
	s.backupDir.SetText(st.BackupDir)
	s.keep.SetText(intText(st.BackupKeep))
	s.icsPath.SetText(st.ICSAutoPath)
	s.loadBackups()
}

func intText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func (s *settingsScreen) loadBackups() {
	b, err := s.e.svc.Backups()
	if err != nil {
		s.e.showError(err)
		return
	}
	s.backups = b
	s.list.Refresh()
}

// read builds settings from the widgets; field errors for what does not parse.
func (s *settingsScreen) read() (model.Settings, []model.FieldError) {
	st := s.loaded
	var bad []model.FieldError
	num := func(field, key, text string, min, max int) int {
		text = strings.TrimSpace(text)
		if text == "" {
			return 0
		}
		n, err := strconv.Atoi(text)
		if err != nil || n < min || n > max {
			bad = append(bad, model.FieldError{Field: field, Key: key, Message: fmt.Sprintf("%q is not between %d and %d", text, min, max)})
		}
		return n
	}
	st.UserName = strings.TrimSpace(s.userName.Text)
	st.Region = strings.ToUpper(strings.TrimSpace(s.region.Text))
	if st.Region != "" && len(st.Region) != 2 {
		bad = append(bad, model.FieldError{Field: "region", Key: "settings.error.region", Message: "region must be a two-letter country code"})
	}
	if i := s.language.SelectedIndex(); i >= 0 {
		st.Language = languages[i]
	}
	st.ReminderMinutes = s.reminder.minutes()
	st.FollowUpDays = num("followup_days", "settings.error.number", s.days.Text, 0, 3660)
	st.BackupKeep = num("backup_keep", "settings.error.number", s.keep.Text, 0, 1000)
	st.TimeZone = strings.TrimSpace(s.timeZone.Text)
	if st.TimeZone != "" {
		if _, err := time.LoadLocation(st.TimeZone); err != nil {
			bad = append(bad, model.FieldError{Field: "time_zone", Key: "validation.tz", Message: err.Error()})
		}
	}
	bad = append(bad, s.locale.read(&st)...)
	st.BackupDir = strings.TrimSpace(s.backupDir.Text)
	st.ICSAutoPath = strings.TrimSpace(s.icsPath.Text)
	return st, bad
}

func (s *settingsScreen) onSave() {
	for _, l := range s.errs {
		l.Hide()
	}
	s.saved.SetText("")
	st, bad := s.read()
	if len(bad) > 0 {
		for _, fe := range bad {
			if l, ok := s.errs[fe.Field]; ok {
				l.SetText(fieldErrorText(fe))
				l.Show()
			}
		}
		return
	}
	langChanged := st.Language != s.loaded.Language
	if err := s.e.svc.SaveSettings(st); err != nil {
		s.e.showError(err)
		return
	}
	s.loaded = st
	s.e.setSettings(st)
	if langChanged {
		s.saved.SetText(lang.X("settings.saved_restart", "Saved. The language changes when you start Kundenkartei again."))
	} else {
		s.saved.SetText(lang.X("settings.saved", "Saved."))
	}
}

func (s *settingsScreen) onBackupNow() {
	s.backupNow.Disable()
	go func() {
		info, err := s.e.svc.Backup("manual")
		fyne.Do(func() {
			s.backupNow.Enable()
			if err != nil {
				s.e.showError(err)
				return
			}
			s.loadBackups()
			s.saved.SetText(lang.X("backup.done", "Backup written to {{.Path}}", map[string]any{"Path": info.Path}))
		})
	}()
}

// Length returns the number of backups.
func (s *settingsScreen) Length() int { return len(s.backups) }

// CreateItem returns a backup row.
func (s *settingsScreen) CreateItem() fyne.CanvasObject { return newBackupRow() }

// UpdateItem shows backup i in o.
func (s *settingsScreen) UpdateItem(i widget.ListItemID, o fyne.CanvasObject) {
	if i < 0 || i >= len(s.backups) {
		return
	}
	b := s.backups[i]
	r := o.(*backupRow)
	r.label.SetText(lang.X("settings.backup_row", "{{.Date}} · {{.Reason}} · {{.Size}}",
		map[string]any{"Date": formatDateTime(b.Created), "Reason": backupReasonText(b.Reason), "Size": formatSize(b.Size)}))
	r.restore.OnTapped = func() { s.onRestore(b) }
	if s.opt.Restore == nil {
		r.restore.Hide()
	}
}

func backupReasonText(r string) string {
	switch r {
	case "manual", "daily", "import", "sync", "merge", "restore":
		return lang.X("backup.reason."+r, r)
	}
	return r
}

func (s *settingsScreen) onRestore(b model.BackupInfo) {
	dialog.ShowConfirm(lang.X("settings.restore.title", "Restore backup"),
		lang.X("settings.restore.confirm", "Replace all data with the backup of {{.Date}}? The current state is backed up first.",
			map[string]any{"Date": formatDateTime(b.Created)}),
		func(ok bool) {
			if !ok {
				return
			}
			if err := s.opt.Restore(b.Path); err != nil {
				s.e.showError(err)
				return
			}
			s.restart.SetText(lang.X("settings.restart", "Restart required: close and start Kundenkartei again to work with the restored data."))
			s.restart.Show()
			s.backupNow.Disable()
			s.save.Disable()
		}, s.e.win)
}

// backupRow shows one backup with its restore button.
type backupRow struct {
	widget.BaseWidget
	label   *widget.Label
	restore *widget.Button
}

func newBackupRow() *backupRow {
	r := &backupRow{label: widget.NewLabel(""), restore: widget.NewButtonWithIcon(lang.X("settings.restore", "Restore"), theme.ContentUndoIcon(), nil)}
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer puts the button at the end of the line.
func (r *backupRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, r.restore, r.label))
}
