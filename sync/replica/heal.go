package replica

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kundenkartei/kundenkartei/model"
)

// Healing: a segment that a reader cannot open (one byte changed by a
// file-sync service or a failing USB stick, a foreign or truncated file)
// must not stop that reader from receiving the writer's later changes,
// and must not need a person to put the original file back.
//
// The reader remembers the segment as a hole (state.Holes), applies the
// device's later segments (ops are idempotent and commutative, so the
// order does not matter; the hole is applied when it arrives), and lists
// its holes in a sealed request file in its own directory:
//
//	devices/<reader>/heal-requests
//
// At its next sync the writer finds requests naming its segments and
// writes each again, from its own change log, as a copy beside the
// damaged one:
//
//	devices/<writer>/<seq>.heal<n>    n counts the copies of seq: 1, 2, ...
//
// A copy carries the same header as the segment it replaces (seq and
// previous seq), so it is authenticated for exactly that place. The
// reader applies the newest copy it has not found damaged, or the segment
// itself when it became readable again (a writer repairing a partial
// upload writes it under its own name); a damaged copy is named in the
// next request, so the writer makes another.
//
// Skipping is safe because the reader keeps, for every hole, the cursor
// it had before the hole (hole.After): the hole's header may name an
// earlier segment the reader never saw (a file-sync service still
// copying), which then becomes a hole too. The cursor the reader
// publishes for pruning stays at the lowest such point, and the reader
// writes no snapshot while it has holes, so nothing it lacks is pruned or
// claimed.
const (
	requestsFile = "heal-requests"
	requestMagic = "KKRQ"
	healMarker   = ".heal"
)

func init() { fileKind[requestMagic] = "heal request" }

// hole is a segment of another device this device could not apply yet.
type hole struct {
	After uint64 `json:"after"` // the device's cursor before the hole
	Tried int    `json:"tried"` // highest copy number found damaged too
}

// healRequest asks device Device to write segment Seq again; copies up to
// Tried were damaged too.
type healRequest struct {
	Device string `json:"device"`
	Seq    uint64 `json:"seq"`
	Tried  int    `json:"tried"`
}

func requestsName(device string) string { return devicesDir + "/" + device + "/" + requestsFile }

// healName returns the target name of copy n of device's segment seq.
func healName(device string, seq uint64, n int) string {
	return segmentName(device, seq) + healMarker + strconv.Itoa(n)
}

// parseHeal reads the file name of a segment copy; ok is false for others.
func parseHeal(name string) (seq uint64, n int, ok bool) {
	base, num, found := strings.Cut(name, healMarker)
	if !found {
		return 0, 0, false
	}
	seq, ok = parseSeq(base)
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 || strconv.Itoa(n) != num {
		return 0, 0, false
	}
	return seq, n, true
}

// skip makes segment seq of device d, which could not be opened, a hole
// and moves d's cursor past it. cursor is d's cursor before it.
func (s *Syncer) skip(d string, seq, cursor uint64, st *state, rep *Report, err error) error {
	if st.Holes == nil {
		st.Holes = map[string]map[uint64]hole{}
	}
	if st.Holes[d] == nil {
		st.Holes[d] = map[uint64]hole{}
	}
	st.Holes[d][seq] = hole{After: cursor}
	rep.Skipped = append(rep.Skipped, Problem{Name: segmentName(d, seq), Err: err})
	return s.advance(d, seq, 0, st)
}

// fillHoles applies what arrived for d's holes: the newest undamaged copy
// or the segment itself. names is d's directory listing.
func (s *Syncer) fillHoles(ctx context.Context, d string, names []string, st *state, rep *Report) error {
	// A filled hole may reveal another (its previous segment, never seen):
	// go on while holes get filled.
	for filled := true; filled && len(st.Holes[d]) > 0; {
		before := rep.Repaired
		if err := s.fillPass(ctx, d, names, st, rep); err != nil {
			return err
		}
		filled = rep.Repaired > before
	}
	if len(st.Holes[d]) == 0 {
		delete(st.Holes, d)
	}
	return st.save(s.store)
}

// fillPass tries every hole of d once.
func (s *Syncer) fillPass(ctx context.Context, d string, names []string, st *state, rep *Report) error {
	seqs := make([]uint64, 0, len(st.Holes[d]))
	for seq := range st.Holes[d] {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	for _, seq := range seqs {
		if err := ctx.Err(); err != nil {
			return err
		}
		h := st.Holes[d][seq]
		for _, name := range candidates(d, seq, h.Tried, names) {
			data, err := s.target.Get(ctx, name)
			if model.ErrorCode(err) == model.ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			hd, ops, err := openSegment(s.key, data)
			if err == nil && (hd.Device != d || hd.Seq != seq) {
				err = model.Errorf(model.EINVALID, "copy was renamed or moved")
			}
			if err != nil {
				if _, n, ok := parseHeal(strings.TrimPrefix(name, devicesDir+"/"+d+"/")); ok {
					h.Tried = max(h.Tried, n)
				}
				continue
			}
			if err := s.apply(ops, rep); model.ErrorCode(err) == model.EINVALID {
				rep.Problems = append(rep.Problems, Problem{Name: name, Err: err})
				break
			} else if err != nil {
				return err
			}
			delete(st.Holes[d], seq)
			if hd.Prev > h.After {
				// Segments between the old cursor and this one were never
				// seen: they are holes too, read when they arrive.
				st.Holes[d][hd.Prev] = hole{After: h.After}
			}
			rep.Repaired++
			break
		}
		if _, open := st.Holes[d][seq]; open {
			st.Holes[d][seq] = h
		}
	}
	return nil
}

// candidates returns the files that may fill hole seq of d, best first:
// copies newer than tried, newest first, then the segment itself.
func candidates(d string, seq uint64, tried int, names []string) []string {
	type cp struct {
		name string
		n    int
	}
	var cps []cp
	for _, name := range names {
		if q, n, ok := parseHeal(name); ok && q == seq && n > tried {
			cps = append(cps, cp{name, n})
		}
	}
	sort.Slice(cps, func(i, j int) bool { return cps[i].n > cps[j].n })
	var out []string
	for _, c := range cps {
		out = append(out, devicesDir+"/"+d+"/"+c.name)
	}
	if slices.Contains(names, fmt.Sprintf("%020d", seq)) {
		out = append(out, segmentName(d, seq))
	}
	return out
}

// sendRequests writes this device's heal requests when they changed, and
// removes the file when there are none.
func (s *Syncer) sendRequests(ctx context.Context, me string, st *state) error {
	reqs := []healRequest{}
	for d, hs := range st.Holes {
		for seq, h := range hs {
			reqs = append(reqs, healRequest{Device: d, Seq: seq, Tried: h.Tried})
		}
	}
	sort.Slice(reqs, func(i, j int) bool {
		if reqs[i].Device != reqs[j].Device {
			return reqs[i].Device < reqs[j].Device
		}
		return reqs[i].Seq < reqs[j].Seq
	})
	body, err := json.Marshal(reqs)
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "encode heal requests")
	}
	if string(body) == st.RequestSent || len(reqs) == 0 && st.RequestSent == "" {
		return nil
	}
	if len(reqs) == 0 {
		err = s.target.Delete(ctx, requestsName(me))
		body = nil
	} else {
		var data []byte
		data, err = sealFile(s.key, requestMagic, segmentHeader{Device: me, Seq: 1}, body)
		if err == nil {
			err = s.target.Put(ctx, requestsName(me), data)
		}
	}
	if err != nil {
		return err
	}
	st.RequestSent = string(body)
	return st.save(s.store)
}

// heal writes again the own segments other devices asked for. listed is
// every other device's directory listing.
func (s *Syncer) heal(ctx context.Context, me string, st *state, rep *Report, listed map[string][]string) error {
	var want []healRequest
	for _, d := range sortedKeys(listed) {
		if !slices.Contains(listed[d], requestsFile) {
			continue
		}
		data, err := s.target.Get(ctx, requestsName(d))
		if model.ErrorCode(err) == model.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		h, body, err := openFile(s.key, requestMagic, data)
		var reqs []healRequest
		if err != nil || h.Device != d || json.Unmarshal(body, &reqs) != nil {
			continue // a damaged request is written again when it changes
		}
		for _, r := range reqs {
			if r.Device == me {
				want = append(want, r)
			}
		}
	}
	if len(want) == 0 {
		return nil
	}
	own, err := s.target.List(ctx, devicesDir+"/"+me)
	if err != nil {
		return err
	}
	for _, r := range want {
		if st.Heals[r.Seq] > r.Tried || r.Seq > st.Last {
			continue // a copy the reader has not seen yet, or not ours yet
		}
		if err := s.resend(ctx, me, r.Seq, max(st.Heals[r.Seq], r.Tried)+1, own, st); err != nil {
			return err
		}
		rep.Resent = append(rep.Resent, segmentName(me, r.Seq))
	}
	return nil
}

// resend writes copy n of own segment seq from the change log.
func (s *Syncer) resend(ctx context.Context, me string, seq uint64, n int, own []string, st *state) error {
	prev := uint64(0)
	if data, err := s.target.Get(ctx, segmentName(me, seq)); err == nil {
		if h, _, err := openSegment(s.key, data); err == nil && h.Seq == seq {
			prev = h.Prev
		}
	}
	if prev == 0 {
		// Our own copy is damaged too: the segment starts after the one
		// before it. Starting earlier only repeats ops, which is harmless.
		for _, q := range newSeqs(own, 0) {
			if q < seq {
				prev = q
			}
		}
	}
	ops, _, err := s.ownOps(me, prev, seq)
	if err != nil {
		return err
	}
	data, err := sealSegment(s.key, segmentHeader{Device: me, Seq: seq, Prev: prev}, ops)
	if err != nil {
		return err
	}
	if err := s.target.Put(ctx, healName(me, seq, n), data); err != nil {
		return err
	}
	if st.Heals == nil {
		st.Heals = map[uint64]int{}
	}
	st.Heals[seq] = n
	return st.save(s.store)
}

// holeFloor returns the cursor d may be published at for pruning: below
// every hole of d.
func (st *state) holeFloor(d string) uint64 {
	floor := st.Read[d]
	for _, h := range st.Holes[d] {
		floor = min(floor, h.After)
	}
	return floor
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
