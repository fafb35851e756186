package vcard

import (
	"context"
	"io"
	"runtime"
	"sync"

	"github.com/kundenkartei/kundenkartei/model"
)

// parseBatch is how many cards go to a parsing goroutine at a time.
const parseBatch = 256

// ParseEach reads the cards of r as Parse does and hands them to fn a
// batch at a time, in file order, instead of returning them all: the
// batch is fn's to keep or to let go, so a caller that keeps only what it
// needs of each card reads a file of any size in bounded memory. It
// returns the problems outside any card (those of a card are in the
// card), fn's first error, ctx.Err() when cancelled, and the errors of
// Parse. One goroutine cuts the stream into cards; they are parsed and
// mapped on every core while fn works on earlier ones.
func ParseEach(ctx context.Context, r io.Reader, opt ParseOptions, fn func([]Card) error) ([]Problem, error) {
	size := readerSize(r)
	ls, err := openText(r)
	if err != nil {
		return nil, err
	}
	sp := newSplitter(ls)
	procs := runtime.GOMAXPROCS(0)
	work := make(chan *batch)
	var wg sync.WaitGroup
	for range procs {
		wg.Go(func() {
			var props []prop
			var params []param
			for b := range work {
				for i := range b.cards {
					parseCard(&b.cards[i], &props, &params, &b.out[i])
				}
				close(b.done)
			}
		})
	}
	defer func() {
		close(work)
		wg.Wait()
	}()
	var queue []*batch // sent to the parsers, not yet handed to fn, in file order
	read := 0
	hand := func() error {
		b := queue[0]
		queue = queue[1:]
		<-b.done
		read += len(b.out)
		if opt.Progress != nil {
			total := read
			if size > 0 && ls.read > 0 {
				total = max(total, int(float64(read)*float64(size)/float64(ls.read)))
			}
			opt.Progress(read, total)
		}
		return fn(b.out)
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b := &batch{cards: make([]pendingCard, 0, parseBatch), done: make(chan struct{})}
		sp.newBatch()
		for len(b.cards) < parseBatch {
			pc, ok := sp.next()
			if !ok {
				break
			}
			b.cards = append(b.cards, pc)
		}
		if len(b.cards) == 0 {
			break
		}
		b.out = make([]Card, len(b.cards))
		work <- b
		queue = append(queue, b)
		if len(queue) > 2*procs {
			if err := hand(); err != nil {
				return nil, err
			}
		}
	}
	for len(queue) > 0 {
		if err := hand(); err != nil {
			return nil, err
		}
	}
	if ls.err != nil {
		return nil, model.WrapError(model.EINTERNAL, ls.err, "read vCard file")
	}
	if opt.Progress != nil {
		opt.Progress(read, read)
	}
	return sp.problems, nil
}

// batch is a run of cards of the file, parsed into out; done is closed
// once they are.
type batch struct {
	cards []pendingCard
	out   []Card
	done  chan struct{}
}
