package model

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// CustomerKind says whether a customer is a person or a company.
type CustomerKind string

// The customer kinds.
const (
	Person  CustomerKind = "person"
	Company CustomerKind = "company"
)

// Built-in segments; users may define others (any non-empty name).
const (
	SegmentKey     = "key"
	SegmentRegular = "regular"
	SegmentSmall   = "small"
)

// Address form for letters.
const (
	FormSie = "sie"
	FormDu  = "du"
)

// Common labels for emails, phones and addresses. Any other text is allowed
// (vCard imports bring their own, e.g. Apple's X-ABLabel).
const (
	LabelWork   = "work"
	LabelHome   = "home"
	LabelMobile = "mobile"
	LabelFax    = "fax"
	LabelOther  = "other"
)

// Customer is a person or a company the business cares for.
type Customer struct {
	Meta
	Kind         CustomerKind `json:"kind"`
	Salutation   string       `json:"salutation"`    // letter salutation, e.g. "Frau", "Herr" (see NamePrefix)
	LetterForm   string       `json:"letter_form"`   // FormSie or FormDu; empty means Sie
	GivenName    string       `json:"given_name"`    // persons
	FamilyName   string       `json:"family_name"`   // persons
	Company      string       `json:"company"`       // company name, or the person's employer
	Position     string       `json:"position"`      // role or job title
	Emails       []Email      `json:"emails"`        // first preferred, then in order
	Phones       []Phone      `json:"phones"`        // as typed by the user; matched by E.164
	Addresses    []Address    `json:"addresses"`     // postal addresses
	Website      string       `json:"website"`       // URL
	Birthday     Date         `json:"birthday"`      // year optional
	Since        Date         `json:"since"`         // customer since
	Tags         []string     `json:"tags"`          // free tags, e.g. "Messe Basel 2026"
	Segment      string       `json:"segment"`       // SegmentKey, SegmentRegular, SegmentSmall or user-defined
	Source       string       `json:"source"`        // where the contact came from
	RhythmDays   int          `json:"rhythm_days"`   // desired contact rhythm in days; 0 means none
	Memo         string       `json:"memo"`          // free text
	Consents     []Consent    `json:"consents"`      // marketing consents, history included
	Photo        string       `json:"photo"`         // key of the photo blob (stored apart), "" for none
	ExternalUIDs []string     `json:"external_uids"` // UIDs of imported vCards, for re-import matching
	Extra        []ExtraProp  `json:"extra"`         // vCard properties we do not model, kept verbatim

	// Name parts and the organizational unit of a vCard (N prefix and
	// suffix, ORG units), each in a field of its own so nothing is folded
	// into the names or the company. NamePrefix is the honorific as the
	// address book wrote it ("Dr.", "Prof. Dr.", "Mr."); Salutation is the
	// letter salutation the user chose ("Frau", "Herr"). A vCard import
	// fills NamePrefix from N, never Salutation; a vCard export writes
	// both as N's prefix ("Frau Dr."), so other address books greet the
	// person as before, plus the salutation in a property of its own from
	// which our import splits them again (package sync/vcard). The fields are
	// absent from the JSON while empty, so records written before they
	// existed stay byte-identical and need no migration.
	NamePrefix string `json:"name_prefix,omitempty"` // honorific prefix, e.g. "Dr.", "Prof."
	NameSuffix string `json:"name_suffix,omitempty"` // honorific suffix, e.g. "III", "MBA", "jun."
	// Department is the organizational unit within Company (ORG's second
	// component); nested units (ORG:Firma;Bereich;Team) are separated by
	// "; " and exported as components of their own again.
	Department string `json:"department,omitempty"`

	// Duplicates. A customer merged into another is hidden everywhere and
	// its notes, follow-ups and gestures show under the survivor; clearing
	// MergedInto undoes the merge. These fields are absent from the JSON
	// while unset, so records written before merging existed stay unchanged.
	MergedInto    ID         `json:"merged_into,omitzero"`     // the survivor, or NilID
	Merge         *MergeInfo `json:"merge,omitempty"`          // how to undo the merge
	NotDuplicates []ID       `json:"not_duplicates,omitempty"` // customers the user said this one does not duplicate
}

// MergeInfo records a merge on the merged customer, so any device can undo
// it: the survivor's fields the merge changed, before and after.
type MergeInfo struct {
	At     time.Time                  `json:"at"` // UTC
	Author string                     `json:"author"`
	Before map[string]json.RawMessage `json:"before,omitempty"` // survivor's fields before the merge, by JSON name
	After  map[string]json.RawMessage `json:"after,omitempty"`  // the same fields right after it
}

// Email is one email address with a label.
type Email struct {
	Label   string `json:"label"`
	Address string `json:"address"`
	Pref    bool   `json:"pref,omitempty"`
}

// Phone is one phone number with a label, as typed.
type Phone struct {
	Label  string `json:"label"`
	Number string `json:"number"`
	Pref   bool   `json:"pref,omitempty"`
}

// Address is a postal address.
type Address struct {
	Label      string `json:"label"`
	Street     string `json:"street"`   // may hold several lines separated by "\n"
	Extended   string `json:"extended"` // c/o, building, floor
	POBox      string `json:"pobox"`
	PostalCode string `json:"postal_code"`
	City       string `json:"city"`
	Region     string `json:"region"`  // canton, state
	Country    string `json:"country"` // as written, e.g. "Schweiz" or "CH"
	Pref       bool   `json:"pref,omitempty"`
	// Group is the vCard item group the address was imported in (Apple's
	// "item2" of item2.ADR), kept while Extra holds other properties of
	// that group (item2.X-ABADR), so an export writes them together again.
	Group string `json:"group,omitempty"`
}

// ExtraProp is a vCard property the model has no field for, kept so an
// export returns it unchanged.
type ExtraProp struct {
	Group  string              `json:"group,omitempty"`
	Name   string              `json:"name"`
	Params map[string][]string `json:"params,omitempty"`
	Value  string              `json:"value"`
}

// Channels for marketing consent.
const (
	ChannelEmail      = "email"
	ChannelPhone      = "phone"
	ChannelPost       = "post"
	ChannelNewsletter = "newsletter"
)

// Channels lists the consent channels in display order.
var Channels = []string{ChannelEmail, ChannelPhone, ChannelPost, ChannelNewsletter}

// Consent records that a customer agreed to be contacted on a channel for a
// purpose, and when the agreement was withdrawn.
type Consent struct {
	Channel   string    `json:"channel"`   // one of Channels
	Purpose   string    `json:"purpose"`   // e.g. "Newsletter", "Einladungen"
	GivenAt   time.Time `json:"given_at"`  // UTC
	Source    string    `json:"source"`    // form, fair, phone, import …
	Withdrawn time.Time `json:"withdrawn"` // UTC; zero while the consent stands
}

// Active reports whether the consent stands at t.
func (c Consent) Active(t time.Time) bool {
	return !c.GivenAt.IsZero() && !c.GivenAt.After(t) && (c.Withdrawn.IsZero() || c.Withdrawn.After(t))
}

// HasConsent reports whether the customer has an active consent for the channel at t.
func (c *Customer) HasConsent(channel string, t time.Time) bool {
	for _, k := range c.Consents {
		if k.Channel == channel && k.Active(t) {
			return true
		}
	}
	return false
}

// Withdrew reports whether the customer withdrew a consent for the channel
// and has no active one at t: an explicit "no" (advertising by post needs
// no opt-in, but an opt-out must be respected).
func (c *Customer) Withdrew(channel string, t time.Time) bool {
	withdrawn := false
	for _, k := range c.Consents {
		if k.Channel != channel {
			continue
		}
		if k.Active(t) {
			return false
		}
		withdrawn = withdrawn || (!k.Withdrawn.IsZero() && !k.Withdrawn.After(t))
	}
	return withdrawn
}

// DisplayName is the name shown in lists: "Family, Given" style is left to
// SortName; this is "Given Family", or for a company (and a person without
// a name) the company, then the first email address, then the first phone
// number. The whole address is shown, not its local part: "info" alone
// tells two info@ contacts apart no better than nothing, and an export
// that writes it as FN reads back as no name (an FN that is an email).
func (c *Customer) DisplayName() string {
	name := strings.TrimSpace(strings.TrimSpace(c.GivenName) + " " + strings.TrimSpace(c.FamilyName))
	if c.Kind == Company || name == "" {
		if c.Company != "" {
			return c.Company
		}
	}
	if name == "" {
		if len(c.Emails) > 0 {
			return c.Emails[0].Address
		}
		if len(c.Phones) > 0 {
			return c.Phones[0].Number
		}
	}
	return name
}

// SortName is the folded key customers are sorted by: family name, given
// name, company.
func (c *Customer) SortName() string {
	if c.Kind == Company || (c.FamilyName == "" && c.GivenName == "") {
		return Fold(c.Company + " " + c.FamilyName + " " + c.GivenName)
	}
	return Fold(c.FamilyName + " " + c.GivenName + " " + c.Company)
}

// PrimaryEmail returns the preferred or first email, or "".
func (c *Customer) PrimaryEmail() string {
	for _, e := range c.Emails {
		if e.Pref {
			return e.Address
		}
	}
	if len(c.Emails) > 0 {
		return c.Emails[0].Address
	}
	return ""
}

// PrimaryPhone returns the preferred or first phone, or "".
func (c *Customer) PrimaryPhone() string {
	for _, p := range c.Phones {
		if p.Pref {
			return p.Number
		}
	}
	if len(c.Phones) > 0 {
		return c.Phones[0].Number
	}
	return ""
}

// PrimaryAddress returns the preferred or first address, or nil.
func (c *Customer) PrimaryAddress() *Address {
	for i := range c.Addresses {
		if c.Addresses[i].Pref {
			return &c.Addresses[i]
		}
	}
	if len(c.Addresses) > 0 {
		return &c.Addresses[0]
	}
	return nil
}

// OneLine formats an address on one line: "Street, PLZ City, Country".
func (a Address) OneLine() string {
	var parts []string
	for _, s := range []string{strings.ReplaceAll(a.Street, "\n", ", "), a.Extended, a.POBox,
		strings.TrimSpace(a.PostalCode + " " + a.City), a.Region, a.Country} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// HasTag reports whether the customer carries tag (compared folded).
func (c *Customer) HasTag(tag string) bool {
	f := Fold(tag)
	for _, t := range c.Tags {
		if Fold(t) == f {
			return true
		}
	}
	return false
}

// Normalize trims spaces, drops empty entries and duplicate tags, and fills
// defaults. Storage calls it before Validate.
func (c *Customer) Normalize() {
	for _, p := range []*string{&c.Salutation, &c.GivenName, &c.FamilyName, &c.Company, &c.Position,
		&c.Website, &c.Segment, &c.Source, &c.LetterForm, &c.NamePrefix, &c.NameSuffix, &c.Department} {
		*p = strings.TrimSpace(*p)
	}
	c.Memo = strings.TrimRight(c.Memo, " \t\r\n")
	if c.Kind == "" {
		if c.GivenName == "" && c.FamilyName == "" && c.Company != "" {
			c.Kind = Company
		} else {
			c.Kind = Person
		}
	}
	// Fresh arrays when something changes, so a caller's copy of c stays
	// as it was; an array already normal is kept: a large import
	// normalizes every card twice (when read and when stored), and
	// copying them each time doubled its memory.
	c.Emails = normalizeList(c.Emails, func(e Email) (Email, bool) {
		e.Address, e.Label = strings.TrimSpace(e.Address), strings.TrimSpace(e.Label)
		return e, e.Address != ""
	})
	c.Phones = normalizeList(c.Phones, func(p Phone) (Phone, bool) {
		p.Number, p.Label = strings.TrimSpace(p.Number), strings.TrimSpace(p.Label)
		return p, p.Number != ""
	})
	c.Addresses = normalizeList(c.Addresses, func(a Address) (Address, bool) {
		keep := false
		for i, p := range a.trimmed() {
			*p = strings.TrimSpace(*p)
			keep = keep || (i > 0 && *p != "") // anything but the label: OneLine() != ""
		}
		return a, keep
	})
	if !normalTags(c.Tags) {
		var tags []string
		seen := map[string]bool{}
		for _, t := range c.Tags {
			t = strings.TrimSpace(t)
			if f := Fold(t); t != "" && !seen[f] {
				seen[f] = true
				tags = append(tags, t)
			}
		}
		c.Tags = tags
	}
}

// trimmed lists the fields of a that Normalize trims.
func (a *Address) trimmed() [8]*string {
	return [...]*string{&a.Label, &a.Street, &a.Extended, &a.POBox, &a.PostalCode, &a.City, &a.Region, &a.Country}
}

// normalizeList returns xs with each element fixed by fix and those fix
// does not keep left out. A list fix leaves as it is comes back as it is,
// without a copy; otherwise the result is a fresh array (nil when empty),
// so a caller's copy of the customer stays as it was.
func normalizeList[T comparable](xs []T, fix func(T) (T, bool)) []T {
	same := len(xs) > 0
	for _, x := range xs {
		if y, keep := fix(x); !keep || y != x {
			same = false
			break
		}
	}
	if same {
		return xs
	}
	var out []T
	for _, x := range xs {
		if y, keep := fix(x); keep {
			out = append(out, y)
		}
	}
	return out
}

// trimmedAlready reports whether s has no surrounding space.
func trimmedAlready(s string) bool { return len(strings.TrimSpace(s)) == len(s) }

// normalTags reports whether the tags are trimmed, non-empty and distinct
// when folded (checked pairwise: a customer has a few).
func normalTags(ts []string) bool {
	if len(ts) == 0 {
		return ts == nil
	}
	if len(ts) > 16 {
		return false
	}
	var folded [16]string
	for i, t := range ts {
		if t == "" || !trimmedAlready(t) {
			return false
		}
		folded[i] = Fold(t)
		for _, f := range folded[:i] {
			if f == folded[i] {
				return false
			}
		}
	}
	return true
}

// Validate checks the customer and returns an EINVALID *Error naming every
// bad field, or nil.
func (c *Customer) Validate() error {
	var v validator
	switch c.Kind {
	case Person, Company:
	default:
		v.add("kind", "validation.kind", "unknown kind %q", c.Kind)
	}
	if !Identifiable(c) {
		// An address book may hold a contact that is only an email or only
		// a number; it is kept, but a record with nothing that tells who it
		// is helps nobody.
		v.add("name", "validation.name_required", "a name, a company, an email or a phone number is required")
	}
	if c.Kind == Company && c.Company == "" {
		v.add("company", "validation.company_required", "a company needs a company name")
	}
	switch c.LetterForm {
	case "", FormSie, FormDu:
	default:
		v.add("letter_form", "validation.letter_form", "letter form must be %q or %q", FormSie, FormDu)
	}
	for i, e := range c.Emails {
		if !ValidEmail(e.Address) {
			v.add(fmt.Sprintf("emails[%d].address", i), "validation.email", "%q is not an email address", e.Address)
		}
	}
	for i, p := range c.Phones {
		if !ValidPhone(p.Number) {
			v.add(fmt.Sprintf("phones[%d].number", i), "validation.phone", "%q is not a phone number", p.Number)
		}
	}
	if c.Website != "" && !validURL(c.Website) {
		v.add("website", "validation.website", "%q is not a web address", c.Website)
	}
	if !c.Birthday.Valid() {
		v.add("birthday", "validation.date", "invalid date %v", c.Birthday)
	}
	if !c.Since.Valid() || (!c.Since.IsZero() && !c.Since.HasYear()) {
		v.add("since", "validation.date", "invalid date %v", c.Since)
	}
	if c.RhythmDays < 0 || c.RhythmDays > 3660 {
		v.add("rhythm_days", "validation.rhythm", "contact rhythm must be between 0 and 3660 days, got %d", c.RhythmDays)
	}
	for i, k := range c.Consents {
		f := fmt.Sprintf("consents[%d]", i)
		if !validChannel(k.Channel) {
			v.add(f+".channel", "validation.channel", "unknown channel %q", k.Channel)
		}
		if k.GivenAt.IsZero() {
			v.add(f+".given_at", "validation.consent_date", "consent needs the date it was given")
		}
		if !k.Withdrawn.IsZero() && k.Withdrawn.Before(k.GivenAt) {
			v.add(f+".withdrawn", "validation.withdrawn_before_given", "withdrawn before it was given")
		}
	}
	return v.err("customer")
}

func validChannel(ch string) bool {
	for _, c := range Channels {
		if c == ch {
			return true
		}
	}
	return false
}

// ValidEmail reports whether s looks like a deliverable address
// (local@domain.tld, no spaces). Deliberately lenient: real address books
// hold odd but working addresses.
func ValidEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>,;") {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && !strings.Contains(domain, "..")
}

// ValidPhone reports whether s is a plausible phone number: 3 to 20 digits,
// with only spaces and + - / ( ) . as separators, optionally an extension.
func ValidPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '/', r == '(', r == ')', r == '.':
		case r == 'x' || r == 'X' || r == ';' || r == ',' || r == '=' || r == 'e' || r == 'E' || r == 't' || r == 'T': // "ext", ";ext=" …
		default:
			return false
		}
	}
	return digits >= 3 && digits <= 20
}

func validURL(s string) bool {
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	return err == nil && u.Host != "" && strings.Contains(u.Host, ".") && !strings.ContainsAny(s, " \t")
}
