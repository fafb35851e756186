package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// mutate makes a varied history on db: creates, field edits, notes,
// revisions, follow-ups with status changes, gestures, deletes and restores.
func mutate(tb testing.TB, db *DB, rng *rand.Rand, steps int) {
	tb.Helper()
	var customers []model.ID
	var notes []model.ID
	var fus []model.ID
	names := []string{"Müller", "Meier", "Weiß", "Brändli", "Zürcher", "Käser", "Schneider"}
	for i := 0; i < steps; i++ {
		switch op := rng.Intn(10); {
		case op < 3 || len(customers) == 0:
			c := newCustomer("Hans", names[rng.Intn(len(names))], "")
			c.Emails = []model.Email{{Address: fmt.Sprintf("h%d@example.ch", rng.Intn(1000))}}
			c.RhythmDays = 30 * rng.Intn(4)
			mustOK(tb, db.CreateCustomer(c))
			customers = append(customers, c.ID)
		case op < 5:
			id := customers[rng.Intn(len(customers))]
			c, err := db.Customer(id)
			if model.ErrorCode(err) == model.ENOTFOUND {
				continue
			}
			mustOK(tb, err)
			c.Tags = append(c.Tags, fmt.Sprintf("tag%d", rng.Intn(5)))
			c.Memo = fmt.Sprintf("memo %d", rng.Intn(100))
			mustOK(tb, db.UpdateCustomer(c))
		case op < 7:
			id := customers[rng.Intn(len(customers))]
			n := &model.Note{CustomerID: id, At: time.Date(2026, 1, 1+rng.Intn(300), 10, 0, 0, 0, time.UTC),
				Kind: model.NoteKinds[rng.Intn(len(model.NoteKinds))], Impression: model.Impressions[rng.Intn(3)], Text: "Gespräch"}
			if err := db.AddNote(n); model.ErrorCode(err) == model.ENOTFOUND {
				continue
			} else {
				mustOK(tb, err)
			}
			notes = append(notes, n.ID)
		case op < 8 && len(notes) > 0:
			old := notes[rng.Intn(len(notes))]
			ns, _ := db.Notes(model.NoteFilter{})
			for _, n := range ns {
				if n.ID == old {
					rev := n
					rev.Text += " (korrigiert)"
					if err := db.ReviseNote(old, &rev); err == nil {
						notes = append(notes, rev.ID)
					}
				}
			}
		case op < 9:
			id := customers[rng.Intn(len(customers))]
			f := &model.FollowUp{CustomerID: id, Due: time.Date(2026, 12, 1+rng.Intn(20), 9, 0, 0, 0, time.UTC), Title: "Anrufen", TZ: "Europe/Zurich"}
			if err := db.CreateFollowUp(f); err == nil {
				fus = append(fus, f.ID)
			}
			if len(fus) > 0 && rng.Intn(2) == 0 {
				db.SetFollowUpStatus(fus[rng.Intn(len(fus))], model.FollowUpDone)
			}
		default:
			id := customers[rng.Intn(len(customers))]
			if rng.Intn(2) == 0 {
				db.DeleteCustomer(id)
			} else {
				db.RestoreCustomer(id)
			}
		}
	}
}

func TestChangeLogReplayRebuildsIdenticalRecords(t *testing.T) {
	src := openTest(t)
	mutate(t, src, rand.New(rand.NewSource(1)), 400)
	mustCheck(t, src)

	dst := openTest(t)
	res, err := dst.ApplyOps(allOps(t, src))
	mustOK(t, err)
	if res.Conflicts != 0 {
		t.Fatalf("a replay of one device's log has no concurrency, got %d conflicts", res.Conflicts)
	}
	mustCheck(t, dst)
	if got, want := dump(t, dst), dump(t, src); got != want {
		t.Fatalf("replayed database differs from the original\n got: %.2000s\nwant: %.2000s", got, want)
	}
	if dst.Directory().Len() != src.Directory().Len() {
		t.Fatalf("directory: got %d, want %d", dst.Directory().Len(), src.Directory().Len())
	}
	// Applying the same ops again changes nothing.
	res, err = dst.ApplyOps(allOps(t, src))
	mustOK(t, err)
	if res.Applied != 0 {
		t.Fatalf("second apply changed %d fields", res.Applied)
	}
}

// twoDevicesWithACustomer returns two databases that both hold customer c,
// created on a, and how many ops a's log holds.
func twoDevicesWithACustomer(t *testing.T) (a, b *DB, c *model.Customer, base int) {
	t.Helper()
	a, b = openTest(t), openTest(t)
	c = newCustomer("Reto", "Brändli", "")
	mustOK(t, a.CreateCustomer(c))
	_, err := b.ApplyOps(allOps(t, a))
	mustOK(t, err)
	return a, b, c, len(allOps(t, a))
}

func TestApplyIsCommutativeAndKeepsConflicts(t *testing.T) {
	// Two devices start from the same customer and edit it concurrently.
	a, b, c, base := twoDevicesWithACustomer(t)

	ca, _ := a.Customer(c.ID)
	ca.Memo = "von A"
	ca.Segment = model.SegmentKey
	mustOK(t, a.UpdateCustomer(ca))
	cb, _ := b.Customer(c.ID)
	cb.Memo = "von B"
	cb.RhythmDays = 60
	mustOK(t, b.UpdateCustomer(cb))
	mustOK(t, b.AddNote(&model.Note{CustomerID: c.ID, Kind: model.NoteFair, Text: "Messegespräch"}))

	opsA, opsB := allOps(t, a)[base:], allOps(t, b)[base:]
	resA, err := a.ApplyOps(opsB)
	mustOK(t, err)
	resB, err := b.ApplyOps(opsA)
	mustOK(t, err)
	mustCheck(t, a)
	mustCheck(t, b)
	if got, want := dump(t, a), dump(t, b); got != want {
		t.Fatalf("devices diverged:\nA: %s\nB: %s", got, want)
	}
	got, _ := a.Customer(c.ID)
	if got.Segment != model.SegmentKey || got.RhythmDays != 60 {
		t.Fatalf("edits of different fields must both survive: %+v", got)
	}
	if resA.Conflicts+resB.Conflicts == 0 {
		t.Fatalf("concurrent memo edits must leave a conflict")
	}
	for _, db := range []*DB{a, b} {
		cs, err := db.Conflicts()
		mustOK(t, err)
		if len(cs) != 1 || cs[0].Field != "memo" {
			t.Fatalf("conflicts: %+v", cs)
		}
		kept, lost := string(cs[0].Kept), string(cs[0].Lost)
		if !(kept == `"von A"` && lost == `"von B"` || kept == `"von B"` && lost == `"von A"`) {
			t.Fatalf("conflict keeps %s and %s", kept, lost)
		}
		mustOK(t, db.DismissConflict(cs[0]))
		if cs, _ := db.Conflicts(); len(cs) != 0 {
			t.Fatalf("dismissed conflict still listed")
		}
	}
}

func TestApplyInAnyOrderConverges(t *testing.T) {
	const devices = 3
	dbs := make([]*DB, devices)
	for i := range dbs {
		dbs[i] = openTest(t)
	}
	// Shared start.
	mutate(t, dbs[0], rand.New(rand.NewSource(7)), 60)
	start := allOps(t, dbs[0])
	for _, db := range dbs[1:] {
		_, err := db.ApplyOps(start)
		mustOK(t, err)
	}
	// Concurrent work on every device.
	var fresh [][]model.Op
	for i, db := range dbs {
		before := len(allOps(t, db))
		editExisting(t, db, rand.New(rand.NewSource(int64(100+i))), 80)
		fresh = append(fresh, allOps(t, db)[before:])
	}
	// Every device receives everybody's ops, in a different order, some twice.
	for i, db := range dbs {
		rng := rand.New(rand.NewSource(int64(i)))
		order := rng.Perm(devices)
		for _, j := range order {
			if j == i {
				continue
			}
			ops := fresh[j]
			if rng.Intn(2) == 0 && len(ops) > 2 {
				_, err := db.ApplyOps(ops[:len(ops)/2]) // interrupted, then complete
				mustOK(t, err)
			}
			_, err := db.ApplyOps(ops)
			mustOK(t, err)
		}
	}
	want := dump(t, dbs[0])
	for i, db := range dbs[1:] {
		mustCheck(t, db)
		if got := dump(t, db); got != want {
			t.Fatalf("device %d diverged from device 0", i+1)
		}
	}
}

// editExisting edits records that exist on all devices.
func editExisting(tb testing.TB, db *DB, rng *rand.Rand, steps int) {
	tb.Helper()
	ids := db.Directory().Search(model.Query{})
	for i := 0; i < steps && len(ids) > 0; i++ {
		id := ids[rng.Intn(len(ids))].ID
		switch rng.Intn(6) {
		case 4:
			other := ids[rng.Intn(len(ids))].ID
			db.MergeCustomers(id, other) // fails harmlessly on itself or a merged one
		case 5:
			if ms, _ := db.Merges(); len(ms) > 0 {
				db.UndoMerge(ms[rng.Intn(len(ms))].Duplicate)
			}
		case 0:
			c, err := db.Customer(id)
			if err != nil {
				continue
			}
			c.Memo = fmt.Sprintf("memo %d", rng.Intn(1000))
			c.Tags = []string{fmt.Sprintf("t%d", rng.Intn(3))}
			mustOK(tb, db.UpdateCustomer(c))
		case 1:
			db.AddNote(&model.Note{CustomerID: id, Kind: model.NoteCall, Text: fmt.Sprintf("Anruf %d", i)})
		case 2:
			db.DeleteCustomer(id)
		default:
			db.RestoreCustomer(id)
		}
	}
}

func TestApplyRejectsBadOps(t *testing.T) {
	db := openTest(t)
	good := model.Op{Type: model.TypeCustomer, ID: model.NewID(), Field: "memo", Value: []byte(`"x"`), HLC: 1 << 20, Device: "d"}
	tests := []struct {
		name string
		mod  func(*model.Op)
	}{
		{"unknown type", func(o *model.Op) { o.Type = "invoice" }},
		{"no id", func(o *model.Op) { o.ID = model.NilID }},
		{"meta field", func(o *model.Op) { o.Field = "updated" }},
		{"no stamp", func(o *model.Op) { o.HLC = 0 }},
		{"bad json", func(o *model.Op) { o.Value = []byte(`{`) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := good
			tt.mod(&op)
			before := dump(t, db)
			if _, err := db.ApplyOps([]model.Op{good, op}); model.ErrorCode(err) != model.EINVALID {
				t.Fatalf("got %v, want EINVALID", err)
			}
			if dump(t, db) != before {
				t.Fatalf("a rejected batch changed the database")
			}
		})
	}
}

func TestEncodeOpMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		op   model.Op
	}{
		{"field", model.Op{Type: model.TypeCustomer, ID: model.NewID(), Field: "memo", Value: []byte(`"Grüße \"Käthi\"\n"`), HLC: 123456789, Device: "dev-1", Author: "Anna Müller", Prev: 42}},
		{"all", model.Op{Type: model.TypeNote, ID: model.NewID(), Field: model.FieldAll, Value: []byte(`{"text":"x","kind":"call"}`), HLC: 1, Device: "d"}},
		{"odd author", model.Op{Type: model.TypeEvent, ID: model.NewID(), Field: "name", Value: []byte(`null`), HLC: 7, Device: "d", Author: "<&>\u2028"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := json.Marshal(&tt.op)
			mustOK(t, err)
			if got := encodeOp(&tt.op); string(got) != string(want) {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestAppendClocksMatchesEncodingJSON(t *testing.T) {
	base := &fieldClock{HLC: 99, Device: "0193a4b2-7c1d-7e00-8000-0000000000be", Author: "Lea Brunner"}
	tests := []struct {
		name string
		c    clocks
	}{
		{"empty", clocks{}},
		{"empty fields map", clocks{Fields: map[string]fieldClock{}}},
		{"base only", clocks{Base: base}},
		{"base without author", clocks{Base: &fieldClock{HLC: 1, Device: "d"}}},
		{"fields only", clocks{Fields: map[string]fieldClock{"memo": {HLC: 5, Device: "d", Prev: 3}, "family_name": {}}}},
		{"base and fields", clocks{Base: base, Fields: map[string]fieldClock{
			"tags": {HLC: 1 << 62, Device: "d2", Author: "Käthi <&> \"Q\"\n", Prev: 1<<63 + 5},
			"a":    {HLC: 2, Device: "\xff", Author: "\u2028"},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := json.Marshal(tt.c)
			mustOK(t, err)
			if got := appendClocks(nil, &tt.c); string(got) != string(want) {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestEditArrivingBeforeCreationStaysHidden(t *testing.T) {
	a, b, c := openTest(t), openTest(t), openTest(t)
	cust := newCustomer("Reto", "Brändli", "")
	mustOK(t, a.CreateCustomer(cust))
	create := allOps(t, a)
	_, err := b.ApplyOps(create)
	mustOK(t, err)
	onB, _ := b.Customer(cust.ID)
	onB.Memo = "von B"
	mustOK(t, b.UpdateCustomer(onB))
	edit := allOps(t, b)[len(create):]

	// C hears of B's edit before A's creation.
	_, err = c.ApplyOps(edit)
	mustOK(t, err)
	mustCheck(t, c)
	if _, err := c.Customer(cust.ID); model.ErrorCode(err) != model.ENOTFOUND {
		t.Fatalf("a customer without its creation: got %v, want ENOTFOUND", err)
	}
	if c.Directory().Len() != 0 {
		t.Fatalf("an incomplete customer reached the directory")
	}
	_, err = c.ApplyOps(create)
	mustOK(t, err)
	mustCheck(t, c)
	got, err := c.Customer(cust.ID)
	mustOK(t, err)
	if got.FamilyName != "Brändli" || got.Memo != "von B" {
		t.Fatalf("after the creation arrived: %+v", got)
	}
	if dump(t, c) != dump(t, b) {
		t.Fatalf("C differs from B")
	}
}

// A record merged ahead of its transaction (see prepare) and changed by a
// local save before the transaction runs is merged again from what is
// stored then: the local edit survives and both devices still converge.
func TestApplyMergesAgainAfterALocalSaveInBetween(t *testing.T) {
	a, b, c, base := twoDevicesWithACustomer(t)

	ca, _ := a.Customer(c.ID)
	ca.Memo, ca.Segment = "von A", model.SegmentKey
	mustOK(t, a.UpdateCustomer(ca))
	opsA := allOps(t, a)[base:]

	recs, err := b.prepare([][]model.Op{opsA}, b.currentSettings().Region)
	mustOK(t, err)
	baseB := len(allOps(t, b))
	cb, _ := b.Customer(c.ID)
	cb.Memo, cb.RhythmDays = "von B", 60
	mustOK(t, b.UpdateCustomer(cb)) // lands between merge and write
	var res model.ApplyResult
	mustOK(t, b.update(func(w *writer) error { return w.applyMerged(recs[0], &res) }))
	mustCheck(t, b)
	got, _ := b.Customer(c.ID)
	if got.Segment != model.SegmentKey || got.RhythmDays != 60 {
		t.Fatalf("both edits must survive: %+v", got)
	}
	if res.Conflicts != 1 {
		t.Fatalf("the concurrent memo edits must leave a conflict, got %+v", res)
	}
	_, err = a.ApplyOps(allOps(t, b)[baseB:])
	mustOK(t, err)
	if got, want := dump(t, a), dump(t, b); got != want {
		t.Fatalf("devices diverged:\nA: %s\nB: %s", got, want)
	}
}

// A large batch is checked by several workers; the error still names the
// first bad op, and nothing of the batch is written.
func TestApplyRejectsTheFirstBadOpOfALargeBatch(t *testing.T) {
	db := openTest(t)
	ops := make([]model.Op, 10_000)
	for i := range ops {
		ops[i] = model.Op{Type: model.TypeCustomer, ID: model.NewID(), Field: "memo", Value: []byte(`"x"`), HLC: model.HLC(1<<20 + i), Device: "d"}
	}
	ops[7000].Field = "updated"   // in the second worker's half
	ops[9000].Value = []byte(`{`) // later still
	before := dump(t, db)
	_, err := db.ApplyOps(ops)
	if model.ErrorCode(err) != model.EINVALID || !strings.Contains(err.Error(), `"updated"`) {
		t.Fatalf("got %v, want EINVALID for the invalid field of op 7000", err)
	}
	ops[2000].Type = "invoice" // now the first bad op is in the first half
	if _, err := db.ApplyOps(ops); model.ErrorCode(err) != model.EINVALID || !strings.Contains(err.Error(), "invoice") {
		t.Fatalf("got %v, want EINVALID for the unknown type of op 2000", err)
	}
	if dump(t, db) != before {
		t.Fatalf("a rejected batch changed the database")
	}
}

// flushIndex sorts the held-back writes by bucket and key and applies only
// the last write of each key, into the right bucket.
func TestFlushIndexAppliesTheLastWriteOfEachKey(t *testing.T) {
	db := openTest(t)
	errRollback := errors.New("roll back")
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		w := newWriter(db, tx)
		w.queueIndex = true
		for _, x := range []struct {
			bucket []byte
			key    string
			del    bool
		}{
			{idxNoteKind, "b1", false},
			{idxNoteCust, "a2", false},
			{idxNoteKind, "b1", false}, // twice: the first is skipped, the second goes to its own bucket
			{idxNoteKind, "b2", false},
			{idxNoteCust, "a1", false},
			{idxNoteKind, "b2", true}, // put, then deleted
			{idxNoteCust, "a2", true},
			{idxNoteCust, "a2", false}, // deleted, then put again
			{idxNoteKind, "b3", true},  // never there
		} {
			w.queue(ikey{x.bucket, []byte(x.key)}, x.del)
		}
		if err := w.flushIndex(); err != nil {
			return err
		}
		keys := func(b []byte) (out []string) {
			tx.Bucket(bucketIdx).Bucket(b).ForEach(func(k, _ []byte) error {
				out = append(out, string(k))
				return nil
			})
			return out
		}
		if got := keys(idxNoteCust); !slices.Equal(got, []string{"a1", "a2"}) {
			t.Errorf("by customer: %q, want a1 a2", got)
		}
		if got := keys(idxNoteKind); !slices.Equal(got, []string{"b1"}) {
			t.Errorf("by kind: %q, want b1", got)
		}
		return errRollback // the entries point at no notes
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}

// ApplyOps updates the directory after each chunk while the next one is
// written; a chunk still takes its customers' stats from the directory as
// the chunk before left it, and subscribers hear of a chunk only once the
// directory shows it.
func TestApplyChunksSeeTheDirectoryOfTheChunkBefore(t *testing.T) {
	db := openTest(t)
	c := newCustomer("Jürg", "Brändli", "")
	mustOK(t, db.CreateCustomer(c))
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	n := applyChunk + applyChunk/5 // two chunks with notes of one customer
	ops := make([]model.Op, n)
	for i := range ops {
		at := start.Add(time.Duration(i) * time.Minute)
		note := model.Note{Meta: model.Meta{ID: model.NewID(), Created: at}, CustomerID: c.ID, At: at,
			Kind: model.NoteCall, Impression: model.Positive, Text: fmt.Sprintf("Anruf %d", i)}
		v, err := json.Marshal(&note)
		mustOK(t, err)
		ops[i] = model.Op{Type: model.TypeNote, ID: note.ID, Field: model.FieldAll, Value: v,
			HLC: model.MakeHLC(at.UnixMilli(), 0), Device: "0193a4b2-7c1d-7e00-8000-0000000000be"}
	}
	testHookLateDirectory = func() { time.Sleep(50 * time.Millisecond) }
	defer func() { testHookLateDirectory = nil }()
	var notified []int
	cancel := db.Subscribe(func(ch []model.Change) {
		s, _ := db.Directory().Summary(c.ID)
		notified = append(notified, s.Stats.Notes)
	})
	defer cancel()
	res, err := db.ApplyOps(ops)
	mustOK(t, err)
	if res.Applied != n {
		t.Fatalf("applied %d of %d", res.Applied, n)
	}
	if s, _ := db.Directory().Summary(c.ID); s.Stats.Notes != n {
		t.Fatalf("directory after ApplyOps: %d notes, want %d", s.Stats.Notes, n)
	}
	if !slices.Equal(notified, []int{applyChunk, n}) {
		t.Fatalf("subscribers saw %v notes after each chunk, want [%d %d]", notified, applyChunk, n)
	}
	mustCheck(t, db)
}

// groupByRecord gives the same groups in the same order as grouping with a
// map and sorting the groups by their first op's type rank and ID.
func TestGroupByRecordMatchesTheSimpleGrouping(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	types := []model.RecordType{model.TypeNote, model.TypeCustomer, model.TypeFollowUp, model.TypeEvent, model.TypeGesture}
	ids := make([]model.ID, 300)
	for i := range ids {
		ids[i] = model.NewID()
	}
	ops := make([]model.Op, 5000)
	for i := range ops {
		ops[i] = model.Op{Type: types[rng.Intn(len(types))], ID: ids[rng.Intn(len(ids))], Field: fmt.Sprint(i), HLC: model.HLC(i + 1)}
	}
	groups := map[model.ID]int{}
	var want [][]model.Op
	for _, op := range ops {
		g, ok := groups[op.ID]
		if !ok {
			g = len(want)
			groups[op.ID] = g
			want = append(want, nil)
		}
		want[g] = append(want[g], op)
	}
	slices.SortFunc(want, func(a, b []model.Op) int {
		if ra, rb := applyRank(a[0].Type), applyRank(b[0].Type); ra != rb {
			return ra - rb
		}
		return bytes.Compare(a[0].ID[:], b[0].ID[:])
	})
	got := groupByRecord(ops)
	if len(got) != len(want) {
		t.Fatalf("%d groups, want %d", len(got), len(want))
	}
	for g := range want {
		if !slices.EqualFunc(got[g], want[g], func(a, b model.Op) bool { return a.Field == b.Field }) {
			t.Fatalf("group %d: %v, want %v", g, got[g], want[g])
		}
	}
}
