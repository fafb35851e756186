package vcard

import (
	"context"

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
	if a := ch.PerCard[e.Index]; a != 0 {
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
		a = DefaultChoices().actionFor(&Entry{Index: e.Index, Group: e.Group})
	}
	return a
}

// Entry is one card in the preview: what the preview shows of it and
// where it goes. The card itself is not held (see Plan).
type Entry struct {
	Index    int       // Card.Index: the card's number in the file (CSV: data row)
	Line     int       // Card.Line
	Name     string    // the card's display name (model.Customer.DisplayName)
	Problems []Problem // Card.Problems
	Notes    []Problem // Card.Notes
	Err      error     // Card.Err: the card cannot be saved as it is
	Group    Group
	// Existing is the stored customer the card is the same person as
	// (model.SamePerson), NilID for none; ExistingName is its display name.
	Existing     model.ID
	ExistingName string
	Why          model.Sameness // why the card is Existing
	SameAs       int            // Index of an earlier card of this file that is the same person; 0 for none
	WhySame      model.Sameness // why the card is the same as card SameAs
}

// Plan is the preview of an import: every card in file order, grouped.
// A plan of a small file holds its cards until they are applied; one of a
// large file (see PreviewEach) holds only its entries and reads the file
// again to apply them, so an import of any size holds a bounded number of
// cards at a time.
type Plan struct {
	Entries  []Entry
	New      []*Entry // GroupNew, in file order
	Matching []*Entry // GroupMatching
	Problems []*Entry // GroupProblem
	region   string
	// cards are the cards in blocks, in file order, while the plan holds
	// them; when it does not, again reads them once more.
	cards   [][]Card
	again   Source
	applied bool // Apply ran: the entries no longer tell what a card would do
}

// Source hands the cards of a file to fn a block at a time, in file
// order, as ParseEach does, and returns fn's first error. A Plan that
// did not keep a large file's cards calls it again to apply them.
type Source func(ctx context.Context, fn func([]Card) error) error

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
		for _, pr := range e.Problems {
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
		out = append(out, p.Entries[i].Notes...)
	}
	sortProblems(out)
	return out
}
