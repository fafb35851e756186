package replica

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/model/crdt"
)

// Snapshots bound the history a new device has to read. A snapshot is
// the compacted change log of the device that wrote it (for every field
// only the op that won, record-creating FieldAll ops all kept), together
// with the cursor vector it covers: for every device, the last segment
// whose ops it contains. A device that joins a target applies the newest
// snapshot and reads only the segments after its vector. The compacted
// log keeps every op that still decides a record (crdt.Compactor), so
// applying it gives the same records as applying every op.
//
// Snapshots live in snapshots/<unix-ms>-<seq>-<device>, so names sort by
// the writer's clock; any snapshot is correct, the newest merely saves most.
const snapshotsDir = "snapshots"

// snapshotEvery is how many ops a device pushes or applies before Sync
// writes a new snapshot of its own.
const snapshotEvery = 50_000

// snapshotName returns a snapshot's target name: the writer's wall time,
// its local log position (two snapshots never share a name) and its ID.
func snapshotName(ms int64, seq uint64, device string) string {
	return fmt.Sprintf("%s/%013d-%020d-%s", snapshotsDir, ms, seq, device)
}

// parseSnapshotName returns the writer of a snapshot file; ok is false for
// other files.
func parseSnapshotName(name string) (device string, ok bool) {
	const digits = 13 + 1 + 20
	if len(name) < digits+2 || name[13] != '-' || name[digits] != '-' {
		return "", false
	}
	for i, c := range name[:digits] {
		if i != 13 && (c < '0' || c > '9') {
			return "", false
		}
	}
	device = name[digits+1:]
	return device, validDevice(device)
}

// sealSnapshot encodes the cursor vector and ops and seals them.
func sealSnapshot(k *Key, h segmentHeader, vector map[string]uint64, ops []model.Op) ([]byte, error) {
	vec, err := json.Marshal(vector)
	if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "encode snapshot vector")
	}
	body, err := encodeOps("", ops)
	if err != nil {
		return nil, err
	}
	h.Count = uint32(len(ops))
	plain := binary.AppendUvarint(make([]byte, 0, len(vec)+len(body)+8), uint64(len(vec)))
	plain = append(append(plain, vec...), body...)
	return sealFile(k, snapshotMagic, h, plain)
}

// openSnapshot authenticates and decodes a snapshot.
func openSnapshot(k *Key, data []byte) (segmentHeader, map[string]uint64, []model.Op, error) {
	h, body, err := openFile(k, snapshotMagic, data)
	if err != nil {
		return h, nil, nil, err
	}
	d := &decoder{b: body}
	vec := d.bytes(d.uvarint())
	if d.err != nil {
		return h, nil, nil, d.err
	}
	var vector map[string]uint64
	if err := json.Unmarshal(vec, &vector); err != nil {
		return h, nil, nil, model.Errorf(model.EINVALID, "snapshot vector is malformed")
	}
	for dev := range vector {
		if !validDevice(dev) {
			return h, nil, nil, model.Errorf(model.EINVALID, "snapshot names a bad device %q", dev)
		}
	}
	ops, err := decodeOps("", d.b)
	if err != nil {
		return h, nil, nil, err
	}
	if uint32(len(ops)) != h.Count {
		return h, nil, nil, model.Errorf(model.EINVALID, "snapshot holds %d ops, header says %d", len(ops), h.Count)
	}
	return h, vector, ops, nil
}

// compact returns the ops of log that decide its records (see
// crdt.Compactor: creating ops, set deltas, per field the winner and its
// open rivals).
func (s *Syncer) compact() ([]model.Op, uint64, error) {
	var c crdt.Compactor
	var after uint64
	for {
		ops, last, err := s.log.Ops(after, s.batch)
		if err != nil {
			return nil, 0, err
		}
		if len(ops) == 0 {
			break
		}
		after = last
		for _, op := range ops {
			c.Add(op)
		}
	}
	return c.Ops(), after, nil
}

// writeSnapshot stores this device's compacted log with the cursors of
// st. It is called at the end of a sync, so the log holds every op of the
// segments the cursors name.
func (s *Syncer) writeSnapshot(ctx context.Context, me string, st *state) error {
	ops, last, err := s.compact()
	if err != nil {
		return err
	}
	if len(ops) == 0 {
		return nil
	}
	vector := map[string]uint64{me: st.Last}
	for d, seq := range st.Read {
		vector[d] = seq
	}
	data, err := sealSnapshot(s.key, segmentHeader{Device: me, Seq: last}, vector, ops)
	if err != nil {
		return err
	}
	name := snapshotName(s.now().UnixMilli(), last, me)
	if err := s.target.Put(ctx, name, data); err != nil {
		return err
	}
	st.SinceSnapshot = 0
	st.Snaps = append(st.Snaps, keptSnapshot{Name: name, Vector: vector})
	if n := len(st.Snaps) - keepSnapshots; n > 0 {
		st.Snaps = st.Snaps[n:]
	}
	if err := st.save(s.store); err != nil {
		return err
	}
	return s.dropOldSnapshots(ctx, me, st.Snaps)
}

// joinSnapshot applies the newest readable snapshot when this device has
// read nothing from the target yet, and moves its cursors to the
// snapshot's vector. Without a usable snapshot it does nothing: the
// segments hold everything too.
func (s *Syncer) joinSnapshot(ctx context.Context, me string, st *state, rep *Report) error {
	if len(st.Read) > 0 {
		return nil
	}
	names, err := s.target.List(ctx, snapshotsDir)
	if err != nil {
		return err
	}
	for i := len(names) - 1; i >= 0; i-- {
		if _, ok := parseSnapshotName(names[i]); !ok {
			continue
		}
		name := snapshotsDir + "/" + names[i]
		data, err := s.target.Get(ctx, name)
		if err != nil {
			return err
		}
		_, vector, ops, err := openSnapshot(s.key, data)
		if err != nil {
			rep.Problems = append(rep.Problems, Problem{Name: name, Err: err})
			continue // an older one may be fine
		}
		if err := s.apply(ops, rep); err != nil {
			if model.ErrorCode(err) == model.EINVALID {
				rep.Problems = append(rep.Problems, Problem{Name: name, Err: err})
				continue
			}
			return err
		}
		for d, seq := range vector {
			if d != me && seq > st.Read[d] {
				st.Read[d] = seq
			}
		}
		rep.Snapshot = strings.TrimPrefix(name, snapshotsDir+"/")
		return st.save(s.store)
	}
	return nil
}
