package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	kcsv "github.com/kundenkartei/kundenkartei/sync/csv"
	"github.com/kundenkartei/kundenkartei/sync/ical"
	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

// ReadCards reads an address book file as cards: vCard by content or
// extension, CSV with auto-detected columns.
func ReadCards(ctx context.Context, path string) ([]vcard.Card, []vcard.Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, model.WrapError(model.EINVALID, err, "open %s", path)
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(path), ".csv") || strings.EqualFold(filepath.Ext(path), ".txt") {
		file, err := kcsv.Read(f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		cards, problems := file.Cards(kcsv.DetectMapping(file.Header))
		return cards, append(file.Problems, problems...), nil
	}
	return vcard.ParseContext(ctx, f, vcard.ParseOptions{})
}

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
	cards, readProblems, err := ReadCards(ctx, path)
	if err != nil {
		return err
	}
	return withStore(e, func(s Store) error {
		settings, _ := s.Settings()
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
	return withStore(e, func(s Store) error {
		var buf bytes.Buffer
		var n int
		var err error
		if *format == "ics" {
			n, err = exportICS(s, &buf, *customer, *tag, *from, *to, *mine, *all)
		} else {
			n, err = exportCustomers(s, &buf, *format, *customer, *tag, *segment)
		}
		if err != nil {
			return err
		}
		if err := writeOut(*out, e.Stdout, buf.Bytes()); err != nil {
			return err
		}
		if *out != "-" {
			fmt.Fprintf(e.Stdout, "wrote %d records to %s\n", n, *out)
		}
		return nil
	})
}

// selectCustomers returns the live customers the filters name, by name.
func selectCustomers(s Store, id, tag, segment string) ([]*model.Customer, error) {
	if id != "" {
		cid, err := model.ParseID(id)
		if err != nil {
			return nil, err
		}
		c, err := s.Customer(cid)
		if err != nil {
			return nil, err
		}
		return []*model.Customer{c}, nil
	}
	sums := s.Directory().Search(model.Query{Tag: tag, Segment: segment})
	ids := make([]model.ID, len(sums))
	for i, sum := range sums {
		ids[i] = sum.ID
	}
	return s.Customers(ids)
}

func exportCustomers(s Store, w io.Writer, format, id, tag, segment string) (int, error) {
	cs, err := selectCustomers(s, id, tag, segment)
	if err != nil {
		return 0, err
	}
	if len(cs) == 0 {
		return 0, model.Errorf(model.EINVALID, "no customers to export")
	}
	switch format {
	case "vcard", "vcard4", "outlook":
		v := map[string]string{"vcard": vcard.Version30, "vcard4": vcard.Version40, "outlook": vcard.VersionOutlook}[format]
		return len(cs), vcard.Encode(w, cs, s.Photo, vcard.EncodeOptions{Version: v})
	case "csv":
		return len(cs), kcsv.Write(w, cs, kcsv.WriteOptions{Dialect: kcsv.Excel})
	case "csv-rfc":
		return len(cs), kcsv.Write(w, cs, kcsv.WriteOptions{Dialect: kcsv.RFC4180})
	case "mailing":
		return kcsv.WriteMailingList(w, cs, s.Now(), kcsv.WriteOptions{Dialect: kcsv.Excel})
	}
	return 0, fmt.Errorf("%w: unknown format %q", ErrUsage, format)
}

func exportICS(s Store, w io.Writer, id, tag, from, to string, mine, all bool) (int, error) {
	f := ical.Filter{Tag: tag}
	if id != "" {
		cid, err := model.ParseID(id)
		if err != nil {
			return 0, err
		}
		f.CustomerID = cid
	}
	loc := time.Local
	for _, d := range []struct {
		text string
		dst  *time.Time
	}{{from, &f.From}, {to, &f.To}} {
		if d.text == "" {
			continue
		}
		date, err := model.ParseDate(d.text)
		if err != nil || !date.HasYear() {
			return 0, fmt.Errorf("%w: bad date %q", ErrUsage, d.text)
		}
		*d.dst = date.Time(0, loc)
	}
	if mine {
		settings, _ := s.Settings()
		f.Assignee = settings.UserName
	}
	if all {
		f.Statuses = []model.FollowUpStatus{model.FollowUpOpen, model.FollowUpDone, model.FollowUpCancelled}
	}
	items, err := ical.Collect(s, f)
	if err != nil {
		return 0, err
	}
	return len(items), ical.Encode(w, items, nil, ical.Options{Now: s.Now})
}

// writeOut writes data to path through a temp file and rename (or to
// stdout for "-"), so a failed export leaves no partial file.
func writeOut(path string, stdout io.Writer, data []byte) error {
	if path == "-" {
		_, err := stdout.Write(data)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return model.WrapError(model.EINVALID, err, "cannot write to %s", path)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return model.WrapError(model.EINTERNAL, err, "write %s", path)
	}
	return nil
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
