package tracing

import (
	"encoding/csv"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mozillazg/go-pinyin"

	"github.com/havenrescue/haven/internal/idcard"
)

// The held-out generator: a second, independent synthetic population,
// written apart from Synth (which the built-in model is fitted on) and
// never used to fit or tune anything. Its own surname list (百家姓
// order, Zipf weights), given-name characters, noise and missing-field
// rates, its own accent confusions (some the matcher does not fold: r/l,
// r/y), its own look-alike characters, nicknames, clothing redrawn from
// another list, marks described in other words, retired ID codes, dates
// with a found-before-lost error now and then, and people with no report
// at all. Figures on it say how the matcher does on data it was not
// tuned on (BENCHMARKS.md).

var (
	hoSurnames = []rune("赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌马苗凤花方俞任袁柳鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于傅皮卞齐康伍余元顾孟平黄和穆萧尹姚邵汪毛狄米贝明臧计伏成戴宋庞熊纪舒屈项祝董梁杜阮蓝闵季贾路娄江童颜郭梅盛林钟徐邱骆高夏蔡田樊胡凌霍虞万卢莫房缪解应宗丁宣邓单杭洪包诸左石崔龚程邢裴陆荣翁荀羊惠甄曲家封芮储靳汲邴糜松井段富巫乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍桑桂濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾沙乜养鞠须丰巢关蒯相查后荆红游竺权逯盖益桓公")
	hoGiven    = []rune("志秀兰桂英玉珍淑华丽娟庆卫东霞涛春梅小平彬子轩雨涵浩然梓欣怡思远嘉俊杰佳琪一鸣宇航晨曦振兴淑芬凤琴德胜长根宝山金花翠萍桂香素云海燕明亮永福学军爱民建设红旗向阳卫星跃进丽萍晓燕秋菊冬梅雪莲文静婷婷琳琳莹莹洋洋清清晴晴敏敏峰峻锋")
	// Characters of the same reading (homophones) and of other
	// readings come from this pool.
	hoPool = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华霞平刚桂兰建国红梅玉凤志飞鹏辉俊峰春林海燕波斌宇浩凯鑫晓亮成文光荣德福贵生龙永长金山家庆宏彬新利清忠义民玮纬炜方坊仿纳那闽敬镜莉立励墙蔷君钧扬阳泳颜雁节洁娇滔韬名鸣铭潮朝绣莹瑛桦骅侠峡萍屏钢岗纲岚蓝剑健件帼虹弘洪眉枚雨羽语豪昊皓铠锴欣馨心青卿日瑞荣容蓉润若如儒任仁人然冉让饶绕热惹柔肉茹汝乳辱入软锐蕊闰弱力李丽理里利立历励礼黎莉梨离璃益义艺毅意易忆亿依衣医一伊怡宜仪移姨遗疑以乙已倚亦异逸翼溢谊翌奕农浓弄龙隆笼陇垄泥尼倪你拟逆年念娘酿鸟尿捏宁凝牛纽农努怒女暖挪南男难兰蓝篮览懒烂郎朗浪狼廊乃奶耐来莱赖内类泪雷蕾垒能冷楞棱林琳霖临邻淋磷凛吝令领灵玲铃龄岭凌陵零聆菱翎宁泞拧柠恒衡横痕很狠恨分芬纷焚坟粉奋份愤丰风枫峰锋蜂冯逢缝凤奉凡帆番翻烦繁反返犯饭泛范贩欢环还缓换唤患焕幻寒韩含涵函汗翰航杭行项巷相想享详祥象像湘香乡")
	// Look-alike pairs the held-out set miswrites: its own, not the
	// matcher's list.
	hoLookalikes = [][2]rune{{'峰', '锋'}, {'俊', '峻'}, {'婷', '停'}, {'琳', '淋'}, {'娟', '绢'}, {'莹', '萤'}, {'洋', '样'}, {'清', '请'},
		{'晴', '情'}, {'丽', '而'}, {'玉', '王'}, {'春', '椿'}, {'梅', '海'}, {'秀', '季'}, {'华', '毕'}, {'英', '莫'}, {'兰', '兴'}, {'志', '忠'},
		{'明', '朋'}, {'燕', '熊'}, {'红', '虹'}, {'霞', '瑕'}, {'宝', '室'}, {'金', '全'}, {'东', '车'}, {'平', '苹'}, {'杰', '木'}}
	hoRegions = []string{"410102", "410203", "410305", "410403", "410502", "410602", "410702", "410726", "410802", "410902", "411002",
		"411102", "411202", "411302", "411402", "411502", "411602", "411702", "130102", "130203", "140105", "210102", "220102", "230102",
		"320102", "330102", "340102", "350102", "360102", "370102", "420102", "430102", "440103", "450102", "500101", "510104", "520102",
		"530102", "610102", "620102"}
	// Retired codes an old ID number may carry, with the place today.
	hoRetired = map[string]string{"412701": "411602", "412901": "411302", "512201": "500101", "412801": "411702", "412301": "411402"}
	hoClothes = []string{"藏青色夹克", "白衬衣", "黑色棉袄", "灰色卫衣", "红色羽绒服", "蓝色牛仔裤", "黑色运动裤", "旧解放鞋", "棕色皮鞋", "绿色军大衣",
		"花格子外套", "橙色马甲", "黄色安全帽", "紫色毛衣"}
	// Marks as the family writes them and as the station does.
	hoMarks = [][2]string{{"驼背", "背有点驼"}, {"左腿跛", "走路跛脚"}, {"右脸有疤", "右脸颊疤痕"}, {"缺左手食指", "左手食指缺失"},
		{"额头有胎记", "额头胎记"}, {"右眼失明", "右眼看不见"}, {"说话口吃", "口吃"}, {"耳聋", "听力差耳聋"}, {"脖子有黑痣", "颈部黑痣"}, {"秃头", "秃顶"}}
)

// Held-out cases.
const (
	hoExact     = "exact"
	hoHomophone = "homophone"
	hoAccent    = "accent"
	hoLookalike = "lookalike"
	hoNickname  = "nickname"
	hoNoName    = "no_name"
	hoNoReport  = "no_report" // someone in care with no report at all
)

var hoCases = []string{hoExact, hoHomophone, hoAccent, hoLookalike, hoNickname, hoNoName}

type heldOut struct {
	r     *rand.Rand
	byPy  map[string][]rune
	today time.Time
}

func newHeldOut(seed uint64) *heldOut {
	h := &heldOut{r: rand.New(rand.NewPCG(seed, 0xb5ad4eceda1ce2a9)), byPy: map[string][]rune{}, today: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)}
	a := pinyin.NewArgs()
	for _, c := range slices.Concat(hoPool, hoGiven) {
		if p := pinyin.LazyPinyin(string(c), a); len(p) == 1 && !slices.Contains(h.byPy[p[0]], c) {
			h.byPy[p[0]] = append(h.byPy[p[0]], c)
		}
	}
	return h
}

func (h *heldOut) pick(s []rune) rune { return s[h.r.IntN(len(s))] }

// surname draws a surname by a Zipf law over the list.
func (h *heldOut) surname() string {
	for {
		i := int(math.Floor(math.Pow(float64(len(hoSurnames)), h.r.Float64()))) - 1
		if i >= 0 && i < len(hoSurnames) {
			return string(hoSurnames[i])
		}
	}
}

func (h *heldOut) py(c rune) string {
	p := pinyin.LazyPinyin(string(c), pinyin.NewArgs())
	if len(p) != 1 {
		return ""
	}
	return p[0]
}

// misheard replaces one given-name character with another whose reading
// is the same (homophone) or confused by an accent.
func (h *heldOut) misheard(sur string, given []rune, accent bool) (string, bool) {
	confuse := func(s string) []string {
		var out []string
		for _, p := range [][2]string{{"n", "l"}, {"l", "n"}, {"f", "h"}, {"h", "f"}, {"zh", "z"}, {"z", "zh"}, {"ch", "c"}, {"c", "ch"},
			{"sh", "s"}, {"s", "sh"}, {"r", "l"}, {"r", "y"}} {
			if strings.HasPrefix(s, p[0]) && !(p[0] == "z" && strings.HasPrefix(s, "zh")) && !(p[0] == "c" && strings.HasPrefix(s, "ch")) &&
				!(p[0] == "s" && strings.HasPrefix(s, "sh")) {
				out = append(out, p[1]+s[len(p[0]):])
			}
		}
		for _, p := range [][2]string{{"ing", "in"}, {"in", "ing"}, {"eng", "en"}, {"en", "eng"}} {
			if strings.HasSuffix(s, p[0]) {
				out = append(out, s[:len(s)-len(p[0])]+p[1])
			}
		}
		return out
	}
	for _, i := range h.r.Perm(len(given)) {
		p := h.py(given[i])
		var alt []rune
		if accent {
			for _, q := range confuse(p) {
				alt = append(alt, h.byPy[q]...)
			}
		} else {
			for _, c := range h.byPy[p] {
				if c != given[i] {
					alt = append(alt, c)
				}
			}
		}
		if len(alt) > 0 {
			g := slices.Clone(given)
			g[i] = alt[h.r.IntN(len(alt))]
			return sur + string(g), true
		}
	}
	return "", false
}

// person draws one person as a report and as a station's record, in
// case c (hoNoReport: the record of someone with no report).
func (h *heldOut) person(n int, c string) (report, care *Record) {
	r := h.r
	age := 6 + r.IntN(80)
	sex := byte('M')
	if r.IntN(100) < 38 {
		sex = 'F'
	}
	sur := h.surname()
	given := []rune{h.pick(hoGiven)}
	if r.IntN(4) > 0 {
		given = append(given, h.pick(hoGiven))
	}
	name := sur + string(given)
	lost := h.today.AddDate(0, 0, -30-r.IntN(5*365))
	birth := lost.AddDate(-age, -r.IntN(12), -r.IntN(28))
	height := 162 + int(r.NormFloat64()*7)
	if sex == 'F' {
		height -= 11
	}
	if age < 17 {
		height = 75 + age*6 + int(r.NormFloat64()*5)
	}
	region := hoRegions[r.IntN(len(hoRegions))]
	idRegion := region
	if r.IntN(6) == 0 { // an ID card issued before a renumbering
		// In the codes' order: a map's order would draw another set of
		// people each run of one seed.
		for _, old := range slices.Sorted(maps.Keys(hoRetired)) {
			if r.IntN(len(hoRetired)) == 0 {
				idRegion, region = old, hoRetired[old]
				break
			}
		}
	}
	cloth := []string{hoClothes[r.IntN(len(hoClothes))], hoClothes[r.IntN(len(hoClothes))]}
	mark := hoMarks[r.IntN(len(hoMarks))]
	report = &Record{ID: fmt.Sprintf("H%d", n), Names: []string{name}, Sex: sex, Seen: lost, SeenIs: SeenLost, Features: strings.Join(cloth, "，")}
	switch k := r.IntN(10); {
	case k < 7:
		report.Birth = birth
	case k < 9:
		report.Birth, report.BirthYear = time.Date(birth.Year(), 1, 1, 0, 0, 0, 0, time.UTC), true
	default:
		report.AgeMin, report.AgeMax = age-2, age+2
	}
	if r.IntN(5) > 0 {
		report.HeightCm = height + r.IntN(5) - 2
	}
	if r.IntN(2) == 0 {
		report.Features += "，" + mark[0]
	}
	switch k := r.IntN(10); {
	case k < 3:
		first := fmt.Sprintf("%s%s%03d", idRegion, birth.Format("20060102"), r.IntN(999))
		report.IDNumber = first + string(idcard.CheckChar(first))
	case k < 8:
		report.NativePlace = idcard.RegionOf(region).String()
	case k < 9:
		report.NativePlace = region
	}
	// The station's record.
	found := lost.AddDate(0, 0, int(r.ExpFloat64()*120))
	if r.IntN(20) == 0 { // a date misremembered: found "before" lost
		found = lost.AddDate(0, 0, -r.IntN(20))
	}
	if found.After(h.today) {
		found = h.today
	}
	est := age + (found.Year() - lost.Year()) + int(r.NormFloat64()*4)
	w := 3 + r.IntN(5)
	care = &Record{ID: fmt.Sprintf("K%d", n), Sex: sex, Seen: found, SeenIs: SeenFound, AgeMin: max(0, est-w), AgeMax: est + w}
	if r.IntN(30) == 0 {
		care.Sex = 0
	}
	if r.IntN(10) < 7 {
		care.HeightCm = height + int(r.NormFloat64()*3)
	}
	switch k := r.IntN(10); {
	case k < 4: // an accent, named as the staff hear it
		var ds []string
		for _, d := range Dialects() {
			if slices.Contains(dialects[d], region[:2]) {
				ds = append(ds, d)
			}
		}
		pn := provinceNames()[region[:2]]
		ds = append(ds, pn+"口音", pn+"话")
		care.Dialect = ds[r.IntN(len(ds))]
	case k < 6: // says where they are from
		rg := idcard.RegionOf(region)
		care.NativePlace = strings.TrimSuffix(strings.TrimSuffix(rg.City, "市"), "地区")
		if care.NativePlace == "" {
			care.NativePlace = rg.Province
		}
	case k < 7: // an old ID card found on them
		first := fmt.Sprintf("%s%s%03d", idRegion, birth.Format("20060102"), r.IntN(999))
		care.IDNumber = first[:6] + "********" + "****"
	}
	var feats []string
	if r.IntN(2) == 0 {
		feats = append(feats, cloth[r.IntN(2)])
	} else {
		feats = append(feats, hoClothes[r.IntN(len(hoClothes))]) // clothes changed
	}
	if r.IntN(3) > 0 {
		feats = append(feats, mark[1])
	}
	care.Features = strings.Join(feats, " ")
	switch c {
	case hoExact:
		care.Names = []string{name}
	case hoHomophone, hoAccent:
		if m, ok := h.misheard(sur, given, c == hoAccent); ok {
			care.Names = []string{m}
		} else {
			care.Names = []string{name}
		}
	case hoLookalike:
		g := slices.Clone(given)
		done := false
		for _, i := range r.Perm(len(g)) {
			for _, p := range hoLookalikes {
				if p[0] == g[i] || p[1] == g[i] {
					g[i] = p[0] + p[1] - g[i]
					done = true
					break
				}
			}
			if done {
				break
			}
		}
		if !done {
			g[0] = hoPool[r.IntN(len(hoPool))] // one character written wrong
		}
		care.Names = []string{sur + string(g)}
	case hoNickname:
		switch r.IntN(4) {
		case 0:
			care.Names = []string{"小" + string(given[len(given)-1])}
		case 1:
			care.Names = []string{"老" + sur}
		case 2:
			if len(given) > 1 {
				care.Names = []string{string(given)}
			} else {
				care.Names = []string{"阿" + string(given)}
			}
		default:
			care.Names = []string{sur + string(given[0])}
			if len(given) == 1 {
				care.Names = []string{sur + string(given) + string(h.pick(hoGiven))}
			}
		}
	case hoNoReport:
		if r.IntN(2) == 0 {
			care.Names = []string{name}
		}
	}
	return report, care
}

// tunedCases are the cases of an evaluation set of the tuned-on
// generator: FitCases, or those HAVEN_EVAL_CASES lists (comma-separated;
// "name_homophone,no_name,minor,elderly" is the set before issue 21's
// partial, look-alike and accent cases).
func tunedCases() []string {
	if v := os.Getenv("HAVEN_EVAL_CASES"); v != "" {
		return strings.Split(v, ",")
	}
	return FitCases
}

// evalSet is a generated evaluation set: the station's records (left),
// the reports (right), and each left record's case and report.
type evalSet struct {
	left, right []*Record
	kind        map[string]string
	report      map[string]*Record // each left record's report, by its ID
}

// truth is the ID of left record id's report ("" for none).
func (e *evalSet) truth(id string) string {
	if r := e.report[id]; r != nil {
		return r.ID
	}
	return ""
}

// placed tells whether the evidence can place a nameless person: sex,
// age, height and time, and a region or a stable trait, known on the
// station's record.
func placed(l *Record) bool {
	l.prepare()
	return l.Sex != 0 && l.AgeMax > 0 && l.HeightCm > 0 && (l.p.hasRegion() || len(l.p.traits()) > 0)
}

// makeEval draws people with a report (perCase of each case) and
// noReport people with none, among reports reports in all.
func makeEval(gen string, seed uint64, perCase, noReport, reports int) *evalSet {
	e := &evalSet{kind: map[string]string{}, report: map[string]*Record{}}
	add := func(c string, rep, care *Record) {
		e.kind[care.ID] = c
		if c != hoNoReport {
			e.report[care.ID] = rep
			e.right = append(e.right, rep)
		}
		e.left = append(e.left, care)
	}
	switch gen {
	case "heldout":
		h := newHeldOut(seed)
		n := 0
		for _, c := range hoCases {
			for range perCase {
				rep, care := h.person(n, c)
				add(c, rep, care)
				n++
			}
		}
		for range noReport {
			rep, care := h.person(n, hoNoReport)
			add(hoNoReport, rep, care)
			n++
		}
		for len(e.right) < reports {
			rep, _ := h.person(n, hoNoReport)
			e.right = append(e.right, rep)
			n++
		}
	default: // the generator the model is fitted on
		s := NewSynth(seed)
		n := 0
		for _, c := range tunedCases() {
			for range perCase {
				rep, care := s.Pair(n, c)
				add(c, rep, care)
				n++
			}
		}
		for range noReport {
			_, care := s.Pair(n, "")
			add(hoNoReport, nil, care)
			n++
		}
		for len(e.right) < reports {
			e.right = append(e.right, s.Filler(n))
			n++
		}
	}
	return e
}

// evalFigures are the figures of a run on an eval set.
type evalFigures struct {
	recall                          map[string][3]float64 // @1, @10, @20 by case
	count                           map[string]int
	likelyPrec, possiblePrec        float64
	likelyN, possibleN, falseLikely int
	noReport                        int
}

// placedOnBoth tells whether sex, age, height and time are known on both
// the station's record l and its report rep, and a region or a stable
// trait on both.
func placedOnBoth(l, rep *Record) bool {
	if rep == nil {
		return false
	}
	l.prepare()
	rep.prepare()
	aged := func(r *Record) bool { return r.AgeMax > 0 || !r.Birth.IsZero() || r.p.idNumber() != "" }
	return l.Sex != 0 && rep.Sex != 0 && aged(l) && aged(rep) && l.HeightCm > 0 && rep.HeightCm > 0 &&
		!l.Seen.IsZero() && !rep.Seen.IsZero() &&
		((l.p.hasRegion() && rep.p.hasRegion()) || (len(l.p.traits()) > 0 && len(rep.p.traits()) > 0))
}

func scoreEval(e *evalSet, res []Result) evalFigures {
	f := evalFigures{recall: map[string][3]float64{}, count: map[string]int{}}
	hit := map[string]int{} // rank of the true report
	top := map[string]Result{}
	var likelyOK, possibleOK int
	for _, r := range res {
		if r.Rank == 1 {
			top[r.Left] = r
		}
		right := e.truth(r.Left) == r.Right
		if right {
			hit[r.Left] = r.Rank
		}
		switch r.Label {
		case Likely:
			f.likelyN++
			if right {
				likelyOK++
			}
		case Possible:
			f.possibleN++
			if right {
				possibleOK++
			}
		}
	}
	for _, l := range e.left {
		c := e.kind[l.ID]
		if c == hoNoReport {
			f.noReport++
			if top[l.ID].Label == Likely {
				f.falseLikely++
			}
			continue
		}
		if l.Names == nil {
			// Nameless people, apart: those the evidence can place (sex,
			// age, height, time and a region or a stable trait known) and
			// the rest.
			if placed(l) {
				c += " (placed)"
			} else {
				c += " (not placed)"
			}
		}
		cases := []string{c}
		if c == hoNoName+" (placed)" && placedOnBoth(l, e.report[l.ID]) {
			// The stricter reading: the evidence known on the report too,
			// so that it is evidence for the pair at all.
			cases = append(cases, hoNoName+" (placed, both records)")
		}
		for _, c := range cases {
			f.count[c]++
			x := f.recall[c]
			if k := hit[l.ID]; k > 0 {
				for i, at := range []int{1, 10, 20} {
					if k <= at {
						x[i]++
					}
				}
			}
			f.recall[c] = x
		}
	}
	for c, x := range f.recall {
		for i := range x {
			x[i] /= float64(f.count[c])
		}
		f.recall[c] = x
	}
	f.likelyPrec = float64(likelyOK) / math.Max(1, float64(f.likelyN))
	f.possiblePrec = float64(possibleOK) / math.Max(1, float64(f.possibleN))
	return f
}

func (f evalFigures) log(t *testing.T, title string) {
	t.Logf("%s", title)
	for _, c := range slices.Sorted(func(yield func(string) bool) {
		for c := range f.recall {
			if !yield(c) {
				return
			}
		}
	}) {
		x := f.recall[c]
		t.Logf("| %s | %d | %.3f | %.3f | %.3f |", c, f.count[c], x[0], x[1], x[2])
	}
	t.Logf("likely: %d, precision %.3f; possible: %d, precision %.3f; false likely on %d people with no report: %.3f",
		f.likelyN, f.likelyPrec, f.possibleN, f.possiblePrec, f.noReport, float64(f.falseLikely)/math.Max(1, float64(f.noReport)))
}

// Calibration on data the model was not fitted on: "likely" is right
// at least 95 % of the time, "possible" at least half, and someone with
// no report is seldom given a "likely" candidate. Small, for CI;
// BENCHMARKS.md has the figures at 2,000 people × 20,000 reports.
func TestHeldOutCalibration(t *testing.T) {
	e := makeEval("heldout", 11, 40, 240, 3000)
	res, _, _ := Link(e.left, e.right, 20, DefaultModel().WithPrior(PriorFor(len(e.right))))
	f := scoreEval(e, res)
	f.log(t, fmt.Sprintf("held-out, %d people × %d reports", len(e.left), len(e.right)))
	if f.likelyN < 20 || f.likelyPrec < 0.95 {
		t.Errorf("likely: %d, precision %.3f, want ≥ 0.95", f.likelyN, f.likelyPrec)
	}
	if f.possiblePrec < 0.5 {
		t.Errorf("possible: precision %.3f, want ≥ 0.5", f.possiblePrec)
	}
	if r := float64(f.falseLikely) / float64(f.noReport); r > 0.05 {
		t.Errorf("%.3f of people with no report have a likely candidate, want ≤ 0.05", r)
	}
	// Every nameless person is searched: each has candidates.
	n := map[string]int{}
	for _, r := range res {
		n[r.Left]++
	}
	for _, l := range e.left {
		if len(l.Names) == 0 && n[l.ID] == 0 {
			t.Errorf("%s (no name) has no candidates", l.ID)
		}
	}
}

// Nameless people placed nowhere (no dialect, no native place, no ID
// number) are still searched: over sex, age, height and time in every
// bucket.
func TestNamelessUnplacedAreSearched(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	var recs []*Record
	for i := range 300 {
		recs = append(recs, &Record{ID: fmt.Sprintf("r%03d", i), Names: []string{"王" + string(hoGiven[i%len(hoGiven)])}, Sex: "MF"[i%2],
			Birth: day("1960-01-01").AddDate(i/10, 0, 0), HeightCm: 150 + i%40, Region: hoRegions[i%len(hoRegions)],
			Seen: day("2025-01-01"), SeenIs: SeenLost})
	}
	recs = append(recs, &Record{ID: "nowhere", Sex: 'F', AgeMin: 30, AgeMax: 40, Seen: day("2025-02-01"), SeenIs: SeenLost}) // placed nowhere itself
	q := &Record{ID: "q", Sex: 'F', AgeMin: 30, AgeMax: 36, HeightCm: 165, Seen: day("2025-03-01"), SeenIs: SeenFound}
	ix := NewIndex(DefaultModel(), recs)
	res, _ := ix.Search(q, 20, PriorFor(len(recs)))
	if len(res) == 0 {
		t.Fatal("a nameless query placed nowhere found no candidates")
	}
	found := false
	for _, r := range res {
		found = found || r.Right == "nowhere"
		if rec := ix.Get(r.Right); rec.p.sex == 'M' {
			t.Errorf("%s: a man among a woman's candidates", r.Right)
		}
	}
	if !found {
		t.Error("the record placed nowhere was not among the candidates")
	}
	// Linking, as haven match does, finds them too.
	out, _, _ := Link([]*Record{q}, recs, 20, DefaultModel().WithPrior(PriorFor(len(recs))))
	if len(out) == 0 {
		t.Error("Link: no candidates for a nameless query placed nowhere")
	}
}

// TestEvalFiles writes an evaluation set as CSV files for haven match,
// and scores haven match's output: set HAVEN_EVAL_DIR (and
// HAVEN_EVAL_GEN=heldout|tuned, HAVEN_EVAL_PEOPLE, HAVEN_EVAL_REPORTS,
// HAVEN_EVAL_SEED). With no out.csv in the folder it writes left.csv,
// right.csv and truth.csv; with one, it scores it (BENCHMARKS.md).
// HAVEN_EVAL_CASES picks the tuned-on generator's cases (tunedCases).
func TestEvalFiles(t *testing.T) {
	dir := os.Getenv("HAVEN_EVAL_DIR")
	if dir == "" {
		t.Skip("set HAVEN_EVAL_DIR")
	}
	atoi := func(k string, d int) int {
		if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
			return v
		}
		return d
	}
	gen := os.Getenv("HAVEN_EVAL_GEN")
	people, reports, seed := atoi("HAVEN_EVAL_PEOPLE", 2000), atoi("HAVEN_EVAL_REPORTS", 20000), atoi("HAVEN_EVAL_SEED", 101)
	ncase := len(hoCases)
	if gen != "heldout" {
		ncase = len(tunedCases())
	}
	perCase := people / 2 / ncase // half the people have a report
	e := makeEval(gen, uint64(seed), perCase, people-perCase*ncase, reports)
	outPath := filepath.Join(dir, "out.csv")
	if _, err := os.Stat(outPath); err != nil {
		if err := writeEvalCSV(filepath.Join(dir, "left.csv"), e.left); err != nil {
			t.Fatal(err)
		}
		if err := writeEvalCSV(filepath.Join(dir, "right.csv"), e.right); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d people and %d reports to %s: run haven match --left left.csv --right right.csv --top 20 --out out.csv", len(e.left), len(e.right), dir)
		return
	}
	f, err := os.Open(outPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var res []Result
	for _, row := range rows[1:] {
		rank, _ := strconv.Atoi(row[2])
		p, _ := strconv.ParseFloat(row[3], 64)
		res = append(res, Result{Left: row[0], Right: row[1], Rank: rank, Probability: p, Label: row[4]})
	}
	scoreEval(e, res).log(t, fmt.Sprintf("%s set (seed %d): %d people × %d reports, scored from %s", gen, seed, len(e.left), len(e.right), outPath))
}

// writeEvalCSV writes records in haven match's columns.
func writeEvalCSV(path string, recs []*Record) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := csv.NewWriter(f)
	w.Write([]string{"id", "name", "sex", "birth_date", "age_min", "age_max", "lost_date", "found_date", "height_cm", "id_number", "native_place", "dialect", "features"})
	for _, r := range recs {
		row := []string{r.ID, strings.Join(r.Names, ""), "", "", "", "", "", "", "", r.IDNumber, r.NativePlace, r.Dialect, r.Features}
		if r.NativePlace == "" && r.Region != "" && r.IDNumber == "" {
			row[10] = r.Region
		}
		if r.Sex != 0 {
			row[2] = string(r.Sex)
		}
		switch {
		case r.BirthYear:
			row[3] = r.Birth.Format("2006")
		case !r.Birth.IsZero():
			row[3] = r.Birth.Format("2006-01-02")
		}
		if r.AgeMax > 0 {
			row[4], row[5] = strconv.Itoa(r.AgeMin), strconv.Itoa(r.AgeMax)
		}
		if !r.Seen.IsZero() {
			if r.SeenIs == SeenFound {
				row[7] = r.Seen.Format("2006-01-02")
			} else {
				row[6] = r.Seen.Format("2006-01-02")
			}
		}
		if r.HeightCm > 0 {
			row[8] = strconv.Itoa(r.HeightCm)
		}
		w.Write(row)
	}
	w.Flush()
	return w.Error()
}
