package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/intake"
)

func (db *DB) insertDelivery(ctx context.Context, x execer, d *intake.Delivery) error {
	_, err := db.exec(ctx, x, `INSERT INTO outbox (id, partner, signal_id, event, body, attempts, next_at, last_error, created_at, delivered_at, dead_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.ID, string(d.Partner), d.SignalID, d.Event, string(d.Body), d.Attempts,
		db.d.t(d.NextAt), d.LastError, db.d.t(d.CreatedAt), db.d.t(d.DeliveredAt), db.d.t(d.DeadAt))
	return err
}

const deliveryColumns = `id, partner, signal_id, event, body, attempts, next_at, last_error, created_at, delivered_at, dead_at`

func scanDelivery(r rowScanner) (*intake.Delivery, error) {
	var d intake.Delivery
	var body string
	err := r.Scan(&d.ID, &d.Partner, &d.SignalID, &d.Event, &body, &d.Attempts, scanTime{&d.NextAt}, &d.LastError,
		scanTime{&d.CreatedAt}, scanTime{&d.DeliveredAt}, scanTime{&d.DeadAt})
	d.Body = []byte(body)
	return &d, err
}

func (db *DB) deliveries(ctx context.Context, where string, args ...any) ([]*intake.Delivery, error) {
	return list(ctx, db, db.r, "store.deliveries", `SELECT `+deliveryColumns+` FROM outbox WHERE `+where, scanDelivery, args...)
}

// ClaimDeliveries returns up to limit deliveries due at now and leases them
// for lease, so that of several nodes only one sends each.
func (db *DB) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*intake.Delivery, error) {
	due, err := db.deliveries(ctx, `delivered_at IS NULL AND dead_at IS NULL AND next_at <= ? ORDER BY next_at LIMIT ?`, db.d.t(now), limit)
	if err != nil {
		return nil, err
	}
	var claimed []*intake.Delivery
	for _, d := range due {
		r, err := db.exec(ctx, db.w, `UPDATE outbox SET next_at = ? WHERE id = ? AND next_at = ? AND delivered_at IS NULL`,
			db.d.t(now.Add(lease)), d.ID, db.d.t(d.NextAt))
		if err != nil {
			return claimed, translate("store.ClaimDeliveries", err)
		}
		if n, _ := r.RowsAffected(); n == 1 {
			claimed = append(claimed, d)
		}
	}
	return claimed, nil
}

// MarkDelivered records a successful delivery.
func (db *DB) MarkDelivered(ctx context.Context, id string, at time.Time, attempts int) error {
	_, err := db.execDurable(ctx, `UPDATE outbox SET delivered_at = ?, attempts = ?, last_error = '' WHERE id = ?`, db.d.t(at), attempts, id)
	return translate("store.MarkDelivered", err)
}

// MarkFailed records a failed attempt; dead sets the delivery aside for an
// administrator (dead-letter), otherwise it is retried at next.
func (db *DB) MarkFailed(ctx context.Context, id string, attempts int, next time.Time, lastErr string, dead bool, at time.Time) error {
	var deadAt any
	if dead {
		deadAt = db.d.t(at)
	}
	_, err := db.execDurable(ctx, `UPDATE outbox SET attempts = ?, next_at = ?, last_error = ?, dead_at = ? WHERE id = ?`, attempts, db.d.t(next), lastErr, deadAt, id)
	return translate("store.MarkFailed", err)
}

// DeadDeliveries lists the dead-letter queue.
func (db *DB) DeadDeliveries(ctx context.Context, limit int) ([]*intake.Delivery, error) {
	return db.deliveries(ctx, `dead_at IS NOT NULL AND delivered_at IS NULL ORDER BY dead_at DESC LIMIT ?`, limit)
}

// PendingDeliveries lists deliveries still being retried.
func (db *DB) PendingDeliveries(ctx context.Context, limit int) ([]*intake.Delivery, error) {
	return db.deliveries(ctx, `dead_at IS NULL AND delivered_at IS NULL ORDER BY next_at LIMIT ?`, limit)
}

// DeliveriesOfSignal lists every delivery about one signal.
func (db *DB) DeliveriesOfSignal(ctx context.Context, signalID string) ([]*intake.Delivery, error) {
	return db.deliveries(ctx, `signal_id = ? ORDER BY created_at, id`, signalID)
}

// Resend puts a dead delivery back in the queue.
func (db *DB) Resend(ctx context.Context, id string, now time.Time, e audit.Entry) error {
	return db.tx(ctx, "store.Resend", func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE outbox SET dead_at = NULL, attempts = 0, next_at = ? WHERE id = ? AND delivered_at IS NULL`, db.d.t(now), id)
		if err := mustAffect(r, err); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

const partnerColumns = `code, name, api_key_id, webhook_url, secret_enc, mapping, updated_at`

func scanPartner(r rowScanner) (*intake.Partner, error) {
	var p intake.Partner
	var key sql.NullString
	var mapping string
	if err := r.Scan(&p.Code, &p.Name, &key, &p.WebhookURL, &p.SecretSealed, &mapping, scanTime{&p.UpdatedAt}); err != nil {
		return nil, err
	}
	p.APIKeyID = key.String
	if err := json.Unmarshal([]byte(mapping), &p.Mapping); err != nil {
		return nil, err
	}
	return &p, nil
}

// EnsurePartner inserts a partner unless one with its code exists.
func (db *DB) EnsurePartner(ctx context.Context, p *intake.Partner) error {
	m, _ := json.Marshal(p.Mapping)
	_, err := db.execDurable(ctx, `INSERT INTO partners (`+partnerColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING`,
		string(p.Code), p.Name, nullString(p.APIKeyID), p.WebhookURL, p.SecretSealed, string(m), db.d.t(p.UpdatedAt))
	return translate("store.EnsurePartner", err)
}

// PartnerByCode returns NotFound for an unknown partner.
func (db *DB) PartnerByCode(ctx context.Context, code intake.Channel) (*intake.Partner, error) {
	p, err := scanPartner(db.readRow(ctx, `SELECT `+partnerColumns+` FROM partners WHERE code = ?`, string(code)))
	return p, translate("store.PartnerByCode", err)
}

// ListPartners lists every partner.
func (db *DB) ListPartners(ctx context.Context) ([]*intake.Partner, error) {
	return list(ctx, db, db.r, "store.ListPartners", `SELECT `+partnerColumns+` FROM partners ORDER BY code`, scanPartner)
}

// UpdatePartner saves a partner's key, webhook and mapping.
func (db *DB) UpdatePartner(ctx context.Context, p *intake.Partner, e audit.Entry) error {
	m, _ := json.Marshal(p.Mapping)
	return db.tx(ctx, "store.UpdatePartner", func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE partners SET name = ?, api_key_id = ?, webhook_url = ?, secret_enc = ?, mapping = ?, updated_at = ? WHERE code = ?`,
			p.Name, nullString(p.APIKeyID), p.WebhookURL, p.SecretSealed, string(m), db.d.t(p.UpdatedAt), string(p.Code))
		if err := mustAffect(r, err); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}
