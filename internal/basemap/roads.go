package basemap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// MaxRoadsSize bounds a roads file: every map page downloads it, on
// phones too.
const MaxRoadsSize = 512 << 10

// RoadKinds are the kinds of line a roads file may hold; map.js styles
// each.
var RoadKinds = []string{"major", "road", "river"}

// Roads is a checked roads file: a GeoJSON FeatureCollection of named
// LineStrings (and MultiLineStrings) in WGS-84.
type Roads struct {
	Lines int
	// South, West, North, East bound every coordinate.
	South, West, North, East float64
}

// Centre is the middle of the roads' bounds, where maps open.
func (r Roads) Centre() [2]float64 {
	return [2]float64{round6((r.South + r.North) / 2), round6((r.West + r.East) / 2)}
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

type feature struct {
	Type       string `json:"type"`
	Properties struct {
		Name   string `json:"name"`
		NameEn string `json:"name_en"`
		Kind   string `json:"kind"`
	} `json:"properties"`
	Geometry struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

// ParseRoads checks a roads file. Each feature is a LineString or
// MultiLineString of [longitude, latitude] pairs with an optional name,
// English name (name_en) and kind (major, road or river).
func ParseRoads(b []byte) (Roads, error) {
	if len(b) > MaxRoadsSize {
		return Roads{}, fmt.Errorf("%d KB: keep it under %d KB (simplify the lines), every map page loads it", len(b)>>10, MaxRoadsSize>>10)
	}
	var fc struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&fc); err != nil {
		return Roads{}, fmt.Errorf("not GeoJSON: %v", err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) == 0 {
		return Roads{}, fmt.Errorf("want a GeoJSON FeatureCollection with at least one line")
	}
	r := Roads{South: 90, West: 180, North: -90, East: -180}
	for i, f := range fc.Features {
		var lines [][][]float64
		var err error
		switch f.Geometry.Type {
		case "LineString":
			var l [][]float64
			err = json.Unmarshal(f.Geometry.Coordinates, &l)
			lines = [][][]float64{l}
		case "MultiLineString":
			err = json.Unmarshal(f.Geometry.Coordinates, &lines)
		default:
			return Roads{}, fmt.Errorf("feature %d (%s): geometry %q, want LineString or MultiLineString", i+1, f.Properties.Name, f.Geometry.Type)
		}
		if err != nil {
			return Roads{}, fmt.Errorf("feature %d (%s): coordinates: %v", i+1, f.Properties.Name, err)
		}
		if k := f.Properties.Kind; k != "" && !slices.Contains(RoadKinds, k) {
			return Roads{}, fmt.Errorf("feature %d (%s): kind %q, want major, road or river", i+1, f.Properties.Name, k)
		}
		for _, l := range lines {
			if len(l) < 2 {
				return Roads{}, fmt.Errorf("feature %d (%s): a line needs at least two points", i+1, f.Properties.Name)
			}
			for _, p := range l {
				if len(p) < 2 || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
					return Roads{}, fmt.Errorf("feature %d (%s): %v is not a [longitude, latitude] pair", i+1, f.Properties.Name, p)
				}
				r.West, r.East = min(r.West, p[0]), max(r.East, p[0])
				r.South, r.North = min(r.South, p[1]), max(r.North, p[1])
			}
			r.Lines++
		}
	}
	return r, nil
}
