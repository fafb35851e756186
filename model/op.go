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

// Conflict is a value that lost a concurrent edit, or an edit that landed
// on a customer deleted or merged into another, kept so the user can
// review it and nothing silently disappears. Conflicts are derived from
// the merged records alone, so every device that has the same changes
// lists the same ones; resolving one (see ConflictService) is an ordinary
// edit that syncs, and resolves it on every device.
type Conflict struct {
	Kind  ConflictKind `json:"kind,omitempty"` // "" is ConflictConcurrent
	Type  RecordType   `json:"type"`
	ID    ID           `json:"id"`
	Field string       `json:"field"`
	Key   string       `json:"key,omitempty"` // element key of a set-valued field (an email address …)
	Into  ID           `json:"into,omitzero"` // ConflictMerged: the customer the record was merged into
	// Name is a deleted or merged customer's display name, which the
	// directory no longer lists; "" for other conflicts.
	Name      string          `json:"name,omitempty"`
	Kept      json.RawMessage `json:"kept"`       // the value that won (null for deleted and merged)
	KeptStamp Stamp           `json:"kept_stamp"` // its stamp; for deleted and merged the deletion's or merge's
	Lost      json.RawMessage `json:"lost"`       // the value that lost
	LostStamp Stamp           `json:"lost_stamp"`
	LostBy    string          `json:"lost_by"` // author of the lost value, or its device when it has no user name
	Seen      time.Time       `json:"seen"`    // UTC, when the lost value was written (the same on every device)
}

// ConflictKind says what a conflict is about.
type ConflictKind string

// The conflict kinds.
const (
	ConflictConcurrent ConflictKind = ""        // two devices changed the field at once
	ConflictDeleted    ConflictKind = "deleted" // edited on a device after it was deleted on another
	ConflictMerged     ConflictKind = "merged"  // edited after it was merged into Into
)

// ConflictService lists and resolves conflicts. Storage implements it.
type ConflictService interface {
	// Conflicts returns the open conflicts, newest first.
	Conflicts() ([]Conflict, error)
	// DismissConflict keeps the current state: the kept value (written
	// again, so no device lists the conflict any more), the deletion or
	// the merge. ENOTFOUND when the record does not exist.
	DismissConflict(c Conflict) error
	// ResolveConflict takes the lost side instead: the lost value is
	// written to the field (for ConflictMerged to the field of c.Into, the
	// survivor), or for ConflictDeleted the record is restored with the
	// edits that arrived after its deletion. ENOTFOUND when the record
	// does not exist, EINVALID when the survivor cannot take the value.
	ResolveConflict(c Conflict) error
}

// ApplyResult tells what applying a batch of remote ops did.
type ApplyResult struct {
	Applied   int           // ops that changed a field
	Ignored   int           // ops already known or older than the stored value
	Conflicts int           // concurrent edits whose loser was kept for review
	Drift     time.Duration // largest amount a remote clock ran ahead of ours
}
