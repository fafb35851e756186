package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// Ops returns up to limit ops after local sequence number after.
func (db *DB) Ops(after uint64, limit int) ([]model.Op, uint64, error) {
	var out []model.Op
	last := after
	err := db.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketLog).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			var op model.Op
			if err := json.Unmarshal(v, &op); err != nil {
				return model.WrapError(model.EINTERNAL, err, "decode log entry %d", binary.BigEndian.Uint64(k))
			}
			out = append(out, op)
			last = binary.BigEndian.Uint64(k)
		}
		return nil
	})
	return out, last, err
}

// applyChunk is how many records one transaction of ApplyOps merges: sync
// batches are mostly small new records, so more of them share an fsync.
const applyChunk = 5000

// applyPiece is how many records ApplyOps merges ahead at a time: small
// enough that the first transaction soon has work.
const applyPiece = 500

// ApplyOps merges ops from other devices. All ops are checked first; a bad
// one rejects the whole batch before anything is written. The ops are
// grouped by record (merging is commutative per field, so only each
// record's own order is kept) and committed a chunk of records at a time;
// each chunk is atomic and re-applying is harmless.
func (db *DB) ApplyOps(ops []model.Op) (model.ApplyResult, error) {
	var res model.ApplyResult
	if err := checkOps(ops); err != nil {
		return res, err
	}
	ops, err := db.takeErasures(ops) // erase_sync.go
	if err != nil {
		return res, err
	}
	byRecord := groupByRecord(ops)
	// Records are merged ahead in pieces (see prepare) while the ones
	// before them are written: merging is most of the work and needs no
	// transaction, so it goes to other cores. A transaction takes pieces
	// until it has applyChunk records.
	type prepared struct {
		recs []*merged
		err  error
	}
	region := db.currentSettings().Region
	defer db.dir.Hold()()
	pieces := make(chan prepared, 2)
	stop, stopped := make(chan struct{}), make(chan struct{})
	defer func() { close(stop); <-stopped }() // no merging goes on after return
	go func() {
		defer close(stopped)
		defer close(pieces)
		for done := 0; done < len(byRecord); done += applyPiece {
			recs, err := db.prepare(byRecord[done:min(done+applyPiece, len(byRecord))], region)
			select {
			case pieces <- prepared{recs, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
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
			late.notify()
		}
	}()
	for first := range pieces {
		if first.err != nil {
			return res, first.err
		}
		var part model.ApplyResult
		w, err := db.updateLate(func(w *writer) error {
			part = model.ApplyResult{}
			w.queueIndex = true
			n := 0
			for p := first; ; {
				for _, m := range p.recs {
					if err := w.applyMerged(m, &part); err != nil {
						return err
					}
				}
				if n += len(p.recs); n >= applyChunk {
					return nil
				}
				var more bool
				if p, more = <-pieces; !more {
					return nil
				} else if p.err != nil {
					return p.err
				}
			}
		})
		if err != nil {
			return res, err
		}
		if late != nil {
			late.notify() // its update was settled inside this chunk
		}
		late = w
		res.Applied += part.Applied
		res.Ignored += part.Ignored
		res.Conflicts += part.Conflicts
		res.Drift = max(res.Drift, part.Drift)
	}
	return res, nil
}

// groupByRecord returns the ops of each record, in their order, as
// stretches of one sorted copy of ops (no map, no slice per record: a
// sync's 100,000 ops are held once more, not twice). Records go in key
// order, customers and events first so that the records referring to them
// find them. Each chunk of ApplyOps then covers one stretch of every
// bucket: random IDs in arrival order would make every commit rewrite
// pages all over the buckets, most of them again in the next chunk.
// Merging is commutative, so the order is free.
func groupByRecord(ops []model.Op) [][]model.Op {
	// By ID, and by position within one ID.
	order := make([]int32, len(ops))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := bytes.Compare(ops[a].ID[:], ops[b].ID[:]); c != 0 {
			return c
		}
		return int(a - b)
	})
	// A record's rank is its first op's type's.
	type group struct{ start, end, rank int }
	var groups []group
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && ops[order[j]].ID == ops[order[i]].ID {
			j++
		}
		groups = append(groups, group{i, j, applyRank(ops[order[i]].Type)})
		i = j
	}
	slices.SortStableFunc(groups, func(a, b group) int { return a.rank - b.rank }) // IDs stay in order
	sorted := make([]model.Op, 0, len(ops))
	out := make([][]model.Op, len(groups))
	for g, gr := range groups {
		from := len(sorted)
		for _, i := range order[gr.start:gr.end] {
			sorted = append(sorted, ops[i])
		}
		out[g] = sorted[from:len(sorted):len(sorted)]
	}
	return out
}

// applyRank orders record types for ApplyOps: customers, then events,
// then the records that belong to them.
func applyRank(t model.RecordType) int {
	switch t {
	case model.TypeCustomer:
		return 0
	case model.TypeEvent:
		return 1
	}
	return 2
}

// checkOps checks every op, spread over the CPUs: validating 100,000
// values takes a tenth of a second on one core, and nothing else can start
// before it is done. The error is the first bad op's.
func checkOps(ops []model.Op) error {
	return parallel(len(ops), 1024, func(lo, hi int) error {
		for i := lo; i < hi; i++ {
			if err := checkOp(&ops[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkOp rejects ops no device of ours could have written.
func checkOp(op *model.Op) error {
	switch {
	case newRecord(op.Type) == nil:
		return model.Errorf(model.EINVALID, "op with unknown record type %q", op.Type)
	case op.ID == model.NilID:
		return model.Errorf(model.EINVALID, "op without record id")
	case op.Field == "" || model.MetaFields[op.Field]:
		return model.Errorf(model.EINVALID, "op with invalid field %q", op.Field)
	case op.HLC == 0 || op.Device == "":
		return model.Errorf(model.EINVALID, "op without stamp")
	case !validJSON(op.Value):
		return model.Errorf(model.EINVALID, "op with invalid value for %s.%s", op.Type, op.Field)
	}
	return nil
}
