package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

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
		if err := replica.Setup(ctx, cfg, pass, verb == "init", replica.DefaultKDF, replica.DBStateStore(s)); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "sync target set up; run 'sync now' to exchange changes\n")
		return nil
	})
}

// passphrase reads the team passphrase from KUNDENKARTEI_PASSPHRASE or
// the first line of standard input.
func passphrase(e Env) (string, error) {
	if p := os.Getenv("KUNDENKARTEI_PASSPHRASE"); p != "" {
		return p, nil
	}
	in := e.Stdin
	if in == nil {
		in = os.Stdin
	}
	fmt.Fprint(e.Stderr, "team passphrase: ")
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// syncer builds the syncer from the configuration stored in s.
func syncer(s Store) (*replica.Syncer, error) {
	return replica.OpenSyncer(s, s, replica.DBStateStore(s))
}

func runSyncNow(ctx context.Context, e Env) error {
	return withStore(e, func(s Store) error {
		sy, err := syncer(s)
		if err != nil {
			return err
		}
		rep, err := sy.Sync(ctx, nil)
		if err == nil && len(rep.Problems) == 0 && len(rep.Waiting) == 0 {
			err = sy.CompactErasures(ctx, s) // rewrite own files after an erasure
		}
		fmt.Fprintf(e.Stdout, "pushed %d changes in %d segments, received %d, applied %d, conflicts %d\n",
			rep.Pushed, rep.Segments, rep.Received, rep.Applied, rep.Conflicts)
		if rep.DriftWarning() {
			fmt.Fprintf(e.Stdout, "warning: another device's clock runs %s ahead\n", rep.Drift.Round(time.Second))
		}
		for _, d := range rep.Waiting {
			fmt.Fprintf(e.Stdout, "waiting for earlier segments of device %s\n", d)
		}
		for _, p := range rep.Problems {
			fmt.Fprintf(e.Stdout, "rejected: %v\n", p)
		}
		return err
	})
}

func runSyncStatus(ctx context.Context, e Env) error {
	return withStore(e, func(s Store) error {
		sy, err := syncer(s)
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
