package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/havenrescue/haven/internal/duties"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
)

const dutyCols = `id, area, kind, subject, title, every_n, every_unit, soon_s, next_due_at, last_done_at, last_by, active`

func scanDuty(r rowScanner) (*duties.Duty, error) {
	var d duties.Duty
	var soon int64
	var active int
	err := r.Scan(&d.ID, &d.Area, &d.Kind, &d.Subject, &d.Title, &d.Every.N, &d.Every.Unit, &soon, scanTime{&d.NextDue},
		scanTime{&d.LastDone}, &d.LastBy, &active)
	d.Soon, d.Active = time.Duration(soon)*time.Second, active == 1
	return &d, err
}

// EnsureDuty implements duties.Store.
func (db *DB) EnsureDuty(ctx context.Context, d duties.Duty) (*duties.Duty, error) {
	const op = "store.EnsureDuty"
	if got, err := db.DutyByKey(ctx, d.Area, d.Kind, d.Subject); err == nil || !errs.Is(errs.NotFound, err) {
		return got, err
	}
	if d.ID == "" {
		d.ID = id.New()
	}
	_, err := db.execDurable(ctx, `INSERT INTO duties (`+dutyCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (area, kind, subject) DO NOTHING`, d.ID, d.Area, d.Kind, d.Subject, d.Title, d.Every.N, d.Every.Unit,
		int64(d.Soon/time.Second), db.d.t(d.NextDue), db.d.t(d.LastDone), d.LastBy, boolInt(d.Active))
	if err != nil {
		return nil, translate(op, err)
	}
	return db.DutyByKey(ctx, d.Area, d.Kind, d.Subject)
}

func (db *DB) dutyWhere(ctx context.Context, op, where string, args ...any) (*duties.Duty, error) {
	d, err := scanDuty(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+dutyCols+` FROM duties WHERE `+where), args...))
	if err == sql.ErrNoRows {
		return nil, errs.E(errs.NotFound, op, "err.not_found")
	}
	if err != nil {
		return nil, translate(op, err)
	}
	return d, nil
}

// DutyByKey implements duties.Store.
func (db *DB) DutyByKey(ctx context.Context, area, kind, subject string) (*duties.Duty, error) {
	return db.dutyWhere(ctx, "store.DutyByKey", `area = ? AND kind = ? AND subject = ?`, area, kind, subject)
}

// DutyByID implements duties.Store.
func (db *DB) DutyByID(ctx context.Context, id string) (*duties.Duty, error) {
	return db.dutyWhere(ctx, "store.DutyByID", `id = ?`, id)
}

// DutiesDue implements duties.Store: the index duties_due, from its start
// to until.
func (db *DB) DutiesDue(ctx context.Context, area string, until time.Time) ([]*duties.Duty, error) {
	return list(ctx, db, db.r, "store.DutiesDue", `SELECT `+dutyCols+` FROM duties
		WHERE area = ? AND active = 1 AND next_due_at <= ? ORDER BY next_due_at, kind, subject`, scanDuty, area, db.d.t(until))
}

// SaveRun implements duties.Store.
func (db *DB) SaveRun(ctx context.Context, next duties.Duty, prevDue time.Time, run duties.Run) error {
	const op = "store.SaveRun"
	if run.ID == "" {
		run.ID = id.New()
	}
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		res, err := db.exec(ctx, tx, `UPDATE duties SET next_due_at = ?, last_done_at = ?, last_by = ?, active = ?
			WHERE id = ? AND next_due_at = ? AND active = 1`, db.d.t(next.NextDue), db.d.t(next.LastDone), next.LastBy, boolInt(next.Active),
			next.ID, db.d.t(prevDue))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = errs.E(errs.Conflict, op, "err.conflict")
			}
			return err
		}
		_, err = db.exec(ctx, tx, `INSERT INTO duty_runs (id, duty_id, due_at, done_at, done_by, state, record_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			run.ID, run.DutyID, db.d.t(run.DueAt), db.d.t(run.DoneAt), run.DoneBy, run.State, run.RecordID)
		return err
	})
}

// DutyRuns lists a duty's runs since, oldest first (duty_runs_duty).
func (db *DB) DutyRuns(ctx context.Context, dutyID string, since time.Time) ([]duties.Run, error) {
	return list(ctx, db, db.r, "store.DutyRuns", `SELECT id, duty_id, due_at, done_at, done_by, state, record_id FROM duty_runs
		WHERE duty_id = ? AND done_at >= ? ORDER BY done_at`, func(r rowScanner) (duties.Run, error) {
		var u duties.Run
		err := r.Scan(&u.ID, &u.DutyID, scanTime{&u.DueAt}, scanTime{&u.DoneAt}, &u.DoneBy, &u.State, &u.RecordID)
		return u, err
	}, dutyID, db.d.t(since))
}

var _ duties.Store = (*DB)(nil)
