package volunteers

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
)

// States of an application to volunteer.
const (
	AppPending  = "pending"
	AppAccepted = "accepted"
	AppDeclined = "declined"
)

// Application is a member of the public's offer to volunteer, sent from
// the public "become a volunteer" form; the coordinator accepts it (a
// volunteer record) or declines it with a reason.
type Application struct {
	ID, Ref, Name, Phone string
	Skills               []string
	Availability         string
	State                string
	Reason               string // of a decline
	VolunteerID          string // of an accepted one
	DecidedBy            string
	DecidedAt, CreatedAt time.Time
	JoinedAt             time.Time // when the accepted applicant confirmed through their sign-up link
}

// ApplicationStore keeps applications.
type ApplicationStore interface {
	AddApplication(ctx context.Context, a *Application, e audit.Entry) error
	Applications(ctx context.Context) ([]*Application, error) // pending first, newest first
	ApplicationByID(ctx context.Context, id string) (*Application, error)
	// DecideApplication records a pending application's decision; with v
	// the volunteer is added, and with l their sign-up link, in the same
	// transaction. Conflict err.application_decided when it was decided
	// already.
	DecideApplication(ctx context.Context, a *Application, v *Volunteer, l *JoinLink, e audit.Entry) error
	JoinStore
}

// ApplicationInput is the public form.
type ApplicationInput struct {
	Name, Phone, Availability string
	Skills                    []string
	Consent                   bool // to be contacted by the station
}

// Apply files an application to volunteer. It needs the applicant's
// consent to be contacted.
func (s *Service) Apply(ctx context.Context, a auth.Actor, in ApplicationInput) (*Application, error) {
	const op = "volunteers.Apply"
	f := map[string]string{}
	trimAll(f, map[string]*string{"name": &in.Name, "availability": &in.Availability}, 200)
	if in.Name == "" {
		f["name"] = "err.required"
	} else if !form.TextOK(in.Name, 50) {
		f["name"] = "err.too_long"
	}
	phone := auth.NormalizePhone(in.Phone)
	switch {
	case phone == "":
		f["phone"] = "err.required"
	case !auth.ValidPhone(phone):
		f["phone"] = "err.phone"
	}
	for _, sk := range in.Skills {
		if !slices.Contains(Skills, sk) {
			f["skills"] = "err.invalid_choice"
		}
	}
	if !in.Consent {
		f["consent"] = "volunteer_app.err_consent"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	ap := &Application{ID: id.New(), Ref: intake.NewRef("ZY"), Name: in.Name, Phone: phone, Skills: in.Skills, Availability: in.Availability,
		State: AppPending, CreatedAt: s.Now().UTC()}
	return ap, s.Store.AddApplication(ctx, ap, a.Entry("volunteer.apply", "volunteer_application", ap.ID))
}

// Applications lists the applications for the coordinator.
func (s *Service) Applications(ctx context.Context, a auth.Actor) ([]*Application, error) {
	if err := a.Require("volunteers.Applications", auth.PermVolunteersManage); err != nil {
		return nil, err
	}
	return s.Store.Applications(ctx)
}

// Accept turns an application into a volunteer record and gives the
// applicant a sign-up link (join.go), returned once for the coordinator
// to pass on.
func (s *Service) Accept(ctx context.Context, a auth.Actor, applicationID string) (*Volunteer, *Invite, error) {
	const op = "volunteers.Accept"
	if err := a.Require(op, auth.PermVolunteersManage); err != nil {
		return nil, nil, err
	}
	ap, err := s.Store.ApplicationByID(ctx, applicationID)
	if err != nil {
		return nil, nil, err
	}
	if ap.State != AppPending {
		return nil, nil, errs.E(errs.Conflict, op, "err.application_decided")
	}
	now := s.Now().UTC()
	v := &Volunteer{ID: id.New(), Name: ap.Name, Phone: ap.Phone, Skills: ap.Skills, Availability: ap.Availability, Active: true, CreatedAt: now}
	ap.State, ap.VolunteerID, ap.DecidedBy, ap.DecidedAt = AppAccepted, v.ID, a.Name, now
	l, inv, err := s.newJoinLink(a, ap, now)
	if err != nil {
		return nil, nil, err
	}
	e := a.Entry("volunteer.accept", "volunteer_application", ap.ID)
	e.Detail = v.ID
	if err := s.Store.DecideApplication(ctx, ap, v, l, e); err != nil {
		return nil, nil, err
	}
	return v, inv, nil
}

// Decline declines an application with a reason.
func (s *Service) Decline(ctx context.Context, a auth.Actor, applicationID, reason string) error {
	const op = "volunteers.Decline"
	if err := a.Require(op, auth.PermVolunteersManage); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return errs.InvalidFields(op, map[string]string{"reason": "err.required"})
	case !form.TextOK(reason, 200):
		return errs.InvalidFields(op, map[string]string{"reason": "err.too_long"})
	}
	ap, err := s.Store.ApplicationByID(ctx, applicationID)
	if err != nil {
		return err
	}
	if ap.State != AppPending {
		return errs.E(errs.Conflict, op, "err.application_decided")
	}
	ap.State, ap.Reason, ap.DecidedBy, ap.DecidedAt = AppDeclined, reason, a.Name, s.Now().UTC()
	return s.Store.DecideApplication(ctx, ap, nil, nil, a.Entry("volunteer.decline", "volunteer_application", ap.ID))
}
