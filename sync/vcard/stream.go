package vcard

import (
	"bufio"
	"io"

	"github.com/kundenkartei/kundenkartei/model"
)

// Batches yields customers a batch at a time, in order: it calls fn with
// each batch and returns fn's first error. An export of every customer
// then holds one batch, never all of them.
type Batches func(fn func([]*model.Customer) error) error

// EncodeEach is Encode for customers that arrive in batches, and writes
// the same bytes as Encode of all of them at once. It returns how many
// cards it wrote.
func EncodeEach(w io.Writer, each Batches, photos func(key string) ([]byte, error), opt EncodeOptions) (int, error) {
	// Encode buffers through bufio.NewWriter, which hands back a
	// *bufio.Writer it is given: every batch then shares this buffer and
	// flushes it into w once per batch, not once per line.
	bw := bufio.NewWriterSize(w, 64<<10)
	n := 0
	err := each(func(cs []*model.Customer) error {
		if err := Encode(bw, cs, photos, opt); err != nil {
			return err
		}
		n += len(cs)
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, model.WrapError(model.EINTERNAL, err, "write vCard")
	}
	return n, nil
}
