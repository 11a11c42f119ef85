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

// index finds the candidates of a query: the records sharing a blocking
// key with it, and the best of the first pass over its sex and province.
// Every list is kept in one order (before): slot order for a batch, the
// records' IDs for an Index, so that which records a truncated list keeps
// depends only on which records it holds.
type index struct {
	recs    []*prepared // by slot; nil for a free slot
	blocks  *blocks
	buckets map[int32]*bucket // by sex and province: the first pass
	before  func(a, b int32) bool
	cheap   []compact // by slot: the first pass's numbers, for blocks too large to compare whole and for Touches
}

// BigBlock: a key shared by more records than this (a common name, a
// common given name with a misheard surname) gives only its BigBlock
// likeliest by the first pass's numbers.
const BigBlock = 400

// newIndex indexes a batch of prepared records, slot i holding rs[i].
func newIndex(recs []*Record) *index {
	rs := make([]*prepared, len(recs))
	for i, r := range recs {
		rs[i] = r.p
	}
	x := &index{recs: rs, blocks: newBlocks(), buckets: map[int32]*bucket{},
		before: func(a, b int32) bool { return a < b }, cheap: make([]compact, 0, len(rs))}
	for i := range rs {
		x.add(int32(i))
	}
	return x
}

// at is where slot i goes in the ordered list ids (or stands, if there).
func (x *index) at(ids []int32, i int32) int {
	n, _ := slices.BinarySearchFunc(ids, i, func(a, b int32) int {
		switch {
		case a == b:
			return 0
		case x.before(a, b):
			return -1
		}
		return 1
	})
	return n
}

// add indexes the record in slot i.
func (x *index) add(i int32) {
	r := x.recs[i]
	for _, k := range blockingKeys(r) {
		if !derived(k, r) {
			x.blocks.add(k, i, x.at)
		}
	}
	{
		c := compactOf(r)
		if int(i) >= len(x.cheap) {
			x.cheap = append(x.cheap, make([]compact, int(i)+1-len(x.cheap))...)
		}
		x.cheap[i] = c
		k := bucketKey(r.sex, c.home())
		b := x.buckets[k]
		if b == nil {
			b = &bucket{}
			x.buckets[k] = b
		}
		n := x.at(b.ids, i)
		b.ids, b.cheaps = slices.Insert(b.ids, n, i), slices.Insert(b.cheaps, n, c)
	}
}

// remove takes the record in slot i out of every list.
func (x *index) remove(i int32) {
	r := x.recs[i]
	for _, k := range blockingKeys(r) {
		if !derived(k, r) {
			x.blocks.remove(k, i, x.at)
		}
	}
	{
		c := x.cheap[i]
		k := bucketKey(r.sex, c.home())
		if b := x.buckets[k]; b != nil {
			if n := x.at(b.ids, i); n < len(b.ids) && b.ids[n] == i {
				b.ids, b.cheaps = slices.Delete(b.ids, n, n+1), slices.Delete(b.cheaps, n, n+1)
			}
			if len(b.ids) == 0 {
				delete(x.buckets, k)
			}
		}
	}
}

// derived tells the keys of record r that are not kept in its lists but
// read off another key's list. They are one record each, nearly always,
// and would be a map entry each:
//   - a full ID number's ("i:…"): the records of its region and birth
//     date's key ("ib:…", the first 14 characters) with the whole number;
//   - the region and birth date's ("ib:…") of a record whose ID number
//     gives the birth date it has (birthFromID): the records of that
//     birth date's key ("b:…") with that region and birth date. Only the
//     records whose ID number and birth date differ are kept under it.
//   - the second half's ("it:…", the last 9 of 18 characters: the last
//     digit of the year of birth, the month and day, the sequence and
//     check) of such a record born in 1800–2199 (tailFromBirth): the
//     records of the birth dates of those years that end in that digit,
//     with that month and day, whose number ends so.
func derived(k string, r *prepared) bool {
	switch {
	case len(k) >= len("i:")+14 && k[:2] == "i:":
		return true
	case len(k) == len("ib:")+14 && k[:3] == "ib:":
		return birthFromID(r)
	case len(k) == len("it:")+9 && k[:3] == "it:":
		return tailFromBirth(r)
	}
	return false
}

// tailFromBirth tells a record whose ID number's second half is read off
// its birth date's key (derived).
func tailFromBirth(r *prepared) bool {
	return len(r.idNumber()) == 18 && birthFromID(r) && "1800" <= string(r.birthDay[:4]) && string(r.birthDay[:4]) <= "2199" &&
		!strings.ContainsAny(r.idNumber(), "*?")
}

// birthFromID tells a record whose birth date key ("b:…") is its ID
// number's birth date (characters 7 to 14).
func birthFromID(r *prepared) bool {
	return r.hasBirth && !r.birthY && len(r.idNumber()) >= 14 && r.idNumber()[6:14] == string(r.birthDay[:])
}

// block is the list of key k (one holds a list of one).
func (x *index) block(k string, one *[1]int32) []int32 {
	switch {
	case len(k) >= len("i:")+14 && k[:2] == "i:":
		id := k[len("i:"):]
		var out []int32
		for _, j := range x.block("ib:"+id[:14], one) {
			if x.recs[j].idNumber() == id {
				out = append(out, j)
			}
		}
		return out
	case len(k) == len("ib:")+14 && k[:3] == "ib:":
		// The records kept under the key, and those of its birth date
		// whose ID number gives it: both in the index's order, merged.
		var day [1]int32
		kept := x.blocks.get(k, one)
		var read []int32
		for _, j := range x.blocks.get("b:"+k[len("ib:")+6:], &day) {
			if r := x.recs[j]; birthFromID(r) && r.idNumber()[:14] == k[len("ib:"):] {
				read = append(read, j)
			}
		}
		if len(read) == 0 {
			return kept
		}
		if len(kept) == 0 {
			return read
		}
		out := make([]int32, 0, len(kept)+len(read))
		for len(kept) > 0 && len(read) > 0 {
			if x.before(kept[0], read[0]) {
				out, kept = append(out, kept[0]), kept[1:]
			} else {
				out, read = append(out, read[0]), read[1:]
			}
		}
		return append(append(out, kept...), read...)
	case len(k) == len("it:")+9 && k[:3] == "it:":
		tail := k[len("it:"):]
		out := slices.Clone(x.blocks.get(k, one))
		if !allDigits(tail[:5]) {
			return out
		}
		n := len(out)
		var day [1]int32
		b := []byte("b:180" + tail[:5]) // the year's first three digits set below
		for y := 1800 + int(tail[0]-'0'); y <= 2199; y += 10 {
			b[2], b[3], b[4] = byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10)
			for _, j := range x.blocks.get(string(b), &day) {
				if r := x.recs[j]; tailFromBirth(r) && r.idNumber()[9:] == tail {
					out = append(out, j)
				}
			}
		}
		if len(out) > n && n+len(out) > 1 {
			slices.SortFunc(out, func(a, b int32) int {
				switch {
				case x.before(a, b):
					return -1
				case x.before(b, a):
					return 1
				}
				return 0
			})
		}
		return out
	}
	return x.blocks.get(k, one)
}

// candidates are the records sharing a blocking key with r, and the best
// of the first pass over r's sex and province. reach, if not nil, gets
// what the first pass kept of each bucket it read.
func (x *index) candidates(r *prepared, seen map[int32]bool, reach *Reach) []int32 {
	var out []int32
	var one [1]int32
	rc := compactOf(r)
	clear(seen)
	weak := weakName(r)
	var surname []int32 // the records of the surname's keys (a weak name's): one list, its BigBlock likeliest kept
	for _, k := range blockingKeys(r) {
		if strings.HasPrefix(k, "s:") {
			if weak {
				if b := x.block(k, &one); len(b) <= MaxBlock {
					surname = append(surname, b...)
				}
			}
			continue
		}
		b := x.block(k, &one)
		if len(b) > MaxBlock {
			continue
		}
		if len(b) > BigBlock {
			b, _ = bestOf(BigBlock, 0, len(b), func(i int) (int32, int32) { return prescore(&rc, &x.cheap[b[i]]), b[i] }, nil)
		}
		for _, j := range b {
			if !seen[j] {
				seen[j] = true
				out = append(out, j)
			}
		}
	}
	if len(surname) > BigBlock {
		// The blocks one after another, each in the index's order, a
		// record once (its first place): ties keep the same records
		// however the index was built.
		in := make(map[int32]bool, len(surname))
		n := 0
		for _, j := range surname {
			if !in[j] {
				in[j] = true
				surname[n] = j
				n++
			}
		}
		surname = surname[:n]
		surname, _ = bestOf(BigBlock, 0, len(surname), func(i int) (int32, int32) { return prescore(&rc, &x.cheap[surname[i]]), surname[i] }, nil)
	}
	for _, j := range surname {
		if !seen[j] {
			seen[j] = true
			out = append(out, j)
		}
	}
	if rc.provinces() == nil && r.names() != "" && len(out) > 0 {
		return out // the name found some; placed nowhere, the first pass would read everyone
	}
	keep := PrefilterKeep
	if r.names() == "" {
		keep = NamelessKeep
	}
	for _, j := range x.firstPass(r.sex, &rc, keep, reach) {
		if !seen[j] {
			seen[j] = true
			out = append(out, j)
		}
	}
	return out
}

// firstPass is the best of the first pass for a query of sex placed at
// rc. A query placed somewhere reads the buckets of its provinces and
// the bucket of those placed nowhere, keeping the best keep of each; one
// placed nowhere reads every bucket of its sex and keeps the best keep of
// them all: every query searches.
func (x *index) firstPass(sex byte, rc *compact, keep int, reach *Reach) []int32 {
	var first []int32
	if provs := rc.provinces(); provs != nil {
		for _, sx := range firstPassSexes(sex) {
			for _, p := range append([]int32{0}, provs...) {
				k := bucketKey(sx, p)
				if b := x.buckets[k]; b != nil {
					var cut int32
					first, cut = b.scan(rc, keep, first)
					if reach != nil {
						*reach = append(*reach, reachEntry{k, cut})
					}
				}
			}
		}
		return first
	}
	var keys []int32
	for k := range x.buckets {
		if slices.Contains(firstPassSexes(sex), byte(k>>8)) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	// Each bucket's best, then the best of those: the best of all. A
	// hit's position is its place in the buckets read one after another,
	// which breaks ties as one long list would.
	starts := make([]int32, len(keys))
	n := int32(0)
	for i, k := range keys {
		starts[i] = n
		n += int32(len(x.buckets[k].ids))
	}
	parts := make([][]hit, len(keys))
	work := func(i int) {
		b := x.buckets[keys[i]]
		hs := topHits(keep, 0, len(b.ids), func(k int) (int32, int32) { return prescore(rc, &b.cheaps[k]), b.ids[k] })
		for h := range hs {
			hs[h].pos += starts[i]
		}
		parts[i] = hs
	}
	if workers := min(runtime.GOMAXPROCS(0), int(n)/parallelScan+1); workers > 1 {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(keys); i += workers {
					work(i)
				}
			}()
		}
		wg.Wait()
	} else {
		for i := range keys {
			work(i)
		}
	}
	all := slices.Concat(parts...)
	slices.SortFunc(all, func(a, b hit) int {
		if worse(a, b) {
			return 1
		}
		return -1
	})
	first, cut := appendIDs(first, all[:min(keep, len(all))], int(n) > keep)
	if reach != nil {
		for _, k := range keys {
			*reach = append(*reach, reachEntry{k, cut})
		}
	}
	return first
}

// firstPassSexes are the sexes whose buckets a query of sex reads: its
// own and the unknown; all when its own is unknown.
func firstPassSexes(sex byte) []byte {
	if sex == 0 {
		return []byte{'M', 'F', 0}
	}
	return []byte{sex, 0}
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
				for _, j := range x.candidates(a.p, seen, nil) {
					if dedupe && int(j) <= i {
						continue
					}
					parts[w] = append(parts[w], pair{int32(i), j, levels(a.p, right[j].p)})
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
			// At most one true pair a record linking; a few a record
			// deduplicating (a person recorded three times is three pairs).
			bound := float64(min(len(left), len(right))) / float64(len(lv))
			if dedupe {
				bound *= 2
			}
			st.EMIterations = model.EstimateM(lv, 100, bound)
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

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
