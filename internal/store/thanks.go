package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/thanks"
)

// giftExists is the query that finds a gift of each kind: a money
// donation, or a donation into stock (not any other stock movement).
var giftExists = map[string]string{
	thanks.Money:  `SELECT 1 FROM money_donations WHERE id = ?`,
	thanks.InKind: `SELECT 1 FROM stock_movements WHERE id = ? AND kind = 'donation'`,
}

// setThanks writes a gift's consent in tx.
func (db *DB) setThanks(ctx context.Context, tx *sql.Tx, kind, giftID string, c thanks.Consent, by string, at time.Time) error {
	mode := c.Mode
	if mode == "" {
		mode = thanks.None
	}
	_, err := db.exec(ctx, tx, `INSERT INTO donor_thanks (gift_kind, gift_id, mode, public_name, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (gift_kind, gift_id) DO UPDATE SET mode = excluded.mode, public_name = excluded.public_name,
			set_by = excluded.set_by, set_at = excluded.set_at`, kind, giftID, mode, c.Name, by, db.d.t(at))
	return err
}

// SetThanks implements thanks.Store.
func (db *DB) SetThanks(ctx context.Context, kind, giftID string, c thanks.Consent, by string, at time.Time, e audit.Entry) error {
	const op = "store.SetThanks"
	q, ok := giftExists[kind]
	if !ok {
		return errs.E(errs.NotFound, op, "err.not_found")
	}
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, db.d.q(q), giftID).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errs.E(errs.NotFound, op, "err.not_found")
			}
			return err
		}
		if err := db.setThanks(ctx, tx, kind, giftID, c, by, at); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Gifts implements thanks.Store.
func (db *DB) Gifts(ctx context.Context, since time.Time, limit int) ([]*thanks.Gift, error) {
	return list(ctx, db, db.r, "store.Gifts", `SELECT 'money', d.id, d.at, d.donor, d.purpose, 0, '', d.amount_fen,
			COALESCE(t.mode, 'none'), COALESCE(t.public_name, ''), COALESCE(t.set_by, ''), t.set_at
		FROM money_donations d LEFT JOIN donor_thanks t ON t.gift_kind = 'money' AND t.gift_id = d.id
		WHERE d.at >= ?
		UNION ALL
		SELECT 'in_kind', m.id, m.at, m.donor, si.name, m.qty, si.unit, 0,
			COALESCE(t.mode, 'none'), COALESCE(t.public_name, ''), COALESCE(t.set_by, ''), t.set_at
		FROM stock_movements m JOIN supply_items si ON si.id = m.item_id
			LEFT JOIN donor_thanks t ON t.gift_kind = 'in_kind' AND t.gift_id = m.id
		WHERE m.kind = 'donation' AND m.at >= ?
		ORDER BY 3 DESC, 2 LIMIT ?`, func(r rowScanner) (*thanks.Gift, error) {
		var g thanks.Gift
		err := r.Scan(&g.Kind, &g.ID, scanTime{&g.At}, &g.Donor, &g.What, &g.Qty, &g.Unit, &g.AmountFen,
			&g.Consent.Mode, &g.Consent.Name, &g.SetBy, scanTime{&g.SetAt})
		return &g, err
	}, db.d.t(since), db.d.t(since), limit)
}

// Thanked implements thanks.Store: only gifts whose donor consents, and
// only what the public may read of them (never the recorded donor, the
// amount or the quantity).
func (db *DB) Thanked(ctx context.Context, since time.Time, limit int) ([]*thanks.Thanked, error) {
	return list(ctx, db, db.r, "store.Thanked", `SELECT 'money', d.at, '', t.mode, t.public_name
		FROM donor_thanks t JOIN money_donations d ON t.gift_kind = 'money' AND d.id = t.gift_id
		WHERE t.mode IN ('named', 'anonymous') AND d.at >= ?
		UNION ALL
		SELECT 'in_kind', m.at, si.name, t.mode, t.public_name
		FROM donor_thanks t JOIN stock_movements m ON t.gift_kind = 'in_kind' AND m.id = t.gift_id AND m.kind = 'donation'
			JOIN supply_items si ON si.id = m.item_id
		WHERE t.mode IN ('named', 'anonymous') AND m.at >= ?
		ORDER BY 2 DESC LIMIT ?`, func(r rowScanner) (*thanks.Thanked, error) {
		var g thanks.Thanked
		err := r.Scan(&g.Kind, scanTime{&g.At}, &g.Item, &g.Consent.Mode, &g.Consent.Name)
		return &g, err
	}, db.d.t(since), db.d.t(since), limit)
}

var _ thanks.Store = (*DB)(nil)
