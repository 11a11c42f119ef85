package intake

import (
	"math"
	"time"

	"github.com/havenrescue/haven/internal/geo"
)

// MergeRule says when a new signal joins an open incident (12345's 并单).
type MergeRule struct {
	RadiusM float64       // default 300 m
	Window  time.Duration // default 60 minutes
}

// DefaultMergeRule is the rule when none is configured.
var DefaultMergeRule = MergeRule{RadiusM: 300, Window: 60 * time.Minute}

// Joins reports whether signal s may join incident inc: the incident is
// open, of a compatible kind, last heard of within the window and within
// the radius. Signals without coordinates never merge automatically: an
// address alone is too vague; a dispatcher merges them by hand.
func (r MergeRule) Joins(inc *Incident, s *Signal) bool {
	if !inc.State.Open() || !Compatible(inc.ServiceCode, s.ServiceCode) {
		return false
	}
	if !s.HasLocation() || !inc.Pinned() {
		return false // an approximate (geocoded) place is no ground for merging either
	}
	gap := s.ReportedAt.Sub(inc.LastSignalAt)
	if gap < 0 {
		gap = -gap
	}
	if gap > r.Window {
		return false
	}
	return Distance(Point{inc.Lat, inc.Lng}, Point{s.Lat, s.Lng}) <= r.RadiusM
}

// Choose picks the incident a signal joins among candidates: the nearest
// one that Joins allows, or nil.
func (r MergeRule) Choose(candidates []*Incident, s *Signal) *Incident {
	var best *Incident
	bestD := math.Inf(1)
	for _, inc := range candidates {
		if !r.Joins(inc, s) {
			continue
		}
		if d := Distance(Point{inc.Lat, inc.Lng}, Point{s.Lat, s.Lng}); d < bestD {
			best, bestD = inc, d
		}
	}
	return best
}

const earthRadiusM = 6371008.8

// Distance is the great-circle distance in metres (haversine).
func Distance(a, b Point) float64 { return geo.Distance(geo.Point(a), geo.Point(b)) }

// Box returns a latitude/longitude box that contains every point within
// radiusM of p, for an index-friendly first filter.
func Box(p Point, radiusM float64) (minLat, minLng, maxLat, maxLng float64) {
	dLat := radiusM / earthRadiusM * 180 / math.Pi
	cos := math.Cos(p.Lat * math.Pi / 180)
	if cos < 0.01 {
		cos = 0.01
	}
	dLng := dLat / cos
	return p.Lat - dLat, p.Lng - dLng, p.Lat + dLat, p.Lng + dLng
}

// InPolygon reports whether p lies inside poly (ray casting; the polygon
// is closed implicitly).
func InPolygon(p Point, poly []Point) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) &&
			p.Lng < (b.Lng-a.Lng)*(p.Lat-a.Lat)/(b.Lat-a.Lat)+a.Lng {
			in = !in
		}
	}
	return in
}

// Route picks the routing rule for a signal: the first by priority whose
// area contains the point (or whose district matches when there is no
// point) and whose kinds include the service.
func Route(rules []*Rule, s *Signal, district string) *Rule {
	var best *Rule
	for _, r := range rules {
		if len(r.ServiceCodes) > 0 && !contains(r.ServiceCodes, s.ServiceCode) {
			continue
		}
		switch {
		case len(r.Polygon) >= 3 && s.HasLocation():
			if !InPolygon(Point{s.Lat, s.Lng}, r.Polygon) {
				continue
			}
		case r.District != "" && district != "":
			if r.District != district {
				continue
			}
		case len(r.Polygon) >= 3 || r.District != "":
			continue // an area rule, but the signal has nothing to test it with
		}
		if best == nil || r.Priority < best.Priority {
			best = r
		}
	}
	return best
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Incidents are filed in grid cells of CellSize degrees so that finding
// the open incidents near a new signal reads one small neighbourhood, not
// a band across the city. A cell is at least 450 m wide at 新乡's latitude,
// so the 3×3 block around a point covers any merge radius up to MaxMergeRadiusM.
const (
	CellSize        = 0.005
	MaxMergeRadiusM = 450
)

// Cell returns the grid cell of a point.
func Cell(p Point) int64 {
	return int64(math.Floor(p.Lat/CellSize))*1_000_000 + int64(math.Floor(p.Lng/CellSize))
}

// NearCells returns the 3×3 block of cells around p.
func NearCells(p Point) []int64 {
	la, ln := int64(math.Floor(p.Lat/CellSize)), int64(math.Floor(p.Lng/CellSize))
	out := make([]int64, 0, 9)
	for dy := int64(-1); dy <= 1; dy++ {
		for dx := int64(-1); dx <= 1; dx++ {
			out = append(out, (la+dy)*1_000_000+ln+dx)
		}
	}
	return out
}
