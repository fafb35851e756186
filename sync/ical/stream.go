package ical

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// Item is one follow-up to export, with the records its text draws on and
// the stamp this export wrote of it last time (nil: never).
type Item = model.CalendarItem

// Export is a calendar to write: follow-ups that arrive in batches, so no
// export holds them all, and a few events.
type Export struct {
	// Source calls fn with the follow-ups in order, a batch at a time; fn
	// must be done with a batch when it returns (storage reuses nothing,
	// but a batch holds a few hundred records). Nil exports none.
	Source func(fn func([]Item) error) error
	// Events are written after the follow-ups.
	Events []EventItem
	// SaveStamps, when set, receives the stamps that changed once every
	// follow-up is encoded (see the package comment). Nil keeps none.
	SaveStamps func(map[model.ID]model.CalendarStamp) error
}

// Slice returns an export of items and events that keeps no stamps.
func Slice(items []Item, events []EventItem) Export {
	return Export{Events: events, Source: func(fn func([]Item) error) error {
		if len(items) == 0 {
			return nil
		}
		return fn(items)
	}}
}

// Store is what a streaming export of stored follow-ups reads from and
// keeps its stamps in; storage's *DB satisfies it.
type Store interface {
	ExportFollowUps(f model.FollowUpFilter, profile string, fn func([]model.CalendarItem) error) error
	SaveCalendarStamps(profile string, stamps map[model.ID]model.CalendarStamp) error
}

// FromStore returns the export of the follow-ups f selects from s (open
// ones when f.Statuses is empty), with stamps kept under the profile of
// opt, so that files written in another language count their own
// sequences.
func FromStore(s Store, f Filter, opt Options) Export {
	profile := Profile(opt)
	ff := model.FollowUpFilter{CustomerID: f.CustomerID, Statuses: f.Statuses, From: f.From, To: f.To, Assignee: f.Assignee, Tag: f.Tag}
	return Export{
		Source: func(fn func([]Item) error) error {
			if err := s.ExportFollowUps(ff, profile, fn); err != nil {
				return fmt.Errorf("export follow-ups: %w", err)
			}
			return nil
		},
		SaveStamps: func(st map[model.ID]model.CalendarStamp) error { return s.SaveCalendarStamps(profile, st) },
	}
}

// Profile names the words an export writes into events (the translated
// labels and prefix): stamps are kept per profile, because the same
// follow-up reads differently in another language.
func Profile(opt Options) string {
	opt.fill()
	h := sha256.New()
	for _, s := range []string{opt.SummaryPrefix, opt.Labels.Phone, opt.Labels.Email, opt.Labels.Note} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "ics-" + hex.EncodeToString(h.Sum(nil)[:8])
}

// EncodeExport writes x as one VCALENDAR and returns how many follow-ups
// and events it wrote. The follow-ups stream through: however many there
// are, the export holds one batch and a temporary file. EINVALID when there
// is nothing to export or an item cannot be exported, before anything is
// written to w; errors of x.Source come back as they are; write errors
// as EINTERNAL.
func EncodeExport(w io.Writer, x Export, opt Options) (int, error) {
	return encodeExport(w, x, opt, false)
}

// encodeExport writes the calendar; allowEmpty lets an automatic export
// clear a subscribed calendar.
func encodeExport(w io.Writer, x Export, opt Options, allowEmpty bool) (int, error) {
	opt.fill()
	zones := zoneSet{}
	for i := range x.Events {
		if err := zones.event(&x.Events[i].Event); err != nil {
			return 0, err
		}
	}
	sp := &spool{}
	defer sp.close()
	now := opt.Now()
	stamp := string(append(appendDateTime(nil, now.UTC()), 'Z'))
	l := &lineWriter{w: sp, buf: make([]byte, 0, 256)}
	e := &encoder{l: l, zones: zones, stamp: stamp, now: now, opt: &opt, customers: map[*model.Customer]*customerText{}}
	changed := map[model.ID]model.CalendarStamp{}
	n := 0
	if x.Source != nil {
		err := x.Source(func(batch []Item) error {
			// Storage shares a customer within a batch only: the cache
			// must not outlive it, or it would hold every customer.
			clear(e.customers)
			for i := range batch {
				if err := zones.item(&batch[i].FollowUp); err != nil {
					return err
				}
				if st, ok := e.followUp(&batch[i]); ok {
					changed[batch[i].FollowUp.ID] = st
				}
			}
			n += len(batch)
			return l.err
		})
		if err != nil && err == l.err {
			return 0, model.WrapError(model.EINTERNAL, err, "write calendar")
		}
		if err != nil {
			return 0, err
		}
	}
	var sb strings.Builder
	for i := range x.Events {
		writeEvent(l, &x.Events[i], zones, stamp, &opt, &sb)
	}
	if l.err != nil {
		return 0, model.WrapError(model.EINTERNAL, l.err, "write calendar")
	}
	if n+len(x.Events) == 0 && !allowEmpty {
		return 0, model.Errorf(model.EINVALID, "nothing to export")
	}
	if err := writeCalendar(w, sp, zones, &opt); err != nil {
		return 0, model.WrapError(model.EINTERNAL, err, "write calendar")
	}
	if x.SaveStamps != nil && len(changed) > 0 {
		if err := x.SaveStamps(changed); err != nil {
			return 0, fmt.Errorf("keep calendar sequences: %w", err)
		}
	}
	return n + len(x.Events), nil
}

// writeCalendar writes the VCALENDAR around the spooled events: its
// properties and the VTIMEZONEs the events use first.
func writeCalendar(w io.Writer, sp *spool, zones zoneSet, opt *Options) error {
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(w, 64<<10)
	}
	l := &lineWriter{w: bw, buf: make([]byte, 0, 256)}
	l.prop("BEGIN", "VCALENDAR")
	l.prop("VERSION", "2.0")
	l.textProp("PRODID", opt.ProdID)
	l.prop("CALSCALE", "GREGORIAN")
	if opt.CalendarName != "" {
		l.textProp("X-WR-CALNAME", opt.CalendarName)
	}
	names := make([]string, 0, len(zones))
	for name := range zones {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if z := zones[name]; z.loc != nil && !z.min.IsZero() {
			writeVTimezone(l, z)
		}
	}
	if l.err != nil {
		return l.err
	}
	if err := sp.copyTo(bw); err != nil {
		return err
	}
	l.prop("END", "VCALENDAR")
	if l.err != nil {
		return l.err
	}
	return bw.Flush()
}

// nextStamp is the stamp a follow-up whose exported properties hash to
// hash gets, after old (nil: never exported), and whether it changed. The
// first export takes the follow-up's own Sequence and Updated, which is
// what files written before stamps existed say; an unchanged hash keeps
// old; a changed one raises the sequence past old and past the follow-up's
// own, and moves LAST-MODIFIED to the newest change of its inputs, or to
// now when that is not later (a merge or unmerge changes no time of the
// follow-up, its customer or its note).
func nextStamp(old *model.CalendarStamp, hash [16]byte, it *Item, now time.Time) (model.CalendarStamp, bool) {
	f := &it.FollowUp
	if old == nil {
		return model.CalendarStamp{Hash: hash, Sequence: f.Sequence, Modified: f.Updated.UTC()}, true
	}
	if old.Hash == hash {
		return *old, false
	}
	mod := f.Updated
	if c := it.Customer; c != nil && c.Updated.After(mod) {
		mod = c.Updated
	}
	if n := it.Note; n != nil && n.Updated.After(mod) {
		mod = n.Updated
	}
	// LAST-MODIFIED is written in whole seconds: it must move in those.
	last := old.Modified.Truncate(time.Second)
	if !mod.Truncate(time.Second).After(last) {
		mod = now
	}
	if !mod.Truncate(time.Second).After(last) {
		mod = last.Add(time.Second)
	}
	return model.CalendarStamp{Hash: hash, Sequence: max(old.Sequence+1, f.Sequence), Modified: mod.UTC()}, true
}

// spoolLimit is how much of a calendar's events stay in memory before
// they go to a temporary file. The buffer doubles on its way there, and
// fresh memory costs a page fault every 4 KiB: at 4 MB the way took 8 MB
// (2,000 faults of the 49,000 of the large set's open .ics export).
const spoolLimit = 1 << 20

// spool holds the events while the export learns which time zones they
// use: the VTIMEZONEs come first in the file. Small calendars stay in
// memory; large ones go to a temporary file readable by the user only.
type spool struct {
	buf  bytes.Buffer
	f    *os.File
	fw   *bufio.Writer
	err  error
	size int64
}

func (s *spool) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	s.size += int64(len(p))
	if s.f == nil && s.buf.Len()+len(p) <= spoolLimit {
		return s.buf.Write(p)
	}
	if s.f == nil {
		if s.f, s.err = os.CreateTemp("", "kundenkartei-ics-*.tmp"); s.err != nil {
			return 0, s.err
		}
		s.fw = bufio.NewWriterSize(s.f, 256<<10)
		if _, s.err = s.fw.Write(s.buf.Bytes()); s.err != nil {
			return 0, s.err
		}
		s.buf = bytes.Buffer{}
	}
	var n int
	n, s.err = s.fw.Write(p)
	return n, s.err
}

// copyTo writes what the spool holds to w.
func (s *spool) copyTo(w io.Writer) error {
	if s.err != nil {
		return s.err
	}
	if s.f == nil {
		_, err := w.Write(s.buf.Bytes())
		return err
	}
	if err := s.fw.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.CopyBuffer(w, s.f, make([]byte, 256<<10))
	return err
}

// close removes the temporary file, if any.
func (s *spool) close() {
	if s.f != nil {
		_ = s.f.Close() // only read from; nothing to lose
		_ = os.Remove(s.f.Name())
		s.f = nil
	}
}
