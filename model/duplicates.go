package model

import (
	"strings"
	"time"
)

// DuplicateReason says why two customers may be the same.
type DuplicateReason string

// The reasons, strongest first.
const (
	DupEmail       DuplicateReason = "email"        // the same email address
	DupPhone       DuplicateReason = "phone"        // the same E.164 phone number
	DupName        DuplicateReason = "name"         // the same folded name and company
	DupSimilarName DuplicateReason = "similar_name" // names spelled alike (Meier/Meyer), same company
)

// DuplicateReasons lists the reasons, strongest first.
var DuplicateReasons = []DuplicateReason{DupEmail, DupPhone, DupName, DupSimilarName}

// Duplicate is a pair of live customers that may be the same person or
// company, for the user to review.
type Duplicate struct {
	A, B   ID // A was created first
	Reason DuplicateReason
	Value  string // what they share: the email, the number, the name key
}

// MergeEntry is a merge that can still be undone.
type MergeEntry struct {
	Duplicate     ID
	DuplicateName string
	Survivor      ID
	SurvivorName  string
	At            time.Time
	Author        string
}

// DuplicateService finds possible duplicates and merges them. A merge is
// stored as changes of the merged customer (and the survivor's contact
// data), so it syncs like any edit and no device brings the duplicate back.
type DuplicateService interface {
	// Duplicates returns up to limit possible duplicate pairs of live
	// customers, strongest reason first; pairs the user dismissed are left out.
	// The bool reports whether there were more.
	Duplicates(limit int) ([]Duplicate, bool, error)
	// MergeCustomers merges duplicate into survivor: the duplicate is hidden,
	// its notes, follow-ups and gestures show under the survivor, and its
	// contact data fills the survivor's gaps. EINVALID for a customer merged
	// into itself, ENOTFOUND for a missing, deleted or already merged one.
	MergeCustomers(survivor, duplicate ID) error
	// UndoMerge brings a merged customer back with its history and takes
	// back the contact data the merge gave the survivor, unless the
	// survivor's field was edited since; it returns the names of the fields
	// left as they are. ENOTFOUND when id is not merged.
	UndoMerge(id ID) (kept []string, err error)
	// Merges lists the merges that can be undone, newest first.
	Merges() ([]MergeEntry, error)
	// NotDuplicates records that a and b are different customers, so the
	// pair is no longer listed.
	NotDuplicates(a, b ID) error
}

// SimilarNameKey is NameKey with German spelling variants made equal, so
// "Meier", "Meyer", "Maier" and "Mayer", or "Schmidt" and "Schmitt", give the
// same key. It is only a hint for review, never used to match on import.
func SimilarNameKey(c *Customer) string {
	name, company, _ := strings.Cut(NameKey(c), "|")
	return SimilarName(name) + "|" + company
}

// spellings are the German spelling variants SimilarName makes equal.
var spellings = strings.NewReplacer(
	"ei", "ai", "ey", "ai", "ay", "ai",
	"dt", "t", "th", "t", "ph", "f", "ck", "k", "tz", "z", "y", "i",
)

// SimilarName maps folded words to a spelling-insensitive form: ei/ey/ai/ay
// become ai, dt/tt/th/t become t, ph becomes f, ck becomes k, tz becomes z, y
// becomes i, and doubled letters and h after a vowel are dropped.
func SimilarName(s string) string {
	s = spellings.Replace(s)
	var b strings.Builder
	var prev byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch == prev && ch != ' ' {
			continue // doubled letter
		}
		if ch == 'h' && strings.IndexByte("aeiou", prev) >= 0 && (i+1 == len(s) || strings.IndexByte("aeiou", s[i+1]) < 0) {
			continue // lengthening h: Kuhn = Kun
		}
		if ch == 'd' && (i+1 == len(s) || s[i+1] == ' ') {
			ch = 't' // final d sounds like t: Schmid = Schmit
		}
		b.WriteByte(ch)
		prev = ch
	}
	return b.String()
}
