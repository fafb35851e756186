package storage

import "github.com/kundenkartei/kundenkartei/model"

// decodeFollowUp decodes raw into f when raw is a follow-up exactly as
// json.Marshal writes it (members in order, no spaces, strings without
// escapes), as decodeNote does for notes; it reports false, and leaves f
// as it was, for anything else, which encoding/json then reads. An export
// of every follow-up spent a quarter of its time in encoding/json.
func decodeFollowUp(raw []byte, f *model.FollowUp) bool {
	var x model.FollowUp
	p := scan{b: raw}
	ok := p.meta(&x.Meta) &&
		p.lit(`,"customer_id":`) && p.uuid(&x.CustomerID) &&
		p.lit(`,"due":`) && p.time(&x.Due) &&
		p.lit(`,"tz":`) && p.str(&x.TZ) &&
		p.lit(`,"all_day":`) && p.bool(&x.AllDay) &&
		p.lit(`,"duration":`) && p.int(&x.Duration) &&
		p.lit(`,"title":`) && p.str(&x.Title) &&
		p.lit(`,"details":`) && p.str(&x.Details) &&
		p.lit(`,"status":`) && p.str((*string)(&x.Status)) &&
		p.lit(`,"reminder":`) && p.int(&x.Reminder) &&
		p.lit(`,"note_id":`) && p.uuid(&x.NoteID) &&
		p.lit(`,"assignee":`) && p.str(&x.Assignee) &&
		p.lit(`,"done_at":`) && p.time(&x.DoneAt) &&
		p.lit(`,"sequence":`) && p.int(&x.Sequence) &&
		p.lit(`}`) && p.i == len(raw)
	if ok {
		*f = x
	}
	return ok
}

// decodeExportFollowUp decodes a stored follow-up, by hand when it can.
func decodeExportFollowUp(raw []byte, f *model.FollowUp) error {
	if raw != nil && decodeFollowUp(raw, f) {
		return nil
	}
	return jsonDecode(raw, f)
}
