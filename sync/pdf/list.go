package pdf

import (
	"fmt"
	"io"
	"time"
)

// List is a printed list such as the Today view: a title and sections of
// rows, every text ready-made in the reader's language. It flows onto as
// many pages as it needs.
type List struct {
	Title    string
	Subtitle string // e.g. the date
	Footer   string // at the bottom of every page, before the page number
	Sections []ListSection
}

// ListSection is one titled part of a List.
type ListSection struct {
	Heading string
	Rows    []ListRow
	Empty   string // printed when Rows is empty
	More    string // printed after the rows when the list was cut, e.g. "and 120 more"
}

// ListRow is one entry: a bold title and a detail line.
type ListRow struct {
	Title, Detail string
}

// WriteList writes l as a PDF of A4 pages, numbered in the footer.
func WriteList(w io.Writer, l *List, printed time.Time) error {
	d := newDoc(l.Title, printed)
	d.f.SetAutoPageBreak(true, pageH-footerY+4)
	d.f.AliasNbPages("{nb}")
	d.f.SetFooterFunc(func() {
		d.footer(fmt.Sprintf("%s · %d/{nb}", l.Footer, d.f.PageNo()))
	})
	d.f.AddPage()
	d.bold(16)
	d.f.CellFormat(textW, 8, l.Title, "", 1, "L", false, 0, "")
	if l.Subtitle != "" {
		d.regular(bodySize)
		d.grey()
		d.f.CellFormat(textW, lineH+0.4, l.Subtitle, "", 1, "L", false, 0, "")
		d.black()
	}
	for _, s := range l.Sections {
		d.heading(s.Heading)
		if len(s.Rows) == 0 {
			d.note(s.Empty)
			continue
		}
		for _, r := range s.Rows {
			d.listRow(r)
		}
		if s.More != "" {
			d.note(s.More)
		}
	}
	return d.output(w)
}

// listRow writes a row, starting a new page first when it would be split.
func (d *doc) listRow(r ListRow) {
	d.regular(bodySize)
	lines := d.lines(r.Detail, textW-4, 3)
	if d.f.GetY()+float64(len(lines)+1)*lineH > footerY-4 {
		d.f.AddPage()
	}
	d.bold(bodySize)
	d.f.CellFormat(textW, lineH, d.lines(r.Title, textW, 1)[0], "", 1, "L", false, 0, "")
	d.regular(bodySize)
	for _, l := range lines {
		d.f.SetX(margin + 4)
		d.f.CellFormat(textW-4, lineH, l, "", 1, "L", false, 0, "")
	}
	d.f.Ln(0.8)
}

// note writes a grey line: an empty section's hint, a "more" count.
func (d *doc) note(text string) {
	d.regular(bodySize)
	d.grey()
	d.f.CellFormat(textW, lineH, text, "", 1, "L", false, 0, "")
	d.black()
}
