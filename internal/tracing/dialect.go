package tracing

import (
	"slices"
	"strings"
	"sync"

	"github.com/havenrescue/haven/internal/idcard"
)

// Dialects place someone less finely than a native place: a dialect is
// spoken across a set of provinces (粤语 in 广东, 广西, 香港 and 澳门), so
// it gives a fuzzy region, the set, which agrees with a place in any of
// them and says nothing finer. A dialect is never read as a place name:
// 河北话 is 河北省, not 天津's 河北区.

// dialects are common names of dialects and accents, by the provinces
// (first two digits of GB/T 2260) where they are spoken.
var dialects = map[string][]string{
	"北京话": {"11"}, "京腔": {"11"}, "京片子": {"11"}, "天津话": {"12"}, "河北话": {"13"}, "唐山话": {"13"}, "保定话": {"13"},
	"山西话": {"14"}, "晋语": {"14", "15", "13", "41", "61"}, "太原话": {"14"}, "内蒙古话": {"15"}, "内蒙话": {"15"}, "蒙古语": {"15"},
	"东北话": {"21", "22", "23"}, "东北口音": {"21", "22", "23"}, "辽宁话": {"21"}, "大连话": {"21"}, "吉林话": {"22"}, "黑龙江话": {"23"},
	"朝鲜语": {"22", "21", "23"}, "上海话": {"31"}, "沪语": {"31"}, "吴语": {"31", "32", "33"}, "苏州话": {"32"}, "江苏话": {"32"},
	"南京话": {"32"}, "苏北话": {"32"}, "江淮官话": {"32", "34"}, "浙江话": {"33"}, "杭州话": {"33"}, "宁波话": {"33"}, "温州话": {"33"},
	"安徽话": {"34"}, "合肥话": {"34"}, "福建话": {"35"}, "福州话": {"35"}, "闽东话": {"35"}, "闽南话": {"35", "71"}, "闽南语": {"35", "71"},
	"闽语": {"35", "71", "46", "44"}, "台湾话": {"71"}, "台语": {"71"}, "江西话": {"36"}, "赣语": {"36"}, "南昌话": {"36"},
	"山东话": {"37"}, "胶东话": {"37"}, "济南话": {"37"}, "青岛话": {"37"}, "河南话": {"41"}, "中原官话": {"41", "61", "62", "37", "34", "32"},
	"郑州话": {"41"}, "湖北话": {"42"}, "武汉话": {"42"}, "湖南话": {"43"}, "湘语": {"43"}, "长沙话": {"43"},
	"粤语": {"44", "45", "81", "82"}, "广东话": {"44", "45", "81", "82"}, "白话": {"44", "45", "81", "82"}, "广州话": {"44"},
	"潮汕话": {"44"}, "潮州话": {"44"}, "客家话": {"44", "35", "36", "45", "71"}, "广西话": {"45"}, "海南话": {"46"},
	"香港话": {"81"}, "澳门话": {"82"}, "重庆话": {"50"}, "四川话": {"51", "50"}, "川话": {"51", "50"}, "成都话": {"51"},
	"西南官话": {"51", "50", "52", "53", "42", "43", "45"}, "贵州话": {"52"}, "云南话": {"53"}, "藏语": {"54", "51", "63", "62", "53"},
	"陕西话": {"61"}, "陕北话": {"61"}, "关中话": {"61"}, "西安话": {"61"}, "甘肃话": {"62"}, "兰州话": {"62"}, "青海话": {"63"},
	"宁夏话": {"64"}, "新疆话": {"65"}, "维吾尔语": {"65"},
}

// Dialects lists the dialect names known, sorted.
func Dialects() []string {
	out := make([]string, 0, len(dialects))
	for d := range dialects {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// areas are the distinct sets of more than one province, numbered: a
// record keeps the number (areaCode).
var areas = sync.OnceValue(func() [][]string {
	seen := map[string]bool{}
	var out [][]string
	for _, d := range Dialects() {
		ps := slices.Sorted(slices.Values(dialects[d]))
		k := strings.Join(ps, ",")
		if len(ps) > 1 && !seen[k] {
			seen[k] = true
			out = append(out, ps)
		}
	}
	return out
})

// provinceNames are the provinces' names without their suffix (河南,
// 内蒙古, 广西), by code prefix.
var provinceNames = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for _, p := range []string{"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
		"44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"} {
		n := idcard.RegionOf(p + "0000").Province
		for _, suf := range []string{"维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"} {
			n = strings.TrimSuffix(n, suf)
		}
		out[p] = n
	}
	return out
})

// DialectProvinces is the set of provinces (two-digit code prefixes,
// sorted) where a dialect or accent written out is spoken: by the table
// of dialects ("粤语", "东北话"), else a province named in it ("山东口音",
// "带点河南腔"); nil when it names neither.
func DialectProvinces(text string) []string {
	text = strings.TrimSpace(Simplify(text))
	if text == "" {
		return nil
	}
	if ps, ok := dialects[text]; ok {
		return slices.Sorted(slices.Values(ps))
	}
	best := ""
	for d := range dialects {
		if strings.Contains(text, d) && (len(d) > len(best) || len(d) == len(best) && d < best) {
			best = d
		}
	}
	if best != "" {
		return slices.Sorted(slices.Values(dialects[best]))
	}
	var out []string
	for p, n := range provinceNames() {
		if strings.Contains(text, n) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// dialectRegion is the region a dialect gives a record: a province's
// code when it is spoken in one, else an area ("A" and its number), ""
// when the text names no dialect or province; or, failing those, a
// city named in it ("新乡口音": 410700), never a county.
func dialectRegion(text string) string {
	ps := DialectProvinces(text)
	switch {
	case len(ps) == 1:
		return ps[0] + "0000"
	case len(ps) > 1:
		k := strings.Join(ps, ",")
		for i, a := range areas() {
			if strings.Join(a, ",") == k {
				return "A" + string(rune('0'+i/10)) + string(rune('0'+i%10)) + "000"
			}
		}
		return ""
	}
	if c, ok := idcard.RegionByName(text); ok && c[2:] != "0000" && c[4:] == "00" {
		return c
	}
	return ""
}

// isArea tells a region that is a dialect's area.
func isArea(region *[6]byte) bool { return region[0] == 'A' }

// areaOf is the number of an area region.
func areaOf(region *[6]byte) int { return int(region[1]-'0')*10 + int(region[2]-'0') }

// provincesOfRegion are the provinces (two-digit prefixes) a region
// stands for.
func provincesOfRegion(region *[6]byte) []string {
	switch {
	case region[0] == 0:
		return nil
	case isArea(region):
		if a := areaOf(region); a < len(areas()) {
			return areas()[a]
		}
		return nil
	}
	return []string{string(region[:2])}
}
