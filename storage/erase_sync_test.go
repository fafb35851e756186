package storage

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestErasureSyncsInAnyOrder erases on device A while device B, offline,
// edits the customer and adds a note and a follow-up. Devices that get
// the erasure before the offline edits, after them, or in one batch with
// them all end with the same records, none of the person's data, and a
// file without it.
func TestErasureSyncsInAnyOrder(t *testing.T) {
	dir := t.TempDir()
	paths := map[string]string{}
	open := func(name string) *DB {
		paths[name] = filepath.Join(dir, name+".db")
		db, err := Open(paths[name], Options{Now: newTestClock().Now})
		mustOK(t, err)
		t.Cleanup(func() { db.Close() }) // the test closes some itself; a second Close does nothing
		return db
	}
	a, b := open("a"), open("b")
	p := addPerson(t, a)
	_, err := b.ApplyOps(allOps(t, a))
	mustOK(t, err)

	cb, err := b.Customer(p.c.ID)
	mustOK(t, err)
	cb.Memo = "Offline-Memo Rhabarberkuchen"
	mustOK(t, b.UpdateCustomer(cb))
	mustOK(t, b.AddNote(&model.Note{CustomerID: p.c.ID, Kind: model.NoteCall, Text: "Offline-Notiz Zitronenmelisse"}))
	mustOK(t, b.CreateFollowUp(&model.FollowUp{CustomerID: p.c.ID, Due: a.now().Add(72e11), Title: "Offline-Rückruf Johannisbeere"}))
	p.secrets = append(p.secrets, "Rhabarberkuchen", "Zitronenmelisse", "Johannisbeere")
	offline := allOps(t, b)

	_, err = a.Erase(p.c.ID)
	mustOK(t, err)
	erasure := allOps(t, a)

	// A gets B's offline work after its erasure; B gets the erasure after its work.
	_, err = a.ApplyOps(offline)
	mustOK(t, err)
	_, err = b.ApplyOps(erasure)
	mustOK(t, err)
	// C gets the offline work first, D the erasure first, E both at once.
	c, d, e := open("c"), open("d"), open("e")
	for _, step := range []struct {
		db  *DB
		ops [][]model.Op
	}{{c, [][]model.Op{offline, erasure}}, {d, [][]model.Op{erasure, offline}}, {e, [][]model.Op{append(append([]model.Op(nil), offline...), erasure...)}}} {
		for _, ops := range step.ops {
			_, err := step.db.ApplyOps(ops)
			mustOK(t, err)
		}
	}
	// And the logs once more, in both directions: nothing comes back.
	_, err = a.ApplyOps(allOps(t, b))
	mustOK(t, err)
	_, err = b.ApplyOps(allOps(t, a))
	mustOK(t, err)

	assertConverged(t, a, map[string]*DB{"b": b, "c": c, "d": d, "e": e}, p)
	for name, db := range map[string]*DB{"a": a, "b": b, "c": c} {
		mustCheck(t, db)
		mustOK(t, db.Close())
		if got := fileFinds(t, paths[name], p); len(got) > 0 {
			t.Errorf("device %s: file holds %v, want none", name, got)
		}
		if got := fileFinds(t, paths[name]+".directory", p); len(got) > 0 {
			t.Errorf("device %s: directory snapshot holds %v, want none", name, got)
		}
	}
}

// assertConverged checks that every device in others holds what a holds,
// has erased p (the erasure made on a), and keeps none of p's data in its log.
func assertConverged(t *testing.T, a *DB, others map[string]*DB, p person) {
	t.Helper()
	want := dump(t, a)
	for name, db := range others {
		mustCheck(t, db)
		if got := dump(t, db); got != want {
			t.Errorf("device %s diverged from A:\n%s\nwant:\n%s", name, got, want)
		}
		if _, err := db.Customer(p.c.ID); model.ErrorCode(err) != model.ENOTFOUND {
			t.Errorf("device %s: customer after erasure: got %v, want %s", name, err, model.ENOTFOUND)
		}
		list, err := db.Erasures()
		mustOK(t, err)
		if len(list) != 1 || list[0].ID != p.c.ID || list[0].Device != a.DeviceID() {
			t.Errorf("device %s: erasures %+v, want the one of device A", name, list)
		}
		for _, op := range allOps(t, db) {
			for _, s := range p.secrets {
				if containsFold(string(op.Value), s) {
					t.Errorf("device %s: log op %s.%s holds %q", name, op.Type, op.Field, s)
				}
			}
		}
	}
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// TestErasureOfACustomerMergedElsewhereOffline: device B merged the
// customer into another one before it learned that A erased it. Both end
// alike and consistent; the survivor loses the erased customer's notes.
func TestErasureOfACustomerMergedElsewhereOffline(t *testing.T) {
	a, b := openTest(t), openTest(t)
	x := newCustomer("Xaver", "Zwetschgenbaum", "")
	mustOK(t, a.CreateCustomer(x))
	mustOK(t, a.AddNote(&model.Note{CustomerID: x.ID, Kind: model.NoteVisit, Text: "Notiz Quittengelee"}))
	s := newCustomer("Silvia", "Stamm", "")
	mustOK(t, a.CreateCustomer(s))
	_, err := b.ApplyOps(allOps(t, a))
	mustOK(t, err)
	mustOK(t, b.MergeCustomers(s.ID, x.ID))
	_, err = a.Erase(x.ID)
	mustOK(t, err)
	_, err = a.ApplyOps(allOps(t, b))
	mustOK(t, err)
	_, err = b.ApplyOps(allOps(t, a))
	mustOK(t, err)
	mustCheck(t, a)
	mustCheck(t, b)
	if got, want := dump(t, b), dump(t, a); got != want {
		t.Errorf("devices diverged:\nB: %s\nA: %s", got, want)
	}
	for _, db := range []*DB{a, b} {
		tl, err := db.Timeline(s.ID)
		mustOK(t, err)
		if len(tl.Notes) != 0 || len(tl.Merged) != 0 {
			t.Errorf("survivor: got %d notes and %d merged, want none of the erased customer", len(tl.Notes), len(tl.Merged))
		}
	}
}
