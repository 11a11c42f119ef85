package tracing

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// febrlDir is the FEBRL data in the workspace's shared folder.
var febrlDir = filepath.Join("..", "..", "..", "shared", "data", "febrl")

// loadFEBRL reads a FEBRL file into records, with the entity of each.
func loadFEBRL(tb testing.TB, name string) ([]*Record, map[string]string) {
	f, err := os.Open(filepath.Join(febrlDir, name))
	if err != nil {
		tb.Skipf("FEBRL data not found (%v): the benchmark needs ../shared/data/febrl", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	var rs []*Record
	entity := map[string]string{}
	for sc.Scan() {
		c := strings.Split(sc.Text(), ",")
		if len(c) < 11 {
			continue
		}
		for i := range c {
			c[i] = strings.TrimSpace(c[i])
		}
		r := &Record{ID: c[0], IDNumber: c[10], Place: strings.Join(c[3:9], " ")}
		if n := strings.TrimSpace(c[1] + " " + c[2]); n != "" {
			r.Names = []string{n}
		}
		if t, err := time.Parse("20060102", c[9]); err == nil {
			r.Birth = t
		}
		rs = append(rs, r)
		parts := strings.Split(c[0], "-")
		entity[c[0]] = parts[1]
	}
	return rs, entity
}

type quality struct {
	tp, fp, fn        int
	truePairs, inPair int // pairs completeness: true pairs that blocking compared
}

func (q quality) precision() float64 { return float64(q.tp) / float64(q.tp+q.fp) }
func (q quality) recall() float64    { return float64(q.tp) / float64(q.tp+q.fn) }
func (q quality) f1() float64 {
	p, r := q.precision(), q.recall()
	return 2 * p * r / (p + r)
}

// judge counts predicted matches (probability ≥ 0.5) against the truth.
func judge(res []Result, entity map[string]string, truePairs int) quality {
	q := quality{truePairs: truePairs}
	seen := map[[2]string]bool{}
	for _, r := range res {
		key := [2]string{r.Left, r.Right}
		if r.Left > r.Right {
			key = [2]string{r.Right, r.Left}
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		same := entity[r.Left] == entity[r.Right]
		if same {
			q.inPair++
		}
		switch {
		case r.Probability >= 0.5 && same:
			q.tp++
		case r.Probability >= 0.5:
			q.fp++
		}
	}
	q.fn = truePairs - q.tp
	return q
}

func TestFEBRL4Linkage(t *testing.T) {
	a, ea := loadFEBRL(t, "dataset4a.csv")
	b, eb := loadFEBRL(t, "dataset4b.csv")
	for k, v := range eb {
		ea[k] = v
	}
	res, _, st := Link(a, b, 1, nil) // one-to-one: each original has one duplicate
	q := judge(res, ea, 5000)
	t.Logf("FEBRL4: P %.4f R %.4f F1 %.4f; pairs completeness %.4f; %d pairs in %s (EM %d iterations)",
		q.precision(), q.recall(), q.f1(), float64(q.inPair)/5000, st.Compared, st.Elapsed, st.EMIterations)
	if q.f1() < 0.9998 {
		t.Errorf("FEBRL4 F1 %.4f is below Splink's 0.9998", q.f1())
	}
}

func TestFEBRL3Dedupe(t *testing.T) {
	rs, e := loadFEBRL(t, "dataset3.csv")
	res, _, st := Dedupe(rs, 1000, nil)
	q := judge(res, e, 6538)
	t.Logf("FEBRL3: P %.4f R %.4f F1 %.4f; pairs completeness %.4f; %d pairs in %s (EM %d iterations)",
		q.precision(), q.recall(), q.f1(), float64(q.inPair)/6538, st.Compared, st.Elapsed, st.EMIterations)
	if q.f1() < 0.996 {
		t.Errorf("FEBRL3 F1 %.4f is below the goal 0.996", q.f1())
	}
}

// BenchmarkScorePairs measures comparing and scoring candidate pairs
// (blocking excluded), on FEBRL4's blocked pairs.
func BenchmarkScorePairs(b *testing.B) {
	left, _ := loadFEBRL(b, "dataset4a.csv")
	right, _ := loadFEBRL(b, "dataset4b.csv")
	_, model, _ := Link(left, right, 1, nil) // prepares the records and fits the model
	x := newIndex(right)
	seen := map[int32]bool{}
	var pairs [][2]int32
	for i, a := range left {
		for _, j := range x.candidates(a.p, seen, nil) {
			pairs = append(pairs, [2]int32{int32(i), j})
		}
	}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		p := pairs[n%len(pairs)]
		_ = model.ScorePair(left[p[0]], right[p[1]])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "pairs/s")
}

// BenchmarkScorePairsParallel is batch scoring as a station's import runs
// it: every core comparing and scoring pairs.
func BenchmarkScorePairsParallel(b *testing.B) {
	left, _ := loadFEBRL(b, "dataset4a.csv")
	right, _ := loadFEBRL(b, "dataset4b.csv")
	_, model, _ := Link(left, right, 1, nil)
	x := newIndex(right)
	seen := map[int32]bool{}
	var pairs [][2]int32
	for i, a := range left {
		for _, j := range x.candidates(a.p, seen, nil) {
			pairs = append(pairs, [2]int32{int32(i), j})
		}
	}
	var total atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		n := int(total.Add(1)) * 7919
		for pb.Next() {
			p := pairs[n%len(pairs)]
			_ = model.ScorePair(left[p[0]], right[p[1]])
			n++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}
