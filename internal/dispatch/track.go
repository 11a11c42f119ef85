package dispatch

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/intake"
)

// TrackPoint is one GPS fix of a patrol's route.
type TrackPoint struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
	At  int64   `json:"t"` // Unix milliseconds
}

// Time returns the fix's time.
func (p TrackPoint) Time() time.Time { return time.UnixMilli(p.At).UTC() }

// Limits of a track upload.
const (
	MaxTrackPoints = 20_000
	MaxSpeedKmh    = 150 // faster between two fixes is a GPS jump, not a patrol van
)

// TrackError says what is wrong with a track, with the index of the first
// bad fix (-1 for the whole track) and a message key.
type TrackError struct {
	Index int
	Key   string
}

func (e *TrackError) Error() string { return fmt.Sprintf("track point %d: %s", e.Index, e.Key) }

// ParseTrack reads a track upload: a JSON array of {"lat","lng","t"} in
// time order. It refuses coordinates out of range, fixes out of time order
// or in the future, and impossible jumps, naming the first bad fix.
func ParseTrack(b []byte, now time.Time) ([]TrackPoint, error) {
	if !utf8.Valid(b) {
		return nil, &TrackError{-1, "err.track_format"}
	}
	var pts []TrackPoint
	if err := json.Unmarshal(b, &pts); err != nil {
		return nil, &TrackError{-1, "err.track_format"}
	}
	return pts, ValidateTrack(pts, now)
}

// ValidateTrack checks fixes as ParseTrack does.
func ValidateTrack(pts []TrackPoint, now time.Time) error {
	if len(pts) > MaxTrackPoints {
		return &TrackError{-1, "err.track_too_long"}
	}
	for i, p := range pts {
		if math.IsNaN(p.Lat) || math.IsNaN(p.Lng) || p.Lat < -90 || p.Lat > 90 || p.Lng < -180 || p.Lng > 180 || (p.Lat == 0 && p.Lng == 0) {
			return &TrackError{i, "err.track_coordinates"}
		}
		if p.At <= 0 || p.Time().After(now.Add(5*time.Minute)) {
			return &TrackError{i, "err.track_time"}
		}
		if i == 0 {
			continue
		}
		q := pts[i-1]
		if p.At <= q.At {
			return &TrackError{i, "err.track_order"}
		}
		d := intake.Distance(intake.Point{Lat: q.Lat, Lng: q.Lng}, intake.Point{Lat: p.Lat, Lng: p.Lng})
		hours := float64(p.At-q.At) / 3_600_000
		if d > 50 && d/1000/hours > MaxSpeedKmh {
			return &TrackError{i, "err.track_jump"}
		}
	}
	return nil
}

// TrackLength is the length of a track in metres.
func TrackLength(pts []TrackPoint) float64 {
	var m float64
	for i := 1; i < len(pts); i++ {
		m += intake.Distance(intake.Point{Lat: pts[i-1].Lat, Lng: pts[i-1].Lng}, intake.Point{Lat: pts[i].Lat, Lng: pts[i].Lng})
	}
	return m
}

// VisitRadiusM is how close a track must come to a hotspot to count as a
// visit.
const VisitRadiusM = 150

// Visited returns the ids of hotspots a track came within VisitRadiusM
// of, with the time of the first such fix.
func Visited(pts []TrackPoint, hs []*Hotspot) map[string]time.Time {
	out := map[string]time.Time{}
	for _, h := range hs {
		hp := intake.Point{Lat: h.Lat, Lng: h.Lng}
		for _, p := range pts {
			if intake.Distance(hp, intake.Point{Lat: p.Lat, Lng: p.Lng}) <= VisitRadiusM {
				out[h.ID] = p.Time()
				break
			}
		}
	}
	return out
}
