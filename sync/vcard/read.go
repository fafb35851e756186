package vcard

import (
	"bytes"
	"io"
	"unsafe"
)

// slabSize is how much of the file a lineReader reads at a time.
const slabSize = 64 << 10

// lineReader reads the lines of a file as it streams in, without copying
// them: it reads into slabs of memory that are never written again where a
// returned line lies, so every line (and every value cut from it) is a
// string pointing into a slab, valid for as long as it is used. A slab is
// freed once nothing taken from it is in use any more, so parsing a large
// file never holds all of it.
//
// Lines end at CRLF, LF, a lone CR, or CR CR LF (what the iPhone's export
// writes: a CR too many before every CRLF, so taking it for a line end of
// its own would put an empty line between a folded line and its
// continuation).
type lineReader struct {
	r    io.Reader // nil after the end of the file or a read error
	err  error     // the read error, nil for none
	slab []byte    // [pos:len) is read and not yet returned
	pos  int
	read int64 // bytes read so far, for progress
	line int   // number of the line last returned by next

	peeked bool // pk, pkOK hold the next line
	pk     string
	pkOK   bool
}

// newLineReader reads text first and then the rest of r (nil: nothing
// more).
func newLineReader(text []byte, r io.Reader) *lineReader {
	return &lineReader{slab: text, r: r, read: int64(len(text))}
}

func (lr *lineReader) next() (string, bool) {
	l, ok := lr.pk, lr.pkOK
	if lr.peeked {
		lr.peeked = false
	} else {
		l, ok = lr.readLine()
	}
	if ok {
		lr.line++
	}
	return l, ok
}

// peek returns the next line without consuming it.
func (lr *lineReader) peek() (string, bool) {
	if !lr.peeked {
		lr.pk, lr.pkOK = lr.readLine()
		lr.peeked = true
	}
	return lr.pk, lr.pkOK
}

func (lr *lineReader) readLine() (string, bool) {
	for {
		data := lr.slab[lr.pos:]
		lf := bytes.IndexByte(data, '\n')
		upto := data
		if lf >= 0 {
			upto = data[:lf]
		}
		if cr := bytes.IndexByte(upto, '\r'); cr >= 0 {
			if cr+2 >= len(data) && lr.r != nil { // CR LF or CR CR LF may follow
				lr.fill()
				continue
			}
			n := cr + 1
			switch {
			case cr+1 < len(data) && data[cr+1] == '\n':
				n++
			case cr+2 < len(data) && data[cr+1] == '\r' && data[cr+2] == '\n':
				n += 2
			}
			lr.pos += n
			return bytesToString(data[:cr]), true
		}
		if lf >= 0 {
			lr.pos += lf + 1
			return bytesToString(data[:lf]), true
		}
		if lr.r != nil {
			lr.fill()
			continue
		}
		if len(data) == 0 {
			return "", false
		}
		lr.pos += len(data)
		return bytesToString(data), true
	}
}

// fill reads more of the file: into the free end of the current slab, or
// into a new one that starts with the unreturned rest of the current one.
// Bytes of a slab that were returned are never written again.
func (lr *lineReader) fill() {
	rest := lr.slab[lr.pos:]
	if cap(lr.slab)-len(lr.slab) < slabSize/4 {
		s := make([]byte, len(rest), max(slabSize, 2*len(rest)))
		copy(s, rest)
		lr.slab, lr.pos = s, 0
	}
	n, err := io.ReadFull(lr.r, lr.slab[len(lr.slab):cap(lr.slab)])
	lr.slab = lr.slab[:len(lr.slab)+n]
	lr.read += int64(n)
	if err != nil {
		if err != io.EOF && err != io.ErrUnexpectedEOF {
			lr.err = err
		}
		lr.r = nil
	}
}

// bytesToString returns b as a string without copying it; b must never
// change afterwards.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
