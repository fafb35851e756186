// Command kundenkartei is the Kundenkartei desktop app. Without arguments
// it opens the window; with a command (import, export, demo, backup, …) it
// works headless on the same database. main only wires the pieces.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	_ "time/tzdata" // Windows has no zoneinfo: without it follow-ups fall back to UTC

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"github.com/kundenkartei/kundenkartei/app"
	"github.com/kundenkartei/kundenkartei/app/cli"
	"github.com/kundenkartei/kundenkartei/assets"
	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/model/locale"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/sync/replica"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// keychainService names the entries that keep the sync password and team
// key out of the database, in the operating system's keychain.
const keychainService = "Kundenkartei"

func main() {
	app.QuietPOSIXLocale()
	flags := flag.NewFlagSet("kundenkartei", flag.ExitOnError)
	dbPath := flags.String("db", "", "database file (default: the user data folder; env KUNDENKARTEI_DB)")
	flags.Usage = func() {
		fmt.Fprintf(flags.Output(), "Usage: kundenkartei [-db FILE] [COMMAND [ARGS]]\n\nWithout a command the window opens.\n\n%s\nFlags:\n", cli.Usage())
		flags.PrintDefaults()
	}
	flags.Parse(os.Args[1:])
	path := *dbPath
	if path == "" {
		var err error
		if path, err = storage.DefaultPath(); err != nil {
			fmt.Fprintln(os.Stderr, "kundenkartei: no user data folder:", err)
			os.Exit(1)
		}
	}
	if flags.NArg() > 0 {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		err := cli.Run(ctx, flags.Args(), cli.Env{
			Stdout: os.Stdout, Stderr: os.Stderr,
			// Commands load the customer directory when they use it (an
			// export of follow-ups or a backup does without), and exports
			// may keep more of the file mapped than beside the GUI.
			Open: func() (cli.Store, error) {
				return storage.Open(path, storage.Options{LazyDirectory: true, ExportMemory: 64 << 20, DeviceName: hostName(), NewSettings: newDatabaseSettings()})
			},
			Restore: func(backup string) error { return restoreFile(path, backup) },
			Secrets: replica.Keychain{Service: keychainService},
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "kundenkartei:", model.ErrorMessage(err))
			if errors.Is(err, cli.ErrUsage) {
				os.Exit(2)
			}
			os.Exit(1)
		}
		return
	}
	os.Exit(runGUI(path))
}

// runGUI opens the database and the window. A database that another
// instance holds gets a window saying so instead of a hang.
func runGUI(path string) int {
	if os.Getenv("GOMEMLIMIT") == "" {
		// A desktop app should give memory back: with a soft limit the
		// collector runs before the heap doubles after a large list load.
		debug.SetMemoryLimit(256 << 20)
	}
	if os.Getenv("GOGC") == "" {
		// The directory of 100,000 customers is about 110 MB of live heap
		// that stays for the whole session; letting the heap grow by half
		// of that between collections instead of all of it keeps the
		// process within its memory budget (DESIGN.md §9), and the
		// collector has little to do once the window is up.
		debug.SetGCPercent(50)
	}
	a := fyneapp.NewWithID("ch.kundenkartei.app")
	db, err := storage.Open(path, storage.Options{DeviceName: hostName(), NewSettings: newDatabaseSettings()})
	if err != nil {
		if lerr := app.LoadTranslationsFor(uiLanguage("")); lerr != nil {
			fmt.Fprintln(os.Stderr, "kundenkartei: translations:", lerr)
		}
		fmt.Fprintln(os.Stderr, "kundenkartei:", model.ErrorMessage(err))
		app.ShowStartError(a, err)
		return 1
	}
	defer func() {
		if err := db.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "kundenkartei:", model.ErrorMessage(err))
		}
	}()
	settings, err := db.Settings()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kundenkartei: settings:", model.ErrorMessage(err))
	}
	if err := app.LoadTranslationsFor(uiLanguage(settings.Language)); err != nil {
		fmt.Fprintln(os.Stderr, "kundenkartei: translations:", err)
		return 1
	}
	// The daily backup copies the whole file: off the start-up path.
	go func() {
		if _, err := db.DailyBackup(); err != nil {
			fyne.LogError("daily backup", err)
		}
	}()
	// Logging out or shutting down ends the session with SIGTERM: quit as
	// the menu does, so that Close writes the directory snapshot and the
	// next start reads it instead of decoding every customer (3 s instead
	// of 0.3 s with 100,000 customers).
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		fyne.Do(a.Quit)
	}()
	a.SetIcon(assets.Icon)
	var ui *app.UI
	ui = app.New(a, db, app.Options{
		Demo:    cli.DemoLoader(db),
		Import:  func(fyne.Window) { ui.ShowImport() },
		Export:  func(fyne.Window) { ui.ShowExport() },
		Restore: db.CloseAndRestore,
		DBPath:  path,
		Version: version,
		Secrets: replica.Keychain{Service: keychainService},
		Privacy: db,
	})
	idle := make(chan struct{})
	defer close(idle)
	go app.ReleaseMemoryWhenIdle(idle)
	fitToScreen(ui.Window())
	ui.ShowAndRun()
	return 0
}

// restoreFile restores a backup over the database at path, keeping the
// replaced file in the backup folder the database's settings name. A
// database too damaged to open is replaced all the same.
func restoreFile(path, backup string) error {
	db, err := storage.Open(path, storage.Options{DeviceName: hostName(), NewSettings: newDatabaseSettings()})
	if err != nil {
		if model.ErrorCode(err) == model.ELOCKED {
			return err
		}
		return storage.Restore(backup, path, storage.DefaultBackupDir(path))
	}
	return db.CloseAndRestore(backup)
}

// hostName is this computer's name, which stands for the author of
// changes while no user name is set; "" when the system has none.
func hostName() string {
	name, err := os.Hostname()
	if err != nil {
		return ""
	}
	return name
}

// newDatabaseSettings are the settings a database created now starts with:
// phone numbers without a country code belong to the user's country
// (+49 under de_DE, not the +41 every new database had).
func newDatabaseSettings() model.Settings {
	return model.Settings{Region: locale.Get(string(lang.SystemLocale())).Region}
}
