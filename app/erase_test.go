package app

import (
	"archive/zip"
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

// lazyPrivacy forwards to the fixture's database, which exists only after
// the options are handed over.
type lazyPrivacy struct{ db *storage.DB }

func (p *lazyPrivacy) Erase(id model.ID) (model.Erasure, error) { return p.db.Erase(id) }
func (p *lazyPrivacy) Erasures() ([]model.Erasure, error)       { return p.db.Erasures() }
func (p *lazyPrivacy) SubjectData(id model.ID) (*model.SubjectData, error) {
	return p.db.SubjectData(id)
}
func (p *lazyPrivacy) UncompactedErasures() ([]model.ID, error) { return p.db.UncompactedErasures() }
func (p *lazyPrivacy) MarkErasuresCompacted(ids []model.ID) error {
	return p.db.MarkErasuresCompacted(ids)
}

func newPrivacyFixture(t *testing.T) *shellFixture {
	t.Helper()
	p := &lazyPrivacy{}
	return newShellFixture(t, Options{Privacy: p}, func(db *storage.DB) { p.db = db })
}

func TestEraseNeedsTheTypedName(t *testing.T) {
	f := newPrivacyFixture(t)
	id := f.customer(model.Customer{GivenName: "Lara", FamilyName: "Gerber", Emails: []model.Email{{Address: "lara@gerber.ch"}}})
	s := f.ui.customer
	s.show(id)
	name := s.tl.Customer.DisplayName()
	if !slices.Contains(s.moreItems(), s.eraseItem) || s.eraseItem.Disabled {
		t.Fatalf("Erase: got in the More menu %v, disabled %v; want there and enabled", slices.Contains(s.moreItems(), s.eraseItem), s.eraseItem.Disabled)
	}
	s.eraseItem.Action()
	d := s.eraser
	if d == nil || !d.erase.Disabled() {
		t.Fatalf("the dialog's Erase must start disabled")
	}
	tests := []struct {
		name, typed string
		enabled     bool
	}{
		{"empty", "", false},
		{"part of the name", name[:len(name)-1], false},
		{"other case", strings.ToLower(name), false},
		{"the name", name, true},
		{"the name with spaces", "  " + name + " ", true},
		{"more than the name", name + "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d.entry.SetText("")
			test.Type(d.entry, tt.typed)
			if got := !d.erase.Disabled(); got != tt.enabled {
				t.Errorf("typed %q: got enabled %v, want %v", tt.typed, got, tt.enabled)
			}
		})
	}
	d.entry.SetText(name)
	test.Tap(d.erase)
	shellEventually(t, "the erasure", func() bool {
		list, err := f.db.Erasures()
		return err == nil && len(list) == 1 && list[0].ID == id
	})
	if _, err := f.db.Customer(id); model.ErrorCode(err) != model.ENOTFOUND {
		t.Errorf("customer after erasure: got %v, want %s", err, model.ENOTFOUND)
	}
	shellEventually(t, "the screen to let go of the customer", func() bool { return s.currentID() == model.NilID })
}

func TestEraseIsHiddenWithoutPrivacyService(t *testing.T) {
	f := newShellFixture(t, Options{}, nil)
	id := f.customer(model.Customer{GivenName: "Lara", FamilyName: "Gerber"})
	f.ui.customer.show(id)
	if f.ui.customer.eraseItem != nil {
		t.Errorf("Erase offered without a privacy service")
	}
	if f.ui.settingsView.erased != nil {
		t.Errorf("erased log built without a privacy service")
	}
}

func TestSettingsListErasures(t *testing.T) {
	f := newPrivacyFixture(t)
	id := f.customer(model.Customer{GivenName: "Urs", FamilyName: "Imhof"})
	l := f.ui.settingsView.erased
	if l == nil || !l.empty.Visible() || len(l.rows.Objects) != 0 {
		t.Fatalf("before any erasure the log must show its empty note and no rows")
	}
	if _, err := f.db.Erase(id); err != nil {
		t.Fatal(err)
	}
	shellEventually(t, "the erased log to list the erasure", func() bool {
		return len(l.list) == 1
	})
	shellEventually(t, "the row", func() bool { return len(l.rows.Objects) == 1 && !l.empty.Visible() })
	if got := erasureText(l.list[0]); !strings.Contains(got, id.String()) || strings.Contains(got, "Imhof") {
		t.Errorf("row %q: want the customer's ID and not the name", got)
	}
}

// closingBuffer is a WriteCloser that remembers being closed.
type closingBuffer struct {
	bytes.Buffer
	closed bool
}

func (b *closingBuffer) Close() error { b.closed = true; return nil }

func TestExportDataWritesTheAccessZIP(t *testing.T) {
	f := newPrivacyFixture(t)
	id := f.customer(model.Customer{GivenName: "Lara", FamilyName: "Gerber"})
	tests := []struct {
		name     string
		id       model.ID
		language string
		want     string // in summary.html; "" for an error
	}{
		{"German", id, "de", "Einwilligungen"},
		{"English", id, "en", "Consents"},
		{"unknown customer", model.NewID(), "de", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out closingBuffer
			err := writeSubject(&out, f.ui.env.privacy, tt.id, tt.language)
			if !out.closed {
				t.Errorf("the file was not closed")
			}
			if tt.want == "" {
				if model.ErrorCode(err) != model.ENOTFOUND {
					t.Errorf("got %v, want %s", err, model.ENOTFOUND)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			zr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
			if err != nil {
				t.Fatal(err)
			}
			r, err := zr.Open("summary.html")
			if err != nil {
				t.Fatal(err)
			}
			html, _ := io.ReadAll(r)
			if !strings.Contains(string(html), tt.want) || !strings.Contains(string(html), "Gerber") {
				t.Errorf("summary.html lacks %q or the name", tt.want)
			}
		})
	}
}

// Esc closes the erase dialog even while its name field has the focus,
// and erases nothing.
func TestEraseDialogEscCloses(t *testing.T) {
	f := newPrivacyFixture(t)
	id := f.customer(model.Customer{GivenName: "Lara", FamilyName: "Gerber"})
	s := f.ui.customer
	s.show(id)
	s.eraseItem.Action()
	d := s.eraser
	c := f.ui.Window().Canvas()
	if c.Focused() != d.entry {
		t.Fatalf("got focus on %T, want the name field", c.Focused())
	}
	test.Type(d.entry, "Lara")
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if c.Overlays().Top() != nil {
		t.Error("the erase dialog is still open after Esc")
	}
	if _, err := f.db.Customer(id); err != nil {
		t.Errorf("customer after Esc: got %v, want it kept", err)
	}
}
