// Package tracing is family search (寻亲, DESIGN.md §3.6): matching people
// in care who are not identified against missing-person reports and
// earlier records. This file compares Chinese names as they are heard
// and written down on the street: surname readings that differ from the
// characters' everyday readings, homophones written with other
// characters, the accent confusions of northern and southern speakers,
// characters that look alike, traditional forms and nicknames.
package tracing

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/longbridgeapp/opencc"
	"github.com/mozillazg/go-pinyin"
)

// SurnameReadings overrides the reading of surnames whose usual reading
// is not the surname's (go-pinyin reads 曾 as ceng, 单 as dan …).
// Compound surnames come first in SplitName.
var SurnameReadings = map[string][]string{
	"曾": {"zeng"}, "单": {"shan"}, "区": {"ou"}, "仇": {"qiu"}, "朴": {"piao"}, "查": {"zha"}, "解": {"xie"}, "覃": {"qin"},
	"种": {"chong"}, "乐": {"yue"}, "盖": {"ge"}, "缪": {"miao"}, "翟": {"zhai"}, "秘": {"bi"}, "繁": {"po"}, "员": {"yun"},
	"尉": {"wei"}, "句": {"gou"}, "阚": {"kan"}, "召": {"shao"}, "折": {"she"}, "柏": {"bai"}, "薄": {"bo"}, "重": {"chong"},
	"隗": {"wei"}, "那": {"na"}, "任": {"ren"}, "宁": {"ning"}, "沈": {"shen"}, "石": {"shi"}, "黑": {"he"}, "万": {"wan"},
	"长孙": {"zhang", "sun"}, "尉迟": {"yu", "chi"}, "万俟": {"mo", "qi"}, "单于": {"chan", "yu"}, "澹台": {"tan", "tai"},
	"令狐": {"ling", "hu"}, "皇甫": {"huang", "fu"}, "上官": {"shang", "guan"}, "欧阳": {"ou", "yang"}, "司马": {"si", "ma"},
	"诸葛": {"zhu", "ge"}, "宇文": {"yu", "wen"}, "东方": {"dong", "fang"}, "独孤": {"du", "gu"}, "慕容": {"mu", "rong"},
	"夏侯": {"xia", "hou"}, "公孙": {"gong", "sun"}, "呼延": {"hu", "yan"}, "端木": {"duan", "mu"}, "南宫": {"nan", "gong"},
}

// compound surnames (all two characters).
var compound []string

func init() {
	for s := range SurnameReadings {
		if len([]rune(s)) > 1 {
			compound = append(compound, s)
		}
	}
}

var (
	t2sOnce sync.Once
	t2s     *opencc.OpenCC
)

// Simplify converts traditional characters to simplified ones.
func Simplify(s string) string {
	t2sOnce.Do(func() { t2s, _ = opencc.New("t2s") })
	if t2s == nil {
		return s
	}
	out, err := t2s.Convert(s)
	if err != nil {
		return s
	}
	return out
}

// CleanName simplifies a name and keeps only its Chinese characters and
// letters (spaces, dots and brackets go).
func CleanName(s string) string {
	s = Simplify(strings.TrimSpace(s))
	var b strings.Builder
	gap := false // a space between two words in letters is kept
	var last rune
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			b.WriteRune(r)
			gap = false
		case unicode.IsLetter(r):
			if gap && last != 0 && !unicode.Is(unicode.Han, last) {
				b.WriteByte(' ')
			}
			b.WriteRune(unicode.ToLower(r))
			gap = false
		default:
			gap = true
			continue
		}
		last = r
	}
	return b.String()
}

// nickname prefixes: 小明, 阿强, 老王.
var nickPrefixes = []string{"小", "阿", "老"}

// Parts is a name split for comparison.
type Parts struct {
	Surname string
	Given   string
	Nick    bool // written as 小X, 阿X or 老X: X is a given name or a surname
}

// SplitName splits a Chinese name into surname and given name. A name of
// the form 小X / 阿X / 老X or XX (two characters) is a nickname: Given
// (or, for 老X, Surname) holds X.
func SplitName(name string) Parts { return splitClean(CleanName(name)) }

func splitClean(n string) Parts {
	r := []rune(n)
	if len(r) == 0 {
		return Parts{}
	}
	if len(r) == 2 {
		if r[0] == r[1] && unicode.Is(unicode.Han, r[0]) {
			return Parts{Given: string(r[1]), Nick: true} // 明明: a child's name of the given name's character twice
		}
		for _, p := range nickPrefixes {
			if string(r[0]) == p {
				if p == "老" {
					return Parts{Surname: string(r[1]), Nick: true}
				}
				return Parts{Given: string(r[1]), Nick: true}
			}
		}
	}
	if !unicode.Is(unicode.Han, r[0]) { // a name in letters: the last word is the surname
		return Parts{Given: n}
	}
	for _, c := range compound {
		if strings.HasPrefix(n, c) && len(r) > len([]rune(c)) {
			return Parts{Surname: c, Given: string(r[len([]rune(c)):])}
		}
	}
	if len(r) == 1 {
		return Parts{Surname: n}
	}
	return Parts{Surname: string(r[0]), Given: string(r[1:])}
}

var pinyinArgs = pinyin.NewArgs()

// Syllables returns a name part's pinyin, one syllable a character, with
// the surname readings applied when surname is true.
func Syllables(part string, surname bool) []string {
	if part == "" {
		return nil
	}
	if surname {
		if s, ok := SurnameReadings[part]; ok {
			return s
		}
	}
	out := pinyin.LazyPinyin(part, pinyinArgs)
	if len(out) != len([]rune(part)) { // letters or unknown characters: the part as it is
		return []string{part}
	}
	return out
}

// NamePinyin returns the whole name's syllables, surname reading applied.
func NamePinyin(name string) []string {
	p := SplitName(name)
	return append(Syllables(p.Surname, true), Syllables(p.Given, false)...)
}

// Fold maps a syllable to what speakers who confuse z/zh, c/ch, s/sh, n/l,
// f/h, an/ang, en/eng and in/ing say alike.
func Fold(syl string) string {
	s := syl
	for _, p := range [][2]string{{"zh", "z"}, {"ch", "c"}, {"sh", "s"}} {
		if strings.HasPrefix(s, p[0]) {
			s = p[1] + s[len(p[0]):]
		}
	}
	switch {
	case strings.HasPrefix(s, "l"):
		s = "n" + s[1:]
	case strings.HasPrefix(s, "h"):
		s = "f" + s[1:] // hu/fu, huang/fang and hui/fei are heard alike
		switch {
		case s == "fui":
			s = "fei"
		case strings.HasPrefix(s, "fu") && len(s) > 2:
			s = "f" + s[2:]
		}
	}
	for _, p := range [][2]string{{"ang", "an"}, {"eng", "en"}, {"ing", "in"}} {
		if strings.HasSuffix(s, p[0]) {
			s = s[:len(s)-len(p[0])] + p[1]
		}
	}
	return s
}

// lookalikes are characters often miswritten for one another (形近字),
// by hand: kept beside the derived table (lookalike.txt), which misses
// some of them (田 由 甲 申, 明 朋).
var lookalikes = [][]rune{
	[]rune("己已巳"), []rune("未末"), []rune("王玉主"), []rune("大太犬"), []rune("土士"), []rune("日曰"), []rune("人入八"),
	[]rune("天夭"), []rune("刀力"), []rune("千干于"), []rune("贝见"), []rune("侯候"), []rune("杨扬"), []rune("陈阵"),
	[]rune("李季"), []rune("张账"), []rune("晴睛"), []rune("兰岚"), []rune("红江"), []rune("明朋"), []rune("华化"),
	[]rune("田由甲申"), []rune("夫失"), []rune("今令"), []rune("东冻"), []rune("戊戌戍"), []rune("辩辨"), []rune("拔拨"),
}

// lookalikeData is the table of look-alike characters derived from a
// published decomposition of characters into their parts (cjk-decomp,
// by lookalike_gen.go; lookalike.LICENSE): 16,719 pairs of GB 2312's
// characters, 69 KB.
//
//go:embed lookalike.txt
var lookalikeData string

// lookalikeOf is, for each character, the characters that look like it
// (both tables), sorted.
var lookalikeOf = sync.OnceValue(func() map[rune][]rune {
	m := map[rune][]rune{}
	pair := func(a, b rune) {
		if a != b && !slices.Contains(m[a], b) {
			m[a] = append(m[a], b)
			m[b] = append(m[b], a)
		}
	}
	for _, line := range strings.Split(lookalikeData, "\n") {
		if r := []rune(line); len(r) > 1 && r[0] != '#' {
			for _, b := range r[1:] {
				pair(r[0], b)
			}
		}
	}
	for _, g := range lookalikes {
		for i, a := range g {
			for _, b := range g[i+1:] {
				pair(a, b)
			}
		}
	}
	for _, l := range m {
		slices.Sort(l)
	}
	return m
})

// LookAlike reports whether two characters look alike (or are one).
func LookAlike(a, b rune) bool {
	if a == b {
		return true
	}
	_, ok := slices.BinarySearch(lookalikeOf()[a], b)
	return ok
}

func lookAlike(a, b rune) bool { return LookAlike(a, b) }

// NameLevel is how two names compare, from the strongest.
type NameLevel int

const (
	NameUnknown   NameLevel = iota // one side has no name
	NameMismatch                   // different people's names
	NameOneDiff                    // names of one length that differ in one character (not the surname's only)
	NamePartial                    // the same surname or given name; or a nickname that fits
	NameLookalike                  // characters that look alike
	NameAccent                     // the same syllables in a confused accent
	NameHomophone                  // the same syllables, other characters (谐音)
	NameExact                      // the same characters (after simplification)
)

var nameLevelNames = []string{"unknown", "mismatch", "onediff", "partial", "lookalike", "accent", "homophone", "exact"}

func (l NameLevel) String() string { return nameLevelNames[l] }

func sameSyllables(a, b []string, fold bool) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if fold {
			x, y = Fold(x), Fold(y)
		}
		if x != y {
			return false
		}
	}
	return true
}

// Name is a name parsed once, for many comparisons.
type Name struct {
	Clean  string
	Parts  Parts
	Syl    []string // pinyin, surname reading applied
	Folded []string // Syl folded for accents
}

// ParseName cleans, splits and reads a name.
func ParseName(s string) Name {
	c := CleanName(s)
	n := Name{Clean: c, Parts: splitClean(c)}
	if c == "" {
		return n
	}
	n.Syl = append(Syllables(n.Parts.Surname, true), Syllables(n.Parts.Given, false)...)
	for _, x := range n.Syl {
		n.Folded = append(n.Folded, Fold(x))
	}
	return n
}

// CompareNames compares two names.
func CompareNames(a, b string) NameLevel { return ParseName(a).Compare(ParseName(b)) }

// Compare compares two parsed names.
func (a Name) Compare(b Name) NameLevel {
	if a.Clean == "" || b.Clean == "" {
		return NameUnknown
	}
	if a.Clean == b.Clean {
		return NameExact
	}
	pa, pb := a.Parts, b.Parts
	if pa.Nick || pb.Nick {
		if nickFits(pa, pb) || nickFits(pb, pa) {
			return NamePartial
		}
		return NameMismatch
	}
	switch {
	case slices.Equal(a.Syl, b.Syl):
		return NameHomophone
	case slices.Equal(a.Folded, b.Folded):
		return NameAccent
	}
	return comparePartial(a.Clean, b.Clean, pa, pb)
}

// comparePartial is the end of Compare: names whose syllables differ.
func comparePartial(ca, cb string, pa, pb Parts) NameLevel {
	if ra, rb := []rune(ca), []rune(cb); len(ra) == len(rb) {
		alike := true
		for i := range ra {
			alike = alike && lookAlike(ra[i], rb[i])
		}
		if alike {
			return NameLookalike
		}
	}
	if pa.Surname != "" && pa.Surname == pb.Surname && pa.Given != "" && pb.Given != "" &&
		(strings.Contains(pa.Given, pb.Given) || strings.Contains(pb.Given, pa.Given)) {
		return NamePartial // 王建 and 王建国
	}
	if pa.Given != "" && pa.Given == pb.Given && len([]rune(pa.Given)) > 1 {
		return NamePartial // the same two-character given name, surname misheard
	}
	if (len([]rune(pa.Given)) > 1 && pa.Given == cb) || (len([]rune(pb.Given)) > 1 && pb.Given == ca) {
		return NamePartial // the given name alone (琳卫 of 胡琳卫): read as a surname and a given name, it is neither
	}
	if ra, rb := []rune(ca), []rune(cb); len(ra) == len(rb) && len(ra) >= 2 {
		diff := 0
		for i := range ra {
			if ra[i] != rb[i] {
				diff++
			}
		}
		if diff == 1 {
			return NameOneDiff // 王建国 and 王建华, 张丽 and 章丽
		}
	}
	return NameMismatch
}

// nickFits reports whether nickname n fits full name f: 小明 fits 王明 and
// 李小明; 老王 fits 王建国.
func nickFits(n, f Parts) bool {
	if !n.Nick || f.Nick {
		return false
	}
	if n.Surname != "" {
		return n.Surname == f.Surname || sameSyllables(Syllables(n.Surname, true), Syllables(f.Surname, true), true)
	}
	g := []rune(f.Given)
	return len(g) > 0 && string(g[len(g)-1]) == n.Given
}
