package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// tableCell is one cell of the customer table: a line of text, cut with
// an ellipsis to the column, on a background that marks the cursor row.
//
// It draws a canvas.Text rather than a Label: a keystroke refreshes every
// visible cell, and a Label with ellipsis shapes its text again and again
// to find where to cut (over 30 ms for the 180 cells of a large window);
// a cell adds up cached glyph widths instead.
type tableCell struct {
	widget.BaseWidget
	bg   *canvas.Rectangle
	text *canvas.Text
	full string // the text before cutting
	gw   *glyphWidths
}

func newTableCell(gw *glyphWidths) fyne.CanvasObject {
	c := &tableCell{bg: canvas.NewRectangle(color.Transparent), text: canvas.NewText("", theme.Color(theme.ColorNameForeground)), gw: gw}
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer lays the text over the background.
func (c *tableCell) CreateRenderer() fyne.WidgetRenderer { return &tableCellRenderer{c: c} }

// MinSize is one line of text with a little room above and below, however
// long the text: the column decides the width.
func (c *tableCell) MinSize() fyne.Size {
	th := c.Theme()
	return fyne.NewSize(40, c.gw.lineHeight(th.Size(theme.SizeNameText))+4)
}

func (c *tableCell) set(text string, cursor bool) {
	var fill color.Color = color.Transparent
	if cursor {
		fill = c.Theme().Color(theme.ColorNameSelection, fyne.CurrentApp().Settings().ThemeVariant())
	}
	if c.bg.FillColor != fill {
		c.bg.FillColor = fill
		c.bg.Refresh()
	}
	if text != c.full {
		c.full = text
		c.fit(c.Size().Width)
	}
}

// fit cuts the text to width.
func (c *tableCell) fit(width float32) {
	th := c.Theme()
	pad := th.Size(theme.SizeNameInnerPadding)
	size := th.Size(theme.SizeNameText)
	t := c.full
	if width > 0 {
		t = c.gw.ellipsize(c.full, width-2*pad, size)
	}
	if t != c.text.Text {
		c.text.Text = t
		c.text.Refresh()
	}
}

type tableCellRenderer struct{ c *tableCell }

func (r *tableCellRenderer) Layout(size fyne.Size) {
	c := r.c
	c.bg.Resize(size)
	th := c.Theme()
	c.text.TextSize = th.Size(theme.SizeNameText)
	c.fit(size.Width)
	h := c.gw.lineHeight(c.text.TextSize) // not c.text.MinSize(): that shapes the text
	c.text.Move(fyne.NewPos(th.Size(theme.SizeNameInnerPadding), (size.Height-h)/2))
	c.text.Resize(fyne.NewSize(size.Width, h))
}

func (r *tableCellRenderer) MinSize() fyne.Size { return r.c.MinSize() }

func (r *tableCellRenderer) Refresh() {
	c := r.c
	c.text.Color = c.Theme().Color(theme.ColorNameForeground, fyne.CurrentApp().Settings().ThemeVariant())
	c.bg.Refresh()
	c.text.Refresh()
}

func (r *tableCellRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.c.bg, r.c.text}
}

func (r *tableCellRenderer) Destroy() {}

// glyphWidths caches the width of each rune at each text size (regular
// style), as fyne.MeasureText gives it. The cells of one table share it;
// they run on the UI goroutine only.
type glyphWidths struct {
	m      map[glyphKey]float32
	height map[float32]float32 // line height by text size
}

// lineHeight returns the height of a line of text of size.
func (g *glyphWidths) lineHeight(size float32) float32 {
	h, ok := g.height[size]
	if !ok {
		if g.height == nil {
			g.height = map[float32]float32{}
		}
		h = fyne.MeasureText("Ág", size, fyne.TextStyle{}).Height
		g.height[size] = h
	}
	return h
}

type glyphKey struct {
	r    rune
	size float32
}

func (g *glyphWidths) width(r rune, size float32) float32 {
	k := glyphKey{r, size}
	w, ok := g.m[k]
	if !ok {
		if g.m == nil {
			g.m = map[glyphKey]float32{}
		}
		w = fyne.MeasureText(string(r), size, fyne.TextStyle{}).Width
		g.m[k] = w
	}
	return w
}

// ellipsize returns s, or its longest prefix that fits width with "…"
// after it. Widths are summed per glyph, without kerning: close enough
// for a table cell.
func (g *glyphWidths) ellipsize(s string, width, size float32) string {
	total := float32(0)
	for _, r := range s {
		total += g.width(r, size)
	}
	if total <= width {
		return s
	}
	room := width - g.width('…', size)
	acc := float32(0)
	for i, r := range s {
		w := g.width(r, size)
		if acc+w > room {
			return s[:i] + "…"
		}
		acc += w
	}
	return s
}
