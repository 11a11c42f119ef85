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
	var w filter
	if f.Actor != "" {
		w.add("actor_name = ?", f.Actor)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			// Prefix match without LIKE wildcards from user input.
			w.add("substr(action, 1, ?) = ?", len(f.Action), f.Action)
		} else {
			w.add("action = ?", f.Action)
		}
	}
	if f.RecordType != "" {
		w.add("record_type = ?", f.RecordType)
	}
	if f.RecordID != "" {
		w.add("record_id = ?", f.RecordID)
	}
	if !f.Since.IsZero() {
		w.add("at >= ?", db.d.t(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("at < ?", db.d.t(f.Until))
	}
	if f.Before != "" {
		w.add("id < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	return list(ctx, db, db.r, "store.ListAudit", `SELECT id, at, actor_id, actor_name, action, record_type, record_id, ip, detail FROM audit_log`+
		w.sql()+` ORDER BY id DESC LIMIT ?`, func(r rowScanner) (audit.Entry, error) {
		var e audit.Entry
		err := r.Scan(&e.ID, scanTime{&e.At}, &e.ActorID, &e.ActorName, &e.Action, &e.RecordType, &e.RecordID, &e.IP, &e.Detail)
		return e, err
	}, append(w.args, limit)...)
}
