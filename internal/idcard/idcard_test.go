package idcard

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

var today = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// with returns the 18-digit number for 17 digits, with its check character.
func with(first17 string) string { return first17 + string(CheckChar(first17)) }

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		err     error
		birth   string
		sex     Sex
		region  string
		current bool
	}{
		// The example number of GB 11643 itself.
		{in: "11010519491231002X", birth: "1949-12-31", sex: Female, region: "北京市朝阳区", current: true},
		{in: "11010519491231002x", birth: "1949-12-31", sex: Female, region: "北京市朝阳区", current: true},
		{in: " 1101 0519 4912 3100 2X ", birth: "1949-12-31", sex: Female, region: "北京市朝阳区", current: true},
		{in: with("41070219850612003"), birth: "1985-06-12", sex: Male, region: "河南省新乡市红旗区", current: true},
		// 长垣县 became 长垣市 (410783) in 2019: the old code still reads.
		{in: with("41072819700101004"), birth: "1970-01-01", sex: Female, region: "河南省新乡市长垣县", current: false},
		// A code missing from every revision: province and city from the prefix.
		{in: with("41079919700101001"), birth: "1970-01-01", sex: Male, region: "河南省新乡市", current: false},
		// 15 digits (before 1999): upgraded, born in the 1900s.
		{in: "410702850612003", birth: "1985-06-12", sex: Male, region: "河南省新乡市红旗区", current: true},
		{in: "11010519491231002Y", err: ErrFormat},
		{in: "1101051949123100", err: ErrFormat},
		{in: "110105194912310021", err: ErrChecksum},
		{in: with("11010519490231002"), err: ErrBirth},  // 31 February
		{in: with("11010520271231002"), err: ErrBirth},  // the future
		{in: with("11010518991231002"), err: ErrBirth},  // before 1900
		{in: "110105491331002", err: ErrBirth},          // month 13
		{in: with("99010519491231002"), err: ErrRegion}, // no province 99
		{in: "", err: ErrFormat},
		{in: "１１０１０５１９４９１２３１００２Ｘ", err: ErrFormat}, // full-width digits
	}
	for _, tc := range tests {
		n, err := Parse(tc.in, today)
		if err != tc.err {
			t.Errorf("Parse(%q) error %v, want %v", tc.in, err, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		if got := n.Birth.Format("2006-01-02"); got != tc.birth || n.Sex != tc.sex || n.Region.String() != tc.region || n.Region.Current != tc.current {
			t.Errorf("Parse(%q) = %s %s %q current=%v, want %s %s %q current=%v", tc.in, got, n.Sex, n.Region.String(), n.Region.Current,
				tc.birth, tc.sex, tc.region, tc.current)
		}
		if len(n.Value) != 18 || CheckChar(n.Value[:17]) != n.Value[17] {
			t.Errorf("Parse(%q).Value = %q", tc.in, n.Value)
		}
	}
	if n, _ := Parse("410702850612003", today); n.Value != with("41070219850612003") || !n.Upgraded {
		t.Errorf("15-digit upgrade: %+v", n)
	}
}

func TestRegionOf(t *testing.T) {
	for code, want := range map[string]string{
		"410000": "河南省", "410700": "河南省新乡市", "310101": "上海市黄浦区", "469001": "海南省五指山市",
		"110103": "北京市崇文区", // merged into 东城区 in 2010
	} {
		if got := RegionOf(code); got.String() != want || !got.Known {
			t.Errorf("RegionOf(%s) = %q, want %q", code, got.String(), want)
		}
	}
	if RegionOf("110103").Current || !RegionOf("110101").Current {
		t.Error("current flags wrong for 崇文区 / 东城区")
	}
	for _, bad := range []string{"990000", "41070", "4107a2", ""} {
		if RegionOf(bad).Known {
			t.Errorf("RegionOf(%q) known", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("11010519491231002X")
	f.Add("410702850612003")
	f.Add("4107021985061200")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s, today)
		if err != nil {
			return
		}
		if len(n.Value) != 18 || CheckChar(n.Value[:17]) != n.Value[17] || n.Birth.After(today) || !n.Region.Known {
			t.Fatalf("Parse(%q) accepted %+v", s, n)
		}
		again, err := Parse(n.Value, today)
		if err != nil || again.Value != n.Value {
			t.Fatalf("the normalised form %q does not parse back: %v", n.Value, err)
		}
	})
}

func TestRegionByName(t *testing.T) {
	for text, want := range map[string]string{
		"河南省新乡市长垣县": "410728", // the county as it was
		"新乡长垣市":     "410783",
		"河南新乡":      "410700",
		"河南省":       "410000",
		"四川成都锦江区":   "510104",
		"北京朝阳区":     "110105",
		"新乡市红旗区":    "410702",
		"西安":        "610100", // the city, not 吉林's 西安区
		"河北":        "130000", // the province, not 天津's 河北区
		"朝阳":        "211300", // 辽宁's city; 北京朝阳区 with 北京 named
	} {
		if got, ok := RegionByName(text); !ok || got != want {
			t.Errorf("RegionByName(%q) = %s (%s), want %s (%s)", text, got, RegionOf(got), want, RegionOf(want))
		}
	}
	if _, ok := RegionByName("火星"); ok {
		t.Error("a place on Mars was found")
	}
}

// regionByNameScan is RegionByName as it was before the name index: a
// pass over the whole table. The index must answer exactly as it did.
func regionByNameScan(text string) (string, bool) {
	loadOnce.Do(load)
	text = strings.TrimSpace(text)
	if text == "" {
		return "", false
	}
	type hit struct {
		code  string
		score int
	}
	var best hit
	for c, e := range codes {
		name := e.name
		if placeholder(name) {
			continue
		}
		score, matched := 0, ""
		if strings.Contains(text, name) {
			score, matched = 2*len(name), name
		} else if short := shortName(name); short != "" && strings.Contains(text, short) {
			score, matched = 2*len(short)-1, short
		}
		if score == 0 {
			continue
		}
		named := func(parent string) bool {
			p, ok := codes[parent]
			if !ok || placeholder(p.name) {
				return false
			}
			for _, n := range []string{p.name, shortName(p.name)} {
				if n != "" && n != matched && !strings.Contains(matched, n) && strings.Contains(text, n) {
					return true
				}
			}
			return false
		}
		if c[2:] != "0000" && named(c[:2]+"0000") {
			score += 4
		}
		if c[4:] != "00" && named(c[:4]+"00") {
			score += 4
		}
		if e.last == "2023" {
			score++
		}
		if score > best.score || (score == best.score && coarser(c, best.code)) {
			best = hit{c, score}
		}
	}
	return best.code, best.code != ""
}

// regionTexts are place texts as records carry them: names of the
// table, its short form, with its province and city written before it,
// accents and free text around, and some that name nothing.
func regionTexts() []string {
	loadOnce.Do(load)
	var out []string
	all := slices.Sorted(maps.Keys(codes))
	for i, c := range all {
		if i%10 != 0 {
			continue // a tenth of the table: the scan is slow
		}
		e := codes[c]
		p, city := codes[c[:2]+"0000"].name, codes[c[:4]+"00"].name
		s := shortName(e.name)
		out = append(out, e.name, s+"口音", p+city+e.name, shortName(p)+s, "说是"+s+"人，老家在"+shortName(city)+"附近")
	}
	return append(out, "", "  ", "火星", "普通话", "口音不明", "东北口音", "山东口音", "新乡长垣市", "河南省新乡市长垣县")
}

func TestRegionByNameIndexAnswersAsTheScan(t *testing.T) {
	for _, text := range regionTexts() {
		got, ok := RegionByName(text)
		want, wantOK := regionByNameScan(text)
		if got != want || ok != wantOK {
			t.Fatalf("RegionByName(%q) = %s %v, the table scan says %s %v", text, got, ok, want, wantOK)
		}
	}
}

// BenchmarkRegionByName compares the name index with the table scan it
// replaced, over the same texts.
func BenchmarkRegionByName(b *testing.B) {
	texts := regionTexts()
	for _, c := range []struct {
		name string
		fn   func(string) (string, bool)
	}{{"index", RegionByName}, {"scan", regionByNameScan}} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				c.fn(texts[i%len(texts)])
				i++
			}
		})
	}
}
