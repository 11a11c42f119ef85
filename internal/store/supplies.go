package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/supplies"
)

// AddItem implements supplies.Store.
func (db *DB) AddItem(ctx context.Context, it *supplies.Item, e audit.Entry) error {
	return db.tx(ctx, "store.AddItem", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO supply_items (id, code, name, unit, ration_qty, ration_period, active) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			it.ID, it.Code, it.Name, it.Unit, it.RationQty, it.RationPeriod, boolInt(it.Active)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Items implements supplies.Store.
func (db *DB) Items(ctx context.Context) ([]*supplies.Item, error) {
	return list(ctx, db, db.r, "store.Items", `SELECT id, code, name, unit, ration_qty, ration_period, active FROM supply_items ORDER BY code`,
		func(r rowScanner) (*supplies.Item, error) {
			var it supplies.Item
			var active int
			err := r.Scan(&it.ID, &it.Code, &it.Name, &it.Unit, &it.RationQty, &it.RationPeriod, &active)
			it.Active = active == 1
			return &it, err
		})
}

// AddLocation implements supplies.Store.
func (db *DB) AddLocation(ctx context.Context, l *supplies.Location, e audit.Entry) error {
	return db.tx(ctx, "store.AddLocation", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO stock_locations (id, kind, name, point_id, team_id) VALUES (?, ?, ?, ?, ?)`,
			l.ID, l.Kind, l.Name, nullString(l.PointID), nullString(l.TeamID)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Locations implements supplies.Store.
func (db *DB) Locations(ctx context.Context) ([]*supplies.Location, error) {
	return list(ctx, db, db.r, "store.Locations", `SELECT id, kind, name, point_id, team_id FROM stock_locations ORDER BY kind DESC, name`,
		func(r rowScanner) (*supplies.Location, error) {
			var l supplies.Location
			var point, team sql.NullString
			err := r.Scan(&l.ID, &l.Kind, &l.Name, &point, &team)
			l.PointID, l.TeamID = point.String, team.String
			return &l, err
		})
}

// Move implements supplies.Store: each movement changes its level in the
// same transaction; a level that would go below zero refuses the whole
// set. The guarded UPDATE is what makes concurrent handouts of the last
// item safe: PostgreSQL re-checks the condition on the row it waited
// for, SQLite has one writer.
func (db *DB) Move(ctx context.Context, ms []*supplies.Movement, e audit.Entry) error {
	const op = "store.Move"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		for _, m := range ms {
			if m.Qty >= 0 {
				if _, err := db.exec(ctx, tx, `INSERT INTO stock_levels (location_id, item_id, qty) VALUES (?, ?, ?)
					ON CONFLICT (location_id, item_id) DO UPDATE SET qty = stock_levels.qty + excluded.qty`, m.LocationID, m.ItemID, m.Qty); err != nil {
					return err
				}
			} else {
				r, err := db.exec(ctx, tx, `UPDATE stock_levels SET qty = qty + ? WHERE location_id = ? AND item_id = ? AND qty + ? >= 0`,
					m.Qty, m.LocationID, m.ItemID, m.Qty)
				if err := mustAffect(r, err); err != nil {
					return errs.E(errs.Conflict, op, "err.stock_short")
				}
			}
			if _, err := db.exec(ctx, tx, `INSERT INTO stock_movements (id, at, kind, item_id, location_id, qty, other_id, person_key, donor, reason, transfer_id, by_name)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, db.d.t(m.At), m.Kind, m.ItemID, m.LocationID, m.Qty, nullString(m.OtherID),
				m.PersonKey, m.Donor, m.Reason, m.TransferID, m.ByName); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Levels implements supplies.Store.
func (db *DB) Levels(ctx context.Context, locationID string) ([]supplies.Level, error) {
	return list(ctx, db, db.r, "store.Levels", `SELECT l.location_id, l.item_id, l.qty, l.low_threshold FROM stock_levels l
		JOIN supply_items i ON i.id = l.item_id WHERE l.location_id = ? ORDER BY i.code`,
		func(r rowScanner) (supplies.Level, error) {
			var l supplies.Level
			err := r.Scan(&l.LocationID, &l.ItemID, &l.Qty, &l.LowThreshold)
			return l, err
		}, locationID)
}

// SetThreshold implements supplies.Store.
func (db *DB) SetThreshold(ctx context.Context, locationID, itemID string, n int, e audit.Entry) error {
	return db.tx(ctx, "store.SetThreshold", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO stock_levels (location_id, item_id, qty, low_threshold) VALUES (?, ?, 0, ?)
			ON CONFLICT (location_id, item_id) DO UPDATE SET low_threshold = excluded.low_threshold`, locationID, itemID, n); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Movements implements supplies.Store, newest first.
func (db *DB) Movements(ctx context.Context, locationID, itemID string, limit int) ([]*supplies.Movement, error) {
	var w filter
	if locationID != "" {
		w.add("location_id = ?", locationID)
	}
	if itemID != "" {
		w.add("item_id = ?", itemID)
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	return list(ctx, db, db.r, "store.Movements", `SELECT id, at, kind, item_id, location_id, qty, other_id, person_key, donor, reason, transfer_id, by_name
		FROM stock_movements`+w.sql()+` ORDER BY at DESC, id DESC LIMIT ?`, func(r rowScanner) (*supplies.Movement, error) {
		var m supplies.Movement
		var other sql.NullString
		err := r.Scan(&m.ID, scanTime{&m.At}, &m.Kind, &m.ItemID, &m.LocationID, &m.Qty, &other, &m.PersonKey, &m.Donor, &m.Reason, &m.TransferID, &m.ByName)
		m.OtherID = other.String
		return &m, err
	}, append(w.args, limit)...)
}

// HandedOut implements supplies.Store.
func (db *DB) HandedOut(ctx context.Context, personKey, itemID string, since time.Time) (int, error) {
	var n sql.NullInt64
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT SUM(-qty) FROM stock_movements WHERE person_key = ? AND item_id = ? AND kind = 'handout' AND at >= ?`),
		personKey, itemID, db.d.t(since)).Scan(&n)
	return int(n.Int64), translate("store.HandedOut", err)
}

// MovementSum implements supplies.Store.
func (db *DB) MovementSum(ctx context.Context, locationID, itemID string) (int, error) {
	var n sql.NullInt64
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT SUM(qty) FROM stock_movements WHERE location_id = ? AND item_id = ?`), locationID, itemID).Scan(&n)
	return int(n.Int64), translate("store.MovementSum", err)
}

var _ supplies.Store = (*DB)(nil)
