package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
)

// CreateSession implements auth.Store.
func (db *DB) CreateSession(ctx context.Context, s *auth.Session, e audit.Entry) error {
	return db.tx(ctx, "store.CreateSession", func(tx *sql.Tx) error {
		_, err := db.exec(ctx, tx, `INSERT INTO sessions (token_hash, user_id, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.TokenHash, s.UserID, s.CSRFToken, s.IP, s.UserAgent,
			db.d.t(s.CreatedAt), db.d.t(s.LastSeenAt), db.d.t(s.ExpiresAt))
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// SessionByHash implements auth.Store.
func (db *DB) SessionByHash(ctx context.Context, hash string) (*auth.Session, error) {
	var s auth.Session
	err := db.readRow(ctx, `SELECT token_hash, user_id, csrf_token, ip, user_agent, created_at, last_seen_at, expires_at
		FROM sessions WHERE token_hash = ?`, hash).Scan(&s.TokenHash, &s.UserID, &s.CSRFToken, &s.IP, &s.UserAgent,
		scanTime{&s.CreatedAt}, scanTime{&s.LastSeenAt}, scanTime{&s.ExpiresAt})
	if err != nil {
		return nil, translate("store.SessionByHash", err)
	}
	return &s, nil
}

// TouchSession implements auth.Store.
func (db *DB) TouchSession(ctx context.Context, hash string, at time.Time) error {
	_, err := db.exec(ctx, db.w, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, db.d.t(at), hash)
	return translate("store.TouchSession", err)
}

// DeleteSession implements auth.Store.
func (db *DB) DeleteSession(ctx context.Context, hash string, e audit.Entry) error {
	return db.tx(ctx, "store.DeleteSession", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `DELETE FROM sessions WHERE token_hash = ?`, hash); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// DeleteUserSessions implements auth.Store.
func (db *DB) DeleteUserSessions(ctx context.Context, userID, keepHash string) error {
	_, err := db.execDurable(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keepHash)
	return translate("store.DeleteUserSessions", err)
}

// DeleteSessionsBefore implements auth.Store.
func (db *DB) DeleteSessionsBefore(ctx context.Context, idleSince, expiredBy time.Time) (int64, error) {
	res, err := db.execDurable(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR expires_at < ?`, db.d.t(idleSince), db.d.t(expiredBy))
	if err != nil {
		return 0, translate("store.DeleteSessionsBefore", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
