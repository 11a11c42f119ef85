package stats

import (
	"math"
	"testing"
)

// distM is the distance in metres between two WGS-84 points (small
// distances: equirectangular).
func distM(lat1, lng1, lat2, lng2 float64) float64 {
	x := (lng2 - lng1) * mPerDegLng * math.Cos((lat1+lat2)/2*math.Pi/180)
	y := (lat2 - lat1) * mPerDegLat
	return math.Hypot(x, y)
}

func TestBinKeepsEveryRecordInTheNearestHexagon(t *testing.T) {
	// Squares around 人民公园 and one far away at 火车站.
	cells := []GridCount{
		{Lat: 35303, Lng: 113885, N: 5}, {Lat: 35304, Lng: 113885, N: 2}, {Lat: 35303, Lng: 113886, N: 1},
		{Lat: 35285, Lng: 113915, N: 4},
	}
	hexes := Bin(cells, HexSizeM)
	var total int64
	for _, h := range hexes {
		total += h.N
		for _, c := range h.Corners {
			if d := distM(h.Lat, h.Lng, c[0], c[1]); math.Abs(d-HexSizeM) > 2 {
				t.Errorf("corner %v is %.1f m from the centre, want %d", c, d, HexSizeM)
			}
		}
	}
	if total != 12 {
		t.Fatalf("hexagons hold %d records, want 12", total)
	}
	if len(hexes) != 2 || hexes[0].N != 8 || hexes[1].N != 4 {
		t.Fatalf("hexagons %+v: want the park's 8 then the station's 4", hexes)
	}
	// Each square's centre lies within a hexagon's size of its hexagon's
	// centre (a pointy-top hexagon's farthest points are its corners).
	for _, c := range cells {
		lat, lng := float64(c.Lat)/GridScale, float64(c.Lng)/GridScale
		best := math.Inf(1)
		for _, h := range hexes {
			best = math.Min(best, distM(lat, lng, h.Lat, h.Lng))
		}
		if best > HexSizeM+1 {
			t.Errorf("square %+v is %.0f m from the nearest hexagon centre", c, best)
		}
	}
}

func TestBinEmpty(t *testing.T) {
	if Bin(nil, HexSizeM) != nil || Bin([]GridCount{{Lat: 1, Lng: 1, N: 0}}, HexSizeM) != nil {
		t.Fatal("no records, no hexagons")
	}
}

func TestHexRoundIsTheNearestCentre(t *testing.T) {
	// Points on a fine lattice: the rounded hexagon's centre is the
	// nearest of the candidate centres around the point.
	const size = 1.0
	centre := func(q, r int) (float64, float64) {
		return size * math.Sqrt(3) * (float64(q) + float64(r)/2), size * 1.5 * float64(r)
	}
	for x := -5.0; x <= 5; x += 0.137 {
		for y := -5.0; y <= 5; y += 0.113 {
			q, r := hexRound((math.Sqrt(3)/3*x-y/3)/size, (2.0/3*y)/size)
			cx, cy := centre(q, r)
			d := math.Hypot(x-cx, y-cy)
			for dq := -2; dq <= 2; dq++ {
				for dr := -2; dr <= 2; dr++ {
					ox, oy := centre(q+dq, r+dr)
					if o := math.Hypot(x-ox, y-oy); o < d-1e-9 {
						t.Fatalf("(%.3f, %.3f) rounded to (%d, %d) at %.3f, but (%d, %d) is at %.3f", x, y, q, r, d, q+dq, r+dr, o)
					}
				}
			}
		}
	}
}
