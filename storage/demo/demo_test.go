package demo

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kundenkartei/kundenkartei/model"
)

// now is a Monday morning shortly after the switch to summer time, so the
// day tables cross a DST change in both directions.
var now = time.Date(2026, 3, 30, 7, 45, 0, 0, time.UTC)

// generate collects every batch of spec.
func generate(tb testing.TB, spec Spec, batch int) []model.Bulk {
	tb.Helper()
	var out []model.Bulk
	err := Generate(context.Background(), spec, batch, func(b model.Bulk) error {
		out = append(out, b)
		return nil
	})
	if err != nil {
		tb.Fatalf("Generate: %v", err)
	}
	return out
}

func merge(bs []model.Bulk) model.Bulk {
	var c, n, f, g int
	for _, b := range bs {
		c, n, f, g = c+len(b.Customers), n+len(b.Notes), f+len(b.FollowUps), g+len(b.Gestures)
	}
	m := model.Bulk{
		Customers: make([]model.Customer, 0, c), Notes: make([]model.Note, 0, n),
		FollowUps: make([]model.FollowUp, 0, f), Gestures: make([]model.Gesture, 0, g),
	}
	for _, b := range bs {
		m.Customers = append(m.Customers, b.Customers...)
		m.Notes = append(m.Notes, b.Notes...)
		m.FollowUps = append(m.FollowUps, b.FollowUps...)
		m.Gestures = append(m.Gestures, b.Gestures...)
		m.Events = append(m.Events, b.Events...)
	}
	return m
}

func checkCounts(t *testing.T, spec Spec, b model.Bulk) {
	t.Helper()
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"customers", len(b.Customers), spec.Customers},
		{"notes", len(b.Notes), spec.Notes},
		{"follow-ups", len(b.FollowUps), spec.FollowUps},
		{"gestures", len(b.Gestures), spec.Gestures},
		{"events", len(b.Events), spec.Events},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.what, c.got, c.want)
		}
	}
}

// checkRecord asserts that r is already normalized (Normalize changes
// nothing) and valid. It normalizes a deep copy made through JSON, because
// Customer.Normalize filters its slices in place and would change r too;
// the copy also shows that records survive a JSON round trip.
func checkRecord[T any, P interface {
	*T
	Normalize()
	Validate() error
}](t *testing.T, what string, r T) {
	t.Helper()
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var n T
	if err := json.Unmarshal(js, &n); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	P(&n).Normalize()
	if !reflect.DeepEqual(n, r) {
		t.Errorf("%s: Normalize changed the record:\n got %+v\nwant %+v", what, n, r)
	}
	if err := P(&n).Validate(); err != nil {
		t.Errorf("%s: Validate: got %v (fields %+v), want nil", what, err, model.ErrorFields(err))
	}
}

// checkMeta asserts the ID is a UUIDv7 whose timestamp is Created, and that
// Created ≤ Updated ≤ Now.
func checkMeta(t *testing.T, what string, m model.Meta, now time.Time, seen map[model.ID]bool) {
	t.Helper()
	if seen[m.ID] {
		t.Errorf("%s: duplicate ID %s", what, m.ID)
	}
	seen[m.ID] = true
	if m.ID.Version() != 7 || m.ID.Variant() != uuid.RFC4122 {
		t.Errorf("%s: ID %s: got version %d variant %v, want 7 RFC4122", what, m.ID, m.ID.Version(), m.ID.Variant())
	}
	sec, _ := m.ID.Time().UnixTime()
	if sec != m.Created.Unix() {
		t.Errorf("%s: ID time: got %d, want Created %d", what, sec, m.Created.Unix())
	}
	if m.Updated.Before(m.Created) || m.Updated.After(now) || m.Created.IsZero() {
		t.Errorf("%s: times: created %v updated %v, want created ≤ updated ≤ now %v", what, m.Created, m.Updated, now)
	}
	if m.Device == "" || m.Author == "" || m.Deleted {
		t.Errorf("%s: meta %+v: want device and author, not deleted", what, m)
	}
}

// checkValid asserts every record is valid and consistent with the others.
func checkValid(t *testing.T, spec Spec, b model.Bulk) {
	t.Helper()
	zurich, err := time.LoadLocation(Zone)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[model.ID]bool{}
	customers := map[model.ID]*model.Customer{}
	for i := range b.Customers {
		c := &b.Customers[i]
		checkRecord(t, "customer "+c.DisplayName(), *c)
		checkMeta(t, "customer", c.Meta, spec.Now, seen)
		customers[c.ID] = c
	}
	events := map[model.ID]bool{}
	for _, e := range b.Events {
		checkRecord(t, "event "+e.Name, e)
		checkMeta(t, "event", e.Meta, spec.Now, seen)
		events[e.ID] = true
	}
	firstNote := map[model.ID]time.Time{}
	noteOwner := map[model.ID]model.ID{}
	for _, n := range b.Notes {
		checkRecord(t, "note", n)
		checkMeta(t, "note", n.Meta, spec.Now, seen)
		if !n.At.Before(spec.Now) {
			t.Errorf("note at %v: want before now %v", n.At, spec.Now)
		}
		if n.Created.Before(n.At) {
			t.Errorf("note created %v before it happened %v", n.Created, n.At)
		}
		c := customers[n.CustomerID]
		if c == nil {
			t.Errorf("note of unknown customer %s", n.CustomerID)
			continue
		}
		if f, ok := firstNote[c.ID]; !ok || n.At.Before(f) {
			firstNote[c.ID] = n.At
		}
		noteOwner[n.ID] = n.CustomerID
	}
	for id, first := range firstNote {
		c := customers[id]
		if since := c.Since.Time(0, zurich); !since.Before(first) {
			t.Errorf("customer %s since %v, first note %v: want since before first note", c.DisplayName(), c.Since, first)
		}
	}
	for _, f := range b.FollowUps {
		checkRecord(t, "follow-up "+f.Title, f)
		checkMeta(t, "follow-up", f.Meta, spec.Now, seen)
		if customers[f.CustomerID] == nil {
			t.Errorf("follow-up of unknown customer %s", f.CustomerID)
		}
		if f.NoteID != model.NilID && noteOwner[f.NoteID] != f.CustomerID {
			t.Errorf("follow-up %q links note %s of another customer", f.Title, f.NoteID)
		}
		if f.TZ != Zone {
			t.Errorf("follow-up TZ: got %q, want %q", f.TZ, Zone)
		}
		if (f.Status == model.FollowUpOpen) != f.DoneAt.IsZero() {
			t.Errorf("follow-up status %s with DoneAt %v", f.Status, f.DoneAt)
		}
	}
	for _, g := range b.Gestures {
		checkRecord(t, "gesture "+g.Title, g)
		checkMeta(t, "gesture", g.Meta, spec.Now, seen)
		if customers[g.CustomerID] == nil {
			t.Errorf("gesture of unknown customer %s", g.CustomerID)
		}
		if g.Kind == model.GestureInvite && !events[g.EventID] {
			t.Errorf("invitation to unknown event %s", g.EventID)
		}
	}
}

func TestGenerateSmall(t *testing.T) {
	spec := Small(now)
	bs := generate(t, spec, 64)
	if got, want := len(bs), 4; got != want {
		t.Errorf("batches: got %d, want %d", got, want)
	}
	for i, b := range bs {
		if len(b.Customers) > 64 {
			t.Errorf("batch %d: got %d customers, want at most 64", i, len(b.Customers))
		}
		if (len(b.Events) > 0) != (i == 0) {
			t.Errorf("batch %d: got %d events, want events in the first batch only", i, len(b.Events))
		}
		// Each batch is self-contained: its records point at its customers.
		checkValid(t, Spec{Customers: len(b.Customers), Now: spec.Now}, model.Bulk{
			Customers: b.Customers, Notes: b.Notes, FollowUps: b.FollowUps,
			Gestures: withoutInvites(b.Gestures), Events: b.Events,
		})
	}
	all := merge(bs)
	checkCounts(t, spec, all)
	checkValid(t, spec, all)
}

func withoutInvites(gs []model.Gesture) []model.Gesture {
	var out []model.Gesture
	for _, g := range gs {
		if g.Kind != model.GestureInvite {
			out = append(out, g)
		}
	}
	return out
}

func TestGenerateDeterministic(t *testing.T) {
	spec := Small(now)
	a := merge(generate(t, spec, 1000))
	b := merge(generate(t, spec, 1000))
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of the same spec differ")
	}
	// The batch size only cuts the stream; it does not change it.
	c := merge(generate(t, spec, 7))
	if !reflect.DeepEqual(a, c) {
		t.Fatal("batch size 7 and 1000 give different records")
	}
	// More customers do not change the first ones' own data.
	more := spec
	more.Customers *= 2
	d := merge(generate(t, more, 1000))
	if !reflect.DeepEqual(a.Events, d.Events) {
		t.Error("events depend on the number of customers")
	}
	if a.Customers[0].ID != d.Customers[0].ID || a.Customers[0].FamilyName != d.Customers[0].FamilyName {
		t.Errorf("first customer: got %s %q, want %s %q", d.Customers[0].ID, d.Customers[0].DisplayName(),
			a.Customers[0].ID, a.Customers[0].DisplayName())
	}
	other := spec
	other.Seed++
	e := merge(generate(t, other, 1000))
	if a.Customers[0].ID == e.Customers[0].ID || reflect.DeepEqual(a.Notes[:10], e.Notes[:10]) {
		t.Error("another seed gives the same records")
	}
}

// TestGenerateSmallCoversEverything checks that the first-look set shows
// every screen something, whatever day it is generated on.
func TestGenerateSmallCoversEverything(t *testing.T) {
	for _, at := range []time.Time{
		now,
		time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC),  // Monday before dawn
		time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC),   // holiday
		time.Date(2028, 2, 29, 16, 30, 0, 0, time.UTC), // leap day
		time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), // end of summer time
	} {
		t.Run(at.Format(time.DateTime), func(t *testing.T) { checkCoversEverything(t, Small(at)) })
	}
}

func checkCoversEverything(t *testing.T, spec Spec) {
	t.Helper()
	b := merge(generate(t, spec, 0))
	checkValid(t, spec, b)

	noteKinds := map[model.NoteKind]int{}
	impressions := map[model.Impression]int{}
	for _, n := range b.Notes {
		noteKinds[n.Kind]++
		impressions[n.Impression]++
	}
	for _, k := range model.NoteKinds {
		// Resolutions are written by "close complaint"; the demo settles
		// its complaints by follow-ups, apologies and good contacts.
		if noteKinds[k] == 0 && k != model.NoteResolution {
			t.Errorf("note kind %s: got none, want some", k)
		}
	}
	for _, i := range model.Impressions {
		if impressions[i] == 0 {
			t.Errorf("impression %s: got none, want some", i)
		}
	}
	gKinds := map[model.GestureKind]int{}
	gStatus := map[model.GestureStatus]int{}
	for _, g := range b.Gestures {
		gKinds[g.Kind]++
		gStatus[g.Status]++
	}
	for _, k := range model.GestureKinds {
		if gKinds[k] == 0 {
			t.Errorf("gesture kind %s: got none, want some", k)
		}
	}
	for _, s := range model.GestureStatuses {
		if gStatus[s] == 0 {
			t.Errorf("gesture status %s: got none, want some", s)
		}
	}

	zurich, _ := time.LoadLocation(Zone)
	var done, cancelled, overdue, today, future, allDay, reminders, linked int
	for i := range b.FollowUps {
		f := &b.FollowUps[i]
		switch {
		case f.Status == model.FollowUpDone:
			done++
		case f.Status == model.FollowUpCancelled:
			cancelled++
		case f.Overdue(spec.Now):
			overdue++
		case f.DueToday(spec.Now, zurich):
			today++
		case f.Due.After(spec.Now):
			future++
		}
		if f.AllDay {
			allDay++
		}
		if f.Reminder > 0 {
			reminders++
		}
		if f.NoteID != model.NilID {
			linked++
		}
	}
	for _, c := range []struct {
		what string
		n    int
	}{
		{"open overdue", overdue}, {"open due today", today}, {"open in the future", future}, {"cancelled", cancelled},
		{"all-day", allDay}, {"with reminder", reminders}, {"linked to a note", linked},
	} {
		if c.n == 0 {
			t.Errorf("follow-ups %s: got none, want some", c.what)
		}
	}
	if done < len(b.FollowUps)/2 {
		t.Errorf("done follow-ups: got %d of %d, want most", done, len(b.FollowUps))
	}

	// Today's view: open complaints, complaints settled each way, gestures
	// about to expire.
	byCustomer := groupByCustomer(b)
	var open, byFollowUp, byApology, byPositive int
	for _, r := range byCustomer {
		notesOnly := model.ComputeStats(r.notes, nil, nil)
		if notesOnly.LastComplaint.IsZero() {
			continue
		}
		withFU := model.ComputeStats(r.notes, r.followUps, nil)
		withG := model.ComputeStats(r.notes, nil, r.gestures)
		all := model.ComputeStats(r.notes, r.followUps, r.gestures)
		switch {
		case all.OpenComplaint:
			open++
		case !notesOnly.OpenComplaint:
			byPositive++
		case !withG.OpenComplaint:
			byApology++
		case !withFU.OpenComplaint:
			byFollowUp++
		}
	}
	t.Logf("complaints: %d open, closed by a later good contact %d, by a follow-up %d, by an apology %d",
		open, byPositive, byFollowUp, byApology)
	if open == 0 || byFollowUp == 0 || byApology == 0 || byPositive == 0 {
		t.Error("want open complaints and complaints closed by each means")
	}
	expiring := 0
	for i := range b.Gestures {
		if b.Gestures[i].ExpiresWithin(model.DateOf(spec.Now.In(zurich)), 14) {
			expiring++
		}
	}
	if expiring == 0 {
		t.Error("gestures expiring within 14 days: got none, want some")
	}
	events := map[model.ID]int{}
	for _, g := range b.Gestures {
		if g.Kind == model.GestureInvite {
			events[g.EventID]++
		}
	}
	if len(events) != spec.Events {
		t.Errorf("events with invitations: got %d, want %d", len(events), spec.Events)
	}

	var umlauts, noYear, companies, withConsent, withdrawn int
	for i := range b.Customers {
		c := &b.Customers[i]
		if strings.ContainsAny(c.DisplayName(), "äöüÄÖÜß") {
			umlauts++
		}
		if !c.Birthday.IsZero() && !c.Birthday.HasYear() {
			noYear++
		}
		if c.Kind == model.Company {
			companies++
		}
		if len(c.Consents) > 0 {
			withConsent++
		}
		for _, k := range c.Consents {
			if !k.Withdrawn.IsZero() {
				withdrawn++
			}
		}
	}
	if umlauts < len(b.Customers)/5 {
		t.Errorf("customers with umlauts or ß in the name: got %d of %d, want at least a fifth", umlauts, len(b.Customers))
	}
	if noYear == 0 || companies == 0 || withConsent == 0 || withdrawn == 0 {
		t.Errorf("got %d birthdays without year, %d companies, %d with consent, %d withdrawn; want some of each",
			noYear, companies, withConsent, withdrawn)
	}
}

type customerRecords struct {
	notes     []model.Note
	followUps []model.FollowUp
	gestures  []model.Gesture
}

func groupByCustomer(b model.Bulk) map[model.ID]*customerRecords {
	m := map[model.ID]*customerRecords{}
	get := func(id model.ID) *customerRecords {
		if m[id] == nil {
			m[id] = &customerRecords{}
		}
		return m[id]
	}
	for _, n := range b.Notes {
		get(n.CustomerID).notes = append(get(n.CustomerID).notes, n)
	}
	for _, f := range b.FollowUps {
		get(f.CustomerID).followUps = append(get(f.CustomerID).followUps, f)
	}
	for _, g := range b.Gestures {
		get(g.CustomerID).gestures = append(get(g.CustomerID).gestures, g)
	}
	return m
}

// TestGenerateDistributions checks shares on a mid-sized set, where they
// settle near their targets.
func TestGenerateDistributions(t *testing.T) {
	spec := Spec{Customers: 20_000, Notes: 200_000, FollowUps: 40_000, Gestures: 10_000, Events: 5, Seed: 7, Now: now}
	b := merge(generate(t, spec, 0))
	checkCounts(t, spec, b)

	segments := map[string]int{}
	countries := map[string]int{}
	rhythms := map[int]int{}
	for i := range b.Customers {
		c := &b.Customers[i]
		segments[c.Segment]++
		rhythms[c.RhythmDays]++
		if a := c.PrimaryAddress(); a != nil {
			countries[a.Country]++
		}
	}
	share := func(n, of int) float64 { return float64(n) / float64(of) }
	for _, c := range []struct {
		what     string
		got      float64
		min, max float64
	}{
		{"key customers", share(segments[model.SegmentKey], spec.Customers), 0.08, 0.12},
		{"regular customers", share(segments[model.SegmentRegular], spec.Customers), 0.47, 0.53},
		{"small customers", share(segments[model.SegmentSmall], spec.Customers), 0.37, 0.43},
		{"customers without rhythm (10 %, plus those without a contact in two years)", share(rhythms[0], spec.Customers), 0.12, 0.22},
		{"Swiss addresses", share(countries["Schweiz"]+countries["CH"], spec.Customers), 0.45, 0.65},
	} {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s: got %.3f, want between %.2f and %.2f", c.what, c.got, c.min, c.max)
		}
	}
	for r := range rhythms {
		switch r {
		case 0, 30, 60, 90, 180, 365:
		default:
			t.Errorf("rhythm %d days: want 0, 30, 60, 90, 180 or 365", r)
		}
	}

	complaints, maxNotes := 0, 0
	perCustomer := map[model.ID]int{}
	for _, n := range b.Notes {
		if n.Kind == model.NoteComplaint {
			complaints++
		}
		perCustomer[n.CustomerID]++
		maxNotes = max(maxNotes, perCustomer[n.CustomerID])
	}
	if s := share(complaints, spec.Notes); s < 0.04 || s > 0.06 {
		t.Errorf("complaint share: got %.3f, want about 0.05", s)
	}
	if maxNotes < 100 {
		t.Errorf("most notes of one customer: got %d, want at least 100 (timeline benchmark subjects)", maxNotes)
	}
	// Key customers get more attention than small ones.
	seg := map[model.ID]string{}
	for i := range b.Customers {
		seg[b.Customers[i].ID] = b.Customers[i].Segment
	}
	notesBy := map[string]int{}
	for id, n := range perCustomer {
		notesBy[seg[id]] += n
	}
	key := float64(notesBy[model.SegmentKey]) / float64(segments[model.SegmentKey])
	small := float64(notesBy[model.SegmentSmall]) / float64(segments[model.SegmentSmall])
	if key < 3*small {
		t.Errorf("notes per key customer %.1f, per small customer %.1f: want key at least three times small", key, small)
	}

	// Phones are written many ways but are real numbers.
	region := map[string]string{"Schweiz": "CH", "CH": "CH", "Deutschland": "DE", "DE": "DE", "Österreich": "AT", "AT": "AT"}
	var phones, parsed int
	formats := map[string]bool{}
	for i := range b.Customers {
		c := &b.Customers[i]
		a := c.PrimaryAddress()
		if a == nil {
			continue
		}
		for _, p := range c.Phones {
			phones++
			if model.E164(p.Number, region[a.Country]) != "" {
				parsed++
			}
			formats[phoneShape(p.Number)] = true
		}
	}
	if s := share(parsed, phones); s < 0.97 {
		t.Errorf("phones with an E.164 form: got %.3f, want at least 0.97", s)
	}
	if len(formats) < 10 {
		t.Errorf("phone formats: got %d, want at least 10", len(formats))
	}
}

// phoneShape replaces digits with 9: "+41 79 123 45 67" → "+99 99 999 99 99".
func phoneShape(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '9'
		}
		return r
	}, s)
}

func TestGenerateLargeSample(t *testing.T) {
	if testing.Short() {
		t.Skip("large set in -short mode")
	}
	spec := Large(now)
	var got model.Bulk
	batches := 0
	var peak uint64
	var ms runtime.MemStats
	err := Generate(context.Background(), spec, 0, func(b model.Bulk) error {
		batches++
		// Keep a sample only, as storage would forget each batch after
		// committing it; validate ~1 % of every kind.
		got.Events = append(got.Events, b.Events...)
		for i := range b.Customers {
			if i%97 == 0 {
				got.Customers = append(got.Customers, b.Customers[i])
			}
		}
		sample := func(i int) bool { return i%101 == 0 }
		keep := map[model.ID]bool{}
		for _, c := range b.Customers {
			keep[c.ID] = true
		}
		for i, n := range b.Notes {
			if sample(i) {
				checkRecord(t, "note", n)
			}
		}
		for i, f := range b.FollowUps {
			if sample(i) {
				checkRecord(t, "follow-up", f)
			}
		}
		for i, g := range b.Gestures {
			if sample(i) {
				checkRecord(t, "gesture", g)
			}
		}
		if batches%10 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := spec.Customers / DefaultBatch; batches != want {
		t.Errorf("batches: got %d, want %d", batches, want)
	}
	for _, c := range got.Customers {
		checkRecord(t, "customer", c)
	}
	t.Logf("peak heap in use while generating: %d MB", peak>>20)
	if peak > 400<<20 {
		t.Errorf("peak heap: got %d MB, want well below the whole set", peak>>20)
	}
}

func TestGenerateCounts(t *testing.T) {
	for _, spec := range []Spec{
		{Customers: 1, Notes: 5, FollowUps: 2, Gestures: 3, Events: 1, Now: now},
		{Customers: 3, Now: now},
		{Customers: 0, Events: 2, Now: now},
		{Customers: 10, Notes: 1, FollowUps: 1, Gestures: 1, Now: now, Region: "DE"},
		{Customers: 999, Notes: 12345, FollowUps: 1001, Gestures: 777, Events: 5, Seed: -3, Now: now, Region: "AT"},
		{Customers: 50, Notes: 5000, FollowUps: 10, Gestures: 500, Events: 0, Now: now.AddDate(0, 7, 0)},
	} {
		b := merge(generate(t, spec, 100))
		checkCounts(t, spec, b)
		checkValid(t, spec, b)
	}
}

func TestGenerateBadSpec(t *testing.T) {
	for _, tt := range []struct {
		name string
		spec Spec
	}{
		{"negative", Spec{Customers: -1, Now: now}},
		{"notes without customers", Spec{Notes: 1, Now: now}},
		{"too many events", Spec{Customers: 1, Events: 6, Now: now}},
		{"no now", Spec{Customers: 1}},
		{"unknown region", Spec{Customers: 1, Now: now, Region: "FR"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			err := Generate(context.Background(), tt.spec, 10, func(model.Bulk) error { called = true; return nil })
			if got := model.ErrorCode(err); got != model.EINVALID {
				t.Errorf("got code %q (%v), want %q", got, err, model.EINVALID)
			}
			if called {
				t.Error("emit called for an invalid spec")
			}
		})
	}
}

func TestGenerateStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	err := Generate(ctx, Small(now), 50, func(model.Bulk) error {
		calls++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("cancelled: got %v after %d batches, want context.Canceled after 1", err, calls)
	}

	stop := errors.New("disk full")
	calls = 0
	err = Generate(context.Background(), Small(now), 50, func(model.Bulk) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Errorf("emit error: got %v after %d batches, want %v after 2", err, calls, stop)
	}
}

// TestGenerateLeavesNoGoroutines: the workers that generate ahead stop
// with Generate, however it ends.
func TestGenerateLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	stop := errors.New("stop")
	for _, emit := range []func(model.Bulk) error{
		func(model.Bulk) error { return nil },
		func(model.Bulk) error { return stop },
	} {
		if err := Generate(context.Background(), Small(now), 10, emit); err != nil && !errors.Is(err, stop) {
			t.Fatal(err)
		}
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines: got %d after Generate, want at most %d", after, before)
	}
}

func TestTranslit(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Müller", "mueller"},
		{"Größer", "groesser"},
		{"Weiß", "weiss"},
		{"Hans-Peter", "hans-peter"},
		{"Chloé", "chloe"},
		{"Kovačević", "kovacevic"},
		{"Biel/Bienne", "biel-bienne"},
		{"Zoë", "zoe"},
	} {
		if got := translit(tt.in); got != tt.want {
			t.Errorf("translit(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCumulate(t *testing.T) {
	for _, tt := range []struct {
		name    string
		weights []uint64
		total   int
		want    []int64
	}{
		{"even", []uint64{1, 1, 1, 1}, 8, []int64{0, 2, 4, 6, 8}},
		{"rounding keeps the total", []uint64{1, 1, 1}, 10, []int64{0, 3, 6, 10}},
		{"zero weight gets nothing", []uint64{2, 0, 2}, 4, []int64{0, 2, 2, 4}},
		{"all zero spreads evenly", []uint64{0, 0}, 4, []int64{0, 2, 4}},
		{"nothing to spread", []uint64{5, 7}, 0, []int64{0, 0, 0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := cumulate(tt.weights, tt.total); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// BenchmarkGenerateLarge generates the whole large set (1.35 million
// records) without storing it; the budget is 3 s.
func BenchmarkGenerateLarge(b *testing.B) {
	spec := Large(now)
	for b.Loop() {
		n := 0
		err := Generate(context.Background(), spec, 0, func(bk model.Bulk) error {
			n += len(bk.Customers) + len(bk.Notes) + len(bk.FollowUps) + len(bk.Gestures) + len(bk.Events)
			return nil
		})
		if err != nil || n != spec.Records() {
			b.Fatalf("got %d records, %v; want %d", n, err, spec.Records())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(spec.Records()), "ns/record")
}

// BenchmarkGenerateSmall is the first-look set.
func BenchmarkGenerateSmall(b *testing.B) {
	spec := Small(now)
	for b.Loop() {
		if err := Generate(context.Background(), spec, 0, func(model.Bulk) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
