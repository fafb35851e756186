package storage

import (
	"context"
	"fmt"

	"github.com/kundenkartei/kundenkartei/model"
)

// BulkLoad stores a large set of new records in chunked transactions.
// Records keep their IDs and Created times; each is logged as a creation
// op like any other new record. Customers go first, then events, so the
// records that refer to them find them.
func (db *DB) BulkLoad(ctx context.Context, b model.Bulk, progress func(done, total int)) error {
	type item struct {
		typ model.RecordType
		rec any
	}
	items := make([]item, 0, len(b.Customers)+len(b.Events)+len(b.Notes)+len(b.FollowUps)+len(b.Gestures))
	for i := range b.Customers {
		items = append(items, item{model.TypeCustomer, &b.Customers[i]})
	}
	for i := range b.Events {
		items = append(items, item{model.TypeEvent, &b.Events[i]})
	}
	for i := range b.Notes {
		items = append(items, item{model.TypeNote, &b.Notes[i]})
	}
	for i := range b.FollowUps {
		items = append(items, item{model.TypeFollowUp, &b.FollowUps[i]})
	}
	for i := range b.Gestures {
		items = append(items, item{model.TypeGesture, &b.Gestures[i]})
	}
	for _, it := range items {
		if err := prepare(it.typ, it.rec); err != nil {
			return fmt.Errorf("%s %s: %w", it.typ, metaOf(it.rec).ID, err)
		}
	}
	for done := 0; done < len(items); {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(done+2*chunkSize, len(items))
		err := db.update(func(w *writer) error {
			for _, it := range items[done:end] {
				if err := w.save(it.typ, it.rec, true); err != nil {
					return fmt.Errorf("%s %s: %w", it.typ, metaOf(it.rec).ID, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done = end
		if progress != nil {
			progress(done, len(items))
		}
	}
	return nil
}

// prepare normalizes and validates a record and gives it an ID.
func prepare(typ model.RecordType, rec any) error {
	m := metaOf(rec)
	if m.ID == model.NilID {
		m.ID = model.NewID()
	}
	switch r := rec.(type) {
	case *model.Customer:
		return prepareCustomer(r)
	case *model.Note:
		r.Normalize()
		return r.Validate()
	case *model.FollowUp:
		r.Normalize()
		return r.Validate()
	case *model.Gesture:
		r.Normalize()
		return r.Validate()
	case *model.Event:
		r.Normalize()
		return r.Validate()
	}
	return model.Errorf(model.EINVALID, "unknown record type %s", typ)
}
