package tracing

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"
)

// synthRun builds n reports (the true ones and fillers), searches them
// with q station records per case, and reports recall@1/10/20, latency
// and memory.
func synthRun(t *testing.T, n, q int) map[string][3]float64 {
	s := NewSynth(2026)
	cases := []string{CaseHomophone, CaseNoName, CaseMinor, CaseElderly}
	var reports []*Record
	queries := map[string][]*Record{}
	for _, c := range cases {
		for i := range q {
			rep, care := s.Pair(len(reports), c)
			care.ID = "C" + rep.ID[1:]
			reports = append(reports, rep)
			queries[c] = append(queries[c], care)
			_ = i
		}
	}
	for len(reports) < n {
		reports = append(reports, s.Filler(len(reports)))
	}
	// The built-in model, at the prior of a search of the reports: as
	// family search and haven match score.
	model := DefaultModel().WithPrior(PriorFor(len(reports)))
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	srch := NewIndex(model, reports)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	perRecord := float64(after.HeapAlloc-before.HeapAlloc) / float64(len(reports))
	out := map[string][3]float64{}
	var lat []time.Duration
	type slow struct {
		d    time.Duration
		what string
	}
	var slowest []slow
	for _, c := range cases {
		var at1, at10, at20 int
		for _, qr := range queries[c] {
			start := time.Now()
			res, _ := srch.Search(qr, 20, model.Prior)
			lat = append(lat, time.Since(start))
			slowest = append(slowest, slow{lat[len(lat)-1], fmt.Sprintf("%s names %d region %q dialect %q", c, len(qr.Names), qr.Region, qr.Dialect)})
			want := "R" + qr.ID[1:]
			for _, r := range res {
				if r.Right == want {
					if r.Rank <= 1 {
						at1++
					}
					if r.Rank <= 10 {
						at10++
					}
					at20++
				}
			}
		}
		out[c] = [3]float64{float64(at1) / float64(q), float64(at10) / float64(q), float64(at20) / float64(q)}
		t.Logf("n=%d %-15s recall@1 %.3f  @10 %.3f  @20 %.3f", n, c, out[c][0], out[c][1], out[c][2])
	}
	slices.Sort(lat)
	slices.SortFunc(slowest, func(a, b slow) int { return int(b.d - a.d) })
	for _, x := range slowest[:5] {
		t.Logf("slow: %s %s", x.d, x.what)
	}
	t.Logf("n=%d query latency p50 %s p99 %s; index %.0f B/record (heap)", n, lat[len(lat)/2].Round(time.Microsecond),
		lat[len(lat)*99/100].Round(time.Microsecond), perRecord)
	return out
}

// A small run checks the engine finds people the way the benchmark
// measures it; HAVEN_SYNTH_N (e.g. 100000) runs the full benchmark.
func TestSyntheticChinese(t *testing.T) {
	n, q := 5000, 200
	if v := os.Getenv("HAVEN_SYNTH_N"); v != "" {
		n, _ = strconv.Atoi(v)
		q = 1000
	}
	got := synthRun(t, n, q)
	if os.Getenv("HAVEN_SYNTH_N") == "" {
		if got[CaseHomophone][1] < 0.95 {
			t.Errorf("homophone recall@10 %.3f at %d records", got[CaseHomophone][1], n)
		}
	}
}
