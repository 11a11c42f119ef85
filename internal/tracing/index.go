package tracing

import (
	"slices"
	"strings"
)

// Index is a set of records that changes one record at a time (Put,
// Remove) and answers searches. Its lists are kept in the order of the
// records' IDs, so that a search's answer depends only on which records
// the index holds, never on the order they came in: an index kept up to
// date change by change answers as one built afresh. It is not safe for
// concurrent use.
type Index struct {
	x         *index
	slot      map[string]int32
	free      []int32
	provinces map[int32][]int32 // slots of records with a region, by province (Touches)
	model     *Model            // frozen
	priced    *Model            // model at the prior of the last search
	seen      map[int32]bool
}

// NewIndex indexes recs (prepared here when they are not yet) for
// searches scored with model.
func NewIndex(model *Model, recs []*Record) *Index {
	if model.frozen == nil {
		model = model.WithPrior(model.Prior).Freeze() // a copy: the caller's model stays as it was
	}
	ix := &Index{slot: make(map[string]int32, len(recs)), provinces: map[int32][]int32{}, model: model, priced: model, seen: map[int32]bool{}}
	ix.x = &index{blocks: map[string][]int32{}, buckets: map[int32]*bucket{}}
	ix.x.before = func(a, b int32) bool { return ix.x.recs[a].ID < ix.x.recs[b].ID }
	// In ID order, each record joins the end of its lists.
	sorted := slices.SortedFunc(slices.Values(recs), func(a, b *Record) int { return strings.Compare(a.ID, b.ID) })
	for _, r := range slices.CompactFunc(sorted, func(a, b *Record) bool { return a.ID == b.ID }) {
		ix.Put(r)
	}
	return ix
}

// Len is how many records the index holds.
func (ix *Index) Len() int { return len(ix.slot) }

// Get returns the record with id, nil when the index does not hold it.
func (ix *Index) Get(id string) *Record {
	if i, ok := ix.slot[id]; ok {
		return ix.x.recs[i]
	}
	return nil
}

// Put adds r, or replaces the record with its ID.
func (ix *Index) Put(r *Record) {
	r.prepare()
	ix.Remove(r.ID)
	var i int32
	if n := len(ix.free); n > 0 {
		i, ix.free = ix.free[n-1], ix.free[:n-1]
		ix.x.recs[i] = r
	} else {
		i = int32(len(ix.x.recs))
		ix.x.recs = append(ix.x.recs, r)
		ix.x.cheap = append(ix.x.cheap, compact{})
	}
	ix.slot[r.ID] = i
	ix.x.add(i)
	if r.cheap.prec > 0 {
		p := province(r)
		ix.provinces[p] = slices.Insert(ix.provinces[p], ix.x.at(ix.provinces[p], i), i)
	}
}

// Remove takes the record with id out; false when the index did not
// hold it.
func (ix *Index) Remove(id string) bool {
	i, ok := ix.slot[id]
	if !ok {
		return false
	}
	r := ix.x.recs[i]
	ix.x.remove(i)
	if r.cheap.prec > 0 {
		p := province(r)
		if l := ix.provinces[p]; len(l) > 0 {
			if n := ix.x.at(l, i); n < len(l) && l[n] == i {
				l = slices.Delete(l, n, n+1)
			}
			if len(l) == 0 {
				delete(ix.provinces, p)
			} else {
				ix.provinces[p] = l
			}
		}
	}
	delete(ix.slot, id)
	ix.x.recs[i], ix.x.cheap[i] = nil, compact{}
	ix.free = append(ix.free, i)
	return true
}

func province(r *Record) int32 { return r.cheap.region / 10000 }

// Reach is what a search's first pass kept of each bucket (sex and
// province) it read: the lowest first-pass score. A record added to the
// bucket that scores below it cannot change that search's answer.
type Reach []reachEntry

type reachEntry struct{ bucket, cut int32 }

func (r Reach) cut(bucket int32) (int32, bool) {
	for _, e := range r {
		if e.bucket == bucket {
			return e.cut, true
		}
	}
	return 0, false
}

// Search returns q's k best candidates, scored at the prior share of true
// pairs prior, and what its first pass read (for Touches).
func (ix *Index) Search(q *Record, k int, prior float64) ([]Result, Reach) {
	q.prepare()
	if ix.priced.Prior != prior {
		ix.priced = ix.model.WithPrior(prior)
	}
	m, recs := ix.priced, ix.x.recs
	// Score every candidate without allocating, keep the best k (ties to
	// the lower ID, as topK orders them), then explain only those.
	type scored struct {
		sc float64
		j  int32
	}
	better := func(a, b scored) bool {
		return a.sc > b.sc || (a.sc == b.sc && recs[a.j].ID < recs[b.j].ID)
	}
	var reach Reach
	var best []scored
	for _, j := range ix.x.candidates(q, ix.seen, &reach) {
		h := scored{m.ScorePair(q, recs[j]), j}
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
		rs[i] = Result{Left: q.ID, Right: recs[h.j].ID, Score: h.sc, Probability: Probability(h.sc), Levels: Levels(q, recs[h.j])}
	}
	return topK(rs, k), reach
}

// Rescore scores the answer of an earlier search again at another prior:
// which records a search finds and how they compare do not depend on the
// prior, only the scores do, and every score moves alike.
func (ix *Index) Rescore(rs []Result, prior float64) []Result {
	m := ix.model.WithPrior(prior)
	out := make([]Result, len(rs))
	for i, r := range rs {
		r.Score = m.Score(r.Levels)
		r.Probability = Probability(r.Score)
		out[i] = r
	}
	return topK(out, len(out))
}

// Touches lists the records of ix (queries) whose search of another
// index could answer differently once r joins or leaves that index, or
// changes in it: those sharing a blocking key with r, and those whose
// first pass reads r's bucket and, by their last search's reach, would
// keep r there (or kept it). reach returns a query's reach of its last
// search of that index (nil when it has not searched it).
func (ix *Index) Touches(r *Record, reach func(id string) Reach) []string {
	r.prepare()
	var out []string
	clear(ix.seen)
	add := func(j int32) {
		if !ix.seen[j] {
			ix.seen[j] = true
			out = append(out, ix.x.recs[j].ID)
		}
	}
	for _, k := range BlockingKeys(r) {
		for _, j := range ix.x.blocks[k] {
			add(j)
		}
	}
	if r.Sex != 0 && r.cheap.prec > 0 {
		b := bucketKey(r.Sex, r.cheap.region)
		for _, j := range ix.provinces[province(r)] {
			q := ix.x.recs[j]
			if q.Sex != 0 && q.Sex != r.Sex {
				continue
			}
			if cut, ok := reach(q.ID).cut(b); !ok || prescore(&q.cheap, &r.cheap) >= cut {
				add(j)
			}
		}
	}
	return out
}
