package tracing

import (
	"fmt"
	"testing"
	"time"
)

// A name heard in part finds its person among many others: the given
// name alone (琳卫 of 胡琳卫, by its syllables), 老 and the surname, a
// surname and one look-alike character (by the surname, sex and decade
// of birth); 小 and the given name's last character.
func TestPartialNamesAreSearched(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	var recs []*Record
	// Many people of the same sex and years, of other names: the first
	// pass alone would keep only some of them.
	for i := range 3000 {
		recs = append(recs, &Record{ID: fmt.Sprintf("r%04d", i), Names: []string{string([]rune("王李张刘陈杨黄赵吴周")[i%10]) + string(hoGiven[i%len(hoGiven)]) + string(hoGiven[(i/7)%len(hoGiven)])},
			Sex: 'M', Birth: day("1970-01-01").AddDate(i%5, 0, 0), HeightCm: 160 + i%20, Seen: day("2025-01-01"), SeenIs: SeenLost})
	}
	recs = append(recs,
		&Record{ID: "hu", Names: []string{"胡琳卫"}, Sex: 'M', Birth: day("1972-03-01"), Seen: day("2025-01-01"), SeenIs: SeenLost},
		&Record{ID: "shou", Names: []string{"寿胜利"}, Sex: 'M', Birth: day("1971-03-01"), Seen: day("2025-01-01"), SeenIs: SeenLost},
		&Record{ID: "xi", Names: []string{"奚梅"}, Sex: 'M', Birth: day("1973-03-01"), Seen: day("2025-01-01"), SeenIs: SeenLost},
		&Record{ID: "ming", Names: []string{"钱建明"}, Sex: 'M', Birth: day("1974-03-01"), Seen: day("2025-01-01"), SeenIs: SeenLost})
	ix := NewIndex(DefaultModel(), recs)
	for _, tc := range []struct{ name, want string }{{"琳卫", "hu"}, {"老寿", "shou"}, {"奚海", "xi"}, {"小明", "ming"}} {
		q := &Record{ID: "q", Names: []string{tc.name}, Sex: 'M', AgeMin: 48, AgeMax: 58, Seen: day("2025-03-01"), SeenIs: SeenFound}
		res, _ := ix.Search(q, 10, PriorFor(len(recs)))
		found := false
		for _, r := range res {
			found = found || r.Right == tc.want
		}
		if !found {
			t.Errorf("%s: %s is not among the 10 best", tc.name, tc.want)
		}
	}
	// The surname's records are read only by a query whose name says
	// little more: a full name does not read them.
	full := &Record{ID: "f", Names: []string{"章建国"}, Sex: 'M', AgeMin: 48, AgeMax: 58}
	full.Prepare()
	weak := &Record{ID: "w", Names: []string{"老章"}, Sex: 'M', AgeMin: 48, AgeMax: 58}
	weak.Prepare()
	if weakName(full.p) || !weakName(weak.p) {
		t.Errorf("weakName: 章建国 %v, 老章 %v", weakName(full.p), weakName(weak.p))
	}
}

// The model is fitted on pairs that show every level of the name: none
// of them is weighed only by the floor the fitting spreads.
func TestFitCasesShowEveryNameLevel(t *testing.T) {
	s := NewSynth(7)
	seen := map[int]int{}
	for i, c := range FitCases {
		for j := range 200 {
			rep, care := s.Pair(i*1000+j, c)
			seen[Levels(care, rep)[0]]++
		}
	}
	for l, name := range Fields[0].Levels {
		if l > 0 && seen[l] < 10 {
			t.Errorf("name level %s seen %d times in the fitting pairs", name, seen[l])
		}
	}
}

// The first pass weighs when someone was lost against when found: of
// records alike but for the date, the one lost just before the person
// was found is kept, the one lost after is not.
func TestFirstPassWeighsTime(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	q := &Record{ID: "q", Sex: 'F', AgeMin: 30, AgeMax: 40, HeightCm: 158, Seen: day("2025-06-01"), SeenIs: SeenFound}
	soon := &Record{ID: "soon", Sex: 'F', Birth: day("1990-01-01"), HeightCm: 158, Seen: day("2025-05-20"), SeenIs: SeenLost}
	later := &Record{ID: "later", Sex: 'F', Birth: day("1990-01-01"), HeightCm: 158, Seen: day("2025-09-01"), SeenIs: SeenLost}
	years := &Record{ID: "years", Sex: 'F', Birth: day("1990-01-01"), HeightCm: 158, Seen: day("2019-09-01"), SeenIs: SeenLost}
	for _, r := range []*Record{q, soon, later, years} {
		r.Prepare()
	}
	qc := compactOf(q.p)
	s, l, y := prescore(&qc, ptr(compactOf(soon.p))), prescore(&qc, ptr(compactOf(later.p))), prescore(&qc, ptr(compactOf(years.p)))
	if !(s > y && y > l) {
		t.Errorf("first-pass scores: lost just before %d, years before %d, after %d; want them in that order", s, y, l)
	}
}
