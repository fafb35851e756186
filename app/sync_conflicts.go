package app

// The conflict list of the sync screen: each conflict a sentence with
// the two ways out.

import (
	"encoding/json"
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

func (s *syncScreen) updateConflict(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(s.conflicts) {
		return
	}
	c := s.conflicts[i]
	row := o.(*conflictRow)
	row.label.SetText(s.conflictText(c))
	row.keep.OnTapped = func() { s.onDismiss(c) }
	row.take.OnTapped = func() { s.onResolve(c) }
	switch c.Kind {
	case model.ConflictDeleted:
		row.take.SetText(lang.X("sync.conflict.restore", "Restore with this edit"))
	case model.ConflictMerged:
		row.take.SetText(lang.X("sync.conflict.to_survivor", "Apply to the merged customer"))
	default:
		row.take.SetText(lang.X("sync.conflict.take", "Take this value"))
	}
}

// conflictText says in a sentence what happened: who changed what, when,
// and what was kept.
func (s *syncScreen) conflictText(c model.Conflict) string {
	data := map[string]any{
		"Name":  s.conflictName(c),
		"Field": conflictField(c),
		"Kept":  conflictValue(c.Kept),
		"Lost":  conflictValue(c.Lost),
		"By":    c.LostBy,
		"When":  formatDateTime(c.Seen.In(s.e.now().Location())),
		"Into":  s.recordName(model.TypeCustomer, c.Into),
	}
	switch c.Kind {
	case model.ConflictDeleted:
		return lang.X("sync.conflict.deleted", "{{.Name}} was edited by {{.By}} on {{.When}} after it had been deleted on another device: {{.Field}} = {{.Lost}}.", data)
	case model.ConflictMerged:
		return lang.X("sync.conflict.merged", "{{.Name}} was edited by {{.By}} on {{.When}} after it had been merged into {{.Into}}: {{.Field}} = {{.Lost}}.", data)
	}
	return lang.X("sync.conflict.concurrent", "{{.Name}}, {{.Field}}: kept {{.Kept}}; {{.By}} wrote {{.Lost}} at the same time ({{.When}}).", data)
}

// conflictName names the record of c: a deleted or merged customer,
// which the directory no longer lists, by the name the conflict carries.
func (s *syncScreen) conflictName(c model.Conflict) string {
	if _, listed := s.e.svc.Directory().Summary(c.ID); !listed && c.Name != "" {
		return c.Name
	}
	return s.recordName(c.Type, c.ID)
}

// recordName is a customer's display name; other records, and customers
// no longer listed, show their type and a short ID.
func (s *syncScreen) recordName(t model.RecordType, id model.ID) string {
	if t == model.TypeCustomer {
		if sum, ok := s.e.svc.Directory().Summary(id); ok {
			return sum.Name
		}
	}
	kind := string(t)
	if t == model.TypeCustomer {
		kind = lang.X("sync.record.customer", "Customer")
	}
	return fmt.Sprintf("%s %s", kind, shortDevice(id.String()))
}

// customerFieldKeys are the translation keys of customer fields by their
// JSON name, the labels of the customer form.
var customerFieldKeys = map[string]string{
	"kind": "customer.kind", "salutation": "customer.salutation", "letter_form": "customer.letter_form",
	"given_name": "customer.given", "family_name": "customer.family", "company": "customer.company",
	"position": "customer.position", "emails": "customer.emails", "phones": "customer.phones",
	"addresses": "customer.addresses", "website": "customer.website", "birthday": "customer.birthday",
	"since": "customer.since", "tags": "customer.tags", "segment": "customer.segment", "source": "customer.source",
	"rhythm_days": "customer.rhythm", "memo": "customer.memo", "consents": "customer.consents",
	"name_prefix": "customer.name_prefix", "name_suffix": "customer.name_suffix", "department": "customer.department",
}

// conflictField names the field as the customer form labels it (other
// fields by their stored name), with the element for set-valued ones
// (which email, which phone).
func conflictField(c model.Conflict) string {
	name := c.Field
	if key, ok := customerFieldKeys[c.Field]; ok && c.Type == model.TypeCustomer {
		name = lang.X(key, c.Field)
	}
	if c.Key != "" {
		return name + " (" + c.Key + ")"
	}
	return name
}

// conflictValue shows a JSON value as a person reads it: strings without
// quotes, nothing as a dash, long values cut.
func conflictValue(raw []byte) string {
	var str string
	text := string(raw)
	if json.Unmarshal(raw, &str) == nil {
		text = str
	}
	if text == "" || text == "null" {
		return "–"
	}
	if r := []rune(text); len(r) > 80 {
		text = string(r[:79]) + "…"
	}
	return text
}

// conflictRow is one conflict in a sentence, with the two ways out: keep
// what is there, or take the other side.
type conflictRow struct {
	widget.BaseWidget
	label *widget.Label
	keep  *widget.Button
	take  *widget.Button
}

func newConflictRow() *conflictRow {
	r := &conflictRow{
		label: widget.NewLabel(""),
		keep:  widget.NewButton(lang.X("sync.conflict.keep", "Keep as it is"), nil),
		take:  widget.NewButton(lang.X("sync.conflict.take", "Take this value"), nil),
	}
	// Two lines of a sentence, cut with an ellipsis only beyond them.
	r.label.Wrapping = fyne.TextWrapWord
	r.label.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget: the sentence has the row's
// whole width and two lines, the buttons are below it on the right, so a
// sentence is cut (with an ellipsis) only in a narrow window.
func (r *conflictRow) CreateRenderer() fyne.WidgetRenderer {
	buttons := container.NewHBox(layout.NewSpacer(), r.keep, r.take)
	twoLines := canvas.NewRectangle(color.Transparent)
	twoLines.SetMinSize(fyne.NewSize(0, widget.NewLabel("Ag\nAg").MinSize().Height))
	return widget.NewSimpleRenderer(container.NewBorder(nil, buttons, nil, nil, container.NewStack(twoLines, r.label)))
}

func (s *syncScreen) onDismiss(c model.Conflict) {
	if err := s.e.svc.DismissConflict(c); err != nil {
		s.e.showError(err)
		return
	}
	s.refresh()
}

// onResolve takes the side that was not kept: the lost value, the edits
// that arrived after a deletion (the customer comes back), or an edit of a
// merged customer handed to the survivor.
func (s *syncScreen) onResolve(c model.Conflict) {
	if err := s.e.svc.ResolveConflict(c); err != nil {
		s.e.showError(err)
		return
	}
	s.refresh()
}
