package model

import (
	"context"
	"slices"
	"time"
)

// CustomerService manages customers.
type CustomerService interface {
	// Customer returns a live customer. ENOTFOUND if it does not exist or is deleted.
	Customer(id ID) (*Customer, error)
	// CreateCustomer normalizes, validates and stores c, filling its Meta
	// (a zero ID gets a fresh one). EINVALID with field errors on bad input,
	// ECONFLICT if the ID exists.
	CreateCustomer(c *Customer) error
	// UpdateCustomer replaces the stored customer with c (the whole record;
	// only the fields that differ are logged). EINVALID, ENOTFOUND.
	UpdateCustomer(c *Customer) error
	// DeleteCustomer tombstones the customer; its notes, follow-ups and
	// gestures stay and come back with RestoreCustomer. ENOTFOUND.
	DeleteCustomer(id ID) error
	// RestoreCustomer undoes DeleteCustomer. ENOTFOUND if it never existed.
	RestoreCustomer(id ID) error
	// Timeline returns the customer with all its live notes, follow-ups and
	// gestures, read in one transaction. ENOTFOUND.
	Timeline(id ID) (*Timeline, error)
	// Photo returns the photo stored under key (see Customer.Photo). ENOTFOUND.
	Photo(key string) ([]byte, error)
	// SetPhoto stores data as the customer's photo (nil removes it). ENOTFOUND, EINVALID.
	SetPhoto(id ID, data []byte) error
	// CaptureLead stores a new customer with its first note and, when f is
	// not nil, a follow-up, in one transaction: all of them or none (the
	// trade-fair capture). The note's and follow-up's CustomerID are set to
	// c's, the follow-up's NoteID to the note's. EINVALID with field errors
	// of the customer, or naming the note or follow-up.
	CaptureLead(c *Customer, n *Note, f *FollowUp) error
}

// Timeline is a customer with everything that happened with them.
type Timeline struct {
	Customer  Customer
	Stats     Stats
	Notes     []Note     // newest first; superseded versions left out
	FollowUps []FollowUp // by due time, newest first
	Gestures  []Gesture  // newest first
	// Merged are the customers merged into this one; their notes,
	// follow-ups and gestures are among the above. Newest merge first.
	Merged []MergeEntry
}

// NoteService manages visit notes.
type NoteService interface {
	// AddNote stores a new note. EINVALID; ENOTFOUND if the customer does not exist.
	AddNote(n *Note) error
	// ReviseNote stores n as a new version of the note old. EINVALID, ENOTFOUND.
	ReviseNote(old ID, n *Note) error
	// DeleteNote tombstones a note. ENOTFOUND.
	DeleteNote(id ID) error
	// RestoreNote undoes DeleteNote. ENOTFOUND if the note never existed.
	RestoreNote(id ID) error
	// Notes returns live, current notes matching f, newest first.
	Notes(f NoteFilter) ([]Note, error)
}

// NoteFilter selects notes. Zero fields do not filter.
type NoteFilter struct {
	CustomerID ID
	Kinds      []NoteKind
	From, To   time.Time // At in [From, To)
	Text       string    // folded substring of the text
	Limit      int       // 0 means no limit
}

// FollowUpService manages follow-up appointments.
type FollowUpService interface {
	// FollowUp returns a live follow-up. ENOTFOUND.
	FollowUp(id ID) (*FollowUp, error)
	// CreateFollowUp stores a new follow-up. EINVALID, ENOTFOUND (customer).
	CreateFollowUp(f *FollowUp) error
	// UpdateFollowUp replaces a follow-up and raises its Sequence. EINVALID, ENOTFOUND.
	UpdateFollowUp(f *FollowUp) error
	// SetFollowUpStatus marks a follow-up done, cancelled or open again. ENOTFOUND, EINVALID.
	SetFollowUpStatus(id ID, s FollowUpStatus) error
	// DeleteFollowUp tombstones a follow-up. ENOTFOUND.
	DeleteFollowUp(id ID) error
	// FollowUps returns live follow-ups matching f, by due time ascending.
	FollowUps(f FollowUpFilter) ([]FollowUp, error)
}

// FollowUpFilter selects follow-ups. Zero fields do not filter.
type FollowUpFilter struct {
	CustomerID ID
	Statuses   []FollowUpStatus
	From, To   time.Time // Due in [From, To)
	Assignee   string
	Tag        string // customers carrying this tag
	Limit      int
}

// GestureService manages loyalty gestures and events.
type GestureService interface {
	// Gesture returns a live gesture. ENOTFOUND.
	Gesture(id ID) (*Gesture, error)
	// CreateGesture stores a new gesture. EINVALID, ENOTFOUND (customer or event).
	CreateGesture(g *Gesture) error
	// UpdateGesture replaces a gesture. EINVALID, ENOTFOUND.
	UpdateGesture(g *Gesture) error
	// SetGestureStatus moves a gesture along its lifecycle; EINVALID when
	// the step is not allowed (see CanMove), ENOTFOUND.
	SetGestureStatus(id ID, s GestureStatus) error
	// RevertGestureStatus undoes a status change: it puts back the status
	// and status time the gesture had before, even where the lifecycle
	// would not allow that step forwards (declined back to idea). EINVALID
	// for an unknown status, ENOTFOUND.
	RevertGestureStatus(id ID, s GestureStatus, changed time.Time) error
	// DeleteGesture tombstones a gesture. ENOTFOUND.
	DeleteGesture(id ID) error
	// Gestures returns live gestures matching f, newest first.
	Gestures(f GestureFilter) ([]Gesture, error)

	// Event returns a live event. ENOTFOUND.
	Event(id ID) (*Event, error)
	// CreateEvent stores a new event. EINVALID.
	CreateEvent(e *Event) error
	// UpdateEvent replaces an event. EINVALID, ENOTFOUND.
	UpdateEvent(e *Event) error
	// Events returns all live events, by start ascending.
	Events() ([]Event, error)
	// Invite creates an invitation (a copy of template with the customer and
	// event filled in) for each customer not yet invited, in one
	// transaction, and returns how many it created. ENOTFOUND (event).
	Invite(eventID ID, customers []ID, template Gesture) (int, error)
}

// GestureFilter selects gestures. Zero fields do not filter.
type GestureFilter struct {
	CustomerID ID
	EventID    ID
	Kinds      []GestureKind
	Statuses   []GestureStatus
	From, To   time.Time // Created in [From, To)
	// ExpiringFrom and ExpiringTo select gestures whose ValidUntil lies in
	// [ExpiringFrom, ExpiringTo] (both days included) when ExpiringTo is
	// set; gestures without ValidUntil are then left out, and the result is
	// ordered by ValidUntil, soonest first, so Limit keeps the soonest.
	// Storage reads only those gestures when Statuses is set as well.
	ExpiringFrom, ExpiringTo Date
	Limit                    int
}

// Query selects and orders customers in the Directory.
type Query struct {
	Text          string // words, each matching a prefix of a word of name, company, email, city, tags, or phone digits
	Tag           string // folded-equal tag
	Segment       string
	Due           bool // due or overdue for contact by rhythm at Now
	OpenComplaint bool
	MailConsent   bool
	Sort          SortOrder
	// Desc reverses Sort; customers without the sorted value (no company,
	// never contacted, no rhythm) stay at the end either way.
	Desc  bool
	Now   time.Time // for Due; time.Now when zero
	Limit int       // 0 means all
}

// SortOrder orders customer lists.
type SortOrder int

// The sort orders.
const (
	SortByName        SortOrder = iota // folded sort name
	SortByLastContact                  // most recent contact first; never contacted last
	SortByNextDue                      // most overdue first; without rhythm last
	SortByCompany                      // folded company; without company last
	SortByCity                         // folded city; without city last
	SortBySegment                      // segment; without segment last
)

// Directory is the in-memory index of every live customer's summary. It
// answers searches within a keystroke and is kept current after every commit.
type Directory interface {
	// Search returns the matching customers in q.Sort order.
	Search(q Query) Hits
	// Summary returns one customer's summary, a copy the caller owns.
	Summary(id ID) (*CustomerSummary, bool)
	// Len returns the number of live customers.
	Len() int
	// Tags returns every tag in use, sorted; Segments likewise.
	Tags() []string
	Segments() []string
}

// Hits is the result of a directory search, in the query's order.
type Hits []*Hit

// Hit is one customer of a search result. The directory keeps its
// customers in a compact form (100,000 summaries as structs would be
// 40 MB) and makes a summary only when one is asked for, so a list of
// every customer costs a pointer per customer, and a screen makes
// summaries only of the rows it shows.
type Hit struct {
	ID  ID
	src HitSource
}

// HitSource makes the summary of a Hit.
type HitSource interface {
	// FillSummary sets every field of s to the customer's summary.
	FillSummary(s *CustomerSummary)
}

// NewHit returns the hit of customer id whose summary src makes.
func NewHit(id ID, src HitSource) Hit { return Hit{ID: id, src: src} }

// Summary returns the customer's summary, a copy the caller owns.
func (h *Hit) Summary() *CustomerSummary {
	s := new(CustomerSummary)
	h.src.FillSummary(s)
	return s
}

// Fill sets s to the customer's summary: a loop over many hits can reuse
// one summary instead of allocating one per customer.
func (h *Hit) Fill(s *CustomerSummary) { h.src.FillSummary(s) }

// HitOf returns a hit whose summary is a copy of s; fakes and tests use it.
func HitOf(s *CustomerSummary) *Hit {
	return &Hit{ID: s.ID, src: fixedSummary{s}}
}

type fixedSummary struct{ s *CustomerSummary }

func (f fixedSummary) FillSummary(s *CustomerSummary) {
	*s = *f.s
	s.Tags = slices.Clone(f.s.Tags)
}

// HitsOf returns hits whose summaries are copies of list; fakes and tests
// use it.
func HitsOf(list []*CustomerSummary) Hits {
	out := make(Hits, len(list))
	for i, s := range list {
		out[i] = HitOf(s)
	}
	return out
}

// Summaries returns the summaries of every hit.
func (h Hits) Summaries() []*CustomerSummary {
	out := make([]*CustomerSummary, len(h))
	for i, x := range h {
		out[i] = x.Summary()
	}
	return out
}

// MatchKind says how an incoming record matched a stored customer.
type MatchKind string

// The match kinds, strongest first.
const (
	MatchUID   MatchKind = "uid"
	MatchEmail MatchKind = "email"
	MatchPhone MatchKind = "phone"
	MatchName  MatchKind = "name"
)

// Match is a stored customer an incoming one may be the same as.
type Match struct {
	ID ID
	By MatchKind
}

// ImportService is what importers (vCard, CSV) and the duplicate review need.
type ImportService interface {
	// Matches returns stored live customers that c may duplicate, strongest
	// match first, each customer once.
	Matches(c *Customer) ([]Match, error)
	// MatchesAll is Matches for each of cs, in one read of the store: an
	// importer checks its cards a few hundred at a time.
	MatchesAll(cs []*Customer) ([][]Match, error)
	// SaveCustomers creates and updates customers in chunks of a few
	// thousand per transaction, calling progress after each chunk with the
	// number done. It stops between chunks when ctx is done and returns
	// ctx.Err(); chunks already committed stay. EINVALID names the first bad
	// customer by its position in create, then update.
	SaveCustomers(ctx context.Context, create, update []*Customer, progress func(done int)) error
	// Customers returns live customers by ID, in order; missing ones are skipped.
	Customers(ids []ID) ([]*Customer, error)
}

// Settings are per device, never synced.
type Settings struct {
	UserName        string // author of notes made on this device
	Region          string // default region for phone numbers, e.g. "CH"
	Language        string // "de", "en" or "" for the system language
	ReminderMinutes int    // default reminder of new follow-ups
	FollowUpDays    int    // default "follow up in N days" of trade-fair capture
	CurrentFair     string // tag of trade-fair capture, e.g. "Messe Basel 2026"
	BackupDir       string // "" means the default next to the database
	BackupKeep      int    // how many automatic backups to keep
	ICSAutoPath     string // when set, follow-ups are exported here after every change
	TimeZone        string // IANA zone new follow-ups are planned in; "" means the system zone
	Locale          string // formats of numbers, money and dates ("de-CH"); "" follows the system
	Currency        string // ISO code new gestures start with; "" means the locale's
}

// SettingsService stores the device's settings.
type SettingsService interface {
	Settings() (Settings, error)
	SaveSettings(s Settings) error
}

// BackupInfo describes one backup file.
type BackupInfo struct {
	Path    string
	Created time.Time
	Size    int64
	Reason  string // "manual", "daily", "import", "sync", "merge", "restore"
}

// BackupService makes and lists consistent snapshots.
type BackupService interface {
	// Backup writes a consistent snapshot and rotates old automatic ones.
	Backup(reason string) (BackupInfo, error)
	// Backups lists existing backups, newest first.
	Backups() ([]BackupInfo, error)
}

// ChangeLog is the device's record of every change, the ground sync stands on.
type ChangeLog interface {
	// DeviceID returns this database's device ID.
	DeviceID() string
	// Ops returns up to limit ops after local sequence number after, in
	// log order, and the sequence number of the last one returned.
	Ops(after uint64, limit int) ([]Op, uint64, error)
	// ApplyOps merges ops from other devices (or a replay) by the rule of
	// package model/crdt: per scalar field the newer stamp wins and losers
	// of concurrent edits are listed as conflicts, set fields merge element
	// by element. Applying the same ops again changes nothing.
	ApplyOps(ops []Op) (ApplyResult, error)
	// Conflicts returns the open conflicts, newest first.
	Conflicts() ([]Conflict, error)
	// DismissConflict keeps the current state, on every device (see
	// ConflictService, which also resolves for the lost side).
	DismissConflict(c Conflict) error
}

// Change tells listeners which records a commit changed.
type Change struct {
	Type RecordType
	IDs  []ID
}

// Notifier lets the GUI and exporters follow committed changes.
type Notifier interface {
	// Subscribe calls fn after every commit, on the committing goroutine,
	// with the changes of that commit. The returned func unsubscribes.
	Subscribe(fn func([]Change)) (cancel func())
}

// CalendarStamp is what this device's .ics export last wrote of one
// follow-up: a fingerprint of the event's exported properties (everything
// but DTSTAMP, SEQUENCE and LAST-MODIFIED) with the SEQUENCE and
// LAST-MODIFIED written for them. Stamps are device-local (never synced,
// never logged) and change only when the fingerprint does; see package
// sync/ical for the rule.
type CalendarStamp struct {
	Hash     [16]byte  // fingerprint of the exported properties
	Sequence int       // SEQUENCE written with them
	Modified time.Time // LAST-MODIFIED written with them, UTC
}

// CalendarItem is one follow-up as a calendar export reads it: with its
// customer, the current version of the note behind it, and the stamp the
// export wrote last time.
type CalendarItem struct {
	FollowUp FollowUp
	Customer *Customer      // nil when unknown; SUMMARY then has no name; see ExportFollowUps for the fields it holds
	Note     *Note          // the current version of the note behind it, or nil
	Stamp    *CalendarStamp // nil when this export never wrote the follow-up
}

// ExportService reads records for exports in bounded batches, each in a
// short read transaction, so an export of every record neither holds the
// database nor the whole data set in memory.
type ExportService interface {
	// ExportFollowUps calls fn with the live follow-ups f selects whose
	// customer is listed, by due time (equal times in the order of
	// f.Statuses; open ones when Statuses is empty), in batches of a few
	// hundred. Within a batch a customer is one shared pointer; it need
	// hold no more than a calendar shows: ID, Updated, Kind, GivenName,
	// FamilyName, Company, and Emails, Phones and Addresses cut to what
	// DisplayName and the Primary… methods read. Stamps are those saved
	// under profile. f.Limit is ignored. A change committed while the
	// export runs may be seen or not (a customer is read once per
	// export, by the first window that needs it). fn must not
	// keep the slice; its error ends the export and is returned as it is.
	// EINTERNAL when a record cannot be read.
	ExportFollowUps(f FollowUpFilter, profile string, fn func([]CalendarItem) error) error
	// SaveCalendarStamps stores stamps of follow-ups under profile, in
	// one transaction that is neither logged nor synced nor notified.
	SaveCalendarStamps(profile string, stamps map[ID]CalendarStamp) error
	// ExportCustomers calls fn with the live customers of ids, in that
	// order, a few hundred per read transaction; missing ones are skipped.
	// fn's error ends the export and is returned as it is.
	ExportCustomers(ids []ID, fn func([]*Customer) error) error
	// CustomerIDsByName returns the IDs of every listed customer in the
	// order of Directory().Search(Query{}) (SortByName), read from the
	// stored name index: an export of every customer then needs no
	// directory in memory.
	CustomerIDsByName() ([]ID, error)
}

// Services bundles what the GUI and the CLI use; storage implements all.
type Services interface {
	CustomerService
	NoteService
	FollowUpService
	GestureService
	ActivityService
	ImportService
	DuplicateService
	ExportService
	SettingsService
	BackupService
	ChangeLog
	ConflictService
	Notifier
	Directory() Directory
	// Now is the clock all services use.
	Now() time.Time
}

// Bulk is a set of records loaded in one go (demo data, replays, restores
// from other tools). Records keep the IDs and Created times they carry.
type Bulk struct {
	Customers []Customer
	Notes     []Note
	FollowUps []FollowUp
	Gestures  []Gesture
	Events    []Event
}

// BulkLoader stores large sets of new records fast: chunked transactions,
// change log and indexes written as for single changes.
type BulkLoader interface {
	// BulkLoad validates and stores b in chunks; it stops between chunks
	// when ctx is done. EINVALID names the first bad record.
	BulkLoad(ctx context.Context, b Bulk, progress func(done, total int)) error
}
