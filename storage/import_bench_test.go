package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// importCards returns n new customers shaped like the cards of a vCard
// export (sync/vcard's genVCF): two phones, an email, an address, tags,
// a UID. round makes the phone numbers and UIDs differ between rounds,
// so model.E164's memo does not carry over and each round parses its
// numbers afresh, as one CLI import does.
func importCards(n, round int) []*model.Customer {
	given := []string{"Jürg", "Käthi", "Sébastien", "Anna-Lena", "Ruedi", "Chloé", "Lukas", "Søren", "Petra", "Beat", "Ursula", "Heidi"}
	family := []string{"Müller", "Brändli", "Weiß", "Kälin", "Öztürk", "Fässler", "Gößwein", "Zürcher", "Keller", "Frei", "Gerber", "Zimmermann"}
	cities := []string{"Zürich", "Basel", "Bern", "Küsnacht", "St. Gallen", "Einsiedeln"}
	out := make([]*model.Customer, n)
	for i := range out {
		k := round*n + i
		c := &model.Customer{
			Kind: model.Person, GivenName: given[i%len(given)], FamilyName: family[(i/len(given))%len(family)],
			Company: fmt.Sprintf("Firma %d AG", i/7), Position: "Einkauf",
			Emails: []model.Email{{Label: "work", Address: fmt.Sprintf("kunde%d@firma%d.ch", i, i/7), Pref: true}},
			Phones: []model.Phone{
				{Label: "mobile", Number: fmt.Sprintf("+41 79 %03d %02d %02d", k/10000, (k/100)%100, k%100), Pref: true},
				{Label: "work", Number: fmt.Sprintf("044 %03d %02d %02d", 100+k/10000, (k/100)%100, k%100)},
			},
			Addresses:    []model.Address{{Label: "work", Street: fmt.Sprintf("Bahnhofstraße %d", i%200+1), PostalCode: fmt.Sprint(1000 + i%8000), City: cities[i%len(cities)], Country: "Schweiz", Pref: true}},
			Tags:         []string{"Kunden", "Messe Basel 2026"},
			ExternalUIDs: []string{fmt.Sprintf("%08d-%04d-4000-8000-000000000000", i, round)},
		}
		if i%4 == 0 {
			c.Memo = "Kennt uns von der Messe, möchte im Frühjahr ein Angebot für die neue Werkstatt."
		}
		out[i] = c
	}
	return out
}

// BenchmarkImportCommit10k is storage's part of a 10,000-card vCard
// import into a fresh database: MatchesAll (the preview's look-up) and
// SaveCustomers (the durable, chunked commit), fsync on.
func BenchmarkImportCommit10k(b *testing.B) {
	var match, commit, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cs := importCards(10000, i)
		db, err := Open(filepath.Join(b.TempDir(), "import.db"), Options{Now: func() time.Time { return benchNow }})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0, c0 := time.Now(), cpuTime()
		ms, err := db.MatchesAll(cs)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := db.SaveCustomers(context.Background(), cs, nil, nil); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		match, commit, cpu = match+t1.Sub(t0), commit+t2.Sub(t1), cpu+cpuTime()-c0
		b.StopTimer()
		if len(ms) != len(cs) || db.Directory().Len() != len(cs) {
			b.Fatalf("got %d matches and %d listed, want %d", len(ms), db.Directory().Len(), len(cs))
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(match.Milliseconds())/float64(b.N), "match-ms/op")
	b.ReportMetric(float64(commit.Milliseconds())/float64(b.N), "commit-ms/op")
}
