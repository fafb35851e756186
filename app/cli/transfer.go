package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/ical"
	"github.com/kundenkartei/kundenkartei/sync/transfer"
	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

func runImport(ctx context.Context, e Env, args []string) error {
	fs := newFlags("import", e)
	dry := fs.Bool("dry-run", false, "show the preview, change nothing")
	match := fs.String("match", "fill", "for cards matching a stored customer: fill (empty fields), overwrite, add (as new), skip")
	problems := fs.String("problems", "skip", "for cards with problems: skip, or fill (import what can be read)")
	if err := parse(fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: import FILE.vcf|FILE.csv", ErrUsage)
	}
	ch := vcard.DefaultChoices()
	var ok bool
	if ch.Matching, ok = actionByName(*match); !ok {
		return fmt.Errorf("%w: -match must be fill, overwrite, add or skip", ErrUsage)
	}
	if ch.Problem, ok = actionByName(*problems); !ok {
		return fmt.Errorf("%w: -problems must be skip or fill", ErrUsage)
	}
	path := fs.Arg(0)
	cards, readProblems, err := transfer.Read(ctx, path, nil)
	if err != nil {
		return err
	}
	return withStore(e, func(s Store) error {
		settings, err := s.Settings()
		if err != nil {
			return err
		}
		plan, err := vcard.Preview(ctx, cards, s, vcard.PreviewOptions{Region: settings.Region})
		if err != nil {
			return err
		}
		n := plan.Counts()
		fmt.Fprintf(e.Stdout, "%s: %d cards: %d new, %d matching stored customers, %d with problems\n", path, n.Total, n.New, n.Matching, n.Problems)
		for _, p := range readProblems {
			fmt.Fprintf(e.Stdout, "  %s: %s\n", path, p)
		}
		for _, en := range plan.Problems {
			for _, p := range en.Card.Problems {
				fmt.Fprintf(e.Stdout, "  %s: %s\n", path, p)
			}
		}
		if *dry {
			return nil
		}
		if _, err := s.Backup("import"); err != nil {
			return err
		}
		res, err := plan.Apply(ctx, s, ch, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "added %d, updated %d, unchanged %d, skipped %d, photos %d\n", res.Added, res.Updated, res.Unchanged, res.Skipped, res.Photos)
		for _, p := range res.Failed {
			fmt.Fprintf(e.Stdout, "  not imported: %s: %s\n", path, p)
		}
		return nil
	})
}

func actionByName(name string) (vcard.Action, bool) {
	switch name {
	case "fill":
		return vcard.Update, true
	case "overwrite":
		return vcard.Overwrite, true
	case "add":
		return vcard.Add, true
	case "skip":
		return vcard.Skip, true
	}
	return 0, false
}

func runExport(ctx context.Context, e Env, args []string) error {
	fs := newFlags("export", e)
	format := fs.String("format", "vcard", "vcard (3.0), vcard4, outlook (2.1, Windows-1252), csv (German Excel), csv-rfc (RFC 4180), mailing (CSV of customers with mail consent), ics (follow-ups)")
	out := fs.String("o", "", "output file (- for standard output)")
	tag := fs.String("tag", "", "only customers carrying this tag")
	segment := fs.String("segment", "", "only customers of this segment")
	customer := fs.String("customer", "", "only this customer (ID)")
	from := fs.String("from", "", "ics: follow-ups due on or after this date (2026-11-23 or 23.11.2026)")
	to := fs.String("to", "", "ics: follow-ups due before this date")
	mine := fs.Bool("mine", false, "ics: only follow-ups assigned to this device's user")
	all := fs.Bool("all", false, "ics: done and cancelled follow-ups too (cancelled ones leave calendars)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: export needs -o FILE (or -o - for standard output)", ErrUsage)
	}
	known := false
	for _, f := range transfer.Formats {
		known = known || f == *format
	}
	if !known {
		return fmt.Errorf("%w: unknown format %q", ErrUsage, *format)
	}
	sel := transfer.Selection{Tag: *tag, Segment: *segment}
	if *customer != "" {
		id, err := model.ParseID(*customer)
		if err != nil {
			return err
		}
		sel.CustomerID = id
	}
	for _, d := range []struct {
		text string
		dst  *time.Time
	}{{*from, &sel.From}, {*to, &sel.To}} {
		if d.text == "" {
			continue
		}
		date, err := model.ParseDate(d.text)
		if err != nil || !date.HasYear() {
			return fmt.Errorf("%w: bad date %q", ErrUsage, d.text)
		}
		*d.dst = date.Time(0, time.Local)
	}
	if *all {
		sel.Statuses = []model.FollowUpStatus{model.FollowUpOpen, model.FollowUpDone, model.FollowUpCancelled}
	}
	return withStore(e, func(s Store) error {
		if *mine {
			settings, err := s.Settings()
			if err != nil {
				return err
			}
			sel.Assignee = settings.UserName
		}
		if *out == "-" {
			_, err := transfer.Export(s, e.Stdout, *format, sel, ical.Options{})
			return err
		}
		n, err := transfer.ExportFile(s, *out, *format, sel, ical.Options{})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "wrote %d records to %s\n", n, *out)
		return nil
	})
}

// reorder moves flags before the file argument, so "import FILE -dry-run"
// works like "import -dry-run FILE".
func reorder(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && (a == "-match" || a == "--match" || a == "-problems" || a == "--problems") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return append(flags, rest...)
}
