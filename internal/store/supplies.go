package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/supplies"
	"github.com/havenrescue/haven/internal/thanks"
)

// AddItem implements supplies.Store.
func (db *DB) AddItem(ctx context.Context, it *supplies.Item, e audit.Entry) error {
	return db.tx(ctx, "store.AddItem", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO supply_items (id, code, name, unit, ration_qty, ration_period, campaign_qty, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			it.ID, it.Code, it.Name, it.Unit, it.RationQty, it.RationPeriod, it.CampaignQty, boolInt(it.Active)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Items implements supplies.Store.
func (db *DB) Items(ctx context.Context) ([]*supplies.Item, error) {
	return list(ctx, db, db.r, "store.Items", `SELECT id, code, name, unit, ration_qty, ration_period, campaign_qty, active FROM supply_items ORDER BY code`,
		func(r rowScanner) (*supplies.Item, error) {
			var it supplies.Item
			var active int
			err := r.Scan(&it.ID, &it.Code, &it.Name, &it.Unit, &it.RationQty, &it.RationPeriod, &it.CampaignQty, &active)
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

// Move implements supplies.Store: each movement changes its level, and a
// handout its ration rows, in the same transaction; a level that would go
// below zero or a ration past its limit refuses the whole set. The guarded
// UPDATEs are what make concurrent handouts safe: PostgreSQL re-checks the
// condition on the row it waited for, SQLite has one writer.
func (db *DB) Move(ctx context.Context, ms []*supplies.Movement, e audit.Entry) error {
	const op = "store.Move"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		if err := db.move(ctx, tx, op, ms); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

func (db *DB) move(ctx context.Context, tx *sql.Tx, op string, ms []*supplies.Movement) error {
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
		if m.Kind == supplies.Donation && m.Thanks.Public() {
			if err := db.setThanks(ctx, tx, thanks.InKind, m.ID, m.Thanks, m.ByName, m.At); err != nil {
				return err
			}
		}
		if m.Kind != supplies.Handout || m.PersonKey == "" {
			continue
		}
		for _, ra := range m.Rations {
			if _, err := db.exec(ctx, tx, `INSERT INTO supply_rations (person_key, item_id, period, qty) VALUES (?, ?, ?, 0)
					ON CONFLICT (person_key, item_id, period) DO NOTHING`, m.PersonKey, m.ItemID, ra.Period); err != nil {
				return err
			}
			r, err := db.exec(ctx, tx, `UPDATE supply_rations SET qty = qty + ? WHERE person_key = ? AND item_id = ? AND period = ?
					AND (? = 0 OR qty + ? <= ?)`, -m.Qty, m.PersonKey, m.ItemID, ra.Period, ra.Limit, -m.Qty, ra.Limit)
			if err := mustAffect(r, err); err != nil {
				return errs.InvalidFields(op, map[string]string{"qty": "err.ration"})
			}
		}
	}
	return nil
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

// Rationed is what a person has had of an item in a ration period (the
// ledger Move keeps; tests hold it against the handouts).
func (db *DB) Rationed(ctx context.Context, personKey, itemID, period string) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT qty FROM supply_rations WHERE person_key = ? AND item_id = ? AND period = ?`),
		personKey, itemID, period).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, translate("store.Rationed", err)
}

// MovementSum sums every movement of an item at a location: what its
// level must equal (tests hold the one against the other).
func (db *DB) MovementSum(ctx context.Context, locationID, itemID string) (int, error) {
	var n sql.NullInt64
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT SUM(qty) FROM stock_movements WHERE location_id = ? AND item_id = ?`), locationID, itemID).Scan(&n)
	return int(n.Int64), translate("store.MovementSum", err)
}

// Booked implements supplies.Store.
func (db *DB) Booked(ctx context.Context, personKey string) (map[string]int, error) {
	type row struct {
		item string
		n    int
	}
	rows, err := list(ctx, db, db.r, "store.Booked", `SELECT item_id, SUM(-qty) FROM stock_movements WHERE person_key = ? AND kind IN ('handout', 'return')
		GROUP BY item_id`, func(r rowScanner) (row, error) {
		var x row
		err := r.Scan(&x.item, &x.n)
		return x, err
	}, personKey)
	out := map[string]int{}
	for _, x := range rows {
		out[x.item] = x.n
	}
	return out, err
}

const unbookedCols = `id, encounter_id, team_id, at, item, qty, unit, problem, settled_at, settled_by, settlement`

func scanUnbooked(r rowScanner) (*supplies.Unbooked, error) {
	var u supplies.Unbooked
	err := r.Scan(&u.ID, &u.EncounterID, &u.TeamID, scanTime{&u.At}, &u.Item, &u.Qty, &u.Unit, &u.Problem, scanTime{&u.SettledAt}, &u.SettledBy, &u.Settlement)
	return &u, err
}

// AddUnbooked implements supplies.Store.
func (db *DB) AddUnbooked(ctx context.Context, u *supplies.Unbooked, e audit.Entry) error {
	return db.tx(ctx, "store.AddUnbooked", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO supply_unbooked (`+unbookedCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.EncounterID, u.TeamID, db.d.t(u.At), u.Item, u.Qty, u.Unit, u.Problem, db.d.t(u.SettledAt), u.SettledBy, u.Settlement); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// UnbookedFor implements supplies.Store.
func (db *DB) UnbookedFor(ctx context.Context, encounterID string) ([]*supplies.Unbooked, error) {
	return list(ctx, db, db.r, "store.UnbookedFor", `SELECT `+unbookedCols+` FROM supply_unbooked WHERE encounter_id = ? ORDER BY at, id`,
		scanUnbooked, encounterID)
}

// UnbookedByID implements supplies.Store.
func (db *DB) UnbookedByID(ctx context.Context, id string) (*supplies.Unbooked, error) {
	u, err := scanUnbooked(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+unbookedCols+` FROM supply_unbooked WHERE id = ?`), id))
	return u, translate("store.UnbookedByID", err)
}

// UnbookedList implements supplies.Store: open lines oldest first, or the
// settled ones newest first.
func (db *DB) UnbookedList(ctx context.Context, open bool, limit int) ([]*supplies.Unbooked, error) {
	q := `SELECT ` + unbookedCols + ` FROM supply_unbooked WHERE settled_at IS NULL ORDER BY at, id LIMIT ?`
	if !open {
		q = `SELECT ` + unbookedCols + ` FROM supply_unbooked WHERE settled_at IS NOT NULL ORDER BY settled_at DESC, id LIMIT ?`
	}
	return list(ctx, db, db.r, "store.UnbookedList", q, scanUnbooked, limit)
}

// SettleUnbooked implements supplies.Store.
func (db *DB) SettleUnbooked(ctx context.Context, id string, at time.Time, by, settlement string, m *supplies.Movement, e audit.Entry) error {
	const op = "store.SettleUnbooked"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE supply_unbooked SET settled_at = ?, settled_by = ?, settlement = ? WHERE id = ? AND settled_at IS NULL`,
			db.d.t(at), by, settlement, id)
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.Conflict, op, "err.already_settled")
		}
		if m != nil {
			if err := db.move(ctx, tx, op, []*supplies.Movement{m}); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, e)
	})
}

var _ supplies.Store = (*DB)(nil)
