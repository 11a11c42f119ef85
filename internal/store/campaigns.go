package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/errs"
)

// AddCampaign implements campaigns.Store.
func (db *DB) AddCampaign(ctx context.Context, c *campaigns.Campaign, e audit.Entry) error {
	return db.tx(ctx, "store.AddCampaign", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO campaigns (id, kind, name, starts_on, ends_on, started_at, ended_at, started_by, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.Kind, c.Name, c.StartsOn, c.EndsOn, db.d.t(c.StartedAt), db.d.t(c.EndedAt), c.StartedBy, c.Note); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// EndCampaign implements campaigns.Store.
func (db *DB) EndCampaign(ctx context.Context, id string, at time.Time, e audit.Entry) error {
	const op = "store.EndCampaign"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE campaigns SET ended_at = ? WHERE id = ? AND ended_at IS NULL`, db.d.t(at), id)
		if err := mustAffect(r, err); err != nil {
			var n int
			if err := tx.QueryRowContext(ctx, db.d.q(`SELECT COUNT(*) FROM campaigns WHERE id = ?`), id).Scan(&n); err == nil && n == 0 {
				return errs.E(errs.NotFound, op, "err.not_found")
			}
			return errs.E(errs.Conflict, op, "err.campaign_ended")
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Campaigns implements campaigns.Store.
func (db *DB) Campaigns(ctx context.Context) ([]*campaigns.Campaign, error) {
	return list(ctx, db, db.r, "store.Campaigns", `SELECT id, kind, name, starts_on, ends_on, started_at, ended_at, started_by, note
		FROM campaigns ORDER BY started_at DESC, id`, func(r rowScanner) (*campaigns.Campaign, error) {
		var c campaigns.Campaign
		err := r.Scan(&c.ID, &c.Kind, &c.Name, &c.StartsOn, &c.EndsOn, scanTime{&c.StartedAt}, scanTime{&c.EndedAt}, &c.StartedBy, &c.Note)
		return &c, err
	})
}

// AddCampaignUnlessRunning implements campaigns.Store. The check and the
// insert are one transaction; on PostgreSQL the campaigns table is locked
// against other writers first, so two alerts at once start one campaign.
func (db *DB) AddCampaignUnlessRunning(ctx context.Context, c *campaigns.Campaign, e audit.Entry) (*campaigns.Campaign, bool, error) {
	var found *campaigns.Campaign
	err := db.tx(ctx, "store.AddCampaignUnlessRunning", func(tx *sql.Tx) error {
		if lock := db.d.lockTable("campaigns"); lock != "" {
			if _, err := tx.ExecContext(ctx, lock); err != nil {
				return err
			}
		}
		same, err := list(ctx, db, tx, "store.AddCampaignUnlessRunning", `SELECT id, kind, name, starts_on, ends_on, started_at, ended_at, started_by, note
			FROM campaigns WHERE kind = ? AND ended_at IS NULL ORDER BY started_at DESC, id`, func(r rowScanner) (*campaigns.Campaign, error) {
			var c campaigns.Campaign
			err := r.Scan(&c.ID, &c.Kind, &c.Name, &c.StartsOn, &c.EndsOn, scanTime{&c.StartedAt}, scanTime{&c.EndedAt}, &c.StartedBy, &c.Note)
			return &c, err
		}, c.Kind)
		if err != nil {
			return err
		}
		for _, o := range same {
			if o.StateAt(c.StartedAt) != campaigns.StateOver {
				found = o
				return nil
			}
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO campaigns (id, kind, name, starts_on, ends_on, started_at, ended_at, started_by, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.Kind, c.Name, c.StartsOn, c.EndsOn, db.d.t(c.StartedAt), db.d.t(c.EndedAt), c.StartedBy, c.Note); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
	if err != nil {
		return nil, false, err
	}
	if found != nil {
		return found, false, nil
	}
	return c, true, nil
}

var _ campaigns.Store = (*DB)(nil)
