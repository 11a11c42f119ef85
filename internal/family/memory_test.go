package family

import (
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/secret"
)

// The index's memory and its answers, on a synthetic population drawn as
// the scale data set draws a station's history (haven scale): four in
// five identified by their ID number, one in 200 in care, a report for
// every ten people, a few of them describing someone on file. Names are
// drawn from more characters than the scale set's (about half a million
// names, not two thousand), so that records share few strings.

var (
	memSurnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
	memGiven    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华霞平刚桂兰建国红梅玉凤志飞鹏辉俊峰春林海燕波斌宇浩凯鑫晓红亮成文光荣德福贵生龙永长金山家庆宏彬新利清忠义民")
	memRegions  = []string{"410702", "410703", "410711", "410721", "410724", "410725", "410726", "410727", "410781", "410782", "410728",
		"410102", "410105", "410305", "410502", "410602", "410802", "411302", "411402", "412701", "130102", "340104", "371302", "510104", "610112"}
	memMarks = []string{"左臂有烫伤疤痕", "右手缺小指", "前额有旧伤疤", "左脸颊有黑痣", "右腿旧伤，走路微跛"}
)

// memUUID is a stable id shaped like id.New's.
func memUUID(r *rand.Rand) string {
	b := fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64())
	return b[:8] + "-" + b[8:12] + "-" + b[12:16] + "-" + b[16:20] + "-" + b[20:32]
}

func memName(r *rand.Rand) string {
	n := string(memSurnames[r.IntN(len(memSurnames))]) + string(memGiven[r.IntN(len(memGiven))])
	if r.IntN(3) > 0 {
		n += string(memGiven[r.IntN(len(memGiven))])
	}
	return n
}

// memPopulation draws n people, the last inCare of them in care, and
// n/10 open reports.
func memPopulation(t testing.TB, n, inCare int, seed uint64, keys *secret.Keyring) ([]*Subject, []*Report) {
	r := rand.New(rand.NewPCG(seed, 16))
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	seal := func(ctx, v string) string {
		s, err := keys.Seal(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	places := map[string]string{}
	for _, c := range memRegions {
		places[c] = idcard.RegionOf(c).String()
	}
	subjects := make([]*Subject, 0, n)
	type known struct {
		p    *cases.Person
		id   string
		seen time.Time
	}
	var planted []known
	for i := range n {
		age := 18 + r.IntN(58)
		seen := now.Add(-time.Duration(r.Int64N(int64(10 * 365 * 24 * time.Hour))))
		p := &cases.Person{ID: memUUID(r), Ref: fmt.Sprintf("XH-%07d", i), Dialect: "河南话", Version: 1, UpdatedAt: seen}
		male := r.IntN(10) < 8
		p.Sex = cases.Female
		if male {
			p.Sex = cases.Male
		}
		var number string
		if r.IntN(10) < 8 {
			region := memRegions[r.IntN(len(memRegions))]
			birth := time.Date(now.Year()-age, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
			seq := r.IntN(500) * 2
			if male {
				seq++
			}
			first := fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), seq)
			number = first + string(idcard.CheckChar(first))
			p.Name, p.IDSealed, p.Identified = memName(r), seal(cases.IDContext, number), true
			p.BirthDate, p.NativePlace, p.Hukou = birth.Format("2006-01-02"), places[region], places[region]
		} else {
			p.AgeMin, p.AgeMax = age-5, age+5
			k := r.IntN(len(memMarks))
			p.Marks = memMarks[k]
			if k == 3 {
				p.Dialect = "四川口音"
			}
			if r.IntN(3) == 0 {
				p.Name = memName(r) // what they say their name is
			}
		}
		// Names as they also come: a nickname, traditional characters,
		// letters, a rare character pinyin does not read.
		switch k := r.IntN(200); {
		case p.Name == "":
		case k < 4:
			p.Aliases = "小" + string([]rune(p.Name)[len([]rune(p.Name))-1])
		case k < 6:
			p.Aliases = "老" + string([]rune(p.Name)[0])
		case k < 8:
			p.Name = "陳" + string([]rune(p.Name)[1:])
		case k < 9:
			p.Name = []string{"John Smith", "Maria Garcia", "Nguyen Van An"}[r.IntN(3)]
		case k < 10:
			p.Aliases = string([]rune(p.Name)[0]) + "䶮"
		}
		if r.IntN(2) == 0 {
			p.HeightCm = 150 + r.IntN(35)
		}
		x := &Subject{Person: p, Seen: seen, InCare: i >= n-inCare, Private: r.IntN(50) == 0}
		if x.InCare && !p.Identified && r.IntN(2) == 0 {
			x.Place = "新乡火车站广场"
		}
		subjects = append(subjects, x)
		if number != "" && len(planted) < max(4, n/1000) && r.IntN(20) == 0 {
			planted = append(planted, known{p, number, seen})
		}
	}
	reports := make([]*Report, 0, n/10)
	for i := range n / 10 {
		rp := &Report{ID: memUUID(r), Ref: fmt.Sprintf("XR-%07d", i), Source: SourceFamily, Status: StatusOpen, Version: 1,
			LostOn: now.AddDate(0, 0, -10-r.IntN(3000)).Format("2006-01-02")}
		if i < len(planted) {
			kp := planted[i]
			rs := []rune(kp.p.Name)
			rs[len(rs)-1] = memGiven[(slices.Index(memGiven, rs[len(rs)-1])+1)%len(memGiven)]
			rp.Name, rp.Sex, rp.BirthDate, rp.NativePlace = string(rs), kp.p.Sex, kp.p.BirthDate[:4], kp.p.NativePlace
			rp.IDSealed, rp.LostPlace, rp.Description = seal(idContext, kp.id[:10]+"********"), "外出务工后失联", "外出打工后多年没有音讯"
			rp.LostOn = kp.seen.AddDate(0, 0, -10-r.IntN(400)).Format("2006-01-02") // lost before they were found
			switch i % 3 {
			case 1:
				rp.IDSealed = seal(idContext, kp.id) // the whole number
			case 2:
				rp.IDSealed = seal(idContext, kp.id[:16]+"?"+kp.id[17:])
			}
		} else {
			male := r.IntN(10) < 7
			rp.Sex = cases.Female
			if male {
				rp.Sex = cases.Male
			}
			region := memRegions[r.IntN(len(memRegions))]
			rp.Name, rp.BirthDate, rp.HeightCm = memName(r), strconv.Itoa(now.Year()-8-r.IntN(70)), 140+r.IntN(40)
			rp.NativePlace, rp.LostPlace = places[region], places[region]
			switch k := r.IntN(5); k {
			case 3, 4:
				rp.Features = []string{"右脸有胎记", "走路有点跛，左腿旧伤"}[k-3]
			default:
				rp.Description = []string{"身穿蓝色外套，黑裤子", "患有阿尔茨海默病，记不清家", "智力残疾，会说自己名字"}[k]
			}
			if r.IntN(8) == 0 {
				rp.Source = SourcePolice
			}
		}
		reports = append(reports, rp)
	}
	return subjects, reports
}

func memService(t testing.TB) *Service {
	keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return &Service{Keys: keys, Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }}
}

// digest sums up what matching gives: every search's answer (before the
// filter) and every proposal, with its score to the bit and its levels.
func (x *index) digest() (string, int) {
	var lines []string
	for _, q := range x.queries() {
		for _, m := range x.answer(q) {
			lines = append(lines, fmt.Sprintf("%s %s %x %v", q, m.Right, math.Float64bits(m.Score), m.Levels))
		}
	}
	n := 0
	for k, p := range x.saved {
		n++
		c := candidate(k, p, time.Time{})
		lines = append(lines, fmt.Sprintf("c %s %x %x %s %v", c.PersonID+"|"+c.Target(), math.Float64bits(c.Score), math.Float64bits(c.Probability), c.Label, c.Levels))
	}
	slices.Sort(lines)
	return fmt.Sprintf("%x", sha256.Sum256([]byte(strings.Join(lines, "\n")))), n
}

// goldens are what matching gave on memPopulation(people, inCare, seed)
// before the index was made compact (2026-12-02, commit f0f26a2). A
// change that alters them alters which pairs are proposed or how they
// score: if that is meant, say so in the change and update them.
//
// Updated 2026-12-02 (issue 21), meant: the model changed (the built-in
// calibrated model file with the time, clothing and one-character-differs
// levels, dialects as provinces, retired codes carried to their
// successors, a blocking key of the surname and the given name's first
// syllable), the first pass reads the bucket of records placed nowhere
// and, for a query placed nowhere, every bucket; and the planted reports
// now go missing before their person was found (before, their dates were
// drawn apart, and found-before-lost now weighs against a pair).
//
// Updated again 2026-12-02 (issue 21, held-out recall), meant: model
// tracing-3 (fitted also on partial, look-alike and accent-misheard
// names; age estimates graded by their middle), traits compared by kind
// of mark, look-alike characters from a decomposition data set, a number
// legible only in its region and year no longer weighed as an ID number
// (its region and birth year count once, in their own fields),
// given-name and surname keys, time in the first pass. As many pairs are
// proposed as before.
//
// Updated again 2026-12-02 (issue 21, nameless recall), meant: model
// tracing-4 (the time gap in seven levels, fitted on gaps drawn from a
// skewed law, most within weeks or months; age and height errors with a
// longer tail, so an age outside the estimate weighs less against a
// pair; clothing changed more often), and the first pass grades the gap
// as the model does. Proposals 8 → 7 (seed 1) and 7 → 10 (seed 2). The
// planted reports here are lost 10–410 days (evenly) before their person
// was found, with a name one character off and a partial ID number: one
// of those found 3–12 months after (the "within_1y" level, now about
// neutral) falls below "possible" (seed 1), two more are just above
// (0.51, seed 2); a pair of seed 1 with an exact name, the same county
// and a gap of days but birth years ten apart goes from "possible" to
// "likely".
//
// Updated again 2026-12-02 (issue 21, fourth pass), meant: model
// tracing-5, the gap from lost to found graded at half a year too (3–6
// months +1.0 bits, 6–12 months −0.2, where 3–12 months was +0.3), one
// level over a year. Proposals 7 → 7 (seed 1) and 10 → 8 (seed 2): two
// planted pairs of seed 2 found 6–12 months after (a name one character
// off, the same county, ages alike), at 0.51 before, fall just below
// "possible"; one found 3–6 months after rises from 0.54 to 0.65.
//
// Updated again 2026-12-02 (issue 21, fifth pass), meant: model
// tracing-6, an age estimate graded by how far its middle is from the
// other side's age, however wide the range written (within 2.5 years,
// 5, 12, further), where before a range's overlap counted. The same
// pairs are proposed with the same labels (7 and 8); their
// probabilities move by at most 0.06 (a pair of seed 2 with ages far
// apart 0.65 → 0.59).
var goldens = []struct {
	people, inCare int
	seed           uint64
	digest         string
}{
	{6000, 600, 1, "67d989dd5d44c3078041c34eea705326200b0a726f4c9c7b6a45d659e66a1957"},
	{3000, 1500, 2, "6f25f83644c003801e5f72a3405a390fdaff730a000636c9f68230b04dc8342c"}, // half in care: many searches of the people
}

// TestCompactIndexMatchesAsBefore: the compact index proposes the same
// pairs with the same scores as the index it replaced.
func TestCompactIndexMatchesAsBefore(t *testing.T) {
	for _, g := range goldens {
		s := memService(t)
		subjects, reports := memPopulation(t, g.people, g.inCare, g.seed, s.Keys)
		x := s.newIndex(subjects, reports)
		x.matchAll(s.now())
		got, n := x.digest()
		t.Logf("%d people, %d in care, seed %d: %d proposals, digest %s", g.people, g.inCare, g.seed, n, got)
		if n < 4 {
			t.Fatalf("only %d proposals: the population plants at least 4 people with a report", n)
		}
		if got != g.digest {
			t.Errorf("matching changed: digest %s, want %s", got, g.digest)
		}
	}
}

// TestIndexMemory reports the index's heap per person after a GC, at the
// sizes in HAVEN_INDEX_MEMORY (e.g. "10000 100000"). It measures, it does
// not judge: the figures go to BENCHMARKS.md.
func TestIndexMemory(t *testing.T) {
	sizes := strings.Fields(os.Getenv("HAVEN_INDEX_MEMORY"))
	if len(sizes) == 0 {
		t.Skip("set HAVEN_INDEX_MEMORY to the people counts to measure, e.g. \"10000 100000\"")
	}
	if os.Getenv("HAVEN_INDEX_HEAPPROFILE") != "" {
		defer func(r int) { runtime.MemProfileRate = r }(runtime.MemProfileRate)
		runtime.MemProfileRate = 1 // every allocation, for exact shares
	}
	for _, v := range sizes {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			t.Fatalf("HAVEN_INDEX_MEMORY: %q is not a count of people", v)
		}
		s := memService(t)
		subjects, reports := memPopulation(t, n, max(1, n/200), 1, s.Keys)
		var before, built, with, without runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		x := s.newIndex(subjects, reports)
		took := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&built)
		// Matching everything takes long at 10^6 (a search for every
		// report): above 2·10^5 people the index is measured built only.
		matched := n <= 200000
		if matched {
			start = time.Now()
			x.matchAll(s.now())
			took += time.Since(start)
		}
		// The index's own bytes: the heap with it, less the heap without
		// it (the population it was built from alive in both).
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&with)
		if p := os.Getenv("HAVEN_INDEX_HEAPPROFILE"); p != "" {
			f, err := os.Create(fmt.Sprintf("%s.%d", p, n))
			if err != nil {
				t.Fatal(err)
			}
			if err := pprof.WriteHeapProfile(f); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
		reps, searches := len(x.active), len(x.queries())
		x = nil
		runtime.GC()
		runtime.ReadMemStats(&without)
		live := int64(with.HeapAlloc) - int64(without.HeapAlloc)
		index := int64(built.HeapAlloc) - int64(without.HeapAlloc)
		what := fmt.Sprintf("built and matched in %s: index %.1f MiB live, %d B a person (%d B built, %d B a search's answer and proposals)",
			took.Round(time.Millisecond), float64(live)/(1<<20), live/int64(n), index/int64(n), (live-index)/int64(max(1, searches)))
		if !matched {
			what = fmt.Sprintf("built (not matched) in %s: index %.1f MiB live, %d B a person", took.Round(time.Millisecond), float64(live)/(1<<20), live/int64(n))
		}
		t.Logf("%d people, %d open reports, %d searches, %s; allocated %.0f MiB", n, reps, searches, what, float64(with.TotalAlloc-before.TotalAlloc)/(1<<20))
		runtime.KeepAlive(subjects)
		runtime.KeepAlive(reports)
	}
}
