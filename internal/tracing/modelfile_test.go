package tracing

import (
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "write model.json afresh from FitModel")

// fitSeed and fitPairs are what the built-in model is fitted from.
const fitSeed, fitPairs = 2026, 1000

// The built-in model is what FitModel gives: anyone can fit it again and
// get the same numbers.
func TestModelFileIsCurrent(t *testing.T) {
	if testing.Short() && !*update {
		t.Skip("fits the model")
	}
	m := FitModel(fitSeed, fitPairs)
	if *update {
		m.Provenance.Date = time.Now().UTC().Format("2006-01-02")
		b, err := MarshalModel(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("model.json", b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d := DefaultModel()
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(a)) }
	if !close(m.Scale, d.Scale) || !close(m.Shift, d.Shift) {
		t.Errorf("calibration %.6f, %.6f; the file's %.6f, %.6f (go test ./internal/tracing -run TestModelFileIsCurrent -update)", m.Scale, m.Shift, d.Scale, d.Shift)
	}
	for f := range Fields {
		for l := range Fields[f].Levels {
			if !close(m.M[f][l], d.M[f][l]) || !close(m.U[f][l], d.U[f][l]) {
				t.Errorf("%s %s: fitted m %.6f u %.6f, the file's m %.6f u %.6f (-update writes it afresh)", Fields[f].Name, Fields[f].Levels[l],
					m.M[f][l], m.U[f][l], d.M[f][l], d.U[f][l])
			}
		}
	}
	if m.Provenance.Version != d.Provenance.Version || m.Provenance.Data != d.Provenance.Data || d.Provenance.Date == "" {
		t.Errorf("provenance %v, the file's %v", m.Provenance, d.Provenance)
	}
	t.Logf("model %s: scale %.3f shift %.3f", d.Provenance, d.Scale, d.Shift)
	for f, fd := range Fields {
		var w []float64
		for l := range fd.Levels {
			w = append(w, math.Round(d.Weight(f, l)*10)/10)
		}
		t.Logf("%-10s %v %v", fd.Name, fd.Levels, w)
	}
}

// Whatever pairs EM is given, it never counts an exact agreement (a
// field's top level) against a pair, nor ranks a level above a stronger
// one, and keeps its prior within the bound: over random data, with and
// without a true share in it.
func TestFitNeverWeighsAnExactAgreementAgainst(t *testing.T) {
	for seed := range uint64(30) {
		r := rand.New(rand.NewPCG(seed, 3))
		draw := func(f int) int {
			if r.IntN(5) == 0 {
				return Unknown
			}
			return r.IntN(len(Fields[f].Levels))
		}
		pairs := make([][]int, 200+r.IntN(2000))
		for i := range pairs {
			lv := make([]int, len(Fields))
			for f := range lv {
				lv[f] = draw(f)
				if r.IntN(3) == 0 && lv[f] != Unknown && seed%2 == 0 {
					lv[f] = 0 // much disagreement: what EM may read as the matches'
				}
			}
			pairs[i] = lv
		}
		random := make([][]int, 500)
		for i := range random {
			random[i] = make([]int, len(Fields))
			for f := range random[i] {
				random[i][f] = draw(f)
			}
		}
		m := NewModel(nil)
		m.EstimateU(random)
		bound := 0.01 + r.Float64()*0.3
		m.EstimateM(pairs, 50, bound)
		if m.Prior > bound+1e-12 {
			t.Errorf("seed %d: prior %.4f above its bound %.4f", seed, m.Prior, bound)
		}
		for f, fd := range Fields {
			top := len(fd.Levels) - 1
			if w := m.Weight(f, top); w < -1e-9 {
				t.Errorf("seed %d: %s %s weighs %.3f bits", seed, fd.Name, fd.Levels[top], w)
			}
			for l := 1; l < len(fd.Levels); l++ {
				if m.Weight(f, l) < m.Weight(f, l-1)-1e-9 {
					t.Errorf("seed %d: %s %s weighs less than %s", seed, fd.Name, fd.Levels[l], fd.Levels[l-1])
				}
			}
		}
	}
}
