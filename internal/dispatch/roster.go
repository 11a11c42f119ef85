package dispatch

import (
	"context"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
)

// Shift is a span of time a team is rostered on duty (排班). Rosters say
// when a team should be out; its live status (available, busy, off duty)
// says what it is doing now, and the board shows both.
type Shift struct {
	ID       string
	TeamID   string
	StartsAt time.Time
	EndsAt   time.Time
	Note     string
}

// Roster limits.
const (
	MaxShiftLength = 24 * time.Hour
	MaxRosterAhead = 366 * 24 * time.Hour
)

// ShiftTimes reads a shift entered as a date (YYYY-MM-DD) and two times of
// day (HH:MM) in loc; an end at or before the start is on the next day, as
// for a night shift 20:00–08:00.
func ShiftTimes(date, from, to string, loc *time.Location) (start, end time.Time, ok bool) {
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(date), loc)
	if err != nil {
		return start, end, false
	}
	a, err1 := clock(from)
	b, err2 := clock(to)
	if err1 != nil || err2 != nil {
		return start, end, false
	}
	start = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).Add(a)
	end = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc).Add(b)
	if !end.After(start) {
		end = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, loc).Add(b)
	}
	return start.UTC(), end.UTC(), true
}

// AddShift rosters a team for a span of time.
func (s *Service) AddShift(ctx context.Context, a auth.Actor, sh Shift) (*Shift, error) {
	const op = "dispatch.AddShift"
	if err := a.Require(op, auth.PermTeamsManage); err != nil {
		return nil, err
	}
	if _, err := s.Store.TeamByID(ctx, sh.TeamID); err != nil {
		return nil, err
	}
	sh.Note = strings.TrimSpace(sh.Note)
	now := s.now()
	f := map[string]string{}
	switch {
	case sh.StartsAt.IsZero() || !sh.EndsAt.After(sh.StartsAt):
		f["starts_at"] = "err.shift_times"
	case sh.EndsAt.Sub(sh.StartsAt) > MaxShiftLength:
		f["starts_at"] = "err.shift_too_long"
	case sh.EndsAt.Before(now.Add(-31 * 24 * time.Hour)):
		f["starts_at"] = "err.too_old"
	case sh.StartsAt.After(now.Add(MaxRosterAhead)):
		f["starts_at"] = "err.too_far_ahead"
	}
	if !form.TextOK(sh.Note, 200) {
		f["note"] = "err.too_long"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	sh.ID = id.New()
	sh.StartsAt, sh.EndsAt = sh.StartsAt.UTC(), sh.EndsAt.UTC()
	if err := s.Store.AddShift(ctx, &sh, a.Entry("roster.add", "team", sh.TeamID)); err != nil {
		return nil, err
	}
	return &sh, nil
}

// DeleteShift removes a shift from the roster.
func (s *Service) DeleteShift(ctx context.Context, a auth.Actor, shiftID string) error {
	const op = "dispatch.DeleteShift"
	if err := a.Require(op, auth.PermTeamsManage); err != nil {
		return err
	}
	return s.Store.DeleteShift(ctx, shiftID, a.Entry("roster.delete", "roster_shift", shiftID))
}

// Roster lists a team's shifts (all teams' with teamID "") overlapping
// [from, until).
func (s *Service) Roster(ctx context.Context, a auth.Actor, teamID string, from, until time.Time) ([]*Shift, error) {
	if err := a.RequireAny("dispatch.Roster", auth.PermTeamsManage, auth.PermDispatchBoard); err != nil {
		return nil, err
	}
	return s.Store.Shifts(ctx, teamID, from, until)
}

// OnShift returns the ids of the teams rostered at t.
func (s *Service) OnShift(ctx context.Context, t time.Time) (map[string]bool, error) {
	shifts, err := s.Store.Shifts(ctx, "", t, t.Add(time.Nanosecond))
	if err != nil {
		return nil, err
	}
	on := map[string]bool{}
	for _, sh := range shifts {
		on[sh.TeamID] = true
	}
	return on, nil
}
