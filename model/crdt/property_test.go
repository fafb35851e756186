package crdt

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// simDevice is one device of a property run: its records, its log (every
// op it made or applied, in order) and its clock.
type simDevice struct {
	name  string
	clock *model.Clock
	recs  map[model.ID]*Record
	log   []model.Op
}

func (d *simDevice) stamp() FieldClock {
	return FieldClock{HLC: d.clock.Now(), Device: d.name, Author: "user " + d.name}
}

func (d *simDevice) rec(id model.ID) *Record {
	r := d.recs[id]
	if r == nil {
		r = &Record{Type: model.TypeCustomer, ID: id}
		d.recs[id] = r
	}
	return r
}

// apply merges remote ops and logs those that changed something.
func (d *simDevice) apply(tb testing.TB, ops []model.Op) {
	tb.Helper()
	for i := range ops {
		op := ops[i]
		d.clock.Observe(op.HLC)
		changed, err := d.rec(op.ID).Apply(&op)
		if err != nil {
			tb.Fatalf("%s: apply %s.%s: %v", d.name, op.ID, op.Field, err)
		}
		if changed {
			d.log = append(d.log, op)
		}
	}
}

// local makes a local edit of field f and logs it.
func (d *simDevice) local(tb testing.TB, id model.ID, f string, v any) {
	tb.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	op, ok, err := d.rec(id).Local(f, raw, d.stamp())
	if err != nil {
		tb.Fatalf("%s: local %s: %v", d.name, f, err)
	}
	if ok {
		d.log = append(d.log, op)
	}
}

var (
	simTags   = []string{"Messe Basel", "messe basel", "VIP", "Newsletter", "Grosskunde", "Zürich"}
	simMails  = []string{"anna@example.ch", "Anna@Example.ch", "info@holz.ch", "lea@velo.ch", "reto@gmx.ch"}
	simLabels = []string{"work", "home", "", "other"}
)

func simEmails(r *rand.Rand, cur []model.Email) []model.Email {
	out := slices.Clone(cur)
	switch r.IntN(4) {
	case 0: // add
		out = append(out, model.Email{Address: simMails[r.IntN(len(simMails))], Label: simLabels[r.IntN(len(simLabels))]})
	case 1: // remove
		if len(out) > 0 {
			i := r.IntN(len(out))
			out = slices.Delete(out, i, i+1)
		}
	case 2: // relabel
		if len(out) > 0 {
			out[r.IntN(len(out))].Label = simLabels[r.IntN(len(simLabels))]
		}
	default: // move one to the front
		if len(out) > 1 {
			i := 1 + r.IntN(len(out)-1)
			e := out[i]
			out = append([]model.Email{e}, slices.Delete(out, i, i+1)...)
		}
	}
	return out
}

func simTagsEdit(r *rand.Rand, cur []string) []string {
	out := slices.Clone(cur)
	if len(out) > 0 && r.IntN(3) == 0 {
		i := r.IntN(len(out))
		return slices.Delete(out, i, i+1)
	}
	return append(out, simTags[r.IntN(len(simTags))])
}

func decodeField[T any](tb testing.TB, r *Record, f string) T {
	tb.Helper()
	var v T
	if raw := r.Fields[f]; len(raw) > 0 {
		if err := json.Unmarshal(raw, &v); err != nil {
			tb.Fatalf("field %s = %s: %v", f, raw, err)
		}
	}
	return v
}

// edit makes one random local change on d.
func (d *simDevice) edit(tb testing.TB, r *rand.Rand, ids *[]model.ID) {
	tb.Helper()
	if len(*ids) == 0 || r.IntN(8) == 0 {
		id := model.NewID()
		*ids = append(*ids, id)
		c := model.Customer{GivenName: "Anna", FamilyName: "Müller", Tags: []string{simTags[r.IntN(len(simTags))]},
			Emails: []model.Email{{Address: simMails[r.IntN(len(simMails))], Label: "work"}}}
		raw, err := json.Marshal(c)
		if err != nil {
			tb.Fatal(err)
		}
		s := d.stamp()
		op := model.Op{Type: model.TypeCustomer, ID: id, Field: model.FieldAll, Value: raw, HLC: s.HLC, Device: s.Device, Author: s.Author}
		d.apply(tb, []model.Op{op})
		return
	}
	id := (*ids)[r.IntN(len(*ids))]
	rec := d.rec(id)
	switch a := r.IntN(10); {
	case a < 3:
		d.local(tb, id, "tags", simTagsEdit(r, decodeField[[]string](tb, rec, "tags")))
	case a < 6:
		d.local(tb, id, "emails", simEmails(r, decodeField[[]model.Email](tb, rec, "emails")))
	case a < 8:
		d.local(tb, id, "memo", fmt.Sprintf("memo %d", r.IntN(5)))
	case a < 9:
		d.local(tb, id, model.FieldDeleted, r.IntN(3) > 0)
	default:
		other := (*ids)[r.IntN(len(*ids))]
		if other == id {
			other = model.NilID
		}
		d.local(tb, id, "merged_into", other)
	}
}

// state is a canonical text of d's records: fields, clocks and conflicts.
func (d *simDevice) state(tb testing.TB) string {
	tb.Helper()
	var lines []string
	for id, r := range d.recs {
		fields := map[string]json.RawMessage{}
		for k, v := range r.Fields {
			if string(v) != "null" && len(v) > 0 { // an absent field is null
				fields[k] = v
			}
		}
		f, _ := json.Marshal(fields)
		c := string(AppendClocks(nil, &r.Clk))
		k, _ := json.Marshal(r.Conflicts())
		lines = append(lines, fmt.Sprintf("%s %s\n  clocks %s\n  conflicts %s", id, f, c, k))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// runSets lets n devices edit customers concurrently and exchange ops in
// random partial batches, then delivers everything to every device in a
// random order, twice; all must hold identical records, clocks and
// conflicts, and so must a fresh device that applies the union of all logs
// in yet another order.
func runSets(t *testing.T, seed uint64, n, steps int) {
	r := rand.New(rand.NewPCG(seed, 99))
	wall := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	devs := make([]*simDevice, n)
	for i := range devs {
		skew := time.Duration(r.IntN(7200)-3600) * time.Second
		devs[i] = &simDevice{name: fmt.Sprintf("dev%d", i), recs: map[model.ID]*Record{},
			clock: model.NewClock(func() time.Time { return wall.Add(skew) })}
	}
	var ids []model.ID
	for step := 0; step < steps; step++ {
		wall = wall.Add(time.Duration(r.IntN(3000)) * time.Millisecond)
		d := devs[r.IntN(n)]
		if r.IntN(4) == 0 { // receive part of another device's log, shuffled
			src := devs[r.IntN(n)]
			ops := slices.Clone(src.log[:r.IntN(len(src.log)+1)])
			r.Shuffle(len(ops), func(i, j int) { ops[i], ops[j] = ops[j], ops[i] })
			d.apply(t, ops)
			continue
		}
		d.edit(t, r, &ids)
	}
	var all []model.Op
	for _, d := range devs {
		all = append(all, d.log...)
	}
	fresh := &simDevice{name: "fresh", recs: map[model.ID]*Record{}, clock: model.NewClock(func() time.Time { return wall })}
	for _, d := range append(devs, fresh) {
		for round := 0; round < 2; round++ {
			ops := slices.Clone(all)
			r.Shuffle(len(ops), func(i, j int) { ops[i], ops[j] = ops[j], ops[i] })
			d.apply(t, ops)
		}
	}
	want := fresh.state(t)
	for _, d := range devs {
		if got := d.state(t); got != want {
			t.Fatalf("seed %d: %s differs from a fresh device:\n%s", seed, d.name, firstDiff(got, want))
		}
	}
	// A snapshot (the compacted union of the logs) rebuilds the same records.
	var c Compactor
	for _, op := range all {
		c.Add(op)
	}
	snap := &simDevice{name: "snap", recs: map[model.ID]*Record{}, clock: model.NewClock(func() time.Time { return wall })}
	snap.apply(t, c.Ops())
	if got := snap.state(t); got != want {
		t.Fatalf("seed %d: a device from the compacted log differs:\n%s", seed, firstDiff(got, want))
	}
}

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

// seeds is how many random runs the property test makes; raise it for a
// longer search: go test ./model/crdt -run Property -crdt.seeds=2000
var seeds = flag.Int("crdt.seeds", 10, "random runs of the property test")

func TestPropertyMergeConverges(t *testing.T) {
	for seed := uint64(1); seed <= uint64(*seeds); seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			runSets(t, seed, 3+int(seed%3), 200)
		})
	}
}
