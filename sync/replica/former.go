package replica

import (
	"context"
	"math"
)

// sendFormer sends what the database's former identity left unsent. A
// database restored from a backup gets a new device ID when its old one
// had sent segments (storage.Restore); its log may hold changes the old
// identity made after its last sync and before the backup. A device sends
// only the changes stamped with its own ID, and a segment holds only its
// device's changes, so these would never reach another device. When the
// target holds no segment of the old identity beyond what the state knows
// (the file the backup replaced sent nothing more, or it would have sent
// them too), sendFormer writes them as the old identity's next segment,
// as its own next sync would have, before adopt moves the state to the
// new ID. It changes nothing when the state is the current identity's.
func (s *Syncer) sendFormer(ctx context.Context, me string, st *state, rep *Report) error {
	old := st.Device
	if old == "" || old == me || !validDevice(old) {
		return nil
	}
	names, err := s.target.List(ctx, devicesDir+"/"+old)
	if err != nil {
		return err
	}
	if len(newSeqs(names, st.Last)) > 0 {
		return nil // the replaced file went on sending: adopt reads it back
	}
	unsent, end, err := s.ownOps(old, st.Scanned, math.MaxUint64)
	if err != nil {
		return err
	}
	if len(unsent) == 0 {
		return nil
	}
	if err := s.putSegment(ctx, old, st.Last, end, unsent); err != nil {
		return err
	}
	st.Last = end // adopt counts it as read: no need to apply it again
	if err := st.save(s.store); err != nil {
		return err
	}
	rep.Pushed += len(unsent)
	rep.Segments++
	return nil
}
