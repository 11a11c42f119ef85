package tracing

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// The model family search scores with, everywhere: the web service and
// `haven match` read this one file (fitted by FitModel, written by
// `go test ./internal/tracing -run TestModelFileIsCurrent -update`), so
// both give a pair one score, and both can say where it came from.
//
//go:embed model.json
var modelFile []byte

type modelJSON struct {
	Provenance Provenance  `json:"provenance"`
	Prior      float64     `json:"prior"`
	Scale      float64     `json:"scale"`
	Shift      float64     `json:"shift"`
	Fields     []fieldJSON `json:"fields"`
}

type fieldJSON struct {
	Name   string    `json:"name"`
	Levels []string  `json:"levels"`
	M      []float64 `json:"m"`
	U      []float64 `json:"u"`
}

// MarshalModel writes m as a model file.
func MarshalModel(m *Model) ([]byte, error) {
	out := modelJSON{Provenance: m.Provenance, Prior: m.Prior, Scale: m.Scale, Shift: m.Shift}
	for f, fd := range Fields {
		out.Fields = append(out.Fields, fieldJSON{Name: fd.Name, Levels: fd.Levels, M: m.M[f], U: m.U[f]})
	}
	b, err := json.MarshalIndent(out, "", " ")
	return append(b, '\n'), err
}

// LoadModel reads a model file; its fields and levels must be the
// matcher's (Fields), in order.
func LoadModel(data []byte) (*Model, error) {
	var in modelJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, err
	}
	if len(in.Fields) != len(Fields) {
		return nil, fmt.Errorf("tracing: the model has %d fields, the matcher %d", len(in.Fields), len(Fields))
	}
	m := &Model{Prior: in.Prior, Scale: in.Scale, Shift: in.Shift, Provenance: in.Provenance}
	for f, fd := range Fields {
		x := in.Fields[f]
		if x.Name != fd.Name || !slices.Equal(x.Levels, fd.Levels) || len(x.M) != len(fd.Levels) || len(x.U) != len(fd.Levels) {
			return nil, fmt.Errorf("tracing: the model's field %d is %s %v, the matcher's %s %v", f, x.Name, x.Levels, fd.Name, fd.Levels)
		}
		m.M, m.U = append(m.M, x.M), append(m.U, x.U)
	}
	if m.Prior <= 0 || m.Prior >= 1 {
		return nil, fmt.Errorf("tracing: the model's prior %v is not a probability", m.Prior)
	}
	return m.Freeze(), nil
}

// DefaultModel is the model of the file built in (a frozen model: take
// a copy at a prior with WithPrior).
var DefaultModel = sync.OnceValue(func() *Model {
	m, err := LoadModel(modelFile)
	if err != nil {
		panic(err) // the file is built in and tested (TestModelFileIsCurrent)
	}
	return m
})
