// Package replica synchronizes Kundenkartei databases between devices
// through storage the business already has: a folder (USB stick, network
// share, or a folder that Nextcloud, Syncthing, Dropbox or OneDrive
// mirrors) or a WebDAV server. There is no server of our own.
//
// A target holds one description file (DescriptionName: format version,
// Argon2id parameters, salt and a key-check value) and, per device, a
// directory of immutable, numbered segment files:
//
//	kundenkartei-sync.json
//	devices/<device-id>/<seq>    seq: 20-digit local log sequence number
//
// A segment carries the ops (model.Op) the device made itself, encoded
// compactly, compressed with flate and sealed with XChaCha20-Poly1305 under
// a key derived from the team passphrase. Every device writes only its own
// directory and reads all others, remembering per device the last segment
// it applied (StateStore). Merging is storage's model.ChangeLog.ApplyOps,
// by the rule of package model/crdt: a scalar field keeps the value with
// the newest stamp, and a value that lost a concurrent edit stays listed
// as a conflict until an edit that saw it replaces it. Set-valued fields
// (tags, emails, phones, addresses, vCard UIDs, consents, extra vCard
// properties) merge element by element as observed-remove sets: an op
// carries the elements added or changed (added with the op's stamp) and,
// for each removed or changed element, the stamps of the values its
// device had seen. So additions made at once on any number of devices all
// survive, a removal removes only what its device had seen, a changed
// label is newest-wins per element, and every device shows the elements
// in the same order. Ops from versions before sets carry whole lists and
// still apply, as an assignment of what their writer had. An edit that
// arrives for a deleted customer, or one merged into another, is kept and
// listed as a conflict from which the record is restored or the edit
// taken by the survivor. Conflicts are derived from the merged records, so
// every device lists the same ones, and resolving one is an ordinary edit
// that resolves it everywhere. Applying the same ops in any order, any
// number of times, gives the same records, so segments can be read in
// any order across devices, repeatedly, and after interruptions.
//
// Typical use:
//
//	t := replica.NewFolderTarget(dir) // or NewWebDAVTarget(url, user, pw, nil)
//	key, err := replica.Join(ctx, t, passphrase) // after InitWithKDF on the first device
//	s := replica.NewSyncer(db, db, t, key, stateStore)
//	report, err := s.Sync(ctx, func(p replica.Progress) { ... })
package replica
