package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// customerForm edits every field of a customer, with a message line under
// each field for validation errors.
type customerForm struct {
	e *env

	kind       *widget.RadioGroup
	salutation *widget.SelectEntry
	letterForm *widget.Select
	namePrefix *widget.Entry // honorific ("Dr."), apart from the letter salutation
	given      *widget.Entry
	family     *widget.Entry
	nameSuffix *widget.Entry
	company    *widget.Entry
	department *widget.Entry
	position   *widget.Entry
	website    *widget.Entry
	birthday   *dateEntry
	since      *dateEntry
	segment    *widget.SelectEntry
	rhythm     *widget.Entry
	tags       *widget.Entry
	source     *widget.Entry
	memo       *widget.Entry

	emails     []*contactRow
	emailBox   *fyne.Container
	phones     []*contactRow
	phoneBox   *fyne.Container
	addrs      []*addressRow
	addrBox    *fyne.Container
	consents   []*consentRow
	consentBox *fyne.Container

	// errs maps a model field path ("website", "emails[0].address") to the
	// label under the widget that edits it.
	errs    map[string]*widget.Label
	general *widget.Label
	save    *widget.Button
	cancel  *widget.Button

	// emailAt, phoneAt and consentAt map the positions in the customer
	// last read from the form back to their rows: empty rows are skipped on
	// reading, so the model's index is not the row's index.
	emailAt   []*contactRow
	phoneAt   []*contactRow
	consentAt []*consentRow

	orig model.Customer
}

// letterForms are the choices of the letter form select, in order.
var letterForms = []string{model.FormSie, model.FormDu}

func letterFormText(f string) string {
	if f == model.FormDu {
		return lang.X("customer.letter.du", "Du (informal)")
	}
	return lang.X("customer.letter.sie", "Sie (formal)")
}

func newCustomerForm(e *env) *customerForm {
	f := &customerForm{e: e, errs: map[string]*widget.Label{}}
	f.kind = widget.NewRadioGroup([]string{lang.X("customer.kind.person", "Person"), lang.X("customer.kind.company", "Company")}, nil)
	f.kind.Horizontal = true
	f.kind.Required = true
	f.salutation = widget.NewSelectEntry([]string{
		lang.X("customer.salutation.ms", "Ms"), lang.X("customer.salutation.mr", "Mr"), lang.X("customer.salutation.dr", "Dr."),
	})
	f.letterForm = widget.NewSelect([]string{letterFormText(model.FormSie), letterFormText(model.FormDu)}, nil)
	f.namePrefix = widget.NewEntry()
	f.namePrefix.SetPlaceHolder(lang.X("customer.name_prefix.hint", "e.g. Dr., Prof. Dr."))
	f.given = widget.NewEntry()
	f.family = widget.NewEntry()
	f.nameSuffix = widget.NewEntry()
	f.nameSuffix.SetPlaceHolder(lang.X("customer.name_suffix.hint", "e.g. jun., MBA"))
	f.company = widget.NewEntry()
	f.department = widget.NewEntry()
	f.position = widget.NewEntry()
	f.website = widget.NewEntry()
	f.website.SetPlaceHolder("www.example.ch")
	// Date fields with a calendar; a birthday without a year is typed
	// (15.04.), which a calendar cannot express.
	f.birthday = newDateEntry()
	f.birthday.SetPlaceHolder(birthdayHint(f.birthday.loc))
	f.since = newDateEntry()
	var segs []string
	for _, s := range builtinSegments {
		segs = append(segs, segmentText(s))
	}
	f.segment = widget.NewSelectEntry(segs)
	f.rhythm = widget.NewEntry()
	f.rhythm.SetPlaceHolder(lang.X("customer.rhythm.hint", "days, e.g. 90; empty for none"))
	f.tags = widget.NewEntry()
	f.tags.SetPlaceHolder(lang.X("customer.tags.hint", "comma-separated, e.g. VIP, Trade fair Basel 2026"))
	f.source = widget.NewEntry()
	f.memo = widget.NewMultiLineEntry()
	f.memo.SetMinRowsVisible(4)
	f.memo.Wrapping = fyne.TextWrapWord
	f.emailBox = container.NewVBox()
	f.phoneBox = container.NewVBox()
	f.addrBox = container.NewVBox()
	f.consentBox = container.NewVBox()
	f.general = newErrorLabel()
	return f
}

// newErrorLabel is a hidden, red, wrapping label for validation messages.
func newErrorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// field returns obj with an error label under it, registered for the
// model field paths given.
func (f *customerForm) field(obj fyne.CanvasObject, fields ...string) fyne.CanvasObject {
	l := newErrorLabel()
	for _, name := range fields {
		f.errs[name] = l
	}
	return container.NewVBox(obj, l)
}

func (f *customerForm) build(onSave, onCancel func()) fyne.CanvasObject {
	grid := container.New(layout.NewFormLayout())
	add := func(label string, obj fyne.CanvasObject) {
		grid.Add(widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{}))
		grid.Add(obj)
	}
	add(lang.X("customer.kind", "Kind"), f.field(f.kind, "kind"))
	add(lang.X("customer.salutation", "Salutation"), f.salutation)
	add(lang.X("customer.letter_form", "Address as"), f.field(f.letterForm, "letter_form"))
	add(lang.X("customer.name_prefix", "Title"), f.namePrefix)
	add(lang.X("customer.given", "Given name"), f.given)
	add(lang.X("customer.family", "Family name"), f.field(f.family, "name"))
	add(lang.X("customer.name_suffix", "Name suffix"), f.nameSuffix)
	add(lang.X("customer.company", "Company"), f.field(f.company, "company"))
	add(lang.X("customer.department", "Department"), f.department)
	add(lang.X("customer.position", "Position"), f.position)

	addEmail := widget.NewButtonWithIcon(lang.X("customer.email.add", "Add email"), theme.ContentAddIcon(), func() { f.addEmail(model.Email{Label: model.LabelWork}) })
	add(lang.X("customer.emails", "Emails"), container.NewVBox(f.emailBox, container.NewHBox(addEmail)))
	addPhone := widget.NewButtonWithIcon(lang.X("customer.phone.add", "Add phone"), theme.ContentAddIcon(), func() { f.addPhone(model.Phone{Label: model.LabelMobile}) })
	add(lang.X("customer.phones", "Phones"), container.NewVBox(f.phoneBox, container.NewHBox(addPhone)))
	addAddr := widget.NewButtonWithIcon(lang.X("customer.address.add", "Add address"), theme.ContentAddIcon(), func() { f.addAddress(model.Address{Label: model.LabelWork}) })
	add(lang.X("customer.addresses", "Addresses"), container.NewVBox(f.addrBox, container.NewHBox(addAddr)))

	add(lang.X("customer.website", "Website"), f.field(f.website, "website"))
	add(lang.X("customer.birthday", "Birthday"), f.field(f.birthday, "birthday"))
	add(lang.X("customer.since", "Customer since"), f.field(f.since, "since"))
	add(lang.X("customer.segment", "Segment"), f.field(f.segment, "segment"))
	add(lang.X("customer.rhythm", "Contact every (days)"), f.field(f.rhythm, "rhythm_days"))
	add(lang.X("customer.tags", "Tags"), f.tags)
	add(lang.X("customer.source", "Source"), f.source)
	add(lang.X("customer.memo", "Memo"), f.memo)

	addConsent := widget.NewButtonWithIcon(lang.X("customer.consent.add", "Record consent"), theme.ContentAddIcon(), f.onAddConsent)
	add(lang.X("customer.consents", "Consents"), container.NewVBox(f.consentBox, container.NewHBox(addConsent)))

	f.save = widget.NewButtonWithIcon(lang.X("customer.save", "Save"), theme.DocumentSaveIcon(), onSave)
	f.save.Importance = widget.HighImportance
	f.cancel = widget.NewButtonWithIcon(lang.X("customer.cancel", "Discard changes"), theme.CancelIcon(), onCancel)
	buttons := container.NewHBox(layout.NewSpacer(), f.cancel, f.save)
	return container.NewBorder(nil, container.NewVBox(f.general, buttons), nil, nil, container.NewVScroll(grid))
}

// load shows c in the form.
func (f *customerForm) load(c model.Customer) {
	f.orig = c
	f.clearErrors()
	if c.Kind == model.Company {
		f.kind.SetSelected(f.kind.Options[1])
	} else {
		f.kind.SetSelected(f.kind.Options[0])
	}
	f.salutation.SetText(c.Salutation)
	f.letterForm.SetSelectedIndex(0)
	if c.LetterForm == model.FormDu {
		f.letterForm.SetSelectedIndex(1)
	}
	f.namePrefix.SetText(c.NamePrefix)
	f.given.SetText(c.GivenName)
	f.family.SetText(c.FamilyName)
	f.nameSuffix.SetText(c.NameSuffix)
	f.company.SetText(c.Company)
	f.department.SetText(c.Department)
	f.position.SetText(c.Position)
	f.website.SetText(c.Website)
	f.birthday.SetText(formatDay(c.Birthday))
	f.since.SetText(formatDay(c.Since))
	f.segment.SetText(segmentText(c.Segment))
	f.rhythm.SetText("")
	if c.RhythmDays > 0 {
		f.rhythm.SetText(strconv.Itoa(c.RhythmDays))
	}
	f.tags.SetText(strings.Join(c.Tags, ", "))
	f.source.SetText(c.Source)
	f.memo.SetText(c.Memo)

	f.emails, f.phones, f.addrs, f.consents = nil, nil, nil, nil
	f.emailBox.RemoveAll()
	f.phoneBox.RemoveAll()
	f.addrBox.RemoveAll()
	f.consentBox.RemoveAll()
	for _, m := range c.Emails {
		f.addEmail(m)
	}
	if len(c.Emails) == 0 {
		f.addEmail(model.Email{Label: model.LabelWork})
	}
	for _, p := range c.Phones {
		f.addPhone(p)
	}
	if len(c.Phones) == 0 {
		f.addPhone(model.Phone{Label: model.LabelMobile})
	}
	for _, a := range c.Addresses {
		f.addAddress(a)
	}
	if len(c.Addresses) == 0 {
		f.addAddress(model.Address{Label: model.LabelWork})
	}
	for _, k := range c.Consents {
		f.addConsent(k, false)
	}
}

// read builds the customer from the form on top of the loaded record, so
// fields the form does not show (photo, imported vCard extras) survive. It
// returns the field errors it can tell without storage: unreadable dates
// and numbers.
func (f *customerForm) read() (*model.Customer, []model.FieldError) {
	c := f.orig
	var bad []model.FieldError
	fail := func(field, key, msg string) {
		bad = append(bad, model.FieldError{Field: field, Key: key, Message: msg})
	}
	c.Kind = model.Person
	if f.kind.Selected == f.kind.Options[1] {
		c.Kind = model.Company
	}
	c.Salutation = f.salutation.Text
	c.LetterForm = model.FormSie
	if i := f.letterForm.SelectedIndex(); i >= 0 {
		c.LetterForm = letterForms[i]
	}
	c.GivenName, c.FamilyName, c.Company, c.Position = f.given.Text, f.family.Text, f.company.Text, f.position.Text
	c.NamePrefix, c.NameSuffix, c.Department = f.namePrefix.Text, f.nameSuffix.Text, f.department.Text
	c.Website = f.website.Text
	var err error
	if c.Birthday, err = parseDay(f.birthday.Text); err != nil {
		fail("birthday", "validation.date", err.Error())
	}
	if c.Since, err = parseDay(f.since.Text); err != nil {
		fail("since", "validation.date", err.Error())
	}
	c.Segment = segmentFromText(f.segment.Text)
	c.RhythmDays = 0
	if s := strings.TrimSpace(f.rhythm.Text); s != "" {
		if c.RhythmDays, err = strconv.Atoi(s); err != nil {
			fail("rhythm_days", "validation.rhythm", fmt.Sprintf("%q is not a number of days", s))
		}
	}
	c.Tags = nil
	for _, t := range strings.Split(f.tags.Text, ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.Tags = append(c.Tags, t)
		}
	}
	c.Source, c.Memo = f.source.Text, f.memo.Text

	c.Emails, f.emailAt = nil, nil
	for _, r := range f.emails {
		if v := strings.TrimSpace(r.value.Text); v != "" {
			c.Emails = append(c.Emails, model.Email{Label: labelFromText(r.label.Text), Address: v, Pref: r.pref})
			f.emailAt = append(f.emailAt, r)
		}
	}
	c.Phones, f.phoneAt = nil, nil
	for _, r := range f.phones {
		if v := strings.TrimSpace(r.value.Text); v != "" {
			c.Phones = append(c.Phones, model.Phone{Label: labelFromText(r.label.Text), Number: v, Pref: r.pref})
			f.phoneAt = append(f.phoneAt, r)
		}
	}
	c.Addresses = nil
	for _, r := range f.addrs {
		a := r.read()
		if a.OneLine() != "" {
			c.Addresses = append(c.Addresses, a)
		}
	}
	c.Consents, f.consentAt = nil, nil
	for i, r := range f.consents {
		k, ok := r.read()
		if !ok {
			fail(fmt.Sprintf("consents[%d].given_at", i), "validation.consent_date", "unreadable date")
		}
		c.Consents = append(c.Consents, k)
		f.consentAt = append(f.consentAt, r)
	}
	return &c, bad
}

func (f *customerForm) clearErrors() {
	for _, l := range f.errs {
		l.SetText("")
		l.Hide()
	}
	for _, rows := range [][]*contactRow{f.emails, f.phones} {
		for _, r := range rows {
			r.err.Hide()
		}
	}
	for _, r := range f.consents {
		r.err.Hide()
	}
	f.general.Hide()
}

// showErrors puts each field error under its field; errors without a place
// of their own are listed above the buttons.
func (f *customerForm) showErrors(fields []model.FieldError) {
	f.clearErrors()
	var rest []string
	for _, fe := range fields {
		msg := fieldErrorText(fe)
		if l := f.errorLabel(fe.Field); l != nil {
			l.SetText(msg)
			l.Show()
			continue
		}
		rest = append(rest, msg)
	}
	f.general.SetText(lang.X("customer.invalid", "Please correct the marked fields.") + "\n" + strings.Join(rest, "\n"))
	f.general.Show()
}

// errorLabel finds the label for a model field path.
func (f *customerForm) errorLabel(field string) *widget.Label {
	if l, ok := f.errs[field]; ok {
		return l
	}
	var i int
	var rest string
	if n, _ := fmt.Sscanf(field, "emails[%d]%s", &i, &rest); n >= 1 && i < len(f.emailAt) {
		return f.emailAt[i].err
	}
	if n, _ := fmt.Sscanf(field, "phones[%d]%s", &i, &rest); n >= 1 && i < len(f.phoneAt) {
		return f.phoneAt[i].err
	}
	if n, _ := fmt.Sscanf(field, "consents[%d]%s", &i, &rest); n >= 1 && i < len(f.consentAt) {
		return f.consentAt[i].err
	}
	return nil
}

func (f *customerForm) labelChoices() []string {
	var out []string
	for _, l := range builtinLabels {
		out = append(out, labelText(l))
	}
	return out
}

func (f *customerForm) addEmail(m model.Email) {
	r := newContactRow(f.labelChoices(), m.Label, m.Address, m.Pref)
	r.value.SetPlaceHolder("name@example.ch")
	f.emails = append(f.emails, r)
	f.emailBox.Add(r.build(func() { f.emails = removeRow(f.emails, r); f.emailBox.Remove(r.box) }))
}

func (f *customerForm) addPhone(p model.Phone) {
	r := newContactRow(f.labelChoices(), p.Label, p.Number, p.Pref)
	r.value.SetPlaceHolder("+41 79 123 45 67")
	f.phones = append(f.phones, r)
	f.phoneBox.Add(r.build(func() { f.phones = removeRow(f.phones, r); f.phoneBox.Remove(r.box) }))
}

func (f *customerForm) addAddress(a model.Address) {
	r := newAddressRow(f.labelChoices(), a)
	f.addrs = append(f.addrs, r)
	f.addrBox.Add(r.build(func() { f.addrs = removeRow(f.addrs, r); f.addrBox.Remove(r.box) }))
}

func (f *customerForm) onAddConsent() {
	f.addConsent(model.Consent{Channel: model.ChannelEmail, GivenAt: f.e.now()}, true)
}

func (f *customerForm) addConsent(k model.Consent, isNew bool) {
	r := newConsentRow(f.e, k, isNew)
	f.consents = append(f.consents, r)
	f.consentBox.Add(r.build(func() { f.consents = removeRow(f.consents, r); f.consentBox.Remove(r.box) }))
}

func removeRow[T comparable](rows []T, r T) []T {
	for i, x := range rows {
		if x == r {
			return append(rows[:i:i], rows[i+1:]...)
		}
	}
	return rows
}

// contactRow edits one email or phone with its label.
type contactRow struct {
	label *widget.SelectEntry
	value *widget.Entry
	err   *widget.Label
	pref  bool
	box   *fyne.Container
}

func newContactRow(labels []string, label, value string, pref bool) *contactRow {
	r := &contactRow{label: widget.NewSelectEntry(labels), value: widget.NewEntry(), err: newErrorLabel(), pref: pref}
	r.label.SetText(labelText(label))
	r.value.SetText(value)
	return r
}

func (r *contactRow) build(onRemove func()) fyne.CanvasObject {
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), onRemove)
	label := container.NewGridWrap(fyne.NewSize(130, r.label.MinSize().Height), r.label)
	r.box = container.NewVBox(container.NewBorder(nil, nil, label, remove, r.value), r.err)
	return r.box
}

// addressRow edits one postal address.
type addressRow struct {
	label                                      *widget.SelectEntry
	street, extended, postal, city, region, co *widget.Entry
	orig                                       model.Address
	box                                        *fyne.Container
}

func newAddressRow(labels []string, a model.Address) *addressRow {
	r := &addressRow{label: widget.NewSelectEntry(labels), street: widget.NewMultiLineEntry(), extended: widget.NewEntry(),
		postal: widget.NewEntry(), city: widget.NewEntry(), region: widget.NewEntry(), co: widget.NewEntry(), orig: a}
	r.street.SetMinRowsVisible(2)
	r.label.SetText(labelText(a.Label))
	r.street.SetText(a.Street)
	r.street.SetPlaceHolder(lang.X("customer.address.street", "Street and number"))
	r.extended.SetText(a.Extended)
	r.extended.SetPlaceHolder(lang.X("customer.address.extended", "c/o, building, floor"))
	r.postal.SetText(a.PostalCode)
	r.postal.SetPlaceHolder(lang.X("customer.address.postal", "Postcode"))
	r.city.SetText(a.City)
	r.city.SetPlaceHolder(lang.X("customer.address.city", "City"))
	r.region.SetText(a.Region)
	r.region.SetPlaceHolder(lang.X("customer.address.region", "Canton / state"))
	r.co.SetText(a.Country)
	r.co.SetPlaceHolder(lang.X("customer.address.country", "Country"))
	return r
}

func (r *addressRow) build(onRemove func()) fyne.CanvasObject {
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), onRemove)
	head := container.NewBorder(nil, nil, nil, remove, r.label)
	cityLine := container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(90, r.postal.MinSize().Height), r.postal), nil, r.city)
	r.box = container.NewVBox(head, r.street, r.extended, cityLine, container.NewGridWithColumns(2, r.region, r.co), widget.NewSeparator())
	return r.box
}

func (r *addressRow) read() model.Address {
	a := r.orig // keeps POBox and Pref, which the form does not show
	a.Label = labelFromText(r.label.Text)
	a.Street, a.Extended, a.PostalCode = r.street.Text, r.extended.Text, r.postal.Text
	a.City, a.Region, a.Country = r.city.Text, r.region.Text, r.co.Text
	return a
}

// consentRow shows one marketing consent. Stored consents are history: they
// can be withdrawn but not removed; only a consent added in this edit can.
type consentRow struct {
	e         *env
	orig      model.Consent
	isNew     bool
	channel   *widget.Select
	purpose   *widget.Entry
	given     *dateEntry
	source    *widget.Entry
	withdrawn *widget.Label
	withdraw  *widget.Button
	err       *widget.Label
	box       *fyne.Container
	at        time.Time
}

func newConsentRow(e *env, k model.Consent, isNew bool) *consentRow {
	r := &consentRow{e: e, orig: k, isNew: isNew, purpose: widget.NewEntry(), given: newDateEntry(), source: widget.NewEntry(),
		withdrawn: widget.NewLabel(""), err: newErrorLabel(), at: k.Withdrawn}
	var chans []string
	for _, ch := range model.Channels {
		chans = append(chans, channelText(ch))
	}
	r.channel = widget.NewSelect(chans, nil)
	for i, ch := range model.Channels {
		if ch == k.Channel {
			r.channel.SetSelectedIndex(i)
		}
	}
	r.purpose.SetText(k.Purpose)
	r.purpose.SetPlaceHolder(lang.X("customer.consent.purpose", "Purpose, e.g. newsletter"))
	r.given.SetText(formatDate(k.GivenAt))
	r.source.SetText(k.Source)
	r.source.SetPlaceHolder(lang.X("customer.consent.source", "Source: form, fair, phone…"))
	r.withdraw = widget.NewButton(lang.X("customer.consent.withdraw", "Withdraw"), r.onWithdraw)
	r.showWithdrawn()
	return r
}

func (r *consentRow) build(onRemove func()) fyne.CanvasObject {
	// Not a grid: equal columns made every column as wide as the widest
	// part (the date field with its calendar button, the withdrawal), and
	// the window wider than a 1024 px screen. The source has a line of its
	// own.
	line2 := container.NewBorder(nil, nil, nil, container.NewHBox(r.withdrawn, r.withdraw), r.given)
	head := container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(150, r.channel.MinSize().Height), r.channel), nil, r.purpose)
	if r.isNew {
		head = container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon("", theme.DeleteIcon(), onRemove), head)
	}
	r.box = container.NewVBox(head, line2, r.source, r.err, widget.NewSeparator())
	return r.box
}

func (r *consentRow) onWithdraw() {
	r.at = r.e.now().UTC()
	r.showWithdrawn()
}

func (r *consentRow) showWithdrawn() {
	if r.at.IsZero() {
		r.withdrawn.SetText(lang.X("customer.consent.active", "active"))
		r.withdraw.Enable()
		return
	}
	r.withdrawn.SetText(lang.X("customer.consent.withdrawn", "withdrawn {{.Date}}", map[string]any{"Date": formatDate(r.at)}))
	r.withdraw.Disable()
}

// read returns the consent; ok is false when the given date is unreadable.
func (r *consentRow) read() (model.Consent, bool) {
	k := r.orig
	if i := r.channel.SelectedIndex(); i >= 0 {
		k.Channel = model.Channels[i]
	}
	k.Purpose, k.Source, k.Withdrawn = strings.TrimSpace(r.purpose.Text), strings.TrimSpace(r.source.Text), r.at
	if formatDate(k.GivenAt) != strings.TrimSpace(r.given.Text) {
		d, err := parseDay(r.given.Text)
		if err != nil || !d.HasYear() {
			return k, false
		}
		k.GivenAt = dayToTime(d)
	}
	return k, true
}
