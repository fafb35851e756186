package replica

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

// storeSim drives a real storage database through the model services.
type storeSim struct {
	*storage.DB
}

// openStore opens a fresh database under tb's temp dir. NoSync keeps the
// many small commits of a property run fast; durability is not under test.
func openStore(tb testing.TB, now func() time.Time, noSync bool) *storage.DB {
	tb.Helper()
	db, err := storage.Open(filepath.Join(tb.TempDir(), "kk.db"), storage.Options{Now: now, NoSync: noSync})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func newStoreSim(tb testing.TB, name string, now func() time.Time) simDB {
	return storeSim{openStore(tb, now, true)}
}

func (s storeSim) createCustomer(r *rand.Rand) error {
	c := &model.Customer{GivenName: pick(r, givenNames), FamilyName: pick(r, familyNames), Company: pick(r, companies)}
	c.ID = randomID(r)
	return s.CreateCustomer(c)
}

func (s storeSim) editCustomer(r *rand.Rand, id model.ID) error {
	c, err := s.Customer(id)
	if err != nil {
		return err
	}
	switch r.IntN(4) {
	case 0:
		c.FamilyName = pick(r, familyNames)
	case 1:
		c.Segment = pick(r, segments)
	case 2:
		c.Tags = append(c.Tags, fmt.Sprintf("Messe %d", r.IntN(5)))
	default:
		c.Memo = fmt.Sprintf("memo %d", r.IntN(1000))
	}
	return s.UpdateCustomer(c)
}

func (s storeSim) addNote(r *rand.Rand, customer model.ID) (model.ID, string, error) {
	n := &model.Note{CustomerID: customer, At: s.Now(), Kind: model.NoteFair,
		Text: fmt.Sprintf("Besuch %d bei %s", r.IntN(100000), s.DeviceID()[:8])}
	n.ID = randomID(r)
	err := s.AddNote(n)
	return n.ID, n.Text, err
}

func (s storeSim) customers() ([]model.ID, error) {
	var ids []model.ID
	for _, c := range s.Directory().Search(model.Query{}) {
		ids = append(ids, c.ID)
	}
	return sortedIDs(ids), nil
}

func (s storeSim) notes() (map[model.ID]string, error) {
	notes, err := s.Notes(model.NoteFilter{})
	if err != nil {
		return nil, err
	}
	out := map[model.ID]string{}
	for _, n := range notes {
		out[n.ID] = n.Text
	}
	return out, nil
}

// dump is every live record as JSON, one per line, sorted: the canonical
// form two converged databases must agree on byte for byte.
func (s storeSim) dump() (string, error) {
	ids, err := s.customers()
	if err != nil {
		return "", err
	}
	var lines []string
	add := func(kind string, v any) error {
		b, err := json.Marshal(v)
		lines = append(lines, kind+" "+string(b))
		return err
	}
	cs, err := s.Customers(ids)
	if err != nil {
		return "", err
	}
	for _, c := range cs {
		if err := add("customer", c); err != nil {
			return "", err
		}
	}
	notes, err := s.Notes(model.NoteFilter{})
	if err != nil {
		return "", err
	}
	for _, n := range notes {
		if err := add("note", n); err != nil {
			return "", err
		}
	}
	fus, err := s.FollowUps(model.FollowUpFilter{})
	if err != nil {
		return "", err
	}
	for _, f := range fus {
		if err := add("followup", f); err != nil {
			return "", err
		}
	}
	gs, err := s.Gestures(model.GestureFilter{})
	if err != nil {
		return "", err
	}
	for _, g := range gs {
		if err := add("gesture", g); err != nil {
			return "", err
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n"), nil
}

func TestPropertyStorage(t *testing.T) {
	for seed := uint64(1); seed <= uint64(*propertySeeds); seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			runProperty(t, seed, propertyConfig{devices: 2 + int(seed%4), steps: 150, newDB: newStoreSim})
		})
	}
}

func (s storeSim) deleteCustomer(id model.ID) error { return s.DeleteCustomer(id) }

func (s storeSim) deleteNote(id model.ID) error { return s.DeleteNote(id) }
