package geo

import "math"

const earthRadiusM = 6371008.8

// Distance is the great-circle distance in metres (haversine).
func Distance(a, b Point) float64 {
	const rad = math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLng := (b.Lng - a.Lng) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// plane is a local flat projection in metres around an origin: within a
// city the error is far below the gazetteer's own.
type plane struct{ lat0, lng0, kx, ky float64 }

func planeAt(o Point) plane {
	const mPerDeg = earthRadiusM * math.Pi / 180
	return plane{o.Lat, o.Lng, mPerDeg * math.Cos(o.Lat*math.Pi/180), mPerDeg}
}

type xy struct{ x, y float64 }

func (p plane) to(q Point) xy   { return xy{(q.Lng - p.lng0) * p.kx, (q.Lat - p.lat0) * p.ky} }
func (p plane) from(v xy) Point { return Point{p.lat0 + v.y/p.ky, p.lng0 + v.x/p.kx} }

// closest returns the point of segment ab nearest to c.
func closest(a, b, c xy) xy {
	dx, dy := b.x-a.x, b.y-a.y
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return a
	}
	t := ((c.x-a.x)*dx + (c.y-a.y)*dy) / l2
	t = math.Max(0, math.Min(1, t))
	return xy{a.x + t*dx, a.y + t*dy}
}

func dist(a, b xy) float64 { return math.Hypot(a.x-b.x, a.y-b.y) }

// nearestOnLine returns the point of a line nearest to p and its distance.
func nearestOnLine(line []Point, p Point) (Point, float64) {
	pl := planeAt(p)
	c := pl.to(p)
	best, bestD := line[0], math.Inf(1)
	if len(line) == 1 {
		return best, Distance(best, p)
	}
	for i := 1; i < len(line); i++ {
		q := closest(pl.to(line[i-1]), pl.to(line[i]), c)
		if d := dist(q, c); d < bestD {
			best, bestD = pl.from(q), d
		}
	}
	return best, bestD
}

// crossing returns where two lines meet, or the middle of their closest
// approach, and how far apart they are there (0 when they cross).
func crossing(a, b []Point) (Point, float64) {
	pl := planeAt(a[0])
	pa, pb := make([]xy, len(a)), make([]xy, len(b))
	for i, p := range a {
		pa[i] = pl.to(p)
	}
	for i, p := range b {
		pb[i] = pl.to(p)
	}
	segs := func(v []xy) [][2]xy {
		if len(v) == 1 {
			return [][2]xy{{v[0], v[0]}}
		}
		out := make([][2]xy, 0, len(v)-1)
		for i := 1; i < len(v); i++ {
			out = append(out, [2]xy{v[i-1], v[i]})
		}
		return out
	}
	var best xy
	bestD := math.Inf(1)
	for _, s := range segs(pa) {
		for _, u := range segs(pb) {
			if p, ok := intersect(s[0], s[1], u[0], u[1]); ok {
				return pl.from(p), 0
			}
			for _, c := range [][2]xy{
				{s[0], closest(u[0], u[1], s[0])}, {s[1], closest(u[0], u[1], s[1])},
				{u[0], closest(s[0], s[1], u[0])}, {u[1], closest(s[0], s[1], u[1])},
			} {
				if d := dist(c[0], c[1]); d < bestD {
					best, bestD = xy{(c[0].x + c[1].x) / 2, (c[0].y + c[1].y) / 2}, d
				}
			}
		}
	}
	return pl.from(best), bestD
}

// intersect returns where segments ab and cd cross, if they do.
func intersect(a, b, c, d xy) (xy, bool) {
	rx, ry := b.x-a.x, b.y-a.y
	sx, sy := d.x-c.x, d.y-c.y
	den := rx*sy - ry*sx
	if den == 0 {
		return xy{}, false
	}
	t := ((c.x-a.x)*sy - (c.y-a.y)*sx) / den
	u := ((c.x-a.x)*ry - (c.y-a.y)*rx) / den
	if t < 0 || t > 1 || u < 0 || u > 1 {
		return xy{}, false
	}
	return xy{a.x + t*rx, a.y + t*ry}, true
}
