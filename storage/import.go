package storage

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// chunkSize is how many records bulk work commits per transaction: large
// enough that fsync cost vanishes, small enough to keep memory and the
// time a crash can lose bounded.
const chunkSize = 2000

// Matches returns stored live customers that c may duplicate, strongest
// first: by external UID, normalized email, folded name (with c's company
// or none; any company when c has none; a customer without a person name
// by its company), then E.164 phone. They are candidates:
// model.SamePerson decides.
func (db *DB) Matches(c *model.Customer) ([]model.Match, error) {
	var out []model.Match
	region := db.currentSettings().Region
	err := db.view(func(tx *bolt.Tx) error {
		out = matches(tx, c, region)
		return nil
	})
	return out, err
}

// MatchesAll returns Matches for each of cs, in one read transaction.
// The customers are looked up on all cores (a read transaction's buckets
// and cursors may be read from several goroutines), and an index that
// holds nothing is not asked: the first import into a new file then
// parses no phone number here, and the commit parses each once.
func (db *DB) MatchesAll(cs []*model.Customer) ([][]model.Match, error) {
	out := make([][]model.Match, len(cs))
	region := db.currentSettings().Region
	err := db.view(func(tx *bolt.Tx) error {
		m := newMatcher(tx, region)
		if m.empty() {
			return nil
		}
		return parallel(len(cs), 256, func(lo, hi int) error {
			for i := lo; i < hi; i++ {
				out[i] = m.matches(cs[i])
			}
			return nil
		})
	})
	db.bulkRead()
	return out, err
}

// matcher looks customers up in the indexes of one read transaction; it
// holds the index buckets, nil for an empty one.
type matcher struct {
	uid, email, phone, name *bolt.Bucket
	region                  string
}

func newMatcher(tx *bolt.Tx, region string) *matcher {
	idx := tx.Bucket(bucketIdx)
	open := func(name []byte) *bolt.Bucket {
		b := idx.Bucket(name)
		if k, _ := b.Cursor().First(); k == nil {
			return nil
		}
		return b
	}
	return &matcher{uid: open(idxCustUID), email: open(idxCustEmail), phone: open(idxCustPhone), name: open(idxCustName), region: region}
}

// empty reports whether no customer can match: every index is empty.
func (m *matcher) empty() bool {
	return m.uid == nil && m.email == nil && m.phone == nil && m.name == nil
}

func matches(tx *bolt.Tx, c *model.Customer, region string) []model.Match {
	return newMatcher(tx, region).matches(c)
}

func (m *matcher) matches(c *model.Customer) []model.Match {
	var out []model.Match
	var seen map[model.ID]bool
	// scanPrefix lists the customers whose index key in b starts with prefix.
	scanPrefix := func(b *bolt.Bucket, prefix []byte, by model.MatchKind) {
		if b == nil {
			return
		}
		cur := b.Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			id := idAtEnd(k)
			if !seen[id] && id != c.ID {
				if seen == nil {
					seen = map[model.ID]bool{}
				}
				seen[id] = true
				out = append(out, model.Match{ID: id, By: by})
			}
		}
	}
	var prefix []byte
	scan := func(b *bolt.Bucket, value string, by model.MatchKind) {
		if value != "" && b != nil {
			prefix = append(append(prefix[:0], value...), 0)
			scanPrefix(b, prefix, by)
		}
	}
	if m.uid != nil {
		for _, u := range c.ExternalUIDs {
			scan(m.uid, u, model.MatchUID)
		}
	}
	if m.email != nil {
		for _, e := range c.Emails {
			scan(m.email, model.NormalizeEmail(e.Address), model.MatchEmail)
		}
	}
	if m.name != nil {
		switch name, company, _ := strings.Cut(model.NameKey(c), "|"); {
		case name != "" && company == "":
			// Every customer of that name, whatever the company: the same
			// name in the same town is evidence too (model.SamePerson).
			scanPrefix(m.name, []byte(name+"|"), model.MatchName)
		case name != "":
			// The same name at the same company, or without one; namesakes
			// at other companies are other people (model.SamePerson).
			scan(m.name, model.NameKey(c), model.MatchName)
			scan(m.name, name+"|", model.MatchName)
		case company != "":
			scan(m.name, model.NameKey(c), model.MatchName)
		}
	}
	if m.phone != nil {
		for _, p := range c.Phones { // after the names: a namesake sharing a number is a MatchName
			scan(m.phone, model.E164(p.Number, m.region), model.MatchPhone)
		}
	}
	return out
}

// SaveCustomers creates and updates customers in chunks.
func (db *DB) SaveCustomers(ctx context.Context, create, update []*model.Customer, progress func(done int)) error {
	all := len(create) + len(update)
	if err := prepareCustomers(create, update); err != nil {
		return err
	}
	defer db.dir.Hold()() // one rebuild of the search index, not one per few hundred customers
	region := db.currentSettings().Region
	// The new customers' index entries and encodings but for the meta
	// fields are pure (see listingKeys, appendCustomerBody): those of the
	// next chunk are worked out while a chunk is written, which then only
	// writes. None is left working when SaveCustomers returns.
	ahead := func(from int) chan aheadChunk {
		ch := make(chan aheadChunk, 1)
		go func() { ch <- aheadOf(create[min(from, len(create)):min(from+chunkSize, len(create))], region) }()
		return ch
	}
	pending := ahead(0)
	defer func() {
		if pending != nil {
			<-pending
		}
	}()
	// Each chunk's directory update runs while the next chunk is written
	// (see updateLate); its subscribers are told once it is done.
	var late *writer
	defer func() {
		db.writeMu.Lock()
		db.settleDirectory()
		db.writeMu.Unlock()
		if late != nil {
			db.bulkNotify(late)
		}
	}()
	pages := db.bulkPages()
	for done := 0; done < all; {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(done+chunkSize, all)
		var news aheadChunk // empty once the new customers are written
		if pending != nil {
			news = <-pending
			pending = nil
		}
		if end < len(create) {
			pending = ahead(end)
		}
		w, err := db.updateLate(func(w *writer) error {
			w.ahead = news.byID
			if w.region != region { // changed meanwhile: the keys are not the ones to write
				for id, n := range news.byID {
					n.listed = false
					news.byID[id] = n
				}
			} else {
				w.aheadSorted = news.sorted
			}
			return w.saveCustomers(create, update, done, end)
		})
		if err != nil {
			return err
		}
		if late != nil {
			db.bulkNotify(late) // its update was settled inside this chunk
		}
		late = w
		done = end
		pages.afterWrite()
		if progress != nil {
			progress(done)
		}
	}
	return nil
}

// saveCustomers writes the customers done to end of create followed by
// update, one chunk of SaveCustomers.
func (w *writer) saveCustomers(create, update []*model.Customer, done, end int) error {
	w.queueIndex = true // thousands of names, emails, phones: appended in key order
	w.packPages(model.TypeCustomer)
	w.packIndex = true
	for i := done; i < end; i++ {
		if i < len(create) {
			if err := w.save(model.TypeCustomer, create[i], true); err != nil {
				return err
			}
			continue
		}
		c := update[i-len(create)]
		old, err := getLive[model.Customer](w.tx, model.TypeCustomer, c.ID)
		if err != nil {
			return err
		}
		c.Photo = keepPhoto(old.Photo, c.Photo)
		if err := w.save(model.TypeCustomer, c, false); err != nil {
			return err
		}
	}
	return nil
}

// prepareCustomers normalizes and validates the customers of
// SaveCustomers on all cores, new ones given an ID first in order (so
// their UUIDv7 keys follow the order of the file), and returns the
// first problem in order.
func prepareCustomers(create, update []*model.Customer) error {
	for _, c := range create {
		if c.ID == model.NilID {
			c.ID = model.NewID()
		}
	}
	all := len(create) + len(update)
	errs := make([]error, all)
	parallel(all, 256, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			if i < len(create) {
				errs[i] = prepareNewCustomer(create[i])
			} else {
				errs[i] = prepareCustomer(update[i-len(create)])
			}
		}
		return nil
	})
	for i, err := range errs {
		switch {
		case err == nil:
		case i < len(create):
			return fmt.Errorf("new customer %d (%s): %w", i+1, create[i].DisplayName(), err)
		default:
			j := i - len(create)
			return fmt.Errorf("updated customer %d (%s): %w", j+1, update[j].DisplayName(), err)
		}
	}
	return nil
}

// aheadCustomer is what SaveCustomers works out ahead for a new customer.
type aheadCustomer struct {
	keys   []ikey // its index entries if listed (see listingKeys)
	listed bool   // keys are the ones to write
	body   []byte // its encoding after the meta fields (see appendCustomerBody), nil for encodeRecord to do
}

// aheadChunk is what SaveCustomers works out ahead for a chunk of new
// customers: for each, and all their index entries by bucket in key
// order, which flushIndex then need not sort (see takeListing).
type aheadChunk struct {
	byID   map[model.ID]aheadCustomer
	sorted []bucketQueue
}

// aheadOf returns the index entries and encodings of new customers,
// worked out on all cores (most of it is parsing phone numbers).
func aheadOf(cs []*model.Customer, region string) aheadChunk {
	news := make([]aheadCustomer, len(cs))
	parallel(len(cs), 256, func(lo, hi int) error {
		var sl slab
		for i := lo; i < hi; i++ {
			c := cs[i]
			news[i] = aheadCustomer{keys: listingKeys(c, region), listed: true}
			if c.Merge != nil {
				continue
			}
			if b, ok := appendCustomerBody(sl.next(1024), c, true); ok {
				sl.used(b)
				news[i].body = b[:len(b):len(b)]
			}
		}
		return nil
	})
	out := aheadChunk{byID: make(map[model.ID]aheadCustomer, len(cs))}
	for i, c := range cs {
		out.byID[c.ID] = news[i]
		for _, k := range news[i].keys {
			q := bucketQueueOf(&out.sorted, k.bucket)
			q.writes = append(q.writes, indexWrite{key: k.key})
		}
	}
	for i := range out.sorted {
		q := &out.sorted[i]
		slices.SortFunc(q.writes, func(a, b indexWrite) int { return bytes.Compare(a.key, b.key) })
		q.sorted = true
	}
	return out
}

// takeListing leaves the index entries of the new customer id, worked
// out ahead, to aheadSorted, and reports whether it did: when the whole
// chunk's new customers take theirs and nothing else writes an index
// entry, flushIndex writes aheadSorted as it is, and nothing is sorted
// in the transaction. Anything else queues the entries taken so far
// first, in their order (see queueTaken).
func (w *writer) takeListing(id model.ID) bool {
	if !w.queueIndex || w.aheadSorted == nil {
		return false
	}
	w.aheadTaken = append(w.aheadTaken, id)
	return true
}

// queueTaken queues the index entries the customers of takeListing left
// to aheadSorted, and turns takeListing off.
func (w *writer) queueTaken() {
	taken := w.aheadTaken
	w.aheadTaken, w.aheadSorted = nil, nil
	for _, id := range taken {
		for _, k := range w.ahead[id].keys {
			w.queue(k, false)
		}
	}
}

// flushTaken readies the entries left to aheadSorted for flushIndex: as
// they are when every new customer of the chunk left its own and nothing
// else was queued, else queued.
func (w *writer) flushTaken() {
	switch {
	case len(w.aheadTaken) == 0:
	case len(w.aheadTaken) == len(w.ahead) && len(w.indexQueue) == 0:
		w.indexQueue = w.aheadSorted
		w.aheadTaken, w.aheadSorted = nil, nil
	default:
		w.queueTaken()
	}
}

// keepPhoto keeps the stored photo unless the update brings another key
// (set through SetPhoto, or already stored by key).
func keepPhoto(old, new string) string {
	if new == "" {
		return old
	}
	return new
}

// Customers returns live customers by ID, in order.
func (db *DB) Customers(ids []model.ID) ([]*model.Customer, error) {
	out := make([]*model.Customer, 0, len(ids))
	err := db.view(func(tx *bolt.Tx) error {
		for _, id := range ids {
			c, err := getLive[model.Customer](tx, model.TypeCustomer, id)
			if model.ErrorCode(err) == model.ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	db.bulkRead()
	return out, err
}
