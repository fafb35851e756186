package ical

import (
	"fmt"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// Filter selects the follow-ups to export. Zero fields do not filter,
// except Statuses: empty means open follow-ups only, what a calendar is for.
type Filter struct {
	From, To   time.Time // Due in [From, To)
	CustomerID model.ID  // one customer
	Tag        string    // customers carrying this tag
	Assignee   string    // "mine only": the user's name
	Statuses   []model.FollowUpStatus
}

// Source is what Collect reads from; storage's *DB satisfies it.
type Source interface {
	FollowUps(f model.FollowUpFilter) ([]model.FollowUp, error)
	Customer(id model.ID) (*model.Customer, error)
	Notes(f model.NoteFilter) ([]model.Note, error)
}

// Collect gathers the follow-ups f selects, each with its customer and the
// note behind it, by due time. Follow-ups of deleted customers are left out,
// as everywhere else in the app. Errors from svc come back wrapped, with
// their code.
func Collect(svc Source, f Filter) ([]Item, error) {
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []model.FollowUpStatus{model.FollowUpOpen}
	}
	fus, err := svc.FollowUps(model.FollowUpFilter{
		CustomerID: f.CustomerID, Statuses: statuses, From: f.From, To: f.To, Assignee: f.Assignee, Tag: f.Tag,
	})
	if err != nil {
		return nil, fmt.Errorf("export follow-ups: %w", err)
	}
	customers := map[model.ID]*model.Customer{}
	notes := map[model.ID]*noteIndex{} // by customer, loaded when a follow-up needs one
	items := make([]Item, 0, len(fus))
	for _, fu := range fus {
		c, seen := customers[fu.CustomerID]
		if !seen {
			c, err = svc.Customer(fu.CustomerID)
			if model.ErrorCode(err) == model.ENOTFOUND {
				c, err = nil, nil
			}
			if err != nil {
				return nil, fmt.Errorf("export follow-up %s: %w", fu.ID, err)
			}
			customers[fu.CustomerID] = c
		}
		if c == nil {
			continue
		}
		it := Item{FollowUp: fu, Customer: c}
		if fu.NoteID != model.NilID {
			idx := notes[fu.CustomerID]
			if idx == nil {
				// The model has no lookup of one note by ID, so the
				// customer's notes are read once and indexed.
				ns, err := svc.Notes(model.NoteFilter{CustomerID: fu.CustomerID})
				if err != nil {
					return nil, fmt.Errorf("export follow-up %s: %w", fu.ID, err)
				}
				idx = newNoteIndex(ns)
				notes[fu.CustomerID] = idx
			}
			it.Note = idx.current(fu.NoteID)
		}
		items = append(items, it)
	}
	return items, nil
}

// noteIndex finds a note by ID, following revisions: a follow-up links the
// note as it was then, the export shows its current text.
type noteIndex struct {
	byID      map[model.ID]*model.Note
	revisedBy map[model.ID]*model.Note
}

func newNoteIndex(ns []model.Note) *noteIndex {
	idx := &noteIndex{byID: map[model.ID]*model.Note{}, revisedBy: map[model.ID]*model.Note{}}
	for i := range ns {
		n := &ns[i]
		idx.byID[n.ID] = n
		if n.Replaces != model.NilID {
			idx.revisedBy[n.Replaces] = n
		}
	}
	return idx
}

// current returns the newest version of note id, or nil when it is gone.
// Notes lists current versions only, so a note revised once is found by
// its revision; one revised twice cannot be traced back and is left out
// (the model has no lookup of a note by ID).
func (x *noteIndex) current(id model.ID) *model.Note {
	if n := x.byID[id]; n != nil {
		return n
	}
	return x.revisedBy[id]
}

// CollectEvents gathers live events that start in [from, to) (zero bounds
// do not limit) with their invitation counts.
func CollectEvents(svc model.GestureService, from, to time.Time) ([]EventItem, error) {
	evs, err := svc.Events()
	if err != nil {
		return nil, fmt.Errorf("export events: %w", err)
	}
	var out []EventItem
	for _, e := range evs {
		if (!from.IsZero() && e.Start.Before(from)) || (!to.IsZero() && !e.Start.Before(to)) {
			continue
		}
		inv, err := svc.Gestures(model.GestureFilter{EventID: e.ID, Kinds: []model.GestureKind{model.GestureInvite}})
		if err != nil {
			return nil, fmt.Errorf("export event %s: %w", e.ID, err)
		}
		out = append(out, EventItem{Event: e, RSVP: model.CountRSVP(inv)})
	}
	return out, nil
}
