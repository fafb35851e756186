package replica

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

// teamDevice is one of the team's databases with its syncer on the folder.
type teamDevice struct {
	name string
	db   *storage.DB
	s    *Syncer
}

// team is three real databases sharing one folder target.
type team struct {
	t   *testing.T
	dev []*teamDevice
}

func newTeam(t *testing.T) *team {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "Nextcloud", "Kundenkartei")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := InitWithKDF(ctx, NewFolderTarget(dir), "Messe-Team 2026!", testKDF); err != nil {
		t.Fatal(err)
	}
	tm := &team{t: t}
	for _, name := range []string{"Anna", "Ben", "Cleo"} {
		db := openStore(t, func() time.Time { return time.Now().UTC() }, true)
		set, err := db.Settings()
		if err != nil {
			t.Fatal(err)
		}
		set.UserName = name
		if err := db.SaveSettings(set); err != nil {
			t.Fatal(err)
		}
		key, err := Join(ctx, NewFolderTarget(dir), "Messe-Team 2026!")
		if err != nil {
			t.Fatal(err)
		}
		s := NewSyncer(db, db, NewFolderTarget(dir), key, DBStateStore(db))
		tm.dev = append(tm.dev, &teamDevice{name: name, db: db, s: s})
	}
	return tm
}

// round lets every device sync once, starting with device first.
func (tm *team) round(first int) {
	tm.t.Helper()
	for i := range tm.dev {
		d := tm.dev[(first+i)%len(tm.dev)]
		rep, err := d.s.Sync(context.Background(), nil)
		if err != nil {
			tm.t.Fatalf("%s: sync: %v", d.name, err)
		}
		if len(rep.Problems) > 0 || len(rep.Skipped) > 0 || len(rep.Waiting) > 0 || rep.ClockWarning() || rep.DriftWarning() {
			tm.t.Fatalf("%s: sync report: got %+v, want no problems, waits or clock warnings", d.name, rep)
		}
	}
}

// edit changes one customer on device i through the model service.
func (tm *team) edit(i int, id model.ID, fn func(c *model.Customer)) {
	tm.t.Helper()
	db := tm.dev[i].db
	c, err := db.Customer(id)
	if err != nil {
		tm.t.Fatalf("%s: %v", tm.dev[i].name, err)
	}
	fn(c)
	if err := db.UpdateCustomer(c); err != nil {
		tm.t.Fatalf("%s: update %s: %v", tm.dev[i].name, id, err)
	}
}

// export is every live customer as vCards, in ID order.
func (tm *team) export(i int) []byte {
	tm.t.Helper()
	db := tm.dev[i].db
	var ids []model.ID
	for _, h := range db.Directory().Search(model.Query{}) {
		ids = append(ids, h.ID)
	}
	cs, err := db.Customers(sortedIDs(ids))
	if err != nil {
		tm.t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := vcard.Encode(&buf, cs, db.Photo, vcard.EncodeOptions{Version: vcard.Version40}); err != nil {
		tm.t.Fatal(err)
	}
	return buf.Bytes()
}

// conflicts is device i's conflict list and its JSON form.
func (tm *team) conflicts(i int) ([]model.Conflict, string) {
	tm.t.Helper()
	cs, err := tm.dev[i].db.Conflicts()
	if err != nil {
		tm.t.Fatal(err)
	}
	raw, err := json.Marshal(cs)
	if err != nil {
		tm.t.Fatal(err)
	}
	return cs, string(raw)
}

// converged checks that all three export the same customers and list
// the same conflicts, and returns device 0's conflicts.
func (tm *team) converged(when string) []model.Conflict {
	tm.t.Helper()
	want := tm.export(0)
	cs, wantCs := tm.conflicts(0)
	for i := 1; i < len(tm.dev); i++ {
		if got := tm.export(i); !bytes.Equal(got, want) {
			tm.t.Errorf("%s: %s exports other customers than %s:\n%s", when, tm.dev[i].name, tm.dev[0].name,
				firstDiff(string(got), string(want)))
		}
		if _, got := tm.conflicts(i); got != wantCs {
			tm.t.Errorf("%s: %s lists other conflicts than %s:\n got %s\nwant %s", when, tm.dev[i].name, tm.dev[0].name, got, wantCs)
		}
	}
	return cs
}

// TestTeamOfThreeThroughAFolder is issue 16's story on real databases and
// a real folder: three devices add tags and emails to one customer at
// once, one merges a customer another is editing, one deletes a customer
// another is editing, two set the same field. After syncing all three
// agree byte for byte, every addition is there and every lost edit is a
// conflict on each; restoring the deleted customer on one device brings
// it back with the edit everywhere.
func TestTeamOfThreeThroughAFolder(t *testing.T) {
	tm := newTeam(t)
	anna := tm.dev[0].db
	shared := &model.Customer{GivenName: "Reto", FamilyName: "Brändli", Company: "Holzbau Graf GmbH",
		Position: "Einkauf", Tags: []string{"Stammkunde"}, Emails: []model.Email{{Label: "work", Address: "reto@holzbau-graf.ch"}}}
	survivor := &model.Customer{GivenName: "Monika", FamilyName: "Keller", Company: "Keller Treuhand AG", Memo: "Stammkunde"}
	dup := &model.Customer{GivenName: "Moni", FamilyName: "Keller", Company: "Keller Treuhand"}
	gone := &model.Customer{GivenName: "Urs", FamilyName: "Zbinden", Company: "Zbinden Metall"}
	for _, c := range []*model.Customer{shared, survivor, dup, gone} {
		if err := anna.CreateCustomer(c); err != nil {
			t.Fatal(err)
		}
	}
	tm.round(0)
	tm.round(0)
	if cs := tm.converged("after the first sync"); len(cs) != 0 {
		t.Fatalf("conflicts before any concurrent edit: got %+v, want none", cs)
	}

	// Offline, all at once.
	for i, d := range tm.dev {
		tm.edit(i, shared.ID, func(c *model.Customer) {
			c.Tags = append(c.Tags, "Messe "+d.name)
			c.Emails = append(c.Emails, model.Email{Label: "home", Address: d.name + "@example.ch"})
		})
	}
	tm.edit(0, shared.ID, func(c *model.Customer) { c.Position = "Leiter Einkauf" })
	tm.edit(2, shared.ID, func(c *model.Customer) { c.Position = "Geschäftsführer" })
	if err := anna.MergeCustomers(survivor.ID, dup.ID); err != nil {
		t.Fatal(err)
	}
	tm.edit(1, dup.ID, func(c *model.Customer) { c.Memo = "will Offerte bis Freitag" })
	if err := tm.dev[2].db.DeleteCustomer(gone.ID); err != nil {
		t.Fatal(err)
	}
	tm.edit(0, gone.ID, func(c *model.Customer) { c.Memo = "Rückruf Montag" })

	tm.round(0)
	tm.round(0)
	cs := tm.converged("after two rounds")
	checkTeamAdditions(t, tm, shared.ID)
	deleted := checkTeamConflicts(t, cs, shared.ID, survivor.ID, dup.ID, gone.ID)
	for _, d := range tm.dev {
		if _, err := d.db.Customer(gone.ID); model.ErrorCode(err) != model.ENOTFOUND {
			t.Errorf("%s: deleted customer: got %v, want ENOTFOUND until the conflict is resolved", d.name, err)
		}
	}

	// Ben takes the edit made after the deletion.
	if err := tm.dev[1].db.ResolveConflict(deleted); err != nil {
		t.Fatal(err)
	}
	tm.round(1)
	cs = tm.converged("after Ben restored the customer")
	if slices.ContainsFunc(cs, func(c model.Conflict) bool { return c.ID == gone.ID }) {
		t.Errorf("conflicts after the restore: got %+v, want none of customer %s", cs, gone.ID)
	}
	if len(cs) != 2 {
		t.Errorf("conflicts after the restore: got %d, want the position and the merged memo", len(cs))
	}
	for _, d := range tm.dev {
		c, err := d.db.Customer(gone.ID)
		if err != nil || c.Memo != "Rückruf Montag" {
			t.Errorf("%s: restored customer: got %+v, %v, want it back with Anna's memo", d.name, c, err)
		}
		if err := d.db.Check(); err != nil {
			t.Errorf("%s: %v", d.name, err)
		}
	}
}

// checkTeamAdditions: every device's tag and email is on the customer
// on every device, and so are the ones it had before.
func checkTeamAdditions(t *testing.T, tm *team, id model.ID) {
	t.Helper()
	for _, d := range tm.dev {
		c, err := d.db.Customer(id)
		if err != nil {
			t.Fatal(err)
		}
		wantTags := []string{"Stammkunde"}
		wantMails := []string{"reto@holzbau-graf.ch"}
		for _, o := range tm.dev {
			wantTags = append(wantTags, "Messe "+o.name)
			wantMails = append(wantMails, o.name+"@example.ch")
		}
		if got := slices.Sorted(slices.Values(c.Tags)); !slices.Equal(got, slices.Sorted(slices.Values(wantTags))) {
			t.Errorf("%s: tags: got %q, want %q in any order", d.name, c.Tags, wantTags)
		}
		var mails []string
		for _, e := range c.Emails {
			mails = append(mails, e.Address)
		}
		if got := slices.Sorted(slices.Values(mails)); !slices.Equal(got, slices.Sorted(slices.Values(wantMails))) {
			t.Errorf("%s: emails: got %q, want %q in any order", d.name, mails, wantMails)
		}
	}
}

// checkTeamConflicts: the lost position, the memo written on the merged
// customer and the memo written on the deleted one are listed, and
// nothing else; it returns the deleted one's.
func checkTeamConflicts(t *testing.T, cs []model.Conflict, shared, survivor, dup, gone model.ID) model.Conflict {
	t.Helper()
	find := func(kind model.ConflictKind, id model.ID, field string) (model.Conflict, bool) {
		i := slices.IndexFunc(cs, func(c model.Conflict) bool { return c.Kind == kind && c.ID == id && c.Field == field })
		if i < 0 {
			t.Errorf("conflicts: got %+v, want a %q conflict of %s on customer %s", cs, kind, field, id)
			return model.Conflict{}, false
		}
		return cs[i], true
	}
	if c, ok := find(model.ConflictConcurrent, shared, "position"); ok {
		pair := []string{string(c.Kept), string(c.Lost)}
		slices.Sort(pair)
		if want := []string{`"Geschäftsführer"`, `"Leiter Einkauf"`}; !slices.Equal(pair, want) {
			t.Errorf("position conflict: got kept %s lost %s, want one of %q each", c.Kept, c.Lost, want)
		}
	}
	if c, ok := find(model.ConflictMerged, dup, "memo"); ok {
		if c.Into != survivor || string(c.Lost) != `"will Offerte bis Freitag"` || c.LostBy != "Ben" || c.Name != "Moni Keller" {
			t.Errorf("merged conflict: got into %s, lost %s by %q, name %q, want into %s, Ben's memo, Moni Keller",
				c.Into, c.Lost, c.LostBy, c.Name, survivor)
		}
	}
	deleted, ok := find(model.ConflictDeleted, gone, "memo")
	if ok && (string(deleted.Lost) != `"Rückruf Montag"` || deleted.LostBy != "Anna" || deleted.Name != "Urs Zbinden") {
		t.Errorf("deleted conflict: got lost %s by %q, name %q, want Anna's memo on Urs Zbinden", deleted.Lost, deleted.LostBy, deleted.Name)
	}
	if len(cs) != 3 {
		t.Errorf("conflicts: got %d %+v, want 3 (no conflict for the added tags and emails)", len(cs), cs)
	}
	return deleted
}
