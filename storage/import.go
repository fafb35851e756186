package storage

import (
	"bytes"
	"context"
	"fmt"
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
func (db *DB) MatchesAll(cs []*model.Customer) ([][]model.Match, error) {
	out := make([][]model.Match, len(cs))
	region := db.currentSettings().Region
	err := db.view(func(tx *bolt.Tx) error {
		for i, c := range cs {
			out[i] = matches(tx, c, region)
		}
		return nil
	})
	return out, err
}

func matches(tx *bolt.Tx, c *model.Customer, region string) []model.Match {
	var out []model.Match
	seen := map[model.ID]bool{}
	idx := tx.Bucket(bucketIdx)
	// scanPrefix lists the customers whose index key starts with prefix.
	scanPrefix := func(bucket []byte, prefix []byte, by model.MatchKind) {
		cur := idx.Bucket(bucket).Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			id := idAtEnd(k)
			if !seen[id] && id != c.ID {
				seen[id] = true
				out = append(out, model.Match{ID: id, By: by})
			}
		}
	}
	scan := func(bucket []byte, value string, by model.MatchKind) {
		if value != "" {
			scanPrefix(bucket, append([]byte(value), 0), by)
		}
	}
	for _, u := range c.ExternalUIDs {
		scan(idxCustUID, u, model.MatchUID)
	}
	for _, e := range c.Emails {
		scan(idxCustEmail, model.NormalizeEmail(e.Address), model.MatchEmail)
	}
	switch name, company, _ := strings.Cut(model.NameKey(c), "|"); {
	case name != "" && company == "":
		// Every customer of that name, whatever the company: the same
		// name in the same town is evidence too (model.SamePerson).
		scanPrefix(idxCustName, []byte(name+"|"), model.MatchName)
	case name != "":
		// The same name at the same company, or without one; namesakes
		// at other companies are other people (model.SamePerson).
		scan(idxCustName, model.NameKey(c), model.MatchName)
		scan(idxCustName, name+"|", model.MatchName)
	case company != "":
		scan(idxCustName, model.NameKey(c), model.MatchName)
	}
	for _, p := range c.Phones { // after the names: a namesake sharing a number is a MatchName
		scan(idxCustPhone, model.E164(p.Number, region), model.MatchPhone)
	}
	return out
}

// SaveCustomers creates and updates customers in chunks.
func (db *DB) SaveCustomers(ctx context.Context, create, update []*model.Customer, progress func(done int)) error {
	all := len(create) + len(update)
	for i, c := range create {
		if err := prepareNewCustomer(c); err != nil {
			return fmt.Errorf("new customer %d (%s): %w", i+1, c.DisplayName(), err)
		}
	}
	for i, c := range update {
		if err := prepareCustomer(c); err != nil {
			return fmt.Errorf("updated customer %d (%s): %w", i+1, c.DisplayName(), err)
		}
	}
	done := 0
	for done < all {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(done+chunkSize, all)
		err := db.update(func(w *writer) error {
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
		})
		if err != nil {
			return err
		}
		done = end
		if progress != nil {
			progress(done)
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
	return out, err
}
