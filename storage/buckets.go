// Package storage implements the model services on one bbolt file.
//
// Bucket tree (all keys and values are bytes; "id" is a 16-byte UUID,
// "ms" an 8-byte big-endian count of Unix milliseconds, "seq" an 8-byte
// big-endian uint64; JSON values are the model types' encoding):
//
//	meta/
//	  schema        uint32 big-endian: schema version, see migrations.go
//	  device        this database's device ID (text UUID), made on first open
//	  hlc           uint64: the newest HLC issued or seen, so restarts never go back
//	  settings      JSON model.Settings (device-local, never synced)
//	  syncstate     opaque bytes owned by sync/replica
//	rec/
//	  customer/ id → JSON model.Customer (tombstones included: Deleted=true)
//	  note/     id → JSON model.Note
//	  followup/ id → JSON model.FollowUp
//	  gesture/  id → JSON model.Gesture
//	  event/    id → JSON model.Event
//	clock/
//	  <type>/   id → JSON crdt.Clocks: the stamp of every field, the rivals
//	            of concurrent edits and the element state of set fields
//	stats/      customer id → JSON model.Stats, derived, rewritten with every
//	            change to the customer's notes, follow-ups or gestures
//	photo/      key → image bytes (key = hex SHA-256 of the bytes)
//	log/        seq → JSON model.Op: every committed change, local or merged
//	conflict/   type 0x00 id field 0x00 element-key 0x00 lost-hlc lost-device →
//	            JSON model.Conflict; derived from the records and their
//	            clocks, rewritten with every write of a record (conflict.go)
//	merged/     customer id → id of the customer it was merged into (its
//	            MergedInto field); records of a merged customer are indexed
//	            under the end of the chain, see merge.go
//	calstamp/   device-local stamps of the .ics export, made by the first
//	            export, never logged or synced (see export.go):
//	  <profile>/  follow-up id → 16-byte hash, 8-byte sequence, 8-byte ms
//	erased/     made by the first erasure (erase.go): customer id → JSON
//	            model.Erasure; id of a record erased with a customer →
//	            that customer's id. Ops of these ids are dropped.
//	erased_sync/ customer id → empty: erasures whose values this device's
//	            segments in the sync target may still hold
//	idx/        secondary indexes of live records only; every value is empty:
//	  (customer indexes hold listed customers only: live and not merged;
//	  note_cust, fu_cust and ge_cust are keyed by the owning customer)
//	  cust_sort/     folded sort name 0x00 id
//	  cust_email/    normalized email 0x00 id
//	  cust_phone/    E.164 number 0x00 id
//	  cust_name/     model.NameKey 0x00 id
//	  cust_uid/      external (vCard) UID 0x00 id
//	  note_cust/     customer id, at ms, note id
//	  note_kind/     kind 0x00 at ms, note id
//	  fu_due/        due ms, follow-up id
//	  fu_cust/       customer id, follow-up id
//	  fu_status/     status 0x00 due ms, follow-up id
//	  ge_cust/       customer id, gesture id
//	  ge_status/     status 0x00 valid-until (YYYY-MM-DD or empty) 0x00 gesture id
//	  ge_event/      event id, gesture id
//	  ev_start/      start ms, event id
//	  ge_created/    created ms, gesture id (Loyalty lists the newest first)
//	  note_repl/     id of the replaced note, id of the live revision
//
// Every user action is one Update that writes the record, its indexes, the
// customer's stats and the change log together.
package storage

import (
	"encoding/binary"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

var (
	bucketMeta     = []byte("meta")
	bucketRec      = []byte("rec")
	bucketClock    = []byte("clock")
	bucketStats    = []byte("stats")
	bucketPhoto    = []byte("photo")
	bucketLog      = []byte("log")
	bucketConflict = []byte("conflict")
	bucketIdx      = []byte("idx")
	bucketMerged   = []byte("merged")

	keySchema    = []byte("schema")
	keyDevice    = []byte("device")
	keyHLC       = []byte("hlc")
	keySettings  = []byte("settings")
	keySyncState = []byte("syncstate")

	idxCustSort    = []byte("cust_sort")
	idxCustTag     = []byte("cust_tag")     // until version 8: nothing read it
	idxCustSegment = []byte("cust_segment") // until version 8: nothing read it
	idxCustEmail   = []byte("cust_email")
	idxCustPhone   = []byte("cust_phone")
	idxCustName    = []byte("cust_name")
	idxCustUID     = []byte("cust_uid")
	idxNoteCust    = []byte("note_cust")
	idxNoteKind    = []byte("note_kind")
	idxFUDue       = []byte("fu_due")
	idxFUCust      = []byte("fu_cust")
	idxFUStatus    = []byte("fu_status")
	idxGeCust      = []byte("ge_cust")
	idxGeStatus    = []byte("ge_status")
	idxGeEvent     = []byte("ge_event")
	idxEvStart     = []byte("ev_start")
	idxGeCreated   = []byte("ge_created")
	idxNoteRepl    = []byte("note_repl")

	// allIndexes lists every index bucket; the consistency checker and the
	// migrations walk it.
	allIndexes = [][]byte{idxCustSort, idxCustEmail, idxCustPhone, idxCustName,
		idxCustUID, idxNoteCust, idxNoteKind, idxFUDue, idxFUCust, idxFUStatus, idxGeCust, idxGeStatus, idxGeEvent, idxEvStart, idxGeCreated, idxNoteRepl}
)

// u64 encodes v as 8 bytes big-endian.
func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

// ms encodes t as sortable milliseconds (times before 1970 clamp to 0).
func ms(t time.Time) []byte {
	v := t.UnixMilli()
	if v < 0 || t.IsZero() {
		v = 0
	}
	return u64(uint64(v))
}

// key concatenates parts.
func key(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	k := make([]byte, 0, n)
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

var sep = []byte{0}

// idBytes returns the 16 bytes of id.
func idBytes(id model.ID) []byte { b := id; return b[:] }

// idAtEnd reads the 16-byte ID at the end of an index key.
func idAtEnd(k []byte) model.ID {
	var id model.ID
	if len(k) >= 16 {
		copy(id[:], k[len(k)-16:])
	}
	return id
}
