package replica

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/kundenkartei/kundenkartei/model"
)

// Segment file layout (all integers big-endian):
//
//	magic    "KKSG"
//	version  1 byte (segmentVersion)
//	key id   8 bytes: first bytes of the key-check value
//	seq      8 bytes: local log sequence number of the writer's last op
//	         in this segment; also the file name
//	prev     8 bytes: seq of the writer's previous segment, 0 for the first
//	count    4 bytes: number of ops
//	device   1 byte length + device ID
//	nonce    24 bytes
//	sealed   XChaCha20-Poly1305(flate(body)) with everything before the
//	         nonce as additional data
//
// The header travels in clear so a reader can tell a foreign or newer
// file from a damaged one, but it is authenticated with the body: a file
// renamed to another seq, moved to another device's directory or cut short
// fails to open.
//
// The body is a string table (record types, field names, authors,
// devices) followed by the ops; each op is type index, 16-byte ID, field
// index, value length and JSON value, HLC as a zigzag delta to the previous
// op's HLC, author index, device index, and Prev as a zigzag delta to the
// op's HLC plus one (0 for none). Every op of a segment was made by the
// segment's device; readers reject a segment holding another device's op.
//
// A snapshot (magic "KKSN", see snapshot.go) has the same layout; its body
// starts with the length-prefixed JSON cursor vector it covers, followed by
// ops of any device.
const (
	segmentMagic   = "KKSG"
	snapshotMagic  = "KKSN"
	segmentVersion = 1
	headerFixed    = 4 + 1 + 8 + 8 + 8 + 4 + 1
	nonceSize      = chacha20poly1305.NonceSizeX
	maxDeviceLen   = 255
	// maxPlain bounds the decompressed body, so a hostile but validly
	// encrypted file (a leaked key) cannot exhaust memory.
	maxPlain = 256 << 20
)

// fileKind names the sealed file kinds in messages.
var fileKind = map[string]string{segmentMagic: "segment", snapshotMagic: "snapshot"}

// segmentHeader is the clear part of a segment.
type segmentHeader struct {
	Version int
	KeyID   [8]byte
	Seq     uint64
	Prev    uint64
	Count   uint32
	Device  string
}

// segmentName returns the target name of a device's segment. The seq is
// zero-padded so names sort in numeric order everywhere.
func segmentName(device string, seq uint64) string {
	return devicesDir + "/" + device + "/" + fmt.Sprintf("%020d", seq)
}

// parseSeq reads a segment file name; ok is false for other files.
func parseSeq(name string) (uint64, bool) {
	if len(name) != 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(name, 10, 64)
	return n, err == nil && n > 0
}

const devicesDir = "devices"

// validDevice reports whether id can be a directory name on every target.
func validDevice(id string) bool {
	if id == "" || len(id) > maxDeviceLen {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// sealSegment encodes, compresses and encrypts ops made by h.Device.
func sealSegment(k *Key, h segmentHeader, ops []model.Op) ([]byte, error) {
	if !validDevice(h.Device) {
		return nil, model.Errorf(model.EINVALID, "device id %q cannot name a segment directory", h.Device)
	}
	body, err := encodeOps(h.Device, ops)
	if err != nil {
		return nil, err
	}
	h.Count = uint32(len(ops))
	return sealFile(k, segmentMagic, h, body)
}

// sealFile compresses and encrypts body behind the header.
func sealFile(k *Key, magic string, h segmentHeader, body []byte) ([]byte, error) {
	var z bytes.Buffer
	zw, err := flate.NewWriter(&z, flate.BestSpeed)
	if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "compress segment")
	}
	zw.Write(body) // writes to a bytes.Buffer cannot fail
	if err := zw.Close(); err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "compress segment")
	}
	h.Version, h.KeyID = segmentVersion, k.id()
	out := make([]byte, 0, headerFixed+len(h.Device)+nonceSize+z.Len()+chacha20poly1305.Overhead)
	out = appendHeader(out, magic, h)
	ad := len(out)
	var nonce [nonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "random nonce")
	}
	out = append(out, nonce[:]...)
	aead, err := chacha20poly1305.NewX(k.seg[:])
	if err != nil {
		return nil, model.WrapError(model.EINTERNAL, err, "segment cipher")
	}
	return aead.Seal(out, nonce[:], z.Bytes(), out[:ad]), nil
}

func appendHeader(b []byte, magic string, h segmentHeader) []byte {
	b = append(b, magic...)
	b = append(b, byte(h.Version))
	b = append(b, h.KeyID[:]...)
	b = binary.BigEndian.AppendUint64(b, h.Seq)
	b = binary.BigEndian.AppendUint64(b, h.Prev)
	b = binary.BigEndian.AppendUint32(b, h.Count)
	b = append(b, byte(len(h.Device)))
	return append(b, h.Device...)
}

// readHeader parses the clear header and returns it with its length.
func readHeader(magic string, data []byte) (segmentHeader, int, error) {
	var h segmentHeader
	if len(data) < headerFixed || string(data[:4]) != magic {
		return h, 0, model.Errorf(model.EINVALID, "not a Kundenkartei sync %s", fileKind[magic])
	}
	h.Version = int(data[4])
	if h.Version > segmentVersion {
		return h, 0, model.Errorf(model.EINVALID, "segment format %d is newer than this Kundenkartei understands (%d); please update", h.Version, segmentVersion)
	}
	if h.Version < 1 {
		return h, 0, model.Errorf(model.EINVALID, "bad segment version %d", h.Version)
	}
	copy(h.KeyID[:], data[5:13])
	h.Seq = binary.BigEndian.Uint64(data[13:21])
	h.Prev = binary.BigEndian.Uint64(data[21:29])
	h.Count = binary.BigEndian.Uint32(data[29:33])
	n := int(data[33])
	if len(data) < headerFixed+n {
		return h, 0, model.Errorf(model.EINVALID, "truncated segment header")
	}
	h.Device = string(data[headerFixed : headerFixed+n])
	return h, headerFixed + n, nil
}

// openSegment authenticates, decrypts and decodes a segment. Any damage,
// truncation or foreign key yields EINVALID and no ops.
func openSegment(k *Key, data []byte) (segmentHeader, []model.Op, error) {
	h, body, err := openFile(k, segmentMagic, data)
	if err != nil {
		return h, nil, err
	}
	if h.Prev >= h.Seq {
		return h, nil, model.Errorf(model.EINVALID, "bad segment header")
	}
	ops, err := decodeOps(h.Device, body)
	if err != nil {
		return h, nil, err
	}
	if uint32(len(ops)) != h.Count {
		return h, nil, model.Errorf(model.EINVALID, "segment holds %d ops, header says %d", len(ops), h.Count)
	}
	return h, ops, nil
}

// openFile authenticates and decrypts a sealed file and inflates its body.
func openFile(k *Key, magic string, data []byte) (segmentHeader, []byte, error) {
	h, n, err := readHeader(magic, data)
	if err != nil {
		return h, nil, err
	}
	what := fileKind[magic]
	if h.KeyID != k.id() {
		return h, nil, model.Errorf(model.EINVALID, "%s was written for another sync target or passphrase", what)
	}
	if !validDevice(h.Device) || h.Seq == 0 {
		return h, nil, model.Errorf(model.EINVALID, "bad %s header", what)
	}
	if len(data) < n+nonceSize+chacha20poly1305.Overhead {
		return h, nil, model.Errorf(model.EINVALID, "truncated %s", what)
	}
	aead, err := chacha20poly1305.NewX(k.seg[:])
	if err != nil {
		return h, nil, model.WrapError(model.EINTERNAL, err, "segment cipher")
	}
	z, err := aead.Open(nil, data[n:n+nonceSize], data[n+nonceSize:], data[:n])
	if err != nil {
		return h, nil, model.Errorf(model.EINVALID, "%s is damaged, truncated or was altered (authentication failed)", what)
	}
	body, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(z)), maxPlain+1))
	if err != nil || len(body) > maxPlain {
		return h, nil, model.Errorf(model.EINVALID, "%s body does not decompress", what)
	}
	if cap(body)-len(body) > len(body)/8 {
		// The ops' values point into the body, which lives as long as
		// they do: not with ReadAll's spare capacity (up to its size).
		body = bytes.Clone(body)
	}
	return h, body, nil
}

// encodeOps writes the body. When device is not "" every op must carry it.
func encodeOps(device string, ops []model.Op) ([]byte, error) {
	idx := map[string]uint64{}
	var table []string
	intern := func(s string) uint64 {
		i, ok := idx[s]
		if !ok {
			i = uint64(len(table))
			idx[s] = i
			table = append(table, s)
		}
		return i
	}
	for i := range ops {
		if device != "" && ops[i].Device != device {
			return nil, model.Errorf(model.EINTERNAL, "op of device %q in a segment of %q", ops[i].Device, device)
		}
		intern(ops[i].Device)
		intern(string(ops[i].Type))
		intern(ops[i].Field)
		intern(ops[i].Author)
	}
	size := 16
	for _, s := range table {
		size += len(s) + 2
	}
	for i := range ops {
		size += 16 + len(ops[i].Value) + 16
	}
	b := make([]byte, 0, size)
	b = binary.AppendUvarint(b, uint64(len(table)))
	for _, s := range table {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(ops)))
	var last model.HLC
	for i := range ops {
		o := &ops[i]
		b = binary.AppendUvarint(b, idx[string(o.Type)])
		b = append(b, o.ID[:]...)
		b = binary.AppendUvarint(b, idx[o.Field])
		b = binary.AppendUvarint(b, uint64(len(o.Value)))
		b = append(b, o.Value...)
		b = binary.AppendVarint(b, int64(o.HLC-last))
		last = o.HLC
		b = binary.AppendUvarint(b, idx[o.Author])
		b = binary.AppendUvarint(b, idx[o.Device])
		if o.Prev == 0 {
			b = binary.AppendUvarint(b, 0)
		} else {
			// Prev is nearly always a little older than HLC: a small delta.
			z := zigzag(int64(o.HLC - o.Prev))
			if z == ^uint64(0) { // +1 would wrap to "no prev"
				return nil, model.Errorf(model.EINTERNAL, "op %s.%s has an impossible prev stamp", o.Type, o.Field)
			}
			b = binary.AppendUvarint(b, z+1)
		}
	}
	return b, nil
}

func zigzag(v int64) uint64   { return uint64(v<<1) ^ uint64(v>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// decoder reads the body; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = model.Errorf(model.EINVALID, "segment body is malformed")
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

// decodeOps reads a body; when device is not "" every op must be its.
func decodeOps(device string, body []byte) ([]model.Op, error) {
	d := &decoder{b: body}
	nt := d.uvarint()
	if nt > uint64(len(body)) {
		d.fail()
	}
	table := make([]string, 0, min(nt, 1024))
	for i := uint64(0); i < nt && d.err == nil; i++ {
		table = append(table, string(d.bytes(d.uvarint())))
	}
	str := func() string {
		i := d.uvarint()
		if i >= uint64(len(table)) {
			d.fail()
			return ""
		}
		return table[i]
	}
	n := d.uvarint()
	if n > uint64(len(d.b))/20 { // an op needs at least 20 bytes
		d.fail()
	}
	if d.err != nil {
		return nil, d.err
	}
	ops := make([]model.Op, n)
	var last model.HLC
	for i := range ops {
		o := &ops[i]
		o.Type = model.RecordType(str())
		copy(o.ID[:], d.bytes(16))
		o.Field = str()
		o.Value = json.RawMessage(d.bytes(d.uvarint()))
		o.HLC = last + model.HLC(d.varint())
		last = o.HLC
		o.Author = str()
		o.Device = str()
		if p := d.uvarint(); p != 0 {
			o.Prev = o.HLC - model.HLC(unzigzag(p-1))
		}
		if d.err != nil {
			return nil, d.err
		}
		if device != "" && o.Device != device {
			// A segment carries only its writer's ops: anything else
			// would let one device speak for another.
			return nil, model.Errorf(model.EINVALID, "segment of %s holds an op of %s", device, o.Device)
		}
		// Values are not checked for valid JSON here: the segment is
		// authenticated, and ApplyOps checks every op it is given.
	}
	if len(d.b) != 0 {
		return nil, model.Errorf(model.EINVALID, "segment body has trailing bytes")
	}
	return ops, nil
}
