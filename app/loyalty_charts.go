package app

import (
	"fmt"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"

	"github.com/kundenkartei/kundenkartei/model"
)

// loyaltyMonths is how many calendar months the gestures chart covers.
const loyaltyMonths = 12

// loyaltyMaxSeries bounds the segments the gestures chart draws as series
// of their own; user-defined segments beyond it are summed as "others".
const loyaltyMaxSeries = 5

// loyaltyCharts are the attention tab's pictures: days since the last
// contact and contacts per customer by segment, and the gestures that
// reached each segment's customers per month.
type loyaltyCharts struct {
	days, contacts, months *barChart
}

func newLoyaltyCharts() *loyaltyCharts {
	return &loyaltyCharts{days: newBarChart(), contacts: newBarChart(), months: newBarChart()}
}

func (c *loyaltyCharts) build() fyne.CanvasObject {
	return container.NewGridWithRows(2, container.NewGridWithColumns(2, c.days, c.contacts), c.months)
}

// attentionSplit puts the charts above the attention rows, the charts
// taking the larger part.
func (s *loyaltyScreen) attentionSplit() fyne.CanvasObject {
	split := container.NewVSplit(s.charts.build(), s.attentionRows.list)
	split.Offset = 0.7
	return split
}

// collectMonthly counts the gestures of the last loyaltyMonths months per
// segment, off the UI thread: stamps from the indexes, segments from the
// directory, the series in the order of the attention rows.
func collectMonthly(svc model.Services, attention []loyaltyAttention, now time.Time) (model.MonthlyGestures, error) {
	stamps, err := svc.GestureStamps(model.MonthsStart(now, loyaltyMonths), time.Time{})
	if err != nil {
		return model.MonthlyGestures{}, err
	}
	dir := svc.Directory()
	seen := map[model.ID]string{}
	segmentOf := func(id model.ID) (string, bool) {
		if seg, ok := seen[id]; ok {
			return seg, true
		}
		c, ok := dir.Summary(id)
		if !ok {
			return "", false
		}
		seen[id] = c.Segment
		return c.Segment, true
	}
	order := make([]string, len(attention))
	for i, a := range attention {
		order[i] = a.segment
	}
	return model.GesturesPerMonth(stamps, segmentOf, order, now, loyaltyMonths), nil
}

// set shows one load of the screen; UI thread.
func (c *loyaltyCharts) set(d *loyaltyData) {
	empty := lang.X("charts.empty", "Nothing to show yet: the chart fills as contacts and gestures are recorded.")
	var cats []string
	var days, contacts []float64
	for _, a := range d.attention {
		cats = append(cats, loyaltySegmentName(a.segment))
		if a.contacted == 0 { // nobody contacted: no average, not "0 days"
			days = append(days, math.NaN())
		} else {
			days = append(days, a.avgDays)
		}
		contacts = append(contacts, a.contactsPerCustomer)
	}
	c.days.set(chartData{categories: cats, empty: empty,
		axis:   lang.X("charts.attention.days", "Days since the last contact (average)"),
		series: []chartSeries{{name: lang.X("charts.attention.daysSeries", "days"), values: days}}})
	c.contacts.set(chartData{categories: cats, empty: empty, format: func(v float64) string { return formatDecimal(v, 1) },
		axis:   lang.X("charts.attention.contacts", "Contacts per customer (all time)"),
		series: []chartSeries{{name: lang.X("charts.attention.contactsSeries", "contacts"), values: contacts}}})

	m := &d.monthly
	months := make([]string, len(m.Months))
	for i, t := range m.Months {
		months[i] = chartMonth(t, i == 0)
	}
	var series []chartSeries
	for i, seg := range m.Segments {
		values := make([]float64, len(m.Months))
		for j, n := range m.Counts[i] {
			values[j] = float64(n)
		}
		if len(series) == loyaltyMaxSeries {
			for j := range values {
				series[loyaltyMaxSeries-1].values[j] += values[j]
			}
			series[loyaltyMaxSeries-1].name = lang.X("charts.gestures.others", "other segments")
			continue
		}
		series = append(series, chartSeries{name: loyaltySegmentName(seg), values: values})
	}
	c.months.set(chartData{categories: months, series: series, empty: empty,
		axis: lang.XN("charts.gestures.axis", "Gestures that reached the customer, per month ({{.Count}} in 12 months)", m.Total(),
			map[string]any{"Count": formatCount(m.Total())})})
}

// loyaltySegmentName is a segment as the attention tab names it.
func loyaltySegmentName(seg string) string {
	if seg == "" {
		return lang.X("loyalty.attention.noSegment", "without segment")
	}
	return segmentText(seg)
}

// chartMonth is a month's short name; the first of a chart and every
// January carry the year, so twelve months read without a legend.
func chartMonth(t time.Time, first bool) string {
	names := []string{
		lang.X("charts.month.jan", "Jan"), lang.X("charts.month.feb", "Feb"), lang.X("charts.month.mar", "Mar"),
		lang.X("charts.month.apr", "Apr"), lang.X("charts.month.may", "May"), lang.X("charts.month.jun", "Jun"),
		lang.X("charts.month.jul", "Jul"), lang.X("charts.month.aug", "Aug"), lang.X("charts.month.sep", "Sep"),
		lang.X("charts.month.oct", "Oct"), lang.X("charts.month.nov", "Nov"), lang.X("charts.month.dec", "Dec"),
	}
	name := names[t.Month()-1]
	if first || t.Month() == time.January {
		name += fmt.Sprintf(" %02d", t.Year()%100)
	}
	return name
}
