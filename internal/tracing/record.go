package tracing

import (
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

	// derived by Prepare
	names    []Name
	latin    bool
	idFull   bool
	place    []uint32 // hashed character bigrams, sorted
	features []uint32
	cheap    compact // the few numbers the first pass compares
	birthDay string  // YYYYMMDD of Birth
	prepared bool
}

// Prepare fills the derived fields; Match calls it.
func (r *Record) Prepare() {
	r.prepared = true
	r.names = r.names[:0]
	for _, n := range r.Names {
		if p := ParseName(n); p.Clean != "" {
			r.names = append(r.names, p)
		}
	}
	r.latin = len(r.names) > 0 && !unicode.Is(unicode.Han, []rune(r.names[0].Clean)[0])
	r.IDNumber = strings.ToUpper(strings.Join(strings.Fields(r.IDNumber), ""))
	if n, err := idcard.Parse(r.IDNumber, time.Now()); err == nil {
		r.IDNumber, r.idFull = n.Value, true
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
	r.place = grams(r.Place)
	r.features = grams(r.Features)
	r.cheap = compactOf(r)
	if !r.Birth.IsZero() {
		r.birthDay = r.Birth.Format("20060102")
	}
}

// prepare prepares r unless it was: an index and a search of it share
// their records.
func (r *Record) prepare() {
	if !r.prepared {
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
// estimate made at Seen.
func (r *Record) ageRange(t time.Time) (lo, hi int, ok bool) {
	switch {
	case !r.Birth.IsZero():
		a := t.Year() - r.Birth.Year()
		if r.BirthYear {
			return a - 1, a, true
		}
		if t.YearDay() < r.Birth.YearDay() {
			a--
		}
		return a, a, true
	case r.AgeMax > 0 && !r.Seen.IsZero():
		d := t.Year() - r.Seen.Year()
		return r.AgeMin + d, r.AgeMax + d, true
	case r.AgeMax > 0:
		return r.AgeMin, r.AgeMax, true
	}
	return 0, 0, false
}
