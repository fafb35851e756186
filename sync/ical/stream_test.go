package ical

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

func TestNextStamp(t *testing.T) {
	t0 := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	now := t0.Add(time.Hour)
	h1, h2 := [16]byte{1}, [16]byte{2}
	item := func(seq int, fu, cust, note time.Time) *Item {
		it := &Item{FollowUp: model.FollowUp{Meta: model.Meta{Updated: fu}, Sequence: seq}}
		it.Customer = &model.Customer{Meta: model.Meta{Updated: cust}}
		if !note.IsZero() {
			it.Note = &model.Note{Meta: model.Meta{Updated: note}}
		}
		return it
	}
	old := &model.CalendarStamp{Hash: h1, Sequence: 4, Modified: t0.Add(10 * time.Minute)}
	tests := []struct {
		name        string
		old         *model.CalendarStamp
		hash        [16]byte
		it          *Item
		now         time.Time
		want        model.CalendarStamp
		wantChanged bool
	}{
		{"first export takes the follow-up's own", nil, h1, item(3, t0, t0.Add(time.Hour), time.Time{}), now,
			model.CalendarStamp{Hash: h1, Sequence: 3, Modified: t0}, true},
		{"same hash keeps the stamp", old, h1, item(9, t0.Add(time.Hour), t0, time.Time{}), now, *old, false},
		{"new hash: newest input time", old, h2, item(2, t0, t0.Add(20*time.Minute), t0.Add(30*time.Minute)), now,
			model.CalendarStamp{Hash: h2, Sequence: 5, Modified: t0.Add(30 * time.Minute)}, true},
		{"new hash: follow-up sequence ahead", old, h2, item(7, t0.Add(15*time.Minute), t0, time.Time{}), now,
			model.CalendarStamp{Hash: h2, Sequence: 7, Modified: t0.Add(15 * time.Minute)}, true},
		{"new hash, inputs not newer (merge): now", old, h2, item(2, t0, t0, time.Time{}), now,
			model.CalendarStamp{Hash: h2, Sequence: 5, Modified: now}, true},
		{"new hash, clock behind: a second later", old, h2, item(2, t0, t0, time.Time{}), t0,
			model.CalendarStamp{Hash: h2, Sequence: 5, Modified: old.Modified.Add(time.Second)}, true},
		{"new hash within the same second: a second later", old, h2, item(2, old.Modified.Add(300*time.Millisecond), t0, time.Time{}), old.Modified,
			model.CalendarStamp{Hash: h2, Sequence: 5, Modified: old.Modified.Add(time.Second)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := nextStamp(tt.old, tt.hash, tt.it, tt.now)
			if got != tt.want || changed != tt.wantChanged {
				t.Errorf("got %+v %v, want %+v %v", got, changed, tt.want, tt.wantChanged)
			}
		})
	}
}

func TestContentHash(t *testing.T) {
	cal := func(stamp, title string) string {
		return "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTAMP:" + stamp + "\r\nSUMMARY:" + title +
			"\r\nX-NOTE:DTSTAMP:in a value\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	sum := func(s string, chunk int) [32]byte {
		h := newContentHash()
		for len(s) > 0 {
			n := min(chunk, len(s))
			if _, err := h.Write([]byte(s[:n])); err != nil {
				t.Fatal(err)
			}
			s = s[n:]
		}
		return h.sum()
	}
	base := sum(cal("20260601T080000Z", "Offerte"), 1<<20)
	tests := []struct {
		name  string
		cal   string
		chunk int
		same  bool
	}{
		{"other DTSTAMP", cal("20270101T000000Z", "Offerte"), 1 << 20, true},
		{"byte by byte", cal("20270101T000000Z", "Offerte"), 1, true},
		{"in threes", cal("20260601T080000Z", "Offerte"), 3, true},
		{"other title", cal("20260601T080000Z", "Offerten"), 1 << 20, false},
		{"other title byte by byte", cal("20260601T080000Z", "Offerten"), 1, false},
		{"DTSTAMP inside a value counts", strings.Replace(cal("20260601T080000Z", "Offerte"), "in a value", "other", 1), 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sum(tt.cal, tt.chunk) == base; got != tt.same {
				t.Errorf("got same hash %v, want %v", got, tt.same)
			}
		})
	}
}

// TestStreamMatchesSlices checks that a calendar streamed in batches is
// the same as one encoded from slices, also when the events go through
// the temporary file.
func TestStreamMatchesSlices(t *testing.T) {
	items := bigExport(t, 12000) // about 10 MB: more than spoolLimit
	var want bytes.Buffer
	if err := Encode(&want, items, nil, fixedOptions()); err != nil {
		t.Fatal(err)
	}
	if want.Len() <= spoolLimit {
		t.Fatalf("got %d bytes, want more than the spool keeps in memory", want.Len())
	}
	for _, size := range []int{1, 500, 12000} {
		x := Export{Source: func(fn func([]Item) error) error {
			for lo := 0; lo < len(items); lo += size {
				if err := fn(items[lo:min(lo+size, len(items))]); err != nil {
					return err
				}
			}
			return nil
		}}
		var got bytes.Buffer
		n, err := EncodeExport(&got, x, fixedOptions())
		if err != nil {
			t.Fatal(err)
		}
		if n != len(items) || !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("batches of %d: got %d events, %d bytes, want %d and the slice encoding (%d bytes)", size, n, got.Len(), len(items), want.Len())
		}
	}
}

// TestStreamSourceError checks that an error of the source comes back as
// it is and nothing is written.
func TestStreamSourceError(t *testing.T) {
	boom := errors.New("disk gone")
	items := bigExport(t, 3)
	x := Export{Source: func(fn func([]Item) error) error {
		if err := fn(items); err != nil {
			return err
		}
		return boom
	}}
	var b bytes.Buffer
	if _, err := EncodeExport(&b, x, fixedOptions()); !errors.Is(err, boom) || b.Len() != 0 {
		t.Errorf("got %v and %d bytes, want %v and nothing written", err, b.Len(), boom)
	}
}

// TestAutoKeepsUnchangedFile checks that the automatic export leaves the
// file alone when only the time of writing would change, writes it again
// when it was deleted (with the content it had, but for DTSTAMP), and
// replaces it when the content changes.
func TestAutoKeepsUnchangedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auto.ics")
	items := bigExport(t, 2)
	clock := fixedNow
	opt := fixedOptions()
	opt.Now = func() time.Time { return clock }
	a := &AutoExporter{path: path, opt: opt, onErr: func(err error) { t.Error(err) },
		collect: func() (Export, error) { return Slice(items, nil), nil }}
	a.export()
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stripped := func(b []byte) string {
		var keep []string
		for _, l := range strings.Split(string(b), "\r\n") {
			if !strings.HasPrefix(l, "DTSTAMP:") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\r\n")
	}
	for _, step := range []struct {
		name   string
		change func()
		want   string // "kept": the same bytes; "rewritten": new DTSTAMP only; "new": other content
	}{
		{"later, nothing changed", func() {}, "kept"},
		{"file deleted", func() {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}, "rewritten"},
		{"title changed", func() { items[0].FollowUp.Title = "Neu" }, "new"},
	} {
		t.Run(step.name, func(t *testing.T) {
			clock = clock.Add(time.Hour)
			step.change()
			a.export()
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var was string
			switch {
			case bytes.Equal(got, first):
				was = "kept"
			case stripped(got) == stripped(first):
				was = "rewritten"
			default:
				was = "new"
			}
			if was != step.want {
				t.Errorf("got the file %s, want %s", was, step.want)
			}
			first = got
			left, err := filepath.Glob(filepath.Join(filepath.Dir(path), ".auto.ics.*"))
			if err != nil || len(left) > 0 {
				t.Errorf("got temporary files %v (%v), want none", left, err)
			}
		})
	}
}
