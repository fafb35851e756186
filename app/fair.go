package app

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// fairConsentSource is Consent.Source of consents given at the booth.
const fairConsentSource = "fair"

// fairScreen is the trade-fair quick capture: keyboard only, Enter in any
// field saves the lead and clears the form for the next visitor.
type fairScreen struct {
	e      *env
	loader *careLoader
	unsub  func()

	fair      *widget.Entry
	applyFair *widget.Button
	name      *escEntry
	company   *escEntry
	email     *escEntry
	phone     *escEntry
	interest  *escEntry
	consent   *careCheck
	days      *escEntry
	save      *widget.Button
	form      *careForm
	counter   *widget.Label
	last      *widget.Label
	// fairProblem says why the fair name was refused (it is empty).
	fairProblem *widget.Label
	// leads lists today's leads of the current fair, newest first; a
	// click opens one to correct it.
	leads     *careRows
	leadsHint *widget.Label

	leadsToday int
	// currentFair is the fair leads are tagged with. Kept here as well as
	// in the settings, so the screen does not depend on when the shell's
	// settings cache picks up SaveSettings.
	currentFair string
	mu          sync.Mutex // guards currentFair, read by the loader goroutine
}

func newFairScreen(e *env) *fairScreen {
	s := &fairScreen{e: e}
	s.loader = newCareLoader(s.load, func(bool) {})
	st := e.settings()

	s.fair = widget.NewEntry()
	s.currentFair = strings.TrimSpace(st.CurrentFair)
	s.fair.SetText(s.currentFair)
	s.fair.SetPlaceHolder(lang.X("fair.fair.placeholder", "e.g. Trade fair Basel 2026"))
	s.fair.OnSubmitted = func(string) { s.onApplyFair() }
	s.applyFair = widget.NewButtonWithIcon(lang.X("fair.fair.apply", "Use this fair"), theme.ConfirmIcon(), s.onApplyFair)

	s.name = newEscEntry(false)
	s.name.SetPlaceHolder(lang.X("fair.name.placeholder", "Given and family name"))
	s.company = newEscEntry(false)
	s.email = newEscEntry(false)
	s.phone = newEscEntry(false)
	s.interest = newEscEntry(false)
	s.interest.SetPlaceHolder(lang.X("fair.interest.placeholder", "What did they ask about?"))
	s.consent = newCareCheck(lang.X("fair.consent", "Agrees to receive email from us"), s.onSave)
	s.days = newEscEntry(false)
	s.days.SetText(strconv.Itoa(st.FollowUpDays))
	for _, en := range []*escEntry{s.name, s.company, s.email, s.phone, s.interest, s.days} {
		en.OnSubmitted = func(string) { s.onSave() }
		// Esc clears the form: the visitor walked away mid-capture.
		en.onEscape = s.clear
	}
	s.save = widget.NewButtonWithIcon(lang.X("fair.save", "Save lead (Enter)"), theme.DocumentSaveIcon(), s.onSave)
	s.save.Importance = widget.HighImportance

	s.form = newCareForm()
	s.form.add("name", lang.X("fair.name", "Name"), s.name)
	s.form.add("company", lang.X("fair.company", "Company"), s.company)
	s.form.add("emails", lang.X("fair.email", "Email"), s.email)
	s.form.add("phones", lang.X("fair.phone", "Phone"), s.phone)
	s.form.add("text", lang.X("fair.interest", "Interest"), s.interest)
	s.form.add("consents", lang.X("fair.consent.label", "Consent"), s.consent)
	s.form.add("due", lang.X("fair.days", "Follow up in days"), s.days)

	s.counter = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	s.last = widget.NewLabel("")
	s.last.Truncation = fyne.TextTruncateEllipsis
	s.fairProblem = newErrorLabel()
	s.leads = newCareRows()
	s.leadsHint = widget.NewLabel(lang.X("care2.fair.leads.empty", "No leads captured at this fair today yet."))
	s.leadsHint.Importance = widget.LowImportance
	s.leadsHint.Wrapping = fyne.TextWrapWord
	return s
}

func (s *fairScreen) build() fyne.CanvasObject {
	if s.unsub == nil {
		s.unsub = s.e.svc.Subscribe(func(ch []model.Change) {
			for _, c := range ch {
				if c.Type == model.TypeCustomer {
					s.refresh()
					return
				}
			}
		})
	}
	top := container.NewBorder(nil, s.fairProblem,
		widget.NewLabelWithStyle(lang.X("fair.fair", "Current fair"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.applyFair, s.fair)
	head := container.NewBorder(nil, nil, nil, s.counter,
		widget.NewLabelWithStyle(lang.X("fair.title", "Trade-fair capture"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	s.refresh()
	form := container.NewVBox(head, top, widget.NewSeparator(), s.form.build(),
		container.NewBorder(nil, nil, nil, s.save, s.last), widget.NewSeparator(), s.buildLeadsHead())
	return container.NewBorder(form, nil, nil, nil, container.NewStack(s.leads.list, container.NewVBox(s.leadsHint)))
}

// focus puts the cursor into the name field, ready for the next visitor.
func (s *fairScreen) focus() {
	s.e.win.Canvas().Focus(s.name)
}

func (s *fairScreen) refresh() { s.loader.start() }

// load counts and lists today's leads of the current fair (see fairLeads).
func (s *fairScreen) load() func() {
	_, loc := careZone(s.e.settings().TimeZone)
	leads := fairLeads(s.e.svc.Directory(), s.fairTag(), s.e.now(), loc)
	return func() {
		n := len(leads)
		s.leadsToday = n
		s.counter.SetText(lang.XN("fair.counter", "{{.Count}} leads today", n, map[string]any{"Count": formatCount(n)}))
		s.showLeads(leads, loc)
	}
}

func (s *fairScreen) onApplyFair() {
	if !s.checkFair() {
		return
	}
	st, err := s.e.svc.Settings()
	if err != nil {
		s.e.showError(err)
		return
	}
	st.CurrentFair = strings.TrimSpace(s.fair.Text)
	if err := s.e.svc.SaveSettings(st); err != nil {
		s.e.showError(err)
		return
	}
	s.setFairTag(st.CurrentFair)
	s.refresh()
	s.focus()
}

func (s *fairScreen) fairTag() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.currentFair
}

func (s *fairScreen) setFairTag(f string) {
	s.mu.Lock()
	s.currentFair = f
	s.mu.Unlock()
}

// fairSplitName reads "Anna Maria Muster" as given "Anna Maria", family
// "Muster": at a booth nobody has time for two name fields.
func fairSplitName(name string) (given, family string) {
	words := strings.Fields(name)
	switch len(words) {
	case 0:
		return "", ""
	case 1:
		return "", words[0]
	}
	return strings.Join(words[:len(words)-1], " "), words[len(words)-1]
}

// onSave stores the lead: the customer with the fair's tag and consent,
// the note with what they asked about, and the follow-up.
func (s *fairScreen) onSave() {
	if !s.checkFair() {
		return
	}
	if typed := strings.TrimSpace(s.fair.Text); typed != s.fairTag() {
		s.onApplyFair() // typed but not yet applied: the leads belong to the fair on screen
	}
	st := s.e.settings()
	fair := s.fairTag()
	now := s.e.now()
	s.form.clear()
	days, err := careParseInt(s.days.Text)
	if err != nil || days < 0 {
		s.form.showErrors(&model.Error{Code: model.EINVALID, Fields: []model.FieldError{
			careFieldError("due", "care.validation.number", "not a number")}})
		return
	}

	c := &model.Customer{Company: s.company.Text, Source: fair}
	c.GivenName, c.FamilyName = fairSplitName(s.name.Text)
	if fair != "" {
		c.Tags = []string{fair}
	}
	if email := strings.TrimSpace(s.email.Text); email != "" {
		c.Emails = []model.Email{{Label: model.LabelWork, Address: email}}
	}
	if phone := strings.TrimSpace(s.phone.Text); phone != "" {
		c.Phones = []model.Phone{{Label: model.LabelWork, Number: phone}}
	}
	if s.consent.Checked {
		c.Consents = []model.Consent{{Channel: model.ChannelEmail, Purpose: fair, GivenAt: now.UTC(), Source: fairConsentSource}}
	}
	text := strings.TrimSpace(s.interest.Text)
	if text == "" {
		text = lang.X("fair.note.default", "Talked at the booth of {{.Fair}}", map[string]any{"Fair": fair})
	}
	note := &model.Note{At: now.UTC(), Kind: model.NoteFair, Text: text, By: st.UserName}
	var f *model.FollowUp
	if days > 0 {
		tz, loc := careZone(st.TimeZone)
		day := model.DateOf(now.In(loc).AddDate(0, 0, days))
		f = &model.FollowUp{
			TZ: tz, AllDay: true, Due: day.Time(0, loc),
			Title:    lang.X("fair.followup.title", "Follow up: {{.Fair}}", map[string]any{"Fair": fair}),
			Details:  text,
			Reminder: st.ReminderMinutes, Assignee: st.UserName, Status: model.FollowUpOpen,
		}
	}
	// Customer, note and follow-up are one transaction: a failure stores
	// none of them. The model asks for something that identifies the lead
	// (name, company, email or phone), and the form shows under each field
	// what it refused.
	if err := s.e.svc.CaptureLead(c, note, f); err != nil {
		if !s.form.showErrors(err) {
			s.e.showError(err)
		}
		return
	}
	s.last.SetText(lang.X("fair.saved", "Saved: {{.Name}} at {{.Time}}",
		map[string]any{"Name": c.DisplayName(), "Time": now.In(time.Local).Format("15:04")}))
	s.clear()
	s.refresh()
}

// clear empties the visitor's fields (keeps fair and days) and puts the
// cursor back into the name field.
func (s *fairScreen) clear() {
	for _, en := range []*escEntry{s.name, s.company, s.email, s.phone, s.interest} {
		en.SetText("")
	}
	s.consent.SetChecked(false)
	s.form.clear()
	s.focus()
}

// careCheck is a check box on which Enter submits the form, like in the
// entries around it.
type careCheck struct {
	widget.Check
	onSubmit func()
}

func newCareCheck(label string, onSubmit func()) *careCheck {
	c := &careCheck{onSubmit: onSubmit}
	c.Text = label
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey submits on Enter.
func (c *careCheck) TypedKey(k *fyne.KeyEvent) {
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && c.onSubmit != nil {
		c.onSubmit()
		return
	}
	c.Check.TypedKey(k)
}
