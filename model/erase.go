package model

import (
	"encoding/json"
	"time"
)

// Erasure and access (DSGVO Art. 15, 17, 20; Swiss nDSG Art. 25, 32).
//
// DeleteCustomer is a tombstone that RestoreCustomer reverses. Erasing is
// different: the person's data goes for good, on every device. What stays
// is an Erasure record that holds no personal data (the customer's random
// ID, when, on which device, by whom), so sync never brings the person back
// and a restored older backup is erased again.
//
// What an erasure removes: the customer and every customer merged into it
// (a duplicate is the same person), their notes (every version, deleted
// ones too), follow-ups, gestures (event invitations included), consents
// and photo, the conflicts and change-log entries of all these records,
// the change-log entries of merges into or out of them (their values are
// the person's data), their index entries, the directory and the
// calendar export's stamps. Customers
// whose dismissal lists ("not a duplicate of …") name an erased customer
// keep that bare ID: it is random and says nothing about the person, and
// changing it would be an edit of another person's record.

// FieldErased is the op field that erases a customer: Type TypeCustomer,
// ID the customer, Value the JSON Erasure. Every device that applies it
// erases the same records, and drops every later op of those records,
// whatever its stamp: an erasure is not a last-writer-wins value.
const FieldErased = "erased"

// Erasure records that a customer was erased. It holds no personal data.
type Erasure struct {
	ID     ID        `json:"id"`     // the erased customer
	At     time.Time `json:"at"`     // UTC, when it was erased on the first device
	Device string    `json:"device"` // device that erased it
	Author string    `json:"author"` // user name on that device
	HLC    HLC       `json:"hlc"`    // stamp of the erasure op
	// Merged are the customers that had been merged into the erased one
	// and were erased with it.
	Merged []ID `json:"merged,omitempty"`
}

// Value returns the erasure's op value.
func (e Erasure) Value() json.RawMessage {
	raw, _ := json.Marshal(e) // never fails: no maps of odd keys, no channels
	return raw
}

// SubjectData is everything stored about one person, for a data-subject
// access export: the records as stored, deleted ones and old versions
// included, and the history of their changes.
type SubjectData struct {
	Customer Customer   // the person's record as stored
	Merged   []Customer // customers merged into it (the same person)
	// Notes are every note of the person, replaced versions and deleted
	// notes included, oldest first.
	Notes     []Note
	FollowUps []FollowUp     // every follow-up, oldest first
	Gestures  []Gesture      // every gesture (event invitations included), oldest first
	Events    []Event        // the events the person was invited to
	Conflicts []Conflict     // changes that lost a concurrent edit, kept for review
	Changes   []HistoryEntry // the change log of all these records, oldest first
	Photo     []byte         // the photo, nil when none
	Exported  time.Time      // UTC, when the data was read
	Device    string         // the device the export was made on
}

// HistoryEntry is one entry of a record's change history, for the access
// export: which record and field changed, when, on which device, by whom,
// and to what.
type HistoryEntry struct {
	Type   RecordType      `json:"type"`
	ID     ID              `json:"id"`
	Field  string          `json:"field"`
	Value  json.RawMessage `json:"value"`
	At     time.Time       `json:"at"` // UTC, from the change's HLC
	Device string          `json:"device"`
	Author string          `json:"author"`
}

// PrivacyService erases people and exports what is stored about them.
type PrivacyService interface {
	// Erase erases the customer for good (see the package notes above) and
	// returns the erasure record. ENOTFOUND if the customer does not exist
	// (deleted customers can be erased), EINVALID if it was merged into
	// another one (erase that one, or undo the merge first), ECONFLICT if
	// it was erased already.
	Erase(id ID) (Erasure, error)
	// Erasures lists the erasures this database knows, newest first.
	Erasures() ([]Erasure, error)
	// SubjectData returns everything stored about the customer.
	// ENOTFOUND if it does not exist, EINVALID if it was merged into another.
	SubjectData(id ID) (*SubjectData, error)
	// UncompactedErasures returns the erasures whose values this device's
	// own files in the sync target may still hold (see sync/replica's
	// CompactErasures, which rewrites them after a sync).
	UncompactedErasures() ([]ID, error)
	// MarkErasuresCompacted records that this device's files in the sync
	// target no longer hold the values of the erasures ids.
	MarkErasuresCompacted(ids []ID) error
}
