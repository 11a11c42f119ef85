package volunteers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
)

// Volunteers sign themselves up. A coordinator gives each volunteer a
// personal link (sent by message, like a roster app's invite); with it the
// volunteer sees the coming shifts with free places and their own, signs
// up and withdraws before a shift starts. The link is the only key, so
// only its hash is stored, a new link replaces the old one, and the page
// shows nothing about other volunteers.

// linkPattern is what a link token looks like: 32 characters of
// URL-safe base64 (24 random bytes).
var linkPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{32}$`)

func hashLink(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// IssueLink makes a new sign-up link for a volunteer; an earlier link
// stops working. The token is returned once and never stored.
func (s *Service) IssueLink(ctx context.Context, a auth.Actor, volunteerID string) (string, error) {
	const op = "volunteers.IssueLink"
	if err := a.Require(op, auth.PermVolunteersManage); err != nil {
		return "", err
	}
	token, err := newToken()
	if err != nil {
		return "", errs.Wrap(errs.Internal, op, err)
	}
	return token, s.Store.SetVolunteerLink(ctx, volunteerID, hashLink(token), a.Entry("volunteer.link", "volunteer", volunteerID))
}

// SelfShift is a shift as its volunteer sees it.
type SelfShift struct {
	*Shift
	Free     int  // places left
	Mine     bool // signed up
	Attended bool
	Open     bool // may still sign up or withdraw: not started
}

// SelfView is the volunteer's own page.
type SelfView struct {
	Name   string
	Shifts []SelfShift
}

// byLink finds the volunteer a link belongs to; a malformed, unknown,
// revoked link or an inactive volunteer is NotFound.
func (s *Service) byLink(ctx context.Context, op, token string) (*Volunteer, error) {
	if !linkPattern.MatchString(token) {
		return nil, errs.E(errs.NotFound, op, "err.volunteer_link")
	}
	v, err := s.Store.VolunteerByLink(ctx, hashLink(token))
	if errs.Is(errs.NotFound, err) || (err == nil && !v.Active) {
		return nil, errs.E(errs.NotFound, op, "err.volunteer_link")
	}
	return v, err
}

// Self shows a volunteer their shifts from today: those they are on and
// those with places free.
func (s *Service) Self(ctx context.Context, token string) (*SelfView, error) {
	const op = "volunteers.Self"
	v, err := s.byLink(ctx, op, token)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	shifts, err := s.shifts(ctx, now)
	if err != nil {
		return nil, err
	}
	out := &SelfView{Name: v.Name}
	for _, sh := range shifts {
		ss := SelfShift{Shift: sh, Free: sh.Places - len(sh.Signups), Open: now.Before(sh.StartsAt)}
		for _, su := range sh.Signups {
			if su.VolunteerID == v.ID {
				ss.Mine, ss.Attended = true, su.Attended
			}
		}
		sh.Signups = nil // other volunteers are not the reader's business
		if ss.Mine || (ss.Open && ss.Free > 0) {
			out.Shifts = append(out.Shifts, ss)
		}
	}
	return out, nil
}

// selfEntry is the audit entry of a volunteer acting through their link.
func selfEntry(v *Volunteer, action, shiftID string) audit.Entry {
	return audit.Entry{ActorID: v.ID, ActorName: "volunteer:" + v.Name, Action: action, RecordType: "shift", RecordID: shiftID}
}

// open finds a shift that has not started.
func (s *Service) open(ctx context.Context, op, shiftID string) error {
	now := s.Now()
	shifts, err := s.Store.VolunteerShifts(ctx, now)
	if err != nil {
		return err
	}
	for _, sh := range shifts {
		if sh.ID == shiftID {
			if !now.Before(sh.StartsAt) {
				return errs.E(errs.Conflict, op, "err.shift_started")
			}
			return nil
		}
	}
	return errs.E(errs.NotFound, op, "err.not_found")
}

// SelfSignUp signs the link's volunteer up for a shift that has not
// started and has a place free.
func (s *Service) SelfSignUp(ctx context.Context, token, shiftID string) error {
	const op = "volunteers.SelfSignUp"
	v, err := s.byLink(ctx, op, token)
	if err != nil {
		return err
	}
	if err := s.open(ctx, op, shiftID); err != nil {
		return err
	}
	err = s.Store.SignUp(ctx, Signup{ShiftID: shiftID, VolunteerID: v.ID, SignedAt: s.Now().UTC()}, selfEntry(v, "shift.signup_self", shiftID))
	if errs.Is(errs.Exists, err) {
		return errs.E(errs.Conflict, op, "err.signed_up")
	}
	return err
}

// SelfWithdraw takes the link's volunteer off a shift before it starts.
func (s *Service) SelfWithdraw(ctx context.Context, token, shiftID string) error {
	const op = "volunteers.SelfWithdraw"
	v, err := s.byLink(ctx, op, token)
	if err != nil {
		return err
	}
	if err := s.open(ctx, op, shiftID); err != nil {
		return err
	}
	return s.Store.Withdraw(ctx, shiftID, v.ID, selfEntry(v, "shift.withdraw_self", shiftID))
}
