package vcard

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/kundenkartei/kundenkartei/model"
)

// PreviewOptions tune Preview.
type PreviewOptions struct {
	// Region reads phone numbers without a country code for matching
	// ("CH", "DE" …); "" means model.DefaultRegion.
	Region string
	// Progress, when set, is called by Preview every 500 cards with cards
	// done and total. PreviewEach leaves progress to its Source.
	Progress func(done, total int)
	// Keep is how many cards PreviewEach holds for Apply; past it the plan
	// lets go of them and Apply reads the file again. 0 means KeepCards.
	Keep int
}

// previewBlock is how many cards Preview matches in one read of the store,
// and how often it checks ctx and reports progress.
const previewBlock = 500

// KeepCards is how many cards a plan holds by default: an address book of
// up to this many is read once, a larger one twice (for the preview, and
// again to apply it), so that its import never holds more than a block of
// whole cards, whatever the file's size.
const KeepCards = 20000

// Preview decides for every card whether it is the same person as a stored
// customer or as an earlier card of the same file, and groups the cards. It
// writes nothing. The store only proposes candidates (svc.MatchesAll: same
// UID, email, phone or name); model.SamePerson decides against the
// candidate's stored data, so a shared phone number alone never makes two
// people one. Per block of 500 cards it makes one MatchesAll and one
// Customers call. A card whose UID is "urn:uuid:<customer ID>" (as Encode
// writes) is matched against that customer too. The plan holds cards
// until they are applied. It returns ctx.Err() when cancelled.
func Preview(ctx context.Context, cards []Card, svc model.ImportService, opt PreviewOptions) (*Plan, error) {
	pv := newPreviewer(svc, opt.Region, len(cards))
	for i := 0; i < len(cards); i += previewBlock {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if opt.Progress != nil && i > 0 {
			opt.Progress(i, len(cards))
		}
		if err := pv.add(cards[i:min(i+previewBlock, len(cards))]); err != nil {
			return nil, err
		}
	}
	if opt.Progress != nil {
		opt.Progress(len(cards), len(cards))
	}
	return pv.done(), nil
}

// PreviewEach is Preview of the cards src hands over, for a file of any
// size: the plan holds up to opt.Keep of them (KeepCards by default) for
// Apply; past that it lets go of each block once matched, keeps only the
// entries and what the matching of later cards needs of earlier ones
// (model.Identity.Detach), and Apply calls src again.
func PreviewEach(ctx context.Context, src Source, svc model.ImportService, opt PreviewOptions) (*Plan, error) {
	keep := opt.Keep
	if keep <= 0 {
		keep = KeepCards
	}
	if b, ok := svc.(bulkStore); ok {
		defer b.BeginBulk()()
	}
	pv := newPreviewer(svc, opt.Region, 0)
	err := src(ctx, func(cards []Card) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := pv.add(cards); err != nil {
			return err
		}
		if pv.p.cards != nil && len(pv.p.Entries) > keep {
			pv.letGo()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	p := pv.done()
	if p.cards == nil {
		p.again = src
	}
	return p, nil
}

// previewer builds a plan a block of cards at a time.
type previewer struct {
	p   *Plan
	svc model.ImportService
	in  *fileIndex
	ids []*model.Identity // of every card so far, in order
	// own are the stored customers cards name by our UID, by UID.
	own map[string]*model.Identity
}

func newPreviewer(svc model.ImportService, region string, n int) *previewer {
	p := &Plan{Entries: make([]Entry, 0, n), region: region, cards: [][]Card{}}
	return &previewer{p: p, svc: svc, in: newFileIndex(n), ids: make([]*model.Identity, 0, n), own: map[string]*model.Identity{}}
}

// add matches the next cards of the file. While the plan holds its cards
// it keeps the block; otherwise it lets go of it.
func (pv *previewer) add(block []Card) error {
	p := pv.p
	if err := ownUIDs(block, pv.svc, p.region, pv.own); err != nil {
		return err
	}
	base := len(p.Entries)
	// A card's identity, entry and file keys are its own: worked out on
	// every core; the matching against earlier cards then runs in order.
	pv.ids = append(pv.ids, make([]*model.Identity, len(block))...)
	p.Entries = append(p.Entries, make([]Entry, len(block))...)
	keys := make([][]uint64, len(block))
	eachPart(len(block), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			c := &block[i]
			x := model.NewIdentity(&c.Customer, p.region)
			pv.ids[base+i] = x
			p.Entries[base+i] = Entry{Index: c.Index, Line: c.Line, Name: strings.Clone(c.Customer.DisplayName()),
				Problems: ownProblems(c.Problems), Notes: ownProblems(c.Notes), Err: c.Err}
			keys[i] = fileKeys(x, c.Customer.ExternalUIDs)
		}
	})
	if err := p.matchBlock(block, pv.ids[base:], p.Entries[base:], pv.svc, pv.own); err != nil {
		return err
	}
	for j := base; j < len(p.Entries); j++ {
		e, keys := &p.Entries[j], keys[j-base]
		e.SameAs, e.WhySame = pv.in.sameAs(pv.ids[j], lookupKeys(pv.ids[j], keys), p.Entries, pv.ids)
		e.WhySame.Value = strings.Clone(e.WhySame.Value) // may be cut from the card
		pv.in.add(keys, j)
		switch {
		case len(e.Problems) > 0 || e.Err != nil:
			e.Group = GroupProblem
		case e.Existing != model.NilID || e.SameAs > 0:
			e.Group = GroupMatching
		default:
			e.Group = GroupNew
		}
	}
	if p.cards != nil {
		p.cards = append(p.cards, block)
	} else {
		pv.detach(base)
	}
	return nil
}

// eachPart calls fn on parts of [0, n), one per core, and waits for them.
func eachPart(n int, fn func(lo, hi int)) {
	parts := min(runtime.GOMAXPROCS(0), n/64+1)
	var wg sync.WaitGroup
	for w := 1; w < parts; w++ {
		wg.Go(func() { fn(n*w/parts, n*(w+1)/parts) })
	}
	fn(0, n/parts)
	wg.Wait()
}

// letGo makes the plan let go of the cards it holds: their identities
// get their own copies of what they compare.
func (pv *previewer) letGo() {
	pv.p.cards = nil
	pv.detach(0)
}

func (pv *previewer) detach(from int) {
	for _, x := range pv.ids[from:] {
		x.Detach()
	}
}

// done groups the entries and lets go of what only the matching needed.
func (pv *previewer) done() *Plan {
	p := pv.p
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
	pv.ids, pv.in = nil, nil
	return p
}

// ownProblems copies ps with strings of their own: a card's problems are
// cut from the card's memory, which a plan of a large file lets go of.
func ownProblems(ps []Problem) []Problem {
	if len(ps) == 0 {
		return nil
	}
	out := make([]Problem, len(ps))
	for i, pr := range ps {
		pr.Field, pr.Reason, pr.Value = strings.Clone(pr.Field), strings.Clone(pr.Reason), strings.Clone(pr.Value)
		out[i] = pr
	}
	return out
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
	// lookup. Their numbers are taken off for the call and put back (a
	// copy of each customer without them cost 6 MB per 10,000 cards).
	hidden := make([][]model.Phone, len(block))
	for j, c := range cs {
		if len(c.Phones) > 0 && !ids[j].PhoneOnly() {
			hidden[j], c.Phones = c.Phones, nil
		}
	}
	found, err := svc.MatchesAll(cs)
	for j, c := range cs {
		if hidden[j] != nil {
			c.Phones = hidden[j]
		}
	}
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
				best, e.Existing, e.ExistingName, e.Why = rank(why.Reason), c.Customer().ID, c.Customer().DisplayName(), why
			}
		}
		e.Why.Value = strings.Clone(e.Why.Value) // may be cut from the card
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

// ownUIDs adds to known the stored customers that cards name by our UID
// (urn:uuid:<id>, as Encode writes), by UID.
func ownUIDs(cards []Card, svc model.ImportService, region string, known map[string]*model.Identity) error {
	var ids []model.ID
	byID := map[model.ID][]string{}
	for i := range cards {
		for _, u := range cards[i].Customer.ExternalUIDs {
			if _, ok := known[u]; ok {
				continue
			}
			if id, ok := ownID(u); ok {
				if byID[id] == nil {
					ids = append(ids, id)
				}
				byID[id] = append(byID[id], strings.Clone(u))
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	cs, err := svc.Customers(ids)
	if err != nil {
		return fmt.Errorf("look up exported customers: %w", err)
	}
	for _, c := range cs {
		x := model.NewIdentity(c, region)
		for _, u := range byID[c.ID] {
			known[u] = x
		}
	}
	return nil
}

func ownID(uid string) (model.ID, bool) {
	s, ok := strings.CutPrefix(strings.ToLower(uid), "urn:uuid:")
	if !ok {
		return model.NilID, false
	}
	id, err := model.ParseID(s)
	return id, err == nil
}
