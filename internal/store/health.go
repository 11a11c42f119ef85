package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/health"
)

// AddCheck implements health.Store.
func (db *DB) AddCheck(ctx context.Context, c *health.Check, e audit.Entry) error {
	data, _ := json.Marshal(c.Data)
	return db.tx(ctx, "store.AddCheck", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO health_checks (id, person_id, stay_id, at, kind, data, urgent, by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.PersonID, nullString(c.StayID), db.d.t(c.At), c.Kind, string(data), boolInt(c.Urgent), c.ByName); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Checks implements health.Store, newest first.
func (db *DB) Checks(ctx context.Context, personIDs []string) ([]*health.Check, error) {
	var w filter
	w.in("person_id", personIDs)
	if len(w.where) == 0 {
		return nil, nil
	}
	return list(ctx, db, db.r, "store.Checks", `SELECT id, person_id, stay_id, at, kind, data, urgent, by_name FROM health_checks`+w.sql()+` ORDER BY at DESC`,
		func(r rowScanner) (*health.Check, error) {
			var c health.Check
			var stay sql.NullString
			var data string
			var urgent int
			err := r.Scan(&c.ID, &c.PersonID, &stay, scanTime{&c.At}, &c.Kind, &data, &urgent, &c.ByName)
			c.StayID, c.Urgent = stay.String, urgent == 1
			_ = json.Unmarshal([]byte(data), &c.Data)
			return &c, err
		}, w.args...)
}

// AddMedication implements health.Store.
func (db *DB) AddMedication(ctx context.Context, m *health.Medication, e audit.Entry) error {
	return db.tx(ctx, "store.AddMedication", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO medications (id, person_id, name, dose, times, started_on, ended_on, note, by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ID, m.PersonID, m.Name, m.Dose, strings.Join(m.Times, ","), m.StartedOn, m.EndedOn, m.Note, m.ByName); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// EndMedication implements health.Store.
func (db *DB) EndMedication(ctx context.Context, id, endedOn string, e audit.Entry) error {
	const op = "store.EndMedication"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE medications SET ended_on = ? WHERE id = ? AND ended_on = ''`, endedOn, id)
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.NotFound, op, "err.not_found")
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Medications implements health.Store.
func (db *DB) Medications(ctx context.Context, personIDs []string) ([]*health.Medication, error) {
	var w filter
	w.in("person_id", personIDs)
	if len(w.where) == 0 {
		return nil, nil
	}
	return list(ctx, db, db.r, "store.Medications", `SELECT id, person_id, name, dose, times, started_on, ended_on, note, by_name FROM medications`+w.sql()+` ORDER BY started_on DESC, name`,
		func(r rowScanner) (*health.Medication, error) {
			var m health.Medication
			var times string
			err := r.Scan(&m.ID, &m.PersonID, &m.Name, &m.Dose, &times, &m.StartedOn, &m.EndedOn, &m.Note, &m.ByName)
			if times != "" {
				m.Times = strings.Split(times, ",")
			}
			return &m, err
		}, w.args...)
}

const referralCols = `id, person_id, stay_id, hospital_id, reason, urgent, state, referred_at, transferred_at, admitted_at, discharged_at, version, updated_at, by_name`

func scanReferral(r rowScanner) (*health.Referral, error) {
	var x health.Referral
	var stay sql.NullString
	var urgent int
	err := r.Scan(&x.ID, &x.PersonID, &stay, &x.HospitalID, &x.Reason, &urgent, &x.State, scanTime{&x.ReferredAt}, scanTime{&x.TransferredAt},
		scanTime{&x.AdmittedAt}, scanTime{&x.DischargedAt}, &x.Version, scanTime{&x.UpdatedAt}, &x.ByName)
	x.StayID, x.Urgent = stay.String, urgent == 1
	return &x, err
}

// AddReferral implements health.Store.
func (db *DB) AddReferral(ctx context.Context, x *health.Referral, e audit.Entry) error {
	return db.tx(ctx, "store.AddReferral", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO referrals (id, person_id, stay_id, hospital_id, reason, urgent, state, referred_at, version, updated_at, by_name)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, x.ID, x.PersonID, nullString(x.StayID), x.HospitalID, x.Reason, boolInt(x.Urgent), x.State,
			db.d.t(x.ReferredAt), x.Version, db.d.t(x.UpdatedAt), x.ByName); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

func (db *DB) insertReferralNote(ctx context.Context, tx *sql.Tx, n *health.Note) error {
	_, err := db.exec(ctx, tx, `INSERT INTO referral_notes (id, referral_id, at, kind, text, author_name, author_dept) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		n.ID, n.ReferralID, db.d.t(n.At), n.Kind, n.Text, n.AuthorName, n.AuthorDept)
	return err
}

// UpdateReferral implements health.Store.
func (db *DB) UpdateReferral(ctx context.Context, x *health.Referral, n *health.Note, e audit.Entry) error {
	const op = "store.UpdateReferral"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE referrals SET state = ?, transferred_at = ?, admitted_at = ?, discharged_at = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, x.State, db.d.t(x.TransferredAt), db.d.t(x.AdmittedAt), db.d.t(x.DischargedAt), db.d.t(x.UpdatedAt), x.ID, x.Version)
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.Conflict, op, "err.changed_meanwhile")
		}
		if err := db.insertReferralNote(ctx, tx, n); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// AddReferralNote implements health.Store.
func (db *DB) AddReferralNote(ctx context.Context, n *health.Note, e audit.Entry) error {
	return db.tx(ctx, "store.AddReferralNote", func(tx *sql.Tx) error {
		if err := db.insertReferralNote(ctx, tx, n); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// ReferralByID implements health.Store.
func (db *DB) ReferralByID(ctx context.Context, id string) (*health.Referral, error) {
	x, err := scanReferral(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+referralCols+` FROM referrals WHERE id = ?`), id))
	return x, translate("store.ReferralByID", err)
}

// Referrals implements health.Store.
func (db *DB) Referrals(ctx context.Context, hospitalID string, personIDs []string, open bool) ([]*health.Referral, error) {
	var w filter
	if hospitalID != "" {
		w.add("hospital_id = ?", hospitalID)
	}
	w.in("person_id", personIDs)
	if open {
		w.add("state IN ('referred', 'transferred', 'admitted')")
	}
	return list(ctx, db, db.r, "store.Referrals", `SELECT `+referralCols+` FROM referrals`+w.sql()+` ORDER BY referred_at DESC LIMIT 500`, scanReferral, w.args...)
}

// ReferralNotes implements health.Store.
func (db *DB) ReferralNotes(ctx context.Context, referralID string) ([]*health.Note, error) {
	return list(ctx, db, db.r, "store.ReferralNotes", `SELECT id, referral_id, at, kind, text, author_name, author_dept FROM referral_notes WHERE referral_id = ? ORDER BY at`,
		func(r rowScanner) (*health.Note, error) {
			var n health.Note
			err := r.Scan(&n.ID, &n.ReferralID, scanTime{&n.At}, &n.Kind, &n.Text, &n.AuthorName, &n.AuthorDept)
			return &n, err
		}, referralID)
}

var _ health.Store = (*DB)(nil)
