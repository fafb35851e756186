package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// useGerman loads the German translations for one test.
func useGerman(t *testing.T) {
	t.Helper()
	restore := "en"
	if strings.HasPrefix(lang.SystemLocale().LanguageString(), "de") {
		restore = "de"
	}
	if err := LoadTranslationsFor("de"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := LoadTranslationsFor(restore); err != nil {
			t.Errorf("restore %s: %v", restore, err)
		}
	})
}

// pickFirst types search into the open customer picker and presses Enter.
func pickFirst(t *testing.T, c fyne.Canvas, search string) {
	t.Helper()
	en, ok := c.Focused().(*escEntry)
	if !ok {
		t.Fatalf("picker: focus on %T, want its search field", c.Focused())
	}
	test.Type(en, search)
	en.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// overlaySelect returns the first select in the top dialog, or nil.
func overlaySelect(c fyne.Canvas, with string) *widget.Select {
	top := c.Overlays().Top()
	if top == nil {
		return nil
	}
	for _, o := range test.LaidOutObjects(top) {
		if s, ok := o.(*widget.Select); ok {
			for _, opt := range s.Options {
				if opt == with {
					return s
				}
			}
		}
	}
	return nil
}

func TestWishesEmptyStateNamesTheRealKindAndRecordsAWish(t *testing.T) {
	useGerman(t)
	f := newCareFixture(t)
	ida := f.customer(model.Customer{GivenName: "Ida", FamilyName: "Idee"})
	f.customer(model.Customer{GivenName: "Beat", FamilyName: "Anders"})
	s := newWishesScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	kind := noteKindText(model.NoteFeedback)
	if kind != "Wünsche & Feedback" {
		t.Fatalf("German label of the feedback kind: got %q", kind)
	}
	if !s.hint.Visible() || !strings.Contains(s.hint.text.Text, "„"+kind+"“") || strings.Contains(s.hint.text.Text, "Feedback / Wunsch") {
		t.Fatalf("empty hint: visible %v, text %q; want it to name the kind %q", s.hint.Visible(), s.hint.text.Text, kind)
	}
	if !s.hint.action.Visible() {
		t.Fatal("empty wishes: no button to record one")
	}

	c := f.win.Canvas()
	test.Tap(s.hint.action)
	pickFirst(t, c, "Ida")
	sel := overlaySelect(c, kind)
	if sel == nil || sel.Selected != kind {
		t.Fatalf("note form after picking: kind select %v, want %q chosen", sel, kind)
	}
	careTypeFocused(c, "Online-Terminbuchung wäre toll")
	test.Tap(overlayButton(t, c, lang.X("note.save", "Save")))
	f.settle(s.loader)
	if len(s.notes) != 1 || s.notes[0].CustomerID != ida.ID || s.notes[0].Kind != model.NoteFeedback {
		t.Fatalf("after recording: got %+v, want Ida's wish", s.notes)
	}
	if s.hint.Visible() {
		t.Error("a wish is listed, yet the empty state shows")
	}

	test.Type(s.text, "Katalog")
	f.settle(s.loader)
	if !s.hint.Visible() || s.hint.action.Visible() || s.hint.text.Text == s.hint.empty {
		t.Errorf("search without hits: visible %v, action %v, text %q; want the filtered line without action",
			s.hint.Visible(), s.hint.action.Visible(), s.hint.text.Text)
	}
}

func TestLoyaltyEmptyStateExplainsGesturesAndStartsOne(t *testing.T) {
	f := newCareFixture(t)
	nina := f.customer(model.Customer{GivenName: "Nina", FamilyName: "Graf"})
	s := newLoyaltyScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	st := s.gestureEmpty
	if !st.Visible() || !st.action.Visible() || !strings.Contains(st.text.Text, gestureKindText(model.GestureApology)) {
		t.Fatalf("no gestures: visible %v, action %v, text %q; want the kinds explained and the action",
			st.Visible(), st.action.Visible(), st.text.Text)
	}
	if !s.eventEmpty.Visible() || !s.yearEmpty.Visible() {
		t.Errorf("no events, no gestures this year: empty states %v/%v, want both", s.eventEmpty.Visible(), s.yearEmpty.Visible())
	}
	if s.eventEmpty.action.Visible() {
		t.Error("empty events: a second \"New event\" button under the list's own")
	}
	c := f.win.Canvas()
	test.Tap(st.action)
	pickFirst(t, c, "Nina")
	if overlaySelect(c, gestureKindText(model.GestureGift)) == nil {
		t.Fatal("after picking the customer: no gesture form")
	}

	if err := f.db.CreateGesture(&model.Gesture{CustomerID: nina.ID, Kind: model.GestureGift, Title: "Wein", Status: model.GestureOffered}); err != nil {
		t.Fatal(err)
	}
	f.settle(s.loader)
	if st.Visible() || s.yearEmpty.Visible() {
		t.Errorf("a gesture this year: empty states %v/%v, want both hidden", st.Visible(), s.yearEmpty.Visible())
	}
	s.statusFilter.SetSelectedIndex(1) // ideas: none
	f.settle(s.loader)
	if !st.Visible() || st.action.Visible() || st.text.Text == st.empty {
		t.Errorf("filtered, no gestures: visible %v, action %v, text %q; want the filtered line", st.Visible(), st.action.Visible(), st.text.Text)
	}
}

func TestTodayEmptyListsOfferTheNextStep(t *testing.T) {
	f := newCareFixture(t)
	c := f.customer(model.Customer{GivenName: "Peter", FamilyName: "Keller"})
	s := newTodayScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	if !s.followUps.action.Visible() || !s.due.action.Visible() {
		t.Fatalf("nothing due: actions visible %v/%v, want both", s.followUps.action.Visible(), s.due.action.Visible())
	}
	test.Tap(s.due.action)
	pickFirst(t, f.win.Canvas(), "Kel")
	if len(f.opened) != 1 || f.opened[0] != c.ID {
		t.Fatalf("rhythm action opened %v, want [%v]", f.opened, c.ID)
	}
	fu := &model.FollowUp{CustomerID: c.ID, Due: careNow, Title: "Anrufen", TZ: "Europe/Zurich", Status: model.FollowUpOpen}
	if err := f.db.CreateFollowUp(fu); err != nil {
		t.Fatal(err)
	}
	f.settle(s.loader)
	if s.followUps.rows.Length() != 1 || s.followUps.action.Visible() {
		t.Errorf("a follow-up due: %d rows, action visible %v; want 1 and hidden", s.followUps.rows.Length(), s.followUps.action.Visible())
	}
}

// TestPickerWithoutCustomersOffersToCreateOne: the empty states' actions
// need a customer; without any, the picker says so and offers a new one.
func TestPickerWithoutCustomersOffersToCreateOne(t *testing.T) {
	f := newCareFixture(t)
	created := false
	f.e.newCustomer = func() { created = true }
	p := showCustomerPicker(f.e, "Für welchen Kunden?", func(model.ID) { t.Error("picked a customer that does not exist") })
	if !p.none.Visible() || !p.create.Visible() {
		t.Fatalf("no customers: message %v, create button %v; want both", p.none.Visible(), p.create.Visible())
	}
	p.search.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	test.Tap(p.create)
	if !created || f.win.Canvas().Overlays().Top() != nil {
		t.Errorf("create: called %v, picker open %v; want the new-customer form and the picker closed", created, f.win.Canvas().Overlays().Top() != nil)
	}

	f.customer(model.Customer{GivenName: "Nina", FamilyName: "Graf"})
	p = showCustomerPicker(f.e, "Für welchen Kunden?", func(model.ID) {})
	test.Type(p.search, "zzz")
	if !p.none.Visible() || p.create.Visible() {
		t.Errorf("no match: message %v, create %v; want the message only", p.none.Visible(), p.create.Visible())
	}
}
