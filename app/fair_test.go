package app

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/kundenkartei/kundenkartei/model"
)

// fairLead is what one visitor tells at the booth.
type fairLead struct {
	name, company, email, phone, interest string
	consent                               bool
}

func TestFairCaptureThreeLeadsByKeyboard(t *testing.T) {
	f := newCareFixture(t)
	// A customer tagged with the fair yesterday is no lead of today.
	yesterday := model.Customer{Meta: model.Meta{ID: model.NewID(), Created: careNow.AddDate(0, 0, -1), Updated: careNow.AddDate(0, 0, -1)},
		GivenName: "Gestern", FamilyName: "Da", Tags: []string{"Messe Basel 2026"}}
	if err := f.db.BulkLoad(context.Background(), model.Bulk{Customers: []model.Customer{yesterday}}, nil); err != nil {
		t.Fatal(err)
	}
	s := newFairScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	if s.leadsToday != 0 {
		t.Errorf("leads before capture: got %d, want 0 (yesterday's does not count)", s.leadsToday)
	}
	before := 1 // yesterday's customer carries the tag too
	s.focus()
	c := f.win.Canvas()

	leads := []fairLead{
		{name: "Anna Muster", company: "Muster AG", email: "anna@muster.ch", phone: "+41 79 123 45 67", interest: "Hebebühne 3t", consent: true},
		{name: "Jürg Bärtschi", company: "", email: "", phone: "061 555 12 12", interest: "Wartungsvertrag"},
		{name: "", company: "Schreinerei Holzwurm GmbH", email: "info@holzwurm.ch", interest: "", consent: true},
	}
	for i, l := range leads {
		if c.Focused() != s.name {
			t.Fatalf("lead %d: focus is on %T, want the name field", i, c.Focused())
		}
		careTypeFocused(c, l.name)
		test.FocusNext(c)
		careTypeFocused(c, l.company)
		test.FocusNext(c)
		careTypeFocused(c, l.email)
		test.FocusNext(c)
		careTypeFocused(c, l.phone)
		test.FocusNext(c)
		careTypeFocused(c, l.interest)
		test.FocusNext(c)
		if c.Focused() != s.consent {
			t.Fatalf("lead %d: after interest focus is on %T, want the consent box", i, c.Focused())
		}
		if l.consent {
			careTypeFocused(c, " ")
		}
		// Enter on the check box saves, as in every field.
		c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		f.settle(s.loader)
		if s.name.Text != "" || s.email.Text != "" || s.consent.Checked {
			t.Fatalf("lead %d: form not cleared (name %q, email %q, consent %v)", i, s.name.Text, s.email.Text, s.consent.Checked)
		}
	}
	if got, want := s.leadsToday, 3; got != want {
		t.Errorf("counter: got %d, want %d", got, want)
	}

	tagged := f.db.Directory().Search(model.Query{Tag: "Messe Basel 2026"})
	if got, want := len(tagged), before+3; got != want {
		t.Fatalf("customers with the fair tag: got %d, want %d", got, want)
	}
	byName := map[string]*model.CustomerSummary{}
	for _, cs := range tagged.Summaries() {
		byName[cs.Name] = cs
	}
	for _, l := range leads {
		name := l.name
		if name == "" {
			name = l.company
		}
		cs := byName[name]
		if cs == nil {
			t.Errorf("lead %q not stored", name)
			continue
		}
		if cs.MailConsent != (l.consent && l.email != "") {
			t.Errorf("%s: mail consent %v, want %v", name, cs.MailConsent, l.consent)
		}
		cust, err := f.db.Customer(cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cust.Source != "Messe Basel 2026" {
			t.Errorf("%s: source %q, want the fair", name, cust.Source)
		}
		if l.consent && (len(cust.Consents) != 1 || cust.Consents[0].Source != fairConsentSource || cust.Consents[0].Purpose != "Messe Basel 2026") {
			t.Errorf("%s: consents %+v, want one from the fair", name, cust.Consents)
		}
		notes, err := f.db.Notes(model.NoteFilter{CustomerID: cs.ID})
		if err != nil || len(notes) != 1 || notes[0].Kind != model.NoteFair || notes[0].By != "Anna Beispiel" {
			t.Errorf("%s: notes %+v (%v), want one trade-fair note by Anna Beispiel", name, notes, err)
		} else if l.interest != "" && notes[0].Text != l.interest {
			t.Errorf("%s: note text %q, want %q", name, notes[0].Text, l.interest)
		}
		fus, err := f.db.FollowUps(model.FollowUpFilter{CustomerID: cs.ID})
		if err != nil || len(fus) != 1 {
			t.Errorf("%s: follow-ups %d (%v), want 1", name, len(fus), err)
			continue
		}
		want := model.Date{Year: 2026, Month: 11, Day: 26} // in 3 days (settings.FollowUpDays)
		if fus[0].DueDate() != want || !fus[0].AllDay || fus[0].NoteID != notes[0].ID {
			t.Errorf("%s: follow-up due %v all-day %v, want %v all-day linked to the note", name, fus[0].DueDate(), fus[0].AllDay, want)
		}
	}
}

func TestFairNeedsANameOrCompany(t *testing.T) {
	f := newCareFixture(t)
	s := newFairScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	s.focus()
	c := f.win.Canvas()
	test.FocusNext(c) // company
	test.FocusNext(c) // email
	careTypeFocused(c, "kein-at-zeichen")
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if s.form.message("name") == "" || s.form.message("emails") == "" {
		t.Errorf("messages: name %q, email %q; want both set", s.form.message("name"), s.form.message("emails"))
	}
	if s.email.Text != "kein-at-zeichen" {
		t.Errorf("a failed save cleared the form")
	}
	if n := f.db.Directory().Len(); n != 0 {
		t.Errorf("stored %d customers, want 0", n)
	}
}

func TestFairChangeCurrentFair(t *testing.T) {
	f := newCareFixture(t)
	s := newFairScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	s.fair.SetText("Swissbau 2027")
	test.Tap(s.applyFair)
	st, err := f.db.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if st.CurrentFair != "Swissbau 2027" {
		t.Errorf("saved fair: got %q, want %q", st.CurrentFair, "Swissbau 2027")
	}
	test.Type(s.name, "Max Neu")
	s.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	f.settle(s.loader)
	if got := len(f.db.Directory().Search(model.Query{Tag: "Swissbau 2027"})); got != 1 {
		t.Errorf("customers tagged with the new fair: got %d, want 1", got)
	}
	if s.leadsToday != 1 {
		t.Errorf("counter: got %d, want 1", s.leadsToday)
	}
}

func TestFairSplitName(t *testing.T) {
	tests := []struct {
		name, in, given, family string
	}{
		{"empty", "  ", "", ""},
		{"one word", "Müller", "", "Müller"},
		{"two words", "Anna Muster", "Anna", "Muster"},
		{"double given name", "Anna Maria  Muster", "Anna Maria", "Muster"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, f := fairSplitName(tt.in)
			if g != tt.given || f != tt.family {
				t.Errorf("got %q/%q, want %q/%q", g, f, tt.given, tt.family)
			}
		})
	}
}

// careTypeFocused types into whatever has the focus, as the window's
// driver routes key presses (test.TypeOnCanvas bypasses the focus).
func careTypeFocused(c fyne.Canvas, chars string) {
	for _, r := range chars {
		c.Focused().TypedRune(r)
	}
}

// BenchmarkFairSave measures one captured lead: customer, note and
// follow-up, three durable transactions, plus the counter's count.
func BenchmarkFairSave(b *testing.B) {
	f := careBenchFixture(b)
	s := newFairScreen(f.e)
	f.track(s.loader)
	i := 0
	for b.Loop() {
		i++
		s.name.SetText("Besucher " + strconv.Itoa(i))
		s.email.SetText("besucher" + strconv.Itoa(i) + "@example.ch")
		s.interest.SetText("Hebebühne")
		s.onSave()
		f.settle(s.loader)
	}
}

func TestFairRefusesAnEmptyFair(t *testing.T) {
	f := newCareFixture(t)
	f.settings.CurrentFair = ""
	s := newFairScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	c := f.win.Canvas()

	test.Tap(s.applyFair)
	if !s.fairProblem.Visible() || c.Focused() != s.fair {
		t.Fatalf("applying an empty fair: message shown %v, focus on %T; want the message and the fair field", s.fairProblem.Visible(), c.Focused())
	}
	s.focus()
	careTypeFocused(c, "Lea Brunner")
	s.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if n := f.db.Directory().Len(); n != 0 {
		t.Fatalf("saved %d leads without a fair, want 0", n)
	}
	if !s.fairProblem.Visible() || c.Focused() != s.fair || s.name.Text != "Lea Brunner" {
		t.Fatalf("save without a fair: message %v, focus %T, name %q; want message, fair field, name kept", s.fairProblem.Visible(), c.Focused(), s.name.Text)
	}

	// A fair typed but not applied is taken on save.
	careTypeFocused(c, "Swissbau 2027")
	s.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	f.settle(s.loader)
	if s.fairProblem.Visible() {
		t.Error("message still shown after entering the fair")
	}
	hits := f.db.Directory().Search(model.Query{Tag: "Swissbau 2027"})
	if len(hits) != 1 {
		t.Fatalf("leads tagged with the typed fair: got %d, want 1", len(hits))
	}
	fus, err := f.db.FollowUps(model.FollowUpFilter{CustomerID: hits[0].ID})
	if err != nil || len(fus) != 1 || fus[0].Title != "Follow up: Swissbau 2027" {
		t.Errorf("follow-up: got %+v, %v; want one titled with the fair", fus, err)
	}
	if st, _ := f.db.Settings(); st.CurrentFair != "Swissbau 2027" {
		t.Errorf("current fair: got %q, want the typed one", st.CurrentFair)
	}
}

func TestFairCountsAndListsOnlyThisFairsLeadsOfToday(t *testing.T) {
	f := newCareFixture(t)
	meta := func(at time.Time) model.Meta { return model.Meta{ID: model.NewID(), Created: at, Updated: at} }
	early := model.Customer{Meta: meta(careNow.Add(-time.Hour)), GivenName: "Frühe", FamilyName: "Besucherin",
		Company: "Früh AG", Tags: []string{"Messe Basel 2026"}}
	others := []model.Customer{
		{Meta: meta(careNow.Add(-time.Hour)), GivenName: "Im", FamilyName: "Büro"},                                       // created today, no fair
		{Meta: meta(careNow.Add(-time.Hour)), GivenName: "Andere", FamilyName: "Messe", Tags: []string{"Swissbau 2027"}}, // another fair
		{Meta: meta(careNow.AddDate(0, 0, -1)), GivenName: "Gestern", FamilyName: "Da", Tags: []string{"Messe Basel 2026"}},
	}
	if err := f.db.BulkLoad(context.Background(), model.Bulk{Customers: append(others, early)}, nil); err != nil {
		t.Fatal(err)
	}
	s := newFairScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	if s.leadsToday != 1 || s.leads.Length() != 1 {
		t.Fatalf("before capture: counter %d, list %d; want 1 and 1 (only this fair's lead of today)", s.leadsToday, s.leads.Length())
	}
	if s.leadsHint.Visible() {
		t.Error("a lead is listed, yet the empty hint shows")
	}
	s.focus()
	careTypeFocused(f.win.Canvas(), "Neu Kunde")
	s.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	f.settle(s.loader)
	if s.leadsToday != 2 {
		t.Errorf("after one capture: counter %d, want 2", s.leadsToday)
	}
	if got, want := strings.Join(careRowTitles(s.leads), "|"), "Neu Kunde|Frühe Besucherin · Früh AG"; got != want {
		t.Errorf("leads: got %q, want %q (newest first)", got, want)
	}
	if f.win.Canvas().Focused() != s.name {
		t.Errorf("after saving focus is on %T, want the name field", f.win.Canvas().Focused())
	}
	s.leads.list.Select(1)
	if len(f.opened) != 1 || f.opened[0] != early.ID {
		t.Errorf("clicking a lead opened %v, want [%v]", f.opened, early.ID)
	}
}
