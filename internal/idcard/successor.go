package idcard

import "sync"

// Retired codes. A code printed on an ID card stays on it for life: a
// card issued in 1985 in 周口地区周口市 reads 412701, which GB/T 2260 has
// not listed since the prefecture became 周口市 (4116) in 2000. To compare
// where two records place someone, an old code is first carried through
// the revisions to the region that holds that place today (Successor).
//
// Two sources: the revisions the table holds (2002 on), where a retired
// county's name lives on in a code in use of the same city or province
// (冀州市 131181 → 冀州区 131103); and, for the revisions before 2002 that
// the table lacks, the renumberings below, from the Ministry of Civil
// Affairs' published change lists (prefectures made cities, and 重庆 made a
// municipality in 1997): whole prefixes, with the counties whose number
// changed otherwise than by the prefix.

// retiredPrefixes are the city-level prefixes renumbered as a whole: the
// county digits stay (412721 扶沟县 → 411621), unless retiredCodes says
// otherwise.
var retiredPrefixes = map[string]string{
	"4127": "4116", // 周口地区 → 周口市 (2000)
	"4129": "4113", // 南阳地区 → 南阳市 (1994)
	"4128": "4117", // 驻马店地区 → 驻马店市 (2000)
	"4123": "4114", // 商丘地区 → 商丘市 (1997)
	"4124": "4115", // 信阳地区 → 信阳市 (1998)
	"4221": "4211", // 黄冈地区 → 黄冈市 (1995)
	"4223": "4212", // 咸宁地区 → 咸宁市 (1998)
	"4321": "4309", // 益阳地区 → 益阳市 (1994)
	"4322": "4307", // 常德地区 → 常德市 (1988)
	"4324": "4312", // 怀化地区 → 怀化市 (1997)
	"4325": "4313", // 娄底地区 → 娄底市 (1999)
	"4328": "4310", // 郴州地区 → 郴州市 (1994)
	"4329": "4311", // 零陵地区 → 永州市 (1995)
	"3421": "3412", // 阜阳地区 → 阜阳市 (1996)
	"3422": "3413", // 宿县地区 → 宿州市 (1998)
	"3424": "3415", // 六安地区 → 六安市 (1999)
	"3425": "3418", // 宣城地区 → 宣城市 (2000)
	"3426": "3401", // 巢湖地区 → 巢湖市 (1999), since 2011 合肥
	"3427": "3417", // 池州地区 → 池州市 (2000)
	"1321": "1305", // 邢台地区 → 邢台市 (1993)
	"1322": "1304", // 邯郸地区 → 邯郸市 (1993)
	"1323": "1311", // 衡水地区 → 衡水市 (1996)
	"1324": "1306", // 保定地区 → 保定市 (1994)
	"1326": "1309", // 沧州地区 → 沧州市 (1993)
	"1328": "1310", // 廊坊地区 → 廊坊市 (1988)
	"3723": "3716", // 惠民地区 → 滨州市 (2000)
	"3724": "3714", // 德州地区 → 德州市 (1994)
	"3725": "3715", // 聊城地区 → 聊城市 (1998)
	"3728": "3713", // 临沂地区 → 临沂市 (1994)
	"3729": "3717", // 菏泽地区 → 菏泽市 (2000)
	"5122": "5001", // 万县地区 / 万县市 → 重庆 (1997)
	"5123": "5001", // 涪陵地区 → 重庆
	"5125": "5001", // 黔江地区 → 重庆
	"5102": "5001", // 重庆市 under 四川 → 重庆市 (1997)
	"5129": "5113", // 南充地区 → 南充市 (1993)
	"5130": "5117", // 达县地区 → 达州市 (1999)
	"5121": "5114", // 眉山地区 → 眉山市 (2000)
	"5131": "5118", // 雅安地区 → 雅安市 (2000)
	"5135": "5120", // 巴中地区 → 巴中市 (2000)
	"6121": "6108", // 榆林地区 → 榆林市 (1999)
	"6124": "6109", // 安康地区 → 安康市 (2000)
	"6125": "6110", // 商洛地区 → 商洛市 (2001)
	"6221": "6209", // 酒泉地区 → 酒泉市 (2002)
	"6226": "6212", // 陇南地区 → 陇南市 (2004)
}

// retiredCodes are the counties whose successor is not the prefix's
// renumbering (a prefix that moved to another province, 重庆's, keeps
// no county digits): the seat of a prefecture became a district of the city.
var retiredCodes = map[string]string{
	"412701": "411602", // 周口市 (周口地区) → 周口市川汇区
	"412702": "411681", // 项城市
	"412724": "411627", // 太康县
	"412725": "411628", // 鹿邑县
	"412726": "411625", // 郸城县
	"412727": "411603", // 淮阳县 → 淮阳区
	"412728": "411624", // 沈丘县
	"412901": "411302", // 南阳市 (南阳地区) → 南阳市宛城区
	"412902": "411381", // 邓州市
	"412931": "411303", // 南阳县 → 卧龙区
	"412801": "411702", // 驻马店市 (驻马店地区) → 驿城区
	"412301": "411402", // 商丘市 (商丘地区) → 梁园区
	"412321": "411403", // 商丘县 → 睢阳区
	"412381": "411481", // 永城市
	"512201": "500101", // 万县市 → 重庆市万州区
	"512221": "500101", // 万县 → 万州区
	"512301": "500102", // 涪陵市 → 重庆市涪陵区
	"512501": "500114", // 黔江 → 重庆市黔江区
	"342601": "340181", // 巢湖市 (巢湖地区) → 巢湖市 (合肥)
	"422301": "421202", // 咸宁市 (咸宁地区) → 咸安区
	"412401": "411502", // 信阳市 (信阳地区) → 浉河区
	"432301": "430902", // 益阳市 → 资阳区
	"432801": "431002", // 郴州市 → 北湖区
	"342101": "341202", // 阜阳市 → 颍州区
	"342201": "341302", // 宿州市 → 埇桥区
	"342401": "341502", // 六安市 → 金安区
	"372301": "371602", // 滨州市 (惠民地区) → 滨城区
	"372901": "371702", // 菏泽市 → 牡丹区
	"512901": "511302", // 南充市 → 顺庆区
	"513001": "511702", // 达县市 → 通川区
	"612101": "610802", // 榆林市 → 榆阳区
	"612401": "610902", // 安康市 → 汉滨区
}

var successors = sync.OnceValue(func() map[string]string {
	loadOnce.Do(load)
	// A retired code of the table whose name (or short name) a code in use
	// of its city, else its province, still bears.
	out := map[string]string{}
	inUse := map[string]string{} // province or city prefix + short name -> code
	short := func(name string) string {
		if s := shortName(name); s != "" {
			return s
		}
		return name
	}
	for c, e := range codes {
		if e.last == "2023" && c[4:] != "00" && !placeholder(e.name) {
			inUse[c[:4]+short(e.name)] = c
			inUse[c[:2]+short(e.name)] = c
		}
	}
	for c, e := range codes {
		if e.last == "2023" || c[4:] == "00" || placeholder(e.name) {
			continue
		}
		if s, ok := inUse[c[:4]+short(e.name)]; ok {
			out[c] = s
		} else if s, ok := inUse[c[:2]+short(e.name)]; ok {
			out[c] = s
		}
	}
	return out
})

// Successor is the code in use today for the place a retired code
// named: itself when it is in use or nothing is known of its successor
// (ok false then), a county's successor where known, else the city that
// took over its prefecture.
func Successor(code string) (string, bool) {
	if len(code) != 6 || !digits(code) {
		return code, false
	}
	if RegionOf(code).Current {
		return code, false
	}
	if s, ok := retiredCodes[code]; ok {
		return s, true
	}
	if s, ok := successors()[code]; ok {
		return s, true
	}
	if p, ok := retiredPrefixes[code[:4]]; ok {
		if c := p + code[4:]; p[:2] == code[:2] && RegionOf(c).Current {
			return c, true
		}
		return p + "00", true
	}
	return code, false
}
