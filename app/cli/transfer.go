package cli

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
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
		return usagef("import needs one FILE.vcf or FILE.csv")
	}
	ch := vcard.DefaultChoices()
	var ok bool
	if ch.Matching, ok = actionByName(*match); !ok {
		return usagef("import: -match must be fill, overwrite, add or skip")
	}
	if ch.Problem, ok = actionByName(*problems); !ok {
		return usagef("import: -problems must be skip or fill")
	}
	path := fs.Arg(0)
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(importMemoryLimit))
	}
	return withStore(e, func(s Store) error {
		settings, err := s.Settings()
		if err != nil {
			return err
		}
		plan, readProblems, err := transfer.Preview(ctx, path, s, vcard.PreviewOptions{Region: settings.Region})
		if err != nil {
			return err
		}
		n := plan.Counts()
		fmt.Fprintf(e.Stdout, "%s: %d cards: %d new, %d matching, %d with problems\n", path, n.Total, n.New, n.Matching, n.Problems)
		printMatches(e, plan)
		// Notes (values kept verbatim, placeholders ignored) are listed
		// with the problems, by line.
		reports := append(plan.AllProblems(readProblems), plan.Notes()...)
		slices.SortStableFunc(reports, func(a, b vcard.Problem) int { return a.Line - b.Line })
		printed := printProblems(e, path, reports)
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
		for i, p := range res.Failed {
			if i == maxListed {
				fmt.Fprintf(e.Stdout, "  … and %d more not imported\n", len(res.Failed)-maxListed)
				break
			}
			if printed[p.Card] && p.Field == "" { // the reason is listed above already
				fmt.Fprintf(e.Stdout, "  not imported: card %d, line %d\n", p.Card, p.Line)
				continue
			}
			fmt.Fprintf(e.Stdout, "  not imported: %s: %s\n", path, p)
		}
		return nil
	})
}

// importMemoryLimit is the soft memory limit of an import. A large file
// is read twice instead of held (vcard.PreviewEach), so what the import
// holds at a time is its plan's entries, a group of cards and the search
// index: ≈ 150 MB for 100,000 cards. Without a limit the heap grows to
// twice that before it is collected; with it the 100,000-card import
// peaks at ≈ 260 MB of memory instead of ≈ 410 MB, for the same CPU time
// (BENCHMARKS.md). GOMEMLIMIT in the environment wins.
const importMemoryLimit = 200 << 20

// maxListed is how many problems the import prints before "… and N more".
const maxListed = 100

// printMatches lists every card the plan takes for a stored customer or an
// earlier card of the file, with the evidence:
//
//	card 3, line 17: "Anna Huber" = stored "Anna Huber" (0193…): same email "anna@example.ch"
func printMatches(e Env, plan *vcard.Plan) {
	for _, en := range plan.Entries {
		if en.Existing == model.NilID && en.SameAs == 0 {
			continue
		}
		if en.Existing != model.NilID {
			fmt.Fprintf(e.Stdout, "  card %d, line %d: %q = stored %q (%s): %s\n",
				en.Index, en.Line, en.Name, en.ExistingName, en.Existing, en.Why)
			continue
		}
		fmt.Fprintf(e.Stdout, "  card %d, line %d: %q = card %d of this file: %s\n",
			en.Index, en.Line, en.Name, en.SameAs, en.WhySame)
	}
}

// printProblems prints each problem once, at most maxListed, and returns
// the cards whose problems were printed.
func printProblems(e Env, path string, problems []vcard.Problem) map[int]bool {
	printed := map[int]bool{}
	for i, p := range problems {
		if i == maxListed {
			fmt.Fprintf(e.Stdout, "  … and %d more problems\n", len(problems)-maxListed)
			break
		}
		if p.Card > 0 {
			printed[p.Card] = true
		}
		fmt.Fprintf(e.Stdout, "  %s: %s\n", path, p)
	}
	return printed
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
	format := fs.String("format", "vcard", "vcard (3.0), vcard4, outlook (2.1, Windows-1252), csv (German Excel), csv-rfc (RFC 4180), mailing (CSV of customers with mail consent), ics (follow-ups), subject (everything stored about one -customer, ZIP)")
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
		return usagef("export needs -o FILE (or -o - for standard output)")
	}
	if *format == formatSubject {
		return exportSubject(e, *customer, *out)
	}
	known := false
	for _, f := range transfer.Formats {
		known = known || f == *format
	}
	if !known {
		return usagef("export: unknown format %q", *format)
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
			return usagef("export: bad date %q", d.text)
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
