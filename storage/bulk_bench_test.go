package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage/demo"
)

// BenchmarkBulkLoad loads a 5,000-customer demo set (67,500 records) and
// reports records per second.
func BenchmarkBulkLoad(b *testing.B) {
	spec := demo.Spec{Customers: 5000, Notes: 50000, FollowUps: 10000, Gestures: 2500, Events: 5, Seed: 1, Now: benchNow, Region: "CH"}
	for i := 0; i < b.N; i++ {
		db, err := Open(filepath.Join(b.TempDir(), "bulk.db"), Options{Now: func() time.Time { return benchNow }})
		if err != nil {
			b.Fatal(err)
		}
		err = demo.Generate(context.Background(), spec, 0, func(bk model.Bulk) error {
			return db.BulkLoad(context.Background(), bk, nil)
		})
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
	b.ReportMetric(float64(spec.Records()*b.N)/b.Elapsed().Seconds(), "records/s")
}
