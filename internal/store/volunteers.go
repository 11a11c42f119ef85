package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/thanks"
	"github.com/havenrescue/haven/internal/volunteers"
)

// AddOrganisation implements volunteers.Store.
func (db *DB) AddOrganisation(ctx context.Context, o *volunteers.Organisation, e audit.Entry) error {
	return db.tx(ctx, "store.AddOrganisation", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO organisations (id, name, kind, contact, phone, agreement, agreed_to, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			o.ID, o.Name, o.Kind, o.Contact, o.Phone, o.Agreement, o.AgreedTo, db.d.t(o.CreatedAt)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Organisations implements volunteers.Store.
func (db *DB) Organisations(ctx context.Context) ([]*volunteers.Organisation, error) {
	return list(ctx, db, db.r, "store.Organisations", `SELECT id, name, kind, contact, phone, agreement, agreed_to, created_at FROM organisations ORDER BY name`,
		func(r rowScanner) (*volunteers.Organisation, error) {
			var o volunteers.Organisation
			err := r.Scan(&o.ID, &o.Name, &o.Kind, &o.Contact, &o.Phone, &o.Agreement, &o.AgreedTo, scanTime{&o.CreatedAt})
			return &o, err
		})
}

// AddVolunteer implements volunteers.Store.
func (db *DB) AddVolunteer(ctx context.Context, v *volunteers.Volunteer, e audit.Entry) error {
	return db.tx(ctx, "store.AddVolunteer", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO volunteers (id, name, org_id, phone, id_enc, skills, availability, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			v.ID, v.Name, nullString(v.OrgID), v.Phone, v.IDSealed, strings.Join(v.Skills, ","), v.Availability, boolInt(v.Active), db.d.t(v.CreatedAt)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Volunteers implements volunteers.Store, with the minutes credited.
func (db *DB) Volunteers(ctx context.Context) ([]*volunteers.Volunteer, error) {
	return list(ctx, db, db.r, "store.Volunteers", `SELECT v.id, v.name, v.org_id, v.phone, v.id_enc, v.skills, v.availability, v.active, v.created_at,
		COALESCE((SELECT SUM(s.minutes) FROM vol_signups s WHERE s.volunteer_id = v.id AND s.attended = 1), 0)
		FROM volunteers v ORDER BY v.name`, func(r rowScanner) (*volunteers.Volunteer, error) {
		var v volunteers.Volunteer
		var org sql.NullString
		var skills string
		var active int
		err := r.Scan(&v.ID, &v.Name, &org, &v.Phone, &v.IDSealed, &skills, &v.Availability, &active, scanTime{&v.CreatedAt}, &v.Minutes)
		v.OrgID, v.Active = org.String, active == 1
		if skills != "" {
			v.Skills = strings.Split(skills, ",")
		}
		return &v, err
	})
}

// AddVolunteerShift implements volunteers.Store.
func (db *DB) AddVolunteerShift(ctx context.Context, s *volunteers.Shift, e audit.Entry) error {
	return db.tx(ctx, "store.AddShift", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO vol_shifts (id, title, kind, ref, starts_at, ends_at, places, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.Title, s.Kind, s.Ref, db.d.t(s.StartsAt), db.d.t(s.EndsAt), s.Places, s.CreatedBy); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// VolunteerShifts implements volunteers.Store.
func (db *DB) VolunteerShifts(ctx context.Context, from time.Time) ([]*volunteers.Shift, error) {
	shifts, err := list(ctx, db, db.r, "store.Shifts", `SELECT id, title, kind, ref, starts_at, ends_at, places, created_by FROM vol_shifts
		WHERE ends_at >= ? ORDER BY starts_at LIMIT 500`, func(r rowScanner) (*volunteers.Shift, error) {
		var s volunteers.Shift
		err := r.Scan(&s.ID, &s.Title, &s.Kind, &s.Ref, scanTime{&s.StartsAt}, scanTime{&s.EndsAt}, &s.Places, &s.CreatedBy)
		return &s, err
	}, db.d.t(from))
	if err != nil || len(shifts) == 0 {
		return shifts, err
	}
	ids := make([]string, len(shifts))
	byID := map[string]*volunteers.Shift{}
	for i, s := range shifts {
		ids[i], byID[s.ID] = s.ID, s
	}
	signups, err := listIn(ctx, db, "store.Shifts", `SELECT shift_id, volunteer_id, signed_at, attended, minutes FROM vol_signups`, "shift_id", ids,
		func(r rowScanner) (volunteers.Signup, error) {
			var s volunteers.Signup
			var att int
			err := r.Scan(&s.ShiftID, &s.VolunteerID, scanTime{&s.SignedAt}, &att, &s.Minutes)
			s.Attended = att == 1
			return s, err
		})
	for _, s := range signups {
		byID[s.ShiftID].Signups = append(byID[s.ShiftID].Signups, s)
	}
	return shifts, err
}

// SignUp implements volunteers.Store: the shift row is locked, so two
// volunteers cannot take its last place.
func (db *DB) SignUp(ctx context.Context, s volunteers.Signup, e audit.Entry) error {
	const op = "store.SignUp"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		var places, taken, mine int
		if err := tx.QueryRowContext(ctx, db.d.q(`SELECT places FROM vol_shifts WHERE id = ?`+db.d.forUpdate()), s.ShiftID).Scan(&places); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, db.d.q(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN volunteer_id = ? THEN 1 ELSE 0 END), 0)
			FROM vol_signups WHERE shift_id = ?`), s.VolunteerID, s.ShiftID).Scan(&taken, &mine); err != nil {
			return err
		}
		if mine > 0 {
			return errs.E(errs.Exists, op, "err.signed_up")
		}
		if taken >= places {
			return errs.E(errs.Conflict, op, "err.shift_full")
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO vol_signups (shift_id, volunteer_id, signed_at) VALUES (?, ?, ?)`, s.ShiftID, s.VolunteerID, db.d.t(s.SignedAt)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Attend implements volunteers.Store: minutes 0 credits the shift's length.
func (db *DB) Attend(ctx context.Context, shiftID, volunteerID string, minutes int, e audit.Entry) error {
	const op = "store.Attend"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		if minutes == 0 {
			var from, to time.Time
			if err := tx.QueryRowContext(ctx, db.d.q(`SELECT starts_at, ends_at FROM vol_shifts WHERE id = ?`), shiftID).Scan(scanTime{&from}, scanTime{&to}); err != nil {
				return err
			}
			minutes = int(to.Sub(from).Minutes())
		}
		r, err := db.exec(ctx, tx, `UPDATE vol_signups SET attended = 1, minutes = ? WHERE shift_id = ? AND volunteer_id = ?`, minutes, shiftID, volunteerID)
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.NotFound, op, "err.not_signed_up")
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Withdraw implements volunteers.Store: only a sign-up not yet attended.
func (db *DB) Withdraw(ctx context.Context, shiftID, volunteerID string, e audit.Entry) error {
	const op = "store.Withdraw"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `DELETE FROM vol_signups WHERE shift_id = ? AND volunteer_id = ? AND attended = 0`, shiftID, volunteerID)
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.NotFound, op, "err.not_signed_up")
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// SetVolunteerLink implements volunteers.Store.
func (db *DB) SetVolunteerLink(ctx context.Context, volunteerID, hash string, e audit.Entry) error {
	return db.tx(ctx, "store.SetVolunteerLink", func(tx *sql.Tx) error {
		if err := mustAffect(db.exec(ctx, tx, `UPDATE volunteers SET link_hash = ? WHERE id = ?`, hash, volunteerID)); err != nil {
			return errs.E(errs.NotFound, "store.SetVolunteerLink", "err.not_found")
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// VolunteerByLink implements volunteers.Store.
func (db *DB) VolunteerByLink(ctx context.Context, hash string) (*volunteers.Volunteer, error) {
	var v volunteers.Volunteer
	var active int
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT id, name, active FROM volunteers WHERE link_hash = ? AND link_hash <> ''`), hash).
		Scan(&v.ID, &v.Name, &active)
	v.Active = active == 1
	return &v, translate("store.VolunteerByLink", err)
}

// AddDonation implements volunteers.Store.
func (db *DB) AddDonation(ctx context.Context, d *volunteers.Donation, e audit.Entry) error {
	return db.tx(ctx, "store.AddDonation", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO money_donations (id, at, donor, org_id, amount_fen, purpose, receipt_no, by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, db.d.t(d.At), d.Donor, nullString(d.OrgID), d.AmountFen, d.Purpose, d.ReceiptNo, d.ByName); err != nil {
			return err
		}
		if d.Thanks.Public() {
			if err := db.setThanks(ctx, tx, thanks.Money, d.ID, d.Thanks, d.ByName, d.At); err != nil {
				return err
			}
		}
		if d.PurposeCode != "" {
			if _, err := db.exec(ctx, tx, `INSERT INTO restricted_funds (donation_id, purpose, amount_fen, spent_fen) VALUES (?, ?, ?, 0)`,
				d.ID, d.PurposeCode, d.AmountFen); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Donations implements volunteers.Store, newest first, each with its
// donor's consent to public thanks.
func (db *DB) Donations(ctx context.Context) ([]*volunteers.Donation, error) {
	return list(ctx, db, db.r, "store.Donations", `SELECT d.id, d.at, d.donor, d.org_id, d.amount_fen, d.purpose, d.receipt_no, d.by_name, COALESCE(f.purpose, ''),
			COALESCE(t.mode, 'none'), COALESCE(t.public_name, '')
		FROM money_donations d LEFT JOIN restricted_funds f ON f.donation_id = d.id
			LEFT JOIN donor_thanks t ON t.gift_kind = 'money' AND t.gift_id = d.id
		ORDER BY d.at DESC LIMIT 500`,
		func(r rowScanner) (*volunteers.Donation, error) {
			var d volunteers.Donation
			var org sql.NullString
			err := r.Scan(&d.ID, scanTime{&d.At}, &d.Donor, &org, &d.AmountFen, &d.Purpose, &d.ReceiptNo, &d.ByName, &d.PurposeCode,
				&d.Thanks.Mode, &d.Thanks.Name)
			d.OrgID = org.String
			return &d, err
		})
}

var _ volunteers.Store = (*DB)(nil)

const applicationCols = `id, ref, name, phone, skills, availability, state, reason, volunteer_id, decided_by, decided_at, created_at`

// applicationSelect reads an application with when its volunteer joined.
const applicationSelect = `SELECT a.id, a.ref, a.name, a.phone, a.skills, a.availability, a.state, a.reason, a.volunteer_id, a.decided_by,
	a.decided_at, a.created_at, v.joined_at FROM volunteer_applications a LEFT JOIN volunteers v ON v.id = a.volunteer_id`

func scanApplication(r rowScanner) (*volunteers.Application, error) {
	var a volunteers.Application
	var skills string
	err := r.Scan(&a.ID, &a.Ref, &a.Name, &a.Phone, &skills, &a.Availability, &a.State, &a.Reason, &a.VolunteerID, &a.DecidedBy,
		scanTime{&a.DecidedAt}, scanTime{&a.CreatedAt}, scanTime{&a.JoinedAt})
	if skills != "" {
		a.Skills = strings.Split(skills, ",")
	}
	return &a, err
}

// AddApplication implements volunteers.Store.
func (db *DB) AddApplication(ctx context.Context, a *volunteers.Application, e audit.Entry) error {
	return db.tx(ctx, "store.AddApplication", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO volunteer_applications (`+applicationCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.Ref, a.Name, a.Phone, strings.Join(a.Skills, ","), a.Availability, a.State, a.Reason, a.VolunteerID, a.DecidedBy,
			db.d.t(a.DecidedAt), db.d.t(a.CreatedAt)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Applications implements volunteers.Store.
func (db *DB) Applications(ctx context.Context) ([]*volunteers.Application, error) {
	return list(ctx, db, db.r, "store.Applications", applicationSelect+`
		ORDER BY CASE WHEN a.state = 'pending' THEN 0 ELSE 1 END, a.created_at DESC, a.id`, scanApplication)
}

// ApplicationByID implements volunteers.Store.
func (db *DB) ApplicationByID(ctx context.Context, id string) (*volunteers.Application, error) {
	a, err := scanApplication(db.r.QueryRowContext(ctx, db.d.q(applicationSelect+` WHERE a.id = ?`), id))
	return a, translate("store.ApplicationByID", err)
}

// DecideApplication implements volunteers.Store.
func (db *DB) DecideApplication(ctx context.Context, a *volunteers.Application, v *volunteers.Volunteer, l *volunteers.JoinLink, e audit.Entry) error {
	const op = "store.DecideApplication"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE volunteer_applications SET state = ?, reason = ?, volunteer_id = ?, decided_by = ?, decided_at = ?
			WHERE id = ? AND state = 'pending'`, a.State, a.Reason, a.VolunteerID, a.DecidedBy, db.d.t(a.DecidedAt), a.ID)
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.Conflict, op, "err.application_decided")
		}
		if v != nil {
			if _, err := db.exec(ctx, tx, `INSERT INTO volunteers (id, name, org_id, phone, id_enc, skills, availability, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				v.ID, v.Name, nullString(v.OrgID), v.Phone, v.IDSealed, strings.Join(v.Skills, ","), v.Availability, boolInt(v.Active), db.d.t(v.CreatedAt)); err != nil {
				return err
			}
		}
		if l != nil {
			if err := db.addJoinLink(ctx, tx, l); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// addJoinLink stores a sign-up link in tx, revoking the volunteer's
// earlier unused ones.
func (db *DB) addJoinLink(ctx context.Context, tx *sql.Tx, l *volunteers.JoinLink) error {
	if _, err := db.exec(ctx, tx, `UPDATE volunteer_join_links SET revoked = 1 WHERE volunteer_id = ? AND used_at IS NULL`, l.VolunteerID); err != nil {
		return err
	}
	_, err := db.exec(ctx, tx, `INSERT INTO volunteer_join_links (token_hash, volunteer_id, application_id, expires_at, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, l.Hash, l.VolunteerID, l.ApplicationID, db.d.t(l.ExpiresAt), l.CreatedBy, db.d.t(l.CreatedAt))
	return err
}

// AddJoinLink implements volunteers.JoinStore.
func (db *DB) AddJoinLink(ctx context.Context, l *volunteers.JoinLink, e audit.Entry) error {
	return db.tx(ctx, "store.AddJoinLink", func(tx *sql.Tx) error {
		if err := db.addJoinLink(ctx, tx, l); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// JoinLinkByHash implements volunteers.JoinStore.
func (db *DB) JoinLinkByHash(ctx context.Context, hash string) (*volunteers.JoinLink, *volunteers.Volunteer, error) {
	var l volunteers.JoinLink
	var v volunteers.Volunteer
	var skills string
	var revoked, active int
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT j.token_hash, j.volunteer_id, j.application_id, j.expires_at, j.used_at, j.revoked, j.created_by, j.created_at,
			v.id, v.name, v.phone, v.skills, v.availability, v.active
		FROM volunteer_join_links j JOIN volunteers v ON v.id = j.volunteer_id WHERE j.token_hash = ?`), hash).
		Scan(&l.Hash, &l.VolunteerID, &l.ApplicationID, scanTime{&l.ExpiresAt}, scanTime{&l.UsedAt}, &revoked, &l.CreatedBy, scanTime{&l.CreatedAt},
			&v.ID, &v.Name, &v.Phone, &skills, &v.Availability, &active)
	if err != nil {
		return nil, nil, translate("store.JoinLinkByHash", err)
	}
	l.Revoked, v.Active = revoked == 1, active == 1
	if skills != "" {
		v.Skills = strings.Split(skills, ",")
	}
	return &l, &v, nil
}

// Join implements volunteers.JoinStore: the guarded UPDATE uses the link
// up once, however many confirmations race for it.
func (db *DB) Join(ctx context.Context, hash string, now time.Time, v *volunteers.Volunteer, linkHash string, e audit.Entry) error {
	const op = "store.Join"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE volunteer_join_links SET used_at = ? WHERE token_hash = ? AND volunteer_id = ? AND used_at IS NULL
			AND revoked = 0 AND expires_at > ?`, db.d.t(now), hash, v.ID, db.d.t(now))
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.Conflict, op, "volunteer_join.err_used")
		}
		if err := mustAffect(db.exec(ctx, tx, `UPDATE volunteers SET skills = ?, availability = ?, joined_at = ?, link_hash = ? WHERE id = ?`,
			strings.Join(v.Skills, ","), v.Availability, db.d.t(now), linkHash, v.ID)); err != nil {
			return errs.E(errs.NotFound, op, "err.not_found")
		}
		return db.appendAudit(ctx, tx, e)
	})
}
