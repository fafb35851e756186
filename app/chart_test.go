package app

import (
	"image/color"
	"math"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

func chartRenderer(t *testing.T, c *barChart) *barChartRenderer {
	t.Helper()
	r, ok := test.WidgetRenderer(c).(*barChartRenderer)
	if !ok {
		t.Fatalf("renderer: got %T", test.WidgetRenderer(c))
	}
	return r
}

// barHeights returns the heights of the chart's bars, [series][category].
func barHeights(r *barChartRenderer) [][]float32 {
	var out [][]float32
	for _, row := range r.bars {
		var hs []float32
		for _, b := range row {
			hs = append(hs, b.Size().Height)
		}
		out = append(out, hs)
	}
	return out
}

func near(a, b float32) bool { return math.Abs(float64(a-b)) < 0.6 }

func TestBarChartBarsProportional(t *testing.T) {
	test.NewTempApp(t)
	c := newBarChart()
	w := test.NewTempWindow(t, c)
	w.Resize(fyne.NewSize(500, 320))
	c.set(chartData{categories: []string{"A", "B", "C"}, axis: "Tage", empty: "leer",
		series: []chartSeries{{name: "eins", values: []float64{10, 20, 5}}, {name: "zwei", values: []float64{0, 40, 15}}}})
	r := chartRenderer(t, c)
	if r.empty.Visible() {
		t.Errorf("empty text shown beside data")
	}
	h := barHeights(r)
	if len(h) != 2 || len(h[0]) != 3 {
		t.Fatalf("bars: got %v, want 2 series × 3 categories", h)
	}
	unit := h[1][1] / 40 // the tallest value
	if unit <= 0 {
		t.Fatalf("tallest bar has no height: %v", h)
	}
	want := [][]float64{{10, 20, 5}, {0, 40, 15}}
	for i := range want {
		for j, v := range want[i] {
			if !near(h[i][j], float32(v)*unit) {
				t.Errorf("bar %d/%d: got height %.1f, want %.1f (proportional to %v)", i, j, h[i][j], float32(v)*unit, v)
			}
		}
	}
	// Bars stand on one base line, inside the widget, the groups in order.
	base := r.bars[0][0].Position().Y + h[0][0]
	for i := range r.bars {
		for j, b := range r.bars[i] {
			if !near(b.Position().Y+b.Size().Height, base) {
				t.Errorf("bar %d/%d ends at %.1f, want the base line %.1f", i, j, b.Position().Y+b.Size().Height, base)
			}
			if b.Position().Y < 0 || b.Position().X+b.Size().Width > c.Size().Width {
				t.Errorf("bar %d/%d lies outside the chart: %v %v", i, j, b.Position(), b.Size())
			}
			if j > 0 && b.Position().X <= r.bars[i][j-1].Position().X {
				t.Errorf("bar %d/%d is not right of the one before", i, j)
			}
		}
	}
	if len(r.names) != 2 || r.names[0].Text != "eins" || r.names[1].Text != "zwei" {
		t.Errorf("legend: got %d names", len(r.names))
	}
	if r.bars[0][0].FillColor == r.bars[1][0].FillColor {
		t.Errorf("two series share a colour")
	}
	if len(r.cats) != 3 || r.cats[1].Text != "B" {
		t.Errorf("category labels: got %d", len(r.cats))
	}
	// The axis tops out at a round value at or above the largest.
	if r.top < 40 || r.ticks[len(r.ticks)-1].Text != formatCount(int(r.top)) {
		t.Errorf("axis top %v, last tick %q", r.top, r.ticks[len(r.ticks)-1].Text)
	}

	// New data redraws: one series, no legend.
	c.set(chartData{categories: []string{"A"}, series: []chartSeries{{name: "x", values: []float64{3}}}})
	if r := chartRenderer(t, c); len(r.bars) != 1 || len(r.names) != 0 || r.bars[0][0].Size().Height <= 0 {
		t.Errorf("after set: %d series, %d legend entries", len(r.bars), len(r.names))
	}
}

func TestBarChartEmpty(t *testing.T) {
	test.NewTempApp(t)
	for _, d := range []chartData{
		{empty: "Noch nichts"},
		{empty: "Noch nichts", categories: []string{"A", "B"}, series: []chartSeries{{name: "x", values: []float64{0, 0}}}},
	} {
		c := newBarChart()
		w := test.NewTempWindow(t, c)
		w.Resize(fyne.NewSize(300, 200))
		c.set(d)
		r := chartRenderer(t, c)
		if !r.empty.Visible() || r.empty.Text != "Noch nichts" {
			t.Errorf("%d categories of zeros: empty text visible %v %q", len(d.categories), r.empty.Visible(), r.empty.Text)
		}
		if len(r.bars) != 0 || len(r.Objects()) != 1 {
			t.Errorf("%d categories of zeros: got %d series, %d objects, want only the text", len(d.categories), len(r.bars), len(r.Objects()))
		}
	}
}

// A category without a value (a segment nobody was contacted in has no
// average) gets no bar and a dash, not a bar of 0 that reads "today".
func TestBarChartNoValue(t *testing.T) {
	test.NewTempApp(t)
	c := newBarChart()
	w := test.NewTempWindow(t, c)
	w.Resize(fyne.NewSize(300, 200))
	c.set(chartData{categories: []string{"Schlüsselkunde", "Kleinkunde"}, series: []chartSeries{{name: "Tage", values: []float64{24, math.NaN()}}}})
	r := chartRenderer(t, c)
	if r.empty.Visible() {
		t.Fatal("got the empty text for a chart with one value")
	}
	if got := r.values[1].Text; got != "–" {
		t.Errorf("label of the category without a value: got %q, want –", got)
	}
	if h := r.bars[0][1].Size().Height; h != 0 {
		t.Errorf("bar of the category without a value: got height %.1f, want 0", h)
	}
	if h := r.bars[0][0].Size().Height; h <= 0 {
		t.Errorf("bar of 24: got height %.1f, want above 0", h)
	}
}

func TestNiceTop(t *testing.T) {
	tests := []struct {
		name           string
		max, top, step float64
	}{
		{name: "none", max: 0, top: 1, step: 1},
		{name: "small", max: 3, top: 3, step: 1},
		{name: "days", max: 187, top: 200, step: 50},
		{name: "fraction", max: 0.7, top: 0.8, step: 0.2},
		{name: "exact", max: 40, top: 40, step: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top, step := niceTop(tt.max)
			if math.Abs(top-tt.top) > 1e-9 || math.Abs(step-tt.step) > 1e-9 {
				t.Errorf("got %v/%v, want %v/%v", top, step, tt.top, tt.step)
			}
		})
	}
}

// TestLoyaltyChartsFromStorage: the attention tab's charts show the
// segments and the gestures that reached each segment by month.
func TestLoyaltyChartsFromStorage(t *testing.T) {
	f := newCareFixture(t)
	k := f.customer(model.Customer{Company: "Gross AG", Segment: model.SegmentKey})
	small := f.customer(model.Customer{Company: "Klein GmbH", Segment: model.SegmentSmall})
	for _, n := range []model.Note{
		{CustomerID: k.ID, At: careNow.AddDate(0, 0, -10), Kind: model.NoteVisit, Text: "Besuch"},
		{CustomerID: k.ID, At: careNow.AddDate(0, 0, -4), Kind: model.NoteCall, Text: "Anruf"},
		{CustomerID: small.ID, At: careNow.AddDate(0, 0, -40), Kind: model.NoteCall, Text: "Anruf"},
	} {
		if err := f.db.AddNote(&n); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range []*model.Customer{k, k, small} {
		g := &model.Gesture{CustomerID: c.ID, Kind: model.GestureGift, Title: "Wein", Status: model.GestureOffered}
		if i == 2 {
			g.Status = model.GestureIdea // not yet given: not counted
		}
		if err := f.db.CreateGesture(g); err != nil {
			t.Fatal(err)
		}
	}
	s := newLoyaltyScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	s.tabs.SelectIndex(3)

	days := chartRenderer(t, s.charts.days)
	if len(days.cats) != 3 || days.cats[0].Text != segmentText(model.SegmentKey) {
		t.Fatalf("days chart categories: got %d", len(days.cats))
	}
	h := barHeights(days)[0] // key 4 days, regular none, small 40 days
	if h[1] != 0 || !near(h[2], 10*h[0]) {
		t.Errorf("days bars: got %v, want small 10× key and regular empty", h)
	}
	contacts := barHeights(chartRenderer(t, s.charts.contacts))[0] // 2 and 1 per customer
	if !near(contacts[0], 2*contacts[2]) || contacts[1] != 0 {
		t.Errorf("contacts bars: got %v, want key 2× small", contacts)
	}

	months := chartRenderer(t, s.charts.months)
	if len(months.cats) != 12 || months.cats[11].Text != "Nov" || months.cats[0].Text != "Dec 25" {
		t.Errorf("month labels: got %d, first %q, last %q", len(months.cats), months.cats[0].Text, months.cats[len(months.cats)-1].Text)
	}
	mh := barHeights(months)
	if len(mh) != 3 || mh[0][11] <= 0 || mh[2][11] != 0 {
		t.Fatalf("gesture bars: got %v, want the key segment's this month only", mh)
	}
	for i := range mh {
		for j := 0; j < 11; j++ {
			if mh[i][j] != 0 {
				t.Errorf("series %d month %d: got %.1f, want 0", i, j, mh[i][j])
			}
		}
	}
	if s.data.monthly.Total() != 2 {
		t.Errorf("gestures counted: got %d, want 2", s.data.monthly.Total())
	}
}

func TestLoyaltyChartsEmpty(t *testing.T) {
	f := newCareFixture(t)
	s := newLoyaltyScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	for name, c := range map[string]*barChart{"days": s.charts.days, "contacts": s.charts.contacts, "months": s.charts.months} {
		if r := chartRenderer(t, c); !r.empty.Visible() || len(r.bars) != 0 {
			t.Errorf("%s on an empty database: empty text visible %v, %d series", name, r.empty.Visible(), len(r.bars))
		}
	}
}

func TestCustomerHeaderSparkline(t *testing.T) {
	var id model.ID
	f := newShellFixture(t, Options{}, func(db *storage.DB) {
		c := model.Customer{GivenName: "Jörg", FamilyName: "Weiß"}
		if err := db.CreateCustomer(&c); err != nil {
			t.Fatal(err)
		}
		id = c.ID
		// Monday 23 November 2026 is shellNow's day: two contacts this
		// week, one three weeks ago, one a year ago (outside).
		for _, back := range []int{0, 0, 21, 365} {
			n := model.Note{CustomerID: id, At: shellNow.AddDate(0, 0, -back).Add(-time.Hour), Kind: model.NoteCall, Text: "Anruf"}
			if err := db.AddNote(&n); err != nil {
				t.Fatal(err)
			}
		}
	})
	f.ui.customer.show(id)
	sp := f.ui.customer.spark
	want := make([]int, sparkWeeks)
	want[sparkWeeks-1], want[sparkWeeks-4] = 2, 1
	for i := range want {
		if sp.bars.values[i] != want[i] {
			t.Fatalf("weeks: got %v, want %v", sp.bars.values, want)
		}
	}
	r := test.WidgetRenderer(sp.bars).(*sparkRenderer)
	if len(r.bars) != sparkWeeks {
		t.Fatalf("bars: got %d, want %d", len(r.bars), sparkWeeks)
	}
	if hi, lo := r.bars[sparkWeeks-1].Size().Height, r.bars[sparkWeeks-4].Size().Height; !near(hi, 2*lo) || hi != sparkH {
		t.Errorf("bar heights: got %.1f and %.1f, want %d and half", hi, lo, sparkH)
	}
	if r.bars[0].Size().Height != sparkEmpty {
		t.Errorf("a week without contact: got height %.1f, want %d", r.bars[0].Size().Height, sparkEmpty)
	}
	if sp.caption.Text != "3 contacts in 26 weeks" && sp.caption.Text != "3 Kontakte in 26 Wochen" {
		t.Errorf("caption: got %q", sp.caption.Text)
	}
}

// BenchmarkLoyaltyMonthly measures what the gestures chart adds to a load
// of the loyalty screen (BenchmarkLoyaltyCollect): the index-only stamps
// of twelve months and a directory lookup per customer who got one.
func BenchmarkLoyaltyMonthly(b *testing.B) {
	f := careBenchFixture(b)
	now := careNow
	attention := loyaltyAttentionBySegment(f.db.Directory().Search(model.Query{Now: now}), now)
	n := 0
	for b.Loop() {
		m, err := collectMonthly(f.db, attention, now)
		if err != nil {
			b.Fatal(err)
		}
		n = m.Total()
	}
	b.ReportMetric(float64(n), "gestures")
}

// TestBarChartFollowsTheTheme: texts and grid take the theme's colours at
// a theme change, so the chart reads on light and dark alike.
func TestBarChartFollowsTheTheme(t *testing.T) {
	a := test.NewTempApp(t)
	c := newBarChart()
	w := test.NewTempWindow(t, c)
	w.Resize(fyne.NewSize(400, 250))
	c.set(chartData{categories: []string{"A"}, axis: "Tage", series: []chartSeries{{name: "x", values: []float64{3}}}})
	var seen []color.Color
	for _, th := range []fyne.Theme{test.Theme(), test.NewTheme()} {
		a.Settings().SetTheme(th)
		c.Refresh()
		r := chartRenderer(t, c)
		fg := theme.ColorForWidget(theme.ColorNameForeground, c)
		if r.cats[0].Color != fg || r.axis.Color != fg || r.ticks[0].Color != fg {
			t.Errorf("texts: got %v, want the theme's foreground %v", r.cats[0].Color, fg)
		}
		if r.grid[0].StrokeColor != theme.ColorForWidget(theme.ColorNameSeparator, c) {
			t.Errorf("grid: got %v, want the theme's separator", r.grid[0].StrokeColor)
		}
		seen = append(seen, fg)
	}
	if seen[0] == seen[1] {
		t.Errorf("both themes gave the foreground %v; the test does not switch themes", seen[0])
	}
}
