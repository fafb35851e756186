// Package cli is the headless face of Kundenkartei: subcommands of the
// same binary for automation, tests and benchmarks (import, export, demo
// data, backups, checks). It uses the same model services as the GUI and
// imports no Fyne.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage/demo"
	"github.com/kundenkartei/kundenkartei/sync/replica"
)

// ErrUsage marks errors in how a command was called; main exits with 2
// for them. The *model.Error that wraps it carries the message, so the
// user reads what was wrong instead of "internal error".
var ErrUsage = errors.New("wrong usage, kundenkartei -h lists the commands")

// usagef returns an EINVALID error wrapping ErrUsage.
func usagef(format string, args ...any) error {
	return model.WrapError(model.EINVALID, ErrUsage, format, args...)
}

// errHelp is what a command's flag parsing returns for -h: Run turns it
// into success after the usage went out.
var errHelp = flag.ErrHelp

// Store is what the commands need of the database.
type Store interface {
	model.Services
	model.BulkLoader
	model.PrivacyService
	// Check verifies the database's consistency.
	Check() error
	// Path returns the database file.
	Path() string
	// Close closes the database.
	Close() error
	// SyncState and SaveSyncState keep device sync's configuration and cursors.
	SyncState() ([]byte, error)
	SaveSyncState(state []byte) error
}

// Env is what Run works with; main fills it.
type Env struct {
	Stdin          io.Reader // for the sync passphrase; os.Stdin when nil
	Stdout, Stderr io.Writer
	// Open opens the database; called once per command that needs it.
	Open func() (Store, error)
	// Restore replaces the (closed) database with a backup file.
	Restore func(backup string) error
	// Secrets is the system keychain for sync's password and key; nil
	// when there is none (they are then asked for and never stored).
	Secrets replica.Secrets
}

// command is one subcommand.
type command struct {
	name, args, help string
	run              func(ctx context.Context, e Env, args []string) error
	flags            bool // run(["-h"]) prints the flags and touches nothing
}

func commands() []command {
	return []command{
		{"demo", "[-size small|large]", "load the demo data set into the database", runDemo, true},
		{"backup", "", "write a backup snapshot now", runBackup, false},
		{"backups", "", "list backups, newest first", runBackups, false},
		{"restore", "FILE", "replace the database with a backup (the current one is kept as a backup)", runRestore, false},
		{"check", "", "verify the database's consistency", runCheck, false},
		{"import", "FILE.vcf|FILE.csv [-dry-run] [-match fill|overwrite|add|skip] [-problems skip|fill]", "import an address book (a backup is taken first)", runImport, true},
		{"sync", "init|join (-folder DIR | -url URL -user U) | now | status", "device sync; the passphrase comes from KUNDENKARTEI_PASSPHRASE or standard input, a WebDAV password from KUNDENKARTEI_WEBDAV_PASSWORD", runSync, false},
		{"duplicates", "[-limit N]", "list possible duplicate customers (same email, phone, or similar name with the same company or town)", runDuplicates, true},
		{"merge", "SURVIVOR-ID DUPLICATE-ID", "merge a duplicate into the customer that stays (a backup is taken first; syncs to other devices)", runMerge, false},
		{"unmerge", "DUPLICATE-ID", "undo a merge", runUnmerge, false},
		{"erase", "CUSTOMER-ID", "erase a customer for good, with everything attached, on every device (no backup is taken)", runErase, false},
		{"erasures", "", "list the erased customers (ID, date, device, user)", runErasures, false},
		{"export", "-format vcard|vcard4|outlook|csv|csv-rfc|mailing|ics|subject -o FILE [-tag T] [-segment S] [-customer ID] [-from D] [-to D] [-mine] [-all]", "export customers or follow-ups", runExport, true},
	}
}

// Usage lists the commands.
func Usage() string {
	var b strings.Builder
	b.WriteString("Commands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-8s %s\n           %s\n", c.name, c.args, c.help)
	}
	return b.String()
}

// Run runs the command args[0] with its arguments. "help", -h and --help
// print the usage, "COMMAND -h" the command's; both succeed. An unknown
// command prints the usage to Stderr and returns a usage error naming it.
func Run(ctx context.Context, args []string, e Env) error {
	if len(args) == 0 {
		fmt.Fprint(e.Stderr, Usage())
		return usagef("no command")
	}
	if isHelp(args[0]) || args[0] == "help" {
		if len(args) > 1 && args[0] == "help" {
			return Run(ctx, []string{args[1], "-h"}, e)
		}
		fmt.Fprint(e.Stdout, Usage())
		return nil
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		if slices.ContainsFunc(args[1:], isHelp) {
			return commandHelp(ctx, c, e)
		}
		return c.run(ctx, e, args[1:])
	}
	fmt.Fprint(e.Stderr, Usage())
	return usagef("unknown command %q", args[0])
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// commandHelp prints one command's usage and flags to Stdout.
func commandHelp(ctx context.Context, c command, e Env) error {
	fmt.Fprintf(e.Stdout, "Usage: kundenkartei %s %s\n  %s\n", c.name, c.args, c.help)
	if !c.flags {
		return nil
	}
	fmt.Fprintln(e.Stdout, "Flags:")
	e.Stderr = e.Stdout
	if err := c.run(ctx, e, []string{"-h"}); !errors.Is(err, errHelp) {
		return err
	}
	return nil
}

// withStore opens the database, runs fn and closes it.
func withStore(e Env, fn func(s Store) error) error {
	s, err := e.Open()
	if err != nil {
		return err
	}
	err = fn(s)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

func newFlags(name string, e Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = fs.PrintDefaults
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return errHelp
	} else if err != nil {
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

// DemoLoader returns a loader of the small demo set into s, for the GUI's
// first-start offer.
func DemoLoader(s Store) func(ctx context.Context, progress func(done, total int)) error {
	return func(ctx context.Context, progress func(done, total int)) error {
		if err := refuseDemoWhenSynced(s); err != nil {
			return err
		}
		return LoadDemo(ctx, s, demo.Small(time.Now()), progress)
	}
}

// LoadDemo generates spec and bulk-loads it, reporting records done.
func LoadDemo(ctx context.Context, s model.BulkLoader, spec demo.Spec, progress func(done, total int)) error {
	total, done := spec.Records(), 0
	return demo.Generate(ctx, spec, 0, func(b model.Bulk) error {
		n := len(b.Customers) + len(b.Notes) + len(b.FollowUps) + len(b.Gestures) + len(b.Events)
		base := done
		err := s.BulkLoad(ctx, b, func(d, _ int) {
			if progress != nil {
				progress(base+d, total)
			}
		})
		done += n
		return err
	})
}

func runDemo(ctx context.Context, e Env, args []string) error {
	fs := newFlags("demo", e)
	size := fs.String("size", "small", "small (200 customers) or large (100,000 customers, 1,000,000 notes)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var spec demo.Spec
	switch *size {
	case "small":
		spec = demo.Small(time.Now())
	case "large":
		spec = demo.Large(time.Now())
	default:
		return usagef("demo: -size must be small or large")
	}
	return withStore(e, func(s Store) error {
		if s.Directory().Len() > 0 {
			return model.Errorf(model.ECONFLICT, "the database at %s already holds customers; demo data goes into an empty one (use -db)", s.Path())
		}
		if err := refuseDemoWhenSynced(s); err != nil {
			return err
		}
		start := time.Now()
		last := time.Now()
		err := LoadDemo(ctx, s, spec, func(done, total int) {
			if time.Since(last) > time.Second {
				fmt.Fprintf(e.Stderr, "\r%d / %d records", done, total)
				last = time.Now()
			}
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "loaded %d records (%d customers) into %s in %s\n", spec.Records(), spec.Customers, s.Path(), time.Since(start).Round(time.Millisecond))
		return nil
	})
}

func runBackup(_ context.Context, e Env, args []string) error {
	if len(args) > 0 {
		return usagef("backup takes no arguments")
	}
	return withStore(e, func(s Store) error {
		info, err := s.Backup("manual")
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "%s (%d bytes)\n", info.Path, info.Size)
		return nil
	})
}

func runBackups(_ context.Context, e Env, args []string) error {
	return withStore(e, func(s Store) error {
		list, err := s.Backups()
		if err != nil {
			return err
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Created.After(list[j].Created) })
		for _, b := range list {
			fmt.Fprintf(e.Stdout, "%s  %-8s %10d  %s\n", b.Created.Local().Format("2006-01-02 15:04:05"), b.Reason, b.Size, b.Path)
		}
		return nil
	})
}

func runRestore(_ context.Context, e Env, args []string) error {
	if len(args) != 1 {
		return usagef("restore needs one backup FILE")
	}
	if err := e.Restore(args[0]); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "restored %s\n", args[0])
	return nil
}

func runCheck(_ context.Context, e Env, args []string) error {
	return withStore(e, func(s Store) error {
		if err := s.Check(); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "%s: ok, %d customers\n", s.Path(), s.Directory().Len())
		return nil
	})
}
