package search

import (
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// Run with:
//
//	CGO_ENABLED=0 go test -run '^$' -bench 'List' -benchtime 300x ./storage/search/
//
// These measure what the customer list does per keystroke and per click on
// a column header: search all matches in the chosen order and make the
// summaries of the first page of rows (a table shows some 30). "cards"
// cases are the orders the two-line list offered before the table
// (name, last contact, next due); "table" cases are the table's new
// orders and directions, over the same 100,000 customers.

// listPage is the number of rows a list page shows.
const listPage = 40

// firstPage searches q and fills the summaries of its first page of rows.
func firstPage(ix *Index, q model.Query) int {
	hits := ix.Search(q)
	var s model.CustomerSummary
	for i := 0; i < len(hits) && i < listPage; i++ {
		hits[i].Fill(&s)
	}
	return len(hits)
}

var listOrders = []struct {
	name string
	sort model.SortOrder
	desc bool
}{
	{"cards-name", model.SortByName, false},
	{"cards-last-contact", model.SortByLastContact, false},
	{"cards-next-due", model.SortByNextDue, false},
	{"table-name-desc", model.SortByName, true},
	{"table-last-contact-desc", model.SortByLastContact, true},
	{"table-company", model.SortByCompany, false},
	{"table-company-desc", model.SortByCompany, true},
	{"table-city", model.SortByCity, false},
	{"table-segment-desc", model.SortBySegment, true},
}

// BenchmarkListKeystroke types "Müller" into the search box, each
// keystroke a search and a first page, in every order.
func BenchmarkListKeystroke(b *testing.B) {
	ix := loadedLarge(b)
	for _, o := range listOrders {
		for _, text := range []string{"m", "mü", "müller"} {
			b.Run(o.name+"/"+text, func(b *testing.B) {
				q := model.Query{Text: text, Sort: o.sort, Desc: o.desc, Now: benchNow}
				firstPage(ix, q) // a text order is built on its first use; see BenchmarkListFirstSort
				latency(b, func() { sinkCount = firstPage(ix, q) })
				b.ReportMetric(float64(sinkCount), "hits")
			})
		}
	}
}

// BenchmarkListSortSwitch clicks a column header with an empty search box:
// all 100,000 customers in the new order, and the first page.
func BenchmarkListSortSwitch(b *testing.B) {
	ix := loadedLarge(b)
	for _, o := range listOrders {
		b.Run(o.name, func(b *testing.B) {
			q := model.Query{Sort: o.sort, Desc: o.desc, Now: benchNow}
			firstPage(ix, q)
			latency(b, func() { sinkCount = firstPage(ix, q) })
			b.ReportMetric(float64(sinkCount), "hits")
		})
	}
}

// BenchmarkListFirstSort is the first sort by a text column after a
// (re)build of the index: it builds that order's permutation once.
func BenchmarkListFirstSort(b *testing.B) {
	ix := loadedLarge(b)
	for _, o := range []model.SortOrder{model.SortByCompany, model.SortByCity, model.SortBySegment} {
		b.Run(textOrderName(o), func(b *testing.B) {
			docs, field := ix.base.docs, textFields[textIndex(o)]
			latency(b, func() { sinkCount = len(textPerm(docs, field).by) })
		})
	}
}

func textOrderName(o model.SortOrder) string {
	return [...]string{"company", "city", "segment"}[textIndex(o)]
}

// BenchmarkListDecodeAll is what a list that decoded every customer per
// keystroke (to sort by a field the index did not hold) would cost: the
// summaries of all 100,000, which the table never does.
func BenchmarkListDecodeAll(b *testing.B) {
	ix := loadedLarge(b)
	q := model.Query{Now: benchNow}
	latency(b, func() {
		var s model.CustomerSummary
		hits := ix.Search(q)
		for _, h := range hits {
			h.Fill(&s)
		}
		sinkCount = len(hits)
	})
}

// BenchmarkListSortSwitchWithOverlay is BenchmarkListSortSwitch while the
// overlay holds as many changed customers as it ever does before a
// rebuild, as after an import or a sync.
func BenchmarkListSortSwitchWithOverlay(b *testing.B) {
	ix := New()
	all := largeSet()
	ix.Load(all)
	ix.wait()
	ix.mu.Lock()
	for i := 0; i < overlayLimit(len(all)); i++ {
		s := all[i*37%len(all)]
		s.Name += " X"
		s.Company += " X"
		d := newDoc(&s, &folder{}, ix.region, true)
		ix.apply(op{id: s.ID, d: d}) // not change: no compaction
	}
	ix.mu.Unlock()
	for _, o := range listOrders {
		b.Run(o.name, func(b *testing.B) {
			q := model.Query{Sort: o.sort, Desc: o.desc, Now: benchNow}
			firstPage(ix, q)
			latency(b, func() { sinkCount = firstPage(ix, q) })
			b.ReportMetric(float64(sinkCount), "hits")
		})
	}
}
