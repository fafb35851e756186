// Package pdf prints customers and lists as PDF: a one-page customer sheet
// to take on a visit, and lists such as the Today view. It writes with
// codeberg.org/go-pdf/fpdf and embeds the Go fonts (golang.org/x/image's
// gofont), whose glyphs cover Latin-1, Latin Extended-A and the euro sign,
// so "Weiß", "Łukasz" and "€ 12,50" print as typed: fpdf's built-in fonts
// know only Windows-1252.
//
// The package has no Fyne and no translations of its own: the texts come
// in Words (and ready-made in a List), filled by the GUI in the user's
// language, so tests run it with CGO_ENABLED=0.
package pdf

import (
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW    = 210.0
	pageH    = 297.0
	margin   = 15.0
	textW    = pageW - 2*margin
	footerY  = pageH - 10.0
	bodySize = 10.0
	smallPt  = 8.0
	lineH    = 4.6 // of body text
	font     = "go"
)

// doc wraps fpdf with the few things both printouts do.
type doc struct {
	f *fpdf.Fpdf
	// bottom is where a one-page document's content must end (0: the
	// document flows onto further pages); full is set once a heading no
	// longer fit, and everything after it is left out.
	bottom float64
	full   bool
}

// newDoc starts an A4 document with the Go fonts; created stamps it so the
// same input gives the same bytes.
func newDoc(title string, created time.Time) *doc {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetMargins(margin, margin, margin)
	f.SetCellMargin(0)
	f.AddUTF8FontFromBytes(font, "", goregular.TTF)
	f.AddUTF8FontFromBytes(font, "B", gobold.TTF)
	f.SetTitle(title, true)
	f.SetCreator("Kundenkartei", true)
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetCatalogSort(true)
	return &doc{f: f}
}

func (d *doc) bold(size float64)    { d.f.SetFont(font, "B", size) }
func (d *doc) regular(size float64) { d.f.SetFont(font, "", size) }
func (d *doc) grey()                { d.f.SetTextColor(90, 90, 90) }
func (d *doc) black()               { d.f.SetTextColor(0, 0, 0) }

// lines wraps text to width w in the current font, keeping its own line
// breaks; at most max lines (0: all), the last cut one ending in "…".
func (d *doc) lines(text string, w float64, max int) []string {
	var out []string
	for _, para := range strings.Split(strings.TrimSpace(text), "\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		out = append(out, d.f.SplitText(para, w)...)
	}
	if max > 0 && len(out) > max {
		out = out[:max]
		out[max-1] = strings.TrimRight(out[max-1], " .,;") + " …"
	}
	return out
}

// heading writes a section title with a rule under it; on a one-page
// document only while the title and two lines still fit.
func (d *doc) heading(text string) {
	if d.bottom > 0 && (d.full || d.f.GetY()+10+2*lineH > d.bottom) {
		d.full = true
		return
	}
	d.f.Ln(2)
	d.bold(11)
	d.black()
	d.f.CellFormat(textW, 6, text, "", 1, "L", false, 0, "")
	y := d.f.GetY()
	d.f.SetDrawColor(160, 160, 160)
	d.f.Line(margin, y, pageW-margin, y)
	d.f.Ln(1.5)
}

// footer writes text at the bottom of the current page.
func (d *doc) footer(text string) {
	d.regular(smallPt)
	d.grey()
	d.f.SetXY(margin, footerY)
	d.f.CellFormat(textW, 4, text, "", 0, "L", false, 0, "")
	d.black()
}

func (d *doc) output(w io.Writer) error { return d.f.Output(w) }
