package tracing

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/havenrescue/haven/internal/idcard"
)

// EM recovers known parameters: pairs drawn from a model with 5% true
// matches, where matches and non-matches take each field's levels with
// known chances.
func TestEMConverges(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	truth := NewModel(nil)
	truth.Prior = 0.05
	for f := range Fields {
		n := len(Fields[f].Levels)
		for l := range n {
			truth.M[f][l] = float64(l+1) * float64(l+1)
			truth.U[f][l] = float64(n - l)
		}
		truth.M[f], truth.U[f] = normalise(truth.M[f]), normalise(truth.U[f])
	}
	draw := func(p []float64) int {
		x := r.Float64()
		for l, q := range p {
			if x -= q; x < 0 {
				return l
			}
		}
		return len(p) - 1
	}
	pairs := make([][]int, 40000)
	for i := range pairs {
		match := r.Float64() < truth.Prior
		lv := make([]int, len(Fields))
		for f := range Fields {
			if match {
				lv[f] = draw(truth.M[f])
			} else {
				lv[f] = draw(truth.U[f])
			}
		}
		pairs[i] = lv
	}
	m := NewModel(nil)
	it := m.EstimateEM(pairs, 500)
	if it >= 500 {
		t.Fatalf("EM did not converge in %d iterations", it)
	}
	if math.Abs(m.Prior-truth.Prior) > 0.01 {
		t.Errorf("prior %.3f, want %.3f", m.Prior, truth.Prior)
	}
	for f := range Fields {
		for l := range Fields[f].Levels {
			if d := math.Abs(m.M[f][l] - truth.M[f][l]); d > 0.05 {
				t.Errorf("%s level %d: m %.3f, want %.3f", Fields[f].Name, l, m.M[f][l], truth.M[f][l])
			}
			if d := math.Abs(m.U[f][l] - truth.U[f][l]); d > 0.02 {
				t.Errorf("%s level %d: u %.3f, want %.3f", Fields[f].Name, l, m.U[f][l], truth.U[f][l])
			}
		}
	}
}

func TestJaroWinkler(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want float64
	}{{"martha", "marhta", 0.961}, {"dwayne", "duane", 0.84}, {"dixon", "dicksonx", 0.813}, {"", "", 1}, {"a", "", 0}} {
		if got := JaroWinkler(tc.a, tc.b); math.Abs(got-tc.want) > 0.001 {
			t.Errorf("JaroWinkler(%q, %q) = %.3f, want %.3f", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestComparisons(t *testing.T) {
	rec := func(r Record) *Record { r.Prepare(); return &r }
	id := "41070219700501003"
	id += string(idcard.CheckChar(id))
	a := rec(Record{ID: "a", Names: []string{"王建国"}, IDNumber: id, HeightCm: 170, Place: "新乡火车站南广场"})
	for _, tc := range []struct {
		name  string
		b     *Record
		field string
		want  int
	}{
		{"same ID", rec(Record{IDNumber: a.IDNumber}), "id_number", 3},
		{"masked ID", rec(Record{IDNumber: id[:12] + "****" + id[16:]}), "id_number", 2},
		{"one typo", rec(Record{IDNumber: id[:11] + "9" + id[12:]}), "id_number", 1},
		{"no ID", rec(Record{}), "id_number", Unknown},
		{"only the region legible", rec(Record{IDNumber: id[:6] + "************"}), "id_number", Unknown},
		{"only the region legible, as a region", rec(Record{IDNumber: id[:6] + "************"}), "region", 4},
		{"same county", rec(Record{Region: "410702"}), "region", 4},
		{"same city", rec(Record{Region: "410711"}), "region", 3},
		{"other province", rec(Record{Region: "130102"}), "region", 0},
		{"native place in words", rec(Record{NativePlace: "河南省新乡市红旗区"}), "region", 4},
		{"city in words", rec(Record{NativePlace: "新乡"}), "region", 3},
		{"province from an accent", rec(Record{Dialect: "河南口音"}), "region", 2},
		{"province from a dialect, not 天津's 河北区", rec(Record{Dialect: "河北话"}), "region", 0},
		{"a dialect's provinces", rec(Record{Dialect: "中原官话"}), "region", 1},
		{"retired code, successor's city", rec(Record{Region: "412701"}), "region", 2},
		{"height close", rec(Record{HeightCm: 172}), "height", 2},
		{"height far", rec(Record{HeightCm: 150}), "height", 0},
		{"homophone", rec(Record{Names: []string{"汪建国"}}), "name", int(NameHomophone) - 1},
		{"place", rec(Record{Place: "新乡火车站广场"}), "place", 3},
		{"birth from ID vs estimate, near its middle", rec(Record{AgeMin: 50, AgeMax: 60, Seen: csvToday}), "birth", 3},
		{"birth from ID vs estimate, within it but 8 years from its middle", rec(Record{AgeMin: 40, AgeMax: 56, Seen: csvToday}), "birth", 1},
		// An estimate is graded by its middle, however wide it was written.
		{"birth from ID vs a narrow estimate 4 years off", rec(Record{AgeMin: 51, AgeMax: 53, Seen: csvToday}), "birth", 2},
		{"birth from ID vs a wide estimate 4 years off", rec(Record{AgeMin: 45, AgeMax: 59, Seen: csvToday}), "birth", 2},
		{"birth from ID within a range wider than twenty years", rec(Record{AgeMin: 20, AgeMax: 60, Seen: csvToday}), "birth", 2},
		{"birth just outside an estimate", rec(Record{AgeMin: 40, AgeMax: 52, Seen: csvToday}), "birth", 1},
		{"birth far", rec(Record{AgeMin: 20, AgeMax: 25, Seen: csvToday}), "birth", 0},
	} {
		got := -2
		for _, fd := range Fields {
			if fd.Name == tc.field {
				got = fd.Compare(a, tc.b)
			}
		}
		if got != tc.want {
			t.Errorf("%s: %s level %d, want %d", tc.name, tc.field, got, tc.want)
		}
		// Every field answers, and symmetrically.
		if la, lb := Levels(a, tc.b), Levels(tc.b, a); len(la) != len(Fields) || len(lb) != len(Fields) {
			t.Errorf("%s: %d levels", tc.name, len(la))
		}
	}
}

func TestRegionAgreesOnlyAsFinelyAsKnown(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"410000", "410000", 2}, // two provinces read from accents: not a county match
		{"410700", "410700", 3},
		{"410700", "410727", 3},
		{"410000", "410727", 2},
		{"410727", "410727", 4},
		{"410727", "410726", 3},
		{"410727", "130102", 0},
	} {
		if got := compareRegion(regionOnly(tc.a), regionOnly(tc.b)); got != tc.want {
			t.Errorf("compareRegion(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func regionOnly(code string) *prepared {
	p := &prepared{}
	copy(p.region[:], code)
	return p
}
