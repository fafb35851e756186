package model_test

import (
	"math"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// day returns t0 plus d days (and h hours), for readable timelines.
func day(d int, h ...int) time.Time {
	t := t0.AddDate(0, 0, d)
	for _, x := range h {
		t = t.Add(time.Duration(x) * time.Hour)
	}
	return t
}

func note(at time.Time, kind model.NoteKind, imp model.Impression) model.Note {
	return model.Note{Meta: model.Meta{ID: model.NewID()}, CustomerID: customerID, At: at, Kind: kind, Text: "x", Impression: imp}
}

func complaint(at time.Time) model.Note { return note(at, model.NoteComplaint, model.Negative) }

func followUp(due time.Time, s model.FollowUpStatus, doneAt time.Time) model.FollowUp {
	return model.FollowUp{Meta: model.Meta{ID: model.NewID()}, CustomerID: customerID, Due: due, Title: "x", Status: s, DoneAt: doneAt}
}

func gesture(kind model.GestureKind, s model.GestureStatus, created time.Time) model.Gesture {
	return model.Gesture{Meta: model.Meta{ID: model.NewID(), Created: created}, CustomerID: customerID, Kind: kind, Title: "x", Status: s}
}

func TestComputeStatsComplaint(t *testing.T) {
	revised := complaint(day(0))
	revision := note(day(0), model.NoteCall, model.Neutral) // "it was a call, not a complaint"
	revision.Replaces = revised.ID
	deleted := complaint(day(1))
	deleted.Deleted = true
	deletedFU := followUp(day(2), model.FollowUpDone, day(2))
	deletedFU.Deleted = true
	deletedApology := gesture(model.GestureApology, model.GestureOffered, day(2))
	deletedApology.Deleted = true
	deletedResolution := note(day(1), model.NoteResolution, model.Neutral)
	deletedResolution.Deleted = true

	for _, tt := range []struct {
		name      string
		notes     []model.Note
		followUps []model.FollowUp
		gestures  []model.Gesture
		open      bool
	}{
		{"no notes", nil, nil, nil, false},
		{"no complaint", []model.Note{note(day(0), model.NoteVisit, model.Negative)}, nil, nil, false},
		{"complaint alone", []model.Note{complaint(day(0))}, nil, nil, true},
		{"closed by a follow-up done after it",
			[]model.Note{complaint(day(0))}, []model.FollowUp{followUp(day(2), model.FollowUpDone, day(2, 1))}, nil, false},
		{"closed by a follow-up done in the same instant",
			[]model.Note{complaint(day(0))}, []model.FollowUp{followUp(day(0), model.FollowUpDone, day(0))}, nil, false},
		{"not closed by a follow-up done before it",
			[]model.Note{complaint(day(5))}, []model.FollowUp{followUp(day(2), model.FollowUpDone, day(2))}, nil, true},
		{"not closed by an open follow-up",
			[]model.Note{complaint(day(0))}, []model.FollowUp{followUp(day(2), model.FollowUpOpen, time.Time{})}, nil, true},
		{"not closed by a cancelled follow-up",
			[]model.Note{complaint(day(0))}, []model.FollowUp{followUp(day(2), model.FollowUpCancelled, day(2))}, nil, true},
		{"not closed by a deleted follow-up", []model.Note{complaint(day(0))}, []model.FollowUp{deletedFU}, nil, true},
		{"closed by an apology offered", []model.Note{complaint(day(0))}, nil,
			[]model.Gesture{gesture(model.GestureApology, model.GestureOffered, day(1))}, false},
		{"closed by an apology accepted", []model.Note{complaint(day(0))}, nil,
			[]model.Gesture{gesture(model.GestureApology, model.GestureAccepted, day(1))}, false},
		{"closed by an apology redeemed", []model.Note{complaint(day(0))}, nil,
			[]model.Gesture{gesture(model.GestureApology, model.GestureRedeemed, day(1))}, false},
		{"not closed by an apology still an idea", []model.Note{complaint(day(0))}, nil,
			[]model.Gesture{gesture(model.GestureApology, model.GestureIdea, day(1))}, true},
		{"not closed by an apology declined", []model.Note{complaint(day(0))}, nil,
			[]model.Gesture{gesture(model.GestureApology, model.GestureDeclined, day(1))}, true},
		{"not closed by an apology made before it", []model.Note{complaint(day(3))}, nil,
			[]model.Gesture{gesture(model.GestureApology, model.GestureOffered, day(1))}, true},
		{"not closed by a gift", []model.Note{complaint(day(0))}, nil,
			[]model.Gesture{gesture(model.GestureGift, model.GestureRedeemed, day(1))}, true},
		{"not closed by a deleted apology", []model.Note{complaint(day(0))}, nil, []model.Gesture{deletedApology}, true},
		{"closed by a later positive contact",
			[]model.Note{complaint(day(0)), note(day(3), model.NoteVisit, model.Positive)}, nil, nil, false},
		{"not closed by a later neutral contact",
			[]model.Note{complaint(day(0)), note(day(3), model.NoteVisit, model.Neutral)}, nil, nil, true},
		{"not closed by an earlier positive contact",
			[]model.Note{note(day(-3), model.NoteVisit, model.Positive), complaint(day(0))}, nil, nil, true},
		{"a positive complaint does not close another",
			[]model.Note{complaint(day(0)), note(day(3), model.NoteComplaint, model.Positive)}, nil, nil, true},
		{"a new complaint reopens",
			[]model.Note{complaint(day(0)), note(day(3), model.NoteVisit, model.Positive), complaint(day(5))},
			[]model.FollowUp{followUp(day(1), model.FollowUpDone, day(1))}, nil, true},
		{"the newest complaint counts, whatever the order of the notes",
			[]model.Note{complaint(day(5)), complaint(day(0))},
			[]model.FollowUp{followUp(day(2), model.FollowUpDone, day(2))}, nil, true},
		{"closed by a resolution after it",
			[]model.Note{complaint(day(0)), note(day(1), model.NoteResolution, model.Neutral)}, nil, nil, false},
		{"closed by a resolution in the same instant",
			[]model.Note{complaint(day(0)), note(day(0), model.NoteResolution, model.Neutral)}, nil, nil, false},
		{"closed by a resolution that left a bad impression",
			[]model.Note{complaint(day(0)), note(day(1), model.NoteResolution, model.Negative)}, nil, nil, false},
		{"not closed by a resolution before it",
			[]model.Note{note(day(-1), model.NoteResolution, model.Positive), complaint(day(0))}, nil, nil, true},
		{"not closed by a deleted resolution", []model.Note{complaint(day(0)), deletedResolution}, nil, nil, true},
		{"a new complaint after a resolution reopens",
			[]model.Note{complaint(day(0)), note(day(1), model.NoteResolution, model.Neutral), complaint(day(2))}, nil, nil, true},
		{"superseded complaint ignored", []model.Note{revised, revision}, nil, nil, false},
		{"deleted complaint ignored", []model.Note{deleted}, nil, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := model.ComputeStats(tt.notes, tt.followUps, tt.gestures)
			if s.OpenComplaint != tt.open {
				t.Errorf("OpenComplaint: got %v, want %v", s.OpenComplaint, tt.open)
			}
		})
	}
}

func TestComputeStatsCounts(t *testing.T) {
	old := note(day(-10), model.NoteCall, model.Positive)
	revision := note(day(-10), model.NoteCall, model.Neutral)
	revision.Replaces = old.ID
	deleted := note(day(5), model.NoteVisit, model.Positive)
	deleted.Deleted = true
	notes := []model.Note{
		note(day(-3), model.NoteEmail, model.Negative),
		complaint(day(-20)),
		old, revision, deleted,
		note(day(-1), model.NoteVisit, model.Neutral), // the newest live one
	}
	deletedFU := followUp(day(1), model.FollowUpOpen, time.Time{})
	deletedFU.Deleted = true
	followUps := []model.FollowUp{
		followUp(day(7), model.FollowUpOpen, time.Time{}),
		followUp(day(2), model.FollowUpOpen, time.Time{}),
		followUp(day(-5), model.FollowUpDone, day(-5)),
		followUp(day(-6), model.FollowUpCancelled, day(-6)),
		deletedFU,
	}
	deletedG := gesture(model.GestureGift, model.GestureRedeemed, day(3))
	deletedG.Deleted = true
	gestures := []model.Gesture{
		gesture(model.GestureGift, model.GestureOffered, day(-30)),
		gesture(model.GestureDiscount, model.GestureAccepted, day(-2)),
		gesture(model.GestureInvite, model.GestureRedeemed, day(-40)),
		gesture(model.GestureGift, model.GestureIdea, day(0)),     // not reached yet
		gesture(model.GestureGift, model.GestureDeclined, day(0)), // refused
		gesture(model.GestureGift, model.GestureExpired, day(0)),
		deletedG,
	}
	s := model.ComputeStats(notes, followUps, gestures)
	want := model.Stats{
		LastContact:    day(-1),
		LastImpression: model.Neutral,
		LastComplaint:  day(-20),
		OpenComplaint:  false, // closed by the done follow-up of day -5
		NextFollowUp:   day(2),
		OpenFollowUps:  2,
		Notes:          4,
		Gestures:       3,
		LastGesture:    day(-2),
	}
	if s != want {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
}

func TestNextDueContact(t *testing.T) {
	for _, tt := range []struct {
		name           string
		rhythm         int
		last, fallback time.Time
		want           time.Time
	}{
		{"no rhythm", 0, day(0), day(-100), time.Time{}},
		{"negative rhythm", -30, day(0), day(-100), time.Time{}},
		{"from the last contact", 30, day(0), day(-100), day(30)},
		{"from the fallback without contact", 30, time.Time{}, day(-100), day(-70)},
		{"nothing to count from", 30, time.Time{}, time.Time{}, time.Time{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := model.NextDueContact(tt.rhythm, tt.last, tt.fallback); !got.Equal(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRelationshipHealth(t *testing.T) {
	now := day(0)
	for _, tt := range []struct {
		name           string
		rhythm         int
		last, fallback time.Time
		ratio          float64
		health         model.Health
	}{
		{"no rhythm", 0, day(-500), time.Time{}, 0, model.HealthNone},
		{"fresh", 30, day(-3), time.Time{}, 0.1, model.HealthGood},
		{"just before 80 %", 30, day(-23), time.Time{}, 23.0 / 30, model.HealthGood},
		{"80 %", 30, day(-24), time.Time{}, 0.8, model.HealthDue},
		{"exactly due", 30, day(-30), time.Time{}, 1, model.HealthDue},
		{"an hour late", 30, day(-30, -1), time.Time{}, 1 + 1.0/24/30, model.HealthOverdue},
		{"long overdue", 90, day(-180), time.Time{}, 2, model.HealthOverdue},
		{"fallback without contact", 30, time.Time{}, day(-60), 2, model.HealthOverdue},
		{"last contact beats the fallback", 30, day(-3), day(-60), 0.1, model.HealthGood},
		{"nothing known counts as due", 30, time.Time{}, time.Time{}, 1, model.HealthDue},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ratio, h := model.RelationshipHealth(tt.rhythm, tt.last, tt.fallback, now)
			if math.Abs(ratio-tt.ratio) > 1e-9 || h != tt.health {
				t.Errorf("got %.4f, %d; want %.4f, %d", ratio, h, tt.ratio, tt.health)
			}
		})
	}
}

func TestNextAnniversary(t *testing.T) {
	date := func(y int, m time.Month, d int) model.Date { return model.Date{Year: y, Month: m, Day: d} }
	for _, tt := range []struct {
		name     string
		d, today model.Date
		next     model.Date
		years    int
	}{
		{"later this year", date(1980, time.April, 15), date(2026, time.April, 14), date(2026, time.April, 15), 46},
		{"today", date(1980, time.April, 15), date(2026, time.April, 15), date(2026, time.April, 15), 46},
		{"passed: next year", date(1980, time.April, 15), date(2026, time.April, 16), date(2027, time.April, 15), 47},
		{"new year's eve seen on new year's day", date(2000, time.December, 31), date(2026, time.January, 1), date(2026, time.December, 31), 26},
		{"without year", date(0, time.April, 15), date(2026, time.May, 1), date(2027, time.April, 15), 0},
		{"29 February in a common year is the 28th", date(2000, time.February, 29), date(2026, time.February, 1), date(2026, time.February, 28), 26},
		{"29 February in a leap year", date(2000, time.February, 29), date(2028, time.February, 1), date(2028, time.February, 29), 28},
		{"29 February passed: next year's 28th", date(2000, time.February, 29), date(2026, time.March, 1), date(2027, time.February, 28), 27},
		{"29 February passed before a leap year", date(2000, time.February, 29), date(2027, time.March, 1), date(2028, time.February, 29), 28},
		{"29 February without year", date(0, time.February, 29), date(2026, time.February, 28), date(2026, time.February, 28), 0},
		{"no date", model.Date{}, date(2026, time.April, 15), model.Date{}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			next, years := model.NextAnniversary(tt.d, tt.today)
			if next != tt.next || years != tt.years {
				t.Errorf("got %v, %d; want %v, %d", next, years, tt.next, tt.years)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	c := model.Customer{
		Meta:       model.Meta{ID: customerID, Created: day(-400)},
		Kind:       model.Person,
		GivenName:  "Bärbel",
		FamilyName: "Größer",
		Emails:     []model.Email{{Address: "b@example.ch"}},
		Addresses:  []model.Address{{City: "Zürich"}},
		Since:      model.Date{Year: 2026, Month: time.January, Day: 1},
		RhythmDays: 30,
		Consents:   []model.Consent{{Channel: model.ChannelEmail, GivenAt: day(-10)}},
	}
	st := model.Stats{LastContact: day(-40)}
	s := model.Summarize(&c, st, day(0))
	if s.Name != "Bärbel Größer" || s.SortName != "grosser barbel" || s.City != "Zürich" || s.Email != "b@example.ch" || !s.MailConsent {
		t.Errorf("got %+v", s)
	}
	if got, want := s.NextDue(), day(-10); !got.Equal(want) {
		t.Errorf("NextDue: got %v, want %v", got, want)
	}
	if !s.DueForContact(day(0)) || s.DueForContact(day(-11)) {
		t.Errorf("DueForContact: want due at day 0, not at day -11")
	}
	// Without any contact the rhythm counts from "customer since".
	s.LastContact = time.Time{}
	if got, want := s.NextDue(), time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("NextDue without contact: got %v, want %v", got, want)
	}
	// And from creation when "since" has no year.
	s.Since = model.Date{}
	if got, want := s.NextDue(), day(-370); !got.Equal(want) {
		t.Errorf("NextDue without since: got %v, want %v", got, want)
	}
	if _, h := s.Health(day(0)); h != model.HealthOverdue {
		t.Errorf("Health: got %d, want overdue", h)
	}
	s.RhythmDays = 0
	if s.DueForContact(day(0)) {
		t.Error("no rhythm: want never due")
	}
}
