package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// sparkWeeks is how many weeks the customer header's sparkline covers.
const sparkWeeks = 26

// contactSpark is the customer header's sparkline: contacts per week over
// the last half year, drawn from the timeline already loaded, with a
// caption that says what it shows.
type contactSpark struct {
	box     *fyne.Container
	bars    *sparkBars
	caption *widget.Label
}

func newContactSpark() *contactSpark {
	s := &contactSpark{bars: newSparkBars(), caption: widget.NewLabel("")}
	s.caption.SizeName = theme.SizeNameCaptionText
	s.box = container.NewHBox(s.caption, container.NewCenter(s.bars))
	return s
}

// set shows the contacts of notes per week up to now's week; UI thread.
func (s *contactSpark) set(notes []model.Note, now time.Time) {
	weeks := model.ContactsPerWeek(notes, now, sparkWeeks)
	total := 0
	for _, n := range weeks {
		total += n
	}
	s.caption.SetText(lang.XN("charts.spark.caption", "{{.Count}} contacts in {{.Weeks}} weeks", total,
		map[string]any{"Count": formatCount(total), "Weeks": sparkWeeks}))
	s.bars.set(weeks)
}

// sparkBars draws one thin bar per value, scaled to the largest; a week
// without contact shows as a short tick on the base line.
type sparkBars struct {
	widget.BaseWidget
	values []int
}

func newSparkBars() *sparkBars {
	b := &sparkBars{}
	b.ExtendBaseWidget(b)
	return b
}

func (b *sparkBars) set(values []int) {
	b.values = values
	b.Refresh()
}

func (b *sparkBars) CreateRenderer() fyne.WidgetRenderer {
	r := &sparkRenderer{spark: b, base: canvas.NewLine(theme.ColorForWidget(theme.ColorNameSeparator, b))}
	r.rebuild()
	return r
}

type sparkRenderer struct {
	spark   *sparkBars
	base    *canvas.Line
	bars    []*canvas.Rectangle
	objects []fyne.CanvasObject
}

// Size of one week's bar and the gap after it, and the sparkline's height.
const (
	sparkBarW  = 4
	sparkGap   = 1
	sparkH     = 22
	sparkEmpty = 1 // height of a week without contact
)

func (r *sparkRenderer) rebuild() {
	col := theme.ColorForWidget(theme.ColorNamePrimary, r.spark)
	r.base.StrokeColor = theme.ColorForWidget(theme.ColorNameSeparator, r.spark)
	for len(r.bars) < len(r.spark.values) {
		r.bars = append(r.bars, canvas.NewRectangle(col))
	}
	r.bars = r.bars[:len(r.spark.values)]
	r.objects = []fyne.CanvasObject{r.base}
	for _, bar := range r.bars {
		bar.FillColor = col
		r.objects = append(r.objects, bar)
	}
}

func (r *sparkRenderer) Layout(fyne.Size) {
	top := 0
	for _, v := range r.spark.values {
		top = max(top, v)
	}
	r.base.Position1, r.base.Position2 = fyne.NewPos(0, sparkH), fyne.NewPos(r.MinSize().Width, sparkH)
	for i, v := range r.spark.values {
		h := float32(sparkEmpty)
		if top > 0 && v > 0 {
			h = max(2, float32(v)/float32(top)*sparkH)
		}
		r.bars[i].Move(fyne.NewPos(float32(i*(sparkBarW+sparkGap)), sparkH-h))
		r.bars[i].Resize(fyne.NewSize(sparkBarW, h))
	}
}

func (r *sparkRenderer) MinSize() fyne.Size {
	return fyne.NewSize(float32(len(r.spark.values)*(sparkBarW+sparkGap)), sparkH+1)
}

func (r *sparkRenderer) Refresh() {
	r.rebuild()
	r.Layout(r.spark.Size())
	canvas.Refresh(r.spark)
}

func (r *sparkRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *sparkRenderer) Destroy() {}
