package storage

import (
	"bytes"
	"encoding/binary"
	"log"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// exportBatch is how many follow-ups an export hands on at a time (see
// exportWindowItem for how they are read), and twice as many as the
// customers of ExportCustomers one read transaction reads.
const exportBatch = 256

// defaultExportMemory is Options.ExportMemory when zero: a GUI export
// (the automatic .ics beside a 220 MB process) adds little. On the large
// set (CLI, load ≈ 10) an export of every customer by name with 48 MB of
// the mapping resident took 2.2 s of CPU and 110 MB peak RSS, 64 MB 1.8 s
// and 122 MB, 80 MB 1.8 s and 142 MB.
const defaultExportMemory = 16 << 20

// exportRelease is after how many batches an export drops the pages where
// the resident set cannot be read (not Linux: there dropPages does
// nothing yet either).
const exportRelease = 4

// exportPages drops the mapped pages an export touched when they pass
// limit.
type exportPages struct {
	db    *DB
	limit int64
	base  int64 // resident file-backed memory when the export began
	known bool  // base could be read
	n     int   // batches read
}

func (db *DB) newExportPages(limit int64) *exportPages {
	p := &exportPages{db: db, limit: limit}
	p.base, p.known = residentShared()
	return p
}

// after runs at the end of a batch's read transaction tx.
func (p *exportPages) after(tx *bolt.Tx) {
	p.n++
	if !p.known {
		if p.n%exportRelease == 0 {
			p.db.releaseIn(tx)
		}
		return
	}
	if now, ok := residentShared(); ok && now-p.base > p.limit {
		p.db.releaseIn(tx)
	}
}

// afterWrite runs after a write transaction of a bulk job (import): a
// B+tree insert reads its path of pages through the mapping, so 100,000
// imported customers left the whole 300 MB file resident. It drops the
// pages in a read transaction of its own when they pass the limit.
func (p *exportPages) afterWrite() {
	if p.known {
		if now, ok := residentShared(); !ok || now-p.base <= p.limit {
			return
		}
	} else if p.n++; p.n%exportRelease != 0 {
		return
	}
	if err := p.db.view(func(tx *bolt.Tx) error { p.db.releaseIn(tx); return nil }); err != nil {
		log.Printf("storage: release the database file's mapped pages: %v", err)
	}
}

// releaseIn drops the mapped pages of the file inside tx, which holds the
// mapping in place. Best effort: pages that stay only cost memory.
func (db *DB) releaseIn(tx *bolt.Tx) {
	if !canReleasePages {
		return
	}
	if err := dropPages(db.bolt.Info().Data, tx.Size()); err != nil {
		log.Printf("storage: release the database file's mapped pages: %v", err)
	}
}

// ExportCustomers calls fn with the live customers of ids, in that order,
// a few hundred per read transaction; missing ones are skipped.
func (db *DB) ExportCustomers(ids []model.ID, fn func([]*model.Customer) error) error {
	pages := db.newExportPages(db.exportMemory)
	for lo := 0; lo < len(ids); lo += exportBatch / 2 {
		var cs []*model.Customer
		err := db.view(func(tx *bolt.Tx) error {
			for _, id := range ids[lo:min(lo+exportBatch/2, len(ids))] {
				c, err := getLive[model.Customer](tx, model.TypeCustomer, id)
				if model.ErrorCode(err) == model.ENOTFOUND {
					continue
				} else if err != nil {
					return err
				}
				cs = append(cs, c)
			}
			pages.after(tx)
			return nil
		})
		if err != nil {
			return err
		}
		if err := fn(cs); err != nil {
			return err
		}
	}
	return nil
}

// CustomerIDsByName returns the IDs of the listed customers by the sort
// index, whose keys are the folded sort name, a 0 byte and the ID: the
// order of the directory's cmpName (sort name, then ID; a sort name holds
// no 0 byte).
func (db *DB) CustomerIDsByName() ([]model.ID, error) {
	var ids []model.ID
	err := db.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketIdx).Bucket(idxCustSort).ForEach(func(k, _ []byte) error {
			if len(k) < 16 {
				return model.Errorf(model.EINTERNAL, "sort index key %q is too short", k)
			}
			ids = append(ids, model.ID(k[len(k)-16:]))
			return nil
		})
	})
	return ids, err
}

// bucketCalStamp holds the device-local stamps of the .ics export:
//
//	calstamp/
//	  <profile>/  follow-up id → 16-byte hash, 8-byte sequence, 8-byte
//	              LAST-MODIFIED in Unix ms (see model.CalendarStamp)
//
// It is made by the first SaveCalendarStamps; absent, no stamps exist.
var bucketCalStamp = []byte("calstamp")

// ExportFollowUps calls fn with the live follow-ups f selects, batch by
// batch, each batch read in its own read transaction.
func (db *DB) ExportFollowUps(f model.FollowUpFilter, profile string, fn func([]model.CalendarItem) error) error {
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []model.FollowUpStatus{model.FollowUpOpen}
	}
	r := &fuReader{f: f, tag: model.Fold(f.Tag), profile: []byte(profile)}
	if f.CustomerID != model.NilID {
		// A customer has few follow-ups: one batch, sorted like FollowUps.
		var items []model.CalendarItem
		err := db.view(func(tx *bolt.Tx) error {
			fus, err := listByPrefix[model.FollowUp](tx, idxFUCust, idBytes(f.CustomerID), model.TypeFollowUp)
			if err != nil {
				return err
			}
			sortSlice(fus, func(a, b *model.FollowUp) bool { return a.Due.Before(b.Due) })
			r.begin(tx)
			for i := range fus {
				if containsStatus(statuses, fus[i].Status) {
					if it, ok := r.item(&fus[i]); ok {
						items = append(items, it)
					}
				}
			}
			return r.err
		})
		if err != nil || len(items) == 0 {
			return err
		}
		return fn(items)
	}
	r.seekStatuses(statuses)
	tag := ""
	if r.tag != "" {
		tag = f.Tag
	}
	w := &fuWindow{db: db, r: r, pages: db.newExportPages(min(db.exportMemory, windowResident)), known: newExportCustomers(tag)}
	start := r.clone()
	for first := true; !r.done; first = false {
		var ids []model.ID
		if err := db.view(func(tx *bolt.Tx) error {
			ids = r.walk(tx, int(db.exportMemory/exportWindowItem))
			return nil
		}); err != nil {
			return err
		}
		if first && !r.done {
			// More than one window: their customers in one pass.
			if err := w.known.prefetch(db, start, w.pages, db.exportMemory/2); err != nil {
				return err
			}
		}
		if err := w.export(ids, fn); err != nil {
			return err
		}
	}
	return nil
}

// fuReader walks the status index for ExportFollowUps, remembering where
// each status's cursor goes on between transactions.
type fuReader struct {
	f       model.FollowUpFilter
	tag     string
	profile []byte
	prefix  [][]byte // per status: status 0x00
	next    [][]byte // per status: the key to seek next; nil when done
	done    bool

	// For the follow-ups of one customer (begin, item):
	tx        *bolt.Tx
	recs      *bolt.Bucket
	stamps    *bolt.Bucket
	customers map[model.ID]*model.Customer // nil when not listed
	err       error
}

// seekStatuses sets r to walk the status index from the start, one
// cursor per status, merged by due time.
func (r *fuReader) seekStatuses(statuses []model.FollowUpStatus) {
	r.next = make([][]byte, len(statuses))
	r.prefix = make([][]byte, len(statuses))
	for i, st := range statuses {
		r.prefix[i] = append([]byte(st), 0)
		r.next[i] = r.prefix[i]
		if !r.f.From.IsZero() {
			r.next[i] = key(r.prefix[i], ms(r.f.From))
		}
	}
}

// clone returns a reader that walks on from where r stands, apart from r.
func (r *fuReader) clone() *fuReader {
	c := *r
	c.next = slices.Clone(r.next)
	return &c
}

func (r *fuReader) begin(tx *bolt.Tx) {
	r.tx, r.recs = tx, recBucket(tx, model.TypeFollowUp)
	r.stamps = nil
	if b := tx.Bucket(bucketCalStamp); b != nil {
		r.stamps = b.Bucket(r.profile)
	}
	r.customers = map[model.ID]*model.Customer{}
	r.err = nil
}

// walk reads the IDs of up to n follow-ups of the status index, by due
// time, from where the last walk ended.
func (r *fuReader) walk(tx *bolt.Tx, n int) []model.ID {
	idx := tx.Bucket(bucketIdx).Bucket(idxFUStatus)
	var end []byte // due ms bound, compared after the prefix
	if !r.f.To.IsZero() {
		end = ms(r.f.To)
	}
	curs := make([]*bolt.Cursor, len(r.next))
	keys := make([][]byte, len(r.next))
	for i, k := range r.next {
		if k == nil {
			continue
		}
		curs[i] = idx.Cursor()
		keys[i], _ = curs[i].Seek(k)
		r.valid(i, keys, end)
	}
	ids := make([]model.ID, 0, n)
	for len(ids) < n {
		// The smallest due time; equal ones in the order of the statuses.
		best := -1
		for i, k := range keys {
			if k != nil && (best < 0 || bytes.Compare(dueOf(k, r.prefix[i]), dueOf(keys[best], r.prefix[best])) < 0) {
				best = i
			}
		}
		if best < 0 {
			r.done = true
			break
		}
		k := keys[best]
		ids = append(ids, model.ID(k[len(k)-16:]))
		keys[best], _ = curs[best].Next()
		r.valid(best, keys, end)
	}
	for i := range r.next {
		// Keys of bbolt are valid only inside the transaction: copy.
		r.next[i] = nil
		if keys[i] != nil {
			r.next[i] = bytes.Clone(keys[i])
		}
	}
	return ids
}

// dueOf returns the due ms of a status index key.
func dueOf(k, prefix []byte) []byte { return k[len(prefix) : len(prefix)+8] }

// valid clears keys[i] when it left its status or passed the To bound.
func (r *fuReader) valid(i int, keys [][]byte, end []byte) {
	k := keys[i]
	if k == nil {
		return
	}
	p := r.prefix[i]
	if !bytes.HasPrefix(k, p) || end != nil && bytes.Compare(k[len(p):len(p)+8], end) >= 0 {
		keys[i] = nil
	}
}

func (r *fuReader) keep(x *model.FollowUp) bool {
	f := &r.f
	if f.Assignee != "" && x.Assignee != f.Assignee {
		return false
	}
	return !(!f.From.IsZero() && x.Due.Before(f.From) || !f.To.IsZero() && !x.Due.Before(f.To))
}

// item completes a follow-up with its customer, note and stamp; false
// when its customer is not listed or lacks the tag.
func (r *fuReader) item(x *model.FollowUp) (model.CalendarItem, bool) {
	c, seen := r.customers[x.CustomerID]
	if !seen {
		var err error
		if c, err = calendarCustomer(r.tx, recBucket(r.tx, model.TypeCustomer), x.CustomerID); err != nil {
			r.err = err
		}
		r.customers[x.CustomerID] = c
	}
	if c == nil || r.tag != "" && !c.HasTag(r.f.Tag) {
		return model.CalendarItem{}, false
	}
	it := model.CalendarItem{FollowUp: *x, Customer: c}
	if x.NoteID != model.NilID {
		it.Note = currentNote(r.tx, x.NoteID, x.CustomerID)
	}
	if r.stamps != nil {
		if raw := r.stamps.Get(idBytes(x.ID)); len(raw) == 32 {
			it.Stamp = decodeStamp(raw)
		}
	}
	return it, true
}

// currentNote returns the live, current version of note id of customer
// owner, following its revisions, or nil when it is gone.
func currentNote(tx *bolt.Tx, id, owner model.ID) *model.Note {
	return newNoteReader(tx).current(id, owner)
}

// noteReader is currentNote for many notes of one read transaction, with
// the buckets looked up once.
type noteReader struct {
	repl   *bolt.Cursor // over the note_repl index
	recs   *bolt.Bucket // the note records
	merged *bolt.Bucket // nil when no customer was ever merged
}

func newNoteReader(tx *bolt.Tx) *noteReader {
	return &noteReader{repl: tx.Bucket(bucketIdx).Bucket(idxNoteRepl).Cursor(),
		recs: recBucket(tx, model.TypeNote), merged: tx.Bucket(bucketMerged)}
}

func (nr *noteReader) current(id, owner model.ID) *model.Note {
	for range 64 { // a revision chain longer than this is not followed
		prefix := idBytes(id)
		k, _ := nr.repl.Seek(prefix)
		if k != nil && bytes.HasPrefix(k, prefix) {
			id = model.ID(k[len(prefix):])
			continue
		}
		raw := nr.recs.Get(prefix)
		n := new(model.Note)
		if raw == nil || decodeRecord(raw, n) != nil {
			return nil
		}
		n.CustomerID = ownerIn(nr.merged, n.CustomerID)
		if !live(&n.Meta) || n.CustomerID != owner {
			return nil
		}
		return n
	}
	return nil
}

func decodeStamp(raw []byte) *model.CalendarStamp {
	st := &model.CalendarStamp{
		Sequence: int(binary.BigEndian.Uint64(raw[16:24])),
		Modified: time.UnixMilli(int64(binary.BigEndian.Uint64(raw[24:32]))).UTC(),
	}
	copy(st.Hash[:], raw[:16])
	return st
}

func encodeStamp(st *model.CalendarStamp) []byte {
	b := make([]byte, 32)
	copy(b, st.Hash[:])
	binary.BigEndian.PutUint64(b[16:], uint64(st.Sequence))
	binary.BigEndian.PutUint64(b[24:], uint64(st.Modified.UnixMilli()))
	return b
}

// SaveCalendarStamps stores stamps under profile in one transaction, in
// key order (sequential inserts keep bbolt's pages full and the write
// short). It goes around the change log and notifications: stamps are
// this device's memory of its own files, not data.
func (db *DB) SaveCalendarStamps(profile string, stamps map[model.ID]model.CalendarStamp) error {
	if len(stamps) == 0 {
		return nil
	}
	if profile == "" {
		return model.Errorf(model.EINVALID, "calendar stamps need a profile")
	}
	ids := make([]model.ID, 0, len(stamps))
	for id := range stamps {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return bytes.Compare(ids[i][:], ids[j][:]) < 0 })
	defer db.touched()
	return translate(db.bolt.Update(func(tx *bolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(bucketCalStamp)
		if err != nil {
			return err
		}
		b, err := root.CreateBucketIfNotExists([]byte(profile))
		if err != nil {
			return err
		}
		b.FillPercent = 0.9
		for _, id := range ids {
			st := stamps[id]
			if err := b.Put(idBytes(id), encodeStamp(&st)); err != nil {
				return err
			}
		}
		return nil
	}))
}
