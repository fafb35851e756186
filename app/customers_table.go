package app

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// The customer table: one dense row per customer with sortable, resizable
// columns. The rows are the directory's hits; a summary is made only for a
// row on screen and kept while the row stays, so scrolling and typing cost
// the same with 100 customers as with 100,000.

// tableColumn is one column of the customer table.
type tableColumn struct {
	sort  model.SortOrder
	width float32 // default width
	title func() string
	text  func(s *model.CustomerSummary, now time.Time) string
}

// tableColumns are the table's columns, left to right.
var tableColumns = []tableColumn{
	{model.SortByName, 160, func() string { return lang.X("list.col.name", "Name") },
		func(s *model.CustomerSummary, _ time.Time) string { return s.Name }},
	{model.SortByCompany, 130, func() string { return lang.X("list.col.company", "Company") },
		func(s *model.CustomerSummary, _ time.Time) string { return s.Company }},
	{model.SortByCity, 100, func() string { return lang.X("list.col.city", "Town") },
		func(s *model.CustomerSummary, _ time.Time) string { return s.City }},
	{model.SortBySegment, 85, func() string { return lang.X("list.col.segment", "Segment") },
		func(s *model.CustomerSummary, _ time.Time) string { return segmentText(s.Segment) }},
	{model.SortByLastContact, 105, func() string { return lang.X("list.col.last_contact", "Last contact") },
		func(s *model.CustomerSummary, now time.Time) string { return formatRelative(s.LastContact, now) }},
	{model.SortByNextDue, 95, func() string { return lang.X("list.col.next_due", "Next due") },
		func(s *model.CustomerSummary, now time.Time) string {
			next := s.NextDue()
			if next.IsZero() {
				return ""
			}
			if !next.After(now) {
				return "⏰ " + formatDate(next)
			}
			return formatDate(next)
		}},
}

// columnOf returns the column that sorts by o, or -1.
func columnOf(o model.SortOrder) int {
	for i, c := range tableColumns {
		if c.sort == o {
			return i
		}
	}
	return -1
}

// customerTable is the table view of the customer list.
type customerTable struct {
	rows   *customerRows
	table  *widget.Table
	widths []float32
	// cursor is the row the keyboard moved to, -1 for none.
	cursor int
	// cache holds the summaries of the rows shown, by row.
	cache map[int]*model.CustomerSummary

	// save is the pending save of the widths, see resized.
	save *time.Timer

	sort     func() (model.SortOrder, bool)
	onSort   func(col int)
	onOpen   func(row int)
	onWidths func(widths []float32)
}

func newCustomerTable(rows *customerRows, widths []float32) *customerTable {
	t := &customerTable{rows: rows, widths: widths, cursor: -1,
		cache: map[int]*model.CustomerSummary{}}
	gw := &glyphWidths{}
	t.table = widget.NewTable(t.length, func() fyne.CanvasObject { return newTableCell(gw) }, t.updateCell)
	t.table.ShowHeaderRow = true
	t.table.CreateHeader = func() fyne.CanvasObject {
		h := newHeaderCell(t.tappedHeader)
		h.resized = t.resized
		return h
	}
	t.table.UpdateHeader = t.updateHeader
	t.table.OnSelected = func(id widget.TableCellID) {
		t.table.UnselectAll() // the whole row shows the cursor, not one cell
		t.setCursor(id.Row)
		t.onOpen(id.Row)
	}
	for i, w := range widths {
		t.table.SetColumnWidth(i, w)
	}
	return t
}

// reset forgets the cached summaries and the cursor: the rows changed.
// The caller refreshes the table when it is on screen.
func (t *customerTable) reset() {
	clear(t.cache)
	t.cursor = -1
}

func (t *customerTable) length() (int, int) { return t.rows.Length(), len(tableColumns) }

func (t *customerTable) summary(row int) *model.CustomerSummary {
	if s, ok := t.cache[row]; ok {
		return s
	}
	if len(t.cache) > 400 { // rows scrolled away long ago
		clear(t.cache)
	}
	s := t.rows.at(row)
	t.cache[row] = s
	return s
}

func (t *customerTable) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*tableCell)
	s := t.summary(id.Row)
	if s == nil {
		c.set("", false)
		return
	}
	c.set(tableColumns[id.Col].text(s, t.rows.now()), id.Row == t.cursor)
}

func (t *customerTable) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	h := o.(*headerCell)
	if id.Col < 0 || id.Col >= len(tableColumns) {
		h.set(-1, "", 0)
		return
	}
	order, desc := t.sort()
	dir := 0
	if tableColumns[id.Col].sort == order {
		dir = 1
		if desc {
			dir = -1
		}
	}
	h.set(id.Col, tableColumns[id.Col].title(), dir)
}

// tappedHeader sorts by col.
func (t *customerTable) tappedHeader(col int) { t.onSort(col) }

// resized notes that column col is now w wide, and saves the widths once
// the user has stopped dragging for a moment: Table says nothing when a
// column edge is dragged, but it lays out the header cells at the new width.
func (t *customerTable) resized(col int, w float32) {
	if col < 0 || col >= len(t.widths) || w < 30 || w == t.widths[col] {
		return
	}
	t.widths[col] = w
	if t.save != nil {
		t.save.Reset(widthSaveDelay)
		return
	}
	t.save = time.AfterFunc(widthSaveDelay, func() {
		fyne.Do(func() {
			t.save = nil
			if t.onWidths != nil {
				t.onWidths(t.widths)
			}
		})
	})
}

// widthSaveDelay is how long the widths must stay put before they are saved.
const widthSaveDelay = 300 * time.Millisecond

// setCursor moves the keyboard cursor to row and shows it.
func (t *customerTable) setCursor(row int) {
	t.cursor = row
	t.table.Refresh()
	if row >= 0 {
		t.table.ScrollTo(widget.TableCellID{Row: row, Col: 0})
	}
}

// headerCell is a column title with the sort arrow; a tap sorts. It is
// tappable only, not hoverable, so the table still sees the pointer near
// a column edge and offers to resize the column.
type headerCell struct {
	widget.BaseWidget
	col   int
	label *widget.Label
	arrow *widget.Icon
	tap   func(col int)
	// resized learns the width of the cell's column: Table tells nobody
	// when the user drags a column edge.
	resized func(col int, w float32)
}

// Resize sizes the cell, which the table does to its column's width.
func (h *headerCell) Resize(s fyne.Size) {
	h.BaseWidget.Resize(s)
	if h.resized != nil && h.col >= 0 {
		h.resized(h.col, s.Width)
	}
}

func newHeaderCell(tap func(col int)) *headerCell {
	h := &headerCell{col: -1, label: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		arrow: widget.NewIcon(nil), tap: tap}
	h.label.Truncation = fyne.TextTruncateEllipsis
	h.ExtendBaseWidget(h)
	return h
}

// CreateRenderer puts the arrow after the title, as tight as the cells.
func (h *headerCell) CreateRenderer() fyne.WidgetRenderer {
	return &headerRenderer{h: h, box: container.NewBorder(nil, nil, nil, h.arrow, h.label)}
}

// MinSize lets a column be narrower than its title, and is as high as a row.
func (h *headerCell) MinSize() fyne.Size {
	return fyne.NewSize(40, h.label.MinSize().Height-2*h.shrink())
}

func (h *headerCell) shrink() float32 {
	return max(h.Theme().Size(theme.SizeNameInnerPadding)-2, 0)
}

type headerRenderer struct {
	h   *headerCell
	box *fyne.Container
}

func (r *headerRenderer) Layout(size fyne.Size) {
	k := r.h.shrink()
	r.box.Move(fyne.NewPos(0, -k))
	r.box.Resize(fyne.NewSize(size.Width, size.Height+2*k))
}

func (r *headerRenderer) MinSize() fyne.Size           { return r.h.MinSize() }
func (r *headerRenderer) Refresh()                     { r.box.Refresh() }
func (r *headerRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.box} }
func (r *headerRenderer) Destroy()                     {}

// set shows col's title; dir is 1 ascending, -1 descending, 0 not sorted.
func (h *headerCell) set(col int, title string, dir int) {
	h.col = col
	// Table updates its headers on every scroll step; a label that cuts
	// its text shapes it anew on every SetText.
	if h.label.Text != title {
		h.label.SetText(title)
	}
	var arrow fyne.Resource
	switch dir {
	case 1:
		arrow = theme.MenuDropUpIcon()
	case -1:
		arrow = theme.MenuDropDownIcon()
	}
	if h.arrow.Resource != arrow {
		h.arrow.SetResource(arrow)
	}
}

// Tapped sorts by the cell's column.
func (h *headerCell) Tapped(*fyne.PointEvent) {
	if h.col >= 0 && h.tap != nil {
		h.tap(h.col)
	}
}

// sortDirection is the accessible text of a header's arrow, for tests and
// screen readers alike.
func (h *headerCell) sortDirection() string {
	switch h.arrow.Resource {
	case nil:
		return ""
	case theme.MenuDropUpIcon():
		return "asc"
	}
	return "desc"
}

// widthKey is the preference that keeps column col's width.
func widthKey(col int) string { return fmt.Sprintf("list.width.%d", col) }
