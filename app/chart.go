package app

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// chartPalette colours the series of a chart: the Okabe–Ito colours, which
// colour-blind readers can tell apart and which keep their contrast on the
// light and the dark theme's background alike.
var chartPalette = []color.NRGBA{
	{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}, // blue
	{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, // orange
	{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}, // bluish green
	{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, // reddish purple
	{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, // sky blue
	{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}, // vermillion
}

// chartData is what a bar chart shows: one group of bars per category, one
// bar per series in each group.
type chartData struct {
	categories []string
	series     []chartSeries
	axis       string               // what the values are, above the value axis
	format     func(float64) string // ticks and value labels, locale-formatted
	empty      string               // shown instead when there is nothing to draw
}

type chartSeries struct {
	name   string
	values []float64 // one per category; NaN for none (no bar, labelled "–")
}

// at returns the value of category j, 0 for none.
func (s *chartSeries) at(j int) float64 {
	if j >= len(s.values) || math.IsNaN(s.values[j]) {
		return 0
	}
	return s.values[j]
}

// max returns the largest value, 0 for none.
func (d *chartData) max() float64 {
	m := 0.0
	for _, s := range d.series {
		for j := range s.values {
			m = math.Max(m, s.at(j))
		}
	}
	return m
}

// barChart draws grouped vertical bars, a value axis with grid lines,
// category labels and a legend from canvas primitives. Colours come from
// the theme at every refresh, so a theme change redraws it readable.
type barChart struct {
	widget.BaseWidget
	data chartData
}

func newBarChart() *barChart {
	c := &barChart{}
	c.ExtendBaseWidget(c)
	return c
}

// set replaces the data and redraws; UI thread only.
func (c *barChart) set(d chartData) {
	c.data = d
	c.Refresh()
}

func (c *barChart) CreateRenderer() fyne.WidgetRenderer {
	r := &barChartRenderer{chart: c, axis: canvas.NewText("", color.Black), empty: canvas.NewText("", color.Black)}
	r.empty.Alignment = fyne.TextAlignCenter
	r.rebuild()
	return r
}

// barChartRenderer keeps typed references to everything it draws.
type barChartRenderer struct {
	chart   *barChart
	axis    *canvas.Text
	empty   *canvas.Text
	grid    []*canvas.Line
	ticks   []*canvas.Text
	bars    [][]*canvas.Rectangle // [series][category]
	values  []*canvas.Text        // value labels over the bars, when few
	cats    []*canvas.Text
	swatch  []*canvas.Rectangle // legend
	names   []*canvas.Text
	top     float64 // value at the top of the axis
	objects []fyne.CanvasObject
}

// chartTicks is how many steps the value axis has at most.
const chartTicks = 4

// chartValueLabels is up to how many bars carry their value as text.
const chartValueLabels = 12

// niceTop returns a round axis maximum ≥ max with its step: 1, 2 or 5
// times a power of ten per step, chartTicks steps at most.
func niceTop(max float64) (top, step float64) {
	if max <= 0 {
		return 1, 1
	}
	raw := max / chartTicks
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, f := range []float64{1, 2, 5} {
		if f*mag >= raw {
			step = f * mag
			break
		}
	}
	return step * math.Ceil(max/step-1e-9), step
}

// rebuild makes the objects for the current data and colours them.
func (r *barChartRenderer) rebuild() {
	d := &r.chart.data
	fg := theme.ColorForWidget(theme.ColorNameForeground, r.chart)
	grid := theme.ColorForWidget(theme.ColorNameSeparator, r.chart)
	size := theme.CaptionTextSize()
	text := func(s string, align fyne.TextAlign) *canvas.Text {
		t := canvas.NewText(s, fg)
		t.TextSize, t.Alignment = size, align
		return t
	}
	r.axis.Text, r.axis.Color, r.axis.TextSize = d.axis, fg, size
	r.empty.Text, r.empty.Color = d.empty, fg
	r.grid, r.ticks, r.bars, r.values, r.cats, r.swatch, r.names = nil, nil, nil, nil, nil, nil, nil
	r.objects = []fyne.CanvasObject{r.empty}
	if !r.hasData() {
		r.empty.Show()
		return
	}
	r.empty.Hide()
	format := d.format
	if format == nil {
		format = func(v float64) string { return formatCount(int(math.Round(v))) }
	}
	var step float64
	r.top, step = niceTop(d.max())
	for v := 0.0; v <= r.top+step/2; v += step {
		l := canvas.NewLine(grid)
		l.StrokeWidth = 1
		r.grid = append(r.grid, l)
		tick := format(v)
		if step >= 1 {
			tick = formatCount(int(math.Round(v))) // whole steps need no decimals
		}
		r.ticks = append(r.ticks, text(tick, fyne.TextAlignTrailing))
		r.objects = append(r.objects, l, r.ticks[len(r.ticks)-1])
	}
	labels := len(d.series)*len(d.categories) <= chartValueLabels
	for i, s := range d.series {
		col := chartPalette[i%len(chartPalette)]
		row := make([]*canvas.Rectangle, len(d.categories))
		for j := range d.categories {
			row[j] = canvas.NewRectangle(col)
			r.objects = append(r.objects, row[j])
			if labels {
				label := "–"
				if j < len(s.values) && !math.IsNaN(s.values[j]) {
					label = format(s.values[j])
				}
				r.values = append(r.values, text(label, fyne.TextAlignCenter))
				r.objects = append(r.objects, r.values[len(r.values)-1])
			}
		}
		r.bars = append(r.bars, row)
		if len(d.series) > 1 {
			r.swatch = append(r.swatch, canvas.NewRectangle(col))
			r.names = append(r.names, text(s.name, fyne.TextAlignLeading))
			r.objects = append(r.objects, r.swatch[i], r.names[i])
		}
	}
	for _, c := range d.categories {
		r.cats = append(r.cats, text(c, fyne.TextAlignCenter))
		r.objects = append(r.objects, r.cats[len(r.cats)-1])
	}
	r.objects = append(r.objects, r.axis)
}

// hasData reports whether there is a category and a value above zero.
func (r *barChartRenderer) hasData() bool {
	d := &r.chart.data
	return len(d.categories) > 0 && len(d.series) > 0 && d.max() > 0
}

func (r *barChartRenderer) Layout(size fyne.Size) {
	d := &r.chart.data
	pad := theme.Padding()
	r.empty.Move(fyne.NewPos(0, (size.Height-r.empty.MinSize().Height)/2))
	r.empty.Resize(fyne.NewSize(size.Width, r.empty.MinSize().Height))
	if len(r.bars) == 0 {
		return
	}
	lineH := r.axis.MinSize().Height
	// Top row: what the axis measures, then the legend.
	r.axis.Move(fyne.NewPos(0, 0))
	x := r.axis.MinSize().Width + 3*pad
	for i := range r.names {
		w := r.names[i].MinSize().Width
		r.swatch[i].Move(fyne.NewPos(x, lineH/4))
		r.swatch[i].Resize(fyne.NewSize(lineH/2, lineH/2))
		r.names[i].Move(fyne.NewPos(x+lineH/2+pad, 0))
		r.names[i].Resize(fyne.NewSize(w, lineH))
		x += lineH/2 + pad + w + 2*pad
	}
	var tickW float32
	for _, t := range r.ticks {
		tickW = max(tickW, t.MinSize().Width)
	}
	left := tickW + pad
	plotTop := lineH + pad + lineH/2
	plotBottom := size.Height - lineH - pad
	plotW := size.Width - left - pad
	plotH := plotBottom - plotTop
	if plotW <= 0 || plotH <= 0 {
		return
	}
	for i, l := range r.grid {
		y := plotBottom - float32(float64(i)/float64(len(r.grid)-1))*plotH
		l.Position1, l.Position2 = fyne.NewPos(left, y), fyne.NewPos(size.Width-pad, y)
		r.ticks[i].Move(fyne.NewPos(0, y-lineH/2))
		r.ticks[i].Resize(fyne.NewSize(tickW, lineH))
	}
	groupW := plotW / float32(len(d.categories))
	barW := groupW * 0.8 / float32(len(d.series))
	for j := range d.categories {
		gx := left + float32(j)*groupW + groupW*0.1
		r.cats[j].Move(fyne.NewPos(left+float32(j)*groupW, plotBottom+pad/2))
		r.cats[j].Resize(fyne.NewSize(groupW, lineH))
		for i, s := range d.series {
			h := float32(s.at(j)/r.top) * plotH
			bar := r.bars[i][j]
			bar.Move(fyne.NewPos(gx+float32(i)*barW, plotBottom-h))
			bar.Resize(fyne.NewSize(max(barW-1, 1), h))
			if len(r.values) > 0 {
				t := r.values[i*len(d.categories)+j]
				t.Move(fyne.NewPos(gx+float32(i)*barW, plotBottom-h-lineH))
				t.Resize(fyne.NewSize(barW, lineH))
			}
		}
	}
}

func (r *barChartRenderer) MinSize() fyne.Size {
	h := r.axis.MinSize().Height
	return fyne.NewSize(12*h, 8*h)
}

func (r *barChartRenderer) Refresh() {
	r.rebuild()
	r.Layout(r.chart.Size())
	canvas.Refresh(r.chart)
}

func (r *barChartRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *barChartRenderer) Destroy() {}
