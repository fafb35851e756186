package ical_test

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/sync/ical"
)

// stepClock moves one minute per reading, so every change has its own
// time and LAST-MODIFIED can be seen to move.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Minute)
	return c.t
}

// stampFixture is a store with one follow-up of customer A, which has a
// phone, email, address and the note behind the follow-up, and a customer
// B that A can be merged into.
type stampFixture struct {
	db   *storage.DB
	a, b *model.Customer
	note *model.Note
	fu   *model.FollowUp
	opt  ical.Options
}

func newStampFixture(t *testing.T) *stampFixture {
	t.Helper()
	clk := &stepClock{t: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)}
	db, err := storage.Open(filepath.Join(t.TempDir(), "k.db"), storage.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Check(); err != nil {
			t.Error(err)
		}
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	x := &stampFixture{db: db, opt: ical.Options{Now: clk.Now}}
	x.a = &model.Customer{Kind: model.Person, GivenName: "Anna", FamilyName: "Muster", Company: "Muster AG",
		Phones:    []model.Phone{{Number: "+41 44 123 45 67"}},
		Emails:    []model.Email{{Address: "anna@muster.ch"}},
		Addresses: []model.Address{{Street: "Seestrasse 1", PostalCode: "8002", City: "Zürich"}},
	}
	x.b = &model.Customer{Kind: model.Company, Company: "Beta GmbH", Phones: []model.Phone{{Number: "+41 61 555 00 00"}}}
	for _, c := range []*model.Customer{x.a, x.b} {
		if err := db.CreateCustomer(c); err != nil {
			t.Fatal(err)
		}
	}
	x.note = &model.Note{CustomerID: x.a.ID, At: clk.Now(), Kind: model.NoteVisit, Text: "Wünscht Offerte"}
	if err := db.AddNote(x.note); err != nil {
		t.Fatal(err)
	}
	x.fu = &model.FollowUp{CustomerID: x.a.ID, Title: "Offerte nachfassen", TZ: "Europe/Zurich", NoteID: x.note.ID,
		Due: time.Date(2026, 7, 15, 7, 0, 0, 0, time.UTC), Duration: 30, Reminder: 15}
	if err := db.CreateFollowUp(x.fu); err != nil {
		t.Fatal(err)
	}
	return x
}

// export writes the open follow-ups as the CLI and the automatic export
// do, keeping stamps in the store, and returns the calendar.
func (x *stampFixture) export(t *testing.T, opt ical.Options) string {
	t.Helper()
	var b bytes.Buffer
	n, err := ical.EncodeExport(&b, ical.FromStore(x.db, ical.Filter{}, opt), opt)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("got %d events, want 1", n)
	}
	return b.String()
}

// prop returns the unfolded value of the first line of name.
func prop(t *testing.T, cal, name string) string {
	t.Helper()
	for _, l := range strings.Split(strings.ReplaceAll(cal, "\r\n ", ""), "\r\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v
		}
	}
	t.Fatalf("no %s in\n%s", name, cal)
	return ""
}

func seqOf(t *testing.T, cal string) int {
	t.Helper()
	n, err := strconv.Atoi(prop(t, cal, "SEQUENCE"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// withoutStamp drops DTSTAMP, the time of writing.
func withoutStamp(cal string) string {
	var out []string
	for _, l := range strings.Split(cal, "\r\n") {
		if !strings.HasPrefix(l, "DTSTAMP:") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\r\n")
}

func (x *stampFixture) editCustomer(t *testing.T, edit func(c *model.Customer)) {
	t.Helper()
	c, err := x.db.Customer(x.a.ID)
	if err != nil {
		t.Fatal(err)
	}
	edit(c)
	if err := x.db.UpdateCustomer(c); err != nil {
		t.Fatal(err)
	}
}

// TestSequenceFollowsExportedContent checks, cause by cause, that SEQUENCE
// rises and LAST-MODIFIED moves exactly when an exported property of the
// event changes, and that otherwise the calendar stays byte for byte the
// same but for DTSTAMP.
func TestSequenceFollowsExportedContent(t *testing.T) {
	x := newStampFixture(t)
	first := x.export(t, x.opt)
	if got, want := seqOf(t, first), x.fu.Sequence; got != want {
		t.Fatalf("first export: got SEQUENCE %d, want the follow-up's %d", got, want)
	}
	prev := first
	for _, tt := range stampSteps(x) {
		t.Run(tt.name, func(t *testing.T) {
			tt.change(t)
			cal := x.export(t, x.opt)
			gotSeq, prevSeq := seqOf(t, cal), seqOf(t, prev)
			gotMod, prevMod := prop(t, cal, "LAST-MODIFIED"), prop(t, prev, "LAST-MODIFIED")
			if !tt.changes {
				if withoutStamp(cal) != withoutStamp(prev) {
					t.Errorf("got a different calendar, want the same:\n%s\nwas\n%s", cal, prev)
				}
				return
			}
			if gotSeq <= prevSeq {
				t.Errorf("got SEQUENCE %d after %d, want it raised", gotSeq, prevSeq)
			}
			if gotMod <= prevMod {
				t.Errorf("got LAST-MODIFIED %s after %s, want it later", gotMod, prevMod)
			}
			if !strings.Contains(strings.ReplaceAll(cal, "\r\n ", ""), tt.want) {
				t.Errorf("the event lacks %q:\n%s", tt.want, cal)
			}
			prev = cal
		})
	}
}

// TestSequencePerProfile checks that a file in another language counts its
// own sequence: exporting in German and in English by turns raises
// neither, and the English file starts from the follow-up's own sequence.
func TestSequencePerProfile(t *testing.T) {
	x := newStampFixture(t)
	de := x.opt
	de.SummaryPrefix, de.Labels = "Nachfassen", ical.Labels{Phone: "Telefon", Email: "E-Mail", Note: "Notiz"}
	en := x.opt
	d1, e1 := x.export(t, de), x.export(t, en)
	d2, e2 := x.export(t, de), x.export(t, en)
	for _, c := range []struct {
		name        string
		first, then string
	}{{"German", d1, d2}, {"English", e1, e2}} {
		if withoutStamp(c.first) != withoutStamp(c.then) {
			t.Errorf("%s: got a changed calendar after exporting the other language, want the same", c.name)
		}
		if got := seqOf(t, c.then); got != x.fu.Sequence {
			t.Errorf("%s: got SEQUENCE %d, want %d", c.name, got, x.fu.Sequence)
		}
	}
	if ical.Profile(de) == ical.Profile(en) {
		t.Errorf("got one profile %q for both languages, want two", ical.Profile(de))
	}
}

// stampStep is one change in TestSequenceFollowsExportedContent.
type stampStep struct {
	name    string
	change  func(t *testing.T)
	changes bool   // the event's text or times change
	want    string // a text the new event shows, when it changes
}

// stampSteps are the changes, each after the one before: every cause of a
// changed event, and changes that must leave it alone.
func stampSteps(x *stampFixture) []stampStep {
	return []stampStep{
		{"nothing", func(t *testing.T) {}, false, ""},
		{"memo edit", func(t *testing.T) { x.editCustomer(t, func(c *model.Customer) { c.Memo = "kauft gern Kuchen" }) }, false, ""},
		{"follow-up title", func(t *testing.T) {
			f, err := x.db.FollowUp(x.fu.ID)
			if err != nil {
				t.Fatal(err)
			}
			f.Title = "Offerte besprechen"
			if err := x.db.UpdateFollowUp(f); err != nil {
				t.Fatal(err)
			}
		}, true, "Offerte besprechen"},
		{"follow-up assignee only", func(t *testing.T) {
			f, err := x.db.FollowUp(x.fu.ID)
			if err != nil {
				t.Fatal(err)
			}
			f.Assignee = "Beat"
			if err := x.db.UpdateFollowUp(f); err != nil {
				t.Fatal(err)
			}
		}, false, ""},
		{"customer rename", func(t *testing.T) { x.editCustomer(t, func(c *model.Customer) { c.FamilyName = "Meier" }) }, true, "Anna Meier"},
		{"phone change", func(t *testing.T) {
			x.editCustomer(t, func(c *model.Customer) { c.Phones = []model.Phone{{Number: "+41 44 999 88 77"}} })
		}, true, "+41 44 999 88 77"},
		{"email change", func(t *testing.T) {
			x.editCustomer(t, func(c *model.Customer) { c.Emails = []model.Email{{Address: "anna@meier.ch"}} })
		}, true, "anna@meier.ch"},
		{"address change", func(t *testing.T) {
			x.editCustomer(t, func(c *model.Customer) {
				c.Addresses = []model.Address{{Street: "Bahnhofstrasse 9", PostalCode: "8001", City: "Zürich"}}
			})
		}, true, "Bahnhofstrasse 9"},
		{"note revised", func(t *testing.T) {
			n := &model.Note{CustomerID: x.a.ID, At: x.note.At, Kind: model.NoteVisit, Text: "Wünscht zwei Offerten"}
			if err := x.db.ReviseNote(x.note.ID, n); err != nil {
				t.Fatal(err)
			}
		}, true, "Wünscht zwei Offerten"},
		{"merge into another customer", func(t *testing.T) {
			if err := x.db.MergeCustomers(x.b.ID, x.a.ID); err != nil {
				t.Fatal(err)
			}
		}, true, "Beta GmbH"},
		{"unmerge", func(t *testing.T) {
			if _, err := x.db.UndoMerge(x.a.ID); err != nil {
				t.Fatal(err)
			}
		}, true, "Anna Meier"},
	}
}
