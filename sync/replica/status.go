package replica

import (
	"context"
	"time"
)

// Status describes the sync state of this device.
type Status struct {
	Device     string    // this device's ID
	Target     string    // the target's ID, "" before the first sync
	LastSync   time.Time // end of the last complete sync, zero if never
	PendingOps int       // own ops not yet pushed
	Devices    []DeviceStatus
}

// DeviceStatus is how far this device has read another one.
type DeviceStatus struct {
	Device string
	Read   int // segments applied
	Unread int // segments on the target not yet applied
}

// Status reports the last sync, the own ops waiting to be pushed and how
// far every other device on the target has been read. It reads the
// target; when the target cannot be reached it returns the local part
// with the error.
func (s *Syncer) Status(ctx context.Context) (Status, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	me := s.log.DeviceID()
	stat := Status{Device: me}
	st, err := loadState(s.store)
	if err != nil {
		return stat, err
	}
	stat.Target, stat.LastSync = st.Target, st.LastSync
	for after := st.Scanned; ; {
		ops, last, err := s.log.Ops(after, s.batch)
		if err != nil {
			return stat, err
		}
		if len(ops) == 0 {
			break
		}
		for i := range ops {
			if ops[i].Device == me {
				stat.PendingOps++
			}
		}
		after = last
	}
	if d, err := readDescription(ctx, s.target); err != nil {
		return stat, err
	} else if d.ID != st.Target {
		st.Read = nil // another target: nothing read yet
	}
	devs, err := s.target.List(ctx, devicesDir)
	if err != nil {
		return stat, err
	}
	for _, d := range devs {
		if d == me || !validDevice(d) {
			continue
		}
		names, err := s.target.List(ctx, devicesDir+"/"+d)
		if err != nil {
			return stat, err
		}
		ds := DeviceStatus{Device: d}
		for _, n := range names {
			if seq, ok := parseSeq(n); ok && seq <= st.Read[d] {
				ds.Read++
			} else if ok {
				ds.Unread++
			}
		}
		stat.Devices = append(stat.Devices, ds)
	}
	return stat, nil
}
