package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/subject"
	"github.com/kundenkartei/kundenkartei/sync/transfer"
)

// formatSubject is the export format of the data-subject access export.
const formatSubject = "subject"

// runErase erases a customer for good. It takes no backup first: a backup
// would keep what the erasure removes (the erasure log re-erases a restored
// older one anyway).
func runErase(_ context.Context, e Env, args []string) error {
	if len(args) != 1 {
		return usagef("erase needs one CUSTOMER-ID")
	}
	id, err := model.ParseID(args[0])
	if err != nil {
		return err
	}
	return withStore(e, func(s Store) error {
		er, err := s.Erase(id)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "erased customer %s", er.ID)
		if len(er.Merged) > 0 {
			fmt.Fprintf(e.Stdout, " and %d merged duplicate(s)", len(er.Merged))
		}
		fmt.Fprintln(e.Stdout, "; other devices erase it at their next sync")
		return nil
	})
}

// runErasures lists the erasures, newest first.
func runErasures(_ context.Context, e Env, args []string) error {
	if len(args) > 0 {
		return usagef("erasures takes no arguments")
	}
	return withStore(e, func(s Store) error {
		list, err := s.Erasures()
		if err != nil {
			return err
		}
		for _, er := range list {
			fmt.Fprintf(e.Stdout, "%s  %s  device %s  %s\n", er.At.Local().Format("2006-01-02 15:04:05"), er.ID, er.Device, er.Author)
		}
		return nil
	})
}

// exportSubject writes the access export of one customer to out.
func exportSubject(e Env, customer, out string) error {
	if customer == "" {
		return usagef("export -format subject needs -customer ID")
	}
	id, err := model.ParseID(customer)
	if err != nil {
		return err
	}
	return withStore(e, func(s Store) error {
		d, err := s.SubjectData(id)
		if err != nil {
			return err
		}
		settings, err := s.Settings()
		if err != nil {
			return err
		}
		lang := settings.Language
		if lang == "" {
			lang = os.Getenv("LANG")
		}
		var buf bytes.Buffer
		if err := subject.Write(&buf, d, lang); err != nil {
			return err
		}
		if out == "-" {
			_, err := e.Stdout.Write(buf.Bytes())
			return err
		}
		if err := transfer.WriteFile(out, buf.Bytes()); err != nil {
			return err
		}
		n := 1 + len(d.Merged) + len(d.Notes) + len(d.FollowUps) + len(d.Gestures)
		fmt.Fprintf(e.Stdout, "wrote %d records of %s to %s\n", n, strings.TrimSpace(d.Customer.DisplayName()), out)
		return nil
	})
}
