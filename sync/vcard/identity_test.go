package vcard

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

func vcf(cards ...string) []byte {
	var b strings.Builder
	for _, c := range cards {
		b.WriteString("BEGIN:VCARD\r\nVERSION:3.0\r\n" + c + "END:VCARD\r\n")
	}
	return []byte(b.String())
}

// TestPreviewSwitchboardColleagues: two people behind one switchboard
// number stay two customers, whether the first is stored already or comes
// earlier in the same file, and neither gets the other's email.
func TestPreviewSwitchboardColleagues(t *testing.T) {
	peter := "N:Meier;Peter;;;\r\nORG:Muster AG\r\nTEL;TYPE=work:+41 44 123 45 67\r\nEMAIL:peter.meier@muster.ch\r\n"
	anna := "N:Huber;Anna;;;\r\nORG:Muster AG\r\nTEL;TYPE=work:044 123 45 67\r\nEMAIL:anna.huber@muster.ch\r\n"
	for _, tt := range []struct {
		name          string
		stored, input []byte
	}{
		{"Peter stored, Anna imported", vcf(peter), vcf(anna)},
		{"both in one file", nil, vcf(peter, anna)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := openDB(t)
			if tt.stored != nil {
				importFile(t, db, tt.stored, DefaultChoices())
			}
			plan, res := importFile(t, db, tt.input, DefaultChoices())
			for _, e := range plan.Entries {
				if e.Existing != model.NilID || e.SameAs != 0 {
					t.Errorf("card %d: got same as %v / card %d (%v %v), want new", e.Index, e.ExistingName, e.SameAs, e.Why, e.WhySame)
				}
			}
			if res.Updated != 0 {
				t.Errorf("got %d updated, want 0", res.Updated)
			}
			cs := allCustomers(t, db)
			if len(cs) != 2 {
				t.Fatalf("got %d customers, want 2", len(cs))
			}
			for _, c := range cs {
				if len(c.Emails) != 1 || !strings.HasPrefix(c.Emails[0].Address, strings.ToLower(c.GivenName)) {
					t.Errorf("%s: got emails %v, want only their own", c.DisplayName(), c.Emails)
				}
			}
		})
	}
}

// TestImportKeepsContactsWithoutName: an Android export where half the
// contacts have no name; every one becomes a customer, and importing the
// file again adds nothing.
func TestImportKeepsContactsWithoutName(t *testing.T) {
	in := vcf(
		"N:Keller;Beat;;;\r\nFN:Beat Keller\r\nTEL;CELL:079 111 22 33\r\n",
		"FN:\r\nEMAIL:nur-email@example.ch\r\n",
		"TEL;CELL:+41 79 222 33 44\r\n",
		"FN:Heidi Zürcher\r\n",
		"ORG:Schreinerei Zürcher AG\r\nTEL;WORK:044 987 65 43\r\n",
		"N:Frei;Ursula;;;\r\nEMAIL:ursula@frei.ch\r\n",
		"NOTE:nothing that says who\r\n",
	)
	db := openDB(t)
	plan, res := importFile(t, db, in, DefaultChoices())
	if got := plan.Counts(); got.New != 6 || got.Problems != 1 {
		t.Errorf("got counts %+v, want 6 new and the card without anything identifying as a problem", got)
	}
	if res.Added != 6 {
		t.Fatalf("got %d added, want 6 (%+v)", res.Added, res)
	}
	var names []string
	for _, c := range allCustomers(t, db) {
		names = append(names, c.DisplayName())
	}
	for _, want := range []string{"Beat Keller", "nur-email@example.ch", "+41 79 222 33 44", "Heidi Zürcher", "Schreinerei Zürcher AG", "Ursula Frei"} {
		if !strings.Contains(strings.Join(names, "|"), want) {
			t.Errorf("got customers %q, want one shown as %q", names, want)
		}
	}
	_, again := importFile(t, db, in, DefaultChoices())
	if again.Added != 0 || again.Updated != 0 {
		t.Errorf("second import: got %+v, want nothing added or updated", again)
	}
}

// person is one generated human: the ground truth the property checks.
type person struct {
	given, family, company, town, email, phone string
}

// genPeople makes n distinct people from small pools, so that many share
// family names, companies, towns and phone numbers (switchboards, family
// landlines); each has their own email unless they have none. No two
// people share both given and family name.
func genPeople(r *rand.Rand, n int) []person {
	given := []string{"Peter", "Anna", "Hans", "Käthi", "Lukas", "Ursula", "Beat", "Chloé", "Jürg", "Heidi", "Sébastien", "Petra"}
	family := []string{"Meier", "Müller", "Huber", "Brändli", "Keller", "Weiß"}
	companies := []string{"", "", "Muster AG", "Käser AG", "Brändli Optik GmbH"}
	towns := []string{"", "Zürich", "Bern", "Basel"}
	phones := []string{"", "+41 44 123 45 67", "044 123 45 67", "+41 31 987 65 43", "079 555 12 34"}
	used := map[string]bool{}
	var out []person
	for len(out) < n {
		p := person{given: given[r.IntN(len(given))], family: family[r.IntN(len(family))],
			company: companies[r.IntN(len(companies))], town: towns[r.IntN(len(towns))]}
		if used[p.given+" "+p.family] {
			continue
		}
		used[p.given+" "+p.family] = true
		if r.IntN(4) > 0 {
			p.email = fmt.Sprintf("p%d@example.ch", len(out))
		}
		if r.IntN(3) > 0 {
			p.phone = phones[r.IntN(len(phones))]
		}
		out = append(out, p)
	}
	return out
}

// cardOf writes p as a vCard; uid "" leaves UID out.
func cardOf(p person, uid string) string {
	s := fmt.Sprintf("N:%s;%s;;;\r\nFN:%s %s\r\n", p.family, p.given, p.given, p.family)
	if p.company != "" {
		s += "ORG:" + p.company + "\r\n"
	}
	if p.email != "" {
		s += "EMAIL:" + p.email + "\r\n"
	}
	if p.phone != "" {
		s += "TEL:" + p.phone + "\r\n"
	}
	if p.town != "" {
		s += "ADR:;;Hauptstrasse 1;" + p.town + ";;8000;Schweiz\r\n"
	}
	if uid != "" {
		s += "UID:" + uid + "\r\n"
	}
	return s
}

// TestImportNeverMergesDifferentPeople is the identity property over
// generated address books: two address books of the same people, the
// second with simple UIDs that the first used for other people. Whatever
// they share (phones, companies, family names, towns, UIDs), no customer
// ends up holding two people with different emails and different names,
// and importing the second book again adds nothing.
func TestImportNeverMergesDifferentPeople(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 15))
			people := genPeople(r, 40)
			db := openDB(t)
			var first, second []string
			var firstWho, secondWho []int // card → person
			for i, p := range people {
				if r.IntN(2) == 0 {
					first = append(first, cardOf(p, fmt.Sprint(len(first)+1))) // UIDs 1, 2, 3 …
					firstWho = append(firstWho, i)
				}
			}
			for _, i := range r.Perm(len(people)) {
				uid := ""
				if r.IntN(3) > 0 {
					uid = fmt.Sprint(len(second) + 1) // the same simple UIDs, other people
				}
				second = append(second, cardOf(people[i], uid))
				secondWho = append(secondWho, i)
			}
			owner := map[model.ID][]int{} // customer → people in it
			addOwners := func(res Result, who []int) {
				for card, id := range res.IDs {
					owner[id] = append(owner[id], who[card-1])
				}
			}
			_, res := importFile(t, db, vcf(first...), DefaultChoices())
			addOwners(res, firstWho)
			_, res = importFile(t, db, vcf(second...), DefaultChoices())
			addOwners(res, secondWho)
			for id, who := range owner {
				for _, a := range who {
					for _, b := range who {
						pa, pb := people[a], people[b]
						if pa.email != "" && pb.email != "" && pa.email != pb.email && pa.given+pa.family != pb.given+pb.family {
							t.Fatalf("customer %v holds two people: %+v and %+v", id, pa, pb)
						}
					}
				}
			}
			before := snapshot(t, db)
			plan, again := importFile(t, db, vcf(second...), DefaultChoices())
			if again.Added != 0 || again.Updated != 0 {
				for _, e := range plan.New {
					t.Logf("new again: card %d %s", e.Index, e.Name)
				}
				t.Errorf("re-import: got %+v, want nothing added or updated", again)
			}
			if after := snapshot(t, db); after != before {
				t.Error("re-import changed the database")
			}
		})
	}
}

// TestPreviewBlocksLoadCandidatesOnce checks the cost rule: one MatchesAll
// and one Customers call per block of 500 cards.
func TestPreviewBlocksLoadCandidatesOnce(t *testing.T) {
	in := genVCF(1200)
	db := openDB(t)
	importFile(t, db, in, DefaultChoices())
	cards, _, err := Parse(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	svc := &countingService{ImportService: db}
	plan, err := Preview(context.Background(), cards, svc, PreviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Counts(); got.Matching != 1200 {
		t.Errorf("got counts %+v, want all 1200 matching", got)
	}
	if svc.matchesAll != 3 || svc.customers != 3 {
		t.Errorf("got %d MatchesAll and %d Customers calls, want 3 and 3", svc.matchesAll, svc.customers)
	}
}

type countingService struct {
	model.ImportService
	matchesAll, customers int
}

func (s *countingService) MatchesAll(cs []*model.Customer) ([][]model.Match, error) {
	s.matchesAll++
	return s.ImportService.MatchesAll(cs)
}

func (s *countingService) Customers(ids []model.ID) ([]*model.Customer, error) {
	s.customers++
	return s.ImportService.Customers(ids)
}

// BenchmarkPreviewReimport10k measures the preview of a 10,000-card file
// whose every card is stored already: candidates from the indexes, loaded
// per block, judged by the identity rule.
func BenchmarkPreviewReimport10k(b *testing.B) {
	in := genVCF(10000)
	db := openDB(b)
	importFile(b, db, in, DefaultChoices())
	cards, _, err := Parse(bytes.NewReader(in))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	c0 := cpuTime()
	for range b.N {
		plan, err := Preview(context.Background(), cards, db, PreviewOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if got := plan.Counts(); got.Matching != 10000 {
			b.Fatalf("got %+v, want all matching", got)
		}
	}
	b.ReportMetric(float64((cpuTime()-c0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(b.N*len(cards))/b.Elapsed().Seconds(), "cards/s")
}

// TestPreviewNamesakesInFile: earlier cards are found by the evidence that
// can make them the same person, so twenty namesakes at other companies
// neither hide the one at the same company nor the one without a company.
func TestPreviewNamesakesInFile(t *testing.T) {
	var cards []string
	for i := range 20 {
		cards = append(cards, fmt.Sprintf("N:Müller;Hans;;;\r\nORG:Firma %d AG\r\n", i))
	}
	cards = append(cards,
		"N:Müller;Hans;;;\r\nORG:Firma 19 AG\r\nTEL:044 123 45 67\r\n", // 21: the same as card 20
		"N:Müller;Hans;;;\r\nADR:;;Hauptstrasse 1;Basel;;4051;Schweiz\r\n",
		"N:Mueller;Hans;;;\r\nORG:Firma 3 AG\r\nADR:;;Seestrasse 2;Basel;;4051;Schweiz\r\n",     // 23: the same as 4 (company) before 22 (town)
		"N:Müller;Hans;;;\r\nORG:Firma 99 AG\r\nADR:;;Bahnhofstrasse 3;Basel;;4051;Schweiz\r\n", // 24: the same as 22 (town, 22 has no company)
	)
	plan, err := Preview(context.Background(), mustParse(t, vcf(cards...)), openDB(t), PreviewOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]int{21: 20, 23: 4, 24: 22}
	for _, e := range plan.Entries {
		if e.SameAs != want[e.Index] {
			t.Errorf("card %d: got same as card %d (%v), want %d", e.Index, e.SameAs, e.WhySame, want[e.Index])
		}
	}
}

func mustParse(tb testing.TB, in []byte) []Card {
	tb.Helper()
	cards, _, err := Parse(bytes.NewReader(in))
	if err != nil {
		tb.Fatal(err)
	}
	return cards
}
