package storage

import (
	"bytes"
	"encoding/binary"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// exportCustomers keeps, for the length of one export of follow-ups, what
// a calendar shows of every customer the export has read, so that a later
// window takes it from memory instead of reading and decoding the record
// again. In an export of every follow-up of the large set (100,000
// customers with two follow-ups each at random due times, 13 windows) the
// windows read 195,000 customers, each page of the customer records once
// per window; with this each customer is read once. The values are packed
// into chunks without pointers (about 200 bytes a customer, 20 MB for
// 100,000), which the garbage collector does not scan. When the customers
// of the whole export would take more than half of Options.ExportMemory
// (beside the GUI: 16 MB, 32,000 customers), they are kept for one window
// at a time instead, and read by each window that needs them.
type exportCustomers struct {
	tag       string // the tag the customers must carry, "" for any
	at        map[model.ID]custRef
	chunks    [][]byte
	scratch   model.Customer // what keep decodes into
	perWindow bool           // keep customers for one window only
}

// packedCost is about what a kept customer costs: its packed values and
// its entry in the map.
const packedCost = 256

// nextWindow forgets the customers of the last window when they are kept
// per window; a window's batches have all been handed on by then.
func (x *exportCustomers) nextWindow() {
	if !x.perWindow {
		return
	}
	clear(x.at)
	if len(x.chunks) > 0 {
		x.chunks = append(x.chunks[:0], x.chunks[0][:0])
	}
}

// custRef locates a customer's packed values; chunk is noCustomer for a
// customer the export leaves out.
type custRef struct{ chunk, off uint32 }

const noCustomer = ^uint32(0)

// custChunk is the size of a chunk of packed customers; a new chunk
// starts when less than packedMax is left, about ten customers' worth.
const (
	custChunk = 1 << 20
	packedMax = 4 << 10
)

// What a packed customer has besides its strings.
const (
	packedEmail     = 1 << iota // it has an email: the first follow
	packedPrefEmail             // it has a preferred email
	packedPhone
	packedPrefPhone
	packedAddress // it has an address: the preferred or first follows
)

func newExportCustomers(tag string) *exportCustomers {
	return &exportCustomers{tag: tag, at: map[model.ID]custRef{}}
}

// get returns the customer id for an item of the export (a new value on
// every call, shared by the caller for one window), or nil when it is
// missing, not listed or lacks the tag; whether the export already had it
// is false when the caller must read it.
func (x *exportCustomers) get(id model.ID) (c *model.Customer, known bool) {
	ref, ok := x.at[id]
	if !ok {
		return nil, false
	}
	if ref.chunk == noCustomer {
		return nil, true
	}
	return unpackCustomer(id, x.chunks[ref.chunk][ref.off:]), true
}

// has reports whether the export shows customer id, and whether it has
// read it.
func (x *exportCustomers) has(id model.ID) (shown, known bool) {
	ref, known := x.at[id]
	return known && ref.chunk != noCustomer, known
}

// keep keeps what the calendar needs of raw, the record of customer id in
// tx (nil: none).
func (x *exportCustomers) keep(tx *bolt.Tx, id model.ID, raw []byte) error {
	c := &x.scratch
	shown, err := calendarCustomerInto(tx, id, raw, c)
	if err != nil {
		return err
	}
	if !shown || x.tag != "" && !c.HasTag(x.tag) {
		x.at[id] = custRef{chunk: noCustomer}
		return nil
	}
	n := len(x.chunks)
	if n == 0 || len(x.chunks[n-1]) > custChunk-packedMax {
		x.chunks = append(x.chunks, make([]byte, 0, custChunk))
		n++
	}
	x.at[id] = custRef{chunk: uint32(n - 1), off: uint32(len(x.chunks[n-1]))}
	// A customer larger than what is left grows the chunk, as append
	// does: its start stays valid.
	x.chunks[n-1] = packCustomer(x.chunks[n-1], c)
	return nil
}

// packCustomer appends what a calendar shows of c (see package ical, and
// model.ExportService): its Updated, kind, names and company, its first
// and preferred email and phone, and its preferred (or first) address.
func packCustomer(b []byte, c *model.Customer) []byte {
	var flags byte
	e0, ep := firstAndPref(c.Emails, func(e *model.Email) (string, bool) { return e.Address, e.Pref })
	p0, pp := firstAndPref(c.Phones, func(p *model.Phone) (string, bool) { return p.Number, p.Pref })
	a := c.PrimaryAddress()
	if len(c.Emails) > 0 {
		flags |= packedEmail
	}
	if ep != nil {
		flags |= packedPrefEmail
	}
	if len(c.Phones) > 0 {
		flags |= packedPhone
	}
	if pp != nil {
		flags |= packedPrefPhone
	}
	if a != nil {
		flags |= packedAddress
	}
	b = append(b, flags)
	b = binary.LittleEndian.AppendUint64(b, uint64(c.Updated.Unix()))
	b = binary.LittleEndian.AppendUint32(b, uint32(c.Updated.Nanosecond()))
	for _, s := range []string{string(c.Kind), c.GivenName, c.FamilyName, c.Company} {
		b = appendPacked(b, s)
	}
	for _, s := range []*string{e0, ep, p0, pp} {
		if s != nil {
			b = appendPacked(b, *s)
		}
	}
	if a != nil {
		for _, s := range []string{a.Street, a.Extended, a.POBox, a.PostalCode, a.City, a.Region, a.Country} {
			b = appendPacked(b, s)
		}
	}
	return b
}

// firstAndPref returns the value of the first element of xs and of the
// first preferred one (nil when there is none).
func firstAndPref[T any](xs []T, val func(*T) (string, bool)) (first, pref *string) {
	for i := range xs {
		v, p := val(&xs[i])
		if i == 0 {
			first = &v
		}
		if p {
			return first, &v
		}
	}
	return first, nil
}

func appendPacked(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// unpackCustomer makes the customer packCustomer packed into b: the first
// email and phone, then the preferred one marked Pref, and the address, so
// that DisplayName, PrimaryEmail, PrimaryPhone and PrimaryAddress give what
// they give on the stored customer.
func unpackCustomer(id model.ID, b []byte) *model.Customer {
	flags := b[0]
	sec := int64(binary.LittleEndian.Uint64(b[1:]))
	nsec := int64(binary.LittleEndian.Uint32(b[9:]))
	b = b[13:]
	next := func() string {
		n, k := binary.Uvarint(b)
		s := string(b[k : k+int(n)])
		b = b[k+int(n):]
		return s
	}
	c := &model.Customer{Meta: model.Meta{ID: id, Updated: time.Unix(sec, nsec).UTC()}}
	c.Kind, c.GivenName, c.FamilyName, c.Company = model.CustomerKind(next()), next(), next(), next()
	if flags&packedEmail != 0 {
		c.Emails = []model.Email{{Address: next()}}
		if flags&packedPrefEmail != 0 {
			c.Emails = append(c.Emails, model.Email{Address: next(), Pref: true})
		}
	}
	if flags&packedPhone != 0 {
		c.Phones = []model.Phone{{Number: next()}}
		if flags&packedPrefPhone != 0 {
			c.Phones = append(c.Phones, model.Phone{Number: next(), Pref: true})
		}
	}
	if flags&packedAddress != 0 {
		c.Addresses = []model.Address{{Street: next(), Extended: next(), POBox: next(), PostalCode: next(),
			City: next(), Region: next(), Country: next()}}
	}
	return c
}

// prefetchBatch is how many follow-up IDs one read transaction of
// prefetch takes from the status index, and how many index keys of the
// customers' follow-ups.
const prefetchBatch = 1 << 15

// prefetch reads the customers of all follow-ups r selects from where its
// walk stands (r does not move), in one pass in the order of their
// keys, before the windows need them: read window by window, each window
// met most pages of the customer records again for a few customers of each
// (on the large set, open follow-ups, 4 windows: a quarter of the page
// faults). Which customers they are comes from the indexes alone, the
// status index and fu_cust; a follow-up filtered out later (assignee) only
// costs its customer's reading. Customers of follow-ups that appear after
// this are read by the window that needs them. When they would take more
// than budget bytes it reads none and has the export keep customers per
// window.
func (x *exportCustomers) prefetch(db *DB, r *fuReader, pages *exportPages, budget int64) error {
	walk := r.clone()
	var fus []model.ID
	for !walk.done {
		if err := db.view(func(tx *bolt.Tx) error {
			fus = append(fus, walk.walk(tx, prefetchBatch)...)
			pages.after(tx) // the two indexes take 20 MB of pages
			return nil
		}); err != nil {
			return err
		}
	}
	slices.SortFunc(fus, func(a, b model.ID) int { return bytes.Compare(a[:], b[:]) })
	var need []model.ID
	var from []byte // the fu_cust key to go on from; nil at the start
	for done := false; !done; {
		err := db.view(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketIdx).Bucket(idxFUCust).Cursor()
			k, _ := c.First()
			if from != nil {
				k, _ = c.Seek(from)
			}
			defer pages.after(tx)
			for n := 0; ; n++ {
				if k == nil {
					done = true
					return nil
				}
				if n == prefetchBatch {
					from = bytes.Clone(k)
					return nil
				}
				if len(k) == 32 {
					cust := model.ID(k[:16])
					if _, found := slices.BinarySearchFunc(fus, model.ID(k[16:]), func(a, b model.ID) int { return bytes.Compare(a[:], b[:]) }); found &&
						(len(need) == 0 || need[len(need)-1] != cust) {
						need = append(need, cust)
					}
				}
				k, _ = c.Next()
			}
		})
		if err != nil {
			return err
		}
	}
	fus = nil
	if int64(len(need))*packedCost > budget {
		x.perWindow = true
		return nil
	}
	for lo := 0; lo < len(need); lo += exportChunk {
		hi := min(lo+exportChunk, len(need))
		err := db.view(func(tx *bolt.Tx) error {
			recs := ascending{c: recBucket(tx, model.TypeCustomer).Cursor()}
			for _, id := range need[lo:hi] {
				if err := x.keep(tx, id, recs.get(id[:])); err != nil {
					return err
				}
			}
			pages.after(tx)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ascending gets the values of keys asked for in ascending order, with one
// cursor that steps to a near key and seeks a far one, instead of a
// search from the root for each.
type ascending struct {
	c    *bolt.Cursor
	k, v []byte // where the cursor stands; k nil at the end
	on   bool   // the cursor was positioned
}

// get returns the value of key, nil when it is absent; key must not be
// smaller than the key asked for before.
func (a *ascending) get(key []byte) []byte {
	if !a.on {
		a.k, a.v = a.c.Seek(key)
		a.on = true
	}
	for n := 0; a.k != nil && bytes.Compare(a.k, key) < 0; n++ {
		if n == 8 {
			a.k, a.v = a.c.Seek(key)
			break
		}
		a.k, a.v = a.c.Next()
	}
	if bytes.Equal(a.k, key) {
		return a.v
	}
	return nil
}
