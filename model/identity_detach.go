package model

import "unsafe"

// Detach lets go of the customer x was made of: x keeps its own copy of
// what it compares (folded names, emails, towns, UIDs and the phone
// numbers, still parsed only on first need) in one block of memory, and
// nothing of the customer or of the memory its strings lie in. An
// importer that must compare each contact of a large file with the
// earlier ones then holds these, not the contacts. A detached Identity
// serves only as the known side of Same (the incoming side names the
// shared value from its customer), and Customer returns nil.
func (x *Identity) Detach() {
	if x.c == nil {
		return
	}
	var numbers []Phone
	if len(x.numbers) > 0 {
		numbers = make([]Phone, len(x.numbers))
		for i, p := range x.numbers {
			numbers[i].Number = p.Number
		}
	}
	x.numbers, x.c = numbers, nil
	x.family = append([]string(nil), x.family...)
	x.emails = append([]string(nil), x.emails...)
	x.towns = append([]string(nil), x.towns...)
	x.uids = append([]string(nil), x.uids...)
	if x.parsed {
		x.phones = append([]string(nil), x.phones...)
	}
	n := 0
	x.eachString(func(s *string) { n += len(*s) })
	buf := make([]byte, 0, n) // never grows: the strings below stay put
	x.eachString(func(s *string) {
		if len(*s) == 0 {
			*s = ""
			return
		}
		start := len(buf)
		buf = append(buf, *s...)
		*s = unsafe.String(&buf[start], len(*s))
	})
}

// eachString calls f with every string a detached Identity keeps.
func (x *Identity) eachString(f func(*string)) {
	for _, s := range [...]*string{&x.own, &x.name, &x.given, &x.company, &x.region} {
		f(s)
	}
	for _, l := range [...][]string{x.family, x.emails, x.towns, x.uids, x.phones} {
		for i := range l {
			f(&l[i])
		}
	}
	for i := range x.numbers {
		f(&x.numbers[i].Number)
	}
}
