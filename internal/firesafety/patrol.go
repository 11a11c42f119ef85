package firesafety

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
)

// AddCheckpoint adds a patrol checkpoint with its code and place in the
// round's order.
func (s *Service) AddCheckpoint(ctx context.Context, a auth.Actor, code, name, seq string) (*Checkpoint, error) {
	const op = "fire.AddCheckpoint"
	if err := a.Require(op, auth.PermFireManage); err != nil {
		return nil, err
	}
	f := form.Fields{}
	c := &Checkpoint{ID: id.New(), Name: f.Text("cp_name", name, true, 60), Seq: count(f, "seq", seq, 1, 999, true), Active: true}
	var ok bool
	if c.Code, ok = ParseCode(code); !ok || strings.Contains(code, "/") {
		f["code"] = "fire.err_code_format"
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	if err := s.Store.AddCheckpoint(ctx, c, a.Entry("fire.checkpoint.add", "fire_checkpoint", c.ID)); err != nil {
		if errs.Is(errs.Conflict, err) {
			return nil, errs.InvalidFields(op, map[string]string{"code": "fire.err_code_taken"})
		}
		return nil, err
	}
	return c, nil
}

// Checkpoint finds a checkpoint by a scanned or typed code; a code that
// does not read or names no checkpoint is an Invalid "code".
func (s *Service) Checkpoint(ctx context.Context, a auth.Actor, raw string) (*Checkpoint, error) {
	const op = "fire.Checkpoint"
	if err := a.RequireAny(op, auth.PermFireView, auth.PermFireManage); err != nil {
		return nil, err
	}
	code, ok := ParseCode(raw)
	if !ok {
		return nil, errs.InvalidFields(op, map[string]string{"code": "fire.err_no_checkpoint"})
	}
	c, err := s.Store.CheckpointByCode(ctx, code)
	if errs.Is(errs.NotFound, err) || err == nil && !c.Active {
		return nil, errs.InvalidFields(op, map[string]string{"code": "fire.err_no_checkpoint"})
	}
	return c, err
}

// ScanInput is a patrol at a checkpoint as sent by the phone.
type ScanInput struct {
	Code        string
	ClientID    string // the form's key: a retry sends the same
	Problems    []string
	Note        string
	FixedOnSpot bool
	Photo       []byte
}

// RecordScan stores a patrol's scan of a checkpoint, flags it out of
// sequence when the round already passed a later checkpoint, makes a
// hazard of any problem not fixed on the spot, and completes the patrol
// duty. A scan sent again with the same ClientID returns the first and
// stores nothing (replay is true).
func (s *Service) RecordScan(ctx context.Context, a auth.Actor, in ScanInput) (sc *Scan, replay bool, err error) {
	const op = "fire.RecordScan"
	if err := a.Require(op, auth.PermFireManage); err != nil {
		return nil, false, err
	}
	cp, err := s.Checkpoint(ctx, a, in.Code)
	if err != nil {
		return nil, false, err
	}
	f := form.Fields{}
	clientID := f.Text("client_id", in.ClientID, true, 64)
	if prev, err := s.Store.ScanByClientID(ctx, clientID); err == nil {
		return prev, true, nil
	} else if !errs.Is(errs.NotFound, err) {
		return nil, false, err
	}
	set, now := s.set(), s.now()
	_, night := set.NightOf(now)
	sc = &Scan{ID: id.New(), ClientID: clientID, CheckpointID: cp.ID, CheckpointName: cp.Name, Seq: cp.Seq, At: now, ByID: a.UserID, By: a.Name,
		Night: night, Note: f.Text("note", in.Note, false, 300)}
	for _, p := range in.Problems {
		if !slices.Contains(Items, p) {
			f["problems"] = "err.invalid_choice"
		} else if !slices.Contains(sc.Problems, p) {
			sc.Problems = append(sc.Problems, p)
		}
	}
	if len(sc.Problems) > 0 && sc.Note == "" {
		f["note"] = "fire.err_problem_note"
	}
	if len(f) == 0 {
		sc.Photo = s.putPhoto(ctx, f, "photo", "fire-patrols", in.Photo)
	}
	if err := f.Err(op); err != nil {
		return nil, false, err
	}
	sc.RoundID = sc.ID
	last, err := s.Store.LastScan(ctx)
	switch {
	case err == nil && !last.At.After(now) && now.Sub(last.At) <= time.Duration(set.RoundMinutes)*time.Minute:
		sc.RoundID = last.RoundID
		sc.OutOfSeq = cp.Seq <= last.Seq
	case err != nil && !errs.Is(errs.NotFound, err):
		return nil, false, err
	}
	if err := s.Store.AddScan(ctx, sc, a.Entry("fire.scan", "fire_checkpoint", cp.ID)); err != nil {
		if errs.Is(errs.Conflict, err) { // the same scan, sent twice at once
			prev, err2 := s.Store.ScanByClientID(ctx, clientID)
			if err2 == nil {
				return prev, true, nil
			}
		}
		return nil, false, err
	}
	if len(sc.Problems) > 0 {
		h := &Hazard{ID: id.New(), FoundOn: Day(now), Source: SourcePatrol, SourceID: sc.ID, Location: cp.Name, Description: sc.Note,
			FixedOnSpot: in.FixedOnSpot, CreatedAt: now}
		if err := s.Store.AddHazard(ctx, h, a.Entry("fire.hazard.add", "fire_hazard", h.ID)); err != nil {
			return sc, false, err
		}
	}
	s.patrolled(ctx, now, night, a.Name, sc.ID)
	return sc, false, nil
}

// Round is one walk past the checkpoints: its scans, the checkpoints it
// missed (once it is over) and how many scans were out of sequence.
type Round struct {
	ID       string
	Start    time.Time
	End      time.Time
	By       string
	Night    bool
	Scans    []*Scan
	Missed   []*Checkpoint
	OutOfSeq int
	Over     bool
}

// Rounds groups scans (oldest first) into rounds, newest round first; a
// round is over RoundMinutes after its last scan, and only then are the
// checkpoints it did not reach counted as missed.
func (s Settings) Rounds(scans []*Scan, cps []*Checkpoint, now time.Time) []*Round {
	var out []*Round
	byID := map[string]*Round{}
	for _, sc := range scans {
		r := byID[sc.RoundID]
		if r == nil {
			r = &Round{ID: sc.RoundID, Start: sc.At, By: sc.By, Night: sc.Night}
			byID[sc.RoundID] = r
			out = append(out, r)
		}
		r.Scans = append(r.Scans, sc)
		r.End = sc.At
		if sc.OutOfSeq {
			r.OutOfSeq++
		}
	}
	for _, r := range out {
		r.Over = now.Sub(r.End) > time.Duration(s.RoundMinutes)*time.Minute
		if !r.Over {
			continue
		}
		for _, c := range cps {
			if c.Active && !slices.ContainsFunc(r.Scans, func(sc *Scan) bool { return sc.CheckpointID == c.ID }) {
				r.Missed = append(r.Missed, c)
			}
		}
	}
	slices.Reverse(out)
	return out
}

// Coverage is a night's patrols: its window, rounds and the gaps longer
// than the rule.
type Coverage struct {
	Day      string
	From, To time.Time
	Rounds   int
	Scans    int
	Gaps     []Gap
	Going    bool // the night is not over yet
	Started  bool // the night has begun
}

// NightCoverage reads the patrols of the night starting on day's evening
// as of now.
func (s Settings) NightCoverage(day string, scans []*Scan, now time.Time) Coverage {
	from, to := s.Night(day)
	c := Coverage{Day: day, From: from, To: to, Going: now.Before(to), Started: !now.Before(from)}
	var ts []time.Time
	rounds := map[string]bool{}
	for _, sc := range scans {
		if !sc.At.Before(from) && !sc.At.After(to) {
			ts = append(ts, sc.At)
			rounds[sc.RoundID] = true
		}
	}
	c.Rounds, c.Scans = len(rounds), len(ts)
	if c.Started {
		c.Gaps = s.Gaps(from, to, now, ts)
	}
	return c
}
