package tracing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/mozillazg/go-pinyin"

	"github.com/havenrescue/haven/internal/idcard"
)

// The synthetic Chinese benchmark: pairs of a family's missing-person
// report and the record a station made of the same person, with the
// damage real records have. Seeded, so every run draws the same people.
//
//   - Surnames by their frequency in the population (the 2020 census
//     order; the top 30 cover about 70 % of people), given names of one or
//     two characters from common name characters.
//   - The report knows the name, birth date, sex, native place (a GB/T 2260
//     code, sometimes one retired since), height and what they wore; the
//     station's record has an estimated age (a range of ±5 years around a
//     guess off by about four), a height off by a few centimetres, the
//     clothing partly (changed more often the longer they were away), the
//     accent's region, the day found (days to years after the day lost:
//     most within weeks or months), and a name that is absent, exact,
//     or heard with one homophone (another character with the same
//     pinyin).

// surnames with weights in per mille (rounded census shares).
var synthSurnames = []struct {
	s string
	w int
}{{"王", 71}, {"李", 70}, {"张", 66}, {"刘", 54}, {"陈", 45}, {"杨", 31}, {"黄", 23}, {"赵", 22}, {"吴", 20}, {"周", 19},
	{"徐", 13}, {"孙", 12}, {"马", 12}, {"朱", 11}, {"胡", 11}, {"郭", 11}, {"何", 10}, {"林", 10}, {"高", 10}, {"罗", 9},
	{"郑", 8}, {"梁", 8}, {"谢", 7}, {"宋", 6}, {"唐", 6}, {"许", 6}, {"韩", 5}, {"邓", 5}, {"冯", 5}, {"曹", 5},
	{"彭", 5}, {"曾", 5}, {"肖", 5}, {"田", 4}, {"董", 4}, {"潘", 4}, {"袁", 4}, {"蔡", 4}, {"蒋", 4}, {"余", 4},
	{"于", 4}, {"杜", 4}, {"叶", 4}, {"程", 4}, {"魏", 3}, {"苏", 3}, {"吕", 3}, {"丁", 3}, {"任", 3}, {"卢", 3},
	{"单", 1}, {"区", 1}, {"仇", 1}, {"查", 1}, {"解", 1}, {"覃", 1}, {"欧阳", 1}, {"诸葛", 1}}

// name characters (given names).
var synthGiven = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华霞平刚桂兰建国红梅玉凤志飞鹏辉俊峰春林海燕波斌宇浩凯鑫晓红亮成文光荣德福贵生龙永长金山家庆宏彬新利清忠义民")

// regions where people come from, with retired codes among them.
var synthRegions = []string{"410702", "410703", "410711", "410721", "410724", "410725", "410726", "410727", "410728", "410781",
	"410782", "410102", "410105", "410305", "410502", "410602", "411302", "412701", "130102", "340104", "371302", "510104",
	"510105", "500101", "430102", "420102", "110103", "110104", "610112", "620102"}

var synthClothes = []string{"灰色棉衣", "黑色羽绒服", "蓝色工装", "红色毛衣", "军绿大衣", "白色运动鞋", "黑布鞋", "牛仔裤", "迷彩裤", "格子衬衫"}
var synthMarks = []string{"左臂烫伤疤痕", "右手缺小指", "前额旧伤疤", "左耳后黑痣", "门牙缺一颗", "跛行", "右眉有疤", "秃顶"}

// Case kinds of the synthetic benchmark.
const (
	CaseHomophone = "name_homophone" // the name heard with one homophone error
	CaseNoName    = "no_name"        // no name at all
	CaseMinor     = "minor"          // under 18
	CaseElderly   = "elderly"        // 65 or over
	// Names damaged otherwise, for fitting the name field's levels: a
	// name heard or written in part (小明, 老王, the given name alone), a
	// character miswritten (one that looks alike, or any), a character
	// heard in another accent.
	CasePartial   = "name_partial"
	CaseLookalike = "name_lookalike"
	CaseAccent    = "name_accent"
)

// FitCases are the cases the built-in model is fitted on (FitModel).
var FitCases = []string{CaseHomophone, CaseNoName, CaseMinor, CaseElderly, CasePartial, CaseLookalike, CaseAccent}

// Synth draws synthetic people.
type Synth struct {
	r         *rand.Rand
	total     int
	bySyl     map[string][]rune
	byFold    map[string][]rune // characters by their syllable folded for accents
	Reference time.Time
}

// NewSynth returns a generator seeded with seed.
func NewSynth(seed uint64) *Synth {
	s := &Synth{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), bySyl: map[string][]rune{}, Reference: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	for _, x := range synthSurnames {
		s.total += x.w
	}
	for _, c := range synthGiven {
		p := pinyin.LazyPinyin(string(c), pinyinArgs)
		if len(p) == 1 {
			s.bySyl[p[0]] = append(s.bySyl[p[0]], c)
		}
	}
	// Homophones outside the name pool, so that a misheard character
	// is a plausible other one.
	for _, c := range []rune("玮纬炜方坊仿纳那民闽敬镜莉立励墙蔷君钧扬阳永泳颜燕雁节洁娇涛滔韬名鸣铭潮朝秀绣莹瑛桦骅侠峡萍屏钢岗纲贵桂兰岚蓝剑健件国帼虹宏弘洪梅眉枚宇雨羽语浩豪昊皓凯铠锴新欣馨心清青庆卿") {
		p := pinyin.LazyPinyin(string(c), pinyinArgs)
		if len(p) == 1 {
			s.bySyl[p[0]] = append(s.bySyl[p[0]], c)
		}
	}
	// Characters an accent hears alike (Fold), for CaseAccent: the name
	// characters and the homophones above, and some more of other
	// initials and finals.
	s.byFold = map[string][]rune{}
	for syl, cs := range s.bySyl {
		s.byFold[Fold(syl)] = append(s.byFold[Fold(syl)], cs...)
	}
	for _, c := range []rune("兰南蓝难林宁琳凌玲铃宁龙农隆浓刘牛柳纽黄方芳房华发辉飞惠菲湖福虎富张赞章藏志自智子春村纯存山三善伞生森胜僧") {
		if p := pinyin.LazyPinyin(string(c), pinyinArgs); len(p) == 1 && !slices.Contains(s.byFold[Fold(p[0])], c) {
			s.byFold[Fold(p[0])] = append(s.byFold[Fold(p[0])], c)
		}
	}
	for k := range s.byFold {
		slices.Sort(s.byFold[k]) // a map's order is not the seed's
	}
	return s
}

// damaged is the name as a station may have it in case kind
// (CasePartial, CaseLookalike, CaseAccent); ok false when the name
// cannot be damaged so.
func (s *Synth) damaged(name, kind string) (string, bool) {
	r := s.r
	p := SplitName(name)
	g := []rune(p.Given)
	if len(g) == 0 {
		return "", false
	}
	switch kind {
	case CasePartial:
		switch r.IntN(6) {
		case 0:
			return "小" + string(g[len(g)-1]), true
		case 1:
			return "阿" + string(g[len(g)-1]), true
		case 2:
			return "老" + p.Surname, true
		case 3: // the given name alone
			if len(g) > 1 {
				return p.Given, true
			}
			return "小" + p.Given, true
		case 4: // the surname and the given name's first character
			if len(g) > 1 {
				return p.Surname + string(g[0]), true
			}
			return p.Surname + p.Given + string(synthGiven[r.IntN(len(synthGiven))]), true
		default: // the given name heard as a nickname of two (明明)
			return string(g[len(g)-1]) + string(g[len(g)-1]), true
		}
	case CaseLookalike:
		i := r.IntN(len(g))
		if alt := lookalikeOf()[g[i]]; len(alt) > 0 && r.IntN(4) > 0 {
			g[i] = alt[r.IntN(len(alt))]
		} else {
			g[i] = synthGiven[r.IntN(len(synthGiven))] // any character written for it
		}
		return p.Surname + string(g), true
	case CaseAccent:
		for _, i := range r.Perm(len(g)) {
			syl := pinyin.LazyPinyin(string(g[i]), pinyinArgs)
			if len(syl) != 1 {
				continue
			}
			var alt []rune
			for _, c := range s.byFold[Fold(syl[0])] {
				if q := pinyin.LazyPinyin(string(c), pinyinArgs); len(q) == 1 && q[0] != syl[0] {
					alt = append(alt, c)
				}
			}
			if len(alt) > 0 {
				g[i] = alt[r.IntN(len(alt))]
				return p.Surname + string(g), true
			}
		}
	}
	return "", false
}

func (s *Synth) surname() string {
	n := s.r.IntN(s.total)
	for _, x := range synthSurnames {
		if n -= x.w; n < 0 {
			return x.s
		}
	}
	return "王"
}

// homophone replaces one given-name character with another of the same
// reading; ok is false when none exists.
func (s *Synth) homophone(name string) (string, bool) {
	p := SplitName(name)
	g := []rune(p.Given)
	for _, i := range s.r.Perm(len(g)) {
		syl := pinyin.LazyPinyin(string(g[i]), pinyinArgs)
		if len(syl) != 1 {
			continue
		}
		var alt []rune
		for _, c := range s.bySyl[syl[0]] {
			if c != g[i] {
				alt = append(alt, c)
			}
		}
		if len(alt) > 0 {
			g[i] = alt[s.r.IntN(len(alt))]
			return p.Surname + string(g), true
		}
	}
	return name, false
}

// Pair draws one person as a report (what the family knows) and a care
// record (what the station saw), in the given case.
func (s *Synth) Pair(n int, kind string) (report, care *Record) {
	r := s.r
	age := 18 + r.IntN(47)
	switch kind {
	case CaseMinor:
		age = 8 + r.IntN(10)
	case CaseElderly:
		age = 65 + r.IntN(25)
	}
	sex := byte('M')
	if r.IntN(10) < 3 {
		sex = 'F'
	}
	given := string(synthGiven[r.IntN(len(synthGiven))])
	if r.IntN(3) > 0 {
		given += string(synthGiven[r.IntN(len(synthGiven))])
	}
	name := s.surname() + given
	lost := s.Reference.AddDate(0, 0, -400-r.IntN(3*365))
	birth := lost.AddDate(-age, -r.IntN(12), -r.IntN(28))
	region := synthRegions[r.IntN(len(synthRegions))]
	height := 150 + r.IntN(30)
	if sex == 'F' {
		height -= 10
	}
	if age < 16 {
		height -= (16 - age) * 6
	}
	cloth := synthClothes[r.IntN(len(synthClothes))] + " " + synthClothes[r.IntN(len(synthClothes))]
	mark := synthMarks[r.IntN(len(synthMarks))]
	report = &Record{ID: fmt.Sprintf("R%d", n), Names: []string{name}, Sex: sex, Birth: birth, Seen: lost, SeenIs: SeenLost, HeightCm: height,
		Region: region, Features: cloth + " " + mark}
	// Most people who go missing turn up within days or weeks, fewer
	// after months, a few after years; those a family search has to find
	// are the ones not reunited within days by the police or their
	// family. The gap from lost to found is log-normal: half of it within
	// two months, a tenth over a year and a half (σ = ln(547/60)/1.2816).
	// A station's record is never dated after its reference day.
	gap := math.Exp(math.Log(60) + r.NormFloat64()*math.Log(547.0/60)/1.2816)
	seen := lost.AddDate(0, 0, int(min(gap, 10*365)))
	if seen.After(s.Reference) {
		seen = s.Reference
	}
	days := seen.Sub(lost).Hours() / 24
	est := age + (seen.Year() - lost.Year())
	// Ages guessed by sight are off by about four years on average, now
	// and then by much more (a Laplace error, capped at 10), so the true
	// age falls outside the ±5 written down about a quarter of the time;
	// an estimate off by more than ten years is left to the floor of the
	// fitting (FitModel). Before revision 4 the error was drawn evenly
	// over ±4, never outside the range, and the fitting read an age
	// outside it as all but ruling a pair out.
	off := int(math.Round(min(r.ExpFloat64()*4, 10)))
	if r.IntN(2) == 0 {
		off = -off
	}
	// A height is remembered by the family and guessed or measured by the
	// station: off by a few centimetres, now and then by ten or more (a
	// Laplace error of 2.5 cm on average, capped at 20).
	hoff := int(math.Round(min(r.ExpFloat64()*2.5, 20)))
	if r.IntN(2) == 0 {
		hoff = -hoff
	}
	care = &Record{ID: fmt.Sprintf("C%d", n), Sex: sex, Seen: seen, SeenIs: SeenFound, AgeMin: max(0, est+off-5), AgeMax: est + off + 5,
		HeightCm: height + hoff, Region: region[:4] + "00"}
	switch r.IntN(8) {
	case 0, 1: // the accent placed only the province
		care.Region = region[:2] + "0000"
	case 2: // a dialect's name, spoken in the province and maybe others
		var ds []string
		for _, d := range Dialects() {
			if slices.Contains(dialects[d], region[:2]) {
				ds = append(ds, d)
			}
		}
		if len(ds) > 0 {
			care.Region, care.Dialect = "", ds[r.IntN(len(ds))]
		}
	case 3: // nothing to place them by
		care.Region = ""
	}
	f := strings.Fields(cloth)
	care.Features = f[r.IntN(len(f))]
	// Changed clothes since, or remembered wrong by the family: half the
	// time within a year (a station records what someone arrives in after
	// days of wandering, families describe what they last saw), three
	// quarters later.
	changed := 2 // in quarters
	if days > 365 {
		changed = 3
	}
	if r.IntN(4) < changed {
		care.Features = synthClothes[r.IntN(len(synthClothes))]
	}
	switch r.IntN(6) {
	case 0, 1: // no mark noted
	case 2: // a mark the family did not mention
		care.Features += " " + synthMarks[r.IntN(len(synthMarks))]
	default:
		care.Features += " " + mark
	}
	// A third of families know the ID number; one care record in six has
	// one (a card found on the person), sometimes only partly legible.
	if r.IntN(3) == 0 {
		first := fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), 1+r.IntN(998))
		report.IDNumber = first + string(idcard.CheckChar(first))
		if r.IntN(6) == 0 {
			care.IDNumber = report.IDNumber
			if r.IntN(2) == 0 {
				care.IDNumber = report.IDNumber[:14] + "****"
			}
		}
	}
	switch kind {
	case CaseNoName:
	case CaseHomophone:
		if h, ok := s.homophone(name); ok {
			care.Names = []string{h}
		} else {
			care.Names = []string{name}
		}
	case CasePartial, CaseLookalike, CaseAccent:
		if d, ok := s.damaged(name, kind); ok {
			care.Names = []string{d}
		} else {
			care.Names = []string{name}
		}
	default:
		if r.IntN(2) == 0 {
			care.Names = []string{name}
		}
	}
	return report, care
}

// Filler draws a report of someone who is not among the people in care.
func (s *Synth) Filler(n int) *Record {
	kinds := []string{"", CaseMinor, CaseElderly}
	rep, _ := s.Pair(n, kinds[s.r.IntN(len(kinds))])
	rep.ID = fmt.Sprintf("F%d", n)
	return rep
}

// FitModel estimates the weights a station starts with before it has
// enough reviewed pairs of its own: M from n synthetic true pairs of each
// case (the generator knows which pairs are true, so no EM is needed and
// none can drift), U from random pairs of different people; then each
// field's M made monotone in its levels (Monotone) and the whole
// calibrated on searches (Calibrate). The prior is left to the caller
// (WithPrior, PriorFor): it depends on how many records a query searches.
func FitModel(seed uint64, n int) *Model {
	s := NewSynth(seed)
	var reports, care []*Record
	counts := make([][]float64, len(Fields))
	for f := range Fields {
		counts[f] = make([]float64, len(Fields[f].Levels))
	}
	for _, c := range FitCases {
		for range n {
			rep, cr := s.Pair(len(reports), c)
			rep.Prepare()
			cr.Prepare()
			for f, l := range Levels(cr, rep) {
				if l != Unknown {
					counts[f][l]++
				}
			}
			reports, care = append(reports, rep), append(care, cr)
		}
	}
	for range 4 * n {
		f := s.Filler(len(reports))
		f.Prepare()
		reports = append(reports, f)
	}
	m := NewModel(nil)
	// Random pairs: almost all of different people.
	m.EstimateU(randomPairs(care, reports[len(care):], 20000))
	for f := range Fields {
		for l := range counts[f] {
			counts[f][l] += 0.5
		}
		// The generator's damage is bounded; real records are worse (a
		// sex written wrong, an age guessed far off, clothing changed).
		// A tenth of each field's M is spread over its levels, so that no
		// single disagreement can veto a pair; a fiftieth of the time's,
		// whose one impossible level (found before lost, by more than a
		// month) should come close to a veto.
		floor := 0.1
		if Fields[f].Name == "time" {
			floor = 0.02
		}
		mf := normalise(counts[f])
		for l := range mf {
			mf[l] = (1-floor)*mf[l] + floor/float64(len(mf))
		}
		m.M[f] = Monotone(mf, m.U[f])
	}
	// Calibrate on searches: the care records of the even pairs have their
	// report among the records searched, the odd ones' (no report) do not.
	var searched, queries []*Record
	truth := map[string]string{}
	for i, r := range reports {
		if i >= len(care) || i%2 == 0 {
			searched = append(searched, r)
		}
		if i < len(care) {
			queries = append(queries, care[i])
			if i%2 == 0 {
				truth[care[i].ID] = r.ID
			}
		}
	}
	m.Calibrate(queries, searched, truth)
	m.Provenance = Provenance{Version: ModelVersion, Data: fmt.Sprintf("tracing.NewSynth(%d): %d true pairs, 20000 random pairs; calibrated on %d searches of %d records, half with no report", seed, len(care), len(queries), len(searched))}
	return m.Freeze()
}

// ModelRevision numbers the fitting (FitModel): it changes when the
// fields, the generator or the fitting do; ModelVersion names it.
const (
	ModelRevision = 6
	ModelVersion  = "tracing-6"
)

// PriorFor is the prior share of true pairs for a search of n records:
// one in n+1, a person being at most one of them, rounded down to a power
// of two so that it changes only when n doubles or halves.
func PriorFor(n int) float64 {
	p := 1
	for p < n+1 {
		p <<= 1
	}
	return 1 / float64(p)
}

// Calibrate fits the model's Scale and Shift so that its probabilities
// hold on searches: each query's 20 best candidates among recs (scored at
// PriorFor(len(recs))), true where truth names the candidate, the others
// (and every candidate of a query truth has no report for) false. A
// logistic regression of the truth on the score.
func (m *Model) Calibrate(queries, recs []*Record, truth map[string]string) {
	raw := *m
	raw.Scale, raw.Shift = 1, 0
	raw.Prior = PriorFor(len(recs))
	raw.frozen = nil
	ix := NewIndex(&raw, recs)
	var xs, ys []float64
	for _, q := range queries {
		res, _ := ix.Search(q, 20, raw.Prior)
		for _, r := range res {
			xs = append(xs, r.Score)
			y := 0.0
			if truth[q.ID] == r.Right {
				y = 1
			}
			ys = append(ys, y)
		}
	}
	a, b := logistic(xs, ys)
	// The calibrated log2 odds are a·score + b/ln 2: every weight and the
	// prior's log odds times a, and b/ln 2 added (priorWeight).
	m.Scale, m.Shift = a, b/math.Ln2
	m.frozen = nil
}

// logistic fits P(y) = σ(a·x + b) (natural logs) by Newton's method, with
// a little ridge so that separable data stays finite.
func logistic(xs, ys []float64) (a, b float64) {
	a, b = math.Ln2, 0
	for range 50 {
		var ga, gb, haa, hab, hbb float64
		for i, x := range xs {
			p := 1 / (1 + math.Exp(-(a*x + b)))
			d := p - ys[i]
			ga += d * x
			gb += d
			w := p * (1 - p)
			haa += w * x * x
			hab += w * x
			hbb += w
		}
		ga += 1e-3 * (a - math.Ln2)
		haa += 1e-3
		hbb += 1e-6
		det := haa*hbb - hab*hab
		if det <= 0 {
			break
		}
		da, db := (hbb*ga-hab*gb)/det, (haa*gb-hab*ga)/det
		a, b = a-da, b-db
		if math.Abs(da) < 1e-9 && math.Abs(db) < 1e-9 {
			break
		}
	}
	return a / math.Ln2, b
}

// WithPrior returns a copy of m whose prior share of true pairs is p.
func (m *Model) WithPrior(p float64) *Model {
	c := *m
	c.Prior = math.Min(math.Max(p, 1e-9), 1-1e-9)
	c.priorW = c.priorWeight()
	return &c
}
