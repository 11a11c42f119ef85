package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/portal"
)

const articleCols = `id, slug, category, title, summary, body, consent, state, version, publish_at, created_by, created_at, updated_at,
	submitted_by, submitted_at, approved_by, approved_at, withdrawn_by, withdrawn_at, withdraw_reason`

func scanArticle(r rowScanner) (*portal.Article, error) {
	var a portal.Article
	var consent int
	err := r.Scan(&a.ID, &a.Slug, &a.Category, &a.Title, &a.Summary, &a.Body, &consent, &a.State, &a.Version, scanTime{&a.PublishAt},
		&a.CreatedBy, scanTime{&a.CreatedAt}, scanTime{&a.UpdatedAt}, &a.SubmittedBy, scanTime{&a.SubmittedAt}, &a.ApprovedBy,
		scanTime{&a.ApprovedAt}, &a.WithdrawnBy, scanTime{&a.WithdrawnAt}, &a.WithdrawReason)
	a.Consent = consent != 0
	return &a, err
}

func (db *DB) addArticleVersion(ctx context.Context, tx *sql.Tx, a *portal.Article, by string) error {
	if a.EditedBy != "" {
		by = a.EditedBy // the name staff know the editor by; the audit entry keeps the login
	}
	_, err := db.exec(ctx, tx, `INSERT INTO article_versions (article_id, version, category, title, summary, body, edited_by, edited_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.Version, a.Category, a.Title, a.Summary, a.Body, by, db.d.t(a.UpdatedAt))
	return err
}

// AddArticle implements portal.ArticleStore.
func (db *DB) AddArticle(ctx context.Context, a *portal.Article, e audit.Entry) error {
	return db.tx(ctx, "store.AddArticle", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO articles (`+articleCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.Slug, a.Category, a.Title, a.Summary, a.Body, boolInt(a.Consent), a.State, a.Version, db.d.t(a.PublishAt),
			a.CreatedBy, db.d.t(a.CreatedAt), db.d.t(a.UpdatedAt), a.SubmittedBy, db.d.t(a.SubmittedAt), a.ApprovedBy,
			db.d.t(a.ApprovedAt), a.WithdrawnBy, db.d.t(a.WithdrawnAt), a.WithdrawReason); err != nil {
			return err
		}
		if err := db.addArticleVersion(ctx, tx, a, e.ActorName); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// UpdateArticle implements portal.ArticleStore.
func (db *DB) UpdateArticle(ctx context.Context, a *portal.Article, text bool, e audit.Entry) error {
	const op = "store.UpdateArticle"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE articles SET category = ?, title = ?, summary = ?, body = ?, consent = ?, state = ?, version = ?,
			publish_at = ?, updated_at = ?, submitted_by = ?, submitted_at = ?, approved_by = ?, approved_at = ?, withdrawn_by = ?,
			withdrawn_at = ?, withdraw_reason = ? WHERE id = ? AND version = ?`,
			a.Category, a.Title, a.Summary, a.Body, boolInt(a.Consent), a.State, a.Version, db.d.t(a.PublishAt), db.d.t(a.UpdatedAt),
			a.SubmittedBy, db.d.t(a.SubmittedAt), a.ApprovedBy, db.d.t(a.ApprovedAt), a.WithdrawnBy, db.d.t(a.WithdrawnAt),
			a.WithdrawReason, a.ID, a.Version-1)
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.Conflict, op, "portal.err_stale")
		}
		if text {
			if err := db.addArticleVersion(ctx, tx, a, e.ActorName); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// ArticleByID implements portal.ArticleStore.
func (db *DB) ArticleByID(ctx context.Context, id string) (*portal.Article, error) {
	a, err := scanArticle(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+articleCols+` FROM articles WHERE id = ?`), id))
	return a, translate("store.ArticleByID", err)
}

// ArticleBySlug implements portal.ArticleStore.
func (db *DB) ArticleBySlug(ctx context.Context, slug string) (*portal.Article, error) {
	a, err := scanArticle(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+articleCols+` FROM articles WHERE slug = ?`), slug))
	return a, translate("store.ArticleBySlug", err)
}

// ArticleVersions implements portal.ArticleStore.
func (db *DB) ArticleVersions(ctx context.Context, id string) ([]portal.Version, error) {
	return list(ctx, db, db.r, "store.ArticleVersions", `SELECT version, category, title, summary, body, edited_by, edited_at
		FROM article_versions WHERE article_id = ? ORDER BY version DESC`, func(r rowScanner) (portal.Version, error) {
		var v portal.Version
		err := r.Scan(&v.Version, &v.Category, &v.Title, &v.Summary, &v.Body, &v.EditedBy, scanTime{&v.EditedAt})
		return v, err
	}, id)
}

// Articles implements portal.ArticleStore.
func (db *DB) Articles(ctx context.Context, publicAt time.Time) ([]*portal.Article, error) {
	if publicAt.IsZero() {
		return list(ctx, db, db.r, "store.Articles", `SELECT `+articleCols+` FROM articles ORDER BY created_at DESC, id`, scanArticle)
	}
	return list(ctx, db, db.r, "store.Articles", `SELECT `+articleCols+` FROM articles WHERE state = ? AND publish_at <= ?
		ORDER BY publish_at DESC, id`, scanArticle, portal.StateApproved, db.d.t(publicAt))
}

const eventCols = `id, title, programme, place, starts_at, ends_at, capacity, registered, created_by, created_at,
	(SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = portal_events.id AND r.checked_in_at IS NOT NULL)`

func scanEvent(r rowScanner) (*portal.Event, error) {
	var e portal.Event
	err := r.Scan(&e.ID, &e.Title, &e.Programme, &e.Place, scanTime{&e.StartsAt}, scanTime{&e.EndsAt}, &e.Capacity, &e.Registered,
		&e.CreatedBy, scanTime{&e.CreatedAt}, &e.CheckedIn)
	return &e, err
}

// AddEvent implements portal.EventStore.
func (db *DB) AddEvent(ctx context.Context, ev *portal.Event, e audit.Entry) error {
	return db.tx(ctx, "store.AddEvent", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO portal_events (id, title, programme, place, starts_at, ends_at, capacity, registered, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`, ev.ID, ev.Title, ev.Programme, ev.Place, db.d.t(ev.StartsAt), db.d.t(ev.EndsAt),
			ev.Capacity, ev.CreatedBy, db.d.t(ev.CreatedAt)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Events implements portal.EventStore.
func (db *DB) Events(ctx context.Context) ([]*portal.Event, error) {
	return list(ctx, db, db.r, "store.Events", `SELECT `+eventCols+` FROM portal_events ORDER BY starts_at, id`, scanEvent)
}

// EventByID implements portal.EventStore.
func (db *DB) EventByID(ctx context.Context, id string) (*portal.Event, error) {
	e, err := scanEvent(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+eventCols+` FROM portal_events WHERE id = ?`), id))
	return e, translate("store.EventByID", err)
}

// Register implements portal.EventStore. The place is taken by one
// conditional UPDATE (registered below capacity, event not over), which
// both databases run atomically against concurrent ones: two requests
// for the last place cannot both take it.
func (db *DB) Register(ctx context.Context, r *portal.Registration, e audit.Entry) error {
	const op = "store.Register"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		res, err := db.exec(ctx, tx, `UPDATE portal_events SET registered = registered + 1
			WHERE id = ? AND registered < capacity AND ends_at > ?`, r.EventID, db.d.t(r.CreatedAt))
		if err := mustAffect(res, err); err != nil {
			var full int
			var ends time.Time
			if err := tx.QueryRowContext(ctx, db.d.q(`SELECT CASE WHEN registered >= capacity THEN 1 ELSE 0 END, ends_at FROM portal_events WHERE id = ?`),
				r.EventID).Scan(&full, scanTime{&ends}); err != nil {
				return err
			}
			if !r.CreatedAt.Before(ends) {
				return errs.E(errs.Conflict, op, "portal.err_event_over")
			}
			return errs.E(errs.Conflict, op, "portal.err_full")
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO event_registrations (id, event_id, ref, name, phone_sealed, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, r.ID, r.EventID, r.Ref, r.Name, r.PhoneSealed, db.d.t(r.CreatedAt)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

const registrationCols = `id, event_id, ref, name, phone_sealed, created_at, checked_in_at, checked_in_by`

func scanRegistration(r rowScanner) (*portal.Registration, error) {
	var g portal.Registration
	err := r.Scan(&g.ID, &g.EventID, &g.Ref, &g.Name, &g.PhoneSealed, scanTime{&g.CreatedAt}, scanTime{&g.CheckedInAt}, &g.CheckedInBy)
	return &g, err
}

// Registrations implements portal.EventStore.
func (db *DB) Registrations(ctx context.Context, eventID string) ([]*portal.Registration, error) {
	return list(ctx, db, db.r, "store.Registrations", `SELECT `+registrationCols+` FROM event_registrations WHERE event_id = ?
		ORDER BY created_at, id`, scanRegistration, eventID)
}

// CheckIn implements portal.EventStore.
func (db *DB) CheckIn(ctx context.Context, eventID, ref, by string, at time.Time, e audit.Entry) (*portal.Registration, error) {
	const op = "store.CheckIn"
	var g *portal.Registration
	err := db.tx(ctx, op, func(tx *sql.Tx) error {
		var err error
		g, err = scanRegistration(tx.QueryRowContext(ctx, db.d.q(`SELECT `+registrationCols+` FROM event_registrations WHERE event_id = ? AND ref = ?`), eventID, ref))
		if err != nil {
			return err
		}
		if !g.CheckedInAt.IsZero() {
			return errs.E(errs.Conflict, op, "portal.err_checked_in")
		}
		res, err := db.exec(ctx, tx, `UPDATE event_registrations SET checked_in_at = ?, checked_in_by = ? WHERE id = ? AND checked_in_at IS NULL`,
			db.d.t(at), by, g.ID)
		if err := mustAffect(res, err); err != nil {
			return errs.E(errs.Conflict, op, "portal.err_checked_in")
		}
		g.CheckedInAt, g.CheckedInBy = at, by
		e.Detail = g.ID
		return db.appendAudit(ctx, tx, e)
	})
	return g, err
}

// AddLogEntry implements portal.LogStore.
func (db *DB) AddLogEntry(ctx context.Context, l *portal.LogEntry, e audit.Entry) error {
	return db.tx(ctx, "store.AddLogEntry", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO publicity_log (id, kind, on_date, place, title, link, materials, audience, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.ID, l.Kind, l.OnDate, l.Place, l.Title, l.Link, l.Materials, l.Audience,
			l.CreatedBy, db.d.t(l.CreatedAt)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// LogEntries implements portal.LogStore.
func (db *DB) LogEntries(ctx context.Context) ([]*portal.LogEntry, error) {
	return list(ctx, db, db.r, "store.LogEntries", `SELECT id, kind, on_date, place, title, link, materials, audience, created_by, created_at
		FROM publicity_log ORDER BY on_date DESC, created_at DESC, id`, func(r rowScanner) (*portal.LogEntry, error) {
		var l portal.LogEntry
		err := r.Scan(&l.ID, &l.Kind, &l.OnDate, &l.Place, &l.Title, &l.Link, &l.Materials, &l.Audience, &l.CreatedBy, scanTime{&l.CreatedAt})
		return &l, err
	})
}

var _ portal.Store = (*DB)(nil)
