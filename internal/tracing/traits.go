package tracing

import (
	"hash/fnv"
	"slices"
	"strings"
)

// Stable traits are compared by what they are, not by their words: a
// family writes 驼背 where the station writes 背有点驼, 右眼失明 where it
// writes 右眼看不见, 秃头 for 秃顶. Each phrase of the traits is read as a
// kind of mark (a scar, a mole, a limp, deafness …), the part of the body
// it is on and the side; two descriptions agree as far as those agree.
// A phrase naming no kind known is compared by its character bigrams, as
// before. The words are general descriptive Chinese, not any data set's.

// traitKinds are kinds of stable mark by the words that name them. A
// kind whose part goes without saying (a limp, blindness) is marked
// with the part implied.
var traitKinds = []struct {
	kind    string
	words   []string
	implied bool // the kind names its part: no part token
}{
	{"疤", []string{"疤", "伤痕", "烫伤", "烧伤", "刀口", "缝过针"}, false},
	{"痣", []string{"痣"}, false},
	{"胎记", []string{"胎记", "红记", "青记", "胎斑"}, false},
	{"纹身", []string{"纹身", "文身", "刺青", "纹了", "纹有"}, false},
	{"缺", []string{"缺", "断了", "断指", "截肢", "残缺", "少一", "少了", "少根", "没了"}, false},
	{"六指", []string{"六指", "多一根", "多指", "枝指"}, true},
	{"跛", []string{"跛", "瘸", "拐", "腿脚不便", "腿脚不好", "走路不稳", "走路不便", "腿有残疾", "腿残"}, true},
	{"驼背", []string{"驼", "罗锅", "弓背", "弯腰"}, true},
	{"秃", []string{"秃", "谢顶", "光头", "没头发", "脱发"}, true},
	{"聋", []string{"聋", "耳背", "听不见", "听力差", "听不到", "听力不好", "听不清"}, true},
	{"盲", []string{"盲", "失明", "看不见", "瞎", "看不到", "视力差", "视力不好"}, true},
	{"哑", []string{"哑", "不会说话", "不能说话"}, true},
	{"口吃", []string{"口吃", "结巴"}, true},
	{"斜视", []string{"斜视", "斗鸡眼", "斜眼", "对眼"}, true},
	{"兔唇", []string{"兔唇", "唇裂", "豁嘴", "豁唇"}, true},
	{"智障", []string{"智力", "智障", "痴呆", "弱智", "精神异常", "精神病", "精神障碍", "傻"}, true},
	{"金牙", []string{"金牙", "镶牙", "假牙"}, true},
	{"龅牙", []string{"龅牙", "暴牙", "地包天"}, true},
	{"白发", []string{"白发", "白头发", "头发白", "头发花白", "满头白"}, true},
}

// traitParts are parts of the body by their words, the most particular
// first (a finger before the hand).
var traitParts = []struct {
	part  string
	words []string
}{
	{"拇指", []string{"拇指", "大拇指", "大指"}}, {"食指", []string{"食指", "二指"}}, {"中指", []string{"中指"}},
	{"无名指", []string{"无名指"}}, {"小指", []string{"小指", "小拇指", "尾指"}}, {"指", []string{"指"}},
	{"脚趾", []string{"趾"}}, {"牙", []string{"牙", "齿"}}, {"眉", []string{"眉"}}, {"眼", []string{"眼", "目"}},
	{"耳", []string{"耳"}}, {"鼻", []string{"鼻"}}, {"唇", []string{"唇", "嘴"}}, {"额", []string{"额", "脑门"}},
	{"脸", []string{"脸", "面", "颊", "腮"}}, {"颈", []string{"颈", "脖"}}, {"头", []string{"头", "后脑"}},
	{"肩", []string{"肩"}}, {"臂", []string{"臂", "胳膊", "胳臂"}}, {"手", []string{"手", "掌", "腕"}},
	{"胸", []string{"胸"}}, {"腹", []string{"腹", "肚"}}, {"背", []string{"背", "后背"}}, {"腰", []string{"腰"}},
	{"腿", []string{"腿", "膝", "大腿", "小腿"}}, {"脚", []string{"脚", "足", "踝"}},
}

// traitGrams are the hashed, sorted tokens of a text of stable traits:
// for each phrase with a known kind, the kind, the kind and part, the
// kind, part and side; else the phrase's bigrams. A phrase of no mark
// (无, 没有) gives nothing.
func traitGrams(s string) []uint32 {
	s = Simplify(s)
	var out []uint32
	add := func(tok string) {
		h := fnv.New32a()
		h.Write([]byte(tok))
		out = append(out, h.Sum32())
	}
	for _, ph := range strings.Fields(s) {
		if strings.HasPrefix(ph, "无") || strings.HasPrefix(ph, "没有") {
			continue
		}
		var kinds []int
		rest := ph // with the kinds' words taken out, so that 驼背 is not a back nor 秃头 a head
		for i, k := range traitKinds {
			for _, w := range k.words {
				if strings.Contains(rest, w) {
					if !slices.Contains(kinds, i) {
						kinds = append(kinds, i)
					}
					rest = strings.ReplaceAll(rest, w, "　")
				}
			}
		}
		if len(kinds) == 0 {
			out = append(out, grams(ph)...)
			continue
		}
		part := ""
		for _, p := range traitParts {
			for _, w := range p.words {
				if strings.Contains(rest, w) {
					part = p.part
					break
				}
			}
			if part != "" {
				break
			}
		}
		side := ""
		switch {
		case strings.Contains(ph, "左") && !strings.Contains(ph, "右"):
			side = "左"
		case strings.Contains(ph, "右") && !strings.Contains(ph, "左"):
			side = "右"
		}
		for _, i := range kinds {
			k := traitKinds[i]
			add("k:" + k.kind)
			if !k.implied && part != "" {
				add("kp:" + k.kind + part)
				if side != "" {
					add("kps:" + k.kind + part + side)
				}
			} else if side != "" {
				add("ks:" + k.kind + side)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
