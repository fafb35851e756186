package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/replica"
)

func runSync(ctx context.Context, e Env, args []string) error {
	if len(args) == 0 {
		return usagef("sync needs init, join, now or status")
	}
	switch args[0] {
	case "init", "join":
		return runSyncSetup(ctx, e, args[0], args[1:])
	case "now":
		return runSyncNow(ctx, e)
	case "status":
		return runSyncStatus(ctx, e)
	}
	return usagef("sync needs init, join, now or status")
}

// runSyncSetup creates a new target (init) or joins an existing one, and
// stores the target and the derived key in the database.
func runSyncSetup(ctx context.Context, e Env, verb string, args []string) error {
	fs := newFlags("sync "+verb, e)
	folder := fs.String("folder", "", "a folder target (USB stick, network share, synced folder)")
	url := fs.String("url", "", "a WebDAV target, e.g. https://cloud.example.ch/remote.php/dav/files/anna/Kundenkartei")
	user := fs.String("user", "", "WebDAV user")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*folder == "") == (*url == "") {
		return usagef("sync %s: give either -folder DIR or -url URL", verb)
	}
	cfg := replica.Config{Folder: *folder, URL: *url, User: *user, Password: os.Getenv("KUNDENKARTEI_WEBDAV_PASSWORD")}
	pass, err := passphrase(e)
	if err != nil {
		return err
	}
	return withStore(e, func(s Store) error {
		state, why := stateStore(e, s)
		if why == nil {
			if err := replica.Setup(ctx, cfg, pass, verb == "init", replica.DefaultKDF, state); err != nil {
				return err
			}
		} else {
			// No keychain: the secrets are not kept at all, rather than in
			// the database and every backup of it.
			cfg, err := replica.Connect(ctx, cfg, pass, verb == "init", replica.DefaultKDF)
			if err != nil {
				return err
			}
			cfg.Key, cfg.Password = "", ""
			if err := replica.SaveConfig(state, cfg); err != nil {
				return err
			}
			fmt.Fprintf(e.Stderr, "note: %s, so the team key and the WebDAV password are not stored; "+
				"every 'sync now' reads the passphrase from KUNDENKARTEI_PASSPHRASE (or asks for it) and the password from KUNDENKARTEI_WEBDAV_PASSWORD\n",
				model.ErrorMessage(why))
		}
		fmt.Fprintf(e.Stdout, "sync target set up; run 'sync now' to exchange changes\n")
		return nil
	})
}

// stateStore returns where sync keeps its state for s: with the secrets
// in the system keychain when there is one; why says why not.
func stateStore(e Env, s Store) (replica.StateStore, error) {
	db := replica.DBStateStore(s)
	if e.Secrets == nil {
		return db, model.Errorf(model.EINTERNAL, "no system keychain is configured")
	}
	if _, err := e.Secrets.Get("probe"); err != nil && model.ErrorCode(err) != model.ENOTFOUND {
		return db, err
	}
	return replica.NewSecretState(db, e.Secrets), nil
}

// passphrase reads the team passphrase from KUNDENKARTEI_PASSPHRASE or
// the first line of standard input; typed at a terminal, it is not shown.
func passphrase(e Env) (string, error) {
	if p := os.Getenv("KUNDENKARTEI_PASSPHRASE"); p != "" {
		return p, nil
	}
	in := e.Stdin
	if in == nil {
		in = os.Stdin
	}
	fmt.Fprint(e.Stderr, "team passphrase: ")
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.Stderr)
		return string(p), err
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// syncer builds the syncer from the configuration stored in s. Secrets
// that are not kept (no keychain) are asked for, saying why.
func syncer(ctx context.Context, e Env, s Store) (*replica.Syncer, error) {
	state, why := stateStore(e, s)
	cfg, ok, err := replica.LoadConfig(state)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, model.Errorf(model.ENOTFOUND, "no sync target set up yet; run 'sync init' or 'sync join'")
	}
	if ss, isSecret := state.(*replica.SecretState); isSecret && ss.Problem() != nil {
		why = ss.Problem()
		if cfg.Key != "" && cfg.Secrets == "" {
			fmt.Fprintf(e.Stderr, "note: %s, so the sync password and team key stay in the database and its backups\n", model.ErrorMessage(why))
		}
	}
	if cfg.URL != "" && cfg.Password == "" {
		cfg.Password = os.Getenv("KUNDENKARTEI_WEBDAV_PASSWORD")
	}
	if cfg.Key == "" {
		if why == nil {
			why = model.Errorf(model.ENOTFOUND, "the team key is not in the system keychain")
		}
		fmt.Fprintf(e.Stderr, "the team key is not stored on this computer (%s)\n", model.ErrorMessage(why))
		pass, err := passphrase(e)
		if err != nil {
			return nil, err
		}
		t, err := cfg.Target(nil)
		if err != nil {
			return nil, err
		}
		key, err := replica.Join(ctx, t, pass)
		if err != nil {
			return nil, err
		}
		text, err := key.MarshalText()
		if err != nil {
			return nil, err
		}
		cfg.Key = string(text)
	}
	// The state never holds a key asked for here: the Syncer saves the
	// state it loads, whose configuration has none.
	return cfg.Syncer(s, s, state)
}

func runSyncNow(ctx context.Context, e Env) error {
	return withStore(e, func(s Store) error {
		sy, err := syncer(ctx, e, s)
		if err != nil {
			return err
		}
		rep, err := sy.Sync(ctx, nil)
		if err == nil && len(rep.Problems) == 0 && len(rep.Waiting) == 0 {
			err = sy.CompactErasures(ctx, s) // rewrite own files after an erasure
		}
		printReport(e.Stdout, rep)
		return err
	})
}

// printReport tells in sentences what a sync did and what needs attention.
func printReport(w io.Writer, rep replica.Report) {
	fmt.Fprintf(w, "pushed %d changes in %d segments, received %d, applied %d, conflicts %d\n",
		rep.Pushed, rep.Segments, rep.Received, rep.Applied, rep.Conflicts)
	switch {
	case rep.ClockOff > 0:
		fmt.Fprintf(w, "warning: this computer's clock seems to be %s ahead of the other devices' clocks; please check its date, time and time zone\n", rep.ClockOff.Round(time.Minute))
	case rep.ClockOff < 0:
		fmt.Fprintf(w, "warning: this computer's clock seems to be %s behind the other devices' clocks; please check its date, time and time zone\n", (-rep.ClockOff).Round(time.Minute))
	}
	if rep.DriftWarning() {
		fmt.Fprintf(w, "warning: a change from device %s is %s ahead of this computer's clock; one of the two clocks is wrong\n",
			rep.DriftDevice, rep.Drift.Round(time.Second))
	}
	for _, d := range rep.Waiting {
		fmt.Fprintf(w, "waiting for earlier segments of device %s\n", d)
	}
	for _, p := range rep.Skipped {
		fmt.Fprintf(w, "skipped %s: %s; its device was asked to send it again, everything else was received\n", p.Name, model.ErrorMessage(p.Err))
	}
	if rep.Repaired > 0 {
		fmt.Fprintf(w, "%d damaged segment(s) arrived again and were applied\n", rep.Repaired)
	}
	for _, n := range rep.Resent {
		fmt.Fprintf(w, "another device could not read %s; it was sent again from this database\n", n)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "rejected %s: %s\n", p.Name, model.ErrorMessage(p.Err))
	}
}

func runSyncStatus(ctx context.Context, e Env) error {
	return withStore(e, func(s Store) error {
		sy, err := syncer(ctx, e, s)
		if err != nil {
			return err
		}
		st, err := sy.Status(ctx)
		if err != nil {
			return err
		}
		last := "never"
		if !st.LastSync.IsZero() {
			last = st.LastSync.Local().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(e.Stdout, "device %s, last sync %s, %d changes to send\n", st.Device, last, st.PendingOps)
		for _, d := range st.Devices {
			fmt.Fprintf(e.Stdout, "  device %s: %d segments read, %d unread\n", d.Device, d.Read, d.Unread)
		}
		return nil
	})
}

// refuseDemoWhenSynced returns ECONFLICT when s is set up for sync: the
// demo's customers have the same IDs on every device, so demo data loaded
// here would overwrite the real customers with those IDs everywhere.
func refuseDemoWhenSynced(s Store) error {
	_, ok, err := replica.LoadConfig(replica.DBStateStore(s))
	if err != nil && !replica.IsDamaged(err) {
		return err
	}
	if ok || replica.IsDamaged(err) {
		return model.Errorf(model.ECONFLICT, "this database is set up to sync with other devices; demo data would be sent to all of them and overwrite their customers with the same IDs, so load it into a database of its own (use -db)")
	}
	return nil
}
