package replica

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

const benchOps = 100_000

// benchDevice is the device whose segments the benchmarks read.
const benchDevice = "0193a4b2-7c1d-7e00-8000-0000000000be"

// v7ID returns a UUIDv7 made at t, as model.NewID makes them: the time in
// the first six bytes, so a device's new records have ascending IDs.
func v7ID(r *rand.Rand, t time.Time) model.ID {
	id := randomID(r)
	ms := uint64(t.UnixMilli())
	for i := 0; i < 6; i++ {
		id[i] = byte(ms >> (40 - 8*i))
	}
	return id
}

// makeBenchOps returns n ops as storage writes them on a trade-fair
// laptop: new customers and notes as one FieldAll op each (12 % and 58 %),
// and field edits of existing customers (30 %).
func makeBenchOps(n int) []model.Op {
	r := rand.New(rand.NewPCG(42, 42))
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	h := model.MakeHLC(start.UnixMilli(), 0)
	ops := make([]model.Op, 0, n)
	var customers []model.ID
	last := map[model.ID]model.HLC{}
	all := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return b
	}
	for len(ops) < n {
		h += model.HLC(1 + r.IntN(40_000_000)) // up to ten minutes apart
		op := model.Op{HLC: h, Device: benchDevice, Author: "Lea Brunner"}
		switch x := r.IntN(100); {
		case x < 12 || len(customers) == 0:
			// The value of a creation op is the record as storage encodes
			// it (json.Marshal of the model type, meta fields included).
			given, family := pick(r, givenNames), pick(r, familyNames)
			op.Type, op.ID, op.Field = model.TypeCustomer, v7ID(r, h.Time()), model.FieldAll
			op.Value = all(&model.Customer{
				Meta: model.Meta{ID: op.ID, Created: h.Time(), Updated: h.Time(), Device: benchDevice, Author: op.Author},
				Kind: "person", GivenName: given, FamilyName: family, Company: pick(r, companies), Position: "Einkauf",
				Emails: []model.Email{{Label: "work", Address: fmt.Sprintf("%s.%s%d@example.ch", given, family, r.IntN(1000))}},
				Phones: []model.Phone{{Label: "mobile", Number: fmt.Sprintf("+41 79 %03d %02d %02d", r.IntN(1000), r.IntN(100), r.IntN(100))}},
				Tags:   []string{"Messe Basel 2026"}, Segment: pick(r, segments), Source: "Messe Basel 2026",
				RhythmDays: 90, Consents: []model.Consent{{Channel: "email", Purpose: "Newsletter", GivenAt: h.Time(), Source: "fair"}},
			})
			customers = append(customers, op.ID)
			last[op.ID] = h
		case x < 70:
			op.Type, op.ID, op.Field = model.TypeNote, v7ID(r, h.Time()), model.FieldAll
			op.Value = all(&model.Note{
				Meta:       model.Meta{ID: op.ID, Created: h.Time(), Updated: h.Time(), Device: benchDevice, Author: op.Author},
				CustomerID: customers[r.IntN(len(customers))], At: h.Time(), Kind: "fair", Impression: "positive", By: "Lea Brunner",
				Text: fmt.Sprintf("Am Stand: interessiert an Modell %d, möchte Offerte bis Ende Monat. Rückruf vereinbart.", r.IntN(500)),
			})
		default:
			id := customers[r.IntN(len(customers))]
			op.Type, op.ID, op.Prev = model.TypeCustomer, id, last[id]
			var v any
			switch r.IntN(3) {
			case 0:
				op.Field, v = "family_name", pick(r, familyNames)
			case 1:
				op.Field, v = "segment", pick(r, segments)
			default:
				op.Field, v = "memo", fmt.Sprintf("Notiz %d", r.IntN(100000))
			}
			op.Value = all(v)
			last[id] = h
		}
		ops = append(ops, op)
	}
	return ops
}

// benchTarget is a folder holding benchOps ops of benchDevice in segments,
// written once per test binary by a Syncer.
type benchTarget struct {
	dir   string
	key   *Key
	bytes int // total size of the segment files
	segs  int
}

var (
	benchOnce sync.Once
	benchTgt  benchTarget
	benchErr  error
)

func loadBenchTarget(b *testing.B) benchTarget {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "replica-bench-")
		if err != nil {
			benchErr = err
			return
		}
		ctx := context.Background()
		tg := NewFolderTarget(dir)
		key, err := InitWithKDF(ctx, tg, "correct horse battery", testKDF)
		if err != nil {
			benchErr = err
			return
		}
		src := newFakeLog(benchDevice, time.Now)
		src.log = makeBenchOps(benchOps)
		s := NewSyncer(src, src, tg, key, NewFileStateStore(filepath.Join(dir, ".state")))
		s.snapEvery = 0 // the benchmark reads segments, not a snapshot
		rep, err := s.Sync(ctx, nil)
		if err != nil {
			benchErr = err
			return
		}
		benchTgt = benchTarget{dir: dir, key: key, segs: rep.Segments}
		names, _ := tg.List(ctx, devicesDir+"/"+benchDevice)
		for _, n := range names {
			data, err := tg.Get(ctx, devicesDir+"/"+benchDevice+"/"+n)
			if err != nil {
				benchErr = err
				return
			}
			benchTgt.bytes += len(data)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchTgt
}

// BenchmarkApply100k measures a device receiving 100,000 changes: the
// Syncer lists a folder target, reads, authenticates, decrypts,
// decompresses and decodes the segments and applies them to a real,
// durable storage database (a backup of the empty database included).
// Budget: ≤ 2 s per operation.
func BenchmarkApply100k(b *testing.B) {
	src := loadBenchTarget(b)
	ctx := context.Background()
	var total, inApply time.Duration
	b.ResetTimer() // not the target's creation
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := openStore(b, time.Now, false)
		tl := &timedLog{ChangeLog: db}
		s := NewSyncer(tl, db, NewFolderTarget(src.dir), src.key, DBStateStore(db))
		s.snapEvery = 0 // keep the shared target as it is for the next round
		b.StartTimer()
		t0 := time.Now()
		rep, err := s.Sync(ctx, nil)
		total += time.Since(t0)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		// The directory's background rebuild belongs to this round.
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		if rep.Received != benchOps || rep.Applied != benchOps {
			b.Fatalf("got %d received, %d applied, want %d", rep.Received, rep.Applied, benchOps)
		}
		inApply += tl.spent
	}
	// Split the time between storage's ApplyOps and the Syncer's own work
	// (listing, reading, decrypting, decoding, state, backup).
	b.ReportMetric(inApply.Seconds()/float64(b.N), "s-in-ApplyOps/op")
	b.ReportMetric((total-inApply).Seconds()/float64(b.N), "s-in-replica/op")
	b.ReportMetric(float64(benchOps)/total.Seconds()*float64(b.N), "changes/s")
	b.ReportMetric(float64(src.bytes)/benchOps, "segment-bytes/change")
	b.ReportMetric(float64(src.segs), "segments")
}

// BenchmarkRead100k is BenchmarkApply100k without storage: what the
// Syncer itself costs (read, decrypt, inflate, decode) per 100k changes.
func BenchmarkRead100k(b *testing.B) {
	src := loadBenchTarget(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sink := newFakeLog("0193a4b2-7c1d-7e00-8000-0000000000ff", time.Now)
		s := NewSyncer(countingLog{sink}, sink, NewFolderTarget(src.dir), src.key,
			NewFileStateStore(filepath.Join(b.TempDir(), "state")))
		s.snapEvery = 0
		b.StartTimer()
		rep, err := s.Sync(ctx, nil)
		if err != nil || rep.Received != benchOps {
			b.Fatalf("got %d received, %v", rep.Received, err)
		}
	}
}

// timedLog measures the time spent in ApplyOps.
type timedLog struct {
	model.ChangeLog
	spent time.Duration
}

func (t *timedLog) ApplyOps(ops []model.Op) (model.ApplyResult, error) {
	t0 := time.Now()
	res, err := t.ChangeLog.ApplyOps(ops)
	t.spent += time.Since(t0)
	return res, err
}

// countingLog accepts ops without merging them.
type countingLog struct{ *fakeLog }

func (c countingLog) ApplyOps(ops []model.Op) (model.ApplyResult, error) {
	return model.ApplyResult{Applied: len(ops)}, nil
}

// BenchmarkEncoding compares the segment body encodings on the benchmark
// ops: the binary one used, and JSON lines of model.Op, both after flate.
func BenchmarkEncoding(b *testing.B) {
	ops := makeBenchOps(benchOps)
	deflate := func(p []byte) int {
		var z bytes.Buffer
		zw, _ := flate.NewWriter(&z, flate.BestSpeed)
		zw.Write(p)
		zw.Close()
		return z.Len()
	}
	var lines bytes.Buffer
	enc := json.NewEncoder(&lines)
	for i := range ops {
		if err := enc.Encode(&ops[i]); err != nil {
			b.Fatal(err)
		}
	}
	k := testKey(b, "correct horse battery")
	var sealed []byte
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if sealed, err = sealSegment(k, segmentHeader{Device: benchDevice, Seq: 1}, ops); err != nil {
			b.Fatal(err)
		}
	}
	body, err := encodeOps(benchDevice, ops)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(sealed))/benchOps, "sealed-bytes/change")
	b.ReportMetric(float64(len(body))/benchOps, "binary-bytes/change")
	b.ReportMetric(float64(deflate(body))/benchOps, "binary+flate-bytes/change")
	b.ReportMetric(float64(lines.Len())/benchOps, "jsonl-bytes/change")
	b.ReportMetric(float64(deflate(lines.Bytes()))/benchOps, "jsonl+flate-bytes/change")
}

// TestMain removes the benchmark target, which outlives single benchmarks.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchTgt.dir != "" {
		os.RemoveAll(benchTgt.dir)
	}
	os.Exit(code)
}
