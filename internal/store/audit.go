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

// labelled are the records the audit log names by a code or a name a
// reader knows, and the column holding it.
var labelled = []struct{ from, id, label string }{
	{"users", "id", "username"},
	{"persons", "id", "ref"},
	{"stays", "id", "ref"},
	{"incidents", "id", "ref"},
	{"signals", "id", "ref"},
	{"missing_reports", "id", "ref"},
	{"notices", "id", "ref"},
	{"match_candidates c JOIN persons p ON p.id = c.person_id", "c.id", "p.ref"},
	{"departments", "id", "name"},
	{"api_keys", "id", "name"},
	{"teams", "id", "name"},
	{"hotspots", "id", "name"},
	{"rescue_points", "id", "name"},
	{"stock_locations", "id", "name"},
	{"supply_items", "id", "name"},
	{"organisations", "id", "name"},
	{"campaigns", "id", "name"},
	{"routing_rules", "id", "name"},
	{"vol_shifts", "id", "title"},
	{"expenses", "id", "ref"},
}

// RecordLabels implements audit.Store.
func (db *DB) RecordLabels(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	type label struct{ id, text string }
	for _, l := range labelled {
		rows, err := listIn(ctx, db, "store.RecordLabels", `SELECT `+l.id+`, `+l.label+` FROM `+l.from, l.id, ids,
			func(r rowScanner) (label, error) {
				var x label
				err := r.Scan(&x.id, &x.text)
				return x, err
			})
		if err != nil {
			return nil, err
		}
		for _, x := range rows {
			out[x.id] = x.text
		}
	}
	return out, nil
}
