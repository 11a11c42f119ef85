// Package idcard reads and checks the citizen identity number of GB 11643
// (公民身份号码): 18 characters, a GB/T 2260 region code, the birth date,
// a sequence number whose parity gives the sex, and an ISO 7064 MOD 11-2
// check character. Numbers of the older 15-digit form (before 1999) are
// read too and upgraded to 18. The region table (gb2260.tsv) keeps codes
// retired since 2002, and a code missing from it still resolves to its
// province and, where its prefix is known, its city.
package idcard

import (
	"bufio"
	_ "embed"
	"strings"
	"sync"
	"time"
)

// Error is a reason a number is refused; Key is its message key.
type Error struct{ Key string }

func (e *Error) Error() string { return "idcard: " + e.Key }

// Reasons a number is refused.
var (
	ErrFormat   = &Error{"err.id_format"}   // not 15 digits or 17 digits and a check character
	ErrChecksum = &Error{"err.id_checksum"} // the check character does not match
	ErrBirth    = &Error{"err.id_birth"}    // no such date, or in the future, or before 1900
	ErrRegion   = &Error{"err.id_region"}   // no province has this code
)

// Sex as the number encodes it.
type Sex string

const (
	Male   Sex = "male"
	Female Sex = "female"
)

// Number is a checked identity number.
type Number struct {
	Value    string // 18 characters, upper-case X
	Birth    time.Time
	Sex      Sex
	Region   Region
	Upgraded bool // given in the 15-digit form
}

var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// CheckChar returns the check character for the first 17 digits.
func CheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Parse checks s (spaces ignored, a lower-case x accepted); a birth date
// after today (in China Standard Time) is refused.
func Parse(s string, today time.Time) (Number, error) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), ""))
	var n Number
	switch {
	case len(s) == 15 && digits(s):
		// 15 digits: region, YYMMDD of the 1900s, 3-digit sequence.
		first17 := s[:6] + "19" + s[6:]
		s = first17 + string(CheckChar(first17))
		n.Upgraded = true
	case len(s) == 18 && digits(s[:17]) && (s[17] == 'X' || (s[17] >= '0' && s[17] <= '9')):
		if CheckChar(s[:17]) != s[17] {
			return Number{}, ErrChecksum
		}
	default:
		return Number{}, ErrFormat
	}
	birth, err := time.ParseInLocation("20060102", s[6:14], cst)
	if err != nil || birth.Year() < 1900 || birth.After(today.In(cst)) {
		return Number{}, ErrBirth
	}
	r := RegionOf(s[:6])
	if !r.Known {
		return Number{}, ErrRegion
	}
	n.Value, n.Birth, n.Region = s, birth, r
	n.Sex = Female
	if (s[16]-'0')%2 == 1 {
		n.Sex = Male
	}
	return n, nil
}

var cst = time.FixedZone("CST", 8*3600)

// Region is where a GB/T 2260 code points.
type Region struct {
	Code     string
	Province string
	City     string // "" for a municipality's districts or an unknown prefix
	County   string // "" when the code itself is not in the table
	Current  bool   // the code is in use (2023)
	Known    bool   // at least the province is known
}

// String is the region as one line, such as 河南省新乡市长垣县.
func (r Region) String() string { return r.Province + r.City + r.County }

//go:embed gb2260.tsv
var table string

type entry struct {
	name string
	last string
}

var (
	loadOnce sync.Once
	codes    map[string]entry
	byName   *nameIndex // codes by name and short name
)

func load() {
	codes = make(map[string]entry, 4200)
	defer func() { byName = indexNames(codes) }()
	sc := bufio.NewScanner(strings.NewReader(table))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) == 3 {
			codes[f[0]] = entry{name: f[1], last: f[2]}
		}
	}
}

// placeholder names of the city level that are not places.
func placeholder(name string) bool {
	return name == "市辖区" || name == "县" || name == "省直辖县级行政区划" || name == "自治区直辖县级行政区划"
}

// RegionOf resolves a 6-digit code.
func RegionOf(code string) Region {
	loadOnce.Do(load)
	r := Region{Code: code}
	if len(code) != 6 || !digits(code) {
		return r
	}
	p, ok := codes[code[:2]+"0000"]
	if !ok {
		return r
	}
	r.Province, r.Known = p.name, true
	if code[2:] == "0000" {
		r.Current = p.last == "2023"
		return r
	}
	if c, ok := codes[code[:4]+"00"]; ok && !placeholder(c.name) {
		r.City = c.name
	}
	if code[4:] == "00" {
		if c, ok := codes[code]; ok {
			r.Current = c.last == "2023"
		}
		return r
	}
	if c, ok := codes[code]; ok && !placeholder(c.name) {
		r.County, r.Current = c.name, c.last == "2023"
	}
	return r
}

// RegionByName finds the code of a place written out, such as
// "河南省新乡市长垣县", "新乡长垣" or "四川成都": the longest county, city
// or province name found in the text, preferring codes in use, for a
// county one inside the province or city also named, and of places named
// alike the broader (coarser). ok is false when nothing is recognised.
//
// The names are looked up by the text's substrings in an index built
// once (names.go), not by scanning the table: matching reads a native
// place for every record it indexes.
func RegionByName(text string) (code string, ok bool) {
	loadOnce.Do(load)
	text = strings.TrimSpace(text)
	if text == "" {
		return "", false
	}
	var best string
	bestScore := 0
	byName.each(text, func(c string, full bool) {
		e := codes[c]
		matched := e.name
		score := 2 * len(matched)
		if !full {
			matched = shortName(e.name)
			score = 2*len(matched) - 1
		}
		// Parents named too (elsewhere in the text) make it surer; a
		// code in use wins a tie.
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
		if score > bestScore || (score == bestScore && coarser(c, best)) {
			best, bestScore = c, score
		}
	})
	return best, best != ""
}

// coarser orders codes that name a place equally well: the broader place
// first (a province before a city, a city before a county: a bare 西安 is
// the city, not 吉林's 西安区; 河北 the province, not 天津's 河北区), then
// the lower code.
func coarser(a, b string) bool {
	level := func(c string) int {
		switch {
		case c[2:] == "0000":
			return 1
		case c[4:] == "00":
			return 2
		}
		return 3
	}
	if b == "" {
		return true
	}
	if la, lb := level(a), level(b); la != lb {
		return la < lb
	}
	return a < b
}

// shortName drops the administrative suffix (省, 市, 县, 区, 自治区 …) when
// at least two characters remain.
func shortName(name string) string {
	for _, suf := range []string{"维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "特别行政区", "省", "市", "县", "区", "州", "盟", "旗"} {
		if s := strings.TrimSuffix(name, suf); s != name && len([]rune(s)) >= 2 {
			return s
		}
	}
	return ""
}
