package tracing

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Model is a Fellegi–Sunter model: for each field and level, the chance
// of seeing that level for a true match (M) and for two different people
// (U), and the prior share of true matches among compared pairs.
//
// Scale and Shift calibrate it (0 and 0: none): the independence the
// model assumes overstates evidence that comes in correlated pieces, so
// every weight is multiplied by Scale and the prior's log odds become
// Scale·log2(prior odds) + Shift, fitted so that the probabilities hold
// on searches (Calibrate). Provenance says where the numbers came from.
type Model struct {
	Prior        float64
	M, U         [][]float64
	Scale, Shift float64
	Provenance   Provenance

	frozen [][]float64 // weights, once the model is fitted (Freeze)
	priorW float64     // log2 prior odds, with frozen
}

// Provenance is where a model's numbers came from.
type Provenance struct {
	Version string `json:"version"`
	Date    string `json:"date"`
	Data    string `json:"data"`
}

func (p Provenance) String() string {
	if p.Version == "" {
		return "fitted on this run's records (EM)"
	}
	return p.Version + " (" + p.Date + "; " + p.Data + ")"
}

func (m *Model) scale() float64 {
	if m.Scale == 0 {
		return 1
	}
	return m.Scale
}

// priorWeight is the prior's share of a score.
func (m *Model) priorWeight() float64 {
	return m.scale()*math.Log2(m.Prior/(1-m.Prior)) + m.Shift
}

// Freeze computes the weights once, for scoring many pairs; a model that
// changes afterwards (EM) must not be frozen.
func (m *Model) Freeze() *Model {
	w := make([][]float64, len(m.M))
	for f := range m.M {
		w[f] = make([]float64, len(m.M[f]))
		for l := range m.M[f] {
			w[f][l] = m.scale() * math.Log2(m.M[f][l]/m.U[f][l])
		}
	}
	m.frozen, m.priorW = w, m.priorWeight()
	return m
}

// NewModel returns starting parameters: true matches mostly agree, and
// non-matches take the levels in the proportions given (counts of each
// level among compared pairs), or uniformly when counts is nil.
func NewModel(counts [][]float64) *Model {
	m := &Model{Prior: 0.01}
	for f, fd := range Fields {
		n := len(fd.Levels)
		mf, uf := make([]float64, n), make([]float64, n)
		for l := range n {
			mf[l] = math.Pow(4, float64(l)) // the top level most likely
			uf[l] = 1
			if counts != nil {
				uf[l] = counts[f][l] + 1
			}
		}
		m.M = append(m.M, normalise(mf))
		m.U = append(m.U, normalise(uf))
	}
	return m
}

func normalise(v []float64) []float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	for i := range v {
		v[i] /= s
	}
	return v
}

// Weight is the match weight (log2 Bayes factor) of a field's level.
func (m *Model) Weight(field, level int) float64 {
	if level == Unknown {
		return 0
	}
	if m.frozen != nil {
		return m.frozen[field][level]
	}
	return m.scale() * math.Log2(m.M[field][level]/m.U[field][level])
}

// Score is the log2 odds of a match for a pair's levels.
func (m *Model) Score(levels []int) float64 {
	s := m.priorW
	if m.frozen == nil {
		s = m.priorWeight()
	}
	for f, l := range levels {
		s += m.Weight(f, l)
	}
	return s
}

// Probability turns a score into a match probability.
func Probability(score float64) float64 { return 1 / (1 + math.Exp2(-score)) }

// Levels compares two records on every field (preparing them if they
// were not).
func Levels(a, b *Record) []int {
	a.prepare()
	b.prepare()
	return levels(a.p, b.p)
}

func levels(a, b *prepared) []int {
	out := make([]int, len(Fields))
	for i, f := range Fields {
		out[i] = f.cmp(a, b)
	}
	return out
}

// ScorePair compares a pair (preparing it if it was not) and scores it.
func (m *Model) ScorePair(a, b *Record) float64 {
	a.prepare()
	b.prepare()
	return m.scorePair(a.p, b.p)
}

// scorePair scores a prepared pair without allocating (the levels live
// on the stack).
func (m *Model) scorePair(a, b *prepared) float64 {
	var lv [16]int
	for i, f := range Fields {
		lv[i] = f.cmp(a, b)
	}
	return m.Score(lv[:len(Fields)])
}

// EstimateEM fits the model to compared pairs by expectation–maximisation
// and returns the iterations it took (stopping when no parameter moves by
// more than 1e-5, or after max iterations).
func (m *Model) EstimateEM(pairs [][]int, max int) int {
	return m.estimate(pairs, max, false, 1)
}

// EstimateU sets the non-match chances from pairs of records drawn at
// random, which are almost all different people (as Splink does); EM then
// only needs to find the matches' chances, and cannot mistake a common
// coincidence (the same sex and province) for the matches.
func (m *Model) EstimateU(random [][]int) {
	m.frozen = nil
	for f := range Fields {
		c := make([]float64, len(Fields[f].Levels))
		for _, lv := range random {
			if lv[f] != Unknown {
				c[lv[f]]++
			}
		}
		for l := range c {
			c[l] += 0.5
		}
		m.U[f] = normalise(c)
	}
}

// EstimateM is EstimateEM with the non-match chances held fixed (from
// random pairs, EstimateU), constrained so that it cannot read the
// similarity that chose the candidates as evidence of a match: the prior
// at most maxPrior (one true pair per record: records / pairs), each
// field's M the U chances times a likelihood ratio that never falls as
// the agreement rises (monotone), and a pseudo-count of pairs at the U
// chances, so that a level hardly seen stays near neutral.
func (m *Model) EstimateM(pairs [][]int, max int, maxPrior float64) int {
	return m.estimate(pairs, max, true, maxPrior)
}

// pseudoPairs is the weight of the prior belief (M = U) that keeps a
// level EM hardly sees near neutral.
const pseudoPairs = 5

// Monotone makes a field's M chances agree with its levels' order: the
// likelihood ratios M/U, fitted to the given M by least squares weighted
// by U and constrained to rise with the level (pool adjacent
// violators). The weighted mean of the ratios stays 1, so M still sums
// to 1, and the top level's ratio is at least 1: an exact agreement can
// never count against a pair.
func Monotone(mf, uf []float64) []float64 {
	type block struct {
		w, r float64
		n    int
	}
	var bs []block
	for l := range mf {
		bs = append(bs, block{uf[l], mf[l] / uf[l], 1})
		for len(bs) > 1 && bs[len(bs)-2].r > bs[len(bs)-1].r {
			a, b := bs[len(bs)-2], bs[len(bs)-1]
			bs = append(bs[:len(bs)-2], block{a.w + b.w, (a.w*a.r + b.w*b.r) / (a.w + b.w), a.n + b.n})
		}
	}
	out := make([]float64, 0, len(mf))
	for _, b := range bs {
		for range b.n {
			out = append(out, b.r)
		}
	}
	for l := range out {
		out[l] *= uf[l]
	}
	return normalise(out)
}

func (m *Model) estimate(pairs [][]int, max int, fixU bool, maxPrior float64) int {
	m.frozen = nil
	const eps = 1e-3 // smoothing: no level is ever impossible
	it := 0
	for it = 1; it <= max; it++ {
		mc := make([][]float64, len(Fields))
		uc := make([][]float64, len(Fields))
		for f := range Fields {
			mc[f] = make([]float64, len(Fields[f].Levels))
			uc[f] = make([]float64, len(Fields[f].Levels))
		}
		sumP := 0.0
		for _, lv := range pairs {
			p := Probability(m.Score(lv))
			sumP += p
			for f, l := range lv {
				if l == Unknown {
					continue
				}
				mc[f][l] += p
				uc[f][l] += 1 - p
			}
		}
		prior := math.Min(math.Max(sumP/float64(len(pairs)), 1e-9), math.Min(maxPrior, 1-1e-9))
		moved := math.Abs(prior - m.Prior)
		m.Prior = prior
		for f := range Fields {
			for l := range mc[f] {
				mc[f][l] += eps
				uc[f][l] += eps
			}
			var nm, nu []float64
			if fixU {
				nu = m.U[f]
				for l := range mc[f] {
					mc[f][l] += pseudoPairs * nu[l]
				}
				nm = Monotone(normalise(mc[f]), nu)
			} else {
				nm, nu = normalise(mc[f]), normalise(uc[f])
			}
			for l := range nm {
				moved = math.Max(moved, math.Max(math.Abs(nm[l]-m.M[f][l]), math.Abs(nu[l]-m.U[f][l])))
			}
			m.M[f], m.U[f] = nm, nu
		}
		if moved < 1e-5 {
			break
		}
	}
	return it
}

// BlockingKeys are the keys under which a record is compared with others:
// a true pair shares at least one key unless both are badly damaged.
func BlockingKeys(r *Record) []string {
	r.prepare()
	return blockingKeys(r.p)
}

func blockingKeys(r *prepared) []string {
	var keys []string
	add := func(k string) {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	for rest := r.names(); rest != ""; {
		var n nameView
		n, rest = nextName(rest)
		if r.latin {
			w := strings.Fields(n.clean)
			sur, giv := w[len(w)-1], ""
			if len(w) > 1 {
				giv = w[0]
			}
			add("ls:" + prefix(sur, 3) + ":" + prefix(giv, 1))
			if giv != "" {
				add("lg:" + prefix(giv, 3) + ":" + prefix(sur, 1))
			}
			continue
		}
		_, folded := n.syllables()
		add("n:" + strings.Join(folded, " "))
		p := n.parts()
		if p.Given != "" {
			g := Syllables(p.Given, false)
			add("g:" + Fold(g[len(g)-1]) + ":" + string(r.sex)) // given name, surname misheard or a nickname
		}
		if p.Surname != "" && p.Given != "" && !p.Nick {
			// The surname and the given name's first syllable: a name
			// written short or long (张丽 and 张丽文).
			var sur []string
			for _, x := range Syllables(p.Surname, true) {
				sur = append(sur, Fold(x))
			}
			add("sf:" + strings.Join(sur, "") + ":" + Fold(Syllables(p.Given, false)[0]))
		}
		if p.Surname != "" && r.hasBirth {
			add("sy:" + Fold(Syllables(p.Surname, true)[0]) + ":" + string(r.birthDay[:4]))
		}
		if g := []rune(p.Given); len(g) > 1 && !p.Nick && len(folded) >= len(g) {
			// The given name alone (琳卫 of 胡琳卫), by its folded
			// syllables; a name of two characters may be one.
			add("gg:" + strings.Join(folded[len(folded)-len(g):], " "))
		}
		if c := []rune(n.clean); len(c) == 2 && !p.Nick && p.Given != "" && len(folded) == 2 {
			add("gg:" + strings.Join(folded, " "))
		}
		if p.Surname != "" {
			// The surname, the sex and the decades of birth it may be:
			// read only by a query whose name says little more (老王, or
			// a surname and one character, which may be miswritten).
			var sur []string
			for _, x := range Syllables(p.Surname, true) {
				sur = append(sur, Fold(x))
			}
			for _, d := range birthDecades(r) {
				add("s:" + strings.Join(sur, "") + ":" + string(r.sex) + ":" + strconv.Itoa(d))
			}
		}
	}
	if r.hasBirth && !r.birthY {
		add("b:" + string(r.birthDay[:]))
	}
	id := r.idNumber()
	if id != "" && !strings.ContainsAny(id, "*?") {
		add("i:" + id)
	}
	if n := len(id); n >= 6 && !strings.ContainsAny(id, "*?") { // halves: a number with one typo
		add("ih:" + id[:n/2])
		add("it:" + id[n/2:])
	}
	if len(id) >= 14 && !strings.ContainsAny(id[:14], "*?") {
		add("ib:" + id[:14])
	}
	// Sex, where they come from and when they were born find people whose
	// name is unknown; they are not keys but the first pass (prefilter.go).
	return keys
}

// birthDecades are the decades (year / 10) a record's birth may fall in:
// the year of birth's, or those an estimated age reaches, three years
// wider either side; none when nothing says when they were born.
func birthDecades(r *prepared) []int {
	c := compactOf(r)
	if c.bornLo == 0 {
		return nil
	}
	lo, hi := int(c.bornLo), int(c.bornHi)
	if !r.hasBirth {
		lo, hi = lo-3, hi+3
	}
	var out []int
	for d := lo / 10; d <= hi/10; d++ {
		out = append(out, d)
	}
	return out
}

// weakName tells a record whose names say little beyond a surname: 老王,
// or a surname and one character. Such a query also reads the records of
// its surname, sex and decades of birth (the keys "s:…").
func weakName(r *prepared) bool {
	for rest := r.names(); rest != ""; {
		var n nameView
		n, rest = nextName(rest)
		if r.latin {
			continue
		}
		if p := n.parts(); (p.Nick && p.Surname != "") || (!p.Nick && len([]rune(n.clean)) == 2) {
			return true
		}
	}
	return false
}

func prefix(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}
