package storage

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// chunkSize is how many customers SaveCustomers commits per transaction:
// large enough that fsync cost vanishes, small enough to keep memory and
// the time a crash can lose bounded. Every chunk rewrites the index pages
// its names, emails and phones fall on, nearly all of them: 10,000 cards
// in chunks of 5,000 instead of 2,000 write 1,770 pages instead of 2,057
// and import about 4 % faster (BenchmarkImport10k); a streamed import of
// 100,000 peaks no higher. The writer need not wait for a chunk's ahead
// work to finish (see aheadChunk), so a larger chunk costs no wait.
const chunkSize = 5000

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
	// fields are pure (see listingKeys, appendCustomerBody): they are
	// worked out on the other cores, a chunk ahead, while the writer
	// writes those ready (see aheadChunk). Each chunk's work starts when
	// the last one's is done; none is left working when SaveCustomers
	// returns.
	var last *aheadChunk
	ahead := func(from int) *aheadChunk {
		if from >= len(create) {
			return nil
		}
		last = startAhead(create[from:min(from+chunkSize, len(create))], region, last)
		return last
	}
	pending := ahead(0)
	defer func() { last.wait() }()
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
		news := pending // nil once the new customers are written
		pending = ahead(end)
		w, err := db.updateLate(func(w *writer) error {
			w.ahead = news
			if w.region != region { // changed meanwhile: the keys are not the ones to write
				news.unlist()
			} else {
				w.aheadSort = news != nil
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
