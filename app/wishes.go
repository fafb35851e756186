package app

import (
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// wishesPage is how many notes the list loads at first and per "more":
// reading notes is the slow part, and nobody reads thousands at once.
const wishesPage = 500

// wishesScreen collects every feedback and wish note across customers,
// newest first: the business's list of ideas from the people it serves.
type wishesScreen struct {
	e      *env
	loader *careLoader
	unsub  func()

	text     *widget.Entry
	from     *widget.Entry
	to       *widget.Entry
	problem  *widget.Label
	count    *widget.Label
	progress *busyIndicator
	rows     *careRows
	hint     *emptyState
	more     *widget.Button

	mu     sync.Mutex // guards filter, read by the loader goroutine
	filter model.NoteFilter
	notes  []model.Note // what the list shows (UI thread only)
}

func newWishesScreen(e *env) *wishesScreen {
	s := &wishesScreen{e: e}
	s.loader = newCareLoader(s.load, s.setBusy)
	s.filter = model.NoteFilter{Kinds: []model.NoteKind{model.NoteFeedback}, Limit: wishesPage}
	s.text = widget.NewEntry()
	s.text.SetPlaceHolder(lang.X("wishes.filter.text", "Search in feedback and wishes"))
	s.from = widget.NewEntry()
	s.from.SetPlaceHolder(lang.X("wishes.filter.from", "from (date)"))
	s.to = widget.NewEntry()
	s.to.SetPlaceHolder(lang.X("wishes.filter.to", "until (date)"))
	for _, en := range []*widget.Entry{s.text, s.from, s.to} {
		en.OnChanged = func(string) { s.onFilter() }
	}
	s.problem = widget.NewLabel("")
	s.problem.Importance = widget.DangerImportance
	s.problem.Hide()
	s.count = widget.NewLabel("")
	s.progress = newBusyIndicator()
	s.rows = newCareRows()
	s.hint = newWishesEmpty(e)
	s.more = widget.NewButton(lang.X("wishes.more", "Show more"), s.onMore)
	s.more.Hide()
	return s
}

func (s *wishesScreen) build() fyne.CanvasObject {
	if s.unsub == nil {
		s.unsub = s.e.svc.Subscribe(func(ch []model.Change) {
			for _, c := range ch {
				if c.Type == model.TypeNote || c.Type == model.TypeCustomer {
					s.refresh()
					return
				}
			}
		})
	}
	dates := container.NewGridWithColumns(2, s.from, s.to)
	head := container.NewBorder(nil, nil, nil, s.count,
		widget.NewLabelWithStyle(lang.X("wishes.title", "Wishes & feedback"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	filters := container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(320, s.text.MinSize().Height), dates), s.text)
	s.refresh()
	return container.NewBorder(container.NewVBox(head, filters, s.problem, s.progress.box), s.more, nil, nil,
		container.NewStack(s.rows.list, s.hint.box))
}

func (s *wishesScreen) refresh() { s.loader.start() }

func (s *wishesScreen) setBusy(on bool) { s.progress.set(on) }

// onFilter reads the filter fields on the UI thread and reloads.
func (s *wishesScreen) onFilter() {
	f := model.NoteFilter{Kinds: []model.NoteKind{model.NoteFeedback}, Text: strings.TrimSpace(s.text.Text), Limit: wishesPage}
	year := s.e.now().Year()
	from, errFrom := careParseOptionalDate(s.from.Text, year)
	to, errTo := careParseOptionalDate(s.to.Text, year)
	if errFrom != nil || errTo != nil {
		s.problem.SetText(lang.X("care.validation.date", "Please enter a date, e.g. 2026-11-23."))
		s.problem.Show()
		return
	}
	s.problem.Hide()
	if !from.IsZero() {
		f.From = from.Time(0, time.Local)
	}
	if !to.IsZero() {
		f.To = to.Time(0, time.Local).AddDate(0, 0, 1) // the whole last day
	}
	s.mu.Lock()
	s.filter = f
	s.mu.Unlock()
	s.refresh()
}

// onMore loads another page of older entries.
func (s *wishesScreen) onMore() {
	s.mu.Lock()
	s.filter.Limit += wishesPage
	s.mu.Unlock()
	s.refresh()
}

func (s *wishesScreen) load() func() {
	s.mu.Lock()
	f := s.filter
	s.mu.Unlock()
	notes, err := s.e.svc.Notes(f)
	return func() {
		if err != nil {
			s.e.showError(err)
			return
		}
		s.apply(notes, len(notes) >= f.Limit)
	}
}

func (s *wishesScreen) apply(notes []model.Note, more bool) {
	s.notes = notes
	dir := s.e.svc.Directory()
	rows := make([]careRowData, len(notes))
	for i := range notes {
		n := notes[i]
		name := lang.X("wishes.unknownCustomer", "(deleted customer)")
		if c, ok := dir.Summary(n.CustomerID); ok {
			name = c.Name
		}
		detail := strings.ReplaceAll(n.Text, "\n", " ")
		if by := n.By; by != "" {
			detail = lang.X("wishes.row.detail", "{{.Text}} — {{.By}}", map[string]any{"Text": detail, "By": by})
		}
		id := n.CustomerID
		rows[i] = careRowData{
			title:  careFormatDate(n.At.In(time.Local)) + " · " + name,
			detail: detail,
			warn:   n.Impression == model.Negative,
			open:   func() { s.e.openCustomer(id) },
		}
	}
	s.rows.set(rows)
	s.count.SetText(lang.XN("wishes.count", "{{.Count}} entries", len(rows), map[string]any{"Count": formatCount(len(rows))}))
	if more {
		s.count.SetText(lang.X("wishes.countMore", "newest {{.Count}}", map[string]any{"Count": formatCount(len(rows))}))
		s.more.Show()
	} else {
		s.more.Hide()
	}
	s.hint.set(len(rows), s.filtered(), lang.X("care2.wishes.empty.filtered", "Nothing matches this search or period."))
}

// filtered reports whether the search or a date narrows the list.
func (s *wishesScreen) filtered() bool {
	return strings.TrimSpace(s.text.Text+s.from.Text+s.to.Text) != ""
}
