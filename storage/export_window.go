package storage

import (
	"bytes"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// exportWindowItem is the memory per follow-up of a window: a window of
// ExportFollowUps is Options.ExportMemory/exportWindowItem follow-ups in
// due order, 16,384 for the CLI's 64 MB, 4,096 beside the GUI. A window is
// read as follows: their records and stamps, the customers no earlier
// window read (when there are several windows, all of them were read
// before the first; see exportCustomers) and their notes, each in the
// order of their keys, exportChunk per read transaction, then handed out
// by due time in batches of exportBatch, each with its customers made.
// Read in key order, records meet each page of the file once per window,
// so the pages can be dropped behind the reads (see exportPages) without
// being faulted in again; in due order a follow-up, its customer and its
// note lie on three random pages, and every drop made the next batches
// fault the same pages again. On the large set, open follow-ups, CLI at
// load ≈ 7.7 (window, chunk, resident limit: CPU, page faults, peak RSS):
// batches of 256 in due order with 64 MB resident 2.0–2.4 s, 130,000,
// 125–131 MB; 8,192, 256, 64 MB 1.39 s, 78,700, 142 MB; 16,384, 128,
// 16 MB 1.38 s, 75,800, 133 MB; 32,768, 128, 16 MB 1.28 s, 66,500,
// 162 MB (the window's customers and notes on the heap). With the
// customers read once and made per batch (session 7, load ≈ 2, a program
// without the GUI's libraries): 64 MB 0.9 s, 50,000, 80–90 MB; 96 MB
// 0.82 s, 49,000, 92–96 MB; 128 MB 0.82 s, 49,000, 103 MB.
const exportWindowItem = 4 << 10

// exportChunk is how many records of a window one read transaction reads:
// the resident pages are measured after each.
const exportChunk = 128

// windowResident is the resident limit of a window's reads: in key order
// a dropped page is seldom needed again, so little need stay.
const windowResident = 16 << 20

// fuWindow reads the windows of ExportFollowUps.
type fuWindow struct {
	db    *DB
	r     *fuReader
	pages *exportPages
	known *exportCustomers // the customers read by earlier windows

	// The current window (see export).
	byID  []int
	items []model.CalendarItem
	keep  []bool
}

// export reads the follow-ups ids (in due order) and calls fn with those
// to export, by due time, in batches.
func (w *fuWindow) export(ids []model.ID, fn func([]model.CalendarItem) error) error {
	w.known.nextWindow()
	n := len(ids)
	// The slices of the last window are reused: a window's items take
	// 5 MB, and fresh memory is a page fault every 4 KiB.
	w.byID = slices.Grow(w.byID[:0], n)[:n]
	w.items = slices.Grow(w.items[:0], n)[:n]
	w.keep = slices.Grow(w.keep[:0], n)[:n]
	byID, items, keep := w.byID, w.items, w.keep
	clear(items)
	for i := range byID {
		byID[i] = i
	}
	slices.SortFunc(byID, func(a, b int) int { return bytes.Compare(ids[a][:], ids[b][:]) })
	err := w.chunks(n, func(tx *bolt.Tx, lo, hi int) error {
		recs, merged := ascending{c: recBucket(tx, model.TypeFollowUp).Cursor()}, tx.Bucket(bucketMerged)
		var stamps *ascending
		if b := tx.Bucket(bucketCalStamp); b != nil {
			if b = b.Bucket(w.r.profile); b != nil {
				stamps = &ascending{c: b.Cursor()}
			}
		}
		for _, i := range byID[lo:hi] {
			it := &items[i]
			if err := decodeExportFollowUp(recs.get(ids[i][:]), &it.FollowUp); err != nil {
				return err
			}
			it.FollowUp.CustomerID = ownerIn(merged, it.FollowUp.CustomerID)
			keep[i] = w.r.keep(&it.FollowUp)
			if stamps != nil && keep[i] {
				if raw := stamps.get(ids[i][:]); len(raw) == 32 {
					it.Stamp = decodeStamp(raw)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := w.customers(items, keep); err != nil {
		return err
	}
	if err := w.notes(items, keep); err != nil {
		return err
	}
	// The customers are made batch by batch from what the export keeps
	// of them: made for the whole window they were a third of its memory.
	batch := make([]model.CalendarItem, 0, exportBatch)
	custs := map[model.ID]*model.Customer{}
	for i := range items {
		if !keep[i] {
			continue
		}
		it := items[i]
		id := it.FollowUp.CustomerID
		if it.Customer = custs[id]; it.Customer == nil {
			it.Customer, _ = w.known.get(id)
			custs[id] = it.Customer
		}
		batch = append(batch, it)
		if len(batch) == exportBatch || i == n-1 {
			if err := fn(batch); err != nil {
				return err
			}
			batch = batch[:0]
			clear(custs)
		}
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}

// chunks calls read for [lo, hi) ranges of n, exportChunk each, every
// range in a read transaction of its own, dropping the pages read when
// they pass the limit.
func (w *fuWindow) chunks(n int, read func(tx *bolt.Tx, lo, hi int) error) error {
	for lo := 0; lo < n; lo += exportChunk {
		hi := min(lo+exportChunk, n)
		err := w.db.view(func(tx *bolt.Tx) error {
			err := read(tx, lo, hi)
			w.pages.after(tx)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// customers reads the customers of the kept items the export has not
// read yet, by ID, and drops the items whose customer it leaves out (not
// listed, missing, or without the filter's tag).
func (w *fuWindow) customers(items []model.CalendarItem, keep []bool) error {
	var unread []model.ID
	for i := range items {
		if keep[i] {
			if shown, known := w.known.has(items[i].FollowUp.CustomerID); known {
				keep[i] = shown
			} else {
				unread = append(unread, items[i].FollowUp.CustomerID)
			}
		}
	}
	if len(unread) == 0 {
		return nil
	}
	slices.SortFunc(unread, func(a, b model.ID) int { return bytes.Compare(a[:], b[:]) })
	unread = slices.Compact(unread)
	err := w.chunks(len(unread), func(tx *bolt.Tx, lo, hi int) error {
		recs := recBucket(tx, model.TypeCustomer)
		for _, id := range unread[lo:hi] {
			if err := w.known.keep(tx, id, recs.Get(idBytes(id))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range items {
		if keep[i] {
			keep[i], _ = w.known.has(items[i].FollowUp.CustomerID)
		}
	}
	return nil
}

// calendarCustomer reads customer id from recs, the customer records of
// tx, with the fields decodeCalendarCustomer reads; nil when it is
// missing or not listed.
func calendarCustomer(tx *bolt.Tx, recs *bolt.Bucket, id model.ID) (*model.Customer, error) {
	c := new(model.Customer)
	if ok, err := calendarCustomerInto(tx, id, recs.Get(idBytes(id)), c); !ok {
		return nil, err
	}
	return c, nil
}

// calendarCustomerInto is calendarCustomer for raw, the record of customer
// id (nil when there is none), decoded into c, which it zeroes first; it
// reports whether the customer is listed.
func calendarCustomerInto(tx *bolt.Tx, id model.ID, raw []byte, c *model.Customer) (bool, error) {
	if raw == nil {
		return false, nil
	}
	*c = model.Customer{}
	if err := decodeExportCustomer(raw, c); err != nil {
		return false, model.WrapError(model.EINTERNAL, err, "decode customer %s", id)
	}
	return listed(tx, c), nil
}

// notes sets the current note of the kept items that have one, reading
// them by note ID.
func (w *fuWindow) notes(items []model.CalendarItem, keep []bool) error {
	var with []int
	for i := range items {
		if keep[i] && items[i].FollowUp.NoteID != model.NilID {
			with = append(with, i)
		}
	}
	slices.SortFunc(with, func(a, b int) int {
		return bytes.Compare(items[a].FollowUp.NoteID[:], items[b].FollowUp.NoteID[:])
	})
	return w.chunks(len(with), func(tx *bolt.Tx, lo, hi int) error {
		nr := newNoteReader(tx)
		for _, i := range with[lo:hi] {
			f := &items[i].FollowUp
			items[i].Note = nr.current(f.NoteID, f.CustomerID)
		}
		return nil
	})
}
