package replica

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

const testDevice = "0193a4b2-7c1d-7e00-8000-00000000000a"

func testKey(tb testing.TB, passphrase string) *Key {
	tb.Helper()
	return deriveKey(passphrase, []byte("salt-for-testing"), testKDF)
}

// sampleOps returns n ops of one device with realistic fields.
func sampleOps(r *rand.Rand, device string, n int) []model.Op {
	ops := make([]model.Op, n)
	h := model.MakeHLC(1_772_000_000_000, 0)
	fields := []string{"given_name", "family_name", "company", "text", "customer_id", model.FieldCreated, model.FieldDeleted}
	for i := range ops {
		h += model.HLC(1 + r.IntN(1<<20))
		f := fields[r.IntN(len(fields))]
		v, _ := json.Marshal(pick(r, familyNames) + " " + pick(r, companies))
		if f == model.FieldDeleted {
			v = json.RawMessage("true")
		}
		var prev model.HLC
		if r.IntN(2) == 0 {
			prev = h - model.HLC(r.IntN(1<<30))
		}
		ops[i] = model.Op{Type: model.RecordTypes[r.IntN(len(model.RecordTypes))], ID: randomID(r), Field: f,
			Value: v, HLC: h, Device: device, Author: pick(r, givenNames), Prev: prev}
	}
	return ops
}

func TestSegmentRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	k := testKey(t, "correct horse battery")
	odd := []model.Op{
		// HLCs need not rise within a segment, Prev may be newer than HLC.
		{Type: model.TypeNote, ID: randomID(r), Field: "text", Value: json.RawMessage(`"Grüezi\n\"zäme\""`),
			HLC: 900, Device: testDevice, Author: "", Prev: 950},
		{Type: model.TypeCustomer, ID: randomID(r), Field: "tags", Value: json.RawMessage(`["Messe Basel 2026"]`),
			HLC: 5, Device: testDevice, Author: "Lea", Prev: 0},
		{Type: "future-type", ID: model.NilID, Field: "x", Value: json.RawMessage(`null`),
			HLC: 1<<63 + 7, Device: testDevice, Author: "Lea", Prev: 1},
	}
	tests := []struct {
		name string
		prev uint64
		seq  uint64
		ops  []model.Op
	}{
		{"empty", 0, 1, nil},
		{"one", 0, 3, sampleOps(r, testDevice, 1)},
		{"many", 3, 2000, sampleOps(r, testDevice, 1997)},
		{"odd", 1<<40 - 1, 1 << 40, odd},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := sealSegment(k, segmentHeader{Device: testDevice, Seq: tc.seq, Prev: tc.prev}, tc.ops)
			if err != nil {
				t.Fatal(err)
			}
			h, got, err := openSegment(k, data)
			if err != nil {
				t.Fatal(err)
			}
			if h.Device != testDevice || h.Seq != tc.seq || h.Prev != tc.prev || int(h.Count) != len(tc.ops) {
				t.Errorf("got header %+v, want device %s seq %d prev %d count %d", h, testDevice, tc.seq, tc.prev, len(tc.ops))
			}
			if !equalOps(got, tc.ops) {
				t.Errorf("got %d ops differing from the %d written", len(got), len(tc.ops))
			}
		})
	}
}

func TestSealRejects(t *testing.T) {
	k := testKey(t, "correct horse battery")
	r := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		name   string
		device string
		ops    []model.Op
	}{
		{"foreign op", testDevice, sampleOps(r, "someone-else", 2)},
		{"device with slash", "a/b", nil},
		{"empty device", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := sealSegment(k, segmentHeader{Device: tc.device, Seq: 2}, tc.ops); err == nil {
				t.Error("got no error")
			}
		})
	}
}

// TestSegmentTamper checks that no change to a segment gets through:
// every flipped byte, every truncation, a foreign key, a newer version.
func TestSegmentTamper(t *testing.T) {
	k := testKey(t, "correct horse battery")
	r := rand.New(rand.NewPCG(5, 6))
	data, err := sealSegment(k, segmentHeader{Device: testDevice, Seq: 42, Prev: 17}, sampleOps(r, testDevice, 30))
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		bad := bytes.Clone(data)
		bad[i] ^= 0x01
		if _, ops, err := openSegment(k, bad); model.ErrorCode(err) != model.EINVALID || ops != nil {
			t.Fatalf("byte %d flipped: got %d ops, code %q, want none and %q", i, len(ops), model.ErrorCode(err), model.EINVALID)
		}
	}
	for n := 0; n < len(data); n++ {
		if _, ops, err := openSegment(k, data[:n]); model.ErrorCode(err) != model.EINVALID || ops != nil {
			t.Fatalf("cut to %d bytes: got %d ops, code %q, want none and %q", n, len(ops), model.ErrorCode(err), model.EINVALID)
		}
	}
	if _, _, err := openSegment(k, append(bytes.Clone(data), 0)); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("appended byte: got code %q, want %q", model.ErrorCode(err), model.EINVALID)
	}
	tests := []struct {
		name string
		key  *Key
		data []byte
		msg  string
	}{
		{"foreign key", testKey(t, "another passphrase"), data, "another sync target"},
		{"newer version", k, append(append([]byte(segmentMagic), segmentVersion+1), data[5:]...), "please update"},
		{"not a segment", k, []byte("PK\x03\x04 a zip file, not ours at all, padded to be long enough"), "not a Kundenkartei"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := openSegment(tc.key, tc.data)
			if model.ErrorCode(err) != model.EINVALID {
				t.Fatalf("got code %q, want %q", model.ErrorCode(err), model.EINVALID)
			}
			if !bytes.Contains([]byte(model.ErrorMessage(err)), []byte(tc.msg)) {
				t.Errorf("got message %q, want it to contain %q", model.ErrorMessage(err), tc.msg)
			}
		})
	}
}

func TestSegmentName(t *testing.T) {
	tests := []struct {
		name string
		seq  uint64
		ok   bool
	}{
		{"00000000000000000001", 1, true},
		{"18446744073709551615", 1<<64 - 1, true},
		{"00000000000000000000", 0, false},
		{"1", 0, false},
		{"0000000000000000000x", 0, false},
		{".tmp-00000000000000001", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seq, ok := parseSeq(tc.name)
			if seq != tc.seq || ok != tc.ok {
				t.Errorf("got %d, %v, want %d, %v", seq, ok, tc.seq, tc.ok)
			}
		})
	}
	if got, want := segmentName("d", 42), "devices/d/00000000000000000042"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzDecodeOps feeds arbitrary bodies to the op decoder: it must never
// panic or over-allocate, and whatever it accepts must encode back to ops
// that decode equal.
func FuzzDecodeOps(f *testing.F) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 5} {
		body, err := encodeOps(testDevice, sampleOps(r, testDevice, n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, body []byte) {
		ops, err := decodeOps(testDevice, body)
		if err != nil {
			if model.ErrorCode(err) != model.EINVALID {
				t.Fatalf("got code %q, want %q", model.ErrorCode(err), model.EINVALID)
			}
			return
		}
		again, err := encodeOps(testDevice, ops)
		if err != nil {
			t.Fatal(err)
		}
		ops2, err := decodeOps(testDevice, again)
		if err != nil || !equalOps(ops, ops2) {
			t.Fatalf("re-encoded ops do not decode equal: %v", err)
		}
	})
}

// FuzzOpenSegment feeds arbitrary files to the segment reader: it must
// reject everything it did not seal without panicking.
func FuzzOpenSegment(f *testing.F) {
	k := testKey(f, "correct horse battery")
	r := rand.New(rand.NewPCG(9, 10))
	// Fuzz workers are separate processes and nonces are random, so each
	// seals its own copy; only the ops are the same everywhere.
	want := sampleOps(r, testDevice, 3)
	data, err := sealSegment(k, segmentHeader{Device: testDevice, Seq: 9, Prev: 2}, want)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(bytes.Clone(data))
	f.Add(bytes.Clone(data[:40]))
	f.Add([]byte(segmentMagic + "\x01"))
	f.Fuzz(func(t *testing.T, in []byte) {
		h, ops, err := openSegment(k, in)
		if err == nil && (h.Seq != 9 || h.Prev != 2 || !equalOps(ops, want)) {
			t.Fatalf("accepted a file it did not seal: %+v, %d ops", h, len(ops))
		}
	})
}

func TestSnapshotName(t *testing.T) {
	name := snapshotName(1_772_000_000_123, 42, testDevice)
	dev, ok := parseSnapshotName(name[len(snapshotsDir)+1:])
	if !ok || dev != testDevice {
		t.Errorf("got %q, %v, want %q, true", dev, ok, testDevice)
	}
	for _, bad := range []string{"", "1772000000123-" + testDevice, "177200000012x-00000000000000000042-" + testDevice, "1772000000123-00000000000000000042-a/b"} {
		if _, ok := parseSnapshotName(bad); ok {
			t.Errorf("%q: got ok, want not a snapshot", bad)
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	k := testKey(t, "correct horse battery")
	r := rand.New(rand.NewPCG(15, 16))
	ops := append(sampleOps(r, testDevice, 20), sampleOps(r, "0193a4b2-7c1d-7e00-8000-00000000000b", 20)...)
	vector := map[string]uint64{testDevice: 99, "0193a4b2-7c1d-7e00-8000-00000000000b": 7}
	data, err := sealSnapshot(k, segmentHeader{Device: testDevice, Seq: 120}, vector, ops)
	if err != nil {
		t.Fatal(err)
	}
	_, gotVec, got, err := openSnapshot(k, data)
	if err != nil || !equalOps(got, ops) || len(gotVec) != 2 || gotVec[testDevice] != 99 {
		t.Fatalf("got %d ops, vector %v, %v", len(got), gotVec, err)
	}
	// A snapshot is not a segment and the other way round.
	if _, _, err := openSegment(k, data); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("snapshot opened as a segment: got %v, want EINVALID", err)
	}
	seg, err := sealSegment(k, segmentHeader{Device: testDevice, Seq: 3}, ops[:20])
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := openSnapshot(k, seg); model.ErrorCode(err) != model.EINVALID {
		t.Errorf("segment opened as a snapshot: got %v, want EINVALID", err)
	}
}
