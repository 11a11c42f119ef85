package portal

import (
	"context"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/secret"
)

// phoneContext seals the phones of people who register for an event.
const phoneContext = "portal.registration_phone"

// Event is a public event such as the 6·19 open day (救助管理机构开放日).
type Event struct {
	ID, Title, Programme, Place string
	StartsAt, EndsAt            time.Time
	Capacity, Registered        int
	CheckedIn                   int // visitors who came (checked in)
	CreatedBy                   string
	CreatedAt                   time.Time
}

// OpenAt reports whether registration is open at t: until the event
// ends, while places are free.
func (e *Event) OpenAt(t time.Time) bool { return t.Before(e.EndsAt) && e.Registered < e.Capacity }

// Over reports whether the event has ended at t.
func (e *Event) Over(t time.Time) bool { return !t.Before(e.EndsAt) }

// Free is the number of places left.
func (e *Event) Free() int { return max(0, e.Capacity-e.Registered) }

// Registration is one person registered for an event.
type Registration struct {
	ID, EventID, Ref, Name string
	PhoneSealed            string
	PhoneShown             string // masked, for staff
	CreatedAt              time.Time
	CheckedInAt            time.Time
	CheckedInBy            string
}

// EventStore keeps events and registrations.
type EventStore interface {
	AddEvent(ctx context.Context, ev *Event, e audit.Entry) error
	Events(ctx context.Context) ([]*Event, error) // by start, soonest first
	EventByID(ctx context.Context, id string) (*Event, error)
	// Register takes a place and adds r in one transaction, unless the
	// event is full (Conflict portal.err_full) or has ended at r.CreatedAt
	// (Conflict portal.err_event_over). Concurrent calls never take more
	// places than the capacity.
	Register(ctx context.Context, r *Registration, e audit.Entry) error
	Registrations(ctx context.Context, eventID string) ([]*Registration, error)
	// CheckIn marks a registration by its reference as come (NotFound;
	// Conflict portal.err_checked_in when it came already).
	CheckIn(ctx context.Context, eventID, ref, by string, at time.Time, e audit.Entry) (*Registration, error)
}

// EventInput is an event as staff plan it.
type EventInput struct {
	Title, Programme, Place string
	StartsAt, EndsAt        time.Time
	Capacity                int
}

// AddEvent plans an event.
func (s *Service) AddEvent(ctx context.Context, a auth.Actor, in EventInput) (*Event, error) {
	const op = "portal.AddEvent"
	if err := a.Require(op, auth.PermPublicityWrite); err != nil {
		return nil, err
	}
	f := map[string]string{}
	in.Title, in.Place, in.Programme = strings.TrimSpace(in.Title), strings.TrimSpace(in.Place), strings.TrimSpace(in.Programme)
	for k, v := range map[string]string{"title": in.Title, "place": in.Place} {
		switch {
		case v == "":
			f[k] = "err.required"
		case !form.TextOK(v, 200):
			f[k] = "err.too_long"
		}
	}
	if !form.TextOK(in.Programme, 5000) {
		f["programme"] = "err.too_long"
	}
	if in.StartsAt.IsZero() {
		f["starts_at"] = "err.required"
	}
	if in.EndsAt.IsZero() || !in.EndsAt.After(in.StartsAt) {
		f["ends_at"] = "portal.err_ends_before"
	}
	if in.Capacity < 1 || in.Capacity > 100_000 {
		f["capacity"] = "portal.err_capacity"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	ev := &Event{ID: id.New(), Title: in.Title, Programme: in.Programme, Place: in.Place, StartsAt: in.StartsAt.UTC(), EndsAt: in.EndsAt.UTC(),
		Capacity: in.Capacity, CreatedBy: a.Name, CreatedAt: s.Now().UTC()}
	return ev, s.Store.AddEvent(ctx, ev, a.Entry("event.create", "event", ev.ID))
}

// Events lists events: for the public, those not over; for staff
// (all true, with a permission) every one.
func (s *Service) Events(ctx context.Context, a auth.Actor, all bool) ([]*Event, error) {
	if all {
		if err := a.Require("portal.Events", auth.PermPublicityWrite); err != nil {
			return nil, err
		}
	}
	evs, err := s.Store.Events(ctx)
	if err != nil || all {
		return evs, err
	}
	now := s.Now()
	var out []*Event
	for _, e := range evs {
		if !e.Over(now) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Event is one event (public).
func (s *Service) Event(ctx context.Context, eventID string) (*Event, error) {
	return s.Store.EventByID(ctx, eventID)
}

// Register registers a member of the public for an event: name and phone
// (sealed). It is refused once the event has ended or is full.
func (s *Service) Register(ctx context.Context, a auth.Actor, eventID, name, phone string) (*Registration, error) {
	const op = "portal.Register"
	ev, err := s.Store.EventByID(ctx, eventID)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	f := map[string]string{}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		f["name"] = "err.required"
	case !form.TextOK(name, 50):
		f["name"] = "err.too_long"
	}
	phone = auth.NormalizePhone(phone)
	switch {
	case phone == "":
		f["phone"] = "err.required"
	case !auth.ValidPhone(phone):
		f["phone"] = "err.phone"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	if ev.Over(now) {
		return nil, errs.E(errs.Conflict, op, "portal.err_event_over")
	}
	sealed, err := s.Keys.Seal(phoneContext, phone)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	r := &Registration{ID: id.New(), EventID: ev.ID, Ref: intake.NewRef("KF"), Name: name, PhoneSealed: sealed, CreatedAt: now}
	e := a.Entry("event.register", "event_registration", r.ID)
	e.Detail = ev.ID
	return r, s.Store.Register(ctx, r, e)
}

// Registrations lists who registered for an event, phones masked.
func (s *Service) Registrations(ctx context.Context, a auth.Actor, eventID string) ([]*Registration, error) {
	const op = "portal.Registrations"
	if err := a.Require(op, auth.PermPublicityWrite); err != nil {
		return nil, err
	}
	rs, err := s.Store.Registrations(ctx, eventID)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if p, err := s.Keys.Open(phoneContext, r.PhoneSealed); err == nil {
			r.PhoneShown = secret.Mask(p)
		}
	}
	return rs, nil
}

// CheckIn records that a registered visitor came, by the reference on
// their confirmation.
func (s *Service) CheckIn(ctx context.Context, a auth.Actor, eventID, ref string) (*Registration, error) {
	const op = "portal.CheckIn"
	if err := a.Require(op, auth.PermPublicityWrite); err != nil {
		return nil, err
	}
	ref = intake.NormalizeRef(ref)
	if ref == "" {
		return nil, errs.InvalidFields(op, map[string]string{"ref": "err.required"})
	}
	e := a.Entry("event.check_in", "event", eventID)
	return s.Store.CheckIn(ctx, eventID, ref, a.Name, s.Now().UTC(), e)
}
