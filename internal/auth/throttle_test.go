package auth_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

const rightPassword = "correct horse battery"

func TestBackoff(t *testing.T) {
	s := &auth.Service{} // defaults: 5 free, 15 min, 1 min for the account
	pair := auth.ThrottleKey{Scope: auth.ScopeAccountAddress}
	addr := auth.ThrottleKey{Scope: auth.ScopeAddress}
	acct := auth.ThrottleKey{Scope: auth.ScopeAccount}
	for _, c := range []struct {
		k    auth.ThrottleKey
		n    int
		want time.Duration
	}{
		{pair, 1, 0}, {pair, 5, 0}, {pair, 6, time.Second}, {pair, 7, 2 * time.Second}, {pair, 15, 512 * time.Second},
		{pair, 16, 15 * time.Minute}, {pair, 100, 15 * time.Minute}, {pair, 1 << 30, 15 * time.Minute},
		{addr, 20, 0}, {addr, 21, time.Second}, {addr, 1000, 15 * time.Minute},
		{acct, 50, 0}, {acct, 51, time.Second}, {acct, 56, 32 * time.Second}, {acct, 57, time.Minute}, {acct, 1 << 20, time.Minute},
	} {
		if got := s.Backoff(c.k, c.n); got != c.want {
			t.Errorf("Backoff(%s, %d) = %s, want %s", c.k.Scope, c.n, got, c.want)
		}
	}
}

// The attack of issue 14: an anonymous caller hammers admin's password.
// Before, five wrong passwords locked admin out for 15 minutes from
// everywhere, renewable forever. Now one address only slows itself down,
// and even many addresses together keep the owner out for at most
// LoginAccountBackoffMax, which their refused attempts cannot extend.
func TestLoginThrottleCannotLockOutOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		f.svc.LoginFreeFailures = 1 // fewer argon2 checks: an address gets 4 free failures, the account 10
		admin := f.user(t, "admin", auth.RoleAdmin)
		const attacker, owner = "203.0.113.9", "192.0.2.50"
		login := func(ip, pw string) error {
			_, _, _, err := f.svc.Login(ctx, "admin", pw, ip, "ua")
			return err
		}

		// One address, 120 wrong passwords, one every 30 s (an hour).
		for i := 0; i < 120; i++ {
			if err := login(attacker, fmt.Sprintf("guess %d", i)); !errs.Is(errs.Unauthorized, err) || errs.MessageOf(err) != "err.login_failed" {
				t.Fatalf("attempt %d: %v", i, err)
			}
			f.clk.t = f.clk.t.Add(30 * time.Second)
		}
		// The attacker's own address is held back, even with the right
		// password …
		if err := login(attacker, rightPassword); errs.MessageOf(err) != "err.login_failed" {
			t.Fatalf("right password from the attacking address: %v", err)
		}
		// … but the owner, elsewhere, signs in at once.
		if err := login(owner, rightPassword); err != nil {
			t.Fatalf("owner kept out by one address: %v", err)
		}
		checked, _ := db.ListAudit(ctx, audit.Filter{Action: audit.ActionLoginFailed, Limit: 1000})
		throttled := 0
		for _, e := range checked {
			if e.Detail == "throttled" {
				throttled++
				if e.ActorID != admin.ID || e.IP != attacker || e.RecordID != admin.ID {
					t.Fatalf("throttled attempt audited without account or address: %+v", e)
				}
			}
		}
		if throttled < 100 || len(checked) != 121 {
			t.Fatalf("audit: %d failed logins, %d of them throttled: the address was not slowed down", len(checked), throttled)
		}

		// Many addresses, each with its free failures: the account-wide
		// back-off starts. It spares the address the owner signed in from …
		for a := 0; a < 11; a++ {
			_ = login(fmt.Sprintf("198.51.100.%d", a), "guess")
		}
		if err := login(owner, rightPassword); err != nil {
			t.Fatalf("owner kept out at a usual address: %v", err)
		}
		// … but not a new one, where the owner waits: attempts refused
		// meanwhile, from however many fresh addresses, do not extend the
		// wait, so the owner is in within LoginAccountBackoffMax.
		const travelling = "192.0.2.77"
		start := f.clk.t
		if err := login(travelling, rightPassword); errs.MessageOf(err) != "err.login_failed" {
			t.Fatalf("account-wide back-off did not start: %v", err)
		}
		for a := 0; ; a++ {
			if f.clk.t.Sub(start) > auth.DefaultLoginAccountBackoffMax {
				t.Fatalf("owner still kept out %s after the attack", f.clk.t.Sub(start))
			}
			f.clk.t = f.clk.t.Add(time.Second)
			if login(travelling, rightPassword) == nil {
				break
			}
			_ = login(fmt.Sprintf("198.51.101.%d", a), "guess")
		}
		entries, _ := db.ListAudit(ctx, audit.Filter{Action: audit.ActionThrottled, Limit: 1000})
		scopes := map[string]bool{}
		for _, e := range entries {
			scopes[strings.SplitN(e.Detail, ":", 2)[0]] = true
			if e.ActorID != admin.ID || e.IP == "" {
				t.Fatalf("back-off audited without account or address: %+v", e)
			}
		}
		if !scopes[auth.ScopeAccountAddress] || !scopes[auth.ScopeAddress] || !scopes[auth.ScopeAccount] {
			t.Fatalf("back-offs audited: %v", scopes)
		}
	})
}

// Unknown user, wrong password and a throttled attempt give the same
// answer, and every back-off is audited with the account and the address
// but never the password.
func TestLoginFailuresLookAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		wang := f.user(t, "wang", auth.RoleDispatcher)
		f.svc.LoginFreeFailures = 2
		const ip = "203.0.113.7"
		var errors []error
		_, _, _, err := f.svc.Login(ctx, "nobody", "secret-guess-1", ip, "ua")
		errors = append(errors, err)
		_, _, _, err = f.svc.Login(ctx, "wang", "secret-guess-2", ip, "ua")
		errors = append(errors, err)
		_, _, _, err = f.svc.Login(ctx, "w\x00ang\xff\xfe", "secret-guess-2", ip, "ua") // not text: still the same answer
		errors = append(errors, err)
		for i := 0; i < 10; i++ {
			_, _, _, err = f.svc.Login(ctx, "wang", "secret-guess-3", ip, "ua")
		}
		_, _, _, err = f.svc.Login(ctx, "wang", rightPassword, ip, "ua") // throttled
		errors = append(errors, err)
		for i := 0; i < 10; i++ {
			_, _, _, err = f.svc.Login(ctx, "ghost", "secret-guess-4", ip, "ua")
		}
		errors = append(errors, err) // an unknown name, throttled like a real one
		for i, err := range errors {
			if !errs.Is(errs.Unauthorized, err) || errs.MessageOf(err) != "err.login_failed" || err.Error() != errors[0].Error() {
				t.Fatalf("answer %d differs: %v, first was %v", i, err, errors[0])
			}
		}

		all, _ := db.ListAudit(ctx, audit.Filter{Limit: 1000})
		var backoffs, refused int
		for _, e := range all {
			if strings.Contains(fmt.Sprintf("%+v", e), "secret-guess") || strings.Contains(fmt.Sprintf("%+v", e), rightPassword) {
				t.Fatalf("a password in the audit log: %+v", e)
			}
			switch {
			case e.Action == audit.ActionThrottled:
				backoffs++
				if e.IP != ip || (e.ActorName == "wang" && (e.ActorID != wang.ID || e.RecordID != wang.ID)) {
					t.Fatalf("back-off audited without account or address: %+v", e)
				}
			case e.Action == audit.ActionLoginFailed && e.Detail == "throttled":
				refused++
				if e.IP != ip || e.ActorName == "" {
					t.Fatalf("refused attempt audited without account or address: %+v", e)
				}
			}
		}
		if backoffs == 0 || refused == 0 {
			t.Fatalf("throttling not audited: %d back-offs, %d refused attempts", backoffs, refused)
		}

		// A disabled account is refused even with the right password; an
		// administrator's release lifts the account's back-off at once.
		if err := f.svc.ResetPassword(ctx, f.admin, wang.ID, rightPassword+" 2"); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := f.svc.Login(ctx, "wang", rightPassword+" 2", ip, "ua"); err != nil {
			t.Fatalf("after an administrator's reset: %v", err)
		}
		if err := f.svc.SetDisabled(ctx, f.admin, wang.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := f.svc.Login(ctx, "wang", rightPassword+" 2", "198.51.100.1", "ua"); errs.MessageOf(err) != "err.account_disabled" {
			t.Fatalf("disabled account: %v", err)
		}
	})
}
