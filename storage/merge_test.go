package storage

import (
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// twins creates two customers that share an email: Anna (older, with a
// note) and her duplicate captured at a fair (a phone, a note, a follow-up
// and a gesture).
func twins(t *testing.T, db *DB) (anna, dup *model.Customer) {
	t.Helper()
	anna = newCustomer("Anna", "Müller", "Beck AG")
	anna.Emails = []model.Email{{Label: model.LabelWork, Address: "anna@beck.ch"}}
	mustOK(t, db.CreateCustomer(anna))
	mustOK(t, db.AddNote(&model.Note{CustomerID: anna.ID, At: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), Kind: model.NoteVisit, Text: "Besuch"}))
	dup = newCustomer("Anna", "Mueller", "")
	dup.Emails = []model.Email{{Address: "ANNA@beck.ch"}}
	dup.Phones = []model.Phone{{Label: model.LabelMobile, Number: "079 123 45 67"}}
	dup.Tags = []string{"Messe Basel 2026"}
	mustOK(t, db.CreateCustomer(dup))
	mustOK(t, db.AddNote(&model.Note{CustomerID: dup.ID, At: time.Date(2026, 10, 5, 15, 0, 0, 0, time.UTC), Kind: model.NoteFair, Text: "Interesse an Abo"}))
	mustOK(t, db.CreateFollowUp(&model.FollowUp{CustomerID: dup.ID, Due: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Title: "Offerte nachfassen", TZ: "Europe/Zurich"}))
	mustOK(t, db.CreateGesture(&model.Gesture{CustomerID: dup.ID, Kind: model.GestureGift, Title: "Messe-Geschenk", Status: model.GestureOffered}))
	return anna, dup
}

func TestDuplicatesListsSharedEmailPhoneAndName(t *testing.T) {
	db := openTest(t)
	anna, dup := twins(t, db)
	// Same phone written differently, and a Meyer/Meier pair at one company.
	p1 := newCustomer("Peter", "Graf", "")
	p1.Phones = []model.Phone{{Number: "+41 79 555 66 77"}}
	p2 := newCustomer("Pete", "Graf", "")
	p2.Phones = []model.Phone{{Number: "079 555 66 77"}}
	m1, m2 := newCustomer("Hans", "Meier", "Huber AG"), newCustomer("Hans", "Meyer", "huber ag")
	other := newCustomer("Hans", "Meier", "Keller GmbH") // same name, other company: not listed
	for _, c := range []*model.Customer{p1, p2, m1, m2, other} {
		mustOK(t, db.CreateCustomer(c))
	}
	got, more, err := db.Duplicates(0)
	mustOK(t, err)
	want := []model.Duplicate{
		{A: anna.ID, B: dup.ID, Reason: model.DupEmail, Value: "anna@beck.ch"},
		{A: p1.ID, B: p2.ID, Reason: model.DupPhone, Value: "+41795556677"},
		{A: m1.ID, B: m2.ID, Reason: model.DupSimilarName},
	}
	if more || len(got) != len(want) {
		t.Fatalf("got %d pairs (more %v), want %d: %+v", len(got), more, len(want), got)
	}
	for i := range want {
		g := got[i]
		if g.A != want[i].A || g.B != want[i].B || g.Reason != want[i].Reason || (want[i].Value != "" && g.Value != want[i].Value) {
			t.Errorf("pair %d: got %+v, want %+v", i, g, want[i])
		}
	}
	if got, more, _ := db.Duplicates(2); len(got) != 2 || !more {
		t.Errorf("limit 2: got %d pairs, more %v; want 2 and more", len(got), more)
	}

	mustOK(t, db.NotDuplicates(p1.ID, p2.ID))
	got, _, _ = db.Duplicates(0)
	for _, g := range got {
		if g.Reason == model.DupPhone {
			t.Errorf("dismissed pair still listed: %+v", g)
		}
	}
}

func TestMergeMovesHistoryAndUndoBringsItBack(t *testing.T) {
	db := openTest(t)
	anna, dup := twins(t, db)
	before, err := db.Timeline(anna.ID)
	mustOK(t, err)

	mustOK(t, db.MergeCustomers(anna.ID, dup.ID))
	mustCheck(t, db)
	if _, ok := db.Directory().Summary(dup.ID); ok {
		t.Error("the merged customer is still in the directory")
	}
	if hits := db.Directory().Search(model.Query{Text: "mueller"}); len(hits) != 1 || hits[0].ID != anna.ID {
		t.Errorf("search after merge: got %d hits, want only the survivor", len(hits))
	}
	tl, err := db.Timeline(anna.ID)
	mustOK(t, err)
	if len(tl.Notes) != 2 || len(tl.FollowUps) != 1 || len(tl.Gestures) != 1 {
		t.Fatalf("survivor's timeline: %d notes, %d follow-ups, %d gestures; want 2, 1, 1", len(tl.Notes), len(tl.FollowUps), len(tl.Gestures))
	}
	if len(tl.Merged) != 1 || tl.Merged[0].Duplicate != dup.ID || tl.Merged[0].DuplicateName != "Anna Mueller" {
		t.Errorf("survivor's timeline lists merges %+v, want the duplicate", tl.Merged)
	}
	for _, n := range tl.Notes {
		if n.CustomerID != anna.ID {
			t.Errorf("note %q reads as customer %s, want the survivor", n.Text, n.CustomerID)
		}
	}
	if !tl.Stats.LastContact.Equal(time.Date(2026, 10, 5, 15, 0, 0, 0, time.UTC)) || tl.Stats.Notes != 2 {
		t.Errorf("survivor's stats: last contact %v, notes %d; want the fair note and 2", tl.Stats.LastContact, tl.Stats.Notes)
	}
	if s, _ := db.Directory().Summary(anna.ID); s.Notes != 2 {
		t.Errorf("directory stats of the survivor: %d notes, want 2", s.Notes)
	}
	c := tl.Customer
	if len(c.Emails) != 1 || len(c.Phones) != 1 || !c.HasTag("Messe Basel 2026") {
		t.Errorf("survivor's contact data: emails %v phones %v tags %v; want the duplicate's phone and tag added", c.Emails, c.Phones, c.Tags)
	}
	// A link to the duplicate opens the survivor; lists show the survivor.
	if got, err := db.Customer(dup.ID); err != nil || got.ID != anna.ID {
		t.Errorf("Customer(duplicate): got %v, %v; want the survivor", got, err)
	}
	fus, _ := db.FollowUps(model.FollowUpFilter{Statuses: []model.FollowUpStatus{model.FollowUpOpen}})
	if len(fus) != 1 || fus[0].CustomerID != anna.ID {
		t.Errorf("open follow-ups after merge: %+v, want one of the survivor", fus)
	}
	// Editing a moved follow-up keeps it with the duplicate's ID, so an undo finds it.
	fus[0].Title = "Offerte nachfassen (dringend)"
	mustOK(t, db.UpdateFollowUp(&fus[0]))
	if dup.ID == anna.ID || db.MergeCustomers(dup.ID, anna.ID) == nil {
		t.Error("merging into a merged customer: got no error")
	}
	if ms, _ := db.Merges(); len(ms) != 1 || ms[0].Duplicate != dup.ID || ms[0].Survivor != anna.ID || ms[0].SurvivorName != "Anna Müller" {
		t.Errorf("merges: got %+v", ms)
	}
	if got, _, _ := db.Duplicates(0); len(got) != 0 {
		t.Errorf("duplicates after the merge: %+v, want none", got)
	}

	kept, err := db.UndoMerge(dup.ID)
	mustOK(t, err)
	mustCheck(t, db)
	if len(kept) != 0 {
		t.Errorf("undo kept fields %v, want none", kept)
	}
	after, err := db.Timeline(anna.ID)
	mustOK(t, err)
	if !reflect.DeepEqual(after.Customer.Phones, before.Customer.Phones) || !reflect.DeepEqual(after.Customer.Tags, before.Customer.Tags) || len(after.Notes) != 1 {
		t.Errorf("survivor after undo: phones %v tags %v notes %d; want as before the merge", after.Customer.Phones, after.Customer.Tags, len(after.Notes))
	}
	back, err := db.Timeline(dup.ID)
	mustOK(t, err)
	if len(back.Notes) != 1 || len(back.FollowUps) != 1 || len(back.Gestures) != 1 || back.FollowUps[0].Title != "Offerte nachfassen (dringend)" {
		t.Errorf("duplicate after undo: %d notes, %d follow-ups, %d gestures", len(back.Notes), len(back.FollowUps), len(back.Gestures))
	}
	if _, err := db.UndoMerge(dup.ID); model.ErrorCode(err) != model.ENOTFOUND {
		t.Errorf("second undo: got %v, want ENOTFOUND", err)
	}
}

func TestUndoMergeKeepsLaterEdits(t *testing.T) {
	db := openTest(t)
	anna, dup := twins(t, db)
	mustOK(t, db.MergeCustomers(anna.ID, dup.ID))
	c, err := db.Customer(anna.ID)
	mustOK(t, err)
	c.Phones = append(c.Phones, model.Phone{Label: model.LabelWork, Number: "061 222 33 44"})
	mustOK(t, db.UpdateCustomer(c))
	kept, err := db.UndoMerge(dup.ID)
	mustOK(t, err)
	if !reflect.DeepEqual(kept, []string{"phones"}) {
		t.Errorf("kept: got %v, want [phones]", kept)
	}
	c, _ = db.Customer(anna.ID)
	if len(c.Phones) != 2 || c.HasTag("Messe Basel 2026") {
		t.Errorf("survivor after undo: phones %v tags %v; want the edited phones kept and the merged tag gone", c.Phones, c.Tags)
	}
}

// TestMergeSyncsAndNothingComesBack: the owner merges a duplicate while a
// fair laptop, offline, adds a note to it and edits it. Whatever order the
// ops arrive in, both devices end identical, the duplicate stays hidden and
// the laptop's note shows under the survivor; an undo on the laptop brings
// everything back on both.
func TestMergeSyncsAndNothingComesBack(t *testing.T) {
	office, laptop := openTest(t), openTest(t)
	anna, dup := twins(t, office)
	_, err := laptop.ApplyOps(allOps(t, office))
	mustOK(t, err)
	mark := func(db *DB) int { return len(allOps(t, db)) }
	o0, l0 := mark(office), mark(laptop)

	mustOK(t, office.MergeCustomers(anna.ID, dup.ID))
	late := &model.Note{CustomerID: dup.ID, At: time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC), Kind: model.NoteCall, Text: "Rückruf wegen Abo"}
	mustOK(t, laptop.AddNote(late))
	c, err := laptop.Customer(dup.ID)
	mustOK(t, err)
	c.Memo = "am Stand 4 gesprochen"
	mustOK(t, laptop.UpdateCustomer(c))

	fromOffice, fromLaptop := allOps(t, office)[o0:], allOps(t, laptop)[l0:]
	_, err = laptop.ApplyOps(fromOffice)
	mustOK(t, err)
	_, err = office.ApplyOps(fromLaptop)
	mustOK(t, err)
	_, err = office.ApplyOps(fromLaptop) // again: nothing changes
	mustOK(t, err)

	for _, db := range []*DB{office, laptop} {
		mustCheck(t, db)
		if _, ok := db.Directory().Summary(dup.ID); ok {
			t.Errorf("device %s lists the merged duplicate again", db.DeviceID())
		}
		tl, err := db.Timeline(anna.ID)
		mustOK(t, err)
		found := false
		for _, n := range tl.Notes {
			found = found || n.ID == late.ID
		}
		if !found || len(tl.Notes) != 3 {
			t.Errorf("device %s: survivor has %d notes, late note present %v; want 3 and true", db.DeviceID(), len(tl.Notes), found)
		}
	}
	if dump(t, office) != dump(t, laptop) {
		t.Fatal("devices diverged after the merge")
	}

	l1, o1 := mark(laptop), mark(office)
	_, err = laptop.UndoMerge(dup.ID)
	mustOK(t, err)
	_, err = office.ApplyOps(allOps(t, laptop)[l1:])
	mustOK(t, err)
	_ = o1
	mustCheck(t, office)
	tl, err := office.Timeline(dup.ID)
	mustOK(t, err)
	if tl.Customer.ID != dup.ID || len(tl.Notes) != 2 || tl.Customer.Memo != "am Stand 4 gesprochen" {
		t.Errorf("office after the laptop's undo: customer %s with %d notes, memo %q", tl.Customer.ID, len(tl.Notes), tl.Customer.Memo)
	}
	if dump(t, office) != dump(t, laptop) {
		t.Fatal("devices diverged after the undo")
	}
}

// TestCrossMergeConverges: two devices merge the same pair in opposite
// directions at once. Both end with exactly one of them listed, holding
// all the history.
func TestCrossMergeConverges(t *testing.T) {
	a, b := openTest(t), openTest(t)
	x, y := twins(t, a)
	_, err := b.ApplyOps(allOps(t, a))
	mustOK(t, err)
	na, nb := len(allOps(t, a)), len(allOps(t, b))
	mustOK(t, a.MergeCustomers(x.ID, y.ID))
	mustOK(t, b.MergeCustomers(y.ID, x.ID))
	opsA, opsB := allOps(t, a)[na:], allOps(t, b)[nb:]
	_, err = a.ApplyOps(opsB)
	mustOK(t, err)
	_, err = b.ApplyOps(opsA)
	mustOK(t, err)
	if dump(t, a) != dump(t, b) {
		t.Fatal("devices diverged")
	}
	for _, db := range []*DB{a, b} {
		mustCheck(t, db)
		all := db.Directory().Search(model.Query{})
		if len(all) != 1 {
			t.Fatalf("device %s lists %d customers, want 1", db.DeviceID(), len(all))
		}
		tl, err := db.Timeline(all[0].ID)
		mustOK(t, err)
		if len(tl.Notes) != 2 || len(tl.FollowUps) != 1 || len(tl.Gestures) != 1 {
			t.Errorf("device %s: %d notes, %d follow-ups, %d gestures under the one listed; want 2, 1, 1", db.DeviceID(), len(tl.Notes), len(tl.FollowUps), len(tl.Gestures))
		}
	}
}

// TestNoNoteIsLostByMerges: random notes, merges, undos and deletes on
// three devices, exchanged in random orders. Every note ever written is in
// the timeline of the customer that owns it (unless it or its customer was
// deleted), and all devices hold identical records.
func TestNoNoteIsLostByMerges(t *testing.T) {
	for seed := int64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewSource(seed))
			dbs := []*DB{openTest(t), openTest(t), openTest(t)}
			for i := 0; i < 6; i++ {
				c := newCustomer("Eva", fmt.Sprintf("Kunde%d", i), "")
				mustOK(t, dbs[0].CreateCustomer(c))
			}
			base := allOps(t, dbs[0])
			for _, db := range dbs[1:] {
				_, err := db.ApplyOps(base)
				mustOK(t, err)
			}
			marks := make([]int, len(dbs))
			for i, db := range dbs {
				marks[i] = len(allOps(t, db))
			}
			written := map[model.ID]bool{}
			for i, db := range dbs {
				ids := db.Directory().Search(model.Query{})
				for step := 0; step < 30; step++ {
					id := ids[rng.Intn(len(ids))].ID
					switch rng.Intn(5) {
					case 0, 1:
						n := &model.Note{CustomerID: id, At: time.Date(2026, 5, 1+step, 9, i, 0, 0, time.UTC), Kind: model.NoteCall, Text: "x"}
						if db.AddNote(n) == nil {
							written[n.ID] = true
						}
					case 2, 3:
						db.MergeCustomers(id, ids[rng.Intn(len(ids))].ID)
					default:
						if ms, _ := db.Merges(); len(ms) > 0 {
							db.UndoMerge(ms[rng.Intn(len(ms))].Duplicate)
						}
					}
				}
			}
			fresh := make([][]model.Op, len(dbs))
			for i, db := range dbs {
				fresh[i] = allOps(t, db)[marks[i]:]
			}
			for i, db := range dbs {
				for _, j := range rng.Perm(len(dbs)) {
					if j != i {
						_, err := db.ApplyOps(fresh[j])
						mustOK(t, err)
					}
				}
			}
			want := dump(t, dbs[0])
			for i, db := range dbs {
				mustCheck(t, db)
				if i > 0 && dump(t, db) != want {
					t.Fatalf("device %d diverged", i)
				}
				seen := map[model.ID]bool{}
				listed := db.Directory().Search(model.Query{})
				for _, s := range listed {
					tl, err := db.Timeline(s.ID)
					mustOK(t, err)
					for _, n := range tl.Notes {
						seen[n.ID] = true
					}
				}
				var lost []string
				for id := range written {
					if !seen[id] {
						lost = append(lost, id.String())
					}
				}
				sort.Strings(lost)
				if len(lost) > 0 {
					t.Errorf("device %d: %d of %d notes in no listed timeline: %v", i, len(lost), len(written), lost)
				}
				if len(listed) == 0 {
					t.Errorf("device %d lists no customer", i)
				}
			}
		})
	}
}

func TestDuplicatesByNameAloneNeedTheSameCity(t *testing.T) {
	db := openTest(t)
	at := func(given, family, city string) *model.Customer {
		c := newCustomer(given, family, "")
		if city != "" {
			c.Addresses = []model.Address{{Street: "Dorfstrasse 1", City: city}}
		}
		mustOK(t, db.CreateCustomer(c))
		return c
	}
	bern, biel := at("Urs", "Frei", "Bern"), at("Urs", "Frei", "Biel")
	at("Urs", "Frei", "") // no town: too little to go on
	lead := at("Urs", "Frey", "bern")
	got, _, err := db.Duplicates(0)
	mustOK(t, err)
	pairs := map[[2]model.ID]bool{}
	for _, d := range got {
		pairs[[2]model.ID{d.A, d.B}] = true
	}
	if pairs[[2]model.ID{bern.ID, biel.ID}] {
		t.Error("two Urs Frei in Bern and Biel listed as duplicates")
	}
	if !pairs[[2]model.ID{bern.ID, lead.ID}] {
		t.Errorf("Urs Frey in Bern is not paired with Urs Frei in Bern: %+v", got)
	}
	if len(got) != 1 {
		t.Errorf("got %d pairs, want only the two in Bern: %+v", len(got), got)
	}
}

func TestDuplicatesFoundForSeveralReasonsComeFirst(t *testing.T) {
	db := openTest(t)
	mk := func(given, family, email string) *model.Customer {
		c := newCustomer(given, family, "")
		c.Emails = []model.Email{{Address: email}}
		mustOK(t, db.CreateCustomer(c))
		return c
	}
	// A family sharing an address (found by email only) sorts before the
	// twins by email, but the twins share the name too.
	mk("Andrea", "Bättig", "a.baettig@bluewin.ch")
	mk("Anouk", "Bättig", "a.baettig@bluewin.ch")
	t1 := mk("Ueli", "Zürcher", "ueli@zuercher.ch")
	t2 := mk("Ueli", "Zuercher", "ueli@zuercher.ch")
	got, _, err := db.Duplicates(0)
	mustOK(t, err)
	if len(got) != 2 {
		t.Fatalf("got %d pairs, want 2: %+v", len(got), got)
	}
	if got[0].A != t1.ID || got[0].B != t2.ID || got[0].Reason != model.DupEmail {
		t.Errorf("first pair: got %+v, want the twins by email", got[0])
	}
	if one, more, _ := db.Duplicates(1); len(one) != 1 || !more || one[0].A != t1.ID {
		t.Errorf("limit 1: got %+v (more %v), want the twins and more", one, more)
	}
}
