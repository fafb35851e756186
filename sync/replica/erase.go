package replica

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/kundenkartei/kundenkartei/model"
)

// Erasures on the target. An erased person's data is in the segments and
// snapshots every device wrote before it learned of the erasure. Each
// device rewrites its own: once its database has erased (and its log no
// longer holds the values), CompactErasures writes a fresh snapshot of the
// log, deletes every own segment that snapshot covers and every older own
// snapshot, and states in erasures/<device> (sealed like a segment) the
// erasures its files no longer hold. A device that has not read the
// deleted segments yet catches up from the snapshot (see catchUp), which
// carries the erasure op itself.
const (
	erasuresDir  = "erasures"
	erasureMagic = "KKER"
)

func init() { fileKind[erasureMagic] = "erasure list" }

// ErasureStore is what CompactErasures needs of the database: a
// model.PrivacyService (storage.DB) is one.
type ErasureStore interface {
	UncompactedErasures() ([]model.ID, error)
	MarkErasuresCompacted(ids []model.ID) error
	Erasures() ([]model.Erasure, error)
}

var _ ErasureStore = model.PrivacyService(nil)

// erasureList is the body of erasures/<device>.
type erasureList struct {
	Compacted []model.ID `json:"compacted"` // erasures none of the device's files hold, in ID order
}

// CompactErasures rewrites this device's files on the target when its
// database erased someone since the last time; it does nothing otherwise.
// Call it after a Sync that pushed everything (so the erasure op itself is
// on the target) and reported no problems: Sync's end is the place. It
// returns ECONFLICT while a sync runs.
func (s *Syncer) CompactErasures(ctx context.Context, es ErasureStore) error {
	ids, err := es.UncompactedErasures()
	if err != nil || len(ids) == 0 {
		return err
	}
	if !s.mu.TryLock() {
		return model.Errorf(model.ECONFLICT, "a sync is already running")
	}
	defer s.mu.Unlock()
	me := s.log.DeviceID()
	st, err := s.open(ctx)
	if err != nil {
		return err
	}
	if err := s.push(ctx, me, st, &Report{}, func(Progress) {}); err != nil {
		return err
	}
	if err := s.rewriteOwn(ctx, me, st); err != nil {
		return err
	}
	if err := s.publishErasures(ctx, me, es, ids); err != nil {
		return err
	}
	return es.MarkErasuresCompacted(ids)
}

// rewriteOwn replaces this device's segments and snapshots with one fresh
// snapshot of its log.
func (s *Syncer) rewriteOwn(ctx context.Context, me string, st *state) error {
	var last string
	if n := len(st.Snaps); n > 0 {
		last = st.Snaps[n-1].Name
	}
	if err := s.writeSnapshot(ctx, me, st); err != nil {
		return err
	}
	if len(st.Snaps) == 0 || st.Snaps[len(st.Snaps)-1].Name == last {
		return model.Errorf(model.EINTERNAL, "no snapshot written to replace the segments of %s", me)
	}
	// writeSnapshot keeps the one before as a fallback; it holds the values.
	st.Snaps = st.Snaps[len(st.Snaps)-1:]
	if err := s.dropOldSnapshots(ctx, me, st.Snaps); err != nil {
		return err
	}
	covered := st.Snaps[0].Vector[me]
	names, err := s.target.List(ctx, devicesDir+"/"+me)
	if err != nil {
		return err
	}
	for _, n := range names {
		if seq, ok := parseSeq(n); ok && seq < covered {
			if err := s.target.Delete(ctx, segmentName(me, seq)); err != nil {
				return err
			}
		}
	}
	st.Pruned = max(st.Pruned, covered-min(covered, 1))
	if err := st.save(s.store); err != nil {
		return err
	}
	return s.resealLast(ctx, me, covered)
}

// resealLast writes this device's newest segment (seq last) again from
// the log, which no longer holds erased values. It is kept rather than
// deleted so that a device that has read less finds something new, sees
// the gap before it (its Prev) and catches up from the snapshot, and one
// that has read all but it gets its remaining ops.
func (s *Syncer) resealLast(ctx context.Context, me string, last uint64) error {
	if last == 0 {
		return nil // nothing pushed yet
	}
	data, err := s.target.Get(ctx, segmentName(me, last))
	if model.ErrorCode(err) == model.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	prev := last - 1
	if h, _, err := openSegment(s.key, data); err == nil {
		prev = h.Prev
	}
	ops, _, err := s.ownOps(me, prev, last)
	if err != nil {
		return err
	}
	return s.putSegment(ctx, me, prev, last, ops)
}

// publishErasures writes erasures/<me>: every erasure known here except
// those still pending besides ids.
func (s *Syncer) publishErasures(ctx context.Context, me string, es ErasureStore, ids []model.ID) error {
	all, err := es.Erasures()
	if err != nil {
		return err
	}
	pending, err := es.UncompactedErasures()
	if err != nil {
		return err
	}
	var list erasureList
	for _, e := range all {
		if !slices.Contains(pending, e.ID) || slices.Contains(ids, e.ID) {
			list.Compacted = append(list.Compacted, e.ID)
		}
	}
	slices.SortFunc(list.Compacted, func(a, b model.ID) int { return compareIDs(a, b) })
	body, err := json.Marshal(list)
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "encode erasure list")
	}
	data, err := sealFile(s.key, erasureMagic, segmentHeader{Device: me, Seq: 1}, body)
	if err != nil {
		return err
	}
	return s.target.Put(ctx, erasuresDir+"/"+me, data)
}

// CompactedErasures returns, for every device with an erasure list on the
// target, the erasures its files no longer hold. Lists that cannot be read
// are left out.
func (s *Syncer) CompactedErasures(ctx context.Context) (map[string][]model.ID, error) {
	names, err := s.target.List(ctx, erasuresDir)
	if err != nil {
		return nil, err
	}
	out := map[string][]model.ID{}
	for _, d := range names {
		if !validDevice(d) {
			continue
		}
		data, err := s.target.Get(ctx, erasuresDir+"/"+d)
		if err != nil {
			return nil, err
		}
		h, body, err := openFile(s.key, erasureMagic, data)
		var list erasureList
		if err != nil || h.Device != d || json.Unmarshal(body, &list) != nil {
			continue
		}
		out[d] = list.Compacted
	}
	return out, nil
}

func compareIDs(a, b model.ID) int {
	for i := range a {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return 0
}
