package tracing

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// Labels of a candidate by its match probability.
const (
	Likely   = "likely"   // probability ≥ 0.9
	Possible = "possible" // ≥ 0.5
	Unlikely = "unlikely"
)

// LabelOf labels a probability.
func LabelOf(p float64) string {
	switch {
	case p >= 0.9:
		return Likely
	case p >= 0.5:
		return Possible
	}
	return Unlikely
}

// Result is one candidate of a left record.
type Result struct {
	Left, Right string
	Rank        int
	Score       float64 // log2 odds
	Probability float64
	Label       string
	Levels      []int // per Fields
}

// Stats describe a run.
type Stats struct {
	Compared     int // pairs scored
	EMIterations int
	Elapsed      time.Duration
}

// MaxBlock bounds a blocking key: a key shared by more records than this
// on the right is too common to narrow anything down and is skipped.
const MaxBlock = 5000

type index struct {
	blocks  map[string][]int32
	buckets map[int32]*bucket // by sex and province: the first pass
	cheap   []compact         // every record's first-pass numbers
}

// BigBlock: a key shared by more records than this (a common name, a
// common given name with a misheard surname) gives only its BigBlock
// likeliest by the first pass's numbers.
const BigBlock = 400

func newIndex(rs []*Record) *index {
	x := &index{blocks: map[string][]int32{}, buckets: map[int32]*bucket{}, cheap: make([]compact, len(rs))}
	for i, r := range rs {
		x.cheap[i] = r.cheap
		for _, k := range BlockingKeys(r) {
			x.blocks[k] = append(x.blocks[k], int32(i))
		}
		if r.Sex != 0 && r.cheap.prec > 0 {
			k := bucketKey(r.Sex, r.cheap.region)
			b := x.buckets[k]
			if b == nil {
				b = &bucket{}
				x.buckets[k] = b
			}
			b.ids = append(b.ids, int32(i))
			b.cheaps = append(b.cheaps, r.cheap)
		}
	}
	return x
}

// candidates are the records sharing a blocking key with r, and the best
// of the first pass over r's sex and province.
func (x *index) candidates(r *Record, seen map[int32]bool) []int32 {
	var out []int32
	clear(seen)
	for _, k := range BlockingKeys(r) {
		b := x.blocks[k]
		if len(b) > MaxBlock {
			continue
		}
		if len(b) > BigBlock {
			b = bestOf(BigBlock, 0, len(b), func(i int) (int32, int32) { return prescore(&r.cheap, &x.cheap[b[i]]), b[i] }, nil)
		}
		for _, j := range b {
			if !seen[j] {
				seen[j] = true
				out = append(out, j)
			}
		}
	}
	if r.cheap.prec > 0 {
		sexes := []byte{r.Sex}
		if r.Sex == 0 {
			sexes = []byte{'M', 'F'}
		}
		var first []int32
		for _, sx := range sexes {
			if b := x.buckets[bucketKey(sx, r.cheap.region)]; b != nil {
				first = b.scan(&r.cheap, PrefilterKeep, first)
			}
		}
		for _, j := range first {
			if !seen[j] {
				seen[j] = true
				out = append(out, j)
			}
		}
	}
	return out
}

// Searcher answers one query at a time against an indexed set of
// records with a fitted model. It is not safe for concurrent use.
type Searcher struct {
	recs  []*Record
	x     *index
	model *Model
	seen  map[int32]bool
}

// NewSearcher prepares and indexes recs.
func NewSearcher(recs []*Record, model *Model) *Searcher {
	for _, r := range recs {
		r.Prepare()
	}
	if model.frozen == nil {
		model = model.WithPrior(model.Prior).Freeze() // a copy: the caller's model stays as it was
	}
	return &Searcher{recs: recs, x: newIndex(recs), model: model, seen: map[int32]bool{}}
}

// Search returns q's k best candidates.
func (s *Searcher) Search(q *Record, k int) []Result {
	q.Prepare()
	// Score every candidate without allocating, keep the best k (ties to
	// the lower ID, as topK orders them), then explain only those.
	type hit struct {
		sc float64
		j  int32
	}
	better := func(a, b hit) bool {
		return a.sc > b.sc || (a.sc == b.sc && s.recs[a.j].ID < s.recs[b.j].ID)
	}
	var best []hit
	for _, j := range s.x.candidates(q, s.seen) {
		h := hit{s.model.ScorePair(q, s.recs[j]), j}
		if len(best) < k {
			best = append(best, h)
			continue
		}
		worst := 0
		for i := range best {
			if better(best[worst], best[i]) {
				worst = i
			}
		}
		if better(h, best[worst]) {
			best[worst] = h
		}
	}
	rs := make([]Result, len(best))
	for i, h := range best {
		lv := Levels(q, s.recs[h.j])
		rs[i] = Result{Left: q.ID, Right: s.recs[h.j].ID, Score: h.sc, Probability: Probability(h.sc), Levels: lv}
	}
	return topK(rs, k)
}

func topK(rs []Result, k int) []Result {
	slices.SortFunc(rs, func(a, b Result) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(a.Right, b.Right)
	})
	if len(rs) > k {
		rs = rs[:k]
	}
	for n := range rs {
		rs[n].Rank = n + 1
		rs[n].Label = LabelOf(rs[n].Probability)
	}
	return rs
}

// Link finds, for each left record, its k best candidates on the right.
// With a nil model, the model is fitted by EM on the compared pairs.
func Link(left, right []*Record, k int, model *Model) ([]Result, *Model, Stats) {
	return run(left, right, k, model, false)
}

// Dedupe finds the candidate duplicates within one set of records (each
// pair once).
func Dedupe(rs []*Record, k int, model *Model) ([]Result, *Model, Stats) {
	return run(rs, rs, k, model, true)
}

// randomPairs compares up to n pairs drawn at random (a fixed seed).
func randomPairs(left, right []*Record, n int) [][]int {
	if len(left) == 0 || len(right) == 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(7, 7))
	n = min(n, len(left)*len(right))
	out := make([][]int, 0, n)
	for range n {
		out = append(out, Levels(left[r.IntN(len(left))], right[r.IntN(len(right))]))
	}
	return out
}

type pair struct {
	l, r   int32
	levels []int
}

func run(left, right []*Record, k int, model *Model, dedupe bool) ([]Result, *Model, Stats) {
	start := time.Now()
	for _, r := range left {
		r.Prepare()
	}
	if !dedupe {
		for _, r := range right {
			r.Prepare()
		}
	}
	x := newIndex(right)
	// Comparing is the work: the left records are shared out among the
	// cores, each with its own scratch map, and the pairs put back in
	// left order so that a run is the same whatever the core count.
	workers := max(1, min(runtime.GOMAXPROCS(0), len(left)/64))
	parts := make([][]pair, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen := map[int32]bool{}
			for i := w; i < len(left); i += workers {
				a := left[i]
				for _, j := range x.candidates(a, seen) {
					if dedupe && int(j) <= i {
						continue
					}
					parts[w] = append(parts[w], pair{int32(i), j, Levels(a, right[j])})
				}
			}
		}()
	}
	wg.Wait()
	var pairs []pair
	for _, p := range parts {
		pairs = append(pairs, p...)
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return int(a.l) - int(b.l) })
	st := Stats{Compared: len(pairs)}
	if model == nil {
		counts := make([][]float64, len(Fields))
		for f := range Fields {
			counts[f] = make([]float64, len(Fields[f].Levels))
		}
		lv := make([][]int, len(pairs))
		for i, p := range pairs {
			lv[i] = p.levels
			for f, l := range p.levels {
				if l != Unknown {
					counts[f][l]++
				}
			}
		}
		model = NewModel(counts)
		if random := randomPairs(left, right, 20000); len(random) > 0 {
			model.EstimateU(random)
		}
		if len(lv) > 0 {
			st.EMIterations = model.EstimateM(lv, 100)
		}
	}
	model = model.WithPrior(model.Prior).Freeze()
	byLeft := map[int32][]Result{}
	for _, p := range pairs {
		s := model.Score(p.levels)
		res := Result{Left: left[p.l].ID, Right: right[p.r].ID, Score: s, Probability: Probability(s), Levels: p.levels}
		res.Label = LabelOf(res.Probability)
		byLeft[p.l] = append(byLeft[p.l], res)
	}
	var out []Result
	for i := range left {
		out = append(out, topK(byLeft[int32(i)], k)...)
	}
	st.Elapsed = time.Since(start)
	return out, model, st
}
