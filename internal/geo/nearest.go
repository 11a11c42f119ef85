package geo

import "math"

// NearestPlace names the gazetteer's place (not a road or a district)
// nearest to p, when one lies within maxM metres: how a chart's hot spot
// is told in words ("人民公园附近").
func (g *Gazetteer) NearestPlace(p Point, maxM float64) (string, bool) {
	best, name := math.Inf(1), ""
	for _, e := range g.entries {
		if e.Kind != KindPlace || len(e.Points) == 0 {
			continue
		}
		if d := Distance(p, e.Points[0]); d < best {
			best, name = d, e.Name
		}
	}
	return name, best <= maxM
}
