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
	Existing *model.Customer // the stored customer the card is the same person as (model.SamePerson), nil when none
	Why      model.Sameness  // why the card is Existing
	SameAs   int             // Index of an earlier card of this file that is the same person; 0 for none
	WhySame  model.Sameness  // why the card is the same as card SameAs
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

// AllProblems returns the problems of the file outside any card (as Parse
// or the CSV reader returned them, which may repeat the cards' own) and
// those of the plan's cards, each once, by line. Notes are left out: Notes
// lists them.
func (p *Plan) AllProblems(file []Problem) []Problem {
	seen := make(map[Problem]bool, len(file))
	var out []Problem
	add := func(pr Problem) {
		if pr.Note == NoteNone && !seen[pr] {
			seen[pr] = true
			out = append(out, pr)
		}
	}
	for _, pr := range file {
		add(pr)
	}
	for _, e := range p.Problems {
		for _, pr := range e.Card.Problems {
			add(pr)
		}
	}
	sortProblems(out)
	return out
}

// Notes returns the notes of every card (Card.Notes: values kept verbatim
// in Extra, Outlook placeholders ignored), by line. Such cards import;
// the notes tell what was not taken over into a field.
func (p *Plan) Notes() []Problem {
	var out []Problem
	for i := range p.Entries {
		out = append(out, p.Entries[i].Card.Notes...)
	}
	sortProblems(out)
	return out
}

// PreviewOptions tune Preview.
type PreviewOptions struct {
	// Region reads phone numbers without a country code for matching
	// ("CH", "DE" …); "" means model.DefaultRegion.
	Region string
	// Progress, when set, is called every 500 cards with cards done and total.
	Progress func(done, total int)
}

// previewBlock is how many cards Preview matches in one read of the store,
// and how often it checks ctx and reports progress.
const previewBlock = 500

// Preview decides for every card whether it is the same person as a stored
// customer or as an earlier card of the same file, and groups the cards. It
// writes nothing. The store only proposes candidates (svc.MatchesAll: same
// UID, email, phone or name); model.SamePerson decides against the
// candidate's stored data, so a shared phone number alone never makes two
// people one. Per block of 500 cards it makes one MatchesAll and one
// Customers call. A card whose UID is "urn:uuid:<customer ID>" (as Encode
// writes) is matched against that customer too. It returns ctx.Err() when
// cancelled.
func Preview(ctx context.Context, cards []Card, svc model.ImportService, opt PreviewOptions) (*Plan, error) {
	p := &Plan{Entries: make([]Entry, len(cards)), region: opt.Region}
	own, err := ownUIDs(cards, svc, opt.Region)
	if err != nil {
		return nil, err
	}
	in := newFileIndex()
	ids := make([]*model.Identity, len(cards))
	for i := range cards {
		ids[i] = model.NewIdentity(&cards[i].Customer, opt.Region)
	}
	for i := 0; i < len(cards); i += previewBlock {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if opt.Progress != nil && i > 0 {
			opt.Progress(i, len(cards))
		}
		if err := p.matchBlock(cards[i:min(i+previewBlock, len(cards))], ids[i:], p.Entries[i:], svc, own); err != nil {
			return nil, err
		}
		for j := i; j < min(i+previewBlock, len(cards)); j++ {
			e := &p.Entries[j]
			keys := fileKeys(ids[j], cards[j].Customer.ExternalUIDs)
			e.SameAs, e.WhySame = in.sameAs(ids[j], lookupKeys(ids[j], keys), cards, ids)
			in.add(keys, j)
			switch {
			case len(cards[j].Problems) > 0 || cards[j].Err != nil:
				e.Group = GroupProblem
			case e.Existing != nil || e.SameAs > 0:
				e.Group = GroupMatching
			default:
				e.Group = GroupNew
			}
		}
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

// matchBlock finds the stored customer each card of block is the same
// person as: candidates from the store's indexes (phone candidates only
// for cards that have nothing but phones, the one case a phone can decide),
// loaded in one call, judged by model.SamePerson; the strongest reason wins.
func (p *Plan) matchBlock(block []Card, ids []*model.Identity, entries []Entry, svc model.ImportService, own map[string]*model.Identity) error {
	cs := make([]*model.Customer, len(block))
	for j := range block {
		cs[j] = &block[j].Customer
	}
	// The store looks up phone numbers only for the cards that have
	// nothing else: for the others a phone candidate is dropped below
	// anyway, and reading every number costs more than the rest of the
	// lookup.
	ask := make([]*model.Customer, len(block))
	for j, c := range cs {
		ask[j] = c
		if len(c.Phones) > 0 && !ids[j].PhoneOnly() {
			bare := *c
			bare.Phones = nil
			ask[j] = &bare
		}
	}
	found, err := svc.MatchesAll(ask)
	if err != nil {
		return fmt.Errorf("match cards %d to %d: %w", block[0].Index, block[len(block)-1].Index, err)
	}
	var want []model.ID
	seen := map[model.ID]bool{}
	for j, ms := range found {
		bare := ids[j].PhoneOnly()
		keep := ms[:0]
		for _, m := range ms {
			if m.By == model.MatchPhone && !bare {
				continue
			}
			keep = append(keep, m)
			if !seen[m.ID] {
				seen[m.ID] = true
				want = append(want, m.ID)
			}
		}
		found[j] = keep
	}
	byID := map[model.ID]*model.Identity{}
	if len(want) > 0 {
		stored, err := svc.Customers(want)
		if err != nil {
			return fmt.Errorf("load candidates of cards %d to %d: %w", block[0].Index, block[len(block)-1].Index, err)
		}
		for _, c := range stored {
			byID[c.ID] = model.NewIdentity(c, p.region)
		}
	}
	for j := range block {
		e := &entries[j]
		e.Card = &block[j]
		var cands []*model.Identity
		for _, u := range cs[j].ExternalUIDs {
			if c := own[u]; c != nil {
				cands = append(cands, c)
			}
		}
		for _, m := range found[j] {
			if c := byID[m.ID]; c != nil {
				cands = append(cands, c)
			}
		}
		best := -1
		for _, c := range cands {
			if why, ok := ids[j].Same(c); ok && (best < 0 || rank(why.Reason) < best) {
				best, e.Existing, e.Why = rank(why.Reason), c.Customer(), why
			}
		}
	}
	return nil
}

// rank orders the reasons, strongest first.
func rank(r model.SameReason) int {
	for i, x := range model.SameReasons {
		if x == r {
			return i
		}
	}
	return 99
}

// ownUIDs finds the cards whose UID names one of our customers
// (urn:uuid:<id>, as Encode writes) and returns those customers by UID.
func ownUIDs(cards []Card, svc model.ImportService, region string) (map[string]*model.Identity, error) {
	var ids []model.ID
	byID := map[model.ID][]string{}
	for i := range cards {
		for _, u := range cards[i].Customer.ExternalUIDs {
			if id, ok := ownID(u); ok {
				if byID[id] == nil {
					ids = append(ids, id)
				}
				byID[id] = append(byID[id], u)
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
	known := make(map[string]*model.Identity, len(cs))
	for _, c := range cs {
		x := model.NewIdentity(c, region)
		for _, u := range byID[c.ID] {
			known[u] = x
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
// changes nothing the second time. A plan is applied once: the customers
// it adds are the cards' own Customer records (given their IDs here, and
// holding what later cards of the same person add); once its chunk is
// committed, the customer of a card of GroupNew keeps only its ID (see
// creations.saved), so a large import does not hold every card to the end.
func (p *Plan) Apply(ctx context.Context, svc model.ImportService, ch Choices, progress func(done, total int)) (Result, error) {
	r := Result{IDs: map[int]model.ID{}, Actions: map[int]Action{}}
	byTarget := map[int]*pending{}   // Card.Index → where the card went, for SameAs
	updateIDs := map[model.ID]bool{} // stored customers with a real change
	var photos []photoPut            // stored after the customers exist
	var creates creations
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
			target = mergeTarget(e, updates, &updateOrder, byTarget)
		}
		if target == nil { // Add, or nothing to merge into
			// The card's own record becomes the new customer, and later
			// cards of the same person merge into it: a copy of every
			// added card would double the memory of a large import.
			c := &e.Card.Customer
			c.ID = model.NewID()
			target = &pending{c: c, create: true}
			creates.add(c, e)
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
	total := len(creates.cs) + len(ups) + len(photos)
	prog := func(done int) {
		creates.saved(done)
		if progress != nil {
			progress(done, total)
		}
	}
	if err := svc.SaveCustomers(ctx, creates.cs, ups, prog); err != nil {
		return r, err
	}
	ps, ok := svc.(PhotoStore)
	if !ok {
		return r, nil
	}
	err := storePhotos(ctx, ps, photos, updates, &r, func(done int) {
		if progress != nil {
			progress(len(creates.cs)+len(ups)+done, total)
		}
	})
	return r, err
}

// creations are the customers Apply creates, in order, with the card of
// each that is in GroupNew (nil for the others).
type creations struct {
	cs       []*model.Customer
	fresh    []*Card
	released int // cs[:released] were let go of (see saved)
}

func (n *creations) add(c *model.Customer, e *Entry) {
	n.cs = append(n.cs, c)
	if e.Group == GroupNew {
		n.fresh = append(n.fresh, e.Card)
	} else {
		n.fresh = append(n.fresh, nil)
	}
}

// saved lets go of what the cards of new customers hold once their chunk
// is committed (done records are saved, creations first). A large import
// then holds its cards' fields, lists and strings only until then, not
// through the whole commit. Only cards of GroupNew are let go: the
// preview lists the others (GroupMatching, GroupProblem) after the
// import too. What stays is the card's customer ID (as in Result.IDs)
// and its Index, Line, Problems and Notes; its photo is stored from
// Apply's own list, which lets go of each once stored.
func (n *creations) saved(done int) {
	for ; n.released < min(done, len(n.cs)); n.released++ {
		if c := n.fresh[n.released]; c != nil {
			c.Customer = model.Customer{Meta: model.Meta{ID: c.Customer.ID}}
			c.PhotoData = nil
		}
	}
}

// mergeTarget returns what card e merges into: its stored customer (a
// copy, loaded once for all its cards), or where the earlier card of the
// file it is the same as went; nil for nothing.
func mergeTarget(e *Entry, updates map[model.ID]*pending, order *[]model.ID, byTarget map[int]*pending) *pending {
	switch {
	case e.Existing != nil:
		target := updates[e.Existing.ID]
		if target == nil {
			target = &pending{c: cloneCustomer(e.Existing)}
			updates[e.Existing.ID] = target
			*order = append(*order, e.Existing.ID)
		}
		return target
	case e.SameAs > 0:
		return byTarget[e.SameAs]
	}
	return nil
}

// storePhotos stores the photos after their customers exist, skipping one
// that equals the stored photo it would overwrite; progress gets the
// number stored so far.
func storePhotos(ctx context.Context, ps PhotoStore, photos []photoPut, updates map[model.ID]*pending, r *Result, progress func(done int)) error {
	for i := range photos {
		ph := photos[i]
		photos[i].data = nil // a large import holds a photo only until it is stored
		if err := ctx.Err(); err != nil {
			return err
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
			return fmt.Errorf("store photo of %s: %w", ph.id, err)
		}
		r.Photos++
		progress(r.Photos)
	}
	return nil
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
