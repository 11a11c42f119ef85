package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
)

// The patrol app queues what its member does while offline and sends the
// queue as one sync batch when the network returns. Every entry carries a
// client-made id, so a batch sent twice (the answer was lost) creates
// nothing twice; an edit carries the version it was based on, so an edit
// of a record someone else changed meanwhile is answered "conflict" with
// the stored record, never applied over it.

// SyncOp is one queued entry.
type SyncOp struct {
	Op          string          `json:"op"` // patrol_start, patrol_end, track, encounter, position
	ID          string          `json:"id"` // the record's client-made id (patrol or encounter)
	BaseVersion int             `json:"base_version"`
	Data        json.RawMessage `json:"data"`
}

// SyncBatch is a sync request.
type SyncBatch struct {
	Ops []SyncOp `json:"ops"`
}

// SyncResult answers one entry.
type SyncResult struct {
	ID      string            `json:"id"`
	Op      string            `json:"op"`
	Status  string            `json:"status"` // ok, duplicate, conflict, invalid, error
	Version int               `json:"version,omitempty"`
	Error   string            `json:"error,omitempty"`  // message key
	Fields  map[string]string `json:"fields,omitempty"` // field → message key
	Current json.RawMessage   `json:"current,omitempty"`
}

// MaxSyncOps bounds one batch.
const MaxSyncOps = 500

// ParseSync reads a sync batch.
func ParseSync(b []byte) (*SyncBatch, error) {
	const op = "dispatch.ParseSync"
	if !utf8.Valid(b) {
		return nil, errs.E(errs.Invalid, op, "err.sync_format")
	}
	var sb SyncBatch
	if err := json.Unmarshal(b, &sb); err != nil {
		return nil, errs.E(errs.Invalid, op, "err.sync_format")
	}
	if len(sb.Ops) > MaxSyncOps {
		return nil, errs.E(errs.Invalid, op, "err.sync_too_large")
	}
	for _, o := range sb.Ops {
		switch o.Op {
		case "patrol_start", "patrol_end", "track", "encounter", "position":
		default:
			return nil, errs.E(errs.Invalid, op, "err.sync_format")
		}
	}
	return &sb, nil
}

type patrolStartData struct {
	TeamID       string    `json:"team_id"`
	Kind         string    `json:"kind"`
	StartedAt    time.Time `json:"started_at"`
	StaffCount   int       `json:"staff_count"`
	VehicleTrips int       `json:"vehicle_trips"`
	Notes        string    `json:"notes"`
}

type patrolEndData struct {
	EndedAt time.Time `json:"ended_at"`
	Notes   string    `json:"notes"`
}

type positionData struct {
	TeamID string  `json:"team_id"`
	Lat    float64 `json:"lat"`
	Lng    float64 `json:"lng"`
}

// Sync applies a batch in order and answers each entry. One entry failing
// does not stop the others.
func (s *Service) Sync(ctx context.Context, a auth.Actor, b *SyncBatch) ([]SyncResult, error) {
	if err := a.Require("dispatch.Sync", auth.PermPatrolWork); err != nil {
		return nil, err
	}
	out := make([]SyncResult, 0, len(b.Ops))
	for _, o := range b.Ops {
		r := SyncResult{ID: o.ID, Op: o.Op, Status: "ok"}
		var err error
		switch o.Op {
		case "patrol_start":
			var d patrolStartData
			if err = json.Unmarshal(o.Data, &d); err == nil {
				var p *Patrol
				var dup bool
				p, dup, err = s.StartPatrol(ctx, a, PatrolInput{ID: o.ID, TeamID: d.TeamID, Kind: d.Kind, StartedAt: d.StartedAt,
					StaffCount: d.StaffCount, VehicleTrips: d.VehicleTrips, Notes: d.Notes})
				if err == nil {
					r.Version = p.Version
					if dup {
						r.Status = "duplicate"
					}
				}
			}
		case "patrol_end":
			var d patrolEndData
			if err = json.Unmarshal(o.Data, &d); err == nil {
				var p *Patrol
				p, err = s.EndPatrol(ctx, a, o.ID, d.EndedAt, o.BaseVersion, d.Notes)
				if err == nil {
					r.Version = p.Version
				} else if errs.Is(errs.Conflict, err) {
					if cur, e2 := s.Store.PatrolByID(ctx, o.ID); e2 == nil {
						r.Current = marshal(map[string]any{"version": cur.Version, "ended_at": cur.EndedAt, "notes": cur.Notes})
					}
				}
			}
		case "track":
			var pts []TrackPoint
			if err = json.Unmarshal(o.Data, &pts); err == nil {
				var p *Patrol
				p, err = s.AddTrack(ctx, a, o.ID, pts)
				if err == nil {
					r.Version = p.Version
				}
			}
		case "encounter":
			var in EncounterInput
			if err = json.Unmarshal(o.Data, &in); err == nil {
				in.ID, in.BaseVersion = o.ID, o.BaseVersion
				var en *Encounter
				var dup bool
				en, dup, err = s.RecordEncounter(ctx, a, in)
				if en != nil {
					r.Version = en.Version
				}
				if dup {
					r.Status = "duplicate"
				}
				if errs.Is(errs.Conflict, err) && en != nil {
					r.Current = marshal(map[string]any{"version": en.Version, "outcome": en.Outcome, "description": en.Description,
						"notes": en.Notes, "states": en.States, "supplies": en.Supplies, "recorded_by": en.RecordedBy})
				}
			}
		case "position":
			var d positionData
			if err = json.Unmarshal(o.Data, &d); err == nil {
				err = s.MoveTeam(ctx, a, d.TeamID, d.Lat, d.Lng)
			}
		}
		if err != nil {
			r.Status, r.Error, r.Fields = syncStatus(err)
		}
		out = append(out, r)
	}
	return out, nil
}

func syncStatus(err error) (status, key string, fields map[string]string) {
	var e *errs.Error
	switch {
	case !errors.As(err, &e): // only decoding the entry's data fails without a kind
		return "invalid", "err.sync_format", nil
	case errs.Is(errs.Conflict, err):
		return "conflict", errs.MessageOf(err), nil
	case errs.Is(errs.Invalid, err):
		return "invalid", errs.MessageOf(err), errs.FieldsOf(err)
	case errs.Is(errs.NotFound, err):
		return "invalid", "err.not_found", nil
	case errs.Is(errs.Forbidden, err):
		return "invalid", "err.forbidden", nil
	}
	return "error", "err.internal", nil
}
