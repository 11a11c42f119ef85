package auth

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/secret"
)

// Service signs people in and administers users, departments and API keys.
type Service struct {
	Store       Store
	Audit       audit.Store
	Keys        *secret.Keyring
	Now         func() time.Time
	SessionIdle time.Duration
	SessionMax  time.Duration
	// LoginFreeFailures, LoginBackoffMax and LoginAccountBackoffMax tune
	// the login throttle (throttle.go); zero means the default.
	LoginFreeFailures      int
	LoginBackoffMax        time.Duration
	LoginAccountBackoffMax time.Duration
	// PointExists, if set, checks the rescue point a liaison account is
	// bound to (the registry lives in package points).
	PointExists func(ctx context.Context, pointID string) bool

	apiKeys keyCache
}

const phoneContext = "users.phone"

// Languages Haven speaks; the first is the default.
var Languages = []string{"zh-CN", "en"}

func (s *Service) now() time.Time { return s.Now().UTC() }

// Login checks a username and password and opens a session. It returns the
// session's token (for the cookie), never stored in clear.
//
// An unknown user, a wrong password and an attempt refused by the login
// throttle (see throttle.go) all return the same error, Unauthorized
// "err.login_failed", after as much work: the throttle is keyed on the
// username as typed, and an unknown user's password is checked against a
// dummy hash. Only the right password of a disabled account gets
// Forbidden "err.account_disabled".
func (s *Service) Login(ctx context.Context, username, password, ip, userAgent string) (token string, sess *Session, u *User, err error) {
	const op = "auth.Login"
	// The name as typed keys the throttle and is stored: keep it valid text
	// for either database.
	username = strings.ReplaceAll(strings.ToValidUTF8(username, "\uFFFD"), "\x00", "")
	username = truncate(strings.TrimSpace(strings.ToLower(username)), 64)
	now := s.now()
	failed := errs.E(errs.Unauthorized, op, "err.login_failed")
	keys := throttleKeys(username, ip)
	u, err = s.Store.UserByUsername(ctx, username)
	if err != nil && !errs.Is(errs.NotFound, err) {
		return "", nil, nil, errs.Wrap(errs.Internal, op, err)
	}
	actor := Actor{Name: username, IP: ip}
	if u != nil && err == nil {
		actor = ActorFor(u, ip)
	} else {
		u = nil
	}
	entry := func(action, detail string) audit.Entry {
		e := actor.Entry(action, "user", actor.UserID)
		e.Detail = detail
		return e
	}
	check := keys
	known, err := s.Store.KnownLoginAddress(ctx, username, ip, now.Add(-KnownAddressFor))
	if err != nil {
		return "", nil, nil, errs.Wrap(errs.Internal, op, err)
	}
	if known {
		check = keys[:2] // the account-wide back-off spares the owner's usual places
	}
	until, err := s.Store.LoginBlockedUntil(ctx, check, now)
	if err != nil {
		return "", nil, nil, errs.Wrap(errs.Internal, op, err)
	}
	if !until.IsZero() {
		// Refused without looking at the password, and not counted: refused
		// attempts never extend the wait.
		if err := s.Audit.AppendAudit(ctx, entry(audit.ActionLoginFailed, "throttled")); err != nil {
			return "", nil, nil, errs.Wrap(errs.Internal, op, err)
		}
		return "", nil, nil, failed
	}
	hash, detail := dummyHash, "unknown user"
	if u != nil {
		hash, detail = u.PasswordHash, "wrong password"
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return "", nil, nil, errs.Wrap(errs.Internal, op, err)
	}
	if !ok || u == nil {
		f := LoginFailure{UserID: actor.UserID, Keys: keys, At: now, Forget: ThrottleForget, Backoff: s.Backoff, AddressShare: s.freeFailures()}
		states, err := s.Store.RecordLoginFailure(ctx, f, entry(audit.ActionLoginFailed, detail))
		if err != nil {
			return "", nil, nil, errs.Wrap(errs.Internal, op, err)
		}
		for _, st := range states {
			if st.BlockedUntil.After(now) {
				if err := s.Audit.AppendAudit(ctx, entry(audit.ActionThrottled, throttleDetail(st, now))); err != nil {
					return "", nil, nil, errs.Wrap(errs.Internal, op, err)
				}
			}
		}
		return "", nil, nil, failed
	}
	if u.Disabled {
		if err := s.Audit.AppendAudit(ctx, entry(audit.ActionLoginFailed, "disabled")); err != nil {
			return "", nil, nil, errs.Wrap(errs.Internal, op, err)
		}
		return "", nil, nil, errs.E(errs.Forbidden, op, "err.account_disabled")
	}
	if err := s.Store.RecordLoginSuccess(ctx, u.ID, keys[0], now); err != nil {
		return "", nil, nil, errs.Wrap(errs.Internal, op, err)
	}
	token = NewToken(32)
	sess = &Session{
		TokenHash:  HashToken(token),
		UserID:     u.ID,
		CSRFToken:  NewToken(32),
		IP:         ip,
		UserAgent:  truncate(userAgent, 200),
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(s.SessionMax),
	}
	if err := s.Store.CreateSession(ctx, sess, actor.Entry(audit.ActionLogin, "user", u.ID)); err != nil {
		return "", nil, nil, errs.Wrap(errs.Internal, op, err)
	}
	return token, sess, u, nil
}

// Authenticate returns the session and user for a session token, enforcing
// idle and absolute timeouts. Errors: Unauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, *User, error) {
	const op = "auth.Authenticate"
	if token == "" || len(token) > 100 {
		return nil, nil, errs.E(errs.Unauthorized, op, "err.login_required")
	}
	sess, err := s.Store.SessionByHash(ctx, HashToken(token))
	if errs.Is(errs.NotFound, err) {
		return nil, nil, errs.E(errs.Unauthorized, op, "err.session_expired")
	}
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, op, err)
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.SessionIdle {
		_ = s.Store.DeleteSession(ctx, sess.TokenHash, audit.Entry{})
		return nil, nil, errs.E(errs.Unauthorized, op, "err.session_expired")
	}
	u, err := s.Store.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, op, err)
	}
	if u.Disabled {
		_ = s.Store.DeleteSession(ctx, sess.TokenHash, audit.Entry{})
		return nil, nil, errs.E(errs.Unauthorized, op, "err.account_disabled")
	}
	// Touch at most once a minute: idle timeouts need no finer grain, and
	// this keeps page views from becoming database writes.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.Store.TouchSession(ctx, sess.TokenHash, now); err != nil {
			return nil, nil, errs.Wrap(errs.Internal, op, err)
		}
		sess.LastSeenAt = now
	}
	return sess, u, nil
}

// ActorFor builds the actor of a signed-in user.
func ActorFor(u *User, ip string) Actor {
	name := strings.TrimSpace(u.DisplayName)
	if name == "" {
		name = u.Username
	}
	return Actor{UserID: u.ID, Name: name, Username: u.Username, Role: u.Role, DepartmentID: u.DepartmentID, PointID: u.PointID, IP: ip}
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, a Actor, token string) error {
	return s.Store.DeleteSession(ctx, HashToken(token), a.Entry(audit.ActionLogout, "user", a.UserID))
}

// ChangePassword changes the actor's own password after checking the old
// one, and signs out every other session of the user.
func (s *Service) ChangePassword(ctx context.Context, a Actor, token, old, new, confirm string) error {
	const op = "auth.ChangePassword"
	if a.UserID == "" {
		return errs.E(errs.Unauthorized, op, "err.login_required")
	}
	u, err := s.Store.UserByID(ctx, a.UserID)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	if ok, err := CheckPassword(u.PasswordHash, old); err != nil {
		return errs.Wrap(errs.Internal, op, err)
	} else if !ok {
		fields["old_password"] = "err.password_wrong"
	}
	if p := PasswordProblem(new, u.Username); p != "" {
		fields["new_password"] = p
	} else if new != confirm {
		fields["confirm_password"] = "err.password_mismatch"
	} else if new == old {
		fields["new_password"] = "err.password_same"
	}
	if len(fields) > 0 {
		return errs.InvalidFields(op, fields)
	}
	h, err := HashPassword(new)
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	now := s.now()
	if err := s.Store.UpdateUser(ctx, u.ID, UserUpdate{PasswordHash: &h, PasswordChangedAt: &now}, a.Entry(audit.ActionPasswordChange, "user", u.ID)); err != nil {
		return err
	}
	return s.Store.DeleteUserSessions(ctx, u.ID, HashToken(token))
}

// SetLanguage remembers the actor's interface language.
func (s *Service) SetLanguage(ctx context.Context, a Actor, lang string) error {
	const op = "auth.SetLanguage"
	if !slices.Contains(Languages, lang) {
		return errs.InvalidFields(op, map[string]string{"lang": "err.invalid_choice"})
	}
	e := a.Entry(audit.ActionLanguage, "user", a.UserID)
	e.Detail = "lang"
	return s.Store.UpdateUser(ctx, a.UserID, UserUpdate{Lang: &lang}, e)
}

// NewUser is the administrator's form for a new account.
type NewUser struct {
	Username     string
	DisplayName  string
	Role         Role
	DepartmentID string
	PointID      string // liaison accounts only
	Phone        string
	Password     string
}

var (
	usernamePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,31}$`)
	phonePattern    = regexp.MustCompile(`^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$`)
)

// ValidPhone reports whether a normalised number is a mainland mobile or
// landline number.
func ValidPhone(p string) bool { return phonePattern.MatchString(p) }

// NormalizePhone removes spaces and a +86 prefix.
func NormalizePhone(p string) string {
	p = strings.Join(strings.Fields(p), "")
	p = strings.TrimPrefix(p, "+86")
	return p
}

func (s *Service) validateProfile(ctx context.Context, fields map[string]string, display string, role Role, dept, point, phone string) {
	if n := utf8.RuneCountInString(strings.TrimSpace(display)); n == 0 {
		fields["display_name"] = "err.required"
	} else if n > 50 {
		fields["display_name"] = "err.too_long"
	}
	if !ValidUserRole(role) {
		fields["role"] = "err.invalid_choice"
	}
	if dept == "" {
		fields["department_id"] = "err.required"
	} else if _, err := s.Store.DepartmentByID(ctx, dept); err != nil {
		fields["department_id"] = "err.invalid_choice"
	}
	if phone != "" && !phonePattern.MatchString(phone) {
		fields["phone"] = "err.phone_format"
	}
	if role == RoleLiaison {
		if point == "" {
			fields["point_id"] = "err.required"
		} else if s.PointExists != nil && !s.PointExists(ctx, point) {
			fields["point_id"] = "err.invalid_choice"
		}
	}
}

// pointOf is the point an account is bound to: a liaison's, nobody
// else's.
func pointOf(role Role, point string) string {
	if role != RoleLiaison {
		return ""
	}
	return point
}

// CreateUser creates an account. Errors: Forbidden, Invalid (fields),
// Exists (username taken, reported as a field error).
func (s *Service) CreateUser(ctx context.Context, a Actor, nu NewUser) (*User, error) {
	const op = "auth.CreateUser"
	if err := a.Require(op, PermUsersManage); err != nil {
		return nil, err
	}
	nu.Username = strings.TrimSpace(strings.ToLower(nu.Username))
	nu.Phone = NormalizePhone(nu.Phone)
	fields := map[string]string{}
	if !usernamePattern.MatchString(nu.Username) {
		fields["username"] = "err.username_format"
	}
	s.validateProfile(ctx, fields, nu.DisplayName, nu.Role, nu.DepartmentID, nu.PointID, nu.Phone)
	if p := PasswordProblem(nu.Password, nu.Username); p != "" {
		fields["password"] = p
	}
	if len(fields) > 0 {
		return nil, errs.InvalidFields(op, fields)
	}
	h, err := HashPassword(nu.Password)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	sealed, err := s.Keys.Seal(phoneContext, nu.Phone)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	now := s.now()
	u := &User{
		ID: id.New(), Username: nu.Username, DisplayName: strings.TrimSpace(nu.DisplayName), Role: nu.Role,
		DepartmentID: nu.DepartmentID, PointID: pointOf(nu.Role, nu.PointID), PhoneSealed: sealed, Lang: Languages[0], PasswordHash: h,
		PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now,
	}
	err = s.Store.CreateUser(ctx, u, a.Entry(audit.ActionUserCreate, "user", u.ID))
	if errs.Is(errs.Exists, err) {
		return nil, errs.InvalidFields(op, map[string]string{"username": "err.username_taken"})
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ListUsers returns every account (no personal identifiers are opened).
func (s *Service) ListUsers(ctx context.Context, a Actor) ([]*User, error) {
	if err := a.Require("auth.ListUsers", PermUsersView); err != nil {
		return nil, err
	}
	return s.Store.ListUsers(ctx)
}

// Colleague is a user as team rosters show them: no phone number.
type Colleague struct {
	ID           string
	Username     string
	DisplayName  string
	Role         Role
	DepartmentID string
	Disabled     bool
}

// Colleagues lists users for choosing team members.
func (s *Service) Colleagues(ctx context.Context, a Actor) ([]Colleague, error) {
	if err := a.RequireAny("auth.Colleagues", PermUsersView, PermTeamsManage); err != nil {
		return nil, err
	}
	us, err := s.Store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Colleague, 0, len(us))
	for _, u := range us {
		out = append(out, Colleague{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, DepartmentID: u.DepartmentID, Disabled: u.Disabled})
	}
	return out, nil
}

// Names maps usernames to display names, for the pages and printed forms
// that say who recorded something (records keep the username): any
// signed-in user may read them.
func (s *Service) Names(ctx context.Context, a Actor) (map[string]string, error) {
	if a.Role == "" {
		return nil, errs.E(errs.Unauthorized, "auth.Names", "err.login_required")
	}
	us, err := s.Store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(us))
	for _, u := range us {
		out[u.Username] = u.DisplayName
	}
	return out, nil
}

// UserView is a user with personal identifiers opened for display.
type UserView struct {
	*User
	Phone string
}

// ViewUser opens a user's record, including the phone number, and audits
// the read.
func (s *Service) ViewUser(ctx context.Context, a Actor, userID string) (*UserView, error) {
	const op = "auth.ViewUser"
	if err := a.Require(op, PermUsersView); err != nil {
		return nil, err
	}
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	phone, err := s.Keys.Open(phoneContext, u.PhoneSealed)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry(audit.ActionUserView, "user", u.ID)); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return &UserView{User: u, Phone: phone}, nil
}

// UserEdit is the administrator's edit form.
type UserEdit struct {
	DisplayName  string
	Role         Role
	DepartmentID string
	PointID      string // liaison accounts only
	Phone        string
}

// UpdateUser changes a user's profile; the audit row names changed fields.
func (s *Service) UpdateUser(ctx context.Context, a Actor, userID string, ed UserEdit) error {
	const op = "auth.UpdateUser"
	if err := a.Require(op, PermUsersManage); err != nil {
		return err
	}
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	ed.Phone = NormalizePhone(ed.Phone)
	ed.DisplayName = strings.TrimSpace(ed.DisplayName)
	fields := map[string]string{}
	s.validateProfile(ctx, fields, ed.DisplayName, ed.Role, ed.DepartmentID, ed.PointID, ed.Phone)
	if u.ID == a.UserID && ed.Role != u.Role {
		fields["role"] = "err.own_role"
	}
	if len(fields) > 0 {
		return errs.InvalidFields(op, fields)
	}
	oldPhone, err := s.Keys.Open(phoneContext, u.PhoneSealed)
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	var upd UserUpdate
	var changed []string
	if ed.DisplayName != u.DisplayName {
		upd.DisplayName = &ed.DisplayName
		changed = append(changed, "display_name")
	}
	if ed.Role != u.Role {
		upd.Role = &ed.Role
		changed = append(changed, "role")
	}
	if ed.DepartmentID != u.DepartmentID {
		upd.DepartmentID = &ed.DepartmentID
		changed = append(changed, "department_id")
	}
	if p := pointOf(ed.Role, ed.PointID); p != u.PointID {
		upd.PointID = &p
		changed = append(changed, "point_id")
	}
	if ed.Phone != oldPhone {
		sealed, err := s.Keys.Seal(phoneContext, ed.Phone)
		if err != nil {
			return errs.Wrap(errs.Internal, op, err)
		}
		upd.PhoneSealed = &sealed
		changed = append(changed, "phone")
	}
	if len(changed) == 0 {
		return nil
	}
	e := a.Entry(audit.ActionUserUpdate, "user", u.ID)
	e.Detail = strings.Join(changed, ",")
	return s.Store.UpdateUser(ctx, u.ID, upd, e)
}

// SetDisabled disables or re-enables an account; disabling signs it out.
func (s *Service) SetDisabled(ctx context.Context, a Actor, userID string, disabled bool) error {
	const op = "auth.SetDisabled"
	if err := a.Require(op, PermUsersManage); err != nil {
		return err
	}
	if userID == a.UserID {
		return errs.E(errs.Conflict, op, "err.own_account")
	}
	if _, err := s.Store.UserByID(ctx, userID); err != nil {
		return err
	}
	action := audit.ActionUserEnable
	if disabled {
		action = audit.ActionUserDisable
	}
	if err := s.Store.UpdateUser(ctx, userID, UserUpdate{Disabled: &disabled, ClearFailures: !disabled}, a.Entry(action, "user", userID)); err != nil {
		return err
	}
	if disabled {
		return s.Store.DeleteUserSessions(ctx, userID, "")
	}
	return nil
}

// ResetPassword sets a new password chosen by an administrator, forgets
// the account's failed sign-ins and signs it out everywhere.
func (s *Service) ResetPassword(ctx context.Context, a Actor, userID, password string) error {
	const op = "auth.ResetPassword"
	if err := a.Require(op, PermUsersManage); err != nil {
		return err
	}
	u, err := s.Store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if p := PasswordProblem(password, u.Username); p != "" {
		return errs.InvalidFields(op, map[string]string{"password": p})
	}
	h, err := HashPassword(password)
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	now := s.now()
	if err := s.Store.UpdateUser(ctx, userID, UserUpdate{PasswordHash: &h, PasswordChangedAt: &now, ClearFailures: true}, a.Entry(audit.ActionUserPassword, "user", userID)); err != nil {
		return err
	}
	return s.Store.DeleteUserSessions(ctx, userID, "")
}

// CreateDepartment adds a department. Errors: Forbidden, Invalid.
func (s *Service) CreateDepartment(ctx context.Context, a Actor, d Department) (*Department, error) {
	const op = "auth.CreateDepartment"
	if err := a.Require(op, PermDeptManage); err != nil {
		return nil, err
	}
	d.Name = strings.TrimSpace(d.Name)
	d.NameEn = strings.TrimSpace(d.NameEn)
	fields := map[string]string{}
	if n := utf8.RuneCountInString(d.Name); n == 0 {
		fields["name"] = "err.required"
	} else if n > 60 {
		fields["name"] = "err.too_long"
	}
	if utf8.RuneCountInString(d.NameEn) > 100 {
		fields["name_en"] = "err.too_long"
	}
	if !slices.Contains(DepartmentKinds, d.Kind) {
		fields["kind"] = "err.invalid_choice"
	}
	if d.Lat < -90 || d.Lat > 90 || d.Lng < -180 || d.Lng > 180 {
		fields["lat"] = "err.coordinates"
	}
	if len(fields) > 0 {
		return nil, errs.InvalidFields(op, fields)
	}
	d.ID = id.New()
	d.CreatedAt = s.now()
	err := s.Store.CreateDepartment(ctx, &d, a.Entry(audit.ActionDeptCreate, "department", d.ID))
	if errs.Is(errs.Exists, err) {
		return nil, errs.InvalidFields(op, map[string]string{"name": "err.name_taken"})
	}
	return &d, err
}

// ListDepartments is open to every signed-in user: department names are
// not personal data.
func (s *Service) ListDepartments(ctx context.Context, a Actor) ([]*Department, error) {
	if err := a.Require("auth.ListDepartments", PermHome); err != nil && !a.Can(PermPartnerAPI) {
		return nil, err
	}
	return s.Store.ListDepartments(ctx)
}

// CreateAPIKey makes a key for a partner system and returns it in full,
// once; only its hash is stored.
func (s *Service) CreateAPIKey(ctx context.Context, a Actor, name string, scopes []string, departmentID string) (string, *APIKey, error) {
	return s.CreateAPIKeyWithValue(ctx, a, name, scopes, departmentID, "")
}

// CreateAPIKeyWithValue is CreateAPIKey with a key chosen by the caller
// (the demo's HAVEN_DEMO_API_KEY); "" generates one.
func (s *Service) CreateAPIKeyWithValue(ctx context.Context, a Actor, name string, scopes []string, departmentID, given string) (string, *APIKey, error) {
	const op = "auth.CreateAPIKey"
	if err := a.Require(op, PermAPIKeysManage); err != nil {
		return "", nil, err
	}
	name = strings.TrimSpace(name)
	fields := map[string]string{}
	if n := utf8.RuneCountInString(name); n == 0 {
		fields["name"] = "err.required"
	} else if n > 60 {
		fields["name"] = "err.too_long"
	}
	if len(scopes) == 0 {
		fields["scopes"] = "err.required"
	}
	for _, sc := range scopes {
		if !slices.Contains(APIKeyScopes, sc) {
			fields["scopes"] = "err.invalid_choice"
		}
	}
	if departmentID != "" {
		if _, err := s.Store.DepartmentByID(ctx, departmentID); err != nil {
			fields["department_id"] = "err.invalid_choice"
		}
	}
	if len(fields) > 0 {
		return "", nil, errs.InvalidFields(op, fields)
	}
	full, prefix := newAPIKey()
	if given != "" {
		if !validKeyText(given) {
			return "", nil, errs.InvalidFields(op, map[string]string{"key": "err.api_key"})
		}
		full, prefix = given, HashToken(given)[:8]
	}
	k := &APIKey{
		ID: id.New(), Name: name, Prefix: prefix, Hash: HashToken(full), Scopes: slices.Sorted(slices.Values(scopes)),
		DepartmentID: departmentID, CreatedBy: a.UserID, CreatedAt: s.now(),
	}
	if err := s.Store.CreateAPIKey(ctx, k, a.Entry(audit.ActionKeyCreate, "api_key", k.ID)); err != nil {
		return "", nil, err
	}
	return full, k, nil
}

// ListAPIKeys lists partner keys (never their secrets).
func (s *Service) ListAPIKeys(ctx context.Context, a Actor) ([]*APIKey, error) {
	if err := a.Require("auth.ListAPIKeys", PermAPIKeysManage); err != nil {
		return nil, err
	}
	return s.Store.ListAPIKeys(ctx)
}

// RevokeAPIKey stops a key from working at once.
func (s *Service) RevokeAPIKey(ctx context.Context, a Actor, keyID string) error {
	const op = "auth.RevokeAPIKey"
	if err := a.Require(op, PermAPIKeysManage); err != nil {
		return err
	}
	err := s.Store.RevokeAPIKey(ctx, keyID, s.now(), a.Entry(audit.ActionKeyRevoke, "api_key", keyID))
	s.apiKeys.clear()
	return err
}

// AuthenticateAPIKey returns the partner actor for a presented key.
// Errors: Unauthorized for a malformed, unknown or revoked key only;
// Unavailable when the store cannot be asked (the key may well be valid, so
// the caller must say "retry later", never "invalid key").
func (s *Service) AuthenticateAPIKey(ctx context.Context, key, ip string) (Actor, error) {
	const op = "auth.AuthenticateAPIKey"
	if !validKeyText(key) {
		return Actor{}, errs.E(errs.Unauthorized, op, "err.api_key")
	}
	now := s.now()
	hash := HashToken(key)
	k, err := s.apiKeys.load(ctx, hash, now, func() (*APIKey, error) {
		k, err := s.Store.APIKeyByHash(ctx, hash)
		if err == nil && now.Sub(k.LastUsedAt) > time.Minute {
			_ = s.Store.TouchAPIKey(ctx, k.ID, now)
		}
		return k, err
	})
	switch {
	case errs.Is(errs.NotFound, err):
		return Actor{}, errs.E(errs.Unauthorized, op, "err.api_key")
	case errs.Is(errs.Unavailable, err), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return Actor{}, errs.Wrap(errs.Unavailable, op, err)
	case err != nil:
		return Actor{}, errs.Wrap(errs.Internal, op, err)
	}
	if k.Revoked() {
		return Actor{}, errs.E(errs.Unauthorized, op, "err.api_key")
	}
	return Actor{UserID: k.ID, Name: k.Name, Username: "apikey:" + k.Name, Role: RolePartner, DepartmentID: k.DepartmentID, IP: ip, Scopes: k.Scopes}, nil
}

// BrowseAudit lists audit entries for an administrator, with a label for
// each record they name (audit.Store.RecordLabels); browsing is itself
// audited.
func (s *Service) BrowseAudit(ctx context.Context, a Actor, f audit.Filter) ([]audit.Entry, map[string]string, error) {
	const op = "auth.BrowseAudit"
	if err := a.Require(op, PermAuditRead); err != nil {
		return nil, nil, err
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry(audit.ActionAuditView, "audit", "")); err != nil {
		return nil, nil, errs.Wrap(errs.Internal, op, err)
	}
	entries, err := s.Audit.ListAudit(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.IDs()...)
	}
	slices.Sort(ids)
	labels, err := s.Audit.RecordLabels(ctx, slices.Compact(ids))
	return entries, labels, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}
