package ical

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// fakeSource implements Source with function fields; methods a test does
// not set fail loudly.
type fakeSource struct {
	FollowUpsFn func(model.FollowUpFilter) ([]model.FollowUp, error)
	CustomerFn  func(model.ID) (*model.Customer, error)
	NotesFn     func(model.NoteFilter) ([]model.Note, error)
	EventsFn    func() ([]model.Event, error)
	GesturesFn  func(model.GestureFilter) ([]model.Gesture, error)
}

var errUnexpected = errors.New("unexpected call")

func (f *fakeSource) FollowUps(x model.FollowUpFilter) ([]model.FollowUp, error) {
	return f.FollowUpsFn(x)
}
func (f *fakeSource) Customer(id model.ID) (*model.Customer, error)  { return f.CustomerFn(id) }
func (f *fakeSource) Notes(x model.NoteFilter) ([]model.Note, error) { return f.NotesFn(x) }
func (f *fakeSource) Events() ([]model.Event, error)                 { return f.EventsFn() }
func (f *fakeSource) Gestures(x model.GestureFilter) ([]model.Gesture, error) {
	return f.GesturesFn(x)
}

func (f *fakeSource) Gesture(model.ID) (*model.Gesture, error)             { return nil, errUnexpected }
func (f *fakeSource) CreateGesture(*model.Gesture) error                   { return errUnexpected }
func (f *fakeSource) UpdateGesture(*model.Gesture) error                   { return errUnexpected }
func (f *fakeSource) SetGestureStatus(model.ID, model.GestureStatus) error { return errUnexpected }
func (f *fakeSource) DeleteGesture(model.ID) error                         { return errUnexpected }
func (f *fakeSource) RevertGestureStatus(model.ID, model.GestureStatus, time.Time) error {
	return errUnexpected
}
func (f *fakeSource) Event(model.ID) (*model.Event, error) { return nil, errUnexpected }
func (f *fakeSource) CreateEvent(*model.Event) error       { return errUnexpected }
func (f *fakeSource) UpdateEvent(*model.Event) error       { return errUnexpected }
func (f *fakeSource) Invite(model.ID, []model.ID, model.Gesture) (int, error) {
	return 0, errUnexpected
}

func TestCollectFilter(t *testing.T) {
	cust := model.NewID()
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   Filter
		want model.FollowUpFilter
	}{
		{"default is open only", Filter{}, model.FollowUpFilter{Statuses: []model.FollowUpStatus{model.FollowUpOpen}}},
		{"everything passed on", Filter{From: from, To: from.AddDate(0, 1, 0), CustomerID: cust, Tag: "Messe Basel 2026", Assignee: "anna",
			Statuses: []model.FollowUpStatus{model.FollowUpOpen, model.FollowUpCancelled}},
			model.FollowUpFilter{From: from, To: from.AddDate(0, 1, 0), CustomerID: cust, Tag: "Messe Basel 2026", Assignee: "anna",
				Statuses: []model.FollowUpStatus{model.FollowUpOpen, model.FollowUpCancelled}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got model.FollowUpFilter
			src := &fakeSource{FollowUpsFn: func(f model.FollowUpFilter) ([]model.FollowUp, error) { got = f; return nil, nil }}
			items, err := Collect(src, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 0 {
				t.Errorf("got %d items, want 0", len(items))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got filter %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCollect(t *testing.T) {
	alive, gone := &model.Customer{Meta: model.Meta{ID: model.NewID()}, Company: "Müller AG"}, model.NewID()
	original := model.Note{Meta: model.Meta{ID: model.NewID()}, CustomerID: alive.ID, Text: "first"}
	revised := model.Note{Meta: model.Meta{ID: model.NewID()}, CustomerID: alive.ID, Text: "revised", Replaces: original.ID}
	other := model.Note{Meta: model.Meta{ID: model.NewID()}, CustomerID: alive.ID, Text: "other"}
	fus := []model.FollowUp{
		{Meta: model.Meta{ID: model.NewID()}, CustomerID: alive.ID, Title: "plain"},
		{Meta: model.Meta{ID: model.NewID()}, CustomerID: alive.ID, Title: "with note", NoteID: other.ID},
		{Meta: model.Meta{ID: model.NewID()}, CustomerID: alive.ID, Title: "revised note", NoteID: original.ID},
		{Meta: model.Meta{ID: model.NewID()}, CustomerID: gone, Title: "deleted customer"},
		{Meta: model.Meta{ID: model.NewID()}, CustomerID: alive.ID, Title: "missing note", NoteID: model.NewID()},
	}
	customerCalls, noteCalls := 0, 0
	src := &fakeSource{
		FollowUpsFn: func(model.FollowUpFilter) ([]model.FollowUp, error) { return fus, nil },
		CustomerFn: func(id model.ID) (*model.Customer, error) {
			customerCalls++
			if id == alive.ID {
				return alive, nil
			}
			return nil, model.Errorf(model.ENOTFOUND, "customer %s", id)
		},
		NotesFn: func(f model.NoteFilter) ([]model.Note, error) {
			noteCalls++
			if f.CustomerID != alive.ID {
				t.Errorf("got notes of %s, want of %s", f.CustomerID, alive.ID)
			}
			return []model.Note{revised, other}, nil // current versions only, as storage lists them
		},
	}
	items, err := Collect(src, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		s := it.FollowUp.Title + ":" + it.Customer.Company + ":"
		if it.Note != nil {
			s += it.Note.Text
		}
		got = append(got, s)
	}
	want := []string{"plain:Müller AG:", "with note:Müller AG:other", "revised note:Müller AG:revised", "missing note:Müller AG:"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if customerCalls != 2 || noteCalls != 1 {
		t.Errorf("got %d customer and %d note reads, want 2 and 1 (one per customer)", customerCalls, noteCalls)
	}
}

func TestCollectErrors(t *testing.T) {
	errDB := model.Errorf(model.EINTERNAL, "disk")
	fu := []model.FollowUp{{Meta: model.Meta{ID: model.NewID()}, CustomerID: model.NewID(), NoteID: model.NewID()}}
	tests := []struct {
		name string
		src  *fakeSource
	}{
		{"follow-ups", &fakeSource{FollowUpsFn: func(model.FollowUpFilter) ([]model.FollowUp, error) { return nil, errDB }}},
		{"customer", &fakeSource{
			FollowUpsFn: func(model.FollowUpFilter) ([]model.FollowUp, error) { return fu, nil },
			CustomerFn:  func(model.ID) (*model.Customer, error) { return nil, errDB },
		}},
		{"notes", &fakeSource{
			FollowUpsFn: func(model.FollowUpFilter) ([]model.FollowUp, error) { return fu, nil },
			CustomerFn:  func(id model.ID) (*model.Customer, error) { return &model.Customer{Meta: model.Meta{ID: id}}, nil },
			NotesFn:     func(model.NoteFilter) ([]model.Note, error) { return nil, errDB },
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Collect(tt.src, Filter{})
			if !errors.Is(err, errDB) || model.ErrorCode(err) != model.EINTERNAL {
				t.Errorf("got %v, want the source's EINTERNAL error", err)
			}
		})
	}
}

func TestCollectEvents(t *testing.T) {
	jan := time.Date(2026, 1, 10, 18, 0, 0, 0, time.UTC)
	evs := []model.Event{
		{Meta: model.Meta{ID: model.NewID()}, Name: "before", Start: jan.AddDate(-1, 0, 0)},
		{Meta: model.Meta{ID: model.NewID()}, Name: "in", Start: jan},
		{Meta: model.Meta{ID: model.NewID()}, Name: "after", Start: jan.AddDate(1, 0, 0)},
	}
	src := &fakeSource{
		EventsFn: func() ([]model.Event, error) { return evs, nil },
		GesturesFn: func(f model.GestureFilter) ([]model.Gesture, error) {
			if f.EventID != evs[1].ID || !reflect.DeepEqual(f.Kinds, []model.GestureKind{model.GestureInvite}) {
				t.Errorf("got gesture filter %+v, want invitations of %s", f, evs[1].ID)
			}
			return []model.Gesture{
				{Kind: model.GestureInvite, Status: model.GestureAccepted},
				{Kind: model.GestureInvite, Status: model.GestureOffered},
				{Kind: model.GestureInvite, Status: model.GestureDeclined},
			}, nil
		},
	}
	got, err := CollectEvents(src, jan.AddDate(0, -1, 0), jan.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Event.Name != "in" {
		t.Fatalf("got %+v, want only the event in range", got)
	}
	if want := (model.RSVP{Invited: 3, Accepted: 1, Declined: 1, Pending: 1}); got[0].RSVP != want {
		t.Errorf("got RSVP %+v, want %+v", got[0].RSVP, want)
	}
}
