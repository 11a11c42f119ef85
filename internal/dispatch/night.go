package dispatch

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NightWindow is when a patrol counts as a night patrol (夜巡), by its
// start time of day in the city's time zone. The default is 20:00–06:00:
// a patrol starting at 20:00 exactly is a night patrol, one starting at
// 06:00 exactly is not.
type NightWindow struct {
	Start, End time.Duration // offsets from midnight; Start > End wraps midnight
	Loc        *time.Location
}

// DefaultNight is 20:00–06:00 in China Standard Time.
var DefaultNight = NightWindow{Start: 20 * time.Hour, End: 6 * time.Hour, Loc: time.FixedZone("CST", 8*3600)}

// ParseNightWindow reads "HH:MM-HH:MM".
func ParseNightWindow(s string, loc *time.Location) (NightWindow, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return NightWindow{}, fmt.Errorf("night window %q: want HH:MM-HH:MM", s)
	}
	start, err1 := clock(a)
	end, err2 := clock(b)
	if err1 != nil || err2 != nil || start == end {
		return NightWindow{}, fmt.Errorf("night window %q: want HH:MM-HH:MM with two different times", s)
	}
	if loc == nil {
		loc = DefaultNight.Loc
	}
	return NightWindow{Start: start, End: end, Loc: loc}, nil
}

func clock(s string) (time.Duration, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 || len(m) != 2 {
		return 0, fmt.Errorf("bad time of day %q", s)
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}

// startOfDay is midnight of t's day in the city's time zone.
func (w NightWindow) startOfDay(t time.Time) time.Time {
	l := t.In(w.loc())
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, w.loc()).UTC()
}

func (w NightWindow) loc() *time.Location {
	if w.Loc == nil {
		return DefaultNight.Loc
	}
	return w.Loc
}

func sinceMidnight(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

// IsNight reports whether a patrol starting at t is a night patrol.
func (w NightWindow) IsNight(t time.Time) bool {
	d := sinceMidnight(t.In(w.loc()))
	if w.Start > w.End { // wraps midnight
		return d >= w.Start || d < w.End
	}
	return d >= w.Start && d < w.End
}

// Tonight returns the night that now falls in or, by day, the night that
// ended last: the span "tonight N of M hotspots covered" counts.
func (w NightWindow) Tonight(now time.Time) (since, until time.Time) {
	l := now.In(w.loc())
	midnight := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, w.loc())
	d := sinceMidnight(l)
	if w.Start > w.End {
		switch {
		case d >= w.Start: // evening: tonight started today
			return midnight.Add(w.Start), midnight.AddDate(0, 0, 1).Add(w.End)
		default: // after midnight, or by day: the night that began yesterday
			return midnight.AddDate(0, 0, -1).Add(w.Start), midnight.Add(w.End)
		}
	}
	if d >= w.Start {
		return midnight.Add(w.Start), midnight.Add(w.End)
	}
	return midnight.AddDate(0, 0, -1).Add(w.Start), midnight.AddDate(0, 0, -1).Add(w.End)
}

// SLA is how an incident stands against its on-scene deadline.
type SLA string

const (
	SLAOk    SLA = "ok"
	SLAAmber SLA = "amber" // due within AmberBefore
	SLARed   SLA = "red"   // overdue
	SLANone  SLA = ""      // no longer timed (on scene or closed)
)

// AmberBefore is how long before its deadline an incident turns amber.
const AmberBefore = 10 * time.Minute

// SLAOf returns the SLA colour of an incident in state at now. Only
// incidents still waiting for a team on scene (accepted, dispatched) are
// timed. Due exactly now is amber; red starts after the deadline.
func SLAOf(state string, due, now time.Time) SLA {
	if state != "accepted" && state != "dispatched" {
		return SLANone
	}
	switch {
	case now.After(due):
		return SLARed
	case due.Sub(now) <= AmberBefore:
		return SLAAmber
	default:
		return SLAOk
	}
}
