package tracing

import (
	"encoding/binary"
	"hash/fnv"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/havenrescue/haven/internal/idcard"
)

// Record is one side of a match: a person in care, a missing-person
// report or an earlier record. Every field but ID may be empty.
type Record struct {
	ID          string
	Names       []string // the name first, then aliases
	Sex         byte     // 'M', 'F' or 0
	Birth       time.Time
	BirthYear   bool // only the year of Birth is known
	AgeMin      int  // estimated age at Seen
	AgeMax      int
	Seen        time.Time // when found (a person in care) or lost (a report)
	SeenIs      byte      // what Seen is: SeenLost, SeenFound, or 0 when not known
	HeightCm    int
	IDNumber    string // full, or partial with * or ? for unknown characters
	Region      string // GB/T 2260 code of where they come from (native place, ID number)
	NativePlace string
	Dialect     string
	Place       string // where found or lost
	Lat, Lon    float64
	Features    string // marks, build, clothing: stable traits and clothing are told apart (splitFeatures)

	p *prepared // derived by Prepare: what comparing reads
}

// Prepare derives what comparing reads (and fills the ID number's birth
// date, sex and region where the record lacks them); Match calls it.
func (r *Record) Prepare() {
	var names []byte
	first := ""
	for _, n := range r.Names {
		if p := ParseName(n); p.Clean != "" {
			if names == nil {
				first = p.Clean
			}
			names = encodeName(names, p)
		}
	}
	r.IDNumber = strings.ToUpper(strings.Join(strings.Fields(r.IDNumber), ""))
	if n, err := idcard.Parse(r.IDNumber, time.Now()); err == nil {
		r.IDNumber = n.Value
		if r.Birth.IsZero() {
			r.Birth = n.Birth
		}
		if r.Sex == 0 {
			r.Sex = map[idcard.Sex]byte{idcard.Male: 'M', idcard.Female: 'F'}[n.Sex]
		}
		if r.Region == "" {
			r.Region = n.Value[:6]
		}
	}
	if p := r.IDNumber; r.Region == "" && (len(p) == 15 || len(p) == 18) && strings.ContainsAny(p, "*?") && allDigits(p[:6]) && idcard.RegionOf(p[:6]).Known {
		r.Region = p[:6] // a number partly legible (412701********1234): its region
	}
	if r.Region == "" && r.NativePlace != "" {
		if p := r.NativePlace; len(p) == 6 && allDigits(p) && idcard.RegionOf(p).Known {
			r.Region = p // a code
		} else if c, ok := idcard.RegionByName(r.NativePlace); ok {
			r.Region = c // "河南新乡" → 410700
		}
	}
	if r.Region == "" && r.Dialect != "" {
		r.Region = dialectRegion(r.Dialect) // "河北话" → 130000, "粤语" → 广东, 广西, 香港, 澳门
	}
	if s, ok := idcard.Successor(r.Region); ok {
		r.Region = s // 512201 (万县市, retired 1997) → 500101 (重庆市万州区)
	}
	place := grams(r.Place)
	p := &prepared{key: KeyOf(r.ID), data: recordData(r.IDNumber, names),
		ageMin: int32(r.AgeMin), ageMax: int32(r.AgeMax), height: int32(r.HeightCm), birth: dayOf(r.Birth), seen: dayOf(r.Seen),
		hasBirth: !r.Birth.IsZero(), hasSeen: !r.Seen.IsZero(), sex: r.Sex, birthY: r.BirthYear, seenIs: r.SeenIs}
	if len(r.Region) == 6 && r.Region[0] != 0 {
		copy(p.region[:], r.Region)
	}
	traits, clothing := splitFeatures(r.Features)
	tg, cg := traitGrams(traits), grams(clothing)
	if len(place)+len(tg)+len(cg) > 0 {
		p.text = &texts{grams: slices.Concat(place, tg, cg), nPlace: int32(len(place)), nTraits: int32(len(tg))}
	}
	p.latin = first != "" && !unicode.Is(unicode.Han, []rune(first)[0])
	if !r.Birth.IsZero() {
		copy(p.birthDay[:], r.Birth.Format("20060102"))
	}
	r.p = p
}

// What Seen is of a record.
const (
	SeenLost  = 'L' // the day they went missing (a report)
	SeenFound = 'F' // the day they were found (a person in care)
)

// garments are words of clothing and what is worn or carried: a phrase
// of a description with one of them is clothing, which changes; the rest
// (a scar, a limp, a hunchback, a missing finger) are stable traits.
var garments = []string{"衣", "裤", "鞋", "帽", "衫", "袜", "裙", "服", "袄", "靴", "夹克", "外套", "背心", "马甲", "围巾", "手套",
	"口罩", "眼镜", "包", "穿", "戴", "背着", "拿着", "恤", "毛线", "羽绒", "西装", "拖鞋"}

// splitFeatures tells the stable traits of a description from its
// clothing: phrase by phrase (split at punctuation and spaces, and before
// 穿 and 戴, which start a garment).
func splitFeatures(s string) (traits, clothing string) {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "穿", " 穿"), "戴", " 戴")
	var t, c []string
	for _, ph := range strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || strings.ContainsRune("，。、；：,.;:/|", r)
	}) {
		worn := false
		for _, g := range garments {
			if strings.Contains(ph, g) {
				worn = true
				break
			}
		}
		if worn {
			c = append(c, ph)
		} else {
			t = append(t, ph)
		}
	}
	return strings.Join(t, " "), strings.Join(c, " ")
}

// recordData is a prepared record's data: its ID number and its names,
// in one string.
func recordData(idNumber string, names []byte) string {
	if idNumber == "" && len(names) == 0 {
		return ""
	}
	b := make([]byte, 0, binary.MaxVarintLen64+len(idNumber)+len(names))
	b = binary.AppendUvarint(b, uint64(len(idNumber)))
	return string(append(append(b, idNumber...), names...))
}

// prepare prepares r unless it was (under its ID): an index and a search
// of it share their records.
func (r *Record) prepare() {
	if r.p == nil || r.p.key != KeyOf(r.ID) {
		r.Prepare()
	}
}

// grams is the set of character bigrams of a text (words for letters),
// hashed and sorted: a few bytes each, compared by a merge.
func grams(s string) []uint32 {
	s = strings.ToLower(Simplify(s))
	var out []uint32
	add := func(g string) {
		h := fnv.New32a()
		h.Write([]byte(g))
		out = append(out, h.Sum32())
	}
	var han []rune
	flush := func() {
		for i := 0; i+1 < len(han); i++ {
			add(string(han[i : i+2]))
		}
		if len(han) == 1 {
			add(string(han))
		}
		han = han[:0]
	}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		for _, r := range w {
			if unicode.Is(unicode.Han, r) {
				han = append(han, r)
			} else {
				flush()
			}
		}
		flush()
		if !unicode.Is(unicode.Han, []rune(w)[0]) {
			add(w)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ageRange returns the age range at t, from the birth date or the
// estimate made at seen.
func (r *prepared) ageRange(t day) (lo, hi int, ok bool) {
	switch {
	case r.hasBirth:
		a := int(t.y) - int(r.birth.y)
		if r.birthY {
			return a - 1, a, true
		}
		if t.yd < r.birth.yd {
			a--
		}
		return a, a, true
	case r.ageMax > 0 && r.hasSeen:
		d := int(t.y) - int(r.seen.y)
		return int(r.ageMin) + d, int(r.ageMax) + d, true
	case r.ageMax > 0:
		return int(r.ageMin), int(r.ageMax), true
	}
	return 0, 0, false
}
