package tracing

import (
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"sync"
)

// The first pass. Sex, where someone comes from and roughly when they
// were born are known for nearly everyone, but they single out no one: a
// block on them holds a tenth of all records. So those records are not
// compared in full; each is scored on a few numbers kept side by side
// (birth years, region, height, the week lost or found, a 64-bit sketch
// of the feature text), and only the best PrefilterKeep go on to the full
// comparison. This finds
// people whose name is unknown without comparing thousands of them fully.

// PrefilterKeep is how many records of the first pass are compared fully
// (of each bucket read); NamelessKeep for a query without a name, whose
// first pass is all it has (comparing a record fully costs about a
// microsecond).
const (
	PrefilterKeep = 200
	NamelessKeep  = 300
)

// compact is what the first pass reads of a record: 24 bytes (the sketch
// in two halves, so that nothing is aligned to 8), kept side by side in
// the buckets (and worked out again from the record where needed
// elsewhere).
type compact struct {
	bornLo, bornHi int16 // years of birth it may be; 0 unknown
	height         int16
	week           int16     // the week Seen falls in, counted from 1900 (1 its first); 0 unknown
	prec           int8      // region precision: 0 unknown, 1 province, 2 city, 3 county; areaPrec a dialect's area
	seenIs         int8      // what Seen is (SeenLost, SeenFound, 0)
	region         int32     // the code; with areaPrec, the area's number
	sketch         [2]uint32 // one bit per feature bigram (hashed), low half first
}

// week1900 is day.days() of 1900-01-01.
var week1900 = day{1900, 1}.days()

func compactOf(r *prepared) compact {
	var c compact
	switch {
	case r.hasBirth:
		c.bornLo, c.bornHi = r.birth.y, r.birth.y
	case r.ageMax > 0 && r.hasSeen:
		c.bornLo, c.bornHi = int16(int(r.seen.y)-int(r.ageMax)-1), int16(int(r.seen.y)-int(r.ageMin))
	}
	c.height = int16(r.height)
	if w := (r.seen.days() - week1900) / 7; r.hasSeen && w >= 0 && w < math.MaxInt16 {
		c.week, c.seenIs = int16(w+1), int8(r.seenIs)
	}
	if isArea(&r.region) {
		c.region, c.prec = int32(areaOf(&r.region)), areaPrec
	} else if r.hasRegion() {
		if n, err := strconv.Atoi(string(r.region[:])); err == nil {
			c.region, c.prec = int32(n), int8(regionPrecision(string(r.region[:])))
		}
	}
	for _, g := range r.features() {
		c.sketch[g%64/32] |= 1 << (g % 32)
	}
	return c
}

// areaPrec is the precision of a dialect's area: several provinces.
const areaPrec = -1

// provinces are the provinces c places someone in (code / 10000), nil
// when it places them nowhere.
func (c *compact) provinces() []int32 {
	switch {
	case c.prec > 0:
		return []int32{c.region / 10000}
	case c.prec == areaPrec && int(c.region) < len(areas()):
		var out []int32
		for _, p := range areas()[c.region] {
			out = append(out, int32(p[0]-'0')*10+int32(p[1]-'0'))
		}
		return out
	}
	return nil
}

// home is the province of the bucket c's record is kept in: its own, or
// 0 (the bucket every search reads) when it has none or several.
func (c *compact) home() int32 {
	if c.prec > 0 {
		return c.region / 10000
	}
	return 0
}

func (c *compact) sketch64() uint64 { return uint64(c.sketch[0]) | uint64(c.sketch[1])<<32 }

// bucketKey groups records by sex and province (0: none or several,
// and sex 0 unknown): the first pass reads the buckets of a query's sex
// and provinces, and those of unknown sex and province; a query placed
// nowhere reads every bucket of its sex.
func bucketKey(sex byte, province int32) int32 { return int32(sex)<<8 | province }

// prescore orders records in the first pass: higher is likelier. It is a
// ranking for candidate generation only (pairs are scored by the model),
// in whole numbers and without division: it runs on every record of a
// bucket.
func prescore(q, r *compact) int32 {
	var s int32
	if q.bornLo != 0 && r.bornLo != 0 {
		// The closer the middles, the better (an estimate's likeliest age
		// is its middle; compareEstimate); a range wider than twenty years
		// (no guess at a middle) by how far apart the ranges are.
		d := int32(q.bornLo) + int32(q.bornHi) - int32(r.bornLo) - int32(r.bornHi)
		d = max(d, -d)
		if q.bornHi-q.bornLo > 21 || r.bornHi-r.bornLo > 21 {
			d = 2 * max(0, int32(q.bornLo)-int32(r.bornHi), int32(r.bornLo)-int32(q.bornHi))
		}
		if d <= 10 {
			s += 12 + max(0, 6-d)
		} else {
			s -= d - 10
		}
	}
	if q.prec > 0 && r.prec > 0 {
		depth := min(q.prec, r.prec)
		switch {
		case depth >= 3 && q.region == r.region:
			s += 12
		case depth >= 2 && q.region/100 == r.region/100:
			s += 8
		case q.region/10000 == r.region/10000:
			s += 4
		}
	} else if q.prec != 0 && r.prec != 0 {
		s += 2 // a dialect's area and a place: the buckets read hold only its provinces
	}
	if q.height > 0 && r.height > 0 {
		d := int32(q.height - r.height)
		if d < 0 {
			d = -d
		}
		s += 8 - min(d, 12)*3/2
	}
	if q.week != 0 && r.week != 0 {
		// Found after lost, the sooner the likelier, as the model's time
		// field: weeks from lost to found (either way when not said which
		// is which).
		gap := int32(q.week) - int32(r.week)
		switch {
		case q.seenIs == SeenLost && r.seenIs == SeenFound:
			gap = -gap
		case q.seenIs == SeenFound && r.seenIs == SeenLost:
		default:
			gap = max(gap, -gap)
		}
		switch {
		case gap < -5:
			s -= 30
		case gap < 0: // a date misremembered
			s += 7
		case gap <= 1:
			s += 10
		case gap <= 5:
			s += 9
		case gap <= 13:
			s += 8
		case gap <= 53:
			s += 6
		case gap <= 157:
			s -= 3
		default:
			s -= 4
		}
	}
	if qs, rs := q.sketch64(), r.sketch64(); qs != 0 && rs != 0 {
		// Shared bigrams count, bigrams only one side has count against:
		// close to the Jaccard share, without dividing.
		common := int32(bits.OnesCount64(qs & rs))
		other := int32(bits.OnesCount64(qs ^ rs))
		s += 6*common - other
	}
	return s
}

// bucket holds one sex and province's records' numbers side by side.
type bucket struct {
	ids    []int32
	cheaps []compact
}

// scan appends the best keep records of the bucket for q to out, and
// returns the lowest first-pass score it kept (math.MinInt32 when it kept
// the whole bucket: any record added would be kept too). A large bucket
// is read by every core, each keeping its own best keep; the best keep of
// those are the same whatever the core count.
func (b *bucket) scan(q *compact, keep int, out []int32) ([]int32, int32) {
	n := len(b.cheaps)
	score := func(k int) (int32, int32) { return prescore(q, &b.cheaps[k]), b.ids[k] }
	workers := min(runtime.GOMAXPROCS(0), n/parallelScan+1)
	if workers <= 1 {
		return bestOf(keep, 0, n, score, out)
	}
	parts := make([][]hit, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[w] = topHits(keep, n*w/workers, n*(w+1)/workers, score)
		}()
	}
	wg.Wait()
	all := slices.Concat(parts...)
	slices.SortFunc(all, func(a, b hit) int {
		if worse(a, b) {
			return 1
		}
		return -1
	})
	return appendIDs(out, all[:min(keep, len(all))], n > keep)
}

// parallelScan is the bucket size above which a scan is shared out.
const parallelScan = 50000

// hit is one scored item of a scan: its score, its id and its position in
// the list read, which breaks ties (the earlier wins), so that the best
// keep of a list are one set whatever else the list holds.
type hit struct{ s, id, pos int32 }

func worse(a, b hit) bool { return a.s < b.s || (a.s == b.s && a.pos > b.pos) }

// bestOf keeps the keep best of the scored items from..to-1, appends
// their ids to out and returns the lowest score kept (math.MinInt32 when
// it kept every item).
func bestOf(keep, from, to int, score func(k int) (s, id int32), out []int32) ([]int32, int32) {
	return appendIDs(out, topHits(keep, from, to, score), to-from > keep)
}

func appendIDs(out []int32, hs []hit, cut bool) ([]int32, int32) {
	low := int32(math.MinInt32)
	for i, h := range hs {
		out = append(out, h.id)
		if cut && (i == 0 || h.s < low) {
			low = h.s
		}
	}
	return out, low
}

// topHits keeps the keep best of the scored items from..to-1 in a bounded
// heap whose root is the worst kept.
func topHits(keep, from, to int, score func(k int) (s, id int32)) []hit {
	h := make([]hit, 0, min(keep, to-from))
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && worse(h[r], h[l]) {
				m = r
			}
			if !worse(h[m], h[i]) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for k := from; k < to; k++ {
		s, id := score(k)
		x := hit{s, id, int32(k)}
		switch {
		case len(h) < keep:
			h = append(h, x)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !worse(h[i], h[p]) {
					break
				}
				h[p], h[i] = h[i], h[p]
				i = p
			}
		case worse(h[0], x):
			h[0] = x
			down(0)
		}
	}
	return h
}
