package intake

import (
	"math"
	"testing"
	"time"
)

// north moves p d metres north.
func north(p Point, d float64) Point {
	return Point{p.Lat + d/earthRadiusM*180/math.Pi, p.Lng}
}

func precise(i *Incident, p Precision) *Incident { i.Precision = p; return i }

func TestMergeRule(t *testing.T) {
	station := Point{35.3080, 113.8620} // 新乡火车站
	t0 := time.Date(2026, 11, 28, 22, 0, 0, 0, time.UTC)
	inc := func(kind string, state State, last time.Time) *Incident {
		return &Incident{ServiceCode: kind, State: state, Lat: station.Lat, Lng: station.Lng, LastSignalAt: last}
	}
	sig := func(kind string, p Point, at time.Time) *Signal {
		return &Signal{ServiceCode: kind, Lat: p.Lat, Lng: p.Lng, ReportedAt: at}
	}
	r := DefaultMergeRule
	for _, tc := range []struct {
		name string
		inc  *Incident
		sig  *Signal
		want bool
	}{
		{"same place and kind", inc("rough_sleeping", StateAccepted, t0), sig("rough_sleeping", station, t0.Add(5*time.Minute)), true},
		{"299 m", inc("rough_sleeping", StateAccepted, t0), sig("rough_sleeping", north(station, 299), t0), true},
		{"exactly 300 m", inc("rough_sleeping", StateAccepted, t0), sig("rough_sleeping", north(station, 299.999), t0), true},
		{"301 m", inc("rough_sleeping", StateAccepted, t0), sig("rough_sleeping", north(station, 301), t0), false},
		{"exactly 60 min later", inc("rough_sleeping", StateAccepted, t0), sig("rough_sleeping", station, t0.Add(60*time.Minute)), true},
		{"61 min later", inc("rough_sleeping", StateAccepted, t0), sig("rough_sleeping", station, t0.Add(61*time.Minute)), false},
		{"late delivery of an earlier report", inc("rough_sleeping", StateAccepted, t0), sig("rough_sleeping", station, t0.Add(-30*time.Minute)), true},
		{"compatible kinds (street group)", inc("rough_sleeping", StateDispatched, t0), sig("weather_exposure", station, t0), true},
		{"different kinds", inc("rough_sleeping", StateAccepted, t0), sig("injured", station, t0), false},
		{"minor never merges with adults", inc("begging", StateAccepted, t0), sig("minor_alone", station, t0), false},
		{"closed incident", inc("rough_sleeping", StateClosed, t0), sig("rough_sleeping", station, t0), false},
		{"merged incident", inc("rough_sleeping", StateMerged, t0), sig("rough_sleeping", station, t0), false},
		{"in progress still takes signals", inc("rough_sleeping", StateInProgress, t0), sig("rough_sleeping", station, t0), true},
		{"no coordinates", inc("rough_sleeping", StateAccepted, t0), &Signal{ServiceCode: "rough_sleeping", Address: "火车站", ReportedAt: t0}, false},
		{"placed by a dispatcher", precise(inc("rough_sleeping", StateAccepted, t0), PrecisionPlaced), sig("rough_sleeping", station, t0), true},
		{"place guessed from the address", precise(inc("rough_sleeping", StateAccepted, t0), PrecisionPlace), sig("rough_sleeping", station, t0), false},
		{"unlocated", precise(inc("rough_sleeping", StateAccepted, t0), PrecisionNone), sig("rough_sleeping", station, t0), false},
	} {
		if got := r.Joins(tc.inc, tc.sig); got != tc.want {
			t.Errorf("%s: Joins = %v, want %v (distance %.1f m)", tc.name, got, tc.want, Distance(Point{tc.inc.Lat, tc.inc.Lng}, Point{tc.sig.Lat, tc.sig.Lng}))
		}
	}
	// Choose takes the nearest of several.
	far := inc("rough_sleeping", StateAccepted, t0)
	far.Lat, far.Lng = north(station, 250).Lat, station.Lng
	near := inc("rough_sleeping", StateAccepted, t0)
	near.Lat = north(station, 50).Lat
	if got := r.Choose([]*Incident{far, near}, sig("rough_sleeping", station, t0)); got != near {
		t.Error("Choose did not pick the nearest incident")
	}
}

func TestDistanceAndPolygon(t *testing.T) {
	// 新乡火车站 to 新乡东站 is about 10.4 km.
	d := Distance(Point{35.3080, 113.8620}, Point{35.2846, 113.9758})
	if d < 10000 || d > 11000 {
		t.Errorf("distance %f", d)
	}
	square := []Point{{35.0, 113.0}, {35.0, 114.0}, {36.0, 114.0}, {36.0, 113.0}}
	if !InPolygon(Point{35.5, 113.5}, square) || InPolygon(Point{36.5, 113.5}, square) {
		t.Error("InPolygon")
	}
	minLat, minLng, maxLat, maxLng := Box(Point{35.3, 113.9}, 300)
	for _, p := range []Point{north(Point{35.3, 113.9}, 299), {35.3, 113.9}} {
		if p.Lat < minLat || p.Lat > maxLat || p.Lng < minLng || p.Lng > maxLng {
			t.Errorf("box misses %v", p)
		}
	}
}

func TestRoute(t *testing.T) {
	hongqi := &Rule{ID: "hq", District: "红旗区", Polygon: []Point{{35.25, 113.85}, {35.25, 113.95}, {35.32, 113.95}, {35.32, 113.85}}, Priority: 10}
	minors := &Rule{ID: "minor", ServiceCodes: []string{"minor_alone"}, Priority: 1}
	city := &Rule{ID: "city", Priority: 100}
	rules := []*Rule{city, hongqi, minors}
	for _, tc := range []struct {
		sig  Signal
		want string
	}{
		{Signal{ServiceCode: "begging", Lat: 35.30, Lng: 113.90}, "hq"},
		{Signal{ServiceCode: "minor_alone", Lat: 35.30, Lng: 113.90}, "minor"},
		{Signal{ServiceCode: "begging", Lat: 35.40, Lng: 113.60}, "city"},
		{Signal{ServiceCode: "begging", Address: "某处"}, "city"},
	} {
		if got := Route(rules, &tc.sig, ""); got == nil || got.ID != tc.want {
			t.Errorf("%+v routed to %v, want %s", tc.sig, got, tc.want)
		}
	}
}

func TestStateMoves(t *testing.T) {
	if !CanMove(StateAccepted, StateDispatched) || !CanMove(StateReplied, StateClosed) || !CanMove(StateClosed, StateInProgress) {
		t.Error("a normal move is refused")
	}
	if CanMove(StateClosed, StateAccepted) || CanMove(StateMerged, StateAccepted) {
		t.Error("an impossible move is allowed")
	}
	if StateReplied.Open311Status() != "open" || StateClosed.Open311Status() != "closed" {
		t.Error("Open311 mapping")
	}
}

func TestGCJ02RoundTrip(t *testing.T) {
	lat, lng := 35.3080, 113.8620
	glat, glng := WGS84ToGCJ02(lat, lng)
	if Distance(Point{lat, lng}, Point{glat, glng}) < 100 {
		t.Fatal("GCJ-02 offset too small to be real")
	}
	wlat, wlng := GCJ02ToWGS84(glat, glng)
	if d := Distance(Point{lat, lng}, Point{wlat, wlng}); d > 0.5 {
		t.Fatalf("round trip off by %.2f m", d)
	}
}
