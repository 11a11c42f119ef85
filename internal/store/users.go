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
	disabled, failed_logins, locked_until, password_changed_at, created_at, updated_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(r rowScanner) (*auth.User, error) {
	var u auth.User
	var role string
	err := r.Scan(&u.ID, &u.Username, &u.DisplayName, &role, &u.DepartmentID, &u.PointID, &u.PhoneSealed, &u.Lang, &u.PasswordHash,
		&u.Disabled, &u.FailedLogins, scanTime{&u.LockedUntil}, scanTime{&u.PasswordChangedAt}, scanTime{&u.CreatedAt}, scanTime{&u.UpdatedAt})
	u.Role = auth.Role(role)
	return &u, err
}

// CreateUser implements auth.Store.
func (db *DB) CreateUser(ctx context.Context, u *auth.User, e audit.Entry) error {
	return db.tx(ctx, "store.CreateUser", func(tx *sql.Tx) error {
		_, err := db.exec(ctx, tx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Username, u.DisplayName, string(u.Role), u.DepartmentID, u.PointID, u.PhoneSealed, u.Lang, u.PasswordHash,
			u.Disabled, u.FailedLogins, db.d.t(u.LockedUntil), db.d.t(u.PasswordChangedAt), db.d.t(u.CreatedAt), db.d.t(u.UpdatedAt))
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
	if upd.ClearLockout {
		set("failed_logins", 0)
		set("locked_until", nil)
	}
	set("updated_at", db.d.t(db.now()))
	args = append(args, id)
	return db.tx(ctx, "store.UpdateUser", func(tx *sql.Tx) error {
		err := mustAffect(db.exec(ctx, tx, `UPDATE users SET `+strings.Join(sets, ", ")+` WHERE id = ?`, args...))
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// RecordLoginFailure implements auth.Store.
func (db *DB) RecordLoginFailure(ctx context.Context, id string, threshold int, lockUntil time.Time, e audit.Entry) (int, error) {
	var n int
	err := db.tx(ctx, "store.RecordLoginFailure", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, db.d.q(`UPDATE users SET failed_logins = failed_logins + 1,
			locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END
			WHERE id = ? RETURNING failed_logins`), threshold, db.d.t(lockUntil), id).Scan(&n)
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
	return n, err
}
