package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
)

const userColumns = `id, username, display_name, role, department_id, point_id, phone_enc, lang, password_hash,
	disabled, failed_logins, password_changed_at, created_at, updated_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(r rowScanner) (*auth.User, error) {
	var u auth.User
	var role string
	err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &role, &u.DepartmentID, &u.PointID, &u.PhoneSealed, &u.Lang, &u.PasswordHash,
		&u.Disabled, &u.FailedLogins, scanTime{&u.PasswordChangedAt}, scanTime{&u.CreatedAt}, scanTime{&u.UpdatedAt})
	u.Role = auth.Role(role)
	return &u, err
}

// CreateUser implements auth.Store.
func (db *DB) CreateUser(ctx context.Context, u *auth.User, e audit.Entry) error {
	return db.tx(ctx, "store.CreateUser", func(tx *sql.Tx) error {
		_, err := db.exec(ctx, tx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Username, u.DisplayName, string(u.Role), u.DepartmentID, u.PointID, u.PhoneSealed, u.Lang, u.PasswordHash,
			u.Disabled, u.FailedLogins, db.d.t(u.PasswordChangedAt), db.d.t(u.CreatedAt), db.d.t(u.UpdatedAt))
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// UserByID implements auth.Store.
func (db *DB) UserByID(ctx context.Context, id string) (*auth.User, error) {
	u, err := scanUser(db.readRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	return u, translate("store.UserByID", err)
}

// UserByUsername implements auth.Store.
func (db *DB) UserByUsername(ctx context.Context, username string) (*auth.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+userColumns+` FROM users WHERE username = ?`), username))
	return u, translate("store.UserByUsername", err)
}

// ListUsers implements auth.Store.
func (db *DB) ListUsers(ctx context.Context) ([]*auth.User, error) {
	return list(ctx, db, db.r, "store.ListUsers", `SELECT `+userColumns+` FROM users ORDER BY username`, scanUser)
}

// UpdateUser implements auth.Store.
func (db *DB) UpdateUser(ctx context.Context, id string, upd auth.UserUpdate, e audit.Entry) error {
	var sets []string
	var args []any
	set := func(col string, v any) {
		sets = append(sets, col+" = ?")
		args = append(args, v)
	}
	if upd.DisplayName != nil {
		set("display_name", *upd.DisplayName)
	}
	if upd.Role != nil {
		set("role", string(*upd.Role))
	}
	if upd.DepartmentID != nil {
		set("department_id", *upd.DepartmentID)
	}
	if upd.PointID != nil {
		set("point_id", *upd.PointID)
	}
	if upd.PhoneSealed != nil {
		set("phone_enc", *upd.PhoneSealed)
	}
	if upd.Lang != nil {
		set("lang", *upd.Lang)
	}
	if upd.PasswordHash != nil {
		set("password_hash", *upd.PasswordHash)
	}
	if upd.PasswordChangedAt != nil {
		set("password_changed_at", db.d.t(*upd.PasswordChangedAt))
	}
	if upd.Disabled != nil {
		set("disabled", *upd.Disabled)
	}
	if upd.ClearFailures {
		set("failed_logins", 0)
	}
	set("updated_at", db.d.t(db.now()))
	args = append(args, id)
	return db.tx(ctx, "store.UpdateUser", func(tx *sql.Tx) error {
		err := mustAffect(db.exec(ctx, tx, `UPDATE users SET `+strings.Join(sets, ", ")+` WHERE id = ?`, args...))
		if err != nil {
			return err
		}
		if upd.ClearFailures {
			// An administrator's release: the account's own counters go,
			// those of the addresses stay.
			if _, err := db.exec(ctx, tx, `DELETE FROM login_throttle WHERE scope IN (?, ?)
				AND account = (SELECT username FROM users WHERE id = ?)`, auth.ScopeAccount, auth.ScopeAccountAddress, id); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// LoginBlockedUntil implements auth.Store.
func (db *DB) LoginBlockedUntil(ctx context.Context, keys []auth.ThrottleKey, now time.Time) (time.Time, error) {
	if len(keys) == 0 {
		return time.Time{}, nil
	}
	var where []string
	args := []any{db.d.t(now)}
	for _, k := range keys {
		where = append(where, "(scope = ? AND account = ? AND address = ?)")
		args = append(args, k.Scope, k.Account, k.Address)
	}
	var until time.Time
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT MAX(blocked_until) FROM login_throttle
		WHERE blocked_until > ? AND (`+strings.Join(where, " OR ")+`)`), args...).Scan(scanTime{&until})
	return until, translate("store.LoginBlockedUntil", err)
}

// RecordLoginFailure implements auth.Store. The counter of each key is
// raised in one statement (an upsert), so concurrent failures on several
// nodes all count.
func (db *DB) RecordLoginFailure(ctx context.Context, f auth.LoginFailure, e audit.Entry) ([]auth.ThrottleState, error) {
	var out []auth.ThrottleState
	err := db.tx(ctx, "store.RecordLoginFailure", func(tx *sql.Tx) error {
		out = out[:0]
		pair := 0
		for _, k := range f.Keys {
			if k.Scope == auth.ScopeAccount && f.AddressShare > 0 && pair > f.AddressShare {
				continue
			}
			st := auth.ThrottleState{Key: k}
			err := tx.QueryRowContext(ctx, db.d.q(`INSERT INTO login_throttle (scope, account, address, failures, last_failure_at)
				VALUES (?, ?, ?, 1, ?)
				ON CONFLICT (scope, account, address) DO UPDATE SET
					failures = CASE WHEN login_throttle.last_failure_at < ? THEN 1 ELSE login_throttle.failures + 1 END,
					last_failure_at = excluded.last_failure_at
				RETURNING failures`), k.Scope, k.Account, k.Address, db.d.t(f.At), db.d.t(f.At.Add(-f.Forget))).Scan(&st.Failures)
			if err != nil {
				return err
			}
			if k.Scope == auth.ScopeAccountAddress {
				pair = st.Failures
			}
			if d := f.Backoff(k, st.Failures); d > 0 {
				st.BlockedUntil = f.At.Add(d)
				if _, err := db.exec(ctx, tx, `UPDATE login_throttle SET blocked_until = ? WHERE scope = ? AND account = ? AND address = ?`,
					db.d.t(st.BlockedUntil), k.Scope, k.Account, k.Address); err != nil {
					return err
				}
			}
			out = append(out, st)
		}
		if f.UserID != "" {
			if _, err := db.exec(ctx, tx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?`, f.UserID); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, e)
	})
	return out, err
}

// RecordLoginSuccess implements auth.Store.
func (db *DB) RecordLoginSuccess(ctx context.Context, userID string, key auth.ThrottleKey, at time.Time) error {
	return db.tx(ctx, "store.RecordLoginSuccess", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `DELETE FROM login_throttle WHERE scope = ? AND account = ? AND address = ?`,
			key.Scope, key.Account, key.Address); err != nil {
			return err
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO login_known (account, address, last_login_at) VALUES (?, ?, ?)
			ON CONFLICT (account, address) DO UPDATE SET last_login_at = excluded.last_login_at`,
			key.Account, key.Address, db.d.t(at)); err != nil {
			return err
		}
		_, err := db.exec(ctx, tx, `UPDATE users SET failed_logins = 0 WHERE id = ? AND failed_logins <> 0`, userID)
		return err
	})
}

// KnownLoginAddress implements auth.Store.
func (db *DB) KnownLoginAddress(ctx context.Context, account, address string, since time.Time) (bool, error) {
	var n int
	err := db.readRow(ctx, `SELECT COUNT(*) FROM login_known WHERE account = ? AND address = ? AND last_login_at >= ?`,
		account, address, db.d.t(since)).Scan(&n)
	return n > 0, translate("store.KnownLoginAddress", err)
}

// DeleteLoginThrottleBefore removes failure counters whose last failure is
// before failures and that block nothing any more, and sign-in addresses
// last used before known.
func (db *DB) DeleteLoginThrottleBefore(ctx context.Context, failures, known time.Time) (int64, error) {
	var n int64
	err := db.tx(ctx, "store.DeleteLoginThrottleBefore", func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`DELETE FROM login_throttle WHERE last_failure_at < ? AND (blocked_until IS NULL OR blocked_until < ?)`, []any{db.d.t(failures), db.d.t(failures)}},
			{`DELETE FROM login_known WHERE last_login_at < ?`, []any{db.d.t(known)}},
		} {
			res, err := db.exec(ctx, tx, q.sql, q.args...)
			if err != nil {
				return err
			}
			m, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += m
		}
		return nil
	})
	return n, err
}
