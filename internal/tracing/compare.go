package tracing

import (
	"slices"
	"strings"
	"time"
)

// Unknown is the level of a comparison one side cannot answer.
const Unknown = -1

// Field is one comparison of the model, with its levels from the
// weakest (0, a mismatch) to the strongest.
type Field struct {
	Name    string
	Levels  []string
	Compare func(a, b *Record) int // a level, or Unknown (prepares the records)
	cmp     func(a, b *prepared) int
}

func field(name string, levels []string, cmp func(a, b *prepared) int) Field {
	return Field{Name: name, Levels: levels, cmp: cmp, Compare: func(a, b *Record) int {
		a.prepare()
		b.prepare()
		return cmp(a.p, b.p)
	}}
}

// Fields are the comparisons the matcher scores.
var Fields = []Field{
	field("name", []string{"mismatch", "onediff", "partial", "lookalike", "accent", "homophone", "exact"}, compareName),
	field("sex", []string{"mismatch", "match"}, compareSex),
	field("birth", []string{"mismatch", "far", "year", "centre", "near", "exact"}, compareBirth),
	field("id_number", []string{"mismatch", "near", "region_birth", "exact"}, compareID),
	field("region", []string{"mismatch", "area", "province", "city", "county"}, compareRegion),
	field("height", []string{"far", "near", "close", "same"}, compareHeight),
	field("place", []string{"none", "weak", "some", "strong", "same"}, func(a, b *prepared) int { return compareGrams(a.place(), b.place()) }),
	// Stable traits (a scar, a limp) and clothing (which changes) are
	// weighed apart.
	field("features", []string{"none", "weak", "some", "strong", "same"}, func(a, b *prepared) int { return compareGrams(a.traits(), b.traits()) }),
	field("clothing", []string{"none", "weak", "some", "strong", "same"}, func(a, b *prepared) int { return compareGrams(a.clothing(), b.clothing()) }),
	field("time", []string{"before", "after_year", "within_1y", "within_6m", "within_3m", "within_1m", "within_1w"}, compareTime),
}

// compareTime compares when someone went missing with when they were
// found: found before they were lost cannot be the same person (a month's
// grace for a date misremembered); the longer the gap, the weaker the
// evidence, in steps of a week, a month, a season, half a year and a
// year (with one level for three months to a year, a gap of 95 days
// weighed two bits less than one of 85 and as much as one of 360;
// beyond a year, one and three years weighed alike): most people who go
// missing turn up within days or weeks, fewer after months, a few after
// years, while a report lost at random is as likely any week of the
// years a station's reports span, so a gap of days says much more than
// one of months. A found date a little before the
// lost date (a date misremembered) counts as a gap of a month: the dates
// are close, but one of them is wrong. Where neither record says which
// date is which, the gap alone.
func compareTime(a, b *prepared) int {
	if !a.hasSeen || !b.hasSeen {
		return Unknown
	}
	gap := a.seen.days() - b.seen.days() // found − lost
	switch {
	case a.seenIs == SeenLost && b.seenIs == SeenFound:
		gap = -gap
	case a.seenIs == SeenFound && b.seenIs == SeenLost:
	default:
		gap = max(gap, -gap)
	}
	switch {
	case gap < -30:
		return 0
	case gap > 365:
		return 1
	case gap > 182:
		return 2
	case gap > 90:
		return 3
	case gap > 30:
		return 4
	case gap > 7 || gap < 0:
		return 5
	}
	return 6
}

func compareName(a, b *prepared) int {
	if a.names() == "" || b.names() == "" {
		return Unknown
	}
	best := int(NameMismatch)
	for ra := a.names(); ra != ""; {
		var x nameView
		x, ra = nextName(ra)
		for rb := b.names(); rb != ""; {
			var y nameView
			y, rb = nextName(rb)
			var l NameLevel
			if a.latin || b.latin {
				l = compareLatin(x.clean, y.clean)
			} else {
				l = x.compare(&y)
			}
			best = max(best, int(l))
		}
	}
	return best - 1 // NameMismatch is level 0
}

// compareLatin compares names written in letters ("given surname"):
// both words the same, close (Jaro–Winkler), one of them, or swapped.
func compareLatin(a, b string) NameLevel {
	if a == b {
		return NameExact
	}
	sa, ga := splitLatin(a)
	sb, gb := splitLatin(b)
	if sa == "" || sb == "" {
		return NameMismatch
	}
	js, jg := JaroWinkler(sa, sb), JaroWinkler(ga, gb)
	switch {
	case js >= 0.92 && jg >= 0.92:
		return NameHomophone
	case (js == 1 && jg >= 0.8) || (jg == 1 && js >= 0.8):
		return NameAccent
	case ga != "" && JaroWinkler(sa, gb) >= 0.95 && JaroWinkler(ga, sb) >= 0.95:
		return NameLookalike // given name and surname swapped
	case js >= 0.92 || (jg >= 0.92 && ga != ""):
		return NamePartial
	}
	return NameMismatch
}

// splitLatin splits a cleaned Latin name (single spaces) into the last
// word, the surname, and the words before it, without allocating.
func splitLatin(s string) (surname, given string) {
	if i := strings.LastIndexByte(s, ' '); i >= 0 {
		return s[i+1:], s[:i]
	}
	return s, ""
}

func compareSex(a, b *prepared) int {
	if a.sex == 0 || b.sex == 0 {
		return Unknown
	}
	if a.sex == b.sex {
		return 1
	}
	return 0
}

func compareBirth(a, b *prepared) int {
	if a.hasBirth && b.hasBirth && !a.birthY && !b.birthY {
		da, db := &a.birthDay, &b.birthDay
		switch {
		case *da == *db:
			return 5
		case oneApart(da, db) || (string(da[0:4]) == string(db[0:4]) && string(da[4:6]) == string(db[6:8]) && string(da[6:8]) == string(db[4:6])):
			return 4 // one digit off, or day and month swapped
		case string(da[0:4]) == string(db[0:4]):
			return 2
		}
	}
	// Ranges (estimated ages, or a year only) at a common date.
	at := dayOf(time.Time{})
	switch {
	case a.hasSeen:
		at = a.seen
	case b.hasSeen:
		at = b.seen
	case a.hasBirth:
		at = a.born40()
	}
	alo, ahi, aok := a.ageRange(at)
	blo, bhi, bok := b.ageRange(at)
	if !aok || !bok {
		return Unknown
	}
	if !a.hasBirth || !b.hasBirth {
		return compareEstimate(alo, ahi, blo, bhi)
	}
	l := overlapLevel(alo, ahi, blo, bhi)
	// Overlapping ranges (a year only) whose middles are within two years
	// and a half agree better.
	if d := (alo + ahi) - (blo + bhi); l == 2 && d >= -5 && d <= 5 {
		return 3
	}
	return l
}

// overlapLevel grades two age ranges by where they lie: 2 overlapping,
// 1 within five years of each other, 0 further apart.
func overlapLevel(alo, ahi, blo, bhi int) int {
	switch {
	case alo <= bhi && blo <= ahi:
		return 2
	case alo-5 <= bhi && blo-5 <= ahi:
		return 1
	}
	return 0
}

// compareEstimate grades ages where one side is an estimate (a range
// written by someone who guessed by sight): by how far apart the
// ranges' middles are, an estimate's likeliest age, not by whether the
// ranges overlap. How wide a range someone writes says little about how
// far off the guess is (a narrow "38–42" is no more often right than
// "35–45"), so overlap would count a 6-year error against a narrow range
// and not against a wide one. The levels: middles within 2.5 years, 5,
// 12, further. A range wider than twenty years ("20 to 60") is no guess at
// a middle: within it is at most "year", within five years of it "far".
func compareEstimate(alo, ahi, blo, bhi int) int {
	if ahi-alo > 20 || bhi-blo > 20 {
		return overlapLevel(alo, ahi, blo, bhi)
	}
	d := (alo + ahi) - (blo + bhi) // twice the middles' distance
	switch d = max(d, -d); {
	case d <= 5:
		return 3
	case d <= 10:
		return 2
	case d <= 24:
		return 1
	}
	return 0
}

// oneApart reports whether two dates' digits differ in at most one place
// (withinOneEdit of two strings of one length).
func oneApart(a, b *[8]byte) bool {
	n := 0
	for i := range a {
		if a[i] != b[i] {
			n++
		}
	}
	return n <= 1
}

func compareID(a, b *prepared) int {
	if a.idNumber() == "" || b.idNumber() == "" {
		return Unknown
	}
	x, y := a.idNumber(), b.idNumber()
	if legible(x) < min(14, len(x)) || legible(y) < min(14, len(y)) {
		return Unknown // a number legible only in part (its region) says where someone is from (the region field), no more
	}
	if x == y {
		return 3
	}
	if len(x) == len(y) && maskedEqual(x, y) {
		return 2 // the same where both are known
	}
	if len(x) >= 14 && len(y) >= 14 && x[:14] == y[:14] {
		return 2 // region and birth date
	}
	if withinOneEdit(x, y) || transposed(x, y) {
		return 1
	}
	return 0
}

func maskedEqual(x, y string) bool {
	known := 0
	for i := range len(x) {
		if x[i] == '*' || x[i] == '?' || y[i] == '*' || y[i] == '?' {
			continue
		}
		if x[i] != y[i] {
			return false
		}
		known++
	}
	return known >= 6
}

// legible counts the characters of an ID number that can be read (not
// * or ?).
func legible(x string) int {
	n := 0
	for i := range len(x) {
		if x[i] != '*' && x[i] != '?' {
			n++
		}
	}
	return n
}

func transposed(x, y string) bool {
	if len(x) != len(y) {
		return false
	}
	var diff [3]int
	n := 0
	for i := range len(x) {
		if x[i] != y[i] {
			if n == 3 {
				return false
			}
			diff[n] = i
			n++
		}
	}
	return n == 2 && diff[1] == diff[0]+1 && x[diff[0]] == y[diff[1]] && x[diff[1]] == y[diff[0]]
}

func compareRegion(a, b *prepared) int {
	if !a.hasRegion() || !b.hasRegion() {
		return Unknown
	}
	if isArea(&a.region) || isArea(&b.region) {
		// A dialect's provinces: in one of them, or not.
		for _, p := range provincesOfRegion(&a.region) {
			if slices.Contains(provincesOfRegion(&b.region), p) {
				return 1
			}
		}
		return 0
	}
	// Two codes agree at most as finely as the coarser one is known: a
	// province read from an accent (410000) and a county code (410727)
	// agree on the province only, and two province codes are not a county
	// match.
	depth := min(regionPrecision(string(a.region[:])), regionPrecision(string(b.region[:])))
	agree := 0
	for _, n := range []int{2, 4, 6} {
		if string(a.region[:n]) != string(b.region[:n]) {
			break
		}
		agree++
	}
	if agree == 0 {
		return 0
	}
	return min(agree, depth) + 1
}

// regionPrecision is how finely a GB/T 2260 code places someone: 1 a
// province, 2 a city, 3 a county.
func regionPrecision(code string) int {
	switch {
	case code[2:] == "0000":
		return 1
	case code[4:] == "00":
		return 2
	}
	return 3
}

func compareHeight(a, b *prepared) int {
	if a.height == 0 || b.height == 0 {
		return Unknown
	}
	d := a.height - b.height
	if d < 0 {
		d = -d
	}
	switch {
	case d <= 1:
		return 3
	case d <= 3:
		return 2
	case d <= 8:
		return 1
	}
	return 0
}

func compareGrams(a, b []uint32) int {
	if len(a) == 0 || len(b) == 0 {
		return Unknown
	}
	common := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			common++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	// Five levels of the Jaccard share of bigrams: a mark or a garment in
	// common is evidence, most of the description in common much more.
	jac := float64(common) / float64(len(a)+len(b)-common)
	switch {
	case jac >= 0.75:
		return 4
	case jac >= 0.5:
		return 3
	case jac >= 0.2:
		return 2
	case common > 0:
		return 1
	}
	return 0
}

func JaroWinkler(a, b string) float64 {
	if ascii(a) && ascii(b) && len(a) <= 64 && len(b) <= 64 {
		return jaroWinkler([]byte(a), []byte(b)) // the conversion does not escape: no allocation
	}
	return jaroWinkler([]rune(a), []rune(b))
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func jaroWinkler[T byte | rune](ra, rb []T) float64 {
	if len(ra) == 0 && len(rb) == 0 {
		return 1
	}
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	window := max(len(ra), len(rb))/2 - 1
	window = max(window, 0)
	var fa, fb [64]bool
	ma, mb := fa[:0], fb[:0]
	if len(ra) <= 64 && len(rb) <= 64 {
		ma, mb = fa[:len(ra)], fb[:len(rb)]
	} else {
		ma, mb = make([]bool, len(ra)), make([]bool, len(rb))
	}
	m := 0
	for i := range ra {
		lo, hi := max(0, i-window), min(len(rb), i+window+1)
		for j := lo; j < hi; j++ {
			if !mb[j] && ra[i] == rb[j] {
				ma[i], mb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, k := 0, 0
	for i := range ra {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if ra[i] != rb[k] {
			t++
		}
		k++
	}
	fm := float64(m)
	jaro := (fm/float64(len(ra)) + fm/float64(len(rb)) + (fm-float64(t)/2)/fm) / 3
	prefix := 0
	for i := 0; i < min(4, len(ra), len(rb)) && ra[i] == rb[i]; i++ {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// withinOneEdit reports whether a and b are at most one byte edit
// (substitution, insertion, deletion) apart: a Levenshtein distance of
// at most one, in linear time and without allocating.
func withinOneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return i == len(a) || a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}
