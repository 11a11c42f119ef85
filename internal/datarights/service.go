package datarights

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/secret"
)

// Service handles requests and runs retention.
type Service struct {
	Store     Store
	Audit     audit.Store
	Keys      *secret.Keyring
	Photos    Photos
	Now       func() time.Time
	Retention Retention
	// ExportDays is how long an approved export may be downloaded (7 when 0).
	ExportDays int
}

func (s *Service) now() time.Time { return s.Now().UTC() }

func (s *Service) exportWindow() time.Duration {
	if s.ExportDays > 0 {
		return time.Duration(s.ExportDays) * 24 * time.Hour
	}
	return 7 * 24 * time.Hour
}

// RequestInput is the request form.
type RequestInput struct {
	Kind   Kind
	Person string // id or RY-… reference
	Reason string
}

// Request files a request; it waits for a second person's decision.
func (s *Service) Request(ctx context.Context, a auth.Actor, in RequestInput) (*Request, error) {
	const op = "datarights.Request"
	if err := a.Require(op, auth.PermDataRequest); err != nil {
		return nil, err
	}
	f := map[string]string{}
	if in.Kind != KindExport && in.Kind != KindErase {
		f["kind"] = "err.required"
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		f["reason"] = "err.required"
	} else if utf8.RuneCountInString(reason) > 2000 {
		f["reason"] = "err.too_long"
	}
	var personID string
	if ref := strings.TrimSpace(in.Person); ref == "" {
		f["person"] = "err.required"
	} else {
		pid, err := s.Store.PersonIDByRef(ctx, ref)
		if errs.Is(errs.NotFound, err) {
			f["person"] = "err.not_found"
		} else if err != nil {
			return nil, err
		}
		personID = pid
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	r := &Request{ID: id.New(), Kind: in.Kind, PersonID: personID, Reason: reason,
		RequestedBy: a.UserID, RequestedByName: a.Name, RequestedAt: s.now()}
	e := a.Entry("data_request.create", "data_request", r.ID)
	e.Detail = string(r.Kind) + " person " + personID
	if err := s.Store.AddDataRequest(ctx, r, e); err != nil {
		return nil, err
	}
	return r, nil
}

// List returns the requests, newest first.
func (s *Service) List(ctx context.Context, a auth.Actor) ([]*Request, error) {
	if err := a.RequireAny("datarights.List", auth.PermDataRequest, auth.PermDataApprove); err != nil {
		return nil, err
	}
	return s.Store.DataRequests(ctx, 200)
}

// Get returns one request.
func (s *Service) Get(ctx context.Context, a auth.Actor, requestID string) (*Request, error) {
	if err := a.RequireAny("datarights.Get", auth.PermDataRequest, auth.PermDataApprove); err != nil {
		return nil, err
	}
	return s.Store.DataRequestByID(ctx, requestID)
}

// Decide approves or refuses someone else's request. An approved export
// may be downloaded by its requester for ExportDays; an approved erasure
// runs at once (refused with errs.Conflict while the person is in care).
func (s *Service) Decide(ctx context.Context, a auth.Actor, requestID string, approve bool, note string) (*Request, error) {
	const op = "datarights.Decide"
	if err := a.Require(op, auth.PermDataApprove); err != nil {
		return nil, err
	}
	r, err := s.Store.DataRequestByID(ctx, requestID)
	if err != nil {
		return nil, err
	}
	if r.RequestedBy == a.UserID {
		e := a.Entry("data_request.denied", "data_request", r.ID)
		e.Detail = "own request"
		_ = s.Audit.AppendAudit(ctx, e)
		return nil, errs.E(errs.Forbidden, op, "err.own_request")
	}
	if r.Decision != Pending {
		return nil, errs.E(errs.Conflict, op, "err.already_decided")
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 2000 {
		return nil, errs.InvalidFields(op, map[string]string{"note": "err.too_long"})
	}
	now := s.now()
	if approve && r.Kind == KindErase {
		in, err := s.Store.PersonInCare(ctx, r.PersonID)
		if err != nil {
			return nil, err
		}
		if in {
			return nil, errs.E(errs.Conflict, op, "err.in_care")
		}
	}
	r.DecidedBy, r.DecidedByName, r.DecidedAt, r.DecisionNote = a.UserID, a.Name, now, note
	action := "data_request.refuse"
	r.Decision = Refused
	if approve {
		action, r.Decision = "data_request.approve", Approved
		if r.Kind == KindExport {
			r.ExpiresAt = now.Add(s.exportWindow())
		}
	}
	e := a.Entry(action, "data_request", r.ID)
	e.Detail = string(r.Kind) + " person " + r.PersonID
	if err := s.Store.DecideDataRequest(ctx, r, e); err != nil {
		return nil, err
	}
	if approve && r.Kind == KindErase {
		if err := s.erase(ctx, a, r, now); err != nil {
			return nil, err
		}
		r.DoneAt = now
	}
	return r, nil
}

// erase anonymises the person of an approved erasure, photos included.
func (s *Service) erase(ctx context.Context, a auth.Actor, r *Request, now time.Time) error {
	for _, kind := range []string{RetainPhotos, RetainIdentity} {
		e := a.Entry("retention."+kind, "person", r.PersonID)
		e.Detail = "erase request " + r.ID
		photos, err := s.Store.ApplyRetention(ctx, kind, r.PersonID, now, e)
		if err != nil {
			return err
		}
		s.deletePhotos(ctx, photos)
	}
	done := a.Entry("data_request.done", "data_request", r.ID)
	done.Detail = "erase person " + r.PersonID
	return s.Store.MarkDataRequestDone(ctx, r.ID, now, done)
}

// deletePhotos removes files no row names any more. A file that cannot be
// removed now is left behind; nothing in the database points at it.
func (s *Service) deletePhotos(ctx context.Context, names []string) int {
	n := 0
	for _, name := range names {
		if s.Photos != nil && s.Photos.Delete(ctx, name) == nil {
			n++
		}
	}
	return n
}
