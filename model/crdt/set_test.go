package crdt

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// team returns n devices that all hold one customer created on the first.
func team(t *testing.T, n int, c model.Customer) ([]*simDevice, model.ID) {
	t.Helper()
	wall := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	devs := make([]*simDevice, n)
	for i := range devs {
		devs[i] = &simDevice{name: string(rune('a' + i)), recs: map[model.ID]*Record{},
			clock: model.NewClock(func() time.Time { wall = wall.Add(time.Millisecond); return wall })}
	}
	id := model.NewID()
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	s := devs[0].stamp()
	op := model.Op{Type: model.TypeCustomer, ID: id, Field: model.FieldAll, Value: raw, HLC: s.HLC, Device: s.Device}
	for _, d := range devs {
		d.apply(t, []model.Op{op})
	}
	return devs, id
}

// exchange gives every device the logs of all.
func exchange(t *testing.T, devs []*simDevice) {
	t.Helper()
	var all []model.Op
	for _, d := range devs {
		all = append(all, d.log...)
	}
	for i, d := range devs {
		ops := slices.Clone(all)
		if i%2 == 1 {
			slices.Reverse(ops)
		}
		d.apply(t, ops)
	}
}

func TestSetMerge(t *testing.T) {
	base := model.Customer{GivenName: "Lea", Tags: []string{"VIP"},
		Emails: []model.Email{{Label: "work", Address: "lea@velo.ch"}, {Label: "home", Address: "lea@gmx.ch"}}}
	tests := []struct {
		name      string
		edits     func(t *testing.T, devs []*simDevice, id model.ID)
		tags      []string
		emails    []model.Email
		conflicts int
	}{
		{"concurrent additions on three devices all survive", func(t *testing.T, devs []*simDevice, id model.ID) {
			devs[0].local(t, id, "tags", []string{"VIP", "Messe Basel"})
			devs[1].local(t, id, "tags", []string{"VIP", "Newsletter"})
			devs[2].local(t, id, "tags", []string{"VIP", "Grosskunde"})
		}, []string{"VIP", "Messe Basel", "Newsletter", "Grosskunde"}, nil, 0},
		{"a removal removes only what its device had seen", func(t *testing.T, devs []*simDevice, id model.ID) {
			devs[0].local(t, id, "tags", []string{})               // removes VIP
			devs[1].local(t, id, "tags", []string{"VIP", "Messe"}) // adds Messe unseen by a
		}, []string{"Messe"}, nil, 0},
		{"an element changed on one device survives its concurrent removal", func(t *testing.T, devs []*simDevice, id model.ID) {
			devs[0].local(t, id, "emails", []model.Email{{Label: "home", Address: "lea@gmx.ch"}})
			devs[1].local(t, id, "emails", []model.Email{{Label: "Büro", Address: "lea@velo.ch"}, {Label: "home", Address: "lea@gmx.ch"}})
		}, nil, []model.Email{{Label: "Büro", Address: "lea@velo.ch"}, {Label: "home", Address: "lea@gmx.ch"}}, 0},
		{"concurrent labels: the newest wins in place, the other is a conflict", func(t *testing.T, devs []*simDevice, id model.ID) {
			devs[0].local(t, id, "emails", []model.Email{{Label: "Büro", Address: "lea@velo.ch"}, {Label: "home", Address: "lea@gmx.ch"}})
			devs[1].local(t, id, "emails", []model.Email{{Label: "Arbeit", Address: "LEA@velo.ch"}, {Label: "home", Address: "lea@gmx.ch"}})
		}, nil, []model.Email{{Label: "Arbeit", Address: "LEA@velo.ch"}, {Label: "home", Address: "lea@gmx.ch"}}, 1},
		{"a reorder moves the element on every device", func(t *testing.T, devs []*simDevice, id model.ID) {
			devs[0].local(t, id, "emails", []model.Email{{Label: "home", Address: "lea@gmx.ch"}, {Label: "work", Address: "lea@velo.ch"}})
			devs[1].local(t, id, "emails", []model.Email{{Label: "work", Address: "lea@velo.ch"}, {Label: "home", Address: "lea@gmx.ch"}, {Address: "info@velo.ch"}})
		}, nil, []model.Email{{Label: "home", Address: "lea@gmx.ch"}, {Label: "work", Address: "lea@velo.ch"}, {Address: "info@velo.ch"}}, 0},
		{"an old whole-list op assigns what its writer had", func(t *testing.T, devs []*simDevice, id model.ID) {
			devs[1].local(t, id, "tags", []string{"VIP", "Neu"}) // seen by the old writer below
			exchange(t, devs)
			s := devs[0].stamp()
			old := model.Op{Type: model.TypeCustomer, ID: id, Field: "tags", Value: json.RawMessage(`["Alt","Neu"]`),
				HLC: s.HLC, Device: s.Device, Prev: s.HLC - 1}
			devs[0].apply(t, []model.Op{old})
			devs[0].log = append(devs[0].log, old)
		}, []string{"Alt", "Neu"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devs, id := team(t, 3, base)
			tt.edits(t, devs, id)
			exchange(t, devs)
			exchange(t, devs)
			want := devs[0].state(t)
			for _, d := range devs[1:] {
				if got := d.state(t); got != want {
					t.Fatalf("%s differs:\n%s", d.name, firstDiff(got, want))
				}
			}
			r := devs[0].rec(id)
			if tt.tags != nil {
				if got := decodeField[[]string](t, r, "tags"); !slices.Equal(got, tt.tags) {
					t.Errorf("tags: got %q, want %q", got, tt.tags)
				}
			}
			if tt.emails != nil {
				if got := decodeField[[]model.Email](t, r, "emails"); !slices.Equal(got, tt.emails) {
					t.Errorf("emails: got %v, want %v", got, tt.emails)
				}
			}
			if got := len(r.Conflicts()); got != tt.conflicts {
				t.Errorf("conflicts: got %d (%v), want %d", got, r.Conflicts(), tt.conflicts)
			}
		})
	}
}

func TestConflictsAreSharedAndResolvedOnce(t *testing.T) {
	devs, id := team(t, 3, model.Customer{GivenName: "Reto", Memo: "alt"})
	devs[0].local(t, id, "memo", "von A")
	devs[1].local(t, id, "memo", "von B")
	exchange(t, devs)
	for _, d := range devs {
		cs := d.rec(id).Conflicts()
		if len(cs) != 1 || cs[0].Field != "memo" || cs[0].LostBy != "user a" {
			t.Fatalf("%s: got conflicts %+v, want memo lost by user a", d.name, cs)
		}
	}
	// c resolves by taking the lost value; every device then has none.
	cs := devs[2].rec(id).Conflicts()
	op, err := devs[2].rec(id).Rewrite("memo", "", cs[0].Lost, devs[2].stamp())
	if err != nil {
		t.Fatal(err)
	}
	devs[2].log = append(devs[2].log, op)
	exchange(t, devs)
	for _, d := range devs {
		r := d.rec(id)
		if got := string(r.Fields["memo"]); got != `"von A"` || len(r.Conflicts()) != 0 {
			t.Errorf("%s: got memo %s, %d conflicts, want \"von A\" and none", d.name, got, len(r.Conflicts()))
		}
	}
}

func TestEditsAfterDeleteOrMergeAreConflicts(t *testing.T) {
	survivor := model.NewID()
	tests := []struct {
		name  string
		field string
		value any
		kind  model.ConflictKind
	}{
		{"deleted", model.FieldDeleted, true, model.ConflictDeleted},
		{"merged", "merged_into", survivor, model.ConflictMerged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			devs, id := team(t, 2, model.Customer{GivenName: "Käthi", Memo: "alt"})
			devs[0].local(t, id, tt.field, tt.value)
			devs[1].local(t, id, "memo", "Rückruf Montag") // later, without seeing it
			exchange(t, devs)
			for _, d := range devs {
				cs := d.rec(id).Conflicts()
				if len(cs) != 1 || cs[0].Kind != tt.kind || cs[0].Field != "memo" || string(cs[0].Lost) != `"Rückruf Montag"` {
					t.Fatalf("%s: got %+v, want one %q conflict on memo", d.name, cs, tt.kind)
				}
				if cs[0].Name != "Käthi" {
					t.Errorf("%s: name: got %q, want Käthi (the directory no longer lists the customer)", d.name, cs[0].Name)
				}
				if tt.kind == model.ConflictMerged && cs[0].Into != survivor {
					t.Errorf("%s: into: got %s, want %s", d.name, cs[0].Into, survivor)
				}
			}
			// Keeping the deletion or merge: the field is written again.
			op, err := devs[0].rec(id).Rewrite(tt.field, "", devs[0].rec(id).Fields[tt.field], devs[0].stamp())
			if err != nil {
				t.Fatal(err)
			}
			devs[0].log = append(devs[0].log, op)
			exchange(t, devs)
			for _, d := range devs {
				if cs := d.rec(id).Conflicts(); len(cs) != 0 {
					t.Errorf("%s: after keeping: got %+v, want none", d.name, cs)
				}
			}
		})
	}
}

// TestLocalEditWinsOverAValueAheadOfTheClock: a value from a device whose
// clock ran far ahead carries a stamp the local clock does not reach; an
// edit of it is ordered right after it, so it wins on every device.
func TestLocalEditWinsOverAValueAheadOfTheClock(t *testing.T) {
	devs, id := team(t, 2, model.Customer{GivenName: "Lea"})
	ahead := devs[1].stamp()
	ahead.HLC += model.MakeHLC(int64(48*time.Hour/time.Millisecond), 0)
	op, _, err := devs[1].rec(id).Local("memo", json.RawMessage(`"aus der Zukunft"`), ahead)
	if err != nil {
		t.Fatal(err)
	}
	devs[0].rec(id).Apply(&op)
	devs[0].local(t, id, "memo", "jetzt")
	got := devs[0].log[len(devs[0].log)-1]
	if got.HLC <= op.HLC || got.Prev != op.HLC {
		t.Fatalf("edit: got stamp %d prev %d, want after %d", got.HLC, got.Prev, op.HLC)
	}
	devs[1].apply(t, []model.Op{got})
	for _, d := range devs {
		if m := string(d.rec(id).Fields["memo"]); m != `"jetzt"` || len(d.rec(id).Conflicts()) != 0 {
			t.Errorf("%s: got memo %s, %d conflicts, want \"jetzt\" and none", d.name, m, len(d.rec(id).Conflicts()))
		}
	}
}
