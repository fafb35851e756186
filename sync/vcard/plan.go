package vcard

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/kundenkartei/kundenkartei/model"
)

// Group is where the preview puts a card.
type Group int

// The preview groups.
const (
	GroupNew      Group = iota + 1 // matches no stored customer and no earlier card of the file
	GroupMatching                  // matches a stored customer, or an earlier card of the file
	GroupProblem                   // has Problems (possibly matches as well)
)

// Action is what Apply does with a card.
type Action int

// The actions. The zero Action means "use the group's choice".
const (
	Add       Action = iota + 1 // create a new customer, even when one matches
	Update                      // fill the empty fields of the matching customer (sets merged); Add when none matches
	Overwrite                   // overwrite the matching customer's fields with the card's non-empty ones; Add when none matches
	Skip                        // leave the card out
)

// String names the action for logs.
func (a Action) String() string {
	switch a {
	case Add:
		return "add"
	case Update:
		return "update"
	case Overwrite:
		return "overwrite"
	case Skip:
		return "skip"
	}
	return "default"
}

// Choices are the user's decisions in the preview: one Action per group,
// and optionally one per card (by Card.Index) that takes precedence. For
// the problem group Update is usually the right "import anyway": it fills
// a matching customer and adds the card when nothing matches, where Add
// would create a duplicate of a match.
type Choices struct {
	New      Action
	Matching Action
	Problem  Action
	PerCard  map[int]Action
}

// DefaultChoices adds new cards, fills the empty fields of matching
// customers and skips problematic cards; importing the same file twice with
// them changes nothing the second time.
func DefaultChoices() Choices {
	return Choices{New: Add, Matching: Update, Problem: Skip}
}

func (ch Choices) actionFor(e *Entry) Action {
	if a := ch.PerCard[e.Card.Index]; a != 0 {
		return a
	}
	var a Action
	switch e.Group {
	case GroupNew:
		a = ch.New
	case GroupMatching:
		a = ch.Matching
	case GroupProblem:
		a = ch.Problem
	}
	if a == 0 {
		a = DefaultChoices().actionFor(&Entry{Card: e.Card, Group: e.Group})
	}
	return a
}

// Entry is one card in the preview.
type Entry struct {
	Card     *Card
	Group    Group
	Matches  []model.Match   // stored customers the card may duplicate, strongest first
	Existing *model.Customer // the first match as stored, nil when none
	SameAs   int             // Index of an earlier card of this file with the same UID, email or phone; 0 for none
}

// Plan is the preview of an import: every card in file order, grouped.
type Plan struct {
	Entries  []Entry
	New      []*Entry // GroupNew, in file order
	Matching []*Entry // GroupMatching
	Problems []*Entry // GroupProblem
	region   string
}

// Counts is the preview's summary.
type Counts struct {
	Total, New, Matching, Problems int
}

// Counts returns how many cards are in each group.
func (p *Plan) Counts() Counts {
	return Counts{Total: len(p.Entries), New: len(p.New), Matching: len(p.Matching), Problems: len(p.Problems)}
}

// PreviewOptions tune Preview.
type PreviewOptions struct {
	// Region reads phone numbers without a country code for matching
	// within the file ("CH", "DE" …); "" means model.DefaultRegion.
	Region string
	// Progress, when set, is called every 500 cards with cards done and total.
	Progress func(done, total int)
}

// previewBlock is how many cards Preview matches in one read of the store,
// and how often it checks ctx and reports progress.
const previewBlock = 500

// Preview matches every card against the stored customers (svc.MatchesAll,
// which compares UID, normalized email, E.164 phone, folded name + company)
// and against the earlier cards of the same file, and groups the cards. It
// writes nothing. A card whose UID is "urn:uuid:<customer ID>" (as Encode
// writes) matches that customer by UID. It returns ctx.Err() when cancelled.
func Preview(ctx context.Context, cards []Card, svc model.ImportService, opt PreviewOptions) (*Plan, error) {
	p := &Plan{Entries: make([]Entry, len(cards)), region: opt.Region}
	known, err := ownUIDs(cards, svc)
	if err != nil {
		return nil, err
	}
	inFile := map[string]int{} // key → Index of the first card carrying it
	var keys []string
	var block [][]model.Match // stored matches of cards[i-i%previewBlock:], one read per block
	for i := range cards {
		if i%previewBlock == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if opt.Progress != nil && i > 0 {
				opt.Progress(i, len(cards))
			}
			cs := make([]*model.Customer, 0, previewBlock)
			for j := i; j < min(i+previewBlock, len(cards)); j++ {
				cs = append(cs, &cards[j].Customer)
			}
			if block, err = svc.MatchesAll(cs); err != nil {
				return nil, fmt.Errorf("match cards %d to %d: %w", cards[i].Index, cards[i+len(cs)-1].Index, err)
			}
		}
		c := &cards[i]
		e := &p.Entries[i]
		e.Card = c
		ms := block[i%previewBlock]
		for _, u := range c.Customer.ExternalUIDs {
			if id, ok := known[u]; ok {
				ms = prependMatch(ms, model.Match{ID: id, By: model.MatchUID})
			}
		}
		e.Matches = ms
		keys = cardKeys(&c.Customer, opt.Region, keys[:0])
		for _, k := range keys {
			if first, ok := inFile[k]; ok && e.SameAs == 0 {
				e.SameAs = first
			}
		}
		for _, k := range keys {
			if _, ok := inFile[k]; !ok {
				inFile[k] = c.Index
			}
		}
		switch {
		case len(c.Problems) > 0 || c.Err != nil:
			e.Group = GroupProblem
		case len(ms) > 0 || e.SameAs > 0:
			e.Group = GroupMatching
		default:
			e.Group = GroupNew
		}
	}
	if err := p.loadExisting(svc); err != nil {
		return nil, err
	}
	for i := range p.Entries {
		e := &p.Entries[i]
		switch e.Group {
		case GroupNew:
			p.New = append(p.New, e)
		case GroupMatching:
			p.Matching = append(p.Matching, e)
		default:
			p.Problems = append(p.Problems, e)
		}
	}
	if opt.Progress != nil {
		opt.Progress(len(cards), len(cards))
	}
	return p, nil
}

// ownUIDs finds the cards whose UID names one of our customers
// (urn:uuid:<id>, as Encode writes) and returns those that exist.
func ownUIDs(cards []Card, svc model.ImportService) (map[string]model.ID, error) {
	var ids []model.ID
	byID := map[model.ID]string{}
	for i := range cards {
		for _, u := range cards[i].Customer.ExternalUIDs {
			if id, ok := ownID(u); ok {
				ids = append(ids, id)
				byID[id] = u
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	cs, err := svc.Customers(ids)
	if err != nil {
		return nil, fmt.Errorf("look up exported customers: %w", err)
	}
	known := make(map[string]model.ID, len(cs))
	for _, c := range cs {
		if u, ok := byID[c.ID]; ok {
			known[u] = c.ID
		}
	}
	return known, nil
}

func ownID(uid string) (model.ID, bool) {
	s, ok := strings.CutPrefix(strings.ToLower(uid), "urn:uuid:")
	if !ok {
		return model.NilID, false
	}
	id, err := model.ParseID(s)
	return id, err == nil
}

func prependMatch(ms []model.Match, m model.Match) []model.Match {
	out := []model.Match{m}
	for _, x := range ms {
		if x.ID != m.ID {
			out = append(out, x)
		}
	}
	return out
}

// cardKeys appends the in-file dedupe keys of c: UIDs, normalized emails
// and E.164 phones. Names are left out on purpose: two "Hans Müller" in one
// address book are more often two people than one.
func cardKeys(c *model.Customer, region string, keys []string) []string {
	for _, u := range c.ExternalUIDs {
		keys = append(keys, "u:"+u)
	}
	for _, e := range c.Emails {
		keys = append(keys, "e:"+model.NormalizeEmail(e.Address))
	}
	for _, ph := range c.Phones {
		if k := model.PhoneKey(ph.Number, region); k != "" {
			keys = append(keys, "p:"+k)
		}
	}
	return keys
}

func (p *Plan) loadExisting(svc model.ImportService) error {
	var ids []model.ID
	seen := map[model.ID]bool{}
	for i := range p.Entries {
		if ms := p.Entries[i].Matches; len(ms) > 0 && !seen[ms[0].ID] {
			seen[ms[0].ID] = true
			ids = append(ids, ms[0].ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	cs, err := svc.Customers(ids)
	if err != nil {
		return fmt.Errorf("load matching customers: %w", err)
	}
	byID := make(map[model.ID]*model.Customer, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
	}
	for i := range p.Entries {
		if ms := p.Entries[i].Matches; len(ms) > 0 {
			p.Entries[i].Existing = byID[ms[0].ID]
		}
	}
	return nil
}

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

// Apply carries out the plan with the user's choices: it creates and
// updates customers through svc.SaveCustomers (chunked, durable commits),
// then stores photos when svc is a PhotoStore. progress, when set, gets the
// records saved so far and the total. Cancelling ctx stops between chunks;
// the chunks already committed stay (the caller took a backup before).
// Merges are field by field (see Merge); a card that carries nothing new
// for its customer leaves it untouched, so applying the same file twice
// changes nothing the second time.
func (p *Plan) Apply(ctx context.Context, svc model.ImportService, ch Choices, progress func(done, total int)) (Result, error) {
	r := Result{IDs: map[int]model.ID{}, Actions: map[int]Action{}}
	byTarget := map[int]*pending{}   // Card.Index → where the card went, for SameAs
	updateIDs := map[model.ID]bool{} // stored customers with a real change
	var photos []photoPut            // stored after the customers exist
	var creates []*model.Customer
	var updateOrder []model.ID
	updates := map[model.ID]*pending{}
	photoSet := map[model.ID]bool{}
	for i := range p.Entries {
		e := &p.Entries[i]
		a := ch.actionFor(e)
		if a != Skip && e.Card.Err != nil {
			r.Failed = append(r.Failed, Problem{Card: e.Card.Index, Line: e.Card.Line, Reason: model.ErrorMessage(e.Card.Err)})
			a = Skip
		}
		r.Actions[e.Card.Index] = a
		if a == Skip {
			r.Skipped++
			continue
		}
		var target *pending
		if a == Update || a == Overwrite {
			switch {
			case e.Existing != nil:
				target = updates[e.Existing.ID]
				if target == nil {
					target = &pending{c: cloneCustomer(e.Existing)}
					updates[e.Existing.ID] = target
					updateOrder = append(updateOrder, e.Existing.ID)
				}
			case e.SameAs > 0 && byTarget[e.SameAs] != nil:
				target = byTarget[e.SameAs]
			}
		}
		if target == nil { // Add, or nothing to merge into
			c := cloneCustomer(&e.Card.Customer)
			c.ID = model.NewID()
			target = &pending{c: c, create: true}
			creates = append(creates, c)
			r.Added++
			r.Actions[e.Card.Index] = Add
		} else {
			changed := model.MergeCustomer(target.c, &e.Card.Customer, a == Overwrite, p.region)
			if !target.create && changed {
				updateIDs[target.c.ID] = true
			}
			if changed {
				r.Updated++
			} else {
				r.Unchanged++
			}
		}
		byTarget[e.Card.Index] = target
		r.IDs[e.Card.Index] = target.c.ID
		if e.Card.PhotoData != nil && !photoSet[target.c.ID] && (a == Overwrite || target.create || target.c.Photo == "") {
			photoSet[target.c.ID] = true
			photos = append(photos, photoPut{card: e.Card.Index, line: e.Card.Line, id: target.c.ID, data: e.Card.PhotoData, overwrite: !target.create && target.c.Photo != ""})
		}
	}
	var ups []*model.Customer
	for _, id := range updateOrder {
		if updateIDs[id] {
			ups = append(ups, updates[id].c)
		}
	}
	total := len(creates) + len(ups) + len(photos)
	var prog func(int)
	if progress != nil {
		prog = func(done int) { progress(done, total) }
	}
	if err := svc.SaveCustomers(ctx, creates, ups, prog); err != nil {
		return r, err
	}
	ps, ok := svc.(PhotoStore)
	if !ok {
		return r, nil
	}
	done := len(creates) + len(ups)
	for _, ph := range photos {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		if ph.overwrite {
			if old, err := ps.Photo(updates[ph.id].c.Photo); err == nil && bytes.Equal(old, ph.data) {
				continue
			}
		}
		if err := ps.SetPhoto(ph.id, ph.data); model.ErrorCode(err) == model.EINVALID {
			// Not an image, or too large: the customer stays, without it.
			r.Failed = append(r.Failed, Problem{Card: ph.card, Line: ph.line, Field: "PHOTO", Reason: model.ErrorMessage(err)})
			continue
		} else if err != nil {
			return r, fmt.Errorf("store photo of %s: %w", ph.id, err)
		}
		r.Photos++
		done++
		if progress != nil {
			progress(done, total)
		}
	}
	return r, nil
}

// cloneCustomer deep-copies the slices of c so merging never changes the
// stored or parsed original.
func cloneCustomer(c *model.Customer) *model.Customer {
	d := *c
	d.Emails = append([]model.Email(nil), c.Emails...)
	d.Phones = append([]model.Phone(nil), c.Phones...)
	d.Addresses = append([]model.Address(nil), c.Addresses...)
	d.Tags = append([]string(nil), c.Tags...)
	d.Consents = append([]model.Consent(nil), c.Consents...)
	d.ExternalUIDs = append([]string(nil), c.ExternalUIDs...)
	d.Extra = append([]model.ExtraProp(nil), c.Extra...)
	return &d
}
