package replica

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// simDB is a device's database as the property tests drive it: the
// change log and backups the Syncer needs, plus user actions and a
// canonical dump. It is implemented by the in-memory fake and by storage.
type simDB interface {
	model.ChangeLog
	model.BackupService
	createCustomer(r *rand.Rand) error
	editCustomer(r *rand.Rand, id model.ID) error
	deleteCustomer(id model.ID) error
	addNote(r *rand.Rand, customer model.ID) (model.ID, string, error)
	deleteNote(id model.ID) error
	customers() ([]model.ID, error)
	notes() (map[model.ID]string, error) // live notes and their texts
	dump() (string, error)
}

// testKDF makes key derivation cheap in tests; the format is the same.
var testKDF = KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

var errInjected = errors.New("injected fault")

// flakyTarget wraps a Target and, while on, fails calls, hides files from
// listings (a file-sync service that has not delivered them yet), cuts
// reads short and interrupts writes before, after or in the middle.
type flakyTarget struct {
	Target
	mu   sync.Mutex
	r    *rand.Rand
	on   bool
	self string // the device using this target
}

func (f *flakyTarget) roll(p float64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.on && f.r.Float64() < p
}

func injected(what string) error {
	return model.WrapError(model.EINTERNAL, errInjected, "%s", what)
}

func (f *flakyTarget) Get(ctx context.Context, name string) ([]byte, error) {
	if f.roll(0.05) {
		return nil, injected("get " + name)
	}
	data, err := f.Target.Get(ctx, name)
	if err == nil && name != DescriptionName && f.roll(0.03) {
		data = data[:len(data)/2] // a read that ended early
	}
	return data, err
}

func (f *flakyTarget) Put(ctx context.Context, name string, data []byte) error {
	switch {
	case f.roll(0.05):
		return injected("put before " + name)
	case f.roll(0.05):
		if err := f.Target.Put(ctx, name, data); err != nil {
			return err
		}
		return injected("put after " + name) // written, but the writer never heard
	case f.roll(0.05):
		if err := f.Target.Put(ctx, name, data[:len(data)/3]); err != nil {
			return err
		}
		return injected("put partial " + name) // a non-atomic server kept a prefix
	}
	return f.Target.Put(ctx, name, data)
}

func (f *flakyTarget) List(ctx context.Context, dir string) ([]string, error) {
	if f.roll(0.03) {
		return nil, injected("list " + dir)
	}
	names, err := f.Target.List(ctx, dir)
	if err != nil {
		return nil, err
	}
	var shown []string
	for _, n := range names {
		// A device always sees its own files; others' may lag behind.
		if _, seg := parseSeq(n); seg && dir != devicesDir+"/"+f.self && f.roll(0.2) {
			continue
		}
		shown = append(shown, n)
	}
	return shown, nil
}

// device is one simulated device in a property run.
type device struct {
	db     simDB
	target *flakyTarget
	syncer *Syncer
}

type propertyConfig struct {
	devices, steps int
	newDB          func(tb testing.TB, name string, now func() time.Time) simDB
}

// runProperty lets several devices edit concurrently and sync through one
// folder in random orders, with faults, then checks that after a clean
// final exchange all devices hold identical records and every note ever
// written is present unless deleted.
func runProperty(t *testing.T, seed uint64, cfg propertyConfig) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	ctx := context.Background()
	dir := t.TempDir()
	base := NewFolderTarget(dir)
	key, err := InitWithKDF(ctx, base, "correct horse battery", testKDF)
	if err != nil {
		t.Fatal(err)
	}
	var clockMu sync.Mutex
	wall := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	// Device clocks disagree: one runs an hour behind, one ten minutes ahead.
	offsets := []time.Duration{0, -time.Hour, 10 * time.Minute, 3 * time.Second, -20 * time.Minute}
	devs := make([]*device, cfg.devices)
	for i := range devs {
		off := offsets[i%len(offsets)]
		now := func() time.Time {
			clockMu.Lock()
			defer clockMu.Unlock()
			return wall.Add(off)
		}
		db := cfg.newDB(t, fmt.Sprintf("dev%d", i), now)
		ft := &flakyTarget{Target: base, r: rand.New(rand.NewPCG(seed+uint64(i), 7)), self: db.DeviceID()}
		s := NewSyncer(db, db, ft, key, NewFileStateStore(filepath.Join(t.TempDir(), "state.json")))
		s.now = now
		s.batch, s.segOps = 1+r.IntN(7), 1+r.IntN(9) // many small segments and log batches
		s.snapEvery = []int{0, 10, 60}[r.IntN(3)]    // devices that first sync late start from snapshots
		devs[i] = &device{db: db, target: ft, syncer: s}
	}
	written := map[model.ID]string{} // every note ever written
	deleted := map[model.ID]bool{}
	noteOf := map[model.ID]model.ID{} // note → customer
	gone := map[model.ID]bool{}       // deleted customers; their notes are hidden
	merges := 0
	for step := 0; step < cfg.steps; step++ {
		clockMu.Lock()
		wall = wall.Add(time.Duration(r.IntN(5000)) * time.Millisecond)
		clockMu.Unlock()
		d := devs[r.IntN(len(devs))]
		if r.IntN(3) == 0 {
			d.target.on = r.IntN(2) == 0
			rep, err := d.syncer.Sync(ctx, nil)
			switch {
			case err == nil:
			case d.target.on && errors.Is(err, errInjected):
			case model.ErrorCode(err) == model.EINVALID && len(rep.Problems) > 0:
				// A partial segment another device has not repaired yet,
				// or a read cut short: rejected, retried next time.
			default:
				t.Fatalf("step %d: sync: %v", step, err)
			}
			continue
		}
		for n := 1 + r.IntN(4); n > 0; n-- {
			ids, err := d.db.customers()
			if err != nil {
				t.Fatal(err)
			}
			if m, ok := d.db.(mergeSim); ok && len(ids) > 1 && r.IntN(8) == 0 {
				// Merge two customers or undo a merge: concurrent merges of
				// the same customers on several devices included.
				if r.IntN(3) == 0 {
					err = m.undoMerge(r)
				} else if a, b := ids[r.IntN(len(ids))], ids[r.IntN(len(ids))]; a != b {
					err = m.mergeCustomers(a, b)
					merges++
				}
				if err != nil {
					t.Fatalf("step %d: merge: %v", step, err)
				}
				continue
			}
			switch a := r.IntN(10); {
			case a < 2 || len(ids) == 0:
				err = d.db.createCustomer(r)
			case a < 5:
				err = d.db.editCustomer(r, ids[r.IntN(len(ids))])
			case a < 6:
				id := ids[r.IntN(len(ids))]
				err = d.db.deleteCustomer(id)
				gone[id] = true
			case a < 9:
				var id model.ID
				var text string
				cust := ids[r.IntN(len(ids))]
				id, text, err = d.db.addNote(r, cust)
				written[id] = text
				noteOf[id] = cust
			default:
				notes, nerr := d.db.notes()
				if nerr != nil {
					t.Fatal(nerr)
				}
				if len(notes) > 0 {
					ids := make([]model.ID, 0, len(notes))
					for id := range notes {
						ids = append(ids, id)
					}
					id := sortedIDs(ids)[r.IntN(len(ids))]
					err = d.db.deleteNote(id)
					deleted[id] = true
				}
			}
			if err != nil {
				t.Fatalf("step %d: edit: %v", step, err)
			}
		}
	}
	// Clean exchange: the first round lets every device repair and push,
	// the second delivers everything, the third must find nothing new.
	for round := 0; round < 3; round++ {
		for _, i := range r.Perm(len(devs)) {
			d := devs[i]
			d.target.on = false
			rep, err := d.syncer.Sync(ctx, nil)
			if round > 0 && err != nil {
				t.Fatalf("round %d, device %d: %v", round, i, err)
			}
			if round == 2 && (rep.Received != 0 || rep.Pushed != 0) {
				t.Errorf("round 2, device %d: got %d received, %d pushed, want nothing left", i, rep.Received, rep.Pushed)
			}
		}
	}
	want, err := devs[0].db.dump()
	if err != nil {
		t.Fatal(err)
	}
	if want == "" {
		t.Fatal("empty dump; the run made no records")
	}
	for i, d := range devs[1:] {
		got, err := d.db.dump()
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("device %d differs from device 0:\n%s", i+1, firstDiff(got, want))
		}
	}
	if merges > 0 {
		t.Logf("%d merges", merges)
	}
	for i, d := range devs {
		notes, err := d.db.notes()
		if err != nil {
			t.Fatal(err)
		}
		for id, text := range written {
			if m, ok := d.db.(mergeSim); ok {
				// After merges a note belongs to the end of its customer's
				// merge chain; it is hidden only when that one is deleted.
				if !m.listedOwner(noteOf[id]) {
					continue
				}
			} else if gone[noteOf[id]] {
				continue
			}
			if deleted[id] {
				if _, ok := notes[id]; ok {
					t.Errorf("device %d: deleted note %s is live", i, id)
				}
				continue
			}
			if notes[id] != text {
				t.Errorf("device %d: note %s: got %q, want %q", i, id, notes[id], text)
			}
		}
	}
}

// mergeSim is a simDB that can merge duplicates.
type mergeSim interface {
	mergeCustomers(survivor, duplicate model.ID) error
	undoMerge(r *rand.Rand) error
	// listedOwner reports whether the customer that id's records belong to
	// now (id, or the survivor of its merges) is listed.
	listedOwner(id model.ID) bool
}

// firstDiff shows the first differing line of two dumps.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got  %s\n want %s", i+1, gl, wl)
		}
	}
	return "(equal)"
}

// randomID makes IDs reproducible from the seed.
func randomID(r *rand.Rand) model.ID {
	var id model.ID
	for i := range id {
		id[i] = byte(r.IntN(256))
	}
	id[6] = id[6]&0x0f | 0x70 // version 7
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	return id
}

var (
	givenNames  = []string{"Anna", "Jürg", "Lea", "Marco", "Sophie", "Reto", "Käthi"}
	familyNames = []string{"Müller", "Meier", "Schmid", "Keller", "Weber", "Huber", "Brunner", "Gerber"}
	companies   = []string{"", "Bäckerei Süss AG", "Holzbau Graf GmbH", "Velo Flury", "Treuhand Zürcher"}
	segments    = []string{model.SegmentKey, model.SegmentRegular, model.SegmentSmall}
)

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

// fakeSim drives the in-memory fake with the fields storage would log.
type fakeSim struct{ *fakeLog }

func (f fakeSim) createCustomer(r *rand.Rand) error {
	id := randomID(r)
	f.set(model.TypeCustomer, id, model.FieldCreated, f.now().UTC())
	f.set(model.TypeCustomer, id, "given_name", pick(r, givenNames))
	f.set(model.TypeCustomer, id, "family_name", pick(r, familyNames))
	f.set(model.TypeCustomer, id, "company", pick(r, companies))
	return nil
}

func (f fakeSim) editCustomer(r *rand.Rand, id model.ID) error {
	switch r.IntN(3) {
	case 0:
		f.set(model.TypeCustomer, id, "family_name", pick(r, familyNames))
	case 1:
		f.set(model.TypeCustomer, id, "segment", pick(r, segments))
	default:
		f.set(model.TypeCustomer, id, "memo", fmt.Sprintf("memo %d", r.IntN(1000)))
	}
	return nil
}

func (f fakeSim) deleteCustomer(id model.ID) error {
	f.set(model.TypeCustomer, id, model.FieldDeleted, true)
	return nil
}

func (f fakeSim) addNote(r *rand.Rand, customer model.ID) (model.ID, string, error) {
	id := randomID(r)
	text := fmt.Sprintf("Besuch %d bei %s", r.IntN(100000), f.device)
	f.set(model.TypeNote, id, model.FieldCreated, f.now().UTC())
	f.set(model.TypeNote, id, "customer_id", customer)
	f.set(model.TypeNote, id, "text", text)
	return id, text, nil
}

func (f fakeSim) deleteNote(id model.ID) error {
	f.set(model.TypeNote, id, model.FieldDeleted, true)
	return nil
}

func (f fakeSim) customers() ([]model.ID, error) { return f.live(model.TypeCustomer), nil }

func (f fakeSim) notes() (map[model.ID]string, error) {
	out := map[model.ID]string{}
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, v := range f.fields {
		if k.Type != model.TypeNote || k.Field != "text" {
			continue
		}
		if d, ok := f.fields[fieldKey{k.Type, k.ID, model.FieldDeleted}]; ok && string(d.Value) == "true" {
			continue
		}
		var s string
		if err := json.Unmarshal(v.Value, &s); err != nil {
			return nil, err
		}
		out[k.ID] = s
	}
	return out, nil
}

func (f fakeSim) dump() (string, error) { return f.fakeLog.dump(), nil }

func newFakeSim(tb testing.TB, name string, now func() time.Time) simDB {
	return fakeSim{newFakeLog(name+"-"+strings.Repeat("0", 8), now)}
}

// propertySeeds is how many random runs each property test makes; raise it
// for a longer search: go test ./sync/replica -run Property -replica.seeds=500
var propertySeeds = flag.Int("replica.seeds", 12, "random runs per property test")

func TestPropertyFake(t *testing.T) {
	for seed := uint64(1); seed <= uint64(*propertySeeds); seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			runProperty(t, seed, propertyConfig{devices: 2 + int(seed%4), steps: 150, newDB: newFakeSim})
		})
	}
}

// sortedIDs is a helper for deterministic iteration in dumps.
func sortedIDs(ids []model.ID) []model.ID {
	sort.Slice(ids, func(i, j int) bool { return ids[i].String() < ids[j].String() })
	return ids
}

// setSim is storeSim whose customer edits work on the set-valued fields:
// tags, emails and phones are added, removed, relabelled and reordered on
// several devices at once, the way overlapping imports and users do.
type setSim struct{ storeSim }

var (
	simTags  = []string{"Messe Basel 2026", "messe basel 2026", "VIP", "Newsletter", "Grosskunde"}
	simMails = []string{"anna@example.ch", "Anna@Example.ch", "info@holzbau-graf.ch", "lea@velo-flury.ch"}
	simPhone = []string{"+41 44 123 45 67", "044 123 45 67", "+41 79 555 12 34", "+49 30 1234567"}
	simLabel = []string{model.LabelWork, model.LabelHome, model.LabelMobile, ""}
)

func (s setSim) editCustomer(r *rand.Rand, id model.ID) error {
	c, err := s.Customer(id)
	if err != nil {
		return err
	}
	switch r.IntN(5) {
	case 0:
		c.Tags = editList(r, c.Tags, func() string { return pick(r, simTags) })
	case 1:
		c.Emails = editList(r, c.Emails, func() model.Email { return model.Email{Label: pick(r, simLabel), Address: pick(r, simMails)} })
		if len(c.Emails) > 0 && r.IntN(3) == 0 {
			c.Emails[r.IntN(len(c.Emails))].Label = pick(r, simLabel)
		}
	case 2:
		c.Phones = editList(r, c.Phones, func() model.Phone { return model.Phone{Label: pick(r, simLabel), Number: pick(r, simPhone)} })
	case 3:
		c.ExternalUIDs = editList(r, c.ExternalUIDs, func() string { return fmt.Sprintf("uid-%d", r.IntN(6)) })
	default:
		c.Memo = fmt.Sprintf("memo %d", r.IntN(1000))
	}
	return s.UpdateCustomer(c)
}

// editList adds an element, removes one or moves one to the front.
func editList[T any](r *rand.Rand, l []T, gen func() T) []T {
	switch {
	case len(l) > 0 && r.IntN(3) == 0:
		i := r.IntN(len(l))
		return append(l[:i:i], l[i+1:]...)
	case len(l) > 1 && r.IntN(4) == 0:
		i := 1 + r.IntN(len(l)-1)
		return append([]T{l[i]}, append(l[:i:i], l[i+1:]...)...)
	}
	return append(l, gen())
}

func TestPropertyStorageSets(t *testing.T) {
	for seed := uint64(1); seed <= uint64(*propertySeeds); seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			newDB := func(tb testing.TB, name string, now func() time.Time) simDB {
				return setSim{newStoreSim(tb, name, now).(storeSim)}
			}
			runProperty(t, seed, propertyConfig{devices: 3 + int(seed%3), steps: 150, newDB: newDB})
		})
	}
}
