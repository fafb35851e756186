package ical

import (
	"sync"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// AutoExporter keeps an .ics file in step with the database, so a calendar
// program subscribed to the file always shows the current follow-ups. It
// rewrites the file once when it starts and again after changes, waiting
// for a quiet moment so a burst of changes (an import, a sync) costs one
// export. The work runs on its own goroutine, never on the committing one.
type AutoExporter struct {
	cancel  func()
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	collect func() (Export, error)
	path    string
	opt     Options
	onErr   func(error)
}

// autoTypes are the records whose changes can alter the file: follow-ups
// themselves, customers (name, phone, address in the text), notes (the text
// behind a follow-up), events and gestures (invitation counts).
var autoTypes = map[model.RecordType]bool{
	model.TypeFollowUp: true, model.TypeCustomer: true, model.TypeNote: true,
	model.TypeEvent: true, model.TypeGesture: true,
}

// NewAutoExporter starts exporting what collect returns to path after every
// relevant change n reports, and once right away. Errors (of collect or of
// writing) go to onErr, which runs on the exporter's goroutine; nil ignores
// them. An empty result writes an empty calendar, so subscribers drop the
// events that are gone. Close stops it.
func NewAutoExporter(n model.Notifier, collect func() ([]Item, []EventItem, error), path string, opt Options, onErr func(error)) *AutoExporter {
	return NewAutoExport(n, func() (Export, error) {
		items, events, err := collect()
		return Slice(items, events), err
	}, path, opt, onErr)
}

// NewAutoExport is NewAutoExporter for an export that streams (see
// FromStore): collect returns what to write, and the file is written from
// the stream, so the program's memory does not grow with the calendar.
// The file is replaced only when its content (all but DTSTAMP) changes:
// a calendar program that polls it, or a file-sync service that copies
// it, sees a new file only when there is something new.
func NewAutoExport(n model.Notifier, collect func() (Export, error), path string, opt Options, onErr func(error)) *AutoExporter {
	if opt.Debounce <= 0 {
		opt.Debounce = 500 * time.Millisecond
	}
	if onErr == nil {
		onErr = func(error) {}
	}
	a := &AutoExporter{
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		collect: collect, path: path, opt: opt, onErr: onErr,
	}
	a.cancel = n.Subscribe(a.changed)
	go a.run()
	return a
}

// changed runs on the committing goroutine: it only flags the change.
func (a *AutoExporter) changed(cs []model.Change) {
	for _, c := range cs {
		if autoTypes[c.Type] {
			select {
			case a.kick <- struct{}{}:
			default: // an export is already pending
			}
			return
		}
	}
}

func (a *AutoExporter) run() {
	defer close(a.done)
	// Right away, so the file exists as soon as the user turns the option on.
	a.export()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	pending := false
	for {
		select {
		case <-a.kick:
			pending = true
			timer.Reset(a.opt.Debounce)
		case <-timer.C:
			pending = false
			a.export()
		case <-a.stop:
			timer.Stop()
			// A change made just before closing (the last edit before the
			// app quits) still reaches the file.
			select {
			case <-a.kick:
				pending = true
			default:
			}
			if pending {
				a.export()
			}
			return
		}
	}
}

func (a *AutoExporter) export() {
	x, err := a.collect()
	if err == nil {
		// The file is hashed as it is now, not remembered: a restart
		// with nothing changed must not replace it, and a file someone
		// deleted or edited must be written again.
		var old *[32]byte
		if h, ok := fileContentHash(a.path); ok {
			old = &h
		}
		_, err = writeIfChanged(a.path, x, a.opt, old)
	}
	if err != nil {
		a.onErr(err)
	}
}

// Close unsubscribes, writes a change still waiting for its quiet moment,
// and returns when the exporter has stopped. Calling it again does nothing.
func (a *AutoExporter) Close() {
	a.once.Do(func() {
		a.cancel()
		close(a.stop)
		<-a.done
	})
}
