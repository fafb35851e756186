package search

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/kundenkartei/kundenkartei/model"
)

// Vocabulary of the generated customers: German, Swiss and Austrian names
// with umlauts, ß and French accents, as real address books hold them.
var (
	givenNames = []string{"Hans", "Peter", "Ursula", "Jürg", "Jörg", "Rüdiger", "Björn", "Günther", "Käthi",
		"Regula", "Beat", "Urs", "Reto", "Andrea", "Sabine", "Thomas", "Daniel", "Martin", "Stefan",
		"Michael", "Christian", "Markus", "Barbara", "Monika", "Claudia", "Franziska", "Lukas", "Matthias",
		"Simone", "Nicole", "Fabienne", "Céline", "René", "Zoë", "Chloé", "Jérôme", "Anaïs", "Özlem",
		"Hans-Peter", "Anna-Lena", "Max", "Moritz", "Mia", "Marlene", "Müge", "Søren", "Lea", "Noah"}
	familyNames = []string{"Müller", "Mueller", "Meier", "Schmid", "Keller", "Weber", "Huber", "Schneider",
		"Meyer", "Steiner", "Fischer", "Gerber", "Brunner", "Baumann", "Frei", "Zimmermann", "Moser",
		"Widmer", "Wyss", "Graf", "Roth", "Bühler", "Lüthi", "Schürch", "Märki", "Jäggi", "Hänni", "Böhlen",
		"Gößling", "Strauß", "Weiß", "Großmann", "Krüger", "Köhler", "Schäfer", "Würth", "Mayr", "Pichler",
		"Gruber", "Hofer", "Wagner", "Bauer", "Fuchs", "Eggenschwiler", "Zürcher", "von Arx",
		"de Montmollin", "Nüesch", "Mäder", "Müller-Lüdenscheidt", "Straßer", "Maurer", "Mösli", "Kälin"}
	companyForms = []string{"%s Haustechnik AG", "%s & Söhne GmbH", "Bäckerei %s", "Schreinerei %s AG",
		"%s Treuhand GmbH", "Blumen %s", "Malerei %s KG", "Elektro %s AG", "Café %s", "%s Straßenbau GmbH"}
	cities = []string{"Zürich", "Basel", "Bern", "Luzern", "St. Gallen", "Winterthur", "Lausanne", "Genève",
		"Biel/Bienne", "Thun", "Köniz", "Schaffhausen", "Chur", "Fribourg", "Neuchâtel", "Zug", "Küsnacht",
		"Rapperswil-Jona", "München", "Köln", "Düsseldorf", "Nürnberg", "Würzburg", "Wien", "Graz", "Linz",
		"Innsbruck", "Salzburg", "Klagenfurt", "Freiburg im Breisgau", "Lörrach", "Konstanz", "Gößnitz"}
	domains  = []string{"bluewin.ch", "gmail.com", "gmx.ch", "gmx.de", "hotmail.com", "sunrise.ch", "outlook.com", "web.de", "a1.net", "hispeed.ch"}
	tagPool  = []string{"Messe Basel 2026", "Messe Bern 2025", "VIP", "Newsletter", "Handwerk", "Stammkunde", "Weihnachtskarte", "Großauftrag", "Ärzte", "Gastro"}
	segments = []string{model.SegmentKey, model.SegmentRegular, model.SegmentRegular, model.SegmentSmall, model.SegmentSmall, "Großkunde"}
	rhythms  = []int{0, 0, 30, 60, 90, 180, 365}
)

// benchNow is the fixed "now" of generated data and benchmark queries.
var benchNow = time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)

// asciiMail turns a name into what people put in mail addresses.
func asciiMail(s string) string {
	r := strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "é", "e", "è", "e", "ë", "e",
		"ï", "i", "ø", "o", "Ä", "ae", "Ö", "oe", "Ü", "ue", " ", "", "&", "")
	return strings.ToLower(r.Replace(s))
}

// phone formats a random number in one of the ways people type them.
func phone(rng *rand.Rand) string {
	a, b, c, d := rng.IntN(1000), rng.IntN(100), rng.IntN(100), rng.IntN(10000000)
	switch rng.IntN(8) {
	case 0:
		return fmt.Sprintf("079 %03d %02d %02d", a, b, c)
	case 1:
		return fmt.Sprintf("+41 78 %03d %02d %02d", a, b, c)
	case 2:
		return fmt.Sprintf("0041 44 %03d %02d %02d", a, b, c)
	case 3:
		return fmt.Sprintf("+41 (0)61 %03d %02d %02d", a, b, c)
	case 4:
		return fmt.Sprintf("031/%03d %02d %02d", a, b, c)
	case 5:
		return fmt.Sprintf("+49 89 %07d", d)
	case 6:
		return fmt.Sprintf("+43 664 %07d", d)
	default:
		return fmt.Sprintf("076-%03d-%02d-%02d", a, b, c)
	}
}

// genCustomer makes one realistic customer from rng.
func genCustomer(rng *rand.Rand, i int) *model.Customer {
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	c := &model.Customer{Kind: model.Person}
	c.ID = uuid.UUID{}
	c.ID[0], c.ID[1], c.ID[2], c.ID[3] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
	c.ID[15] = byte(rng.IntN(256))
	c.Created = benchNow.AddDate(0, 0, -rng.IntN(3000))
	family := pick(familyNames)
	switch rng.IntN(10) {
	case 0, 1: // a company
		c.Kind = model.Company
		c.Company = fmt.Sprintf(pick(companyForms), family)
		c.Emails = []model.Email{{Label: model.LabelWork, Address: "info@" + asciiMail(family) + "-" + fmt.Sprint(i%97) + ".ch"}}
	default:
		c.GivenName, c.FamilyName = pick(givenNames), family
		if rng.IntN(3) == 0 {
			c.Company = fmt.Sprintf(pick(companyForms), pick(familyNames))
		}
		c.Emails = []model.Email{{Label: model.LabelHome,
			Address: fmt.Sprintf("%s.%s%d@%s", asciiMail(c.GivenName), asciiMail(family), i%1000, pick(domains))}}
	}
	if rng.IntN(10) > 0 {
		c.Phones = []model.Phone{{Label: model.LabelMobile, Number: phone(rng)}}
	}
	c.Addresses = []model.Address{{City: pick(cities)}}
	for n := rng.IntN(3); n > 0; n-- {
		c.Tags = append(c.Tags, pick(tagPool))
	}
	c.Segment = pick(segments)
	c.RhythmDays = rhythms[rng.IntN(len(rhythms))]
	if rng.IntN(4) == 0 {
		c.Since = model.Date{Year: 2010 + rng.IntN(16), Month: time.Month(1 + rng.IntN(12)), Day: 1 + rng.IntN(28)}
	}
	if rng.IntN(5) < 2 {
		c.Consents = []model.Consent{{Channel: model.ChannelEmail, GivenAt: c.Created}}
	}
	c.Normalize()
	return c
}

// genStats makes plausible derived values.
func genStats(rng *rand.Rand) model.Stats {
	var st model.Stats
	if rng.IntN(5) > 0 {
		st.LastContact = benchNow.Add(-time.Duration(rng.IntN(700*24)) * time.Hour)
		st.Notes = 1 + rng.IntN(30)
	}
	st.OpenComplaint = rng.IntN(30) == 0
	return st
}

// genSummaries returns n realistic summaries, the same for the same seed.
func genSummaries(n int, seed uint64) []model.CustomerSummary {
	rng := rand.New(rand.NewPCG(seed, 42))
	out := make([]model.CustomerSummary, n)
	for i := range out {
		c := genCustomer(rng, i)
		out[i] = model.Summarize(c, genStats(rng), benchNow)
	}
	return out
}

var (
	large     []model.CustomerSummary
	largeOnce sync.Once
)

// largeSet is the benchmark data set: 100,000 customers, as DESIGN.md §9.
func largeSet() []model.CustomerSummary {
	largeOnce.Do(func() { large = genSummaries(100_000, 1) })
	return large
}
