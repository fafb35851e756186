package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/kundenkartei/kundenkartei/model"
)

// runDuplicates lists possible duplicate pairs, one per line: both IDs,
// the reason, what they share and both names.
func runDuplicates(_ context.Context, e Env, args []string) error {
	fs := newFlags("duplicates", e)
	limit := fs.Int("limit", 200, "list at most this many pairs (0: all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withStore(e, func(s Store) error {
		dups, more, err := s.Duplicates(*limit)
		if err != nil {
			return err
		}
		dir := s.Directory()
		for _, d := range dups {
			a, _ := dir.Summary(d.A)
			b, _ := dir.Summary(d.B)
			fmt.Fprintf(e.Stdout, "%s  %s  %-12s %s  %s | %s\n", d.A, d.B, d.Reason, d.Value, nameOf(a), nameOf(b))
		}
		if more {
			fmt.Fprintf(e.Stderr, "more pairs than %d; merge or dismiss these first, or use -limit 0\n", *limit)
		}
		return nil
	})
}

func nameOf(s *model.CustomerSummary) string {
	if s == nil {
		return "?"
	}
	return s.Name
}

// runMerge merges DUPLICATE into SURVIVOR after a backup.
func runMerge(_ context.Context, e Env, args []string) error {
	if len(args) != 2 {
		return usagef("merge needs SURVIVOR-ID DUPLICATE-ID")
	}
	ids, err := parseIDs(args)
	if err != nil {
		return err
	}
	return withStore(e, func(s Store) error {
		if _, err := s.Backup("merge"); err != nil {
			return err
		}
		if err := s.MergeCustomers(ids[0], ids[1]); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "merged %s into %s\n", ids[1], ids[0])
		return nil
	})
}

// runUnmerge undoes the merge of DUPLICATE.
func runUnmerge(_ context.Context, e Env, args []string) error {
	if len(args) != 1 {
		return usagef("unmerge needs DUPLICATE-ID")
	}
	ids, err := parseIDs(args)
	if err != nil {
		return err
	}
	return withStore(e, func(s Store) error {
		kept, err := s.UndoMerge(ids[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "%s is back\n", ids[0])
		if len(kept) > 0 {
			fmt.Fprintf(e.Stdout, "the survivor was edited since; kept as they are: %s\n", strings.Join(kept, ", "))
		}
		return nil
	})
}

func parseIDs(args []string) ([]model.ID, error) {
	ids := make([]model.ID, len(args))
	for i, a := range args {
		id, err := model.ParseID(a)
		if err != nil {
			return nil, model.Errorf(model.EINVALID, "%q is not a customer ID", a)
		}
		ids[i] = id
	}
	return ids, nil
}
