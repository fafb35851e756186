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
// it applied (StateStore). Merging is storage's model.ChangeLog.ApplyOps:
// per field the newest stamp wins, concurrent losers become conflicts, and
// applying the same ops twice changes nothing, so segments can be read in
// any order across devices, repeatedly, and after interruptions.
//
// Typical use:
//
//	t := replica.NewFolderTarget(dir) // or NewWebDAVTarget(url, user, pw, nil)
//	key, err := replica.Join(ctx, t, passphrase) // after InitWithKDF on the first device
//	s := replica.NewSyncer(db, db, t, key, stateStore)
//	report, err := s.Sync(ctx, func(p replica.Progress) { ... })
package replica
