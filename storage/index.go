package storage

import (
	"bytes"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// ikey is one entry of a secondary index.
type ikey struct {
	bucket []byte
	key    []byte
}

// indexKeys returns the index entries of a record; tombstoned and
// incomplete records have none. Notes, follow-ups and gestures are indexed
// under their customer's owner (see owner), so a merged customer's history
// lists under the survivor.
func indexKeys(tx *bolt.Tx, typ model.RecordType, rec any, region string) []ikey {
	if !live(metaOf(rec)) {
		return nil
	}
	switch r := rec.(type) {
	case *model.Customer:
		return customerKeys(tx, r, region)
	case *model.Note:
		id := idBytes(r.ID)
		keys := []ikey{
			{idxNoteCust, key(idBytes(owner(tx, r.CustomerID)), ms(r.At), id)},
			{idxNoteKind, key([]byte(r.Kind), sep, ms(r.At), id)},
		}
		if r.Replaces != model.NilID {
			keys = append(keys, ikey{idxNoteRepl, key(idBytes(r.Replaces), id)})
		}
		return keys
	case *model.FollowUp:
		id := idBytes(r.ID)
		return []ikey{
			{idxFUDue, key(ms(r.Due), id)},
			{idxFUCust, key(idBytes(owner(tx, r.CustomerID)), id)},
			{idxFUStatus, key([]byte(r.Status), sep, ms(r.Due), id)},
		}
	case *model.Gesture:
		id := idBytes(r.ID)
		keys := []ikey{
			{idxGeCust, key(idBytes(owner(tx, r.CustomerID)), id)},
			{idxGeStatus, key([]byte(r.Status), sep, []byte(r.ValidUntil.String()), sep, id)},
			{idxGeCreated, key(ms(r.Created), id)},
		}
		if r.EventID != model.NilID {
			keys = append(keys, ikey{idxGeEvent, key(idBytes(r.EventID), id)})
		}
		return keys
	case *model.Event:
		return []ikey{{idxEvStart, key(ms(r.Start), idBytes(r.ID))}}
	}
	return nil
}

// customerKeys returns a customer's index entries; a merged customer has
// none, so it is found by no search, list or import match.
func customerKeys(tx *bolt.Tx, c *model.Customer, region string) []ikey {
	if hiddenByMerge(tx, c) {
		return nil
	}
	return listingKeys(c, region)
}

// hiddenByMerge reports whether c was merged into another customer that
// owns it (in a cycle of merges one of them owns; see owner).
func hiddenByMerge(tx *bolt.Tx, c *model.Customer) bool {
	return c.MergedInto != model.NilID && owner(tx, c.ID) != c.ID
}

// listingKeys returns the index entries of a listed customer. Their bytes
// share one allocation (an import works out tens of thousands).
func listingKeys(c *model.Customer, region string) []ikey {
	type entry struct {
		bucket []byte
		v      string
	}
	var arr [16]entry
	es := append(arr[:0], entry{idxCustSort, c.SortName()}, entry{idxCustName, model.NameKey(c)})
	add := func(b []byte, v string) {
		if v != "" && !slices.ContainsFunc(es, func(e entry) bool { return e.v == v && bytes.Equal(e.bucket, b) }) {
			es = append(es, entry{b, v})
		}
	}
	for _, e := range c.Emails {
		add(idxCustEmail, model.NormalizeEmail(e.Address))
	}
	for _, p := range c.Phones {
		add(idxCustPhone, model.E164(p.Number, region))
	}
	for _, u := range c.ExternalUIDs {
		add(idxCustUID, u)
	}
	n := 0
	for _, e := range es {
		n += len(e.v) + 1 + len(c.ID)
	}
	buf := make([]byte, 0, n)
	keys := make([]ikey, len(es))
	for i, e := range es {
		at := len(buf)
		buf = append(append(append(buf, e.v...), 0), c.ID[:]...)
		keys[i] = ikey{e.bucket, buf[at:len(buf):len(buf)]}
	}
	return keys
}

// live reports whether a record is visible: not tombstoned, and complete.
// A record is incomplete while sync has delivered edits of it from one
// device but not yet its creation from another (the creation op carries
// Created); it stays hidden until the creation arrives.
func live(m *model.Meta) bool { return !m.Deleted && !m.Created.IsZero() }

// listed reports whether a customer is shown: live and not merged into
// another (or, in a cycle of merges, the one that owns it; see owner).
func listed(tx *bolt.Tx, c *model.Customer) bool {
	return live(&c.Meta) && !hiddenByMerge(tx, c)
}
