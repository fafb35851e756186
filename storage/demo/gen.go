package demo

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// gen generates customers one by one. It owns scratch buffers, so each
// goroutine needs its own.
type gen struct {
	w   *world
	pcg *rand.PCG
	r   *rand.Rand
	buf []byte
	at  []int64 // scratch: note times of the current customer

	// The current customer, for its notes, follow-ups and gestures.
	cust      *model.Customer
	custIdx   int
	custSec   int64 // Created of the customer, Unix seconds
	custDay   int   // index in days of custSec
	country   int
	currency  string
	complaint []int // indexes into the batch's notes of this customer's complaints
	apologies []int // the complaints (indexes into the batch's notes) an apology gesture settles
}

func newGen(w *world) *gen {
	p := rand.NewPCG(0, 0)
	return &gen{w: w, pcg: p, r: rand.New(p), buf: make([]byte, 0, 64)}
}

// seed starts the random stream of customer i (or of the events for ^0).
func (g *gen) seed(i uint64) {
	s := uint64(g.w.spec.Seed)
	g.pcg.Seed(splitmix(s^0x243f6a8885a308d3+i), splitmix(i^0x13198a2e03707344)^s)
}

// batch generates customers [start, end) with their records.
func (g *gen) batch(start, end int) model.Bulk {
	w := g.w
	b := model.Bulk{
		Customers: make([]model.Customer, 0, end-start),
		Notes:     make([]model.Note, 0, w.noteCum[end]-w.noteCum[start]),
		FollowUps: make([]model.FollowUp, 0, w.fuCum[end]-w.fuCum[start]),
		Gestures:  make([]model.Gesture, 0, w.gestCum[end]-w.gestCum[start]),
	}
	for i := start; i < end; i++ {
		g.customer(i, &b)
	}
	return b
}

func (g *gen) intn(n int) int             { return g.r.IntN(n) }
func (g *gen) chance(p float64) bool      { return g.r.Float64() < p }
func pick[T any](g *gen, list []T) T      { return list[g.r.IntN(len(list))] }
func (g *gen) between(lo, hi int64) int64 { return lo + g.r.Int64N(hi-lo+1) }

// id returns a UUIDv7 for a record created at Unix second sec: the
// timestamp from sec (with random milliseconds), the rest from the stream.
func (g *gen) id(sec int64) model.ID {
	a, b := g.r.Uint64(), g.r.Uint64()
	ms := uint64(sec)*1000 + a>>54%1000
	var u model.ID
	u[0], u[1], u[2], u[3], u[4], u[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	u[6] = 0x70 | byte(a>>8)&0x0f // version 7
	u[7] = byte(a)
	u[8] = 0x80 | byte(b>>56)&0x3f // RFC 4122 variant
	u[9], u[10], u[11], u[12], u[13], u[14], u[15] = byte(b>>48), byte(b>>40), byte(b>>32), byte(b>>24), byte(b>>16), byte(b>>8), byte(b)
	return u
}

func (g *gen) meta(created, updated int64, device, author string) model.Meta {
	return model.Meta{ID: g.id(created), Created: unix(created), Updated: unix(updated), Device: device, Author: author}
}

// office returns a Unix second during office hours of day index d.
func (g *gen) office(d int) int64 {
	return g.w.days[d].start + 7*3600 + 30*60 + g.r.Int64N(10*3600)
}

// past clamps s to a minute before now, so nothing generated lies in the
// future unless meant to. Clamping never reorders two times.
func (g *gen) past(s int64) int64 {
	return min(s, g.w.nowSec-60)
}

// officeBefore is office(d) for a day that may be today: the time lies
// before now (and on day d when now allows).
func (g *gen) officeBefore(d int) int64 {
	lo := g.w.days[d].start + 7*3600 + 30*60
	hi := min(lo+10*3600, g.w.nowSec-60)
	if hi <= lo {
		lo = min(g.w.days[d].start, hi)
	}
	return g.between(lo, hi)
}

// moment returns a time during office hours between lo and hi, so edits
// and consents do not all happen at night. It never returns a time after
// now: when lo is that late, it returns a minute before now.
func (g *gen) moment(lo, hi int64) int64 {
	hi = g.past(hi)
	if hi <= lo {
		return hi
	}
	s := g.office(g.w.dayOf(g.between(lo, hi)))
	return min(max(s, lo), hi)
}

func (g *gen) customer(i int, b *model.Bulk) {
	w := g.w
	g.seed(uint64(i))
	h := w.profile(i)

	g.country = 0
	if p := g.intn(100); p >= w.country[0] {
		g.country = 1
		if p >= w.country[0]+w.country[1] {
			g.country = 2
		}
	}
	g.currency = countryCurrency[g.country]

	// Customers came over 30 years, more of them recently. Fresh leads
	// without notes may have been captured today.
	u := g.r.Float64()
	since := w.today - 1 - int(float64(30*365)*u*u*u)
	nNotes := int(w.noteCum[i+1] - w.noteCum[i])
	if nNotes == 0 && g.chance(0.3) {
		since = w.today - g.intn(3)
	}
	g.custSec = g.officeBefore(since)
	g.custDay = since
	g.custIdx = i
	s := pick(g, staff)
	updated := g.custSec
	if g.chance(0.6) {
		updated = g.moment(g.custSec, w.nowSec)
	}

	b.Customers = append(b.Customers, model.Customer{
		Meta:    g.meta(g.custSec, updated, s.device, s.name),
		Since:   w.days[since].date,
		Segment: segmentOf(h),
	})
	c := &b.Customers[len(b.Customers)-1]
	g.cust = c
	g.fillCustomer(c)

	firstNote := len(b.Notes)
	g.notes(b, nNotes)
	// A contact rhythm belongs to customers the business still looks
	// after: one without a contact in two years has none (else Today
	// would list customers "10,000 days overdue").
	last := g.custSec
	for _, n := range b.Notes[firstNote:] {
		last = max(last, n.At.Unix())
	}
	if last < w.nowSec-2*365*86400 {
		c.RhythmDays = 0
	}
	nGestures := int(w.gestCum[i+1] - w.gestCum[i])
	g.followUps(b, int(w.fuCum[i+1]-w.fuCum[i]), nGestures, b.Notes[firstNote:])
	g.gestures(b, nGestures)
}

func (g *gen) fillCustomer(c *model.Customer) {
	ctry := g.country
	fam := pick(g, familyNames)
	gn := pick(g, givenNames)
	trade := pick(g, trades)
	ct := &cities[ctry][g.intn(len(cities[ctry]))]
	company := g.intn(100) < 30

	var slug string // company's domain name without TLD
	if company || g.chance(0.35) {
		c.Company, slug = g.companyName(fam, trade)
	}
	if company {
		c.Kind = model.Company
		if g.chance(0.5) { // contact person
			c.GivenName, c.FamilyName = gn.name, pick(g, familyNames).text
		}
	} else {
		c.Kind = model.Person
		c.GivenName, c.FamilyName = gn.name, fam.text
		c.Salutation = "Herr"
		if gn.female {
			c.Salutation = "Frau"
		}
		if g.chance(0.04) {
			c.Salutation += " Dr."
		}
		switch p := g.intn(100); {
		case p < 15:
			c.LetterForm = model.FormDu
		case p < 75:
			c.LetterForm = model.FormSie
		}
		if g.chance(0.75) {
			c.Birthday = g.birthday()
		}
	}
	if c.GivenName != "" && c.Company != "" && g.chance(0.7) {
		c.Position = pick(g, positions[b2i(gn.female)])
	}

	// Emails: persons a private one, employees and companies one at the
	// company's domain.
	tld := countryTLD[ctry]
	if c.Kind == model.Person && g.chance(0.85) {
		c.Emails = append(c.Emails, model.Email{Label: model.LabelHome, Address: g.privateEmail(gn.ascii, fam.ascii)})
	}
	if slug != "" && g.chance(0.8) {
		var addr string
		if c.GivenName != "" {
			addr = g.firstDotLast(c.GivenName, c.FamilyName) + "@" + slug + tld
		} else {
			addr = pick(g, []string{"info@", "kontakt@", "office@", "mail@"}) + slug + tld
		}
		c.Emails = append(c.Emails, model.Email{Label: model.LabelWork, Address: addr})
	}
	if len(c.Emails) > 1 && g.chance(0.3) {
		c.Emails[1].Pref = true
	}

	// Phones.
	if c.Kind == model.Person && g.chance(0.8) {
		c.Phones = append(c.Phones, model.Phone{Label: model.LabelMobile, Number: g.phone(ctry, "")})
	}
	if c.Kind == model.Company || g.chance(0.4) {
		label := model.LabelHome
		if c.Company != "" {
			label = model.LabelWork
		}
		c.Phones = append(c.Phones, model.Phone{Label: label, Number: g.phone(ctry, ct.area)})
	}
	if c.Kind == model.Company && g.chance(0.15) {
		c.Phones = append(c.Phones, model.Phone{Label: model.LabelFax, Number: g.phone(ctry, ct.area)})
	}

	// Address.
	if g.chance(0.92) {
		a := model.Address{
			Label:      model.LabelHome,
			Street:     g.street(ctry),
			PostalCode: ct.plz,
			City:       ct.name,
			Region:     ct.region,
			Country:    countryNames[ctry][b2i(g.chance(0.2))],
		}
		if c.Kind == model.Company {
			a.Label = model.LabelWork
			if g.chance(0.1) {
				a.POBox = "Postfach " + strconv.Itoa(100+g.intn(900))
			}
		} else if g.chance(0.05) {
			a.Extended = "c/o " + pick(g, familyNames).text
		}
		c.Addresses = append(c.Addresses, a)
	}
	if slug != "" && c.Kind == model.Company && g.chance(0.6) {
		c.Website = pick(g, []string{"www.", "https://www.", "http://"}) + slug + tld
	}

	if n := g.intn(100); n < 65 {
		c.Tags = make([]string, 0, 3)
		for k := 0; k < 1+n%3; k++ {
			t := pick(g, tagPool)
			if !slices.Contains(c.Tags, t) {
				c.Tags = append(c.Tags, t)
			}
		}
	}
	if g.chance(0.8) {
		c.Source = pick(g, sources)
	}
	c.RhythmDays = g.rhythm(c.Segment)
	if g.chance(0.15) {
		c.Memo = pick(g, memos)
	}
	g.consents(c)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (g *gen) companyName(fam word, trade word) (name, slug string) {
	form := pick(g, legalForms[g.country])
	switch p := g.intn(100); {
	case p < 50:
		return fam.text + " " + trade.text + " " + form, fam.ascii + "-" + trade.ascii
	case p < 75:
		return trade.text + " " + fam.text + " " + form, trade.ascii + "-" + fam.ascii
	case p < 88:
		other := pick(g, familyNames)
		return fam.text + " & " + other.text + " " + form, fam.ascii + "-" + other.ascii
	default:
		return fam.text + " + Partner " + form, fam.ascii + "-partner"
	}
}

// firstDotLast is the usual work address: hans-peter.mueller.
func (g *gen) firstDotLast(given, family string) string {
	return translit(given) + "." + translit(family)
}

func (g *gen) privateEmail(given, family string) string {
	b := g.buf[:0]
	switch g.intn(6) {
	case 0:
		b = append(append(append(b, given...), '.'), family...)
	case 1:
		b = append(append(append(b, given[0]), '.'), family...)
	case 2:
		b = append(append(append(b, family...), '.'), given...)
	case 3:
		b = append(append(append(b, given...), '.'), family...)
		b = strconv.AppendInt(b, int64(10+g.intn(90)), 10)
	case 4:
		b = append(append(b, given...), family...)
	default:
		b = append(b, family...)
		b = strconv.AppendInt(b, int64(10+g.intn(90)), 10)
	}
	b = append(append(b, '@'), pick(g, emailDomains[g.country])...)
	g.buf = b
	return string(b)
}

// digits appends n random digits, the first not zero.
func (g *gen) digits(b []byte, n int) []byte {
	v := g.r.Uint64()
	for k := 0; k < n; k++ {
		d := byte(v % 10)
		v /= 10
		if k == 0 && d == 0 {
			d = 1 + byte(v%9)
		}
		b = append(b, '0'+d)
	}
	return b
}

// phone returns a number in one of the many ways people write them; area
// "" means a mobile number.
func (g *gen) phone(ctry int, area string) string {
	if area == "" {
		area = pick(g, mobilePrefixes[ctry])
	}
	b := g.buf[:0]
	switch ctry {
	case countryCH: // subscriber: 123 45 67
		var sub [7]byte
		g.digits(sub[:0], 7)
		grouped := func(b []byte) []byte {
			return append(append(append(append(append(b, sub[:3]...), ' '), sub[3:5]...), ' '), sub[5:]...)
		}
		switch g.intn(6) {
		case 0:
			b = grouped(append(append(append(b, "+41 "...), area...), ' '))
		case 1:
			b = grouped(append(append(append(b, '0'), area...), ' '))
		case 2:
			b = append(append(append(b, '0'), area...), sub[:]...)
		case 3:
			b = grouped(append(append(append(b, '0'), area...), '/'))
		case 4:
			b = append(append(append(b, "+41"...), area...), sub[:]...)
		default:
			b = grouped(append(append(append(b, "0041 "...), area...), ' '))
		}
	default: // DE, AT: subscriber length fills the national number to 10 or 11 digits
		n := 10 - len(area)
		if ctry == countryDE && len(area) == 3 && area[0] == '1' { // mobile: 0171 1234567
			n = 7 + g.intn(2)
		}
		if ctry == countryAT && area == "1" {
			n = 7
		}
		prefix := [2]string{"+49 ", "0049 "}
		if ctry == countryAT {
			prefix = [2]string{"+43 ", "0043 "}
		}
		switch g.intn(5) {
		case 0:
			b = append(append(append(b, prefix[0]...), area...), ' ')
		case 1:
			b = append(append(append(b, prefix[1]...), area...), ' ')
		case 2:
			b = append(append(append(b, '0'), area...), '/')
		default:
			b = append(append(append(b, '0'), area...), ' ')
		}
		if n == 7 && g.chance(0.5) { // 234 56 78
			var sub [7]byte
			g.digits(sub[:0], 7)
			b = append(append(append(append(append(b, sub[:3]...), ' '), sub[3:5]...), ' '), sub[5:]...)
		} else {
			b = g.digits(b, n)
		}
	}
	g.buf = b
	return string(b)
}

func (g *gen) street(ctry int) string {
	b := append(g.buf[:0], pick(g, streetStems)...)
	b = append(b, pick(g, streetSuffix[ctry])...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(1+g.intn(120)), 10)
	if g.chance(0.08) {
		b = append(b, 'a'+byte(g.intn(3)))
	}
	g.buf = b
	return string(b)
}

func (g *gen) birthday() model.Date {
	now := g.w.days[g.w.today].date
	d := model.Date{Year: now.Year - 18 - g.intn(70), Month: time.Month(1 + g.intn(12))}
	if g.chance(0.25) {
		d.Year = 0
	}
	dim := 31
	switch d.Month {
	case time.April, time.June, time.September, time.November:
		dim = 30
	case time.February:
		dim = 28
		if y := d.Year; y == 0 || y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			dim = 29
		}
	}
	d.Day = 1 + g.intn(dim)
	return d
}

func (g *gen) rhythm(segment string) int {
	if g.chance(0.1) {
		return 0
	}
	switch segment {
	case model.SegmentKey:
		return pick(g, []int{30, 30, 60, 90})
	case model.SegmentRegular:
		return pick(g, []int{60, 90, 90, 180})
	}
	return pick(g, []int{90, 180, 365, 365})
}

var consentPurpose = map[string]string{
	model.ChannelEmail:      "Angebote und Einladungen",
	model.ChannelPhone:      "Rückrufe zu Angeboten",
	model.ChannelPost:       "Katalog und Weihnachtskarte",
	model.ChannelNewsletter: "Newsletter",
}

var consentSources = []string{"Formular", "Messe", "Telefon", "Import"}

func (g *gen) consents(c *model.Customer) {
	odds := [4]float64{0.55, 0.3, 0.5, 0.35} // in model.Channels order
	for k, ch := range model.Channels {
		if !g.chance(odds[k]) || (ch != model.ChannelPost && ch != model.ChannelPhone && len(c.Emails) == 0) {
			continue
		}
		given := g.moment(g.custSec, g.w.nowSec)
		k := model.Consent{Channel: ch, Purpose: consentPurpose[ch], GivenAt: unix(given), Source: pick(g, consentSources)}
		if g.chance(0.12) {
			k.Withdrawn = unix(g.moment(given, g.w.nowSec))
		}
		c.Consents = append(c.Consents, k)
	}
}

// noteKindTable draws note kinds: calls and visits most, complaints 5 %.
var noteKindTable = func() []model.NoteKind {
	weights := map[model.NoteKind]int{
		model.NoteVisit: 20, model.NoteCall: 30, model.NoteEmail: 20, model.NoteMeeting: 8,
		model.NoteFair: 5, model.NoteComplaint: 5, model.NoteFeedback: 7, model.NoteOther: 5,
	}
	var t []model.NoteKind
	for _, k := range model.NoteKinds {
		for range weights[k] {
			t = append(t, k)
		}
	}
	return t
}()

// noteTexts holds every topic+outcome sentence pair per kind and
// impression (index 0 positive, 1 neutral, 2 negative), built once: a
// million notes then share a few hundred strings instead of allocating one
// each.
var noteTexts = func() map[model.NoteKind][3][]string {
	m := map[model.NoteKind][3][]string{}
	for k, topics := range noteTopics {
		var t [3][]string
		for imp, outcomes := range noteOutcomes {
			for _, a := range topics {
				for _, b := range outcomes {
					t[imp] = append(t[imp], a+" "+b)
				}
			}
		}
		m[model.NoteKind(k)] = t
	}
	return m
}()
