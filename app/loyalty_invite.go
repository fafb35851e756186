package app

import (
	"fyne.io/fyne/v2/lang"

	"github.com/kundenkartei/kundenkartei/model"
)

// selectEvent shows the invitations of the event id.
func (s *loyaltyScreen) selectEvent(id model.ID) {
	s.mu.Lock()
	s.eventID = id
	s.mu.Unlock()
	s.inviteResult.SetText("")
	s.refresh()
}

func (s *loyaltyScreen) onNewEvent() {
	showEventForm(s.e, nil, func(ev *model.Event) { s.selectEvent(ev.ID) })
}

func (s *loyaltyScreen) onEditEvent() {
	if s.data.event != nil {
		ev := *s.data.event
		showEventForm(s.e, &ev, nil)
	}
}

// fillTargets lists the tags or the segments to invite.
func (s *loyaltyScreen) fillTargets() {
	dir := s.e.svc.Directory()
	var opts []string
	if s.inviteMode() == inviteBySegment {
		for _, seg := range dir.Segments() {
			opts = append(opts, segmentText(seg))
		}
	} else {
		opts = dir.Tags()
	}
	s.inviteTarget.SetOptions(opts)
	s.inviteTarget.ClearSelected()
}

func (s *loyaltyScreen) inviteMode() string {
	if s.inviteBy.Selected == lang.X("loyalty.invite.bySegment", "Segment") {
		return inviteBySegment
	}
	return inviteByTag
}

func (s *loyaltyScreen) inviteChannel() string {
	switch s.channel.SelectedIndex() {
	case 1:
		return inviteByPost
	case 2:
		return inviteInPerson
	}
	return inviteByEmail
}

// onInvite invites every customer of the chosen tag or segment to the
// selected event. By email only those with an email consent are invited,
// and the user learns how many were left out.
func (s *loyaltyScreen) onInvite() {
	ev := s.data.event
	target := s.inviteTarget.Selected
	if ev == nil || target == "" || s.inviteBy.Selected == "" {
		s.inviteResult.SetText(lang.X("loyalty.invite.pickFirst", "Pick an event, then a tag or a segment."))
		return
	}
	q := model.Query{Tag: target, Now: s.e.now()}
	if s.inviteMode() == inviteBySegment {
		q = model.Query{Segment: segmentFromText(target), Now: s.e.now()}
	}
	s.mu.Lock()
	s.invite = inviteJob{query: q, channel: s.inviteChannel(),
		tmpl: model.Gesture{Kind: model.GestureInvite, Title: ev.Name, Status: model.GestureOffered,
			Occasion: model.OccasionEvent, EventID: ev.ID, Details: s.channel.Selected}}
	s.mu.Unlock()
	s.inviter.start()
}

// inviteJob is what onInvite hands to the inviter.
type inviteJob struct {
	query   model.Query
	channel string
	tmpl    model.Gesture
}

// runInvite picks the customers who may be invited and stores the
// invitations (off the UI thread), then says what happened.
func (s *loyaltyScreen) runInvite() func() {
	s.mu.Lock()
	job := s.invite
	s.mu.Unlock()
	var ids []model.ID
	left := 0
	var c model.CustomerSummary
	for _, h := range s.e.svc.Directory().Search(job.query) {
		if h.Fill(&c); !mayInvite(&c, job.channel) {
			left++
			continue
		}
		ids = append(ids, c.ID)
	}
	n, err := s.e.svc.Invite(job.tmpl.EventID, ids, job.tmpl)
	return func() {
		if err != nil {
			s.e.showError(err)
			return
		}
		text := lang.XN("loyalty.invite.done", "{{.Count}} invited.", n, map[string]any{"Count": formatCount(n)})
		if already := len(ids) - n; already > 0 {
			text += " " + lang.XN("loyalty.invite.already", "{{.Count}} were invited already.", already, map[string]any{"Count": formatCount(already)})
		}
		if left > 0 {
			if job.channel == inviteByPost {
				text += " " + lang.XN("loyalty.invite.leftOutPost", "{{.Count}} left out: no postal address, or they said no to mail by post.", left, map[string]any{"Count": formatCount(left)})
			} else {
				text += " " + lang.XN("loyalty.invite.leftOut", "{{.Count}} left out: no email consent.", left, map[string]any{"Count": formatCount(left)})
			}
		}
		s.inviteResult.SetText(text)
	}
}

// mayInvite reports whether c may be invited through channel: by email
// with an email consent and an address, by post with a postal address
// unless the customer said no to post; in person always.
func mayInvite(c *model.CustomerSummary, channel string) bool {
	switch channel {
	case inviteByEmail:
		return c.MailConsent && c.Email != ""
	case inviteByPost:
		return !c.PostBlocked && c.City != ""
	}
	return true
}
