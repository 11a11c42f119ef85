// Package patrolplan is tonight's patrol plan (DESIGN.md §3.11): the
// night's weather forecast and 气象 warning, entered by staff or posted by
// a weather partner, and the hotspots ordered by the exposure risk of the
// people known to sleep there, each with its score and the factors that
// made it. A warning at or above a configured level makes the night one
// that needs a night patrol (今夜须夜巡) and can start the matching
// campaign.
package patrolplan

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/intake"
)

// Kinds of 气象 warning the plan knows. "" is none.
const (
	ColdWave = "cold_wave" // 寒潮
	Heat     = "heat"      // 高温
)

// Warnings lists the kinds of warning, "" (none) first.
var Warnings = []string{"", ColdWave, Heat}

// Levels lists the warning levels (预警级别), lowest first.
var Levels = []string{"blue", "yellow", "orange", "red"}

// LevelRank is a level's place among Levels, 1 (blue) to 4 (red); 0 for
// none or an unknown level.
func LevelRank(level string) int { return slices.Index(Levels, level) + 1 }

// Temperatures a forecast may give, in whole °C.
const (
	MinTemp = -60
	MaxTemp = 60
)

// How far from tonight a forecast may be entered: the night in progress
// (until 06:00 it is still last night) and up to a week ahead, as far as
// 气象 forecasts go. Earlier nights are history, not a plan.
const AheadNights = 7

// cst is China Standard Time, the calendar nights are named in.
var cst = time.FixedZone("CST", 8*3600)

// nightEnds is when a night is over, as an offset from midnight: an
// encounter at 02:00 belongs to the night before, as a night patrol that
// starts at 20:00 and ends at 06:00 does (dispatch.DefaultNight).
const nightEnds = 6 * time.Hour

// NightOf names the night t falls in: the date (YYYY-MM-DD, China time) of
// its evening. Until 06:00 it is still the previous evening's night.
func NightOf(t time.Time) string { return t.In(cst).Add(-nightEnds).Format(time.DateOnly) }

// nightStart is when the night named night begins for the window's sake:
// 06:00 of its date (the end of the night before).
func nightStart(night string) time.Time {
	d, _ := time.ParseInLocation(time.DateOnly, night, cst)
	return d.Add(nightEnds).UTC()
}

// addNights moves a night's name by n nights.
func addNights(night string, n int) string {
	d, _ := time.ParseInLocation(time.DateOnly, night, cst)
	return d.AddDate(0, 0, n).Format(time.DateOnly)
}

// Forecast is one night's forecast: its lowest and highest temperature
// and the warning in force, if any. One forecast a night: a later one
// replaces it.
type Forecast struct {
	Night     string // YYYY-MM-DD, the date of the evening (China time)
	MinC      int
	MaxC      int
	Warning   string // "", ColdWave or Heat
	Level     string // one of Levels; "" when Warning is ""
	Source    string // SourceStaff or SourcePartner
	EnteredBy string // the staff member's or the API key's name
	UpdatedAt time.Time
}

// Sources of a forecast.
const (
	SourceStaff   = "staff"
	SourcePartner = "partner"
)

// Input is a forecast as staff enter it or a partner posts it.
type Input struct {
	Night   string
	MinC    int
	MaxC    int
	Warning string
	Level   string
}

// Validate checks in for the night tonight is: a clear field error for
// each fault (err.forecast_night, err.temperature, err.temperature_order,
// err.warning, err.warning_level), nil when good.
func (in Input) Validate(tonight string) map[string]string {
	f := map[string]string{}
	if d, err := time.ParseInLocation(time.DateOnly, in.Night, cst); err != nil || d.Format(time.DateOnly) != in.Night {
		f["night"] = "err.date"
	} else if in.Night < addNights(tonight, 0) || in.Night > addNights(tonight, AheadNights) {
		f["night"] = "err.forecast_night"
	}
	if in.MinC < MinTemp || in.MinC > MaxTemp {
		f["min_c"] = "err.temperature"
	}
	if in.MaxC < MinTemp || in.MaxC > MaxTemp {
		f["max_c"] = "err.temperature"
	}
	if f["min_c"] == "" && f["max_c"] == "" && in.MinC > in.MaxC {
		f["max_c"] = "err.temperature_order"
	}
	switch {
	case !slices.Contains(Warnings, in.Warning):
		f["warning"] = "err.warning"
	case in.Warning == "" && in.Level != "":
		f["level"] = "err.warning_level"
	case in.Warning != "" && LevelRank(in.Level) == 0:
		f["level"] = "err.warning_level"
	}
	if len(f) == 0 {
		return nil
	}
	return f
}

// Sighting is an encounter as the plan sees it: where and when, what the
// patrol saw of the person and the outcome. No name, no description.
type Sighting struct {
	At       time.Time
	Lat, Lng float64
	States   []string
	Outcome  dispatch.Outcome
}

// Exposure is who is known to sleep at a hotspot: over the window's
// nights, the most people met there on one night, and of those the most
// elderly, minors, ill or frail, and refusers met on one night. Without
// identities the same person met on several nights is one person, not
// several: the figures are the busiest night's (a lower bound).
type Exposure struct {
	People   int
	Elderly  int
	Minors   int
	Ill      int // ill, injured, mental, disabled, pregnant or intoxicated
	Refusers int // refused help
	Nights   int // nights on which anyone was met there
}

// illStates are the person states that count as ill or frail.
var illStates = []string{"ill", "injured", "mental", "disabled", "pregnant", "intoxicated"}

// NearM is how close to a hotspot an encounter must be to count for it
// (the nearest hotspot within NearM takes it), the radius in which
// signals merge into one incident.
const NearM = 300

// Gather assigns each sighting to the nearest hotspot within NearM and
// sums, per hotspot id, the exposure over the nights. An encounter where
// nobody was found counts for nothing.
func Gather(hotspots []*dispatch.Hotspot, sightings []Sighting) map[string]Exposure {
	type key struct{ hotspot, night string }
	type night struct{ people, elderly, minors, ill, refusers int }
	per := map[key]*night{}
	for _, s := range sightings {
		if s.Outcome == dispatch.OutcomeNotFound {
			continue
		}
		best, bestD := "", math.Inf(1)
		// A box around the sighting first (a degree of latitude is about
		// 111 km): the exact distance only for the hotspots inside it.
		dLat := NearM/111000.0 + 1e-6
		dLng := dLat / max(0.01, math.Cos(s.Lat*math.Pi/180))
		for _, h := range hotspots {
			if math.Abs(h.Lat-s.Lat) > dLat || math.Abs(h.Lng-s.Lng) > dLng {
				continue
			}
			if d := intake.Distance(intake.Point{Lat: s.Lat, Lng: s.Lng}, intake.Point{Lat: h.Lat, Lng: h.Lng}); d <= NearM && d < bestD {
				best, bestD = h.ID, d
			}
		}
		if best == "" {
			continue
		}
		k := key{best, NightOf(s.At)}
		n := per[k]
		if n == nil {
			n = &night{}
			per[k] = n
		}
		n.people++
		has := func(states ...string) bool {
			return slices.ContainsFunc(s.States, func(x string) bool { return slices.Contains(states, x) })
		}
		if has("elderly") {
			n.elderly++
		}
		if has("minor") {
			n.minors++
		}
		if has(illStates...) {
			n.ill++
		}
		if s.Outcome == dispatch.OutcomeRefused {
			n.refusers++
		}
	}
	out := map[string]Exposure{}
	for k, n := range per {
		e := out[k.hotspot]
		e.People, e.Elderly, e.Minors = max(e.People, n.people), max(e.Elderly, n.elderly), max(e.Minors, n.minors)
		e.Ill, e.Refusers = max(e.Ill, n.ill), max(e.Refusers, n.refusers)
		e.Nights++
		out[k.hotspot] = e
	}
	return out
}

// Points of the score. The score of a hotspot is
//
//	people points × weather multiplier + visit points
//
// so that the weather, the same for every hotspot of the city, raises the
// places where people sleep and not the empty ones, and a place nobody
// has looked at for a long time still comes up.
const (
	PerPerson     = 10 // each person met there (busiest night)
	PerVulnerable = 10 // again for each elderly, minor, ill or frail person
	PerRefuser    = 5  // again for each who refused help
	PerDayAway    = 2  // each day since the last patrol visit, up to the window
	// The multiplier is in tenths: 10 is ×1.0.
	ColdBelow   = 5  // each °C of the night's low below 5 °C adds 0.1
	HeatAbove   = 32 // each °C of the day's high above 32 °C adds 0.2
	PerLevel    = 5  // each warning level (blue 1 … red 4) adds 0.5
	NoForecastX = 10 // without a forecast the multiplier is ×1.0
)

// Score is a hotspot's exposure risk tonight and how it was made.
type Score struct {
	Total       int
	PeoplePts   int // from Exposure
	WeatherX    int // the multiplier in tenths (10 = ×1.0)
	VisitPts    int // from the days since the last visit
	DaysAway    int // whole days since the last visit; -1 never visited
	HasForecast bool
}

// ScoreOf scores a hotspot: exposure e over a window of nights, the
// night's forecast f (nil when none was entered), the last patrol visit
// (zero: never) and the time now. It is pure: same inputs, same score.
func ScoreOf(e Exposure, f *Forecast, lastVisit, now time.Time, nights int) Score {
	s := Score{WeatherX: NoForecastX, DaysAway: -1}
	s.PeoplePts = PerPerson*e.People + PerVulnerable*(e.Elderly+e.Minors+e.Ill) + PerRefuser*e.Refusers
	if f != nil {
		s.HasForecast = true
		s.WeatherX = 10 + max(0, ColdBelow-f.MinC) + 2*max(0, f.MaxC-HeatAbove)
		if f.Warning != "" {
			s.WeatherX += PerLevel * LevelRank(f.Level)
		}
	}
	if lastVisit.IsZero() {
		s.VisitPts = PerDayAway * nights
	} else {
		s.DaysAway = max(0, int(now.Sub(lastVisit)/(24*time.Hour)))
		s.VisitPts = PerDayAway * min(s.DaysAway, nights)
	}
	// people points × tenths / 10, rounded half up
	s.Total = (s.PeoplePts*s.WeatherX+5)/10 + s.VisitPts
	return s
}

// Multiplier writes a multiplier in tenths as a decimal ("3.8", "1").
func Multiplier(tenths int) string {
	return strconv.FormatFloat(float64(tenths)/10, 'f', -1, 64)
}

// Row is one hotspot in tonight's plan.
type Row struct {
	Hotspot   *dispatch.Hotspot
	Exposure  Exposure
	LastVisit time.Time // zero: never visited
	Score     Score
}

// Plan is tonight's patrol plan.
type Plan struct {
	Night    string
	Nights   int       // the window: encounters of the last Nights nights
	Forecast *Forecast // nil: none entered for the night
	Alert    bool      // a warning at or above the alert level: a night patrol is required
	Rows     []Row     // by score, highest first
}

// Order sorts rows by score, highest first; ties by people, then the
// longer unvisited (never first), then name.
func Order(rows []Row) {
	slices.SortStableFunc(rows, func(a, b Row) int {
		if a.Score.Total != b.Score.Total {
			return b.Score.Total - a.Score.Total
		}
		if a.Exposure.People != b.Exposure.People {
			return b.Exposure.People - a.Exposure.People
		}
		if a.LastVisit.IsZero() != b.LastVisit.IsZero() {
			if a.LastVisit.IsZero() {
				return -1
			}
			return 1
		}
		if !a.LastVisit.Equal(b.LastVisit) {
			return a.LastVisit.Compare(b.LastVisit)
		}
		return strings.Compare(a.Hotspot.Name, b.Hotspot.Name)
	})
}

// Store is what the plan needs from storage.
type Store interface {
	// SaveForecast stores f as its night's forecast, replacing an earlier
	// one, with the audit entry.
	SaveForecast(ctx context.Context, f *Forecast, e audit.Entry) error
	// Forecast is the night's forecast; NotFound when none was entered.
	Forecast(ctx context.Context, night string) (*Forecast, error)
	// Sightings lists the encounters at or after since, oldest first
	// (read through the index on the encounter's time).
	Sightings(ctx context.Context, since time.Time) ([]Sighting, error)
	// LastVisits gives, per active hotspot visited at least once, its
	// latest patrol visit (one index lookup per hotspot).
	LastVisits(ctx context.Context) (map[string]time.Time, error)
	ListHotspots(ctx context.Context, activeOnly bool) ([]*dispatch.Hotspot, error)
}

// isNotFound reports whether err is a NotFound.
func isNotFound(err error) bool { return errs.Is(errs.NotFound, err) }
