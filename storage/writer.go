package storage

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// writer is the context of one write transaction: it collects which
// records changed, recomputes the stats of touched customers before commit,
// and after commit updates the directory and tells subscribers.
type writer struct {
	db      *DB
	tx      *bolt.Tx
	region  string
	changed map[model.RecordType][]model.ID
	seen    map[model.ID]bool
	touched map[model.ID]bool            // customers whose summary must be rebuilt
	dirty   map[model.ID]bool            // customers whose stats must be recomputed
	custs   map[model.ID]*model.Customer // customers written in this transaction, as written
	incr    map[model.ID][]*model.Note   // new notes whose customer's stats are updated, not recomputed
	created map[model.ID]bool            // customers this transaction created (saved with no stored record)
	ahead   *aheadChunk                  // new customers' encodings and index entries worked out ahead (SaveCustomers), or nil
	slab    slab                         // the encodings this transaction puts (see saveNew)

	// Whether the new customers may leave their index entries to ahead's
	// sorted ones, and those that did (see takeListing).
	aheadSort  bool
	aheadTaken []model.ID

	puts []model.CustomerSummary // directory updates after commit
	dels []model.ID
	// putDir gets what puts the summaries into the directory, prepared
	// while bbolt commits (see finish), or is nil.
	putDir chan func()

	// queueIndex holds index writes back in indexQueue until flushIndex,
	// which applies them in key order; without it every record's writes
	// are applied at once. ApplyOps sets it: thousands of
	// records put their keys all over a bucket, and bbolt inserts each
	// into a node that, within one transaction, only grows: in arrival
	// order every insert shifts the half of an ever larger node, in key
	// order it appends.
	queueIndex bool
	indexQueue []bucketQueue
	// packIndex fills the index pages flushIndex writes to 90 % (see
	// packPages): an import's chunk puts keys on every page of the
	// customer indexes, so every chunk rewrites them all; packed, there
	// are fewer to rewrite.
	packIndex bool
}

// bucketQueue holds the held-back writes of one index bucket.
type bucketQueue struct {
	bucket []byte
	writes []indexWrite
	sorted bool // writes are in key order already, each key once
}

// indexWrite is one held-back index entry to put or delete; seq is its
// place in its bucket's queue.
type indexWrite struct {
	key []byte
	seq int32
	del bool
}

// packPages fills the pages of the buckets a bulk write of records of typ
// mostly appends to (records, clocks and stats by UUIDv7 ID, which grows
// with time) to 90 % instead of bbolt's half: half as many pages to
// write now and to read later, and still room for an edit to grow a
// record without splitting its page.
func (w *writer) packPages(typ model.RecordType) {
	recBucket(w.tx, typ).FillPercent = 0.9
	clockBucket(w.tx, typ).FillPercent = 0.9
	w.tx.Bucket(bucketStats).FillPercent = 0.9
}

// slab hands out the values a transaction puts from larger allocations:
// bbolt keeps every value it is given until the commit anyway, and an
// import puts 30,000 of them per chunk. Its pieces grow from 4 KiB to
// 64 KiB, so a transaction of one record takes little.
type slab []byte

// next returns an empty slice at the slab's end with room for n bytes
// (more are allowed: append then moves them out of the slab).
func (s *slab) next(n int) []byte {
	if cap(*s)-len(*s) < n {
		*s = make([]byte, 0, max(n, min(2*cap(*s), 64<<10), 4<<10))
	}
	return (*s)[len(*s):len(*s)]
}

// used takes b, got from next and appended to, from the slab. A b that
// outgrew its room was moved, but slices taken of it before may lie in
// the room: the rest of the room is never handed out again.
func (s *slab) used(b []byte) {
	if cap(b) == cap(*s)-len(*s) {
		*s = (*s)[:len(*s)+len(b)]
	} else {
		*s = (*s)[:cap(*s)]
	}
}

// queue holds back an index write for flushIndex. Writes are kept by
// bucket (a dozen index buckets): sorting then compares keys only.
func (w *writer) queue(k ikey, del bool) {
	if len(w.aheadTaken) > 0 {
		w.queueTaken()
	}
	q := w.bucketQueue(k.bucket)
	q.writes = append(q.writes, indexWrite{k.key, int32(len(q.writes)), del})
}

func (w *writer) bucketQueue(bucket []byte) *bucketQueue {
	return &w.indexQueue[bucketQueueIndex(&w.indexQueue, bucket)]
}

// bucketQueueIndex returns the position of bucket's queue in qs, added
// at the end when missing.
func bucketQueueIndex(qs *[]bucketQueue, bucket []byte) int {
	for i := range *qs {
		if bytes.Equal((*qs)[i].bucket, bucket) {
			return i
		}
	}
	*qs = append(*qs, bucketQueue{bucket: bucket})
	return len(*qs) - 1
}

func newWriter(db *DB, tx *bolt.Tx) *writer {
	return &writer{
		db: db, tx: tx, region: db.currentSettings().Region,
		changed: map[model.RecordType][]model.ID{}, seen: map[model.ID]bool{}, touched: map[model.ID]bool{}, dirty: map[model.ID]bool{}, custs: map[model.ID]*model.Customer{}, incr: map[model.ID][]*model.Note{}, created: map[model.ID]bool{},
	}
}

// reindex replaces the index entries of old (nil for a new record) with
// those of rec, and marks the customers concerned.
func (w *writer) reindex(typ model.RecordType, old, rec any) error {
	var oldKeys []ikey
	if old != nil {
		oldKeys = indexKeys(w.tx, typ, old, w.region)
	}
	c, isCustomer := rec.(*model.Customer)
	if isCustomer {
		if old == nil { // save of a new customer (sync's go through reindexCustomer)
			w.created[c.ID] = true
		}
		if err := w.remergeIfChanged(old, c); err != nil {
			return err
		}
	}
	if isCustomer && old == nil && live(&c.Meta) && !hiddenByMerge(w.tx, c) {
		if a, ok := w.ahead.customer(c.ID); ok && a.listed {
			if w.takeListing(c.ID) {
				return w.reindexKeys(typ, old, rec, nil, nil)
			}
			return w.reindexKeys(typ, old, rec, nil, a.keys)
		}
	}
	return w.reindexKeys(typ, old, rec, oldKeys, indexKeys(w.tx, typ, rec, w.region))
}

// reindexCustomer is reindex for a customer whose listing keys before and
// after are known already (see mergeRecord).
func (w *writer) reindexCustomer(old any, c *model.Customer, oldKeys, newKeys []ikey) error {
	if err := w.remergeIfChanged(old, c); err != nil {
		return err
	}
	if hiddenByMerge(w.tx, c) {
		newKeys = nil // merged into another: found by no search
	}
	return w.reindexKeys(model.TypeCustomer, old, c, oldKeys, newKeys)
}

// remergeIfChanged follows a change of the customer's MergedInto.
func (w *writer) remergeIfChanged(old any, c *model.Customer) error {
	var was model.ID
	if o, ok := old.(*model.Customer); ok {
		was = o.MergedInto
	}
	if c.MergedInto == was {
		return nil
	}
	if err := w.flushIndex(); err != nil { // remerge reads the indexes
		return err
	}
	return w.remerge(c)
}

// flushIndex applies the held-back index writes in key order. Of several
// writes of one key only the last counts, so only it is applied.
func (w *writer) flushIndex() error {
	w.flushTaken()
	qs := w.indexQueue
	w.indexQueue = nil
	slices.SortFunc(qs, func(a, b bucketQueue) int { return bytes.Compare(a.bucket, b.bucket) })
	idx := w.tx.Bucket(bucketIdx)
	for _, q := range qs {
		// The sequence number as the last criterion makes the order total, so
		// an unstable sort (several times faster than a stable one on the
		// tens of thousands of writes of a sync chunk) keeps each key's
		// writes in their order.
		ws := q.writes
		if !q.sorted {
			slices.SortFunc(ws, func(a, b indexWrite) int {
				if c := bytes.Compare(a.key, b.key); c != 0 {
					return c
				}
				return int(a.seq - b.seq)
			})
		}
		bk := idx.Bucket(q.bucket)
		if w.packIndex {
			bk.FillPercent = 0.9
		}
		for i, x := range ws {
			if i+1 < len(ws) && bytes.Equal(x.key, ws[i+1].key) {
				continue // a later write of the same key follows
			}
			var err error
			if x.del {
				err = bk.Delete(x.key)
			} else {
				err = bk.Put(x.key, nil)
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// reindexKeys replaces the index entries oldKeys of old with newKeys of
// rec, and marks the customers concerned.
func (w *writer) reindexKeys(typ model.RecordType, old, rec any, oldKeys, newKeys []ikey) error {
	c, isCustomer := rec.(*model.Customer)
	if isCustomer {
		w.custs[c.ID] = c
	}
	for _, k := range oldKeys {
		if !containsKey(newKeys, k) {
			w.queue(k, true)
		}
	}
	for _, k := range newKeys {
		if !containsKey(oldKeys, k) {
			w.queue(k, false)
		}
	}
	if !w.queueIndex {
		if err := w.flushIndex(); err != nil {
			return err
		}
	}
	id := metaOf(rec).ID
	if !w.seen[id] {
		w.seen[id] = true
		w.changed[typ] = append(w.changed[typ], id)
	}
	if n, ok := rec.(*model.Note); ok && incremental(old, n) {
		o := owner(w.tx, n.CustomerID)
		w.touched[o] = true
		w.incr[o] = append(w.incr[o], n)
		return nil
	}
	for _, c := range append(customersOf(old), customersOf(rec)...) {
		if !isCustomer {
			c = owner(w.tx, c)
			w.dirty[c] = true
		}
		w.touched[c] = true
	}
	return nil
}

// incremental reports whether a note change can update its customer's
// stats without recomputing them: a new, live, original note that is not
// a complaint (complaints reopen; revisions and deletions hide others).
// Sync and bulk loads bring many such notes; recomputing would decode all
// of a customer's notes again for each batch.
func incremental(old any, n *model.Note) bool {
	return old == nil && live(&n.Meta) && n.Replaces == model.NilID && n.Kind != model.NoteComplaint
}

// addNotes updates stats by new notes the way model.ComputeStats would
// count them; false when one of them needs a full recomputation (a tie
// with the last contact, whose impression ComputeStats takes from the
// first of the tied notes in index order; unless the impressions are the
// same, as with notes dated by day only, where any order gives the same).
func addNotes(st *model.Stats, notes []*model.Note) bool {
	for _, n := range notes {
		if n.At.Equal(st.LastContact) && n.Impression != st.LastImpression {
			return false
		}
		st.Notes++
		if n.At.After(st.LastContact) || st.LastContact.IsZero() {
			st.LastContact, st.LastImpression = n.At, n.Impression
		}
		if st.OpenComplaint && n.ClosesComplaint(st.LastComplaint) {
			st.OpenComplaint = false // a resolution or a later positive contact closes it
		}
	}
	return true
}

// customersOf returns the customer a record belongs to (or is).
func customersOf(rec any) []model.ID {
	switch r := rec.(type) {
	case *model.Customer:
		return []model.ID{r.ID}
	case *model.Note:
		return []model.ID{r.CustomerID}
	case *model.FollowUp:
		return []model.ID{r.CustomerID}
	case *model.Gesture:
		return []model.ID{r.CustomerID}
	}
	return nil
}

func containsKey(keys []ikey, k ikey) bool {
	for _, x := range keys {
		if bytes.Equal(x.bucket, k.bucket) && bytes.Equal(x.key, k.key) {
			return true
		}
	}
	return false
}

// finish runs before commit: it rebuilds the stats of touched customers and
// prepares their directory entries, and saves the clock.
func (w *writer) finish() error {
	if err := w.flushIndex(); err != nil { // stats read the indexes
		return err
	}
	now := w.db.now()
	// In ID order: the stats bucket's keys, see flushIndex.
	ids := make([]model.ID, 0, len(w.touched))
	for id := range w.touched {
		if id != model.NilID {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b model.ID) int { return bytes.Compare(a[:], b[:]) })
	w.puts = slices.Grow(w.puts, len(ids))
	for _, id := range ids {
		_, written := w.custs[id]
		// The directory's summary, when needed; a customer created just
		// now has none.
		var stored *model.CustomerSummary
		if (!written || !w.dirty[id]) && !w.created[id] {
			stored, _ = w.db.dir.Summary(id)
		}
		st, raw, err := w.stats(id, stored)
		if err != nil {
			return err
		}
		if stored != nil && !written {
			// A live customer this transaction did not write: its notes,
			// follow-ups or gestures changed, so only its stats are new.
			// The directory's summary stands but for them, and the
			// customer need not be decoded (a sync brings notes of
			// thousands of them). stored is a copy of its own.
			if err := w.putStats(id, raw); err != nil {
				return err
			}
			stored.Stats = st
			w.puts = append(w.puts, *stored)
			continue
		}
		c, err := w.customer(id)
		if model.ErrorCode(err) == model.ENOTFOUND {
			// Notes may arrive by sync before their customer.
			if err := w.putStats(id, raw); err != nil {
				return err
			}
			continue
		} else if err != nil {
			return err
		}
		if err := w.putStats(id, raw); err != nil {
			return err
		}
		if !listed(w.tx, c) {
			w.dels = append(w.dels, id)
		} else {
			w.puts = append(w.puts, model.Summarize(c, st, now))
		}
	}
	if len(w.puts) >= prepareAhead {
		// The summaries' search documents are built while bbolt writes and
		// syncs the transaction, on the core it leaves, and put in once it
		// has committed (updateDirectory).
		w.putDir = make(chan func(), 1)
		go func() { w.putDir <- w.db.dir.PrepareAll(w.puts) }()
	}
	return w.tx.Bucket(bucketMeta).Put(keyHLC, u64(uint64(w.db.clock.Last())))
}

// prepareAhead is the fewest directory updates finish prepares while the
// transaction commits; a few are put at once after it.
const prepareAhead = 256

// stats returns the customer's stats: recomputed when its notes,
// follow-ups or gestures changed in this transaction, else as stored.
// stored is the directory's summary of the customer, nil when it has
// none. The bytes are nil when the stored stats stand.
func (w *writer) stats(id model.ID, stored *model.CustomerSummary) (model.Stats, []byte, error) {
	var st model.Stats
	if !w.dirty[id] {
		found := false
		if stored != nil { // the directory holds the committed stats
			st, found = stored.Stats, true
		} else if raw := w.tx.Bucket(bucketStats).Get(idBytes(id)); raw != nil {
			var err error
			if st, err = decodeStats(raw); err != nil {
				return st, nil, err
			}
			found = true
		}
		if found && len(w.incr[id]) == 0 {
			return st, nil, nil
		}
		if found && addNotes(&st, w.incr[id]) {
			return st, appendStats(nil, &st), nil
		}
		if !found && w.created[id] && len(w.incr[id]) == 0 {
			// A customer created just now, with nothing of its own in this
			// transaction either: nothing to count, no index to read, and
			// nothing to store (an import creates thousands): a customer
			// without a stats record has none (see decodeStats).
			return st, nil, nil
		}
	}
	st, err := computeStats(w.tx, id)
	if err != nil {
		return st, nil, err
	}
	return st, appendStats(nil, &st), nil
}

// customer returns a customer as written in this transaction or stored.
func (w *writer) customer(id model.ID) (*model.Customer, error) {
	if c, ok := w.custs[id]; ok {
		return c, nil
	}
	return get[model.Customer](w.tx, model.TypeCustomer, id)
}

// decodeStats decodes a customer's stats record. A customer without one
// has no notes, follow-ups or gestures to count: a customer created
// with nothing of its own gets none (an import creates thousands).
func decodeStats(raw []byte) (model.Stats, error) {
	var st model.Stats
	if raw == nil {
		return st, nil
	}
	err := json.Unmarshal(raw, &st)
	return st, err
}

// appendStats appends st as json.Marshal encodes it, without reflection:
// every commit that adds notes rewrites the stats of their customers.
func appendStats(b []byte, st *model.Stats) []byte {
	t := func(name string, v time.Time) {
		b = append(b, name...)
		b = append(b, '"')
		b = v.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	t(`{"last_contact":`, st.LastContact)
	b = append(b, `,"last_impression":`...)
	b = appendJSONString(b, string(st.LastImpression))
	t(`,"last_complaint":`, st.LastComplaint)
	b = append(b, `,"open_complaint":`...)
	b = strconv.AppendBool(b, st.OpenComplaint)
	t(`,"next_follow_up":`, st.NextFollowUp)
	b = append(b, `,"open_follow_ups":`...)
	b = strconv.AppendInt(b, int64(st.OpenFollowUps), 10)
	b = append(b, `,"notes":`...)
	b = strconv.AppendInt(b, int64(st.Notes), 10)
	b = append(b, `,"gestures":`...)
	b = strconv.AppendInt(b, int64(st.Gestures), 10)
	t(`,"last_gesture":`, st.LastGesture)
	return append(b, '}')
}

// putStats stores freshly computed stats (nil raw: nothing to store).
func (w *writer) putStats(id model.ID, raw []byte) error {
	if raw == nil {
		return nil
	}
	return w.tx.Bucket(bucketStats).Put(idBytes(id), raw)
}

// updateDirectory applies the prepared directory changes after commit.
func (w *writer) updateDirectory() {
	for _, id := range w.dels {
		w.db.dir.Delete(id)
	}
	if w.putDir != nil {
		(<-w.putDir)()
		return
	}
	w.db.dir.PutAll(w.puts)
}

// notify tells subscribers what the committed transaction changed.
func (w *writer) notify() {
	var changes []model.Change
	for _, typ := range model.RecordTypes {
		if ids := w.changed[typ]; len(ids) > 0 {
			changes = append(changes, model.Change{Type: typ, IDs: ids})
		}
	}
	w.db.notify(changes)
}

// computeStats derives a customer's stats from its live records.
func computeStats(tx *bolt.Tx, id model.ID) (model.Stats, error) {
	notes, err := notesOf(tx, id)
	if err != nil {
		return model.Stats{}, err
	}
	fus, err := listByPrefix[model.FollowUp](tx, idxFUCust, idBytes(id), model.TypeFollowUp)
	if err != nil {
		return model.Stats{}, err
	}
	gs, err := listByPrefix[model.Gesture](tx, idxGeCust, idBytes(id), model.TypeGesture)
	if err != nil {
		return model.Stats{}, err
	}
	return model.ComputeStats(notes, fus, gs), nil
}

// notesOf returns the live notes of a customer, oldest first.
func notesOf(tx *bolt.Tx, id model.ID) ([]model.Note, error) {
	return listByPrefix[model.Note](tx, idxNoteCust, idBytes(id), model.TypeNote)
}

// listByPrefix decodes the records whose index keys in bucket idx start
// with prefix, in index order.
func listByPrefix[T any](tx *bolt.Tx, idx, prefix []byte, typ model.RecordType) ([]T, error) {
	var out []T
	c := tx.Bucket(bucketIdx).Bucket(idx).Cursor()
	recs := recBucket(tx, typ)
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		raw := recs.Get(k[len(k)-16:])
		if raw == nil {
			return nil, model.Errorf(model.EINTERNAL, "index %s points to missing %s %x", idx, typ, k[len(k)-16:])
		}
		var v T
		if err := decodeRecord(raw, &v); err != nil {
			return nil, model.WrapError(model.EINTERNAL, err, "decode %s", typ)
		}
		ownerOf(tx, any(&v))
		out = append(out, v)
	}
	return out, nil
}
