package storage

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestSlabPiecesStayPut checks that a slab never hands out bytes a piece
// taken before still holds, also when a piece outgrows its room after a
// part of it was sliced off (as saveNew slices the record off the op).
func TestSlabPiecesStayPut(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
	}{
		{"small pieces", []int{10, 200, 3000, 1, 4000, 50}},
		{"pieces beyond the room", []int{3000, 3000, 70000, 100, 65000, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s slab
			var heads, pieces [][]byte
			for i, n := range tt.sizes {
				b := s.next(2048)
				b = append(b, bytes.Repeat([]byte{byte('a' + i)}, min(n, 1000))...)
				head := b[:len(b):len(b)] // taken before b may move
				b = append(b, bytes.Repeat([]byte{byte('a' + i)}, n-len(head))...)
				s.used(b)
				heads, pieces = append(heads, head), append(pieces, b[:len(b):len(b)])
			}
			for i, n := range tt.sizes {
				want := bytes.Repeat([]byte{byte('a' + i)}, n)
				if !bytes.Equal(pieces[i], want) || !bytes.Equal(heads[i], want[:len(heads[i])]) {
					t.Errorf("piece %d: got %.20q… (head %.20q…), want %d × %q", i, pieces[i], heads[i], n, rune('a'+i))
				}
			}
		})
	}
}

// TestImportLogsEachRecordAsStored checks that SaveCustomers stores what
// encodeRecord gives and logs each new customer as the FieldAll op
// encodeOp writes, its value the stored record; also for records larger
// than a slab's room.
func TestImportLogsEachRecordAsStored(t *testing.T) {
	db := openTest(t)
	var cs []*model.Customer
	for i := range 2*chunkSize + 10 {
		c := newCustomer("Anna", fmt.Sprintf("Muster%d", i), "")
		c.Memo = strings.Repeat("m", i%7*1500)
		c.Phones = []model.Phone{{Number: fmt.Sprintf("044 %07d", i)}}
		cs = append(cs, c)
	}
	mustOK(t, db.SaveCustomers(context.Background(), cs, nil, nil))
	mustCheck(t, db)
	byID := map[model.ID]*model.Customer{}
	for _, c := range cs {
		byID[c.ID] = c
	}
	ops := allOps(t, db)
	if len(ops) != len(cs) {
		t.Fatalf("got %d ops, want %d", len(ops), len(cs))
	}
	mustOK(t, db.bolt.View(func(tx *bolt.Tx) error {
		recs, log := recBucket(tx, model.TypeCustomer), tx.Bucket(bucketLog)
		c := log.Cursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			op := ops[i]
			i++
			want, err := encodeRecord(byID[op.ID])
			mustOK(t, err)
			if raw := recs.Get(idBytes(op.ID)); !bytes.Equal(raw, want) || !bytes.Equal(op.Value, want) {
				t.Errorf("customer %s: got record %.60q…, op value %.60q…, want %.60q…", op.ID, raw, op.Value, want)
			}
			if op.Field != model.FieldAll || !bytes.Equal(v, encodeOp(&op)) {
				t.Errorf("log entry %x: got %.80q…, want %.80q…", k, v, encodeOp(&op))
			}
		}
		return nil
	}))
}
