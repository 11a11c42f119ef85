package patrolplan_test

import (
	"math"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/patrolplan"
)

var cst = time.FixedZone("CST", 8*3600)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestNightOf(t *testing.T) {
	for _, c := range []struct{ at, night string }{
		{"2026-12-02 05:59", "2026-12-01"}, // still last night
		{"2026-12-02 06:00", "2026-12-02"}, // the night is over: tonight is the coming one
		{"2026-12-02 20:00", "2026-12-02"},
		{"2026-12-02 23:59", "2026-12-02"},
		{"2026-12-03 00:00", "2026-12-02"},
		{"2027-01-01 02:00", "2026-12-31"}, // across the year
	} {
		if got := patrolplan.NightOf(at(c.at)); got != c.night {
			t.Errorf("NightOf(%s) = %s, want %s", c.at, got, c.night)
		}
	}
}

func TestScoreEdges(t *testing.T) {
	now := at("2026-12-02 18:00")
	cold := &patrolplan.Forecast{Night: "2026-12-02", MinC: -8, MaxC: 1, Warning: patrolplan.ColdWave, Level: "orange"}
	three := patrolplan.Exposure{People: 3, Elderly: 1, Nights: 4}
	for _, c := range []struct {
		name      string
		e         patrolplan.Exposure
		f         *patrolplan.Forecast
		last      time.Time
		want      patrolplan.Score
		wantTotal int
	}{
		// Nobody met, never visited, no forecast: only the neglect counts,
		// the whole window's worth.
		{"empty, never visited, no forecast", patrolplan.Exposure{}, nil, time.Time{},
			patrolplan.Score{WeatherX: 10, VisitPts: 28, DaysAway: -1}, 28},
		// Weather alone does not raise an empty place: it multiplies people.
		{"empty, red warning", patrolplan.Exposure{}, &patrolplan.Forecast{MinC: -20, MaxC: -10, Warning: patrolplan.ColdWave, Level: "red"}, now.Add(-time.Hour),
			patrolplan.Score{WeatherX: 10 + 25 + 20, DaysAway: 0, HasForecast: true}, 0},
		// The example: 3 people, 1 elderly (40 points); −8 °C is 13
		// tenths, orange 15: ×3.8 = 152; 5 days away: 10.
		{"issue example", three, cold, now.Add(-5*24*time.Hour - time.Hour),
			patrolplan.Score{PeoplePts: 40, WeatherX: 38, VisitPts: 10, DaysAway: 5, HasForecast: true}, 162},
		{"no forecast", three, nil, now.Add(-5 * 24 * time.Hour),
			patrolplan.Score{PeoplePts: 40, WeatherX: 10, VisitPts: 10, DaysAway: 5}, 50},
		// A mild night without a warning: ×1.0.
		{"mild night", three, &patrolplan.Forecast{MinC: 8, MaxC: 20}, now.Add(-23 * time.Hour),
			patrolplan.Score{PeoplePts: 40, WeatherX: 10, VisitPts: 0, DaysAway: 0, HasForecast: true}, 40},
		// Exactly 5 °C adds nothing; 4 °C adds a tenth.
		{"5 °C", patrolplan.Exposure{People: 1}, &patrolplan.Forecast{MinC: 5, MaxC: 12}, now,
			patrolplan.Score{PeoplePts: 10, WeatherX: 10, DaysAway: 0, HasForecast: true}, 10},
		{"4 °C", patrolplan.Exposure{People: 1}, &patrolplan.Forecast{MinC: 4, MaxC: 12}, now,
			patrolplan.Score{PeoplePts: 10, WeatherX: 11, DaysAway: 0, HasForecast: true}, 11},
		// Heat: 38 °C is 6 degrees over 32 (12 tenths), red 20: ×4.2.
		{"heat red", patrolplan.Exposure{People: 2, Minors: 1, Refusers: 1}, &patrolplan.Forecast{MinC: 27, MaxC: 38, Warning: patrolplan.Heat, Level: "red"}, now,
			patrolplan.Score{PeoplePts: 35, WeatherX: 42, DaysAway: 0, HasForecast: true}, 147},
		// Each level adds 0.5 (blue 1 … red 4).
		{"blue", patrolplan.Exposure{People: 1}, &patrolplan.Forecast{MinC: 5, MaxC: 10, Warning: patrolplan.ColdWave, Level: "blue"}, now,
			patrolplan.Score{PeoplePts: 10, WeatherX: 15, DaysAway: 0, HasForecast: true}, 15},
		{"yellow", patrolplan.Exposure{People: 1}, &patrolplan.Forecast{MinC: 5, MaxC: 10, Warning: patrolplan.ColdWave, Level: "yellow"}, now,
			patrolplan.Score{PeoplePts: 10, WeatherX: 20, DaysAway: 0, HasForecast: true}, 20},
		// A visit long ago counts no more than the window.
		{"visited a month ago", patrolplan.Exposure{}, nil, now.AddDate(0, -1, 0),
			patrolplan.Score{WeatherX: 10, VisitPts: 28, DaysAway: 30}, 28},
		// A visit recorded a little ahead of the clock counts as today.
		{"visit in the future", patrolplan.Exposure{}, nil, now.Add(time.Minute),
			patrolplan.Score{WeatherX: 10, DaysAway: 0}, 0},
		// Rounding half up: 5 points × 1.1 = 5.5 → 6.
		{"rounding", patrolplan.Exposure{Refusers: 1}, &patrolplan.Forecast{MinC: 4, MaxC: 10}, now,
			patrolplan.Score{PeoplePts: 5, WeatherX: 11, DaysAway: 0, HasForecast: true}, 6},
	} {
		got := patrolplan.ScoreOf(c.e, c.f, c.last, now, 14)
		c.want.Total = c.wantTotal
		if got != c.want {
			t.Errorf("%s: ScoreOf = %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestMultiplier(t *testing.T) {
	for tenths, want := range map[int]string{10: "1", 38: "3.8", 55: "5.5", 11: "1.1"} {
		if got := patrolplan.Multiplier(tenths); got != want {
			t.Errorf("Multiplier(%d) = %q, want %q", tenths, got, want)
		}
	}
}

func TestGather(t *testing.T) {
	station := &dispatch.Hotspot{ID: "station", Name: "火车站", Lat: 35.3056, Lng: 113.8624}
	underpass := &dispatch.Hotspot{ID: "underpass", Name: "地下通道", Lat: 35.2990, Lng: 113.8830}
	hs := []*dispatch.Hotspot{station, underpass}
	near := func(h *dispatch.Hotspot, when string, o dispatch.Outcome, states ...string) patrolplan.Sighting {
		return patrolplan.Sighting{At: at(when), Lat: h.Lat + 0.0005, Lng: h.Lng, States: states, Outcome: o} // ~55 m north
	}
	got := patrolplan.Gather(hs, []patrolplan.Sighting{
		// night of 11-28: three people at the station, one elderly, one a
		// minor who refused
		near(station, "2026-11-28 22:00", dispatch.OutcomeOutreach, "cold", "elderly"),
		near(station, "2026-11-29 01:30", dispatch.OutcomeToStation),
		near(station, "2026-11-28 23:00", dispatch.OutcomeRefused, "minor"),
		// night of 11-30: two, both elderly (the busiest night for elderly)
		near(station, "2026-11-30 21:00", dispatch.OutcomeOutreach, "elderly"),
		near(station, "2026-11-30 21:10", dispatch.OutcomeOutreach, "elderly", "ill"),
		// nobody found: counts for nothing
		near(station, "2026-12-01 21:00", dispatch.OutcomeNotFound),
		// far from every hotspot (about 5 km away)
		{At: at("2026-11-30 21:00"), Lat: 35.35, Lng: 113.86, Outcome: dispatch.OutcomeOutreach},
		// the underpass: one intoxicated person
		near(underpass, "2026-12-01 22:00", dispatch.OutcomeHospital, "intoxicated"),
	})
	want := map[string]patrolplan.Exposure{
		"station":   {People: 3, Elderly: 2, Minors: 1, Ill: 1, Refusers: 1, Nights: 2},
		"underpass": {People: 1, Ill: 1, Nights: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("Gather = %+v, want %+v", got, want)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("Gather[%s] = %+v, want %+v", id, got[id], w)
		}
	}
	// Nothing in, nothing out.
	if got := patrolplan.Gather(hs, nil); len(got) != 0 {
		t.Errorf("Gather without sightings = %+v", got)
	}
	if got := patrolplan.Gather(nil, []patrolplan.Sighting{near(station, "2026-11-28 22:00", dispatch.OutcomeOutreach)}); len(got) != 0 {
		t.Errorf("Gather without hotspots = %+v", got)
	}
}

func TestGatherTakesTheNearest(t *testing.T) {
	a := &dispatch.Hotspot{ID: "a", Lat: 35.3000, Lng: 113.9000}
	b := &dispatch.Hotspot{ID: "b", Lat: 35.3020, Lng: 113.9000} // ~220 m north of a
	s := patrolplan.Sighting{At: at("2026-11-30 22:00"), Lat: 35.3015, Lng: 113.9000, Outcome: dispatch.OutcomeOutreach}
	got := patrolplan.Gather([]*dispatch.Hotspot{a, b}, []patrolplan.Sighting{s})
	if got["b"].People != 1 || got["a"].People != 0 {
		t.Errorf("the sighting went to %+v, want b only", got)
	}
}

func TestOrder(t *testing.T) {
	now := at("2026-12-02 18:00")
	h := func(name string) *dispatch.Hotspot { return &dispatch.Hotspot{ID: name, Name: name} }
	rows := []patrolplan.Row{
		{Hotspot: h("d"), Score: patrolplan.Score{Total: 10}, LastVisit: now.Add(-time.Hour)},
		{Hotspot: h("c"), Score: patrolplan.Score{Total: 10}},
		{Hotspot: h("b"), Score: patrolplan.Score{Total: 10}, Exposure: patrolplan.Exposure{People: 1}},
		{Hotspot: h("a"), Score: patrolplan.Score{Total: 50}},
		{Hotspot: h("e"), Score: patrolplan.Score{Total: 10}, LastVisit: now.Add(-2 * time.Hour)},
		{Hotspot: h("f"), Score: patrolplan.Score{Total: 10}, LastVisit: now.Add(-time.Hour)},
	}
	patrolplan.Order(rows)
	var got string
	for _, r := range rows {
		got += r.Hotspot.Name
	}
	// highest score; then more people; then never visited; then visited
	// longer ago; then by name
	if got != "abcedf" {
		t.Errorf("order %s, want abcedf", got)
	}
}

func TestValidate(t *testing.T) {
	tonight := "2026-12-02"
	good := patrolplan.Input{Night: tonight, MinC: -8, MaxC: 1, Warning: patrolplan.ColdWave, Level: "orange"}
	if f := good.Validate(tonight); f != nil {
		t.Fatalf("good input refused: %v", f)
	}
	for _, c := range []struct {
		name  string
		edit  func(*patrolplan.Input)
		field string
		key   string
	}{
		{"too cold", func(in *patrolplan.Input) { in.MinC = -61 }, "min_c", "err.temperature"},
		{"too hot", func(in *patrolplan.Input) { in.MaxC = 61 }, "max_c", "err.temperature"},
		{"low above high", func(in *patrolplan.Input) { in.MinC, in.MaxC = 5, 2 }, "max_c", "err.temperature_order"},
		{"unknown warning", func(in *patrolplan.Input) { in.Warning = "storm" }, "warning", "err.warning"},
		{"unknown level", func(in *patrolplan.Input) { in.Level = "purple" }, "level", "err.warning_level"},
		{"warning without level", func(in *patrolplan.Input) { in.Level = "" }, "level", "err.warning_level"},
		{"level without warning", func(in *patrolplan.Input) { in.Warning = "" }, "level", "err.warning_level"},
		{"bad date", func(in *patrolplan.Input) { in.Night = "2026-02-30" }, "night", "err.date"},
		{"last night", func(in *patrolplan.Input) { in.Night = "2026-12-01" }, "night", "err.forecast_night"},
		{"eight nights ahead", func(in *patrolplan.Input) { in.Night = "2026-12-10" }, "night", "err.forecast_night"},
	} {
		in := good
		c.edit(&in)
		if f := in.Validate(tonight); f[c.field] != c.key {
			t.Errorf("%s: fields %v, want %s=%s", c.name, f, c.field, c.key)
		}
	}
	// The edges that are taken.
	for _, in := range []patrolplan.Input{
		{Night: tonight, MinC: -60, MaxC: 60},
		{Night: "2026-12-09", MinC: 0, MaxC: 0},
		{Night: tonight, MinC: 30, MaxC: 40, Warning: patrolplan.Heat, Level: "red"},
		{Night: tonight, MinC: -3, MaxC: 4, Warning: patrolplan.ColdWave, Level: "blue"},
	} {
		if f := in.Validate(tonight); f != nil {
			t.Errorf("%+v refused: %v", in, f)
		}
	}
}

// The box Gather looks in first keeps every hotspot within NearM: one
// 299 m north, one 299 m east, one 299 m away diagonally; not one 302 m
// east.
func TestGatherEdgeOfTheRadius(t *testing.T) {
	s := patrolplan.Sighting{At: at("2026-11-30 22:00"), Lat: 35.3, Lng: 113.9, Outcome: dispatch.OutcomeOutreach}
	north := 299 / 111195.0
	east := north / math.Cos(35.3*math.Pi/180)
	for _, c := range []struct {
		name     string
		lat, lng float64
		in       bool
	}{
		{"299 m north", s.Lat + north, s.Lng, true},
		{"299 m south", s.Lat - north, s.Lng, true},
		{"299 m east", s.Lat, s.Lng + east, true},
		{"299 m diagonally", s.Lat + north/math.Sqrt2, s.Lng - east/math.Sqrt2, true},
		{"302 m east", s.Lat, s.Lng + east*302/299, false},
	} {
		got := patrolplan.Gather([]*dispatch.Hotspot{{ID: "h", Lat: c.lat, Lng: c.lng}}, []patrolplan.Sighting{s})
		if (got["h"].People == 1) != c.in {
			t.Errorf("%s: %+v, want counted %v", c.name, got, c.in)
		}
	}
}
