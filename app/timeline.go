package app

import (
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
)

// timelineEntry is one line of a customer's history: a note, a follow-up
// or a gesture, ordered by when it happened (or is due).
type timelineEntry struct {
	at       time.Time
	note     *model.Note
	followUp *model.FollowUp
	gesture  *model.Gesture
}

// timelineEntries merges the records of tl newest first.
func timelineEntries(tl *model.Timeline) []timelineEntry {
	if tl == nil {
		return nil
	}
	out := make([]timelineEntry, 0, len(tl.Notes)+len(tl.FollowUps)+len(tl.Gestures))
	for i := range tl.Notes {
		out = append(out, timelineEntry{at: tl.Notes[i].At, note: &tl.Notes[i]})
	}
	for i := range tl.FollowUps {
		out = append(out, timelineEntry{at: tl.FollowUps[i].Due, followUp: &tl.FollowUps[i]})
	}
	for i := range tl.Gestures {
		out = append(out, timelineEntry{at: tl.Gestures[i].Created, gesture: &tl.Gestures[i]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.After(out[j].at) })
	return out
}

// timelineView lists a customer's timeline; tapping an entry edits it.
type timelineView struct {
	e       *env
	entries []timelineEntry
	cid     model.ID
	name    string
	list    *widget.List
	empty   *widget.Label

	// An open complaint shows a banner that says how it closes, with the
	// action that closes it; the newest complaint's row has it too.
	stats     model.Stats
	complaint *fyne.Container
	closer    *complaintCloser // the dialog opened last, for tests
}

func newTimelineView(e *env) *timelineView { return &timelineView{e: e} }

func (v *timelineView) build() fyne.CanvasObject {
	v.list = widget.NewList(v.Length, v.CreateItem, v.UpdateItem)
	v.list.OnSelected = v.onSelected
	v.empty = widget.NewLabel(lang.X("timeline.empty", "Nothing recorded yet. Add a note after every contact; it takes seconds."))
	v.empty.Wrapping = fyne.TextWrapWord
	v.complaint = v.buildComplaintBanner()
	return container.NewBorder(v.complaint, nil, nil, nil, container.NewStack(v.list, container.NewVBox(v.empty)))
}

// set shows tl; nil clears the view.
func (v *timelineView) set(tl *model.Timeline) {
	v.entries = timelineEntries(tl)
	v.cid, v.name, v.stats = model.NilID, "", model.Stats{}
	if tl != nil {
		v.cid, v.name, v.stats = tl.Customer.ID, tl.Customer.DisplayName(), tl.Stats
	}
	v.complaint.Hidden = !v.stats.OpenComplaint
	v.complaint.Refresh()
	v.list.UnselectAll()
	v.list.Refresh()
	if len(v.entries) == 0 && tl != nil {
		v.empty.Show()
	} else {
		v.empty.Hide()
	}
}

// Length returns the number of entries.
func (v *timelineView) Length() int { return len(v.entries) }

// CreateItem returns an empty entry row.
func (v *timelineView) CreateItem() fyne.CanvasObject { return newTimelineRow() }

// UpdateItem shows entry i in o.
func (v *timelineView) UpdateItem(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= 0 && i < len(v.entries) {
		en := v.entries[i]
		var onClose func()
		if n := en.note; n != nil && n.Kind == model.NoteComplaint && v.stats.OpenComplaint && n.At.Equal(v.stats.LastComplaint) {
			onClose = v.onCloseComplaint
		}
		row := o.(*timelineRow)
		row.set(en)
		row.showClose(onClose)
	}
}

func (v *timelineView) onSelected(i widget.ListItemID) {
	v.list.Unselect(i)
	if i < 0 || i >= len(v.entries) {
		return
	}
	switch en := v.entries[i]; {
	case en.note != nil:
		n := *en.note
		showNoteForm(v.e, v.cid, &n)
	case en.followUp != nil:
		f := *en.followUp
		showFollowUpForm(v.e, v.cid, &f)
	case en.gesture != nil:
		g := *en.gesture
		showGestureForm(v.e, v.cid, &g)
	}
}

// timelineRow shows one entry: kind icon, headline, text and who/when.
type timelineRow struct {
	widget.BaseWidget
	close *widget.Button // "close complaint" on the open complaint
	icon  *widget.Icon
	head  *widget.Label
	text  *widget.Label
	meta  *widget.Label
}

func newTimelineRow() *timelineRow {
	r := &timelineRow{
		icon:  widget.NewIcon(theme.DocumentIcon()),
		head:  widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		text:  widget.NewLabel(""),
		meta:  widget.NewLabel(""),
		close: widget.NewButtonWithIcon(lang.X("care2.complaint.close.short", "Close complaint"), theme.ConfirmIcon(), nil),
	}
	r.close.Hide()
	r.text.Truncation = fyne.TextTruncateEllipsis
	r.head.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer lays out icon beside three lines.
func (r *timelineRow) CreateRenderer() fyne.WidgetRenderer {
	// The close button follows who/when, not the right edge: the pane can
	// be wider than the window, and it must never be cut off.
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, r.icon, nil,
		container.NewVBox(r.head, r.text, container.NewHBox(r.meta, r.close))))
}

// showClose shows the "close complaint" button running onClose, or
// hides it for nil.
func (r *timelineRow) showClose(onClose func()) {
	r.close.OnTapped = onClose
	if onClose != nil {
		r.close.Show()
	} else {
		r.close.Hide()
	}
}

func (r *timelineRow) set(en timelineEntry) {
	switch {
	case en.note != nil:
		n := en.note
		r.icon.SetResource(noteKindIcon(n.Kind))
		head := noteKindText(n.Kind) + " · " + impressionMark(n.Impression) + impressionText(n.Impression)
		r.head.SetText(head)
		r.text.SetText(firstLine(n.Text))
		r.meta.SetText(joinNonEmpty(formatDateTime(n.At), n.By))
	case en.followUp != nil:
		f := en.followUp
		r.icon.SetResource(theme.HistoryIcon())
		r.head.SetText(lang.X("timeline.followup", "Follow-up") + " · " + followUpStatusText(f.Status))
		r.text.SetText(firstLine(joinNonEmpty(f.Title, f.Details)))
		due := formatDateTime(f.LocalDue())
		if f.AllDay {
			due = formatDay(f.DueDate())
		}
		r.meta.SetText(joinNonEmpty(lang.X("timeline.due", "due {{.Date}}", map[string]any{"Date": due}), f.Assignee))
	case en.gesture != nil:
		g := en.gesture
		r.icon.SetResource(theme.ConfirmIcon())
		r.head.SetText(gestureKindText(g.Kind) + " · " + gestureStatusText(g.Status))
		r.text.SetText(firstLine(g.Title))
		r.meta.SetText(joinNonEmpty(formatDate(g.Created), g.Author))
	}
}

// noteKindIcon picks a theme icon per note kind.
func noteKindIcon(k model.NoteKind) fyne.Resource {
	switch k {
	case model.NoteCall:
		return theme.MediaPlayIcon()
	case model.NoteEmail:
		return theme.MailSendIcon()
	case model.NoteMeeting:
		return theme.AccountIcon()
	case model.NoteFair:
		return theme.HomeIcon()
	case model.NoteComplaint:
		return theme.WarningIcon()
	case model.NoteResolution:
		return theme.ConfirmIcon()
	case model.NoteFeedback:
		return theme.InfoIcon()
	case model.NoteVisit:
		return theme.NavigateNextIcon()
	}
	return theme.DocumentIcon()
}

func impressionMark(i model.Impression) string {
	switch i {
	case model.Positive:
		return "☺ "
	case model.Negative:
		return "☹ "
	}
	return ""
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " · ")
}
