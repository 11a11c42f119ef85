package volunteers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"slices"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/secret"
)

// An accepted applicant becomes a working volunteer through a sign-up
// link. Haven sends no mail or text messages of its own, so accepting an
// application shows the coordinator a one-time link to pass on (by text
// message or read out on the phone). The link opens a public page where
// the applicant confirms their details; confirming uses the link up and
// gives the volunteer their personal page (self.go), where they sign up
// for shifts. Only the link's hash is kept; it works once and for
// JoinLinkTTL; a new link for the same volunteer revokes the old one.

// JoinLinkTTL is how long a sign-up link works.
const JoinLinkTTL = 7 * 24 * time.Hour

// JoinLink is a sign-up link as stored (its hash, never the token).
type JoinLink struct {
	Hash          string
	VolunteerID   string
	ApplicationID string
	ExpiresAt     time.Time
	UsedAt        time.Time // zero until used
	Revoked       bool      // a newer link replaced it
	CreatedBy     string
	CreatedAt     time.Time
}

// Invite is a new sign-up link, shown once to the coordinator.
type Invite struct {
	Name      string // the applicant's
	Phone     string
	Token     string
	ExpiresAt time.Time
}

// JoinStore keeps sign-up links.
type JoinStore interface {
	// AddJoinLink stores a new link for an accepted application's
	// volunteer and revokes the volunteer's earlier unused links.
	AddJoinLink(ctx context.Context, l *JoinLink, e audit.Entry) error
	// JoinLinkByHash finds a link and its volunteer: NotFound for an
	// unknown hash.
	JoinLinkByHash(ctx context.Context, hash string) (*JoinLink, *Volunteer, error)
	// Join uses a link up and records the volunteer's confirmed details
	// (skills, availability), the time they joined and the hash of their
	// personal link, in one transaction. Conflict
	// volunteer_join.err_used when the link was used, revoked or expired
	// at now meanwhile.
	Join(ctx context.Context, hash string, now time.Time, v *Volunteer, linkHash string, e audit.Entry) error
}

// newToken is a fresh link token: 24 random bytes in URL-safe base64
// (linkPattern).
func newToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// newJoinLink makes a sign-up link for an application's volunteer.
func (s *Service) newJoinLink(a auth.Actor, ap *Application, now time.Time) (*JoinLink, *Invite, error) {
	token, err := newToken()
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, "volunteers.newJoinLink", err)
	}
	l := &JoinLink{Hash: hashLink(token), VolunteerID: ap.VolunteerID, ApplicationID: ap.ID, ExpiresAt: now.Add(JoinLinkTTL),
		CreatedBy: a.Name, CreatedAt: now}
	return l, &Invite{Name: ap.Name, Phone: ap.Phone, Token: token, ExpiresAt: l.ExpiresAt}, nil
}

// NewJoinLink gives an accepted applicant who has not joined yet a new
// sign-up link (the earlier one lost, or expired); the earlier link
// stops working.
func (s *Service) NewJoinLink(ctx context.Context, a auth.Actor, applicationID string) (*Invite, error) {
	const op = "volunteers.NewJoinLink"
	if err := a.Require(op, auth.PermVolunteersManage); err != nil {
		return nil, err
	}
	ap, err := s.Store.ApplicationByID(ctx, applicationID)
	if err != nil {
		return nil, err
	}
	switch {
	case ap.State != AppAccepted:
		return nil, errs.E(errs.Conflict, op, "volunteer_join.err_not_accepted")
	case !ap.JoinedAt.IsZero():
		return nil, errs.E(errs.Conflict, op, "volunteer_join.err_joined")
	}
	l, inv, err := s.newJoinLink(a, ap, s.Now().UTC())
	if err != nil {
		return nil, err
	}
	return inv, s.Store.AddJoinLink(ctx, l, a.Entry("volunteer.join_link", "volunteer_application", ap.ID))
}

// JoinView is what the sign-up page shows: the details the applicant
// gave, to confirm or correct.
type JoinView struct {
	Name, Phone  string
	Skills       []string
	Availability string
	ExpiresAt    time.Time
}

// joinLink finds a usable link: malformed or unknown is NotFound
// volunteer_join.err_unknown; used up or replaced is Conflict
// volunteer_join.err_used; past its time is Conflict
// volunteer_join.err_expired.
func (s *Service) joinLink(ctx context.Context, op, token string) (*JoinLink, *Volunteer, error) {
	if !linkPattern.MatchString(token) {
		return nil, nil, errs.E(errs.NotFound, op, "volunteer_join.err_unknown")
	}
	l, v, err := s.Store.JoinLinkByHash(ctx, hashLink(token))
	switch {
	case errs.Is(errs.NotFound, err):
		return nil, nil, errs.E(errs.NotFound, op, "volunteer_join.err_unknown")
	case err != nil:
		return nil, nil, err
	case !l.UsedAt.IsZero() || l.Revoked || !v.Active:
		return nil, nil, errs.E(errs.Conflict, op, "volunteer_join.err_used")
	case !s.Now().Before(l.ExpiresAt):
		return nil, nil, errs.E(errs.Conflict, op, "volunteer_join.err_expired")
	}
	return l, v, nil
}

// JoinPage reads a sign-up link for its page.
func (s *Service) JoinPage(ctx context.Context, token string) (*JoinView, error) {
	l, v, err := s.joinLink(ctx, "volunteers.JoinPage", token)
	if err != nil {
		return nil, err
	}
	// Whoever holds the link reads the page: the phone is masked.
	return &JoinView{Name: v.Name, Phone: secret.Mask(v.Phone), Skills: v.Skills, Availability: v.Availability, ExpiresAt: l.ExpiresAt}, nil
}

// JoinInput is what the applicant confirms on the sign-up page.
type JoinInput struct {
	Skills       []string
	Availability string
	Confirm      bool // the details are right and they join as a volunteer
}

// Join confirms an applicant's details through their sign-up link: the
// link is used up, and the volunteer gets their personal page's link
// (returned once; only its hash is kept).
func (s *Service) Join(ctx context.Context, token string, in JoinInput) (string, error) {
	const op = "volunteers.Join"
	_, v, err := s.joinLink(ctx, op, token)
	if err != nil {
		return "", err
	}
	f := map[string]string{}
	trimAll(f, map[string]*string{"availability": &in.Availability}, 200)
	for _, sk := range in.Skills {
		if !slices.Contains(Skills, sk) {
			f["skills"] = "err.invalid_choice"
		}
	}
	if !in.Confirm {
		f["confirm"] = "volunteer_join.err_confirm"
	}
	if len(f) > 0 {
		return "", errs.InvalidFields(op, f)
	}
	personal, err := newToken()
	if err != nil {
		return "", errs.Wrap(errs.Internal, op, err)
	}
	v.Skills, v.Availability = in.Skills, in.Availability
	e := audit.Entry{ActorID: v.ID, ActorName: "volunteer:" + v.Name, Action: "volunteer.join", RecordType: "volunteer", RecordID: v.ID}
	if err := s.Store.Join(ctx, hashLink(token), s.Now().UTC(), v, hashLink(personal), e); err != nil {
		return "", err
	}
	return personal, nil
}
