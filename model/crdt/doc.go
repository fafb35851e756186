// Package crdt is the merge rule of device sync: how an op (model.Op)
// changes a record. It imports model only; storage keeps records and their
// clocks in bbolt and calls Record.Apply for every op, local or remote.
//
// Scalar fields (names, memo, segment, deleted …) are last-writer-wins
// registers: the value with the newest stamp (HLC, then device ID) wins.
// A value that lost a concurrent edit stays as a rival until an edit that
// saw it (its Prev, the stamp of the value it replaced, is at least the
// rival's) replaces it, and Conflicts lists it meanwhile.
//
// Set-valued fields (a customer's tags, emails, phones, addresses,
// external UIDs, consents, extra vCard properties and not-duplicates) are
// observed-remove sets keyed by a normalized element key (folded tag,
// lower-case email, E.164 phone, folded street/PO box/postal code/city,
// the UID …). A local edit writes a delta: the elements added or changed,
// each added with the op's stamp as its dot, and for every removed or
// changed element the dots this device had seen. So concurrent additions
// on any number of devices all survive; a removal removes only what the
// removing device had seen (add wins); a changed element (the label of an
// email) keeps its place and shows its newest value, and an older
// concurrent value of it is listed as a conflict. Elements are shown in
// the order of the position they were placed at (the stamp of the op and
// the index in it), the same on every device.
//
// Ops written before sets existed carry the whole list. They still apply:
// as a set assignment of what the writer had, adding its elements and
// removing every value added before the op's stamp. A record's creating
// op (model.FieldAll) adds its elements and removes nothing.
//
// Every part of the state is a join of what the ops say (a maximum of
// stamps, a union of added and of removed dots), so applying the same ops
// in any order, any number of times, gives the same record; the property
// tests in this package check that with several simulated devices.
package crdt
