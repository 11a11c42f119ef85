package dispatch

import (
	"math"
	"sort"
	"sync"
	"time"

	"github.com/havenrescue/haven/internal/intake"
)

// indexCell is the grid size of the nearest-team index, in degrees
// (about 2.2 km north–south).
const indexCell = 0.02

// Index is the in-memory spatial index of available teams with a known
// position, rebuilt from the database on start and kept current as teams
// change. Straight-line distance; road routing can come later.
type Index struct {
	mu    sync.RWMutex
	cells map[[2]int32]map[string]indexed
	where map[string][2]int32
}

type indexed struct {
	id, name string
	p        intake.Point
}

// Candidate is a suggested team.
type Candidate struct {
	TeamID    string        `json:"team_id"`
	Name      string        `json:"name"`
	DistanceM float64       `json:"distance_m"`
	ETA       time.Duration `json:"eta_ns"`
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{cells: map[[2]int32]map[string]indexed{}, where: map[string][2]int32{}}
}

func cellOf(p intake.Point) [2]int32 {
	return [2]int32{int32(math.Floor(p.Lat / indexCell)), int32(math.Floor(p.Lng / indexCell))}
}

// Put adds, moves or (when the team is not available or has no position)
// removes a team.
func (x *Index) Put(t *Team) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeLocked(t.ID)
	if t.Status != StatusAvailable || !t.HasPosition() {
		return
	}
	p := intake.Point{Lat: t.Lat, Lng: t.Lng}
	c := cellOf(p)
	m := x.cells[c]
	if m == nil {
		m = map[string]indexed{}
		x.cells[c] = m
	}
	m[t.ID] = indexed{id: t.ID, name: t.Name, p: p}
	x.where[t.ID] = c
}

// Remove takes a team out.
func (x *Index) Remove(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeLocked(id)
}

func (x *Index) removeLocked(id string) {
	c, ok := x.where[id]
	if !ok {
		return
	}
	delete(x.cells[c], id)
	if len(x.cells[c]) == 0 {
		delete(x.cells, c)
	}
	delete(x.where, id)
}

// Len returns how many teams are indexed.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.where)
}

// Nearest returns up to k available teams nearest to p, nearest first,
// with an ETA at speedKmh. It searches rings of cells outwards and stops
// once the next ring cannot hold anything nearer than the k-th found.
func (x *Index) Nearest(p intake.Point, k int, speedKmh float64) []Candidate {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if k <= 0 || len(x.where) == 0 {
		return nil
	}
	c := cellOf(p)
	var found []Candidate
	// One ring of cells is at least this far (north–south; east–west cells
	// are narrower, so use the smaller of the two).
	ringM := indexCell * 111_320 * math.Min(1, math.Cos(p.Lat*math.Pi/180))
	maxRing := int32(180 / indexCell)
	for r := int32(0); r <= maxRing; r++ {
		if len(found) >= k {
			sort.Slice(found, func(i, j int) bool { return found[i].DistanceM < found[j].DistanceM })
			if found[k-1].DistanceM <= float64(r-1)*ringM {
				break
			}
		}
		if len(found) == len(x.where) {
			break
		}
		visit := func(cc [2]int32) {
			for _, t := range x.cells[cc] {
				found = append(found, Candidate{TeamID: t.id, Name: t.name, DistanceM: intake.Distance(p, t.p)})
			}
		}
		if r == 0 {
			visit(c)
			continue
		}
		for d := -r; d <= r; d++ {
			visit([2]int32{c[0] - r, c[1] + d})
			visit([2]int32{c[0] + r, c[1] + d})
			if d != -r && d != r {
				visit([2]int32{c[0] + d, c[1] - r})
				visit([2]int32{c[0] + d, c[1] + r})
			}
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].DistanceM != found[j].DistanceM {
			return found[i].DistanceM < found[j].DistanceM
		}
		return found[i].TeamID < found[j].TeamID
	})
	if len(found) > k {
		found = found[:k]
	}
	for i := range found {
		found[i].ETA = ETA(found[i].DistanceM, speedKmh)
	}
	return found
}

// ETA estimates the travel time over a straight-line distance: city roads
// are about 1.4 times longer than the straight line.
func ETA(distanceM, speedKmh float64) time.Duration {
	if speedKmh <= 0 {
		speedKmh = 30
	}
	secs := distanceM * 1.4 / (speedKmh * 1000 / 3600)
	return time.Duration(math.Ceil(secs)) * time.Second
}
