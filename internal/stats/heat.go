package stats

import (
	"math"
	"slices"
)

// The heat map of help signals and encounters (DESIGN.md §3.11) is
// computed on the server: the store counts records per square of
// 1/1000 degree (about 110 × 90 m in 新乡), so what leaves the database is
// bounded by the city's area, not by the period's records; Bin then
// gathers the squares into hexagons of HexSizeM, which the page draws.
// A hexagon holds many squares, so no single sleeping spot is shown finer
// than a hexagon.

// GridScale is the store's square: coordinates × GridScale, rounded.
const GridScale = 1000

// HexSizeM is a hexagon's size (centre to corner), metres.
const HexSizeM = 400

// GridCount is the number of records in one square.
type GridCount struct {
	Lat, Lng int // round(coordinate × GridScale)
	N        int64
}

// Hex is one hexagon of the heat map: its centre, its corners (WGS-84,
// clockwise from the top) and the records in it.
type Hex struct {
	Lat     float64       `json:"lat"`
	Lng     float64       `json:"lng"`
	Corners [6][2]float64 `json:"corners"`
	N       int64         `json:"n"`
}

// Heat layers.
const (
	LayerSignals    = "signals"
	LayerEncounters = "encounters"
)

// HeatQuery is one heat-map request.
type HeatQuery struct {
	Scope
	Layer       string // LayerSignals or LayerEncounters
	ServiceCode string // signals of one kind; empty for all
}

const (
	mPerDegLat = 110574.0
	mPerDegLng = 111320.0
)

// Bin gathers squares into pointy-top hexagons of size metres, in a local
// projection around the squares' mean latitude, and returns them most
// records first (then north to south, west to east, for a stable order).
func Bin(cells []GridCount, size float64) []Hex {
	if len(cells) == 0 || size <= 0 {
		return nil
	}
	var sum float64
	var n float64
	for _, c := range cells {
		sum += float64(c.Lat) * float64(c.N)
		n += float64(c.N)
	}
	if n == 0 {
		return nil
	}
	lat0 := sum / n / GridScale
	kx := mPerDegLng * math.Cos(lat0*math.Pi/180)
	type key struct{ q, r int }
	counts := map[key]int64{}
	for _, c := range cells {
		x := float64(c.Lng) / GridScale * kx
		y := float64(c.Lat) / GridScale * mPerDegLat
		q, r := hexRound((math.Sqrt(3)/3*x-y/3)/size, (2.0/3*y)/size)
		counts[key{q, r}] += c.N
	}
	out := make([]Hex, 0, len(counts))
	for k, v := range counts {
		cx := size * math.Sqrt(3) * (float64(k.q) + float64(k.r)/2)
		cy := size * 1.5 * float64(k.r)
		h := Hex{Lat: cy / mPerDegLat, Lng: cx / kx, N: v}
		for i := range 6 {
			a := math.Pi / 180 * float64(90-60*i) // from the top, clockwise
			h.Corners[i] = [2]float64{round6((cy + size*math.Sin(a)) / mPerDegLat), round6((cx + size*math.Cos(a)) / kx)}
		}
		h.Lat, h.Lng = round6(h.Lat), round6(h.Lng)
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b Hex) int {
		switch {
		case a.N != b.N:
			return int(b.N - a.N)
		case a.Lat != b.Lat:
			if a.Lat > b.Lat {
				return -1
			}
			return 1
		case a.Lng < b.Lng:
			return -1
		case a.Lng > b.Lng:
			return 1
		}
		return 0
	})
	return out
}

// hexRound rounds fractional axial coordinates to the hexagon that holds
// them (cube rounding).
func hexRound(q, r float64) (int, int) {
	s := -q - r
	rq, rr, rs := math.Round(q), math.Round(r), math.Round(s)
	dq, dr, ds := math.Abs(rq-q), math.Abs(rr-r), math.Abs(rs-s)
	switch {
	case dq > dr && dq > ds:
		rq = -rr - rs
	case dr > ds:
		rr = -rq - rs
	}
	return int(rq), int(rr)
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }
