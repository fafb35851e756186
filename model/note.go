package model

import (
	"strings"
	"time"
)

// NoteKind is the kind of contact a note records.
type NoteKind string

// The note kinds.
const (
	NoteVisit     NoteKind = "visit"
	NoteCall      NoteKind = "call"
	NoteEmail     NoteKind = "email"
	NoteMeeting   NoteKind = "meeting"
	NoteFair      NoteKind = "fair"
	NoteComplaint NoteKind = "complaint"
	NoteFeedback  NoteKind = "feedback" // feedback or wish: collected across customers
	// NoteResolution records how a complaint was settled: it closes every
	// complaint dated at or before it, whatever impression it left. Closing
	// is a note, not a flag, so it is an append-only fact that syncs like
	// any other and the open-complaint flag stays derived.
	NoteResolution NoteKind = "resolution"
	NoteOther      NoteKind = "other"
)

// NoteKinds lists the note kinds in display order.
var NoteKinds = []NoteKind{NoteVisit, NoteCall, NoteEmail, NoteMeeting, NoteFair, NoteComplaint, NoteResolution, NoteFeedback, NoteOther}

// ClosesComplaint reports whether n closes the complaints dated before it
// (ComputeStats): a resolution always (also one dated in the same instant),
// any other contact but a complaint when it left a positive impression.
func (n *Note) ClosesComplaint(lastComplaint time.Time) bool {
	switch {
	case n.Kind == NoteResolution:
		return !n.At.Before(lastComplaint)
	case n.Kind != NoteComplaint && n.Impression == Positive:
		return n.At.After(lastComplaint)
	}
	return false
}

// Impression is the impression a contact left.
type Impression string

// The impressions.
const (
	Positive Impression = "positive"
	Neutral  Impression = "neutral"
	Negative Impression = "negative"
)

// Impressions lists the impressions in display order.
var Impressions = []Impression{Positive, Neutral, Negative}

// Note is one contact with a customer. Notes are append-only facts: an edit
// is a new note that Replaces the old one, a deletion is a tombstone. So two
// devices never edit the same note, and sync never has to choose between
// two texts.
type Note struct {
	Meta
	CustomerID ID         `json:"customer_id"`
	At         time.Time  `json:"at"` // UTC, when the contact took place
	Kind       NoteKind   `json:"kind"`
	Text       string     `json:"text"`
	Impression Impression `json:"impression"`
	By         string     `json:"by"`       // the person who had the contact
	Replaces   ID         `json:"replaces"` // the note this one revises, NilID for an original
}

// Normalize trims the text and fills defaults.
func (n *Note) Normalize() {
	n.Text = strings.TrimSpace(n.Text)
	n.By = strings.TrimSpace(n.By)
	if n.Impression == "" {
		n.Impression = Neutral
	}
	if n.Kind == "" {
		n.Kind = NoteOther
	}
	n.At = n.At.UTC()
}

// Validate checks the note.
func (n *Note) Validate() error {
	var v validator
	if n.CustomerID == NilID {
		v.add("customer_id", "validation.customer_required", "a note belongs to a customer")
	}
	if n.At.IsZero() {
		v.add("at", "validation.date_required", "a note needs a date")
	}
	if !validNoteKind(n.Kind) {
		v.add("kind", "validation.note_kind", "unknown note kind %q", n.Kind)
	}
	switch n.Impression {
	case Positive, Neutral, Negative:
	default:
		v.add("impression", "validation.impression", "unknown impression %q", n.Impression)
	}
	if n.Text == "" {
		v.add("text", "validation.text_required", "the note is empty")
	}
	return v.err("note")
}

func validNoteKind(k NoteKind) bool {
	for _, x := range NoteKinds {
		if x == k {
			return true
		}
	}
	return false
}
