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
	tags      []uint64 // by slot: what the caller keeps of each record (Tag)
	slot      *slots   // by key
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
	ix := &Index{provinces: map[int32][]int32{}, model: model, priced: model, seen: map[int32]bool{}}
	ix.x = &index{blocks: newBlocks(), buckets: map[int32]*bucket{}}
	ix.slot = newSlots(func(i int32) Key { return ix.x.recs[i].key })
	ix.x.before = func(a, b int32) bool { return compareKeys(ix.x.recs[a].key, ix.x.recs[b].key) < 0 }
	// In ID order, each record joins the end of its lists.
	sorted := slices.SortedFunc(slices.Values(recs), func(a, b *Record) int { return strings.Compare(a.ID, b.ID) })
	for _, r := range slices.CompactFunc(sorted, func(a, b *Record) bool { return a.ID == b.ID }) {
		ix.Put(r)
	}
	ix.Trim()
	return ix
}

// Trim gives back the room the index's lists grew into while records
// were put (a list grows by half again and more when it is full): a
// caller that has put many records at once, and will now change a few at
// a time, calls it once.
func (ix *Index) Trim() {
	ix.x.recs, ix.tags, ix.free, ix.x.cheap = fit(ix.x.recs), fit(ix.tags), fit(ix.free), fit(ix.x.cheap)
	for p, l := range ix.provinces {
		ix.provinces[p] = fit(l)
	}
	for _, b := range ix.x.buckets {
		b.ids, b.cheaps = fit(b.ids), fit(b.cheaps)
	}
	for i, l := range ix.x.blocks.lists {
		ix.x.blocks.lists[i] = fit(l)
	}
	ix.x.blocks.lists = fit(ix.x.blocks.lists)
	for k, l := range ix.x.blocks.odd {
		ix.x.blocks.odd[k] = fit(l)
	}
}

// fit is s in an array of its length (give or take the allocator's
// rounding), when its own is much longer.
func fit[S ~[]E, E any](s S) S {
	if cap(s) <= len(s)+len(s)/8 {
		return s
	}
	return append(S(nil), s...)
}

// Len is how many records the index holds.
func (ix *Index) Len() int { return ix.slot.n }

// Get returns the record with id, nil when the index does not hold it.
// The index keeps only what comparing reads: the record has its ID and
// searches as the one put, but its other fields are empty.
func (ix *Index) Get(id string) *Record {
	if i, ok := ix.slotOf(id); ok {
		return &Record{ID: id, p: ix.x.recs[i]}
	}
	return nil
}

// slotOf is the slot of the record with id.
func (ix *Index) slotOf(id string) (int32, bool) {
	k, ok := lookupKey(id)
	if !ok {
		return 0, false
	}
	return ix.slot.get(k)
}

// Tag returns the tag the record with id was put with; false when the
// index does not hold it.
func (ix *Index) Tag(id string) (uint64, bool) {
	if i, ok := ix.slotOf(id); ok {
		return ix.tags[i], true
	}
	return 0, false
}

// Each calls fn with the ID and tag of every record, in no order.
func (ix *Index) Each(fn func(id string, tag uint64)) {
	for i, r := range ix.x.recs {
		if r != nil {
			fn(r.key.String(), ix.tags[i])
		}
	}
}

// Put adds r, or replaces the record with its ID. The index keeps what
// comparing reads of r (Prepare), not r.
func (ix *Index) Put(r *Record) { ix.PutTagged(r, 0) }

// PutTagged is Put, keeping tag with the record: eight bytes of the
// caller's (Tag), where a map of its own by ID would take ten times that.
func (ix *Index) PutTagged(r *Record, tag uint64) {
	r.prepare()
	ix.Remove(r.ID)
	var i int32
	if n := len(ix.free); n > 0 {
		i, ix.free = ix.free[n-1], ix.free[:n-1]
		ix.x.recs[i], ix.tags[i] = r.p, tag
	} else {
		i = int32(len(ix.x.recs))
		ix.x.recs, ix.tags = append(ix.x.recs, r.p), append(ix.tags, tag)
	}
	ix.slot.put(r.p.key, i)
	ix.x.add(i)
	for _, p := range readsOf(ix.x.cheap[i]) {
		ix.provinces[p] = slices.Insert(ix.provinces[p], ix.x.at(ix.provinces[p], i), i)
	}
}

// Remove takes the record with id out; false when the index did not
// hold it.
func (ix *Index) Remove(id string) bool {
	i, ok := ix.slotOf(id)
	if !ok {
		return false
	}
	r := ix.x.recs[i]
	ix.x.remove(i)
	for _, p := range readsOf(ix.x.cheap[i]) {
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
	ix.slot.del(r.key)
	ix.x.recs[i], ix.tags[i] = nil, 0
	ix.free = append(ix.free, i)
	return true
}

// readsOf are the provinces whose buckets a search of a record placed at
// c reads (besides the bucket of those placed nowhere): its own, or -1
// for every bucket.
func readsOf(c compact) []int32 {
	if p := c.provinces(); p != nil {
		return p
	}
	return []int32{-1}
}

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
	m, recs, qp := ix.priced, ix.x.recs, q.p
	// Score every candidate without allocating, keep the best k (ties to
	// the lower ID, as topK orders them), then explain only those.
	type scored struct {
		sc float64
		j  int32
	}
	better := func(a, b scored) bool {
		return a.sc > b.sc || (a.sc == b.sc && compareKeys(recs[a.j].key, recs[b.j].key) < 0)
	}
	var reach Reach
	var best []scored
	for _, j := range ix.x.candidates(qp, ix.seen, &reach) {
		h := scored{m.scorePair(qp, recs[j]), j}
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
		rs[i] = Result{Left: q.ID, Right: recs[h.j].key.String(), Score: h.sc, Probability: Probability(h.sc), Levels: levels(qp, recs[h.j])}
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
// changes in it: those sharing a blocking key with r that they read (a
// surname's key only a query of a weak name reads), and those whose
// first pass reads r's bucket and, by their last search's reach, would
// keep r there (or kept it). reach returns a query's reach of its last
// search of that index, by the query's key (nil when it has not searched
// it).
func (ix *Index) Touches(r *Record, reach func(Key) Reach) []string {
	r.prepare()
	rp := r.p
	var out []string
	clear(ix.seen)
	add := func(j int32) {
		if !ix.seen[j] {
			ix.seen[j] = true
			out = append(out, ix.x.recs[j].key.String())
		}
	}
	var one [1]int32
	for _, k := range blockingKeys(rp) {
		surname := strings.HasPrefix(k, "s:") // read only by queries of a weak name (candidates)
		for _, j := range ix.x.block(k, &one) {
			if !surname || weakName(ix.x.recs[j]) {
				add(j)
			}
		}
	}
	rc := compactOf(rp)
	b := bucketKey(rp.sex, rc.home())
	touch := func(j int32) {
		q := ix.x.recs[j]
		if q == nil || !slices.Contains(firstPassSexes(q.sex), rp.sex) {
			return
		}
		if cut, ok := reach(q.key).cut(b); !ok || prescore(&ix.x.cheap[j], &rc) >= cut {
			add(j)
		}
	}
	if rc.home() == 0 {
		// Every search of a sex that reads r's reads the bucket of those
		// placed nowhere: the queries are weighed bucket by bucket on the
		// numbers kept there (no record worked out again), and the
		// buckets of the other sex are not read at all. Still one test a
		// query of that sex: which of them would keep r depends on each
		// one's own cut.
		for k, qb := range ix.x.buckets {
			if !slices.Contains(firstPassSexes(byte(k>>8)), rp.sex) {
				continue
			}
			for n, j := range qb.ids {
				if cut, ok := reach(ix.x.recs[j].key).cut(b); !ok || prescore(&qb.cheaps[n], &rc) >= cut {
					add(j)
				}
			}
		}
		return out
	}
	for _, l := range [][]int32{ix.provinces[rc.home()], ix.provinces[-1]} {
		for _, j := range l {
			touch(j)
		}
	}
	return out
}
