package app

import (
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/kundenkartei/kundenkartei/model"
)

func TestGestureFormGiveAndRedeemOnLoyalty(t *testing.T) {
	f := newCareFixture(t)
	useLocale(t, "de-CH") // new gestures start in the locale's currency
	c := f.customer(model.Customer{GivenName: "Rita", FamilyName: "Treu", Segment: model.SegmentSmall})
	s := newLoyaltyScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	if n := len(s.data.gestures); n != 0 {
		t.Fatalf("gestures before: got %d, want 0", n)
	}

	form := newGestureForm(f.e, c.ID, nil)
	form.show()
	if form.currency.Text != "CHF" {
		t.Errorf("default currency: got %q, want CHF", form.currency.Text)
	}
	test.Type(form.title, "Gutschein Werkstatt")
	test.Type(form.percent, "150")
	form.title.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if form.form.message("percent") == "" {
		t.Fatalf("150 %%: no message under the percent field")
	}
	form.percent.SetText("")
	test.Type(form.amount, "50,00")
	test.Type(form.cost, "12.5")
	test.Type(form.validUntil, "31.12.2026")
	form.occasion.SetText(careOccasionLabel(model.OccasionThanks))
	form.title.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	f.settle(s.loader)

	gs, err := f.db.Gestures(model.GestureFilter{CustomerID: c.ID})
	if err != nil || len(gs) != 1 {
		t.Fatalf("stored gestures: got %d (%v), want 1", len(gs), err)
	}
	g := gs[0]
	if g.Amount != 5000 || g.Cost != 1250 || g.Currency != "CHF" || g.Status != model.GestureOffered ||
		g.Occasion != model.OccasionThanks || g.ValidUntil != (model.Date{Year: 2026, Month: 12, Day: 31}) || g.Kind != model.GesturePriority {
		t.Errorf("stored: got %+v", g)
	}
	if len(s.data.gestures) != 1 {
		t.Fatalf("loyalty list: got %d gestures, want 1", len(s.data.gestures))
	}

	// Redeem: the row's status button offers the next steps.
	var status *careRowItem
	for _, r := range careRowItems(f.win.Content()) {
		if r.title.Text == "Gutschein Werkstatt · Rita Treu" {
			status = r
		}
	}
	if status == nil {
		t.Fatalf("no rendered row for the gesture")
	}
	test.Tap(status.first)
	if len(s.statusBtns) != len(model.NextStatuses(model.GestureOffered)) {
		t.Fatalf("status dialog offers %d steps, want %d", len(s.statusBtns), len(model.NextStatuses(model.GestureOffered)))
	}
	test.Tap(s.statusBtns[model.GestureRedeemed])
	f.settle(s.loader)
	got, err := f.db.Gesture(g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != model.GestureRedeemed {
		t.Errorf("status: got %q, want %q", got.Status, model.GestureRedeemed)
	}

	// The status filter shows only redeemed ones; it is in this year's list.
	s.statusFilter.SetSelected(gestureStatusText(model.GestureOffered))
	f.settle(s.loader)
	if n := len(s.data.gestures); n != 0 {
		t.Errorf("filter offered: got %d gestures, want 0", n)
	}
	s.statusFilter.SetSelected(gestureStatusText(model.GestureRedeemed))
	f.settle(s.loader)
	if n := len(s.data.gestures); n != 1 {
		t.Errorf("filter redeemed: got %d gestures, want 1", n)
	}
	if s.yearRows.Length() != 1 {
		t.Fatalf("this year: %d rows, want Rita's", s.yearRows.Length())
	}
	row := s.yearRows.row(0)
	if want := loyaltyTotalsText(&loyaltyTotals{value: map[string]int64{"CHF": 5000}, cost: map[string]int64{"CHF": 1250}}); !strings.Contains(row.detail, want) {
		t.Errorf("this year: got %q, want Rita with %q", row.title+" / "+row.detail, want)
	}
}

func TestLoyaltyInviteSegmentOnlyConsentingByMail(t *testing.T) {
	f := newCareFixture(t)
	consent := []model.Consent{{Channel: model.ChannelEmail, Purpose: "Einladungen", GivenAt: careNow.AddDate(-1, 0, 0), Source: "form"}}
	withdrawn := []model.Consent{{Channel: model.ChannelEmail, Purpose: "Einladungen", GivenAt: careNow.AddDate(-1, 0, 0),
		Withdrawn: careNow.AddDate(0, -1, 0), Source: "form"}}
	addr := []model.Address{{Street: "Marktgasse 1", PostalCode: "4051", City: "Basel"}}
	yes1 := f.customer(model.Customer{GivenName: "Kurt", FamilyName: "Key", Segment: model.SegmentKey,
		Emails: []model.Email{{Address: "kurt@key.ch"}}, Consents: consent, Addresses: addr})
	yes2 := f.customer(model.Customer{Company: "Key Holding AG", Segment: model.SegmentKey,
		Emails: []model.Email{{Address: "info@keyholding.ch"}}, Consents: consent, Addresses: addr})
	no := f.customer(model.Customer{GivenName: "Nora", FamilyName: "Nein", Segment: model.SegmentKey,
		Emails: []model.Email{{Address: "nora@nein.ch"}}, Consents: withdrawn, Addresses: addr})
	noPost := f.customer(model.Customer{GivenName: "Paul", FamilyName: "Postlos", Segment: model.SegmentKey, Addresses: addr,
		Consents: []model.Consent{{Channel: model.ChannelPost, Purpose: "Werbung", GivenAt: careNow.AddDate(-2, 0, 0), Withdrawn: careNow.AddDate(0, -2, 0), Source: "phone"}}})
	f.customer(model.Customer{GivenName: "Olga", FamilyName: "Ohneadresse", Segment: model.SegmentKey})
	f.customer(model.Customer{GivenName: "Sam", FamilyName: "Small", Segment: model.SegmentSmall,
		Emails: []model.Email{{Address: "sam@small.ch"}}, Consents: consent})

	s := newLoyaltyScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.track(s.inviter)
	f.settle(s.loader)

	// Plan the event through its dialog.
	ef := newEventForm(f.e, nil)
	var saved *model.Event
	ef.onSaved = func(ev *model.Event) { saved = ev; s.selectEvent(ev.ID) }
	ef.show()
	test.Type(ef.name, "Kundenapéro")
	test.Type(ef.date, "11.12.2026")
	test.Type(ef.place, "Showroom Basel")
	test.Type(ef.capacity, "40")
	ef.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if saved == nil {
		t.Fatalf("event not saved: messages %q %q", ef.form.message("start"), ef.form.message("name"))
	}
	f.settle(s.loader)
	if s.data.event == nil || s.data.event.Name != "Kundenapéro" || s.data.event.Capacity != 40 {
		t.Fatalf("selected event: got %+v", s.data.event)
	}
	wantStart := time.Date(2026, 12, 11, 18, 0, 0, 0, model.LoadLocation("Europe/Zurich"))
	if !s.data.event.Start.Equal(wantStart) {
		t.Errorf("start: got %v, want %v", s.data.event.Start, wantStart)
	}

	s.inviteBy.SetSelected(s.inviteBy.Options[1]) // segment
	s.inviteTarget.SetSelected(segmentText(model.SegmentKey))
	s.channel.SetSelectedIndex(0) // email
	test.Tap(s.inviteBtn)
	f.settle(s.inviter)
	f.settle(s.loader)

	invited := func() []model.ID {
		gs, err := f.db.Gestures(model.GestureFilter{EventID: saved.ID})
		if err != nil {
			t.Fatal(err)
		}
		var ids []model.ID
		for _, g := range gs {
			ids = append(ids, g.CustomerID)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i].String() < ids[j].String() })
		return ids
	}
	want := []model.ID{yes1.ID, yes2.ID}
	sort.Slice(want, func(i, j int) bool { return want[i].String() < want[j].String() })
	if got := invited(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("invited by email: got %v, want %v (Nora withdrew her consent)", got, want)
	}
	if r := model.CountRSVP(s.data.invites); r.Invited != 2 || r.Pending != 2 {
		t.Errorf("RSVP: got %+v, want 2 invited, 2 pending", r)
	}
	wantText := "2 invited. 3 left out: no email consent." // English fallbacks: tests load no translations
	if s.inviteResult.Text != wantText {
		t.Errorf("result: got %q, want %q", s.inviteResult.Text, wantText)
	}

	// By post no opt-in is needed, but an address is, and a "no" to post
	// counts; the two already invited stay once.
	s.channel.SetSelectedIndex(1)
	test.Tap(s.inviteBtn)
	f.settle(s.inviter)
	f.settle(s.loader)
	if got := invited(); len(got) != 3 {
		t.Errorf("after inviting by post: got %d invitations, want 3", len(got))
	}
	found := false
	for _, id := range invited() {
		found = found || id == no.ID
		if id == noPost.ID {
			t.Errorf("by post: Paul, who said no to post, was invited")
		}
	}
	if !found {
		t.Errorf("by post: Nora not invited")
	}
	if want := "1 invited. 2 were invited already. 2 left out: no postal address, or they said no to mail by post."; s.inviteResult.Text != want {
		t.Errorf("result by post: got %q, want %q", s.inviteResult.Text, want)
	}
}

func TestLoyaltyAttentionBySegment(t *testing.T) {
	now := careNow
	sum := func(seg string, daysAgo int, gestures int) *model.CustomerSummary {
		s := &model.CustomerSummary{ID: model.NewID(), Segment: seg}
		if daysAgo >= 0 {
			s.LastContact = now.AddDate(0, 0, -daysAgo)
		}
		s.Stats.Gestures = gestures
		return s
	}
	all := []*model.CustomerSummary{
		sum(model.SegmentKey, 10, 4), sum(model.SegmentKey, 20, 2),
		sum(model.SegmentSmall, 200, 0), sum(model.SegmentSmall, -1, 0),
		sum("Handwerker", 30, 1), sum("", 5, 0),
	}
	got := loyaltyAttentionBySegment(model.HitsOf(all), now)
	want := []loyaltyAttention{
		{segment: model.SegmentKey, customers: 2, contacted: 2, avgDays: 15, perCustomer: 3},
		{segment: model.SegmentRegular},
		{segment: model.SegmentSmall, customers: 2, contacted: 1, avgDays: 200, perCustomer: 0},
		{segment: "Handwerker", customers: 1, contacted: 1, avgDays: 30, perCustomer: 1},
		{segment: "", customers: 1, contacted: 1, avgDays: 5, perCustomer: 0},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d segments, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("segment %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestLoyaltyAttentionTabFromStorage(t *testing.T) {
	f := newCareFixture(t)
	k := f.customer(model.Customer{Company: "Gross AG", Segment: model.SegmentKey})
	f.customer(model.Customer{Company: "Klein GmbH", Segment: model.SegmentSmall})
	if err := f.db.AddNote(&model.Note{CustomerID: k.ID, At: careNow.AddDate(0, 0, -6), Kind: model.NoteVisit, Text: "Besuch"}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.CreateGesture(&model.Gesture{CustomerID: k.ID, Kind: model.GestureGift, Title: "Wein", Status: model.GestureOffered}); err != nil {
		t.Fatal(err)
	}
	s := newLoyaltyScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	a := s.data.attention
	if len(a) < 3 || a[0].customers != 1 || a[0].perCustomer != 1 || int(a[0].avgDays+0.5) != 6 ||
		a[2].customers != 1 || a[2].contacted != 0 {
		t.Errorf("attention: got %+v", a)
	}
	if got := len(s.attentionRows.rows); got != 3 {
		t.Errorf("attention rows: got %d, want 3 (key, regular, small)", got)
	}
}

// BenchmarkLoyaltyCollect measures one load of the loyalty screen: all
// gestures, events, this year's gestures by customer and the attention
// per segment over every summary.
func BenchmarkLoyaltyCollect(b *testing.B) {
	f := careBenchFixture(b)
	s := newLoyaltyScreen(f.e)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.collect(nil, nil, model.NilID); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLoyaltyListShowsTheNewestOnly(t *testing.T) {
	f := newCareFixture(t)
	c := f.customer(model.Customer{GivenName: "Rita", FamilyName: "Treu"})
	for _, title := range []string{"Erstes", "Zweites", "Drittes"} {
		if err := f.db.CreateGesture(&model.Gesture{CustomerID: c.ID, Kind: model.GestureGift, Title: title, Status: model.GestureOffered}); err != nil {
			t.Fatal(err)
		}
	}
	defer func(n int) { loyaltyMaxList = n }(loyaltyMaxList)
	loyaltyMaxList = 2
	s := newLoyaltyScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	if n := len(s.data.gestures); n != 2 || !s.data.more || s.data.gestures[0].Title != "Drittes" {
		t.Fatalf("list: %d gestures (more %v), first %q; want the 2 newest and more", n, s.data.more, s.data.gestures[0].Title)
	}
	if want := "newest 2; filter to see others"; s.gestureCount.Text != want {
		t.Errorf("count: got %q, want %q", s.gestureCount.Text, want)
	}
	if s.yearTotal.Text == "" || !strings.Contains(s.yearTotal.Text, "3 gestures") {
		t.Errorf("the year's total counts every gesture, not the list's: %q", s.yearTotal.Text)
	}
}
