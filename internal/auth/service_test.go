package auth_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type fixture struct {
	svc   *auth.Service
	db    *store.DB
	clk   *clock
	admin auth.Actor
	dept  *auth.Department
}

func setupFuzz(f *testing.F, db *store.DB) *fixture { return newFixture(f, db) }

func setup(t *testing.T, db *store.DB) *fixture { return newFixture(t, db) }

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	clk := &clock{time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)}
	keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), clk.t)
	if err != nil {
		t.Fatal(err)
	}
	svc := &auth.Service{Store: db, Audit: db, Keys: keys, Now: clk.now,
		SessionIdle: 30 * time.Minute, SessionMax: 8 * time.Hour}
	f := &fixture{svc: svc, db: db, clk: clk, admin: auth.CLIActor()}
	f.dept, err = svc.CreateDepartment(context.Background(), f.admin, auth.Department{Name: "新乡市救助管理站", Kind: "station"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) user(t *testing.T, name string, role auth.Role) *auth.User {
	t.Helper()
	u, err := f.svc.CreateUser(context.Background(), f.admin, auth.NewUser{Username: name, DisplayName: "测试" + name, Role: role,
		DepartmentID: f.dept.ID, Phone: "138 3730 0001", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPasswordHash(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash format: %s", h)
	}
	h2, _ := auth.HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	if ok, err := auth.CheckPassword(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := auth.CheckPassword(h, "correct horse batterY"); ok {
		t.Fatal("wrong password accepted")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA", "$2a$10$abc", strings.Replace(h, "m=65536", "m=99999999", 1)} {
		if _, err := auth.CheckPassword(bad, "x"); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func FuzzCheckPassword(f *testing.F) {
	h, _ := auth.HashPassword("x")
	f.Add(h, "x")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "y")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		_, _ = auth.CheckPassword(hash, pw) // must not panic or hang
	})
}

func FuzzAuthenticateAPIKey(f *testing.F) {
	db := storetest.OpenSQLite(f)
	fx := setupFuzz(f, db)
	good, _, err := fx.svc.CreateAPIKey(context.Background(), fx.admin, "12345", []string{"intake.write"}, "")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("hvn_")
	f.Add(strings.Repeat("x", 300))
	f.Fuzz(func(t *testing.T, key string) {
		a, err := fx.svc.AuthenticateAPIKey(context.Background(), key, "ip")
		if err == nil && key != good {
			t.Fatalf("accepted %q as %+v", key, a)
		}
	})
}

func TestLoginLockoutAndExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		f.user(t, "wang", auth.RoleDispatcher)

		if _, _, _, err := f.svc.Login(ctx, "nobody", "x", "10.1.1.1", "ua"); !errs.Is(errs.Unauthorized, err) || errs.MessageOf(err) != "err.login_failed" {
			t.Fatalf("unknown user: %v", err)
		}
		tok, sess, u, err := f.svc.Login(ctx, " WANG ", "correct horse battery", "10.1.1.1", "ua")
		if err != nil {
			t.Fatal(err)
		}
		if sess.TokenHash == tok || len(tok) < 40 {
			t.Fatal("session token stored in clear or too short")
		}
		if _, got, err := f.svc.Authenticate(ctx, tok); err != nil || got.ID != u.ID {
			t.Fatalf("Authenticate: %v", err)
		}
		// Idle timeout.
		f.clk.t = f.clk.t.Add(29 * time.Minute)
		if _, _, err := f.svc.Authenticate(ctx, tok); err != nil {
			t.Fatalf("within idle timeout: %v", err)
		}
		f.clk.t = f.clk.t.Add(31 * time.Minute)
		if _, _, err := f.svc.Authenticate(ctx, tok); !errs.Is(errs.Unauthorized, err) {
			t.Fatalf("after idle timeout: %v", err)
		}
		// Absolute timeout, even when active.
		tok, _, _, _ = f.svc.Login(ctx, "wang", "correct horse battery", "10.1.1.1", "ua")
		for i := 0; i < 20; i++ {
			f.clk.t = f.clk.t.Add(29 * time.Minute)
			_, _, err = f.svc.Authenticate(ctx, tok)
			if err != nil {
				break
			}
		}
		if !errs.Is(errs.Unauthorized, err) {
			t.Fatal("active session outlived the absolute timeout")
		}
		// Failures on one address slow that address down (see
		// TestLoginThrottle*); a success clears the user's count.
		for i := 0; i < 3; i++ {
			if _, _, _, err := f.svc.Login(ctx, "wang", "wrong", "10.1.1.2", "ua"); !errs.Is(errs.Unauthorized, err) {
				t.Fatalf("wrong password: %v", err)
			}
		}
		if got, _ := db.UserByUsername(ctx, "wang"); got.FailedLogins != 3 {
			t.Fatalf("failed logins: %d", got.FailedLogins)
		}
		if _, _, _, err := f.svc.Login(ctx, "wang", "correct horse battery", "10.1.1.2", "ua"); err != nil {
			t.Fatalf("right password after 3 failures: %v", err)
		}
		got, _ := db.UserByUsername(ctx, "wang")
		if got.FailedLogins != 0 {
			t.Fatalf("failed logins not reset: %d", got.FailedLogins)
		}
		entries, _ := db.ListAudit(ctx, audit.Filter{Action: audit.ActionLoginFailed})
		if len(entries) != 4 { // unknown user, 3 wrong
			t.Fatalf("failed-login audit rows: %d", len(entries))
		}
	})
}

func TestDisableAndPasswordChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		u := f.user(t, "liming", auth.RoleStaff)
		tok1, _, _, _ := f.svc.Login(ctx, "liming", "correct horse battery", "ip", "ua")
		tok2, _, _, _ := f.svc.Login(ctx, "liming", "correct horse battery", "ip", "ua")
		me := auth.ActorFor(u, "ip")
		err := f.svc.ChangePassword(ctx, me, tok1, "wrong", "short", "x")
		fields := errs.FieldsOf(err)
		if fields["old_password"] != "err.password_wrong" || fields["new_password"] != "err.password_short" {
			t.Fatalf("field errors: %v", fields)
		}
		if err := f.svc.ChangePassword(ctx, me, tok1, "correct horse battery", "a new long password", "a new long password"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, tok1); err != nil {
			t.Fatalf("current session ended by own password change: %v", err)
		}
		if _, _, err := f.svc.Authenticate(ctx, tok2); !errs.Is(errs.Unauthorized, err) {
			t.Fatalf("other session survived password change: %v", err)
		}
		if err := f.svc.SetDisabled(ctx, f.admin, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, tok1); !errs.Is(errs.Unauthorized, err) {
			t.Fatalf("disabled user still signed in: %v", err)
		}
		if _, _, _, err := f.svc.Login(ctx, "liming", "a new long password", "ip", "ua"); errs.MessageOf(err) != "err.account_disabled" {
			t.Fatalf("disabled login: %v", err)
		}
		if err := f.svc.SetDisabled(ctx, me, u.ID, false); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("staff enabling a user: %v", err)
		}
	})
}

func TestUserValidationAndView(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		_, err := f.svc.CreateUser(ctx, f.admin, auth.NewUser{Username: "X", Role: "boss", Phone: "12", Password: "x"})
		want := map[string]string{"username": "err.username_format", "display_name": "err.required", "role": "err.invalid_choice",
			"department_id": "err.required", "phone": "err.phone_format", "password": "err.password_short"}
		got := errs.FieldsOf(err)
		for k, v := range want {
			if got[k] != v {
				t.Errorf("field %s: %q, want %q", k, got[k], v)
			}
		}
		u := f.user(t, "zhao", auth.RoleStaff)
		if strings.Contains(u.PhoneSealed, "13837300001") {
			t.Fatal("phone stored in clear")
		}
		_, err = f.svc.CreateUser(ctx, f.admin, auth.NewUser{Username: "zhao", DisplayName: "x", Role: auth.RoleStaff, DepartmentID: f.dept.ID, Password: "long enough pw"})
		if errs.FieldsOf(err)["username"] != "err.username_taken" {
			t.Fatalf("duplicate: %v", err)
		}
		staff := auth.ActorFor(u, "ip")
		if _, err := f.svc.ViewUser(ctx, staff, u.ID); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("staff viewing users: %v", err)
		}
		v, err := f.svc.ViewUser(ctx, f.admin, u.ID)
		if err != nil || v.Phone != "13837300001" {
			t.Fatalf("ViewUser: %+v %v", v, err)
		}
		rows, _ := db.ListAudit(ctx, audit.Filter{Action: audit.ActionUserView, RecordID: u.ID})
		if len(rows) != 1 {
			t.Fatalf("view audit rows: %d", len(rows))
		}
		if err := f.svc.UpdateUser(ctx, f.admin, u.ID, auth.UserEdit{DisplayName: "赵敏", Role: auth.RoleMedical, DepartmentID: f.dept.ID, Phone: "13837300001"}); err != nil {
			t.Fatal(err)
		}
		rows, _ = db.ListAudit(ctx, audit.Filter{Action: audit.ActionUserUpdate, RecordID: u.ID})
		if len(rows) != 1 || rows[0].Detail != "display_name,role" {
			t.Fatalf("update audit: %+v", rows)
		}

		// A liaison account is bound to a point that exists; the binding
		// reaches its actor, and leaves with the role.
		f.svc.PointExists = func(_ context.Context, id string) bool { return id == "point-1" }
		for point, want := range map[string]string{"": "err.required", "point-9": "err.invalid_choice"} {
			_, err := f.svc.CreateUser(ctx, f.admin, auth.NewUser{Username: "sun", DisplayName: "孙丽", Role: auth.RoleLiaison, DepartmentID: f.dept.ID,
				PointID: point, Password: "long enough pw"})
			if errs.FieldsOf(err)["point_id"] != want {
				t.Errorf("liaison with point %q: %v", point, err)
			}
		}
		l, err := f.svc.CreateUser(ctx, f.admin, auth.NewUser{Username: "sun", DisplayName: "孙丽", Role: auth.RoleLiaison, DepartmentID: f.dept.ID,
			PointID: "point-1", Password: "long enough pw"})
		if err != nil {
			t.Fatal(err)
		}
		if l, _ = db.UserByID(ctx, l.ID); auth.ActorFor(l, "").PointID != "point-1" {
			t.Fatalf("the liaison's actor is bound to %q", auth.ActorFor(l, "").PointID)
		}
		if err := f.svc.UpdateUser(ctx, f.admin, l.ID, auth.UserEdit{DisplayName: "孙丽", Role: auth.RoleStaff, DepartmentID: f.dept.ID, PointID: "point-1"}); err != nil {
			t.Fatal(err)
		}
		if l, _ = db.UserByID(ctx, l.ID); l.PointID != "" {
			t.Fatalf("a staff account kept the point %q", l.PointID)
		}
	})
}

func TestAPIKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		if _, _, err := f.svc.CreateAPIKeyWithValue(ctx, f.admin, "演示", []string{"open311"}, "", "short"); errs.FieldsOf(err)["key"] == "" {
			t.Fatalf("short chosen key accepted: %v", err)
		}
		demoKey, _, err := f.svc.CreateAPIKeyWithValue(ctx, f.admin, "演示", []string{"open311"}, "", "demo-api-key-2026-xinxiang")
		if err != nil || demoKey != "demo-api-key-2026-xinxiang" {
			t.Fatalf("chosen key: %v", err)
		}
		if a, err := f.svc.AuthenticateAPIKey(ctx, demoKey, "ip"); err != nil || a.Scopes[0] != "open311" {
			t.Fatalf("chosen key does not authenticate: %v", err)
		}
		if _, _, err := f.svc.CreateAPIKey(ctx, f.admin, "", []string{"nope"}, ""); len(errs.FieldsOf(err)) != 2 {
			t.Fatalf("invalid key form: %v", err)
		}
		full, k, err := f.svc.CreateAPIKey(ctx, f.admin, "12345热线", []string{"intake.write", "intake.read"}, f.dept.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := db.APIKeyByHash(ctx, auth.HashToken(full))
		if strings.Contains(stored.Hash, full) || stored.Hash != auth.HashToken(full) {
			t.Fatal("key not stored as its hash")
		}
		a, err := f.svc.AuthenticateAPIKey(ctx, full, "10.0.0.5")
		if err != nil || a.Role != auth.RolePartner || len(a.Scopes) != 2 || a.DepartmentID != f.dept.ID {
			t.Fatalf("AuthenticateAPIKey: %+v %v", a, err)
		}
		if a.Can(auth.PermUsersView) || !a.Can(auth.PermPartnerAPI) {
			t.Fatal("partner permissions wrong")
		}
		tampered := full[:len(full)-1] + "x"
		if full[len(full)-1] == 'x' {
			tampered = full[:len(full)-1] + "y"
		}
		for _, bad := range []string{"", "hvn_", tampered, "Bearer " + full} {
			if _, err := f.svc.AuthenticateAPIKey(ctx, bad, "ip"); !errs.Is(errs.Unauthorized, err) {
				t.Errorf("key %q accepted: %v", bad, err)
			}
		}
		if err := f.svc.RevokeAPIKey(ctx, f.admin, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AuthenticateAPIKey(ctx, full, "ip"); !errs.Is(errs.Unauthorized, err) {
			t.Fatalf("revoked key accepted: %v", err)
		}

		// A key revoked by another node (straight in the store) stops
		// working once this node's cached copy expires.
		other, k2, err := f.svc.CreateAPIKey(ctx, f.admin, "110指挥中心", []string{"intake.write"}, f.dept.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AuthenticateAPIKey(ctx, other, "ip"); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeAPIKey(ctx, k2.ID, f.clk.now(), f.admin.Entry(audit.ActionKeyRevoke, "api_key", k2.ID)); err != nil {
			t.Fatal(err)
		}
		f.clk.t = f.clk.t.Add(6 * time.Second)
		if _, err := f.svc.AuthenticateAPIKey(ctx, other, "ip"); !errs.Is(errs.Unauthorized, err) {
			t.Fatalf("key revoked elsewhere still accepted after the cache time: %v", err)
		}
	})
}

func TestPermissionMatrix(t *testing.T) {
	for _, r := range auth.Roles {
		if !auth.RoleCan(r, auth.PermHome) {
			t.Errorf("%s cannot see home", r)
		}
		admin := r == auth.RoleAdmin
		for _, p := range []auth.Permission{auth.PermUsersManage, auth.PermUsersView, auth.PermAuditRead, auth.PermAPIKeysManage, auth.PermDeptManage} {
			if auth.RoleCan(r, p) != admin {
				t.Errorf("RoleCan(%s, %s) = %v", r, p, !admin)
			}
		}
	}
	if auth.RoleCan(auth.RolePartner, auth.PermHome) {
		t.Error("partner systems can use the web UI")
	}
}

// BenchmarkHashPassword measures argon2id at Haven's parameters: the cost
// of one login, and the rate at which one core can guess passwords.
func BenchmarkHashPassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := auth.HashPassword("correct horse battery"); err != nil {
			b.Fatal(err)
		}
	}
}

// downStore is a store whose key and session reads fail as a database that
// cannot be reached does.
type downStore struct {
	auth.Store
	down bool
}

func (d *downStore) APIKeyByHash(ctx context.Context, hash string) (*auth.APIKey, error) {
	if d.down {
		return nil, errs.Wrap(errs.Unavailable, "store.APIKeyByHash", errors.New("connection refused"))
	}
	return d.Store.APIKeyByHash(ctx, hash)
}

func (d *downStore) SessionByHash(ctx context.Context, hash string) (*auth.Session, error) {
	if d.down {
		return nil, errs.Wrap(errs.Unavailable, "store.SessionByHash", errors.New("connection refused"))
	}
	return d.Store.SessionByHash(ctx, hash)
}

// A valid key presented while the database is down is "retry later", never
// "invalid key"; a key that is truly unknown stays Unauthorized.
func TestAuthenticateWhileStoreDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		f.user(t, "outage", auth.RoleStaff)
		full, _, err := f.svc.CreateAPIKey(ctx, f.admin, "12345热线", []string{"intake.write"}, f.dept.ID)
		if err != nil {
			t.Fatal(err)
		}
		token, _, _, err := f.svc.Login(ctx, "outage", "correct horse battery", "ip", "ua")
		if err != nil {
			t.Fatal(err)
		}
		ds := &downStore{Store: db, down: true}
		f.svc.Store = ds
		if _, err := f.svc.AuthenticateAPIKey(ctx, full, "ip"); !errs.Is(errs.Unavailable, err) {
			t.Fatalf("valid key with the store down: %v, want unavailable", err)
		}
		if _, _, err := f.svc.Authenticate(ctx, token); !errs.Is(errs.Unavailable, err) {
			t.Fatalf("session with the store down: %v, want unavailable", err)
		}
		ds.down = false
		if _, err := f.svc.AuthenticateAPIKey(ctx, full, "ip"); err != nil {
			t.Fatalf("valid key once the store is back: %v", err)
		}
		if _, err := f.svc.AuthenticateAPIKey(ctx, "hvn_"+strings.Repeat("a", 40), "ip"); !errs.Is(errs.Unauthorized, err) {
			t.Fatalf("unknown key: %v", err)
		}
	})
}
