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
	HeightCm    int
	IDNumber    string // full, or partial with * or ? for unknown characters
	Region      string // GB/T 2260 code of where they come from (native place, ID number)
	NativePlace string
	Dialect     string
	Place       string // where found or lost
	Lat, Lon    float64
	Features    string // marks, clothing

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
	for _, text := range []string{r.NativePlace, r.Dialect} {
		if r.Region != "" || text == "" {
			continue
		}
		if c, ok := idcard.RegionByName(text); ok {
			r.Region = c // "河南新乡" → 410700, "山东口音" → 370000
		}
	}
	place := grams(r.Place)
	p := &prepared{key: KeyOf(r.ID), data: recordData(r.IDNumber, names),
		ageMin: int32(r.AgeMin), ageMax: int32(r.AgeMax), height: int32(r.HeightCm), birth: dayOf(r.Birth), seen: dayOf(r.Seen),
		hasBirth: !r.Birth.IsZero(), hasSeen: !r.Seen.IsZero(), sex: r.Sex, birthY: r.BirthYear}
	if len(r.Region) == 6 && r.Region[0] != 0 {
		copy(p.region[:], r.Region)
	}
	if features := grams(r.Features); len(place)+len(features) > 0 {
		p.text = &texts{grams: slices.Concat(place, features), nPlace: len(place)}
	}
	p.latin = first != "" && !unicode.Is(unicode.Han, []rune(first)[0])
	if !r.Birth.IsZero() {
		copy(p.birthDay[:], r.Birth.Format("20060102"))
	}
	r.p = p
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
