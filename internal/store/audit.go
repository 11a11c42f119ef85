package store

import (
	"context"
	"strings"

	"github.com/havenrescue/haven/internal/audit"
)

// AppendAudit implements audit.Store.
func (db *DB) AppendAudit(ctx context.Context, e audit.Entry) error {
	if err := db.appendAudit(ctx, db.w, e); err != nil {
		return translate("store.AppendAudit", err)
	}
	return translate("store.AppendAudit", db.syncWAL())
}

// ListAudit implements audit.Store.
func (db *DB) ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.Actor != "" {
		add("actor_name = ?", f.Actor)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			// Prefix match without LIKE wildcards from user input.
			add("substr(action, 1, ?) = ?", len(f.Action))
			args = append(args, f.Action)
		} else {
			add("action = ?", f.Action)
		}
	}
	if f.RecordType != "" {
		add("record_type = ?", f.RecordType)
	}
	if f.RecordID != "" {
		add("record_id = ?", f.RecordID)
	}
	if !f.Since.IsZero() {
		add("at >= ?", db.d.t(f.Since))
	}
	if !f.Until.IsZero() {
		add("at < ?", db.d.t(f.Until))
	}
	if f.Before != "" {
		add("id < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	q := `SELECT id, at, actor_id, actor_name, action, record_type, record_id, ip, detail FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := db.r.QueryContext(ctx, db.d.q(q), args...)
	if err != nil {
		return nil, translate("store.ListAudit", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.ID, scanTime{&e.At}, &e.ActorID, &e.ActorName, &e.Action, &e.RecordType, &e.RecordID, &e.IP, &e.Detail); err != nil {
			return nil, translate("store.ListAudit", err)
		}
		out = append(out, e)
	}
	return out, translate("store.ListAudit", rows.Err())
}
