package tracing

import (
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/havenrescue/haven/internal/idcard"
)

// The oracle ranker: how far the evidence allows. It knows the held-out
// generator (heldOut.person) — which fields it draws, how it damages
// them and how often — and ranks a nameless person's candidates by the
// exact chance that the generator would have drawn this station record
// from that report: P(record | report, same person). Ranking by it is
// the best any ranker can do on that data (the chance of the record
// under "another person" is the same for every candidate), so its recall
// is the ceiling for the nameless case: a matcher that does not know the
// generator cannot beat it. It is a test helper, never a matcher.

var hoToday = newHeldOut(0).today

// normInt is the chance that int(sd·N(0,1)) (rounded toward zero) is k.
func normInt(k int, sd float64) float64 {
	if k > -200 && k < 200 {
		if t, ok := normTables.Load(sd); ok {
			return t.([]float64)[k+200]
		}
		t := make([]float64, 400)
		for i := range t {
			t[i] = normIntCalc(i-200, sd)
		}
		normTables.Store(sd, t)
		return t[k+200]
	}
	return normIntCalc(k, sd)
}

var normTables, oracleDialects, oracleHeights sync.Map

func normIntCalc(k int, sd float64) float64 {
	cdf := func(x float64) float64 { return 0.5 * math.Erfc(-x/(sd*math.Sqrt2)) }
	switch {
	case k == 0:
		return cdf(1) - cdf(-1)
	case k > 0:
		return cdf(float64(k+1)) - cdf(float64(k))
	}
	return cdf(float64(k)) - cdf(float64(k-1))
}

// oracleLikelihood is log P(care | report, same person) under the
// held-out generator, for a nameless care record (the name is not used).
func oracleLikelihood(care, rep *Record) float64 {
	drop := os.Getenv("HAVEN_ORACLE_DROP") // "time" or "features": the oracle without that evidence, to see what it is worth
	parts := oracleParts(care, rep)
	lp := 0.0
	for i, x := range parts {
		if oraclePartNames[i] != drop {
			lp += x
		}
	}
	return lp
}

// oraclePartNames name the pieces of evidence oracleParts weighs apart.
var oraclePartNames = [...]string{"sex", "age", "height", "region", "time", "features"}

// oracleParts is oracleLikelihood piece by piece (oraclePartNames): each
// is log P(that part of care | report, same person), independent of the
// others under the held-out generator.
func oracleParts(care, rep *Record) (parts [len(oraclePartNames)]float64) {
	const tiny = 1e-12
	part := 0
	mul := func(p float64) { parts[part] += math.Log(math.Max(p, tiny)) }
	// Sex: unknown one time in thirty, never wrong.
	switch {
	case care.Sex == 0:
		mul(1.0 / 30)
	case care.Sex == rep.Sex:
		mul(29.0 / 30)
	default:
		mul(0)
	}
	lost, found := rep.Seen, care.Seen
	// The true age at the date lost, as the report gives it (weights of
	// each possible age).
	type ageW struct {
		a int
		w float64
	}
	var ages []ageW // in order: the sums below are the same every run
	switch {
	case rep.AgeMax > 0:
		ages = []ageW{{rep.AgeMin + 2, 1}}
	case rep.BirthYear:
		y := lost.Year() - rep.Birth.Year()
		ages = []ageW{{y - 1, 0.5}, {y, 0.5}}
	default:
		a := lost.Year() - rep.Birth.Year()
		if lost.YearDay() < rep.Birth.YearDay() {
			a--
		}
		ages = []ageW{{a, 1}}
	}
	part = 1
	// Age: the estimate is the age at finding plus int(4·N), the range
	// ±w with w uniform in 3..7, floored at 0.
	{
		p := 0.0
		for _, x := range ages {
			a, wa := x.a, x.w
			base := a + found.Year() - lost.Year()
			for w := 3; w <= 7; w++ {
				est := care.AgeMax - w
				if care.AgeMin != max(0, est-w) {
					continue
				}
				p += wa * 0.2 * normInt(est-base, 4)
			}
		}
		mul(p)
	}
	part = 2
	// Height: the station's is the height plus int(3·N), the report's the
	// height plus −2..2; without the report's, the population's.
	if care.HeightCm > 0 {
		p := 0.0
		if rep.HeightCm > 0 {
			for u := -2; u <= 2; u++ {
				p += 0.2 * normInt(care.HeightCm-(rep.HeightCm-u), 3)
			}
		} else {
			for _, x := range ages {
				a, wa := x.a, x.w
				key := [3]int{int(rep.Sex), min(a, 17), care.HeightCm}
				v, ok := oracleHeights.Load(key)
				if !ok {
					mean, sd := 162.0, 7.0
					if rep.Sex == 'F' {
						mean = 151
					}
					if a < 17 {
						mean, sd = float64(75+a*6), 5
					}
					q := 0.0
					for h := int(mean) - 40; h <= int(mean)+40; h++ {
						q += normInt(h-int(mean), sd) * normInt(care.HeightCm-h, 3)
					}
					v = q
					oracleHeights.Store(key, v)
				}
				p += wa * v.(float64)
			}
		}
		mul(p)
	}
	part = 3
	// Region: the report's true region (from its ID number, its native
	// place, or unknown: any of the generator's regions).
	var regions []string
	switch {
	case len(rep.IDNumber) >= 6:
		r := rep.IDNumber[:6]
		if s, ok := hoRetired[r]; ok {
			r = s
		}
		regions = []string{r}
	case len(rep.NativePlace) == 6 && allDigits(rep.NativePlace):
		regions = []string{rep.NativePlace}
	case rep.NativePlace != "":
		for _, r := range hoRegions {
			if idcard.RegionOf(r).String() == rep.NativePlace {
				regions = append(regions, r)
			}
		}
	}
	if len(regions) == 0 {
		regions = hoRegions
	}
	{
		p := 0.0
		for _, region := range regions {
			q := 0.0
			switch {
			case care.Dialect != "":
				v, ok := oracleDialects.Load(region[:2])
				if !ok {
					var ds []string
					for _, d := range Dialects() {
						if slices.Contains(dialects[d], region[:2]) {
							ds = append(ds, d)
						}
					}
					pn := provinceNames()[region[:2]]
					v = append(ds, pn+"口音", pn+"话")
					oracleDialects.Store(region[:2], v)
				}
				ds := v.([]string)
				n := 0
				for _, d := range ds {
					if d == care.Dialect {
						n++
					}
				}
				q = 0.4 * float64(n) / float64(len(ds))
			case care.NativePlace != "":
				rg := idcard.RegionOf(region)
				np := strings.TrimSuffix(strings.TrimSuffix(rg.City, "市"), "地区")
				if np == "" {
					np = rg.Province
				}
				if np == care.NativePlace {
					q = 0.2
				}
			case care.IDNumber != "":
				pre := care.IDNumber[:6]
				switch {
				case len(rep.IDNumber) >= 6:
					if pre == rep.IDNumber[:6] {
						q = 0.1
					}
				case pre == region:
					q = 0.1 * 0.9
				case hoRetired[pre] == region:
					q = 0.1 * 0.1
				}
			default:
				q = 0.3
			}
			p += q / float64(len(regions))
		}
		mul(p)
	}
	// Time: found int(Exp·120) days after lost (capped at the generator's
	// today), or one time in twenty 0..19 days before.
	part = 4
	{
		gap := int(found.Sub(lost).Hours() / 24)
		p := 0.0
		if gap <= 0 && gap > -20 {
			p += 0.05 / 20
		}
		if gap >= 0 {
			if found.Equal(hoToday) {
				p += 0.95 * math.Exp(-float64(gap)/120)
			} else {
				p += 0.95 * (math.Exp(-float64(gap)/120) - math.Exp(-float64(gap+1)/120))
			}
		}
		mul(p)
	}
	part = 5
	// Features: a garment, half the time one of the report's two, else
	// any; then, two times in three, the person's mark in the station's
	// words.
	{
		f := strings.Fields(care.Features)
		var cloth []string
		mark := -1
		for _, x := range strings.Split(rep.Features, "，") {
			if i := slices.IndexFunc(hoMarks, func(m [2]string) bool { return m[0] == x }); i >= 0 {
				mark = i
			} else {
				cloth = append(cloth, x)
			}
		}
		n := 0
		for _, c := range cloth {
			if len(f) > 0 && c == f[0] {
				n++
			}
		}
		mul(0.5*float64(n)/2 + 0.5/float64(len(hoClothes)))
		switch {
		case len(f) < 2:
			mul(1.0 / 3)
		case mark >= 0 && hoMarks[mark][1] == f[1]:
			mul(2.0 / 3)
		case mark >= 0:
			mul(0)
		default:
			mul(2.0 / 3 / float64(len(hoMarks)))
		}
	}
	return parts
}

// oracleSet is the held-out set the oracle's tests read:
// HAVEN_ORACLE_PEOPLE, _REPORTS and _SEED set it (BENCHMARKS.md: 2,000
// and 20,000); by default a small set, for CI.
func oracleSet() (*evalSet, int) {
	atoi := func(k string, d int) int {
		if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
			return v
		}
		return d
	}
	people, reports, seed := atoi("HAVEN_ORACLE_PEOPLE", 480), atoi("HAVEN_ORACLE_REPORTS", 3000), atoi("HAVEN_ORACLE_SEED", 101)
	perCase := people / 2 / len(hoCases)
	return makeEval("heldout", uint64(seed), perCase, people-perCase*len(hoCases), reports), seed
}

// TestHeldOutOracle ranks the nameless people of a held-out set by the
// oracle and logs its recall beside the matcher's: the matcher's
// shortfall from the oracle is what better reasoning could still win;
// the oracle's from 1 is what the evidence does not allow. The set is
// oracleSet's.
func TestHeldOutOracle(t *testing.T) {
	e, _ := oracleSet()
	type tally struct{ n, at1, at10, at20 int }
	oracle, matcher := map[string]*tally{}, map[string]*tally{}
	res, _, _ := Link(e.left, e.right, 20, DefaultModel().WithPrior(PriorFor(len(e.right))))
	rankOf := map[string]int{}
	for _, r := range res {
		if e.truth(r.Left) == r.Right {
			rankOf[r.Left] = r.Rank
		}
	}
	count := func(m map[string]*tally, c string, rank int) {
		if m[c] == nil {
			m[c] = &tally{}
		}
		x := m[c]
		x.n++
		for _, at := range []struct {
			k int
			n *int
		}{{1, &x.at1}, {10, &x.at10}, {20, &x.at20}} {
			if rank > 0 && rank <= at.k {
				*at.n++
			}
		}
	}
	for _, l := range e.left {
		if e.kind[l.ID] != hoNoName {
			continue
		}
		c := "no name (not placed)"
		if placed(l) {
			c = "no name (placed)"
		}
		truth := e.report[l.ID]
		want := oracleLikelihood(l, truth)
		rank := 1
		for _, r := range e.right {
			if r != truth && oracleLikelihood(l, r) >= want {
				rank++ // ties count against the oracle
			}
		}
		count(oracle, c, rank)
		count(matcher, c, rankOf[l.ID])
		if c == "no name (placed)" && placedOnBoth(l, truth) {
			count(oracle, "no name (placed, both records)", rank)
			count(matcher, "no name (placed, both records)", rankOf[l.ID])
		}
	}
	for _, c := range slices.Sorted(func(yield func(string) bool) {
		for c := range oracle {
			if !yield(c) {
				return
			}
		}
	}) {
		o, m := oracle[c], matcher[c]
		f := func(k int) float64 { return float64(k) / float64(o.n) }
		t.Logf("| %s | %d | oracle %.3f / %.3f / %.3f | matcher %.3f / %.3f / %.3f |", c, o.n, f(o.at1), f(o.at10), f(o.at20), f(m.at1), f(m.at10), f(m.at20))
	}
	// Over all the nameless people: the oracle, which ranks by the
	// generator's own chances, finds at least as many in its 20 best as
	// the matcher (a margin for the luck of a small set); else the oracle
	// is wrong. And the matcher finds most of what the evidence allows.
	// ("placed, both records" is a part of "placed".)
	var o, m tally
	for _, c := range []string{"no name (placed)", "no name (not placed)"} {
		if x := oracle[c]; x != nil {
			o.n, o.at20, m.at20 = o.n+x.n, o.at20+x.at20, m.at20+matcher[c].at20
		}
	}
	if m.at20 > o.at20+o.n/20 {
		t.Errorf("the matcher finds %d of %d nameless people in its 20 best, the oracle %d: the oracle is wrong", m.at20, o.n, o.at20)
	}
	if 10*m.at20 < 7*o.at20 {
		t.Errorf("the matcher finds %d of %d nameless people in its 20 best, under 70 %% of the oracle's %d", m.at20, o.n, o.at20)
	}
}

// TestHeldOutOracleFields says which evidence the matcher weighs worse
// than the evidence allows: for each piece the oracle weighs apart, the
// placed nameless people's recall@20 when the matcher's own weights
// for it are replaced by the oracle's chances (and the reverse), all
// candidates scored (no first pass). A diagnostic for BENCHMARKS.md, run
// only when HAVEN_ORACLE_FIELDS is set (sizes as TestHeldOutOracle).
func TestHeldOutOracleFields(t *testing.T) {
	if os.Getenv("HAVEN_ORACLE_FIELDS") == "" {
		t.Skip("HAVEN_ORACLE_FIELDS not set")
	}
	e, seed := oracleSet()
	m := DefaultModel().Freeze()
	// Which oracle part each of the matcher's fields belongs to (−1: none).
	partOf := make([]int, len(Fields))
	for f, fd := range Fields {
		partOf[f] = -1
		switch fd.Name {
		case "sex":
			partOf[f] = 0
		case "birth":
			partOf[f] = 1
		case "height":
			partOf[f] = 2
		case "region", "id_number":
			partOf[f] = 3
		case "time":
			partOf[f] = 4
		case "features", "clothing":
			partOf[f] = 5
		}
	}
	for _, r := range e.right {
		r.prepare()
	}
	const nParts = len(oraclePartNames)
	// Scorers: 0 the matcher, 1 the oracle, 2.. the matcher with part i
	// the oracle's, 2+nParts.. the oracle with part i the matcher's.
	nScorers := 2 + 2*nParts
	found := make([]int, nScorers)
	n := 0
	for _, l := range e.left {
		if e.kind[l.ID] != hoNoName {
			continue
		}
		if !placed(l) {
			continue
		}
		n++
		scores := func(r *Record) []float64 {
			var mp, op [nParts]float64
			other := 0.0
			for f, fd := range Fields {
				w := m.Weight(f, fd.cmp(l.p, r.p)) / m.scale()
				if partOf[f] < 0 {
					other += w
				} else {
					mp[partOf[f]] += w
				}
			}
			o := oracleParts(l, r)
			for i := range o {
				op[i] = o[i] / math.Ln2
			}
			s := make([]float64, nScorers)
			for i := range nParts {
				s[0] += mp[i]
				s[1] += op[i]
			}
			s[0] += other
			for i := range nParts {
				s[2+i] = s[0] - mp[i] + op[i]
				s[2+nParts+i] = s[1] - op[i] + mp[i]
			}
			return s
		}
		truth := e.report[l.ID]
		want := scores(truth)
		rank := make([]int, nScorers)
		for _, r := range e.right {
			if r == truth {
				continue
			}
			for i, s := range scores(r) {
				if s >= want[i] {
					rank[i]++
				}
			}
		}
		for i, k := range rank {
			if k < 20 {
				found[i]++
			}
		}
	}
	f := func(i int) string { return strconv.FormatFloat(float64(found[i])/float64(n), 'f', 3, 64) }
	t.Logf("seed %d, %d placed nameless people, recall@20 over every report: matcher %s, oracle %s", seed, n, f(0), f(1))
	for i, name := range oraclePartNames {
		t.Logf("| %s | matcher with the oracle's: %s | oracle with the matcher's: %s |", name, f(2+i), f(2+nParts+i))
	}
}
