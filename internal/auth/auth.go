// Package auth holds Haven's users, departments, roles and permissions,
// sessions and partner API keys, and the service that checks them. Every
// permission check of the foundation happens in this package's Service.
package auth

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
)

// User is a person who signs in to Haven: staff of the bureau, the station
// or a partner department.
type User struct {
	ID                string
	Username          string
	DisplayName       string
	Role              Role
	DepartmentID      string
	PointID           string // the rescue point a liaison account is bound to
	PhoneSealed       string // phone number sealed by secret.Keyring ("users.phone")
	Lang              string // "zh-CN" or "en"
	PasswordHash      string
	Disabled          bool
	FailedLogins      int // wrong passwords since the last sign-in (shown to administrators)
	PasswordChangedAt time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Department is an organisation whose people use Haven (市民政局, 市救助管理站,
// 公安110指挥中心, a hospital …).
type Department struct {
	ID        string
	Name      string
	NameEn    string
	Kind      string // one of DepartmentKinds
	Address   string
	Lat, Lng  float64
	CreatedAt time.Time
}

// DepartmentKinds are the kinds of department Haven knows.
var DepartmentKinds = []string{"civil_affairs", "station", "police", "city_management", "hospital", "finance", "volunteer", "other"}

// Session is a signed-in browser. Only the hash of its token is stored.
type Session struct {
	TokenHash  string
	UserID     string
	CSRFToken  string
	IP         string
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
}

// APIKey lets a partner system (12345, 110, 数字城管) call Haven's APIs.
type APIKey struct {
	ID           string
	Name         string
	Prefix       string
	Hash         string
	Scopes       []string
	DepartmentID string
	CreatedBy    string
	CreatedAt    time.Time
	LastUsedAt   time.Time
	RevokedAt    time.Time
}

// Revoked reports whether the key has been revoked.
func (k *APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }

// Actor is whoever performs an action: a signed-in user, a partner system
// or the command line.
type Actor struct {
	UserID string // user id, or API key id for partner systems
	// Name is who did it as people read it on a record (登记人, 经办人):
	// the account's display name, or its username when it has none.
	Name string
	// Username is the account's login name: the audit log records it, so
	// an entry names one account even when two people share a name.
	Username     string
	Role         Role
	DepartmentID string
	PointID      string // a liaison's own rescue point: the only one it may act for
	IP           string
	Scopes       []string // API keys only
}

// Can reports whether the actor's role grants p.
func (a Actor) Can(p Permission) bool { return RoleCan(a.Role, p) }

// Require returns a Forbidden error unless the actor has p.
func (a Actor) Require(op string, p Permission) error { return a.RequireAny(op, p) }

// RequireAny returns a Forbidden error unless the actor has one of ps.
func (a Actor) RequireAny(op string, ps ...Permission) error {
	if a.Role == "" {
		return errs.E(errs.Unauthorized, op, "err.login_required")
	}
	if !slices.ContainsFunc(ps, a.Can) {
		return &errs.Error{Kind: errs.Forbidden, Op: op, Msg: "err.forbidden", Err: &Denied{Needs: ps}}
	}
	return nil
}

// Denied is the cause of a Forbidden error from RequireAny: the actor has
// none of the permissions Needs. A page uses it to say why it is closed and
// which roles it is for.
type Denied struct{ Needs []Permission }

func (d *Denied) Error() string {
	s := make([]string, len(d.Needs))
	for i, p := range d.Needs {
		s[i] = string(p)
	}
	return "needs " + strings.Join(s, " or ")
}

// Entry starts an audit entry for an action by a.
func (a Actor) Entry(action, recordType, recordID string) audit.Entry {
	name := a.Username
	if name == "" {
		name = a.Name
	}
	return audit.Entry{ActorID: a.UserID, ActorName: name, Action: action, RecordType: recordType, RecordID: recordID, IP: a.IP}
}

// CLIActor is the actor for administrative commands run on the server.
func CLIActor() Actor { return Actor{Name: "cli", Role: RoleAdmin, IP: "local"} }

// UserUpdate changes some fields of a user; nil fields stay as they are.
type UserUpdate struct {
	DisplayName       *string
	Role              *Role
	DepartmentID      *string
	PointID           *string
	PhoneSealed       *string
	Lang              *string
	PasswordHash      *string
	PasswordChangedAt *time.Time
	Disabled          *bool
	ClearFailures     bool // sets failed logins to 0 and forgets the account's login throttle
}

// Store is what the auth service needs from storage. Methods that change
// data take the audit entry to write in the same transaction, so no change
// is ever stored without its audit row.
type Store interface {
	// CreateUser stores u. Returns Exists if the username is taken,
	// Invalid if the department does not exist.
	CreateUser(ctx context.Context, u *User, e audit.Entry) error
	// UserByID and UserByUsername return NotFound when there is no such user.
	UserByID(ctx context.Context, id string) (*User, error)
	UserByUsername(ctx context.Context, username string) (*User, error)
	// ListUsers returns every user ordered by username.
	ListUsers(ctx context.Context) ([]*User, error)
	// UpdateUser applies upd. Returns NotFound.
	UpdateUser(ctx context.Context, id string, upd UserUpdate, e audit.Entry) error
	// LoginBlockedUntil returns the latest end of a back-off among keys
	// that is after now, or the zero time when none blocks.
	LoginBlockedUntil(ctx context.Context, keys []ThrottleKey, now time.Time) (time.Time, error)
	// RecordLoginFailure atomically counts a failed sign-in under every key
	// of f (and on the user, if f.UserID is set), starts each key's
	// back-off, and writes e. It returns each key's new state.
	RecordLoginFailure(ctx context.Context, f LoginFailure, e audit.Entry) ([]ThrottleState, error)
	// RecordLoginSuccess forgets key's failures (an account+address key),
	// sets the user's failed logins to 0 and remembers key's address as
	// one the account signed in from at the time at.
	RecordLoginSuccess(ctx context.Context, userID string, key ThrottleKey, at time.Time) error
	// KnownLoginAddress reports whether account signed in from address at
	// or after since.
	KnownLoginAddress(ctx context.Context, account, address string, since time.Time) (bool, error)

	// CreateSession stores s and writes e.
	CreateSession(ctx context.Context, s *Session, e audit.Entry) error
	// SessionByHash returns NotFound for an unknown or deleted session.
	SessionByHash(ctx context.Context, tokenHash string) (*Session, error)
	TouchSession(ctx context.Context, tokenHash string, at time.Time) error
	// DeleteSession removes one session and writes e (if e.Action is set).
	DeleteSession(ctx context.Context, tokenHash string, e audit.Entry) error
	// DeleteUserSessions removes every session of a user except keepHash.
	DeleteUserSessions(ctx context.Context, userID, keepHash string) error
	// DeleteSessionsBefore removes sessions idle since or expired before t.
	DeleteSessionsBefore(ctx context.Context, idleSince, expiredBy time.Time) (int64, error)

	// CreateDepartment returns Exists if the name is taken.
	CreateDepartment(ctx context.Context, d *Department, e audit.Entry) error
	DepartmentByID(ctx context.Context, id string) (*Department, error)
	ListDepartments(ctx context.Context) ([]*Department, error)

	CreateAPIKey(ctx context.Context, k *APIKey, e audit.Entry) error
	// APIKeyByHash returns NotFound for an unknown key hash.
	APIKeyByHash(ctx context.Context, hash string) (*APIKey, error)
	ListAPIKeys(ctx context.Context) ([]*APIKey, error)
	// RevokeAPIKey returns NotFound, or Conflict if already revoked.
	RevokeAPIKey(ctx context.Context, id string, at time.Time, e audit.Entry) error
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
}
