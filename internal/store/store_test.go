package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 28, 9, 30, 15, 123456000, time.UTC)

func station(t *testing.T, db *store.DB) *auth.Department {
	t.Helper()
	d := &auth.Department{ID: id.New(), Name: "新乡市救助管理站", NameEn: "Xinxiang Relief Station", Kind: "station", Address: "新乡市红旗区", Lat: 35.30, Lng: 113.92, CreatedAt: t0}
	if err := store.CreateDepartmentForTest(t, db, d); err != nil {
		t.Fatal(err)
	}
	return d
}

func newUser(dept string, name string) *auth.User {
	return &auth.User{ID: id.New(), Username: name, DisplayName: "张三", Role: auth.RoleStaff, DepartmentID: dept,
		Lang: "zh-CN", PasswordHash: "$argon2id$x", PasswordChangedAt: t0, CreatedAt: t0, UpdatedAt: t0}
}

func TestMigrationsFromEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cur, target, err := db.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cur != target || cur < 1 {
			t.Fatalf("version %d of %d after migrating", cur, target)
		}
		if err := db.Ready(ctx); err != nil {
			t.Fatalf("Ready: %v", err)
		}
		// Migrating again is a no-op.
		if n, err := db.Migrate(ctx); err != nil || n != 0 {
			t.Fatalf("second Migrate = %d, %v", n, err)
		}
	})
}

func TestUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := station(t, db)
		u := newUser(d.ID, "zhang")
		e := audit.Entry{ActorName: "cli", Action: audit.ActionUserCreate, RecordType: "user", RecordID: u.ID}
		if err := db.CreateUser(ctx, u, e); err != nil {
			t.Fatal(err)
		}
		got, err := db.UserByUsername(ctx, "zhang")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != u.ID || got.DisplayName != "张三" || got.Role != auth.RoleStaff || !got.CreatedAt.Equal(t0) || got.CreatedAt.Location() != time.UTC {
			t.Fatalf("round trip: %+v", got)
		}
		if got.FailedLogins != 0 || got.Disabled {
			t.Fatalf("new user locked or disabled: %+v", got)
		}
		dup := newUser(d.ID, "zhang")
		if err := db.CreateUser(ctx, dup, audit.Entry{}); !errs.Is(errs.Exists, err) {
			t.Fatalf("duplicate username: %v, want Exists", err)
		}
		bad := newUser(id.New(), "li")
		if err := db.CreateUser(ctx, bad, audit.Entry{}); !errs.Is(errs.Invalid, err) {
			t.Fatalf("unknown department: %v, want Invalid", err)
		}
		if _, err := db.UserByID(ctx, id.New()); !errs.Is(errs.NotFound, err) {
			t.Fatalf("missing user: %v, want NotFound", err)
		}
		if err := db.UpdateUser(ctx, id.New(), auth.UserUpdate{}, audit.Entry{}); !errs.Is(errs.NotFound, err) {
			t.Fatalf("update missing user: %v, want NotFound", err)
		}
		yes := true
		name := "张三丰"
		if err := db.UpdateUser(ctx, u.ID, auth.UserUpdate{Disabled: &yes, DisplayName: &name}, audit.Entry{ActorName: "admin", Action: audit.ActionUserUpdate, RecordType: "user", RecordID: u.ID}); err != nil {
			t.Fatal(err)
		}
		got, _ = db.UserByID(ctx, u.ID)
		if !got.Disabled || got.DisplayName != "张三丰" {
			t.Fatalf("after update: %+v", got)
		}
		// Login failures count per key atomically; the back-off the policy
		// gives starts at once and is seen by LoginBlockedUntil.
		keys := []auth.ThrottleKey{
			{Scope: auth.ScopeAccountAddress, Account: "zhang", Address: "10.0.0.9"},
			{Scope: auth.ScopeAddress, Address: "10.0.0.9"},
		}
		policy := func(k auth.ThrottleKey, n int) time.Duration {
			if k.Scope == auth.ScopeAccountAddress && n >= 3 {
				return time.Duration(n) * time.Minute
			}
			return 0
		}
		at := t0
		for i := 1; i <= 3; i++ {
			at = at.Add(time.Second)
			f := auth.LoginFailure{UserID: u.ID, Keys: keys, At: at, Forget: time.Hour, Backoff: policy}
			sts, err := db.RecordLoginFailure(ctx, f, audit.Entry{Action: audit.ActionLoginFailed, RecordType: "user", RecordID: u.ID})
			if err != nil || len(sts) != 2 || sts[0].Failures != i || sts[1].Failures != i {
				t.Fatalf("failure %d: %+v err=%v", i, sts, err)
			}
			until, err := db.LoginBlockedUntil(ctx, keys, at)
			if err != nil {
				t.Fatal(err)
			}
			if want := (i == 3); !until.IsZero() != want || (want && !until.Equal(at.Add(3*time.Minute))) || !sts[0].BlockedUntil.Equal(until) {
				t.Fatalf("after %d failures blocked until %v (%+v)", i, until, sts)
			}
		}
		got, _ = db.UserByID(ctx, u.ID)
		if got.FailedLogins != 3 {
			t.Fatalf("failed logins on the user: %d", got.FailedLogins)
		}
		// Keys of another account or address are not blocked; nor is this
		// one once its time is past.
		other := []auth.ThrottleKey{{Scope: auth.ScopeAccountAddress, Account: "zhang", Address: "10.0.0.10"}, {Scope: auth.ScopeAccount, Account: "zhang"}}
		if until, _ := db.LoginBlockedUntil(ctx, other, at); !until.IsZero() {
			t.Fatalf("other address blocked until %v", until)
		}
		if until, _ := db.LoginBlockedUntil(ctx, keys, at.Add(3*time.Minute)); !until.IsZero() {
			t.Fatalf("still blocked when the back-off ended: %v", until)
		}
		// A counter quiet for longer than Forget starts again.
		f := auth.LoginFailure{Keys: keys[1:], At: at.Add(2 * time.Hour), Forget: time.Hour, Backoff: policy}
		if sts, err := db.RecordLoginFailure(ctx, f, audit.Entry{}); err != nil || sts[0].Failures != 1 {
			t.Fatalf("forgotten counter: %+v %v", sts, err)
		}
		// A successful sign-in clears its account+address counter only and
		// remembers the address; an
		// administrator's release (ClearFailures) clears the account's.
		if known, err := db.KnownLoginAddress(ctx, "zhang", "10.0.0.9", t0); err != nil || known {
			t.Fatalf("address known before any sign-in: %v %v", known, err)
		}
		if err := db.RecordLoginSuccess(ctx, u.ID, keys[0], at); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordLoginSuccess(ctx, u.ID, keys[0], at); err != nil { // again: an upsert
			t.Fatal(err)
		}
		if known, err := db.KnownLoginAddress(ctx, "zhang", "10.0.0.9", at); err != nil || !known {
			t.Fatalf("address not known after a sign-in: %v %v", known, err)
		}
		if known, _ := db.KnownLoginAddress(ctx, "zhang", "10.0.0.9", at.Add(time.Second)); known {
			t.Fatal("sign-in older than since counted")
		}
		if until, _ := db.LoginBlockedUntil(ctx, keys[:1], at); !until.IsZero() {
			t.Fatalf("cleared counter still blocks until %v", until)
		}
		got, _ = db.UserByID(ctx, u.ID)
		if got.FailedLogins != 0 {
			t.Fatalf("failed logins not reset: %d", got.FailedLogins)
		}
		acct := []auth.ThrottleKey{{Scope: auth.ScopeAccount, Account: "zhang"}}
		if _, err := db.RecordLoginFailure(ctx, auth.LoginFailure{Keys: acct, At: at, Forget: time.Hour,
			Backoff: func(auth.ThrottleKey, int) time.Duration { return time.Hour }}, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		if until, _ := db.LoginBlockedUntil(ctx, acct, at); until.IsZero() {
			t.Fatal("account key not blocked")
		}
		if err := db.UpdateUser(ctx, u.ID, auth.UserUpdate{ClearFailures: true}, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		if until, _ := db.LoginBlockedUntil(ctx, acct, at); !until.IsZero() {
			t.Fatalf("released account still blocked until %v", until)
		}
		// Old quiet counters and addresses are swept; recent ones stay.
		if n, err := db.DeleteLoginThrottleBefore(ctx, at.Add(time.Hour), at); err != nil || n != 0 {
			t.Fatalf("sweep of recent counters: %d %v", n, err)
		}
		if n, err := db.DeleteLoginThrottleBefore(ctx, at.Add(3*time.Hour), at.Add(time.Second)); err != nil || n != 2 {
			t.Fatalf("sweep of quiet counters and addresses: %d %v", n, err)
		}
		// The changes above each wrote one audit row.
		entries, err := db.ListAudit(ctx, audit.Filter{RecordType: "user", RecordID: u.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 5 { // create, update, 3 failures
			t.Fatalf("audit rows for user: %d, want 5: %+v", len(entries), entries)
		}
		all, _ := db.ListUsers(ctx)
		if len(all) != 1 {
			t.Fatalf("ListUsers: %d", len(all))
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := station(t, db)
		u := newUser(d.ID, "wang")
		if err := db.CreateUser(ctx, u, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		mk := func(h string, seen time.Time) {
			s := &auth.Session{TokenHash: h, UserID: u.ID, CSRFToken: "c", CreatedAt: seen, LastSeenAt: seen, ExpiresAt: seen.Add(12 * time.Hour)}
			if err := db.CreateSession(ctx, s, audit.Entry{}); err != nil {
				t.Fatal(err)
			}
		}
		mk("a", t0)
		mk("b", t0)
		mk("c", t0.Add(-24*time.Hour))
		s, err := db.SessionByHash(ctx, "a")
		if err != nil || s.UserID != u.ID || !s.ExpiresAt.Equal(t0.Add(12*time.Hour)) {
			t.Fatalf("SessionByHash: %+v %v", s, err)
		}
		if err := db.TouchSession(ctx, "a", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		s, _ = db.SessionByHash(ctx, "a")
		if !s.LastSeenAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("touch: %v", s.LastSeenAt)
		}
		n, err := db.DeleteSessionsBefore(ctx, t0.Add(-2*time.Hour), t0)
		if err != nil || n != 1 {
			t.Fatalf("DeleteSessionsBefore = %d, %v", n, err)
		}
		if err := db.DeleteUserSessions(ctx, u.ID, "a"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionByHash(ctx, "b"); !errs.Is(errs.NotFound, err) {
			t.Fatalf("b survived DeleteUserSessions: %v", err)
		}
		if _, err := db.SessionByHash(ctx, "a"); err != nil {
			t.Fatalf("kept session gone: %v", err)
		}
	})
}

func TestAPIKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k := &auth.APIKey{ID: id.New(), Name: "12345热线", Prefix: "abcd1234", Hash: "h", Scopes: []string{"intake.read", "intake.write"}, CreatedBy: "u", CreatedAt: t0}
		if err := db.CreateAPIKey(ctx, k, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		got, err := db.APIKeyByHash(ctx, "h")
		if err != nil || len(got.Scopes) != 2 || got.Revoked() || got.DepartmentID != "" {
			t.Fatalf("APIKeyByPrefix: %+v %v", got, err)
		}
		if err := db.RevokeAPIKey(ctx, k.ID, t0, audit.Entry{Action: audit.ActionKeyRevoke}); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeAPIKey(ctx, k.ID, t0, audit.Entry{}); !errs.Is(errs.Conflict, err) {
			t.Fatalf("second revoke: %v, want Conflict", err)
		}
		if err := db.RevokeAPIKey(ctx, id.New(), t0, audit.Entry{}); !errs.Is(errs.NotFound, err) {
			t.Fatalf("revoke unknown: %v, want NotFound", err)
		}
		got, _ = db.APIKeyByHash(ctx, "h")
		if !got.Revoked() {
			t.Fatal("not revoked")
		}
	})
}

func TestAuditAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i, a := range []string{"user.view", "user.create", "auth.login"} {
			e := audit.Entry{At: t0.Add(time.Duration(i) * time.Minute), ActorName: "admin", Action: a, RecordType: "user", RecordID: "r1", IP: "10.0.0.1"}
			if err := db.AppendAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.ListAudit(ctx, audit.Filter{Action: "user."})
		if err != nil || len(got) != 2 {
			t.Fatalf("prefix filter: %d %v", len(got), err)
		}
		if got[0].Action != "user.create" {
			t.Fatalf("newest first: got %s first", got[0].Action)
		}
		got, _ = db.ListAudit(ctx, audit.Filter{Since: t0.Add(time.Minute)})
		if len(got) != 2 {
			t.Fatalf("since filter: %d", len(got))
		}
		got, _ = db.ListAudit(ctx, audit.Filter{Limit: 1})
		if len(got) != 1 {
			t.Fatalf("limit: %d", len(got))
		}
		if err := store.TamperAuditForTest(ctx, db); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("update of audit_log: %v, want Forbidden", err)
		}
		got, _ = db.ListAudit(ctx, audit.Filter{})
		if len(got) != 3 {
			t.Fatalf("rows after tamper attempts: %d", len(got))
		}
	})
}

// The audit log names records by their label when read: a username, a
// department's name; an id nothing holds has none.
func TestAuditRecordLabels(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		d := station(t, db)
		u := newUser(d.ID, "zhaomin")
		if err := db.CreateUser(ctx, u, audit.Entry{ActorName: "cli", Action: audit.ActionUserCreate, RecordType: "user", RecordID: u.ID}); err != nil {
			t.Fatal(err)
		}
		gone := id.New()
		got, err := db.RecordLabels(ctx, []string{u.ID, d.ID, gone})
		if err != nil {
			t.Fatal(err)
		}
		if got[u.ID] != "zhaomin" || got[d.ID] != "新乡市救助管理站" || len(got) != 2 {
			t.Fatalf("labels = %v", got)
		}
		if e := (audit.Entry{RecordID: u.ID, Detail: "team " + gone}); !slices.Equal(e.IDs(), []string{u.ID, gone}) {
			t.Fatalf("ids an entry names = %v", e.IDs())
		}
	})
}

func TestReseal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "k"), t0)
		if err != nil {
			t.Fatal(err)
		}
		d := station(t, db)
		u := newUser(d.ID, "zhao")
		u.PhoneSealed, _ = k.Seal("users.phone", "13800000001")
		if err := db.CreateUser(ctx, u, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		newKey, err := k.Rotate(t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.Reseal(ctx, k, audit.Entry{Action: audit.ActionFieldsRekey})
		if err != nil || n != 1 {
			t.Fatalf("Reseal = %d, %v", n, err)
		}
		got, _ := db.UserByID(ctx, u.ID)
		if kid, _ := secret.KeyOf(got.PhoneSealed); kid != newKey {
			t.Fatalf("sealed with %s, want %s", kid, newKey)
		}
		if p, err := k.Open("users.phone", got.PhoneSealed); err != nil || p != "13800000001" {
			t.Fatalf("open after reseal: %q %v", p, err)
		}
		if n, _ := db.Reseal(ctx, k, audit.Entry{Action: audit.ActionFieldsRekey}); n != 0 {
			t.Fatalf("second Reseal changed %d", n)
		}
	})
}

// TestResealReachesEverySealedColumn fails when a capability adds a
// sealed column that key rotation does not re-encrypt.
func TestResealReachesEverySealedColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		cols, err := store.EncColumnsForTest(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		if len(cols) == 0 {
			t.Fatal("no sealed columns found in the schema")
		}
		listed := store.SealedColumns()
		for _, c := range cols {
			if !slices.Contains(listed, c) {
				t.Errorf("sealed column %s is not re-encrypted by key rotation", c)
			}
		}
	})
}

func TestBackupSQLite(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	d := station(t, db)
	if err := db.CreateUser(ctx, newUser(d.ID, "backup"), audit.Entry{}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "b.db")
	if err := db.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, out); err == nil {
		t.Fatal("backup over an existing file succeeded")
	}
	if err := store.VerifySQLite(ctx, out); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := store.Restore(ctx, out, dir, t0); err != nil {
		t.Fatal(err)
	}
	restored, err := store.Open(ctx, store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if err := restored.Ready(ctx); err != nil {
		t.Fatalf("restored database not ready: %v", err)
	}
	if u, err := restored.UserByUsername(ctx, "backup"); err != nil || u.DepartmentID != d.ID {
		t.Fatalf("user in backup: %v %v", u, err)
	}
}
