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

// calendarSkips are the members of a stored customer that
// decodeCalendarCustomer passes over: nothing of them shows in a calendar
// (see package ical) or decides whether a follow-up is exported. A test
// checks by reflection that these and the members it reads are all of
// model.Customer, so a new field has to be placed on one side.
var calendarSkips = map[string]bool{
	"device": true, "author": true, "salutation": true, "letter_form": true, "position": true,
	"website": true, "birthday": true, "since": true, "segment": true, "source": true,
	"rhythm_days": true, "memo": true, "consents": true, "photo": true, "external_uids": true,
	"extra": true, "name_prefix": true, "name_suffix": true, "department": true, "merge": true,
	"not_duplicates": true,
}

// decodeCalendarCustomer decodes what an export of follow-ups needs of a
// stored customer into c, which must be zero: the meta fields but device
// and author, kind, names, company, emails, phones, addresses, tags and
// merged_into; the members of calendarSkips are checked to be valid JSON
// and left zero. An export of every follow-up decoded each customer
// several times, and half of that time went to the memo, consents and
// vCard extras no calendar shows. It reports false for what decodeCustomer
// would refuse in the members it reads, and for an unknown member (a
// field added later, or a name encoding/json would match without regard
// to case); decodeExportCustomer then decodes the whole record.
func decodeCalendarCustomer(raw []byte, c *model.Customer) bool {
	var x model.Customer
	p := scan{b: raw}
	if !p.lit("{") {
		return false
	}
	for !p.lit("}") {
		if p.i > 1 && !p.lit(",") {
			return false
		}
		name, ok := p.raw()
		if !ok || !p.lit(":") {
			return false
		}
		switch string(name) {
		case "id":
			ok = p.uuid(&x.ID)
		case "created":
			ok = p.time(&x.Created)
		case "updated":
			ok = p.time(&x.Updated)
		case "deleted":
			ok = p.bool(&x.Deleted)
		case "kind":
			ok = p.str((*string)(&x.Kind))
		case "given_name":
			ok = p.str(&x.GivenName)
		case "family_name":
			ok = p.str(&x.FamilyName)
		case "company":
			ok = p.str(&x.Company)
		case "emails":
			ok = scanList(&p, &x.Emails, func(p *scan, e *model.Email) bool {
				return p.labelled(&e.Label, `,"address":`, &e.Address, &e.Pref)
			})
		case "phones":
			ok = scanList(&p, &x.Phones, func(p *scan, ph *model.Phone) bool {
				return p.labelled(&ph.Label, `,"number":`, &ph.Number, &ph.Pref)
			})
		case "addresses":
			ok = scanList(&p, &x.Addresses, (*scan).address)
		case "tags":
			ok = scanList(&p, &x.Tags, (*scan).str)
		case "merged_into":
			ok = p.uuid(&x.MergedInto)
		default:
			if !calendarSkips[string(name)] {
				return false
			}
			p.i, ok = validValue(p.b, p.i, 2)
		}
		if !ok {
			return false
		}
	}
	if p.i != len(raw) {
		return false
	}
	*c = x
	return true
}

// decodeExportCustomer decodes a stored customer for an export of
// follow-ups: by decodeCalendarCustomer when it can, else whole.
func decodeExportCustomer(raw []byte, c *model.Customer) error {
	if decodeCalendarCustomer(raw, c) {
		return nil
	}
	return decodeRecord(raw, c)
}
