package app

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// gestureForm is the dialog that gives a customer a loyalty gesture or
// changes one.
type gestureForm struct {
	e        *env
	existing *model.Gesture
	customer model.ID
	kinds    []model.GestureKind
	statuses []model.GestureStatus

	kind       *widget.Select
	title      *escEntry
	percent    *escEntry
	amount     *escEntry
	currency   *escEntry
	cost       *escEntry
	validFrom  *dateEntry
	validUntil *dateEntry
	occasion   *widget.SelectEntry
	status     *widget.Select
	details    *escEntry
	form       *careForm
	dlg        *dialog.CustomDialog

	onSaved func(g *model.Gesture)
}

// showGestureForm opens the gesture dialog for customerID; existing nil
// creates a new gesture, otherwise existing is edited.
func showGestureForm(e *env, customerID model.ID, existing *model.Gesture) {
	newGestureForm(e, customerID, existing).show()
}

func newGestureForm(e *env, customerID model.ID, existing *model.Gesture) *gestureForm {
	g := &gestureForm{e: e, existing: existing, customer: customerID}
	// Invitations need an event; they are made from the event on the
	// loyalty screen, so a new gesture offers every kind but that one.
	for _, k := range model.GestureKinds {
		if k != model.GestureInvite || (existing != nil && existing.Kind == model.GestureInvite) {
			g.kinds = append(g.kinds, k)
		}
	}
	if existing != nil {
		g.customer = existing.CustomerID
		g.statuses = gestureLifecycleOrder(append([]model.GestureStatus{existing.Status}, model.NextStatuses(existing.Status)...))
	} else {
		g.statuses = []model.GestureStatus{model.GestureIdea, model.GestureOffered, model.GestureAccepted, model.GestureRedeemed}
	}

	kindLabels := make([]string, len(g.kinds))
	for i, k := range g.kinds {
		kindLabels[i] = gestureKindText(k)
	}
	g.kind = widget.NewSelect(kindLabels, nil)
	statusLabels := make([]string, len(g.statuses))
	for i, s := range g.statuses {
		statusLabels[i] = gestureStatusText(s)
	}
	g.status = widget.NewSelect(statusLabels, nil)
	occasions := make([]string, len(model.Occasions))
	for i, o := range model.Occasions {
		occasions[i] = careOccasionLabel(o)
	}
	g.occasion = widget.NewSelectEntry(occasions)

	// Hints say "e.g." and dates show their pattern (TT.MM.JJJJ): a
	// placeholder that looks like a value was taken for one, and a gesture
	// was saved without the validity its user believed filled in.
	g.title = newEscEntry(false)
	g.percent = newEscEntry(false)
	g.percent.SetPlaceHolder(exampleHint(formatCount(10)))
	g.amount = newEscEntry(false)
	g.amount.SetPlaceHolder(exampleHint(formatMoney(5000, "")))
	g.currency = newEscEntry(false)
	g.cost = newEscEntry(false)
	g.cost.SetPlaceHolder(exampleHint(formatMoney(1500, "")))
	g.validFrom = newDateEntry()
	g.validUntil = newDateEntry()
	g.validUntil.SetPlaceHolder(lang.X("locale.gesture.until.hint", "{{.Pattern}} · empty: no end", map[string]any{"Pattern": dateHint(g.validUntil.loc)}))
	g.details = newEscEntry(false)
	g.details.MultiLine = true
	g.details.Wrapping = fyne.TextWrapWord
	g.details.SetMinRowsVisible(3)

	if existing != nil {
		g.kind.SetSelected(gestureKindText(existing.Kind))
		g.title.SetText(existing.Title)
		if existing.Percent != 0 {
			g.percent.SetText(strconv.Itoa(existing.Percent))
		}
		if existing.Amount != 0 {
			g.amount.SetText(formatMoney(existing.Amount, ""))
		}
		g.currency.SetText(existing.Currency)
		if existing.Cost != 0 {
			g.cost.SetText(formatMoney(existing.Cost, ""))
		}
		g.validFrom.SetDay(existing.ValidFrom)
		g.validUntil.SetDay(existing.ValidUntil)
		g.occasion.SetText(careOccasionLabel(existing.Occasion))
		g.status.SetSelected(gestureStatusText(existing.Status))
		g.details.SetText(existing.Details)
	} else {
		g.kind.SetSelectedIndex(0)
		g.currency.SetText(defaultCurrency(e.settings()))
		g.status.SetSelected(gestureStatusText(model.GestureOffered))
	}

	g.form = newCareForm()
	g.form.add("kind", lang.X("gesture.form.kind", "Kind"), g.kind)
	g.form.add("title", lang.X("gesture.form.title", "Title"), g.title)
	g.form.add("percent", lang.X("gesture.form.percent", "Discount (%)"), g.percent)
	g.form.add("amount", lang.X("gesture.form.amount", "Value"),
		container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(80, g.currency.MinSize().Height), g.currency), g.amount))
	g.form.alias("currency", "amount")
	g.form.add("cost", lang.X("gesture.form.cost", "Cost to us"), g.cost)
	g.form.add("valid_from", lang.X("gesture.form.validfrom", "Valid from"), g.validFrom)
	g.form.add("valid_until", lang.X("gesture.form.validuntil", "Valid until"), g.validUntil)
	g.form.add("occasion", lang.X("gesture.form.occasion", "Occasion"), g.occasion)
	g.form.add("status", lang.X("gesture.form.status", "Status"), g.status)
	g.form.add("details", lang.X("gesture.form.details", "Details"), g.details)
	g.form.alias("event_id", "kind")
	for _, en := range []*escEntry{g.title, g.percent, g.amount, g.currency, g.cost} {
		en.OnSubmitted = func(string) { g.onSave() }
	}
	for _, de := range []*dateEntry{g.validFrom, g.validUntil} {
		de.OnSubmitted = func(string) { g.onSave() }
	}

	title := lang.X("gesture.form.new", "New gesture")
	if existing != nil {
		title = lang.X("gesture.form.edit", "Change gesture")
	}
	g.dlg = dialog.NewCustomWithoutButtons(title, g.form.build(), e.win)
	g.dlg.SetButtons([]fyne.CanvasObject{
		&widget.Button{Text: lang.X("gesture.form.cancel", "Cancel"), Icon: theme.CancelIcon(), OnTapped: g.dlg.Hide},
		&widget.Button{Text: lang.X("gesture.form.save", "Save"), Icon: theme.ConfirmIcon(),
			Importance: widget.HighImportance, OnTapped: g.onSave},
	})
	careEscapeCloses(e.win, g.dlg, g.title, g.percent, g.amount, g.currency, g.cost, g.details)
	g.validFrom.onEscape, g.validUntil.onEscape = g.dlg.Hide, g.dlg.Hide
	return g
}

func (g *gestureForm) show() {
	g.dlg.Resize(fyne.NewSize(520, 0))
	g.dlg.Show()
	g.e.forms.opened(g.dlg, g.onSave)
	g.e.win.Canvas().Focus(g.title)
}

func (g *gestureForm) collect() (*model.Gesture, error) {
	var gs model.Gesture
	if g.existing != nil {
		gs = *g.existing
	} else {
		gs.CustomerID = g.customer
	}
	if i := g.kind.SelectedIndex(); i >= 0 {
		gs.Kind = g.kinds[i]
	} else {
		gs.Kind = ""
	}
	if i := g.status.SelectedIndex(); i >= 0 {
		gs.Status = g.statuses[i]
	}
	gs.Title = g.title.Text
	gs.Currency = g.currency.Text
	gs.Occasion = careOccasionKey(g.occasion.Text)
	gs.Details = g.details.Text

	var fe []model.FieldError
	var err error
	// "10 %" is how the percentage is shown, so it is also taken as typed.
	if gs.Percent, err = careParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(g.percent.Text), "%"))); err != nil {
		fe = append(fe, careFieldError("percent", "care.validation.number", "not a number"))
	}
	if gs.Amount, err = careParseMoney(g.amount.Text); err != nil {
		fe = append(fe, careFieldError("amount", "care.validation.amount", "not an amount"))
	}
	if gs.Cost, err = careParseMoney(g.cost.Text); err != nil {
		fe = append(fe, careFieldError("cost", "care.validation.amount", "not an amount"))
	}
	year := g.e.now().Year()
	if gs.ValidFrom, err = careParseOptionalDate(g.validFrom.Text, year); err != nil {
		fe = append(fe, careFieldError("valid_from", "care.validation.date", "not a date"))
	}
	if gs.ValidUntil, err = careParseOptionalDate(g.validUntil.Text, year); err != nil {
		fe = append(fe, careFieldError("valid_until", "care.validation.date", "not a date"))
	}
	if len(fe) > 0 {
		return nil, &model.Error{Code: model.EINVALID, Message: "invalid gesture", Fields: fe}
	}
	return &gs, nil
}

func (g *gestureForm) onSave() {
	g.form.clear()
	gs, err := g.collect()
	if err == nil {
		if g.existing != nil {
			err = g.e.svc.UpdateGesture(gs)
		} else {
			err = g.e.svc.CreateGesture(gs)
		}
	}
	if err != nil {
		if !g.form.showErrors(err) {
			g.e.showError(err)
		}
		return
	}
	g.dlg.Hide()
	if g.existing != nil && gs.Status != g.existing.Status {
		rememberGestureStatus(g.e, g.existing, gs.Status)
	}
	if g.onSaved != nil {
		g.onSaved(gs)
	}
}

// careOccasionLabel names a built-in occasion; free text stays as typed.
func careOccasionLabel(o string) string {
	switch o {
	case model.OccasionBirthday:
		return lang.X("gesture.occasion.birthday", "Birthday")
	case model.OccasionAnniversary:
		return lang.X("gesture.occasion.anniversary", "Anniversary")
	case model.OccasionComplaint:
		return lang.X("gesture.occasion.complaint", "Complaint")
	case model.OccasionEvent:
		return lang.X("gesture.occasion.event", "Event")
	case model.OccasionThanks:
		return lang.X("gesture.occasion.thanks", "Thank-you")
	}
	return o
}

// careOccasionKey maps a shown occasion back to the built-in key, so the
// stored value does not depend on the language it was entered in.
func careOccasionKey(label string) string {
	label = strings.TrimSpace(label)
	for _, o := range model.Occasions {
		if label == careOccasionLabel(o) || label == o {
			return o
		}
	}
	return label
}
