package geo

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Precision says how closely a match places an address.
type Precision string

const (
	PrecisionPlace    Precision = "place"    // a named place (about 100 m)
	PrecisionCrossing Precision = "crossing" // where two roads cross (about 200 m)
	PrecisionStreet   Precision = "street"   // somewhere on a road (a kilometre or more)
	PrecisionDistrict Precision = "district" // only the district or county (several kilometres)
)

// Match is where the gazetteer places a text.
type Match struct {
	Name      string    `json:"name"` // as people say it: 人民公园, 人民东路, 人民路与和平路交叉口
	Lat       float64   `json:"lat"`
	Lng       float64   `json:"lng"`
	Precision Precision `json:"precision"`
}

// farM: a place or road of the text lying this far from the district the
// text also names is another place of the same name (新乡县人民路 is not the
// city's 人民路), so the district is trusted instead.
const farM = 8000

// crossM: two roads named together whose lines come this close are taken
// to meet there (人民路与和平路交叉口).
const crossM = 500

// hit is one name found in a text, at bytes [start, end).
type hit struct {
	key
	start, end int
}

// Geocode places a typed address: the most specific name in the text
// wins — a named place, then the crossing of two roads, then a road (the
// part the text names: 人民东路, 金穗大道东段), then a district. It reports
// false when the text names nothing the gazetteer knows.
func (g *Gazetteer) Geocode(text string) (Match, bool) {
	t := normalize(text)
	if t == "" {
		return Match{}, false
	}
	hits := g.find(t)
	var places, roads []hit
	var district *hit
	for i, h := range hits {
		switch h.entry.Kind {
		case KindPlace:
			places = append(places, h)
		case KindRoad:
			if !slices.ContainsFunc(roads, func(r hit) bool { return r.entry == h.entry }) {
				roads = append(roads, h)
			}
		case KindDistrict:
			if district == nil || len(h.text) > len(district.text) {
				district = &hits[i]
			}
		}
	}
	if district != nil {
		centre := district.entry.Points[0]
		places = slices.DeleteFunc(places, func(h hit) bool { return Distance(h.entry.Points[0], centre) > farM })
		roads = slices.DeleteFunc(roads, func(h hit) bool {
			p, _ := nearestOnLine(h.entry.Points, centre)
			return Distance(p, centre) > farM
		})
	}
	if len(places) > 0 {
		best := places[0]
		for _, h := range places[1:] {
			if len(h.text) > len(best.text) {
				best = h
			}
		}
		return at(best.entry.Name, best.entry.Points[0], PrecisionPlace), true
	}
	for i := 0; i < len(roads); i++ {
		for j := i + 1; j < len(roads); j++ {
			if p, d := crossing(roads[i].entry.Points, roads[j].entry.Points); d <= crossM {
				return at(roads[i].entry.Name+"与"+roads[j].entry.Name+"交叉口", p, PrecisionCrossing), true
			}
		}
	}
	if len(roads) > 0 {
		return onRoad(t, roads[0], district), true
	}
	if district != nil {
		return at(district.entry.Name, district.entry.Points[0], PrecisionDistrict), true
	}
	return Match{}, false
}

func at(name string, p Point, pr Precision) Match {
	return Match{Name: name, Lat: round6(p.Lat), Lng: round6(p.Lng), Precision: pr}
}

// round6 keeps a coordinate to about 10 cm: more digits are noise.
func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// find lists the names in t (normalised), in text order. Longer names
// are looked for first and a shorter one overlapping a longer is ignored:
// 人民公园东门 (a hotspot) hides 人民公园 and 人民路 hides nothing of 人民公园.
func (g *Gazetteer) find(t string) []hit {
	var hits []hit
	overlaps := func(s, e int) bool {
		return slices.ContainsFunc(hits, func(h hit) bool { return s < h.end && h.start < e })
	}
	for _, k := range g.keys {
		if len(k.text) > len(t) {
			continue
		}
		for from := 0; from < len(t); {
			i := strings.Index(t[from:], k.text)
			if i < 0 {
				break
			}
			s := from + i
			e := s + len(k.text)
			if !overlaps(s, e) {
				hits = append(hits, hit{key: k, start: s, end: e})
				break // the first place a name occurs is enough
			}
			_, size := utf8.DecodeRuneInString(t[s:])
			from = s + size
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return a.start - b.start })
	return hits
}

// onRoad places a road match: on the part the text names (人民东路, or
// 金穗大道东段), else where the road passes nearest the district the text
// names, else at the middle of the road.
func onRoad(t string, h hit, district *hit) Match {
	e := h.entry
	dir, name := h.dir, e.Name
	if dir != 0 {
		name = h.text
	} else {
		rest := t[h.end:]
		for _, d := range "东西南北中" {
			if strings.HasPrefix(rest, string(d)+"段") {
				dir, name = d, e.Name+string(d)+"段"
				break
			}
		}
	}
	switch {
	case dir != 0:
		return at(name, alongDirection(e.Points, dir), PrecisionStreet)
	case district != nil:
		p, _ := nearestOnLine(e.Points, district.entry.Points[0])
		return at(name, p, PrecisionStreet)
	}
	return at(name, along(e.Points, 0.5), PrecisionStreet)
}

// alongDirection is the point of a line on its eastern, western …
// part: a sixth of the way from that end, or its middle for 中 or for a
// direction across the road.
func alongDirection(line []Point, dir rune) Point {
	a, b := line[0], line[len(line)-1]
	dx := (b.Lng - a.Lng) * math.Cos(a.Lat*math.Pi/180)
	dy := b.Lat - a.Lat
	eastWest := math.Abs(dx) >= math.Abs(dy)
	f := 0.5
	switch {
	case eastWest && dir == '东', !eastWest && dir == '北':
		f = 5.0 / 6
	case eastWest && dir == '西', !eastWest && dir == '南':
		f = 1.0 / 6
	}
	// The file lists points west to east or south to north, but a line
	// drawn the other way round still gets the right end.
	if (eastWest && dx < 0) || (!eastWest && dy < 0) {
		f = 1 - f
	}
	return along(line, f)
}

// along returns the point at fraction f of a line's length.
func along(line []Point, f float64) Point {
	if len(line) == 1 {
		return line[0]
	}
	total := 0.0
	for i := 1; i < len(line); i++ {
		total += Distance(line[i-1], line[i])
	}
	want := total * f
	for i := 1; i < len(line); i++ {
		d := Distance(line[i-1], line[i])
		if want <= d && d > 0 {
			r := want / d
			return Point{line[i-1].Lat + (line[i].Lat-line[i-1].Lat)*r, line[i-1].Lng + (line[i].Lng-line[i-1].Lng)*r}
		}
		want -= d
	}
	return line[len(line)-1]
}

// Search lists up to n places for a dispatcher's search box: where
// Geocode puts the text first, then the names that contain it (人民 finds
// 人民路, 人民公园 …), places before roads before districts.
func (g *Gazetteer) Search(q string, n int) []Match {
	t := normalize(q)
	if t == "" || n <= 0 {
		return nil
	}
	var out []Match
	seen := map[string]bool{}
	if m, ok := g.Geocode(q); ok {
		out = append(out, m)
		seen[m.Name] = true
	}
	type cand struct {
		e    *Entry
		rank int
	}
	var cands []cand
	for _, e := range g.entries {
		rank := -1
		for _, s := range append([]string{e.Name}, e.Aliases...) {
			s = normalize(s)
			r := -1
			switch {
			case s == t:
				r = 0
			case strings.HasPrefix(s, t):
				r = 1
			case strings.Contains(s, t):
				r = 2
			}
			if r >= 0 && (rank < 0 || r < rank) {
				rank = r
			}
		}
		if rank >= 0 {
			cands = append(cands, cand{e, rank})
		}
	}
	kindOrder := map[Kind]int{KindPlace: 0, KindRoad: 1, KindDistrict: 2}
	slices.SortStableFunc(cands, func(a, b cand) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if ka, kb := kindOrder[a.e.Kind], kindOrder[b.e.Kind]; ka != kb {
			return ka - kb
		}
		return len(a.e.Name) - len(b.e.Name)
	})
	for _, c := range cands {
		if len(out) >= n {
			break
		}
		if seen[c.e.Name] {
			continue
		}
		seen[c.e.Name] = true
		out = append(out, entryMatch(c.e))
	}
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// entryMatch is an entry as one point: a road by its middle.
func entryMatch(e *Entry) Match {
	switch e.Kind {
	case KindRoad:
		return at(e.Name, along(e.Points, 0.5), PrecisionStreet)
	case KindDistrict:
		return at(e.Name, e.Points[0], PrecisionDistrict)
	}
	return at(e.Name, e.Points[0], PrecisionPlace)
}
