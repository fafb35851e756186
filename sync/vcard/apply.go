package vcard

import (
	"bytes"
	"context"
	"fmt"

	"github.com/kundenkartei/kundenkartei/model"
)

// PhotoStore stores photos; model.CustomerService (and so storage.DB)
// implements it. Apply stores imported photos when its svc is one.
type PhotoStore interface {
	Photo(key string) ([]byte, error)
	SetPhoto(id model.ID, data []byte) error
}

// Result tells what Apply did.
type Result struct {
	Added     int              // customers created
	Updated   int              // cards merged into a customer that changed by it
	Unchanged int              // cards whose customer already held everything they carry
	Skipped   int              // cards left out by choice or because they cannot be saved
	Photos    int              // photos stored
	Failed    []Problem        // cards left out because they cannot be saved (Card.Err), and photos storage refused
	IDs       map[int]model.ID // Card.Index → the customer it was added as or merged into
	Actions   map[int]Action   // Card.Index → the action taken (Update/Overwrite without a match become Add)
}

// applyGroup is how many cards Apply merges and hands to SaveCustomers at
// a time: enough for SaveCustomers to work out one chunk while it writes
// the last, few enough that a large import holds a bounded number of
// cards.
const applyGroup = 4000

// Apply carries out the plan with the user's choices, in file order (a
// plan that reads its file again 4,000 cards at a time): it merges the
// cards, creates and updates their customers through svc.SaveCustomers
// (chunked, durable commits), then stores their photos when svc is a
// PhotoStore. progress, when set, gets the cards done so far and the
// total. Cancelling ctx stops between chunks; the chunks already
// committed stay (the caller took a backup before). Merges are field by
// field (see Merge); a card that carries nothing new for its customer
// leaves it untouched, so applying the same file twice changes nothing
// the second time. The stored customers cards merge into are read when
// their group is applied, so what changed since the preview is kept; one
// deleted since gets the card as a new customer.
//
// A plan is applied once: the customers it adds are the cards' own
// records (given their IDs here). A plan that did not keep its cards
// reads them again from its Source, and refuses a file that changed since
// the preview.
func (p *Plan) Apply(ctx context.Context, svc model.ImportService, ch Choices, progress func(done, total int)) (Result, error) {
	if p.applied {
		return Result{}, model.Errorf(model.EINVALID, "this import was carried out already; read the file again")
	}
	p.applied = true
	a := &applier{p: p, svc: svc, ch: ch, photoSet: map[model.ID]bool{},
		r: Result{IDs: map[int]model.ID{}, Actions: map[int]Action{}}}
	a.progress = func(done int) {
		if progress != nil {
			progress(done, len(p.Entries))
		}
	}
	if b, ok := svc.(bulkStore); ok {
		defer b.BeginBulk()()
	}
	// Cards the plan holds are applied in one group: they are in memory
	// anyway, and SaveCustomers works out each chunk while it writes the
	// last.
	size := applyGroup
	if p.cards != nil {
		size = max(len(p.Entries), 1)
	}
	var group [][]Card
	n := 0
	flush := func() error {
		err := a.group(ctx, group, n)
		group, n = nil, 0
		return err
	}
	err := p.source()(ctx, func(cards []Card) error {
		group = append(group, cards)
		if n += len(cards); n >= size {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil && a.done != len(p.Entries) {
		err = changedSince(len(p.Entries) + 1)
	}
	return a.r, err
}

// bulkStore is a store that does better told when a run of SaveCustomers
// calls begins and ends (storage.DB: it rebuilds its search index once, at
// the end).
type bulkStore interface{ BeginBulk() (end func()) }

// source returns where Apply takes the cards from: the blocks the plan
// holds (each let go of as it is handed over, so the plan holds a card
// only until its group is saved) or the file again.
func (p *Plan) source() Source {
	if p.cards == nil {
		return p.again
	}
	return func(ctx context.Context, fn func([]Card) error) error {
		blocks := p.cards
		p.cards = nil
		for i, b := range blocks {
			blocks[i] = nil
			if err := fn(b); err != nil {
				return err
			}
		}
		return nil
	}
}

func changedSince(card int) error {
	return model.WrapError(model.EINVALID, ErrChanged, "card %d differs; nothing after the last saved step was imported", card)
}

// applier carries out a plan group by group.
type applier struct {
	p        *Plan
	svc      model.ImportService
	ch       Choices
	r        Result
	done     int               // entries applied so far
	photoSet map[model.ID]bool // customers given a photo by this import
	progress func(done int)
}

type pending struct {
	c      *model.Customer
	create bool
}

type photoPut struct {
	card, line int
	id         model.ID
	data       []byte
	overwrite  bool
}

// group applies the next n cards (the blocks in file order).
func (a *applier) group(ctx context.Context, blocks [][]Card, n int) error {
	if n == 0 {
		return nil
	}
	entries, cards, err := a.cardsOf(blocks, n)
	if err != nil {
		return err
	}
	targets, err := a.load(entries)
	if err != nil {
		return err
	}
	g := groupWork{targets: targets, listed: map[model.ID]bool{}, changed: map[model.ID]bool{}}
	for i, card := range cards {
		a.place(&entries[i], card, &g)
	}
	var ups []*model.Customer
	for _, id := range g.order {
		if g.changed[id] {
			ups = append(ups, targets[id].c)
		}
	}
	records := len(g.creates) + len(ups)
	base := a.done
	err = a.svc.SaveCustomers(ctx, g.creates, ups, func(saved int) {
		a.progress(base + saved*n/max(records, 1))
	})
	if err != nil {
		return err
	}
	a.done += n
	if ps, ok := a.svc.(PhotoStore); ok {
		if err := storePhotos(ctx, ps, g.photos, targets, &a.r); err != nil {
			return err
		}
	}
	a.progress(a.done)
	return nil
}

// cardsOf returns the entries of the next n cards and the cards of blocks,
// which must be the cards the preview saw.
func (a *applier) cardsOf(blocks [][]Card, n int) ([]Entry, []*Card, error) {
	if a.done+n > len(a.p.Entries) {
		return nil, nil, changedSince(len(a.p.Entries) + 1)
	}
	entries := a.p.Entries[a.done : a.done+n]
	cards := make([]*Card, 0, n)
	for _, b := range blocks {
		for i := range b {
			e := &entries[len(cards)]
			if b[i].Index != e.Index || b[i].Line != e.Line {
				return nil, nil, changedSince(e.Index)
			}
			cards = append(cards, &b[i])
		}
	}
	return entries, cards, nil
}

// groupWork is what a group's cards make: customers to create, stored
// ones merged into, photos to store.
type groupWork struct {
	targets map[model.ID]*pending // by ID: the stored customers loaded, and the new ones
	creates []*model.Customer
	order   []model.ID        // stored customers merged into, in order
	listed  map[model.ID]bool // in order
	changed map[model.ID]bool // of those, the ones with a real change
	photos  []photoPut        // stored after the customers exist
}

// place decides what card (of entry e) does, and does it in g.
func (a *applier) place(e *Entry, card *Card, g *groupWork) {
	act := a.ch.actionFor(e)
	if act != Skip && e.Err != nil {
		a.r.Failed = append(a.r.Failed, Problem{Card: e.Index, Line: e.Line, Reason: model.ErrorMessage(e.Err)})
		act = Skip
	}
	a.r.Actions[e.Index] = act
	if act == Skip {
		a.r.Skipped++
		return
	}
	target := a.target(e, act, g.targets)
	if target == nil { // Add, or nothing to merge into
		c := &card.Customer
		c.ID = model.NewID()
		target = &pending{c: c, create: true}
		g.targets[c.ID] = target
		g.creates = append(g.creates, c)
		a.r.Added++
		a.r.Actions[e.Index] = Add
	} else {
		if !target.create && !g.listed[target.c.ID] {
			g.listed[target.c.ID] = true
			g.order = append(g.order, target.c.ID)
		}
		if model.MergeCustomer(target.c, &card.Customer, act == Overwrite, a.p.region) {
			g.changed[target.c.ID] = true
			a.r.Updated++
		} else {
			a.r.Unchanged++
		}
	}
	a.r.IDs[e.Index] = target.c.ID
	if card.PhotoData != nil && !a.photoSet[target.c.ID] && (act == Overwrite || target.create || target.c.Photo == "") {
		a.photoSet[target.c.ID] = true
		g.photos = append(g.photos, photoPut{card: e.Index, line: e.Line, id: target.c.ID, data: card.PhotoData, overwrite: !target.create && target.c.Photo != ""})
	}
}

// load reads the stored customers the cards of entries may merge into:
// their Existing, and where an earlier group put the card they are the
// same as; it returns them by ID.
func (a *applier) load(entries []Entry) (map[model.ID]*pending, error) {
	var want []model.ID
	seen := map[model.ID]bool{}
	for i := range entries {
		e := &entries[i]
		id := e.Existing
		if id == model.NilID && e.SameAs > 0 {
			id = a.r.IDs[e.SameAs] // NilID for a card of this group, or one skipped
		}
		if act := a.ch.actionFor(e); id == model.NilID || seen[id] || act != Update && act != Overwrite {
			continue
		}
		seen[id] = true
		want = append(want, id)
	}
	targets := make(map[model.ID]*pending, len(want))
	if len(want) == 0 {
		return targets, nil
	}
	stored, err := a.svc.Customers(want)
	if err != nil {
		return nil, fmt.Errorf("load the customers cards %d to %d merge into: %w", entries[0].Index, entries[len(entries)-1].Index, err)
	}
	for _, c := range stored {
		targets[c.ID] = &pending{c: c}
	}
	return targets, nil
}

// target returns what the card of e merges into with act: its stored
// customer, or where the earlier card of the file it is the same as went;
// nil for nothing (Add, a skipped earlier card, a customer deleted since
// the preview).
func (a *applier) target(e *Entry, act Action, targets map[model.ID]*pending) *pending {
	if act != Update && act != Overwrite {
		return nil
	}
	switch {
	case e.Existing != model.NilID:
		return targets[e.Existing]
	case e.SameAs > 0:
		if id, ok := a.r.IDs[e.SameAs]; ok {
			return targets[id]
		}
	}
	return nil
}

// storePhotos stores the photos after their customers exist, skipping one
// that equals the stored photo it would overwrite.
func storePhotos(ctx context.Context, ps PhotoStore, photos []photoPut, targets map[model.ID]*pending, r *Result) error {
	for i := range photos {
		ph := photos[i]
		photos[i].data = nil // a large import holds a photo only until it is stored
		if err := ctx.Err(); err != nil {
			return err
		}
		if ph.overwrite {
			if old, err := ps.Photo(targets[ph.id].c.Photo); err == nil && bytes.Equal(old, ph.data) {
				continue
			}
		}
		if err := ps.SetPhoto(ph.id, ph.data); model.ErrorCode(err) == model.EINVALID {
			// Not an image, or too large: the customer stays, without it.
			r.Failed = append(r.Failed, Problem{Card: ph.card, Line: ph.line, Field: "PHOTO", Reason: model.ErrorMessage(err)})
			continue
		} else if err != nil {
			return fmt.Errorf("store photo of %s: %w", ph.id, err)
		}
		r.Photos++
	}
	return nil
}
