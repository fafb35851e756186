package app

import (
	"context"
	"fmt"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"github.com/kundenkartei/kundenkartei/assets"
	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/replica"
)

// Options are what main hands the GUI besides the services: hooks into
// work that lives outside package app, and facts about the installation.
type Options struct {
	// Demo loads the small demo data set, reporting progress; nil hides the
	// offer on first start.
	Demo func(ctx context.Context, progress func(done, total int)) error
	// Import opens the import wizard on w; nil hides the menu item and the
	// first-start offer.
	Import func(w fyne.Window)
	// Export opens the export wizard on w; nil hides the menu item.
	Export func(w fyne.Window)
	// Restore replaces the database with the backup at path. The app must be
	// restarted afterwards; nil hides the restore buttons.
	Restore func(path string) error
	// DBPath is the database file, shown in the settings.
	DBPath string
	// Version is shown in the About dialog.
	Version string
	// Secrets keeps the sync password and team key out of the database
	// (the system keychain); nil keeps them in it.
	Secrets replica.Secrets
	// Privacy erases customers for good and writes data-subject access
	// exports; nil hides Erase and the erased log, and Export data writes
	// the plain JSON of the timeline.
	Privacy model.PrivacyService
}

// UI is the main window with its navigation and screens.
type UI struct {
	app  fyne.App
	win  fyne.Window
	env  *env
	opt  Options
	cur  model.Settings
	tabs *container.AppTabs

	calendar *calendarSync                 // keeps Settings.ICSAutoPath current
	tabSave  map[*container.TabItem]func() // what Ctrl+S saves on that tab
	fair     *fairScreen                   // the trade-fair capture, built with its tab

	customersTab *container.TabItem
	customers    *customersScreen
	customer     *customerScreen
	settingsView *settingsScreen
	syncView     *syncScreen
}

// LoadTranslations adds the embedded translations to Fyne's lang package.
// Main calls it before creating the app so every string is translated.
func LoadTranslations() error {
	return lang.AddTranslationsFS(assets.Translations, assets.TranslationsDir)
}

// LoadTranslationsFor is LoadTranslations with the language fixed to code
// ("de", "en"; "" follows the system). Fyne picks the language from the
// system locale only, so only the chosen language's files are loaded, and
// under the system locale as well as under English (Fyne's fallback):
// loading the other languages too would let them win for their own locale.
func LoadTranslationsFor(code string) error {
	if code == "" {
		return LoadTranslations()
	}
	files, err := assets.Translations.ReadDir(assets.TranslationsDir)
	if err != nil {
		return err
	}
	sys := lang.SystemLocale()
	found := false
	for _, f := range files {
		name := f.Name()
		if name != code+".json" && !hasSuffix(name, "."+code+".json") {
			continue
		}
		found = true
		data, err := assets.Translations.ReadFile(assets.TranslationsDir + "/" + name)
		if err != nil {
			return err
		}
		for _, loc := range []fyne.Locale{sys, fyne.Locale(sys.LanguageString()), "en"} {
			if err := lang.AddTranslationsForLocale(data, loc); err != nil {
				return err
			}
		}
	}
	if !found {
		return fmt.Errorf("no translations for language %q", code)
	}
	return nil
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// New builds the main window on a and svc. It does not show it.
func New(a fyne.App, svc model.Services, opt Options) *UI {
	u := &UI{app: a, opt: opt}
	a.Settings().SetTheme(newHintTheme())
	u.win = a.NewWindow(lang.X("app.title", "Kundenkartei"))
	u.win.SetIcon(assets.Icon)
	cur, err := svc.Settings()
	if err != nil {
		fyne.LogError("reading settings", err)
	}
	u.cur = cur
	applyLocale(cur)
	u.env = &env{
		svc:      svc,
		privacy:  opt.Privacy,
		win:      u.win,
		now:      svc.Now,
		settings: func() model.Settings { return u.cur },
		setSettings: func(s model.Settings) {
			u.cur = s
			applyLocale(s)
			u.calendar.apply(s.ICSAutoPath)
		},
		openCustomer: u.openCustomer,
		newCustomer:  u.newCustomer,
		showError:    newErrorShower(u.win),
		openURL:      func(l *url.URL) error { return a.OpenURL(l) },
		prefs:        a.Preferences(),
	}
	u.calendar = &calendarSync{e: u.env}
	u.calendar.apply(cur.ICSAutoPath)
	u.env.undos = &undoStack{}
	u.env.forms = &formStack{canvas: u.win.Canvas()}
	u.env.banner = newUndoBanner(u.env.undos, func(err error) { u.env.showError(err) })
	u.env.undos.onChange = u.env.banner.follow
	u.win.SetContent(u.env.banner.over(u.build()))
	u.win.SetMainMenu(u.mainMenu())
	u.addShortcuts()
	u.win.Resize(fyne.NewSize(1200, 800))
	return u
}

// ShowImport opens the address-book import wizard (file picker, preview,
// import with progress); main hands it to Options.Import.
func (u *UI) ShowImport() { showImport(u.env) }

// ShowExport opens the export dialog; main hands it to Options.Export.
func (u *UI) ShowExport() { showExport(u.env) }

// Window returns the main window.
func (u *UI) Window() fyne.Window { return u.win }

// ShowAndRun shows the main window and runs the app until it quits, with
// automatic sync in the background; a sync still running at the end is
// cancelled and awaited, so the database closes cleanly.
func (u *UI) ShowAndRun() {
	ctx, cancel := context.WithCancel(context.Background())
	u.syncView.startAuto(ctx)
	u.win.ShowAndRun()
	cancel()
	u.syncView.Stop()
}

func (u *UI) build() fyne.CanvasObject {
	e := u.env
	u.customers = newCustomersScreen(e, u.opt)
	u.customer = newCustomerScreen(e)
	split := container.NewHSplit(u.customers.build(), u.customer.build())
	split.Offset = 0.55 // the table's columns want the room; the customer side keeps its minimum
	u.customersTab = container.NewTabItemWithIcon(lang.X("nav.customers", "Customers"), theme.AccountIcon(), split)
	u.settingsView = newSettingsScreen(e, u.opt)

	// The screens of the care area are built by their own files; navigation
	// only needs their constructors and build/refresh.
	today := newTodayScreen(e)
	loyalty := newLoyaltyScreen(e)
	fair := newFairScreen(e)
	u.fair = fair
	wishes := newWishesScreen(e)
	todayTab := container.NewTabItemWithIcon(lang.X("nav.today", "Today"), theme.HomeIcon(), today.build())
	loyaltyTab := newLazyTab(lang.X("nav.loyalty", "Loyalty"), theme.ConfirmIcon(), loyalty.build)
	fairTab := newLazyTab(lang.X("nav.fair", "Trade fair"), theme.ContentAddIcon(), fair.build)
	wishesTab := newLazyTab(lang.X("nav.wishes", "Wishes"), theme.InfoIcon(), wishes.build)
	syncView := newSyncScreen(e)
	syncView.keepSecrets(u.opt.Secrets)
	u.syncView = syncView
	syncTab := container.NewTabItemWithIcon(lang.X("nav.sync", "Sync"), theme.ViewRefreshIcon(), syncView.build())
	settingsTab := container.NewTabItemWithIcon(lang.X("nav.settings", "Settings"), theme.SettingsIcon(), u.settingsView.build())
	u.tabs = container.NewAppTabs(todayTab, u.customersTab, loyaltyTab.item, fairTab.item, wishesTab.item, syncTab, settingsTab)
	// Ctrl+S on a screen that is a form of its own (keys.go); a lazy tab is
	// built by the time it is selected.
	u.tabSave = map[*container.TabItem]func(){fairTab.item: fair.onSave, settingsTab: u.settingsView.onSave}
	u.tabs.SetTabLocation(container.TabLocationLeading)
	u.tabs.OnSelected = func(t *container.TabItem) {
		// An entry on the tab left behind must not keep the keyboard:
		// typing and Ctrl+Z would go to a field nobody sees.
		u.win.Canvas().Unfocus()
		// A lazy tab's build loads its data; later visits reload it.
		switch t {
		case todayTab:
			today.refresh()
		case loyaltyTab.item:
			if !loyaltyTab.open(u.tabs) {
				loyalty.refresh()
			}
		case fairTab.item:
			if !fairTab.open(u.tabs) {
				fair.refresh()
			}
			fair.focus()
		case wishesTab.item:
			if !wishesTab.open(u.tabs) {
				wishes.refresh()
			}
		case syncTab:
			syncView.show()
		case settingsTab:
			u.settingsView.load()
		}
	}
	if e.svc.Directory().Len() == 0 {
		u.tabs.Select(u.customersTab) // first start: the welcome lives there
	}
	return u.tabs
}

// lazyTab is a tab whose screen is built when the tab is first selected.
// The care screens read what they show from storage as they are built;
// with a large database, loyalty alone decodes every gesture twice, and a
// start should not pay for screens nobody has opened yet.
type lazyTab struct {
	item  *container.TabItem
	build func() fyne.CanvasObject
	built bool
}

func newLazyTab(text string, icon fyne.Resource, build func() fyne.CanvasObject) *lazyTab {
	return &lazyTab{item: container.NewTabItemWithIcon(text, icon, container.NewStack()), build: build}
}

// open builds the screen on the first call and reports whether it did.
func (l *lazyTab) open(tabs *container.AppTabs) bool {
	if l.built {
		return false
	}
	l.built = true
	l.item.Content = l.build()
	tabs.Refresh()
	return true
}

func (u *UI) mainMenu() *fyne.MainMenu {
	var file []*fyne.MenuItem
	if u.opt.Import != nil {
		file = append(file, fyne.NewMenuItem(lang.X("menu.import", "Import…"), func() { u.opt.Import(u.win) }))
	}
	if u.opt.Export != nil {
		file = append(file, fyne.NewMenuItem(lang.X("menu.export", "Export…"), func() { u.opt.Export(u.win) }))
	}
	file = append(file, fyne.NewMenuItem(lang.X("menu.backup", "Back up now"), u.onBackup))
	quit := fyne.NewMenuItem(lang.X("menu.quit", "Quit"), func() { u.app.Quit() })
	quit.IsQuit = true
	file = append(file, fyne.NewMenuItemSeparator(), quit)

	newCust := fyne.NewMenuItem(lang.X("menu.customer.new", "New customer"), u.newCustomer)
	newCust.Shortcut = shortcutNewCustomer
	newNote := fyne.NewMenuItem(lang.X("menu.customer.note", "New note"), u.onNewNote)
	newNote.Shortcut = shortcutNewNote
	search := fyne.NewMenuItem(lang.X("menu.customer.search", "Search"), u.focusSearch)
	search.Shortcut = shortcutSearch

	// Menu shortcuts reach the window before a focused entry does, which
	// swallows every shortcut it does not know: Ctrl+S works while typing.
	save := fyne.NewMenuItem(lang.X("keys.menu.save", "Save"), u.onSaveKey)
	save.Shortcut = shortcutSave
	undo := fyne.NewMenuItem(lang.X("keys.menu.undo", "Undo"), u.onUndoKey)
	undo.Shortcut = shortcutUndo

	keys := fyne.NewMenuItem(lang.X("keys.menu.shortcuts", "Keyboard shortcuts"), u.showShortcuts)
	about := fyne.NewMenuItem(lang.X("menu.about", "About Kundenkartei"), u.onAbout)
	return fyne.NewMainMenu(
		fyne.NewMenu(lang.X("menu.file", "File"), file...),
		fyne.NewMenu(lang.X("keys.menu.edit", "Edit"), save, undo),
		fyne.NewMenu(lang.X("menu.customer", "Customer"), newCust, newNote, search),
		fyne.NewMenu(lang.X("menu.help", "Help"), keys, about),
	)
}

var (
	shortcutNewCustomer = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutNewNote     = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	shortcutSearch      = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
)

// addShortcuts registers the shortcuts on the canvas too: menu shortcuts
// only fire where the platform has a native menu bar.
func (u *UI) addShortcuts() {
	c := u.win.Canvas()
	c.AddShortcut(shortcutNewCustomer, func(fyne.Shortcut) { u.newCustomer() })
	c.AddShortcut(shortcutNewNote, func(fyne.Shortcut) { u.onNewNote() })
	c.AddShortcut(shortcutSearch, func(fyne.Shortcut) { u.focusSearch() })
	c.AddShortcut(shortcutSave, func(fyne.Shortcut) { u.onSaveKey() })
	c.AddShortcut(shortcutUndo, func(fyne.Shortcut) { u.onUndoKey() })
	// Fyne's dialogs do not react to Esc; close the topmost form through its
	// dialog (so its close hooks run), else the topmost overlay.
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name != fyne.KeyEscape {
			return
		}
		if f := u.env.forms.top(); f != nil {
			f.dlg.Hide()
			return
		}
		if top := c.Overlays().Top(); top != nil {
			top.Hide()
			c.Overlays().Remove(top)
		}
	})
}

func (u *UI) openCustomer(id model.ID) {
	u.tabs.Select(u.customersTab)
	u.customer.show(id)
}

func (u *UI) newCustomer() {
	u.tabs.Select(u.customersTab)
	u.customer.showNew()
}

func (u *UI) focusSearch() {
	u.tabs.Select(u.customersTab)
	u.win.Canvas().Focus(u.customers.search)
}

func (u *UI) onNewNote() {
	if u.customer.currentID() != model.NilID {
		u.customer.onAddNote()
	}
}

func (u *UI) onBackup() {
	go func() {
		info, err := u.env.svc.Backup("manual")
		fyne.Do(func() {
			if err != nil {
				u.env.showError(err)
				return
			}
			dialog.ShowInformation(lang.X("backup.done.title", "Backup"),
				lang.X("backup.done", "Backup written to {{.Path}}", map[string]any{"Path": info.Path}), u.win)
		})
	}()
}
