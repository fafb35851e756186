package vcard

import (
	"bytes"
	"context"
	"fmt"
	"sort"
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
		if k := phoneKey(ph.Number, region); k != "" {
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
			changed := Merge(target.c, &e.Card.Customer, a == Overwrite, p.region)
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

// Merge merges src into dst field by field and reports whether dst changed.
//
// Single-valued fields (names, company, position, website, birthday, memo,
// segment, source, rhythm …) are filled when dst's is empty; with overwrite
// they take src's value whenever src's is not empty, so an import never
// blanks what the user had. Emails, phones and addresses are merged as sets
// keyed by normalized email, E.164 phone (read in region) and folded
// street + postal code + city; for entries in both, empty details (label,
// address parts) are filled, or with overwrite replaced. Tags, external
// UIDs, consents and extra properties are unioned. Merge is idempotent:
// merging the same src again reports no change.
func Merge(dst, src *model.Customer, overwrite bool, region string) bool {
	changed := false
	str := func(d *string, s string) {
		if s != "" && *d != s && (overwrite || *d == "") {
			*d, changed = s, true
		}
	}
	str(&dst.Salutation, src.Salutation)
	str(&dst.LetterForm, src.LetterForm)
	str(&dst.GivenName, src.GivenName)
	str(&dst.FamilyName, src.FamilyName)
	str(&dst.Company, src.Company)
	str(&dst.Position, src.Position)
	str(&dst.Website, src.Website)
	str(&dst.Segment, src.Segment)
	str(&dst.Source, src.Source)
	str(&dst.Memo, src.Memo)
	if overwrite && src.Kind != "" && src.Kind != dst.Kind && (src.Kind != model.Company || dst.Company != "") {
		dst.Kind, changed = src.Kind, true
	}
	date := func(d *model.Date, s model.Date) {
		if !s.IsZero() && *d != s && (overwrite || d.IsZero() || (!d.HasYear() && s.HasYear() && d.Month == s.Month && d.Day == s.Day)) {
			*d, changed = s, true
		}
	}
	date(&dst.Birthday, src.Birthday)
	date(&dst.Since, src.Since)
	if src.RhythmDays > 0 && dst.RhythmDays != src.RhythmDays && (overwrite || dst.RhythmDays == 0) {
		dst.RhythmDays, changed = src.RhythmDays, true
	}

	srcPref := false
	for _, e := range src.Emails {
		srcPref = srcPref || e.Pref
	}
	dstPref := false
	for _, e := range dst.Emails {
		dstPref = dstPref || e.Pref
	}
	for _, e := range src.Emails {
		k := model.NormalizeEmail(e.Address)
		i := indexOf(len(dst.Emails), func(i int) bool { return model.NormalizeEmail(dst.Emails[i].Address) == k })
		if i < 0 {
			e.Pref = e.Pref && (overwrite || !dstPref)
			if e.Pref && overwrite {
				for j := range dst.Emails {
					dst.Emails[j].Pref = false
				}
			}
			dst.Emails, changed = append(dst.Emails, e), true
			continue
		}
		d := &dst.Emails[i]
		str(&d.Label, e.Label)
		if overwrite && srcPref && d.Pref != e.Pref {
			d.Pref, changed = e.Pref, true
		} else if !dstPref && e.Pref && !d.Pref {
			d.Pref, changed, dstPref = true, true, true
		}
	}

	for _, ph := range src.Phones {
		k := phoneKey(ph.Number, region)
		i := indexOf(len(dst.Phones), func(i int) bool { return phoneKey(dst.Phones[i].Number, region) == k })
		if i < 0 {
			dst.Phones, changed = append(dst.Phones, ph), true
			continue
		}
		d := &dst.Phones[i]
		str(&d.Label, ph.Label)
		if overwrite {
			str(&d.Number, ph.Number)
		}
		if ph.Pref && !d.Pref && (overwrite || !anyPhonePref(dst.Phones)) {
			d.Pref, changed = true, true
		}
	}

	for _, a := range src.Addresses {
		k := addressKey(a)
		i := indexOf(len(dst.Addresses), func(i int) bool { return addressKey(dst.Addresses[i]) == k })
		if i < 0 {
			dst.Addresses, changed = append(dst.Addresses, a), true
			continue
		}
		d := &dst.Addresses[i]
		str(&d.Label, a.Label)
		str(&d.Street, a.Street)
		str(&d.Extended, a.Extended)
		str(&d.POBox, a.POBox)
		str(&d.PostalCode, a.PostalCode)
		str(&d.City, a.City)
		str(&d.Region, a.Region)
		str(&d.Country, a.Country)
		if a.Pref && !d.Pref && (overwrite || !anyAddrPref(dst.Addresses)) {
			d.Pref, changed = true, true
		}
	}

	for _, t := range src.Tags {
		if !dst.HasTag(t) {
			dst.Tags, changed = append(dst.Tags, t), true
		}
	}
	for _, u := range src.ExternalUIDs {
		if id, own := ownID(u); own && id == dst.ID {
			continue // our own export of this very customer
		}
		if indexOf(len(dst.ExternalUIDs), func(i int) bool { return dst.ExternalUIDs[i] == u }) < 0 {
			dst.ExternalUIDs, changed = append(dst.ExternalUIDs, u), true
		}
	}
	for _, k := range src.Consents {
		if indexOf(len(dst.Consents), func(i int) bool {
			d := dst.Consents[i]
			return d.Channel == k.Channel && d.Purpose == k.Purpose && d.GivenAt.Equal(k.GivenAt)
		}) < 0 {
			dst.Consents, changed = append(dst.Consents, k), true
		}
	}
	for _, x := range src.Extra {
		xk := extraKey(x)
		if indexOf(len(dst.Extra), func(i int) bool { return extraKey(dst.Extra[i]) == xk }) < 0 {
			dst.Extra, changed = append(dst.Extra, x), true
		}
	}
	return changed
}

func indexOf(n int, f func(int) bool) int {
	for i := 0; i < n; i++ {
		if f(i) {
			return i
		}
	}
	return -1
}

func anyPhonePref(ps []model.Phone) bool {
	for _, p := range ps {
		if p.Pref {
			return true
		}
	}
	return false
}

func anyAddrPref(as []model.Address) bool {
	for _, a := range as {
		if a.Pref {
			return true
		}
	}
	return false
}

// phoneKey is the E.164 form of number, or its digits when it is not a
// possible number in region.
func phoneKey(number, region string) string {
	if e := model.E164(number, region); e != "" {
		return e
	}
	return model.Digits(number)
}

func addressKey(a model.Address) string {
	return model.Fold(a.Street) + "|" + model.Fold(a.PostalCode) + "|" + model.Fold(a.City)
}

func extraKey(x model.ExtraProp) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(x.Group) + "." + strings.ToUpper(x.Name))
	names := make([]string, 0, len(x.Params))
	for n := range x.Params {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString(";" + strings.ToUpper(n) + "=" + strings.ToLower(strings.Join(x.Params[n], ",")))
	}
	return b.String() + ":" + x.Value
}
