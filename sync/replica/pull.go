package replica

import (
	"context"
	"sync"

	"github.com/kundenkartei/kundenkartei/model"
)

// pull reads and applies other devices' new segments, device by device,
// each in order. A device whose next segment is missing or rejected is
// left there until the next sync; the others go on.
func (s *Syncer) pull(ctx context.Context, me string, st *state, rep *Report, progress func(Progress)) (map[string][]string, error) {
	if err := s.joinSnapshot(ctx, me, st, rep); err != nil {
		return nil, err
	}
	devs, err := s.target.List(ctx, devicesDir)
	if err != nil {
		return nil, err
	}
	todo := map[string][]uint64{}
	listed := map[string][]string{}
	total := 0
	for _, d := range devs {
		if d == me || !validDevice(d) {
			continue
		}
		names, err := s.target.List(ctx, devicesDir+"/"+d)
		if err != nil {
			return nil, err
		}
		listed[d] = names
		if seqs := newSeqs(names, st.Read[d]); len(seqs) > 0 {
			todo[d] = seqs
			total += len(seqs)
		}
	}
	done := 0
	// Segments are read and opened a few ahead, in parallel, while earlier
	// ones are applied; reads still running when pull returns are cancelled
	// and waited for.
	fctx, cancel := context.WithCancel(ctx)
	var reads sync.WaitGroup
	defer reads.Wait()
	defer cancel()
	for _, d := range devs {
		if len(st.Holes[d]) > 0 {
			if err := s.fillHoles(ctx, d, listed[d], st, rep); err != nil {
				return nil, err
			}
		}
		seqs := todo[d]
		var ahead []<-chan fetched
		next := 0
		readAhead := func() {
			for ; next < len(seqs) && len(ahead) < segmentsAhead; next++ {
				ahead = append(ahead, s.fetch(fctx, &reads, d, seqs[next]))
			}
		}
		// Consecutive segments are applied together, up to applyOps ops:
		// one ApplyOps call merges each record once and writes each
		// customer's stats and listing once, where one call per segment
		// would rewrite them for every segment that touches the customer.
		// The cursor moves only after the batch is applied.
		b := batch{d: d}
		cursor := st.Read[d]
		flush := func() (bool, error) {
			n := len(b.seqs)
			ok, err := s.applyBatch(&b, st, rep)
			b.reset()
			if n > 0 && err == nil {
				done += n
				progress(Progress{Phase: PhasePull, Device: d, Done: done, Total: total})
			}
			return ok, err
		}
	segments:
		for range seqs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			readAhead()
			got := <-ahead[0]
			ahead = ahead[1:]
			seq := got.seq
			name := segmentName(d, seq)
			h, ops, err := got.h, got.ops, got.err
			if model.ErrorCode(got.getErr) == model.ENOTFOUND {
				rep.Waiting = append(rep.Waiting, d)
				break
			} else if got.getErr != nil {
				return nil, got.getErr
			}
			if err != nil && !got.newer {
				// A read cut short looks damaged too: read it once more
				// before it becomes a hole, so what is whole is applied in
				// order.
				again := <-s.fetch(ctx, &reads, d, seq)
				if again.getErr == nil {
					h, ops, err = again.h, again.ops, again.err
				}
			}
			if err == nil && (h.Device != d || h.Seq != seq) {
				err = model.Errorf(model.EINVALID, "segment was renamed or moved (it says %s)", segmentName(h.Device, h.Seq))
			}
			switch {
			case err != nil && got.newer:
				rep.Problems = append(rep.Problems, Problem{Name: name, Err: err})
				break segments
			case err != nil:
				// Damaged: skip it, go on with the later segments, and ask
				// the writer for it (heal.go). What is batched goes first,
				// so the cursor moves in order.
				if ok, err := flush(); err != nil {
					return nil, err
				} else if !ok {
					break segments
				}
				if err := s.skip(d, seq, cursor, st, rep, err); err != nil {
					return nil, err
				}
				cursor = seq
				continue
			case h.Prev > cursor:
				// An earlier segment is missing: pruned (then a snapshot
				// covers it), or it has not arrived yet.
				if !gapIsPruned(listed[d], cursor) {
					rep.Waiting = append(rep.Waiting, d)
					break segments
				}
				// The snapshot moves and saves the cursors: what is
				// batched goes first.
				if ok, err := flush(); err != nil {
					return nil, err
				} else if !ok {
					break segments
				}
				ok, err := s.catchUp(ctx, me, st, rep, d, h.Prev)
				if err != nil {
					return nil, err
				}
				if !ok {
					rep.Waiting = append(rep.Waiting, d)
					break segments
				}
				cursor = st.Read[d]
			}
			// Prev below the cursor is a segment that overlaps one already
			// applied (a retried write that the writer thought had failed);
			// it holds everything up to seq, and re-applying is harmless.
			b.add(seq, ops)
			cursor = max(cursor, seq)
			if b.nops >= s.applyOps {
				if ok, err := flush(); err != nil {
					return nil, err
				} else if !ok {
					break segments
				}
			}
		}
		if _, err := flush(); err != nil {
			return nil, err
		}
	}
	return listed, nil
}

// segmentsAhead is how many segments pull reads and opens ahead of the
// one it is at, each in its own goroutine.
const segmentsAhead = 4

// applyOps is how many ops pull collects from consecutive segments of a
// device before it applies them (in one ApplyOps call): about 50 MB of
// decoded ops at most.
const applyOps = 100_000

// batch is consecutive segments of device d waiting to be applied.
type batch struct {
	d    string
	seqs []uint64
	ops  [][]model.Op // ops of each of seqs
	nops int
}

func (b *batch) add(seq uint64, ops []model.Op) {
	b.seqs = append(b.seqs, seq)
	b.ops = append(b.ops, ops)
	b.nops += len(ops)
}

// reset empties b, letting go of the applied ops.
func (b *batch) reset() {
	clear(b.ops)
	b.seqs, b.ops, b.nops = b.seqs[:0], b.ops[:0], 0
}

// applyBatch applies b and moves d's cursor to its last segment. When
// storage rejects the batch as not understood (EINVALID: a newer
// version's record type), the segments are applied one by one, so that
// the ones before the rejected segment still land; the rejected one is
// reported, the device stays there, and applyBatch returns false.
func (s *Syncer) applyBatch(b *batch, st *state, rep *Report) (bool, error) {
	if len(b.seqs) == 0 {
		return true, nil
	}
	all := b.ops[0]
	if len(b.ops) > 1 {
		all = make([]model.Op, 0, b.nops)
		for i, ops := range b.ops {
			all = append(all, ops...)
			// The segment's own array goes: its ops are held once.
			b.ops[i] = all[len(all)-len(ops) : len(all) : len(all)]
		}
	}
	err := s.apply(all, rep)
	if err == nil {
		return true, s.advance(b.d, b.seqs[len(b.seqs)-1], b.nops, st)
	}
	if model.ErrorCode(err) != model.EINVALID {
		return false, err
	}
	if len(b.seqs) == 1 {
		rep.Problems = append(rep.Problems, Problem{Name: segmentName(b.d, b.seqs[0]), Err: err})
		return false, nil
	}
	for i, seq := range b.seqs {
		if err := s.apply(b.ops[i], rep); model.ErrorCode(err) == model.EINVALID {
			rep.Problems = append(rep.Problems, Problem{Name: segmentName(b.d, seq), Err: err})
			return false, nil
		} else if err != nil {
			return false, err
		}
		if err := s.advance(b.d, seq, len(b.ops[i]), st); err != nil {
			return false, err
		}
	}
	return true, nil
}

// advance records that device d's segments up to seq are applied.
func (s *Syncer) advance(d string, seq uint64, nops int, st *state) error {
	if seq > st.Read[d] {
		st.Read[d] = seq
	}
	st.SinceSnapshot += nops
	return st.save(s.store)
}

// fetched is a segment read from the target and opened.
type fetched struct {
	seq    uint64
	h      segmentHeader
	ops    []model.Op
	getErr error // reading it from the target failed
	err    error // opening it failed
	newer  bool  // it failed because a newer Kundenkartei wrote it
}

// fetch reads and opens segment seq of device d in the background.
func (s *Syncer) fetch(ctx context.Context, wg *sync.WaitGroup, d string, seq uint64) <-chan fetched {
	out := make(chan fetched, 1)
	wg.Go(func() {
		data, err := s.target.Get(ctx, segmentName(d, seq))
		if err != nil {
			out <- fetched{seq: seq, getErr: err}
			return
		}
		h, ops, err := openSegment(s.key, data)
		newer := err != nil && h.Version > segmentVersion
		out <- fetched{seq: seq, h: h, ops: ops, err: err, newer: newer}
	})
	return out
}
