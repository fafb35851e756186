package vcard

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	govcard "github.com/emersion/go-vcard"

	"github.com/kundenkartei/kundenkartei/storage"
)

// genVCF returns a deterministic vCard 3.0 file of n distinct cards, the
// way Apple and Google write them: umlauts, item groups, pref flags,
// folded notes.
func genVCF(n int) []byte {
	given := []string{"Jürg", "Käthi", "Sébastien", "Anna-Lena", "Ruedi", "Chloé", "Lukas", "Søren", "Petra", "Beat", "Ursula", "Heidi"}
	family := []string{"Müller", "Brändli", "Weiß", "Kälin", "Öztürk", "Fässler", "Gößwein", "Zürcher", "Keller", "Frei", "Gerber", "Zimmermann"}
	streets := []string{"Bahnhofstraße", "Hauptstrasse", "Freie Strasse", "Güterstraße", "Kramgasse", "Seestrasse"}
	cities := []string{"Zürich", "Basel", "Bern", "Küsnacht", "St. Gallen", "Einsiedeln"}
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		g, f := given[i%len(given)], family[(i/len(given))%len(family)]
		fmt.Fprintf(&b, "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//macOS 15.1//EN\r\n")
		fmt.Fprintf(&b, "N:%s;%s;;;\r\nFN:%s %s\r\nORG:Firma %d AG;\r\nTITLE:Einkauf\r\n", f, g, g, f, i/7)
		fmt.Fprintf(&b, "item1.EMAIL;type=INTERNET;type=pref:kunde%d@firma%d.ch\r\nitem1.X-ABLabel:_$!<Work>!$_\r\n", i, i/7)
		fmt.Fprintf(&b, "TEL;type=CELL;type=VOICE;type=pref:+41 79 %03d %02d %02d\r\n", i/10000, (i/100)%100, i%100)
		fmt.Fprintf(&b, "TEL;type=WORK;type=VOICE:044 %03d %02d %02d\r\n", 100+i/10000, (i/100)%100, i%100)
		fmt.Fprintf(&b, "ADR;type=WORK;type=pref:;;%s %d;%s;;%d;Schweiz\r\n", streets[i%len(streets)], i%200+1, cities[i%len(cities)], 1000+i%8000)
		if i%3 == 0 {
			fmt.Fprintf(&b, "BDAY:--%02d-%02d\r\n", i%12+1, i%28+1)
		}
		if i%4 == 0 {
			b.WriteString("NOTE:Kennt uns von der Messe\\, möchte im Frühjahr ein Angebot für die neue\r\n  Werkstatt.\r\n")
		}
		fmt.Fprintf(&b, "CATEGORIES:Kunden,Messe Basel 2026\r\nUID:%08d-0000-4000-8000-000000000000\r\nEND:VCARD\r\n", i)
	}
	return b.Bytes()
}

// BenchmarkImport10k measures the whole import of a 10,000-card file:
// parse, normalize, dedupe against the database, and the durable, chunked
// commit into a fresh bbolt database (fsync on).
func BenchmarkImport10k(b *testing.B) {
	in := genVCF(10000)
	b.SetBytes(int64(len(in)))
	var parse, preview, commit time.Duration // per phase, to show where the time goes
	var cpuParse, cpuPreview, cpuCommit time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := storage.Open(filepath.Join(b.TempDir(), fmt.Sprintf("k%d.db", i)), storage.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		c0, t0 := cpuTime(), time.Now()
		cards, _, err := Parse(bytes.NewReader(in))
		if err != nil {
			b.Fatal(err)
		}
		c1, t1 := cpuTime(), time.Now()
		plan, err := Preview(context.Background(), cards, db, PreviewOptions{})
		if err != nil {
			b.Fatal(err)
		}
		c2, t2 := cpuTime(), time.Now()
		res, err := plan.Apply(context.Background(), db, DefaultChoices(), nil)
		if err != nil {
			b.Fatal(err)
		}
		c3, t3 := cpuTime(), time.Now()
		parse, preview, commit = parse+t1.Sub(t0), preview+t2.Sub(t1), commit+t3.Sub(t2)
		cpuParse, cpuPreview, cpuCommit = cpuParse+c1-c0, cpuPreview+c2-c1, cpuCommit+c3-c2
		b.StopTimer()
		if res.Added != 10000 {
			b.Fatalf("got %d added, want 10000", res.Added)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "cards/s")
	b.ReportMetric(float64(parse.Milliseconds())/float64(b.N), "parse-ms/op")
	b.ReportMetric(float64(preview.Milliseconds())/float64(b.N), "preview-ms/op")
	b.ReportMetric(float64(commit.Milliseconds())/float64(b.N), "commit-ms/op")
	// CPU time, because the machines these run on are shared.
	b.ReportMetric(float64(cpuParse.Milliseconds())/float64(b.N), "parse-cpu-ms/op")
	b.ReportMetric(float64(cpuPreview.Milliseconds())/float64(b.N), "preview-cpu-ms/op")
	b.ReportMetric(float64(cpuCommit.Milliseconds())/float64(b.N), "commit-cpu-ms/op")
}

// BenchmarkGoVcardDecode10k is go-vcard's bare decoding of the same file,
// for scale (it maps nothing and loses data on real exports).
func BenchmarkGoVcardDecode10k(b *testing.B) {
	in := genVCF(10000)
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		dec := govcard.NewDecoder(bytes.NewReader(in))
		n := 0
		for {
			_, err := dec.Decode()
			if err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 10000 {
			b.Fatalf("got %d cards, want 10000", n)
		}
	}
	b.ReportMetric(float64((cpuTime()-c0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "cards/s")
}

// BenchmarkParse10k is our parse alone (pre-pass, mapping, normalize,
// validate), comparable to go-vcard's decode.
func BenchmarkParse10k(b *testing.B) {
	in := genVCF(10000)
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		cards, _, err := Parse(bytes.NewReader(in))
		if err != nil || len(cards) != 10000 {
			b.Fatal(len(cards), err)
		}
	}
	b.ReportMetric(float64((cpuTime()-c0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "cards/s")
}

// BenchmarkImport100k imports a 100,000-card file (≈ 50 MB) from disk
// into a fresh durable database and reports the peak heap in use (sampled
// every 10 ms) and, on Linux, the peak resident size of the whole test
// process (VmHWM, which includes everything the process did before; run
// it alone: -bench Import100k). The budget is 300 MB peak RSS.
func BenchmarkImport100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "100k.vcf")
	if err := os.WriteFile(path, genVCF(100000), 0o600); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	go samplePeakHeap(&peak, stop)
	var parse, preview, commit time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := storage.Open(filepath.Join(b.TempDir(), fmt.Sprintf("k%d.db", i)), storage.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t0 := time.Now()
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		cards, _, err := Parse(f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		plan, err := Preview(context.Background(), cards, db, PreviewOptions{})
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		res, err := plan.Apply(context.Background(), db, DefaultChoices(), nil)
		if err != nil {
			b.Fatal(err)
		}
		parse, preview, commit = parse+t1.Sub(t0), preview+t2.Sub(t1), commit+time.Since(t2)
		b.StopTimer()
		if res.Added != 100000 {
			b.Fatalf("got %d added, want 100000", res.Added)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	close(stop)
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "cards/s")
	b.ReportMetric(float64(parse.Milliseconds())/float64(b.N), "parse-ms/op")
	b.ReportMetric(float64(preview.Milliseconds())/float64(b.N), "preview-ms/op")
	b.ReportMetric(float64(commit.Milliseconds())/float64(b.N), "commit-ms/op")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	if hwm := vmHWM(); hwm > 0 {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-rss-MB")
	}
}

// samplePeakHeap keeps the largest heap in use seen in peak until stop.
func samplePeakHeap(peak *atomic.Uint64, stop chan struct{}) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// vmHWM returns the peak resident set size of this process in bytes (Linux
// only; 0 elsewhere).
func vmHWM() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
