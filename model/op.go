package model

import (
	"encoding/json"
	"time"
)

// Op is one field-level change in the change log. Every committed change to
// a record is recorded as one Op per changed field, in the same transaction.
// Replaying the ops of one database into an empty one yields the same
// records; device sync exchanges ops.
type Op struct {
	Type   RecordType      `json:"t"`
	ID     ID              `json:"id"`
	Field  string          `json:"f"` // JSON name of the field, or FieldDeleted
	Value  json.RawMessage `json:"v"` // JSON value of the field
	HLC    HLC             `json:"h"`
	Device string          `json:"d"` // device that made the change
	Author string          `json:"a"` // user name on that device
	Prev   HLC             `json:"p"` // stamp of the field value this change replaced, 0 for a new field
}

// Stamp returns the op's total-order stamp.
func (o *Op) Stamp() Stamp { return Stamp{HLC: o.HLC, Device: o.Device} }

// Special field names in ops.
const (
	FieldDeleted = "deleted" // value true is a tombstone, false restores
	FieldCreated = "created" // creation time, written once
	// FieldAll marks the op that creates a record: Value is a JSON object
	// of all its fields, each applied as if it were an op of its own with
	// the same stamp. It keeps the log of a new record as small as the record.
	FieldAll = "*"
)

// MetaFields are record fields that are derived from the ops themselves and
// never travel as ops of their own.
var MetaFields = map[string]bool{"id": true, "updated": true, "device": true, "author": true}

// Conflict keeps the value that lost a concurrent edit of the same field,
// so the user can review it and nothing silently disappears.
type Conflict struct {
	Type      RecordType      `json:"type"`
	ID        ID              `json:"id"`
	Field     string          `json:"field"`
	Kept      json.RawMessage `json:"kept"`       // the value that won
	KeptStamp Stamp           `json:"kept_stamp"` // its stamp
	Lost      json.RawMessage `json:"lost"`       // the value that lost
	LostStamp Stamp           `json:"lost_stamp"`
	LostBy    string          `json:"lost_by"` // author of the lost value
	Seen      time.Time       `json:"seen"`    // UTC, when this device noticed it
}

// ApplyResult tells what applying a batch of remote ops did.
type ApplyResult struct {
	Applied   int           // ops that changed a field
	Ignored   int           // ops already known or older than the stored value
	Conflicts int           // concurrent edits whose loser was kept for review
	Drift     time.Duration // largest amount a remote clock ran ahead of ours
}
