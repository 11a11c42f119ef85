package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/havenrescue/haven/internal/assistance"
	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
)

// AddAssistanceReferral implements assistance.Store.
func (db *DB) AddAssistanceReferral(ctx context.Context, r *assistance.Referral, e audit.Entry) error {
	sc, err := json.Marshal(r.Screening)
	if err != nil {
		return err
	}
	return db.tx(ctx, "store.AddAssistanceReferral", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO assistance_referrals (id, ref, person_id, stay_id, programme, region, screening, eligible, consent, office,
				sent_at, sent_id, sent_by, due_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.Ref, r.PersonID, nullString(r.StayID), r.Programme, r.Region, string(sc), boolInt(r.Eligible), boolInt(r.Consent), r.Office,
			db.d.t(r.SentAt), r.SentID, r.SentBy, db.d.t(r.DueAt), r.State); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

const assistanceCols = `ar.id, ar.ref, ar.person_id, ar.stay_id, ar.programme, ar.region, ar.screening, ar.eligible, ar.consent, ar.office, ar.sent_at,
	ar.sent_id, ar.sent_by, ar.due_at, ar.state, ar.answered_at, ar.decided_at, ar.amount_fen, ar.start_on, ar.reason, ar.answered_by, p.ref, p.name`

const assistanceFrom = ` FROM assistance_referrals ar JOIN persons p ON p.id = ar.person_id`

func scanAssistance(row rowScanner) (*assistance.Referral, error) {
	var r assistance.Referral
	var stay sql.NullString
	var sc string
	var eligible, consent int
	err := row.Scan(&r.ID, &r.Ref, &r.PersonID, &stay, &r.Programme, &r.Region, &sc, &eligible, &consent, &r.Office, scanTime{&r.SentAt}, &r.SentID,
		&r.SentBy, scanTime{&r.DueAt}, &r.State, scanTime{&r.AnsweredAt}, scanTime{&r.DecidedAt}, &r.AmountFen, &r.StartOn, &r.Reason, &r.AnsweredBy,
		&r.PersonRef, &r.PersonName)
	if err != nil {
		return nil, err
	}
	r.StayID, r.Eligible, r.Consent = stay.String, eligible == 1, consent == 1
	if err := json.Unmarshal([]byte(sc), &r.Screening); err != nil {
		return nil, err
	}
	return &r, nil
}

// AssistanceReferralByID implements assistance.Store.
func (db *DB) AssistanceReferralByID(ctx context.Context, id string) (*assistance.Referral, error) {
	r, err := scanAssistance(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+assistanceCols+assistanceFrom+` WHERE ar.id = ?`), id))
	return r, translate("store.AssistanceReferralByID", err)
}

// AssistanceReferrals implements assistance.Store: newest first.
func (db *DB) AssistanceReferrals(ctx context.Context, f assistance.Filter) ([]*assistance.Referral, error) {
	var w filter
	if f.PersonID != "" {
		w.add("ar.person_id = ?", f.PersonID)
	}
	w.in("ar.state", f.States)
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	return list(ctx, db, db.r, "store.AssistanceReferrals", `SELECT `+assistanceCols+assistanceFrom+w.sql()+` ORDER BY ar.sent_at DESC, ar.id DESC LIMIT ?`,
		scanAssistance, append(w.args, limit)...)
}

// AnswerAssistanceReferral implements assistance.Store.
func (db *DB) AnswerAssistanceReferral(ctx context.Context, r *assistance.Referral, from string, e audit.Entry) error {
	const op = "store.AnswerAssistanceReferral"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		res, err := db.exec(ctx, tx, `UPDATE assistance_referrals SET state = ?, answered_at = ?, decided_at = ?, amount_fen = ?, start_on = ?, reason = ?,
			answered_by = ? WHERE id = ? AND state = ?`, r.State, db.d.t(r.AnsweredAt), db.d.t(r.DecidedAt), r.AmountFen, r.StartOn, r.Reason, r.AnsweredBy,
			r.ID, from)
		if err := mustAffect(res, err); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errs.E(errs.Conflict, op, "assistance.err.state")
			}
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// UnansweredReferrals implements assistance.Store: served by
// assistance_referrals_due (state, due_at).
func (db *DB) UnansweredReferrals(ctx context.Context, before time.Time, limit int) ([]*assistance.Referral, error) {
	return list(ctx, db, db.r, "store.UnansweredReferrals", `SELECT `+assistanceCols+assistanceFrom+
		` WHERE ar.state = ? AND ar.due_at <= ? ORDER BY ar.due_at, ar.id LIMIT ?`, scanAssistance, assistance.Sent, db.d.t(before), limit)
}

// AddAssistanceFile implements assistance.Store.
func (db *DB) AddAssistanceFile(ctx context.Context, f *assistance.File, e audit.Entry) error {
	return db.tx(ctx, "store.AddAssistanceFile", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO assistance_files (id, referral_id, name, at, by_id, by_name) VALUES (?, ?, ?, ?, ?, ?)`,
			f.ID, f.ReferralID, f.Name, db.d.t(f.At), f.ByID, f.ByName); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// AssistanceFiles implements assistance.Store.
func (db *DB) AssistanceFiles(ctx context.Context, referralID string) ([]*assistance.File, error) {
	return list(ctx, db, db.r, "store.AssistanceFiles", `SELECT id, referral_id, name, at, by_id, by_name FROM assistance_files WHERE referral_id = ? ORDER BY at, id`,
		func(r rowScanner) (*assistance.File, error) {
			var f assistance.File
			err := r.Scan(&f.ID, &f.ReferralID, &f.Name, scanTime{&f.At}, &f.ByID, &f.ByName)
			return &f, err
		}, referralID)
}

// StayDuties implements assistance.Store with three bounded queries: the
// open stays by arrival (stays_state (state, arrived_at)) up to each
// period's threshold, and the 落户 done (stay_duties_done_kind) still
// open. DueAt is the arrival, or the 落户's time for an enrolment.
func (db *DB) StayDuties(ctx context.Context, q assistance.DutyQuery) ([]*assistance.StayDuty, error) {
	const op = "store.StayDuties"
	limit := q.Limit
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	scan := func(kind string) func(rowScanner) (*assistance.StayDuty, error) {
		return func(r rowScanner) (*assistance.StayDuty, error) {
			d := &assistance.StayDuty{Kind: kind}
			err := r.Scan(&d.StayID, &d.PersonID, &d.PersonRef, &d.PersonName, scanTime{&d.DueAt})
			return d, err
		}
	}
	notDone := func(kind string) string {
		return ` AND NOT EXISTS (SELECT 1 FROM stay_duties_done sdd WHERE sdd.stay_id = s.id AND sdd.kind = '` + kind + `')`
	}
	ext, err := list(ctx, db, db.r, op, `SELECT s.id, s.person_id, p.ref, p.name, s.arrived_at FROM stays s JOIN persons p ON p.id = s.person_id
		WHERE s.state = 'open' AND s.arrived_at < ?`+notDone(assistance.DutyExtension)+` ORDER BY s.arrived_at, s.id LIMIT ?`,
		scan(assistance.DutyExtension), db.d.t(q.ExtensionArrivedBefore), limit)
	if err != nil {
		return nil, err
	}
	hukou, err := list(ctx, db, db.r, op, `SELECT s.id, s.person_id, p.ref, p.name, s.arrived_at FROM stays s JOIN persons p ON p.id = s.person_id
		WHERE s.state = 'open' AND s.arrived_at < ? AND s.unidentified = 1 AND p.identified = 0`+notDone(assistance.DutyHukou)+`
		ORDER BY s.arrived_at, s.id LIMIT ?`, scan(assistance.DutyHukou), db.d.t(q.HukouArrivedBefore), limit)
	if err != nil {
		return nil, err
	}
	enrol, err := list(ctx, db, db.r, op, `SELECT s.id, s.person_id, p.ref, p.name, hk.done_at FROM stay_duties_done hk
		JOIN stays s ON s.id = hk.stay_id JOIN persons p ON p.id = s.person_id
		WHERE hk.kind = ? AND s.state = 'open'`+notDone(assistance.DutyEnrol)+`
		AND NOT EXISTS (SELECT 1 FROM assistance_referrals ar WHERE ar.person_id = s.person_id AND ar.programme IN (?, ?) AND ar.sent_at >= hk.done_at)
		ORDER BY hk.done_at, s.id LIMIT ?`, scan(assistance.DutyEnrol), assistance.DutyHukou, assistance.Dibao, assistance.Tekun, limit)
	if err != nil {
		return nil, err
	}
	return append(append(ext, hukou...), enrol...), nil
}

// DoStayDuty implements assistance.Store.
func (db *DB) DoStayDuty(ctx context.Context, stayID, kind string, at time.Time, by, note string, e audit.Entry) error {
	return db.tx(ctx, "store.DoStayDuty", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO stay_duties_done (stay_id, kind, done_at, by_name, note) VALUES (?, ?, ?, ?, ?)`,
			stayID, kind, db.d.t(at), by, note); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}
