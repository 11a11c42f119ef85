package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
)

const keyColumns = `id, name, prefix, hash, scopes, department_id, created_by, created_at, last_used_at, revoked_at`

func scanKey(r rowScanner) (*auth.APIKey, error) {
	var k auth.APIKey
	var scopes string
	var dept sql.NullString
	err := r.Scan(&k.ID, &k.Name, &k.Prefix, &k.Hash, &scopes, &dept, &k.CreatedBy,
		scanTime{&k.CreatedAt}, scanTime{&k.LastUsedAt}, scanTime{&k.RevokedAt})
	if scopes != "" {
		k.Scopes = strings.Split(scopes, " ")
	}
	k.DepartmentID = dept.String
	return &k, err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateAPIKey implements auth.Store.
func (db *DB) CreateAPIKey(ctx context.Context, k *auth.APIKey, e audit.Entry) error {
	return db.tx(ctx, "store.CreateAPIKey", func(tx *sql.Tx) error {
		_, err := db.exec(ctx, tx, `INSERT INTO api_keys (`+keyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.ID, k.Name, k.Prefix, k.Hash, strings.Join(k.Scopes, " "), nullString(k.DepartmentID), k.CreatedBy,
			db.d.t(k.CreatedAt), db.d.t(k.LastUsedAt), db.d.t(k.RevokedAt))
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// APIKeyByHash implements auth.Store.
func (db *DB) APIKeyByHash(ctx context.Context, hash string) (*auth.APIKey, error) {
	k, err := scanKey(db.readRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE hash = ?`, hash))
	return k, translate("store.APIKeyByHash", err)
}

// ListAPIKeys implements auth.Store.
func (db *DB) ListAPIKeys(ctx context.Context) ([]*auth.APIKey, error) {
	return list(ctx, db, db.r, "store.ListAPIKeys", `SELECT `+keyColumns+` FROM api_keys ORDER BY id DESC`, scanKey)
}

// RevokeAPIKey implements auth.Store.
func (db *DB) RevokeAPIKey(ctx context.Context, id string, at time.Time, e audit.Entry) error {
	const op = "store.RevokeAPIKey"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		res, err := db.exec(ctx, tx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, db.d.t(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var one int
			if err := tx.QueryRowContext(ctx, db.d.q(`SELECT 1 FROM api_keys WHERE id = ?`), id).Scan(&one); err != nil {
				return err
			}
			return errs.E(errs.Conflict, op, "err.already_revoked")
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// TouchAPIKey implements auth.Store.
func (db *DB) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	_, err := db.exec(ctx, db.w, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, db.d.t(at), id)
	return translate("store.TouchAPIKey", err)
}
