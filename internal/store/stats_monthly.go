package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/stats"
)

// The monthly statistics report and the outcome measures (internal/stats
// monthly*.go, outcomes*.go). The stays of a period are read by an index
// on their time (stays_arrived, stays_exited); the return look-back reads
// only the stays of the period's people (stays_person_arrived), so a
// report costs with its period, not with the station's history.

// stayFactCols are the columns scanStayFacts reads, over stays s joined
// with persons p.
const stayFactCols = `s.id, COALESCE(p.merged_into, p.id), s.arrived_at, s.exited_at, s.exit_kind, s.unidentified,
	p.sex, p.birth_date, p.age_min, p.age_max, p.mental, p.flags, p.id_region, p.native_place, p.hukou, p.identified_at,
	CASE WHEN EXISTS (SELECT 1 FROM health_checks h WHERE h.stay_id = s.id AND h.urgent = 1)
		OR EXISTS (SELECT 1 FROM referrals r WHERE r.stay_id = s.id) THEN 1 ELSE 0 END,
	CASE WHEN EXISTS (SELECT 1 FROM health_checks h WHERE h.stay_id = s.id) THEN 1 ELSE 0 END`

func scanStayFacts(r rowScanner) (stats.StayFacts, error) {
	var f stats.StayFacts
	var kind, sex, mental, flags string
	var unidentified, ill, checked int
	err := r.Scan(&f.StayID, &f.PersonID, scanTime{&f.ArrivedAt}, scanTime{&f.ExitedAt}, &kind, &unidentified,
		&sex, &f.BirthDate, &f.AgeMin, &f.AgeMax, &mental, &flags, &f.IDRegion, &f.NativePlace, &f.Hukou, scanTime{&f.IdentifiedAt},
		&ill, &checked)
	f.ExitKind, f.Sex, f.Mental = cases.ExitKind(kind), cases.Sex(sex), cases.Mental(mental)
	f.Unidentified, f.Ill, f.Checked = unidentified == 1, ill == 1, checked == 1
	if flags != "" {
		f.Flags = strings.Split(flags, ",")
	}
	return f, err
}

const notRefused = `s.state <> '` + string(cases.StayRefused) + `'`

// StatStaysArrived implements stats.StaySource.
func (db *DB) StatStaysArrived(ctx context.Context, since, until time.Time) ([]stats.StayFacts, error) {
	return list(ctx, db, db.r, "store.StatStaysArrived", `SELECT `+stayFactCols+` FROM stays s JOIN persons p ON p.id = s.person_id
		WHERE s.arrived_at >= ? AND s.arrived_at < ? AND `+notRefused+` ORDER BY s.arrived_at, s.id`,
		scanStayFacts, db.d.t(since), db.d.t(until))
}

// stayOnlyCols are the columns scanStayOnly reads: a stay's own, for the
// measures that need no more (length of stay, exits).
const stayOnlyCols = `s.id, s.person_id, s.arrived_at, s.exited_at, s.exit_kind, s.unidentified`

func scanStayOnly(r rowScanner) (stats.StayFacts, error) {
	var f stats.StayFacts
	var kind string
	var unidentified int
	err := r.Scan(&f.StayID, &f.PersonID, scanTime{&f.ArrivedAt}, scanTime{&f.ExitedAt}, &kind, &unidentified)
	f.ExitKind, f.Unidentified = cases.ExitKind(kind), unidentified == 1
	return f, err
}

// StatStaysExited implements stats.StaySource: the stays' own fields only
// (no person facts), read by the exit-time index. A refused stay has an
// exit time but no exit kind; the condition on the kind, not the state,
// leaves stays_exited the only index to read by.
func (db *DB) StatStaysExited(ctx context.Context, since, until time.Time) ([]stats.StayFacts, error) {
	return list(ctx, db, db.r, "store.StatStaysExited", `SELECT `+stayOnlyCols+` FROM stays s
		WHERE s.exited_at >= ? AND s.exited_at < ? AND s.exit_kind <> '' ORDER BY s.exited_at, s.id`,
		scanStayOnly, db.d.t(since), db.d.t(until))
}

// historyCols are the columns scanHistory reads: the stay, its identity
// and when its person was identified.
const historyCols = stayOnlyCols + `, COALESCE(p.merged_into, p.id), p.identified_at`

func scanHistory(r rowScanner) (stats.StayFacts, error) {
	var f stats.StayFacts
	var kind, person string
	var unidentified int
	err := r.Scan(&f.StayID, &person, scanTime{&f.ArrivedAt}, scanTime{&f.ExitedAt}, &kind, &unidentified, &f.PersonID, scanTime{&f.IdentifiedAt})
	f.ExitKind, f.Unidentified = cases.ExitKind(kind), unidentified == 1
	return f, err
}

// StatStayHistory implements stats.StaySource: the identities of the
// period's stays, every record of each (the identity and the records
// merged into it), and their stays that arrived before the period's end
// and arrived or left within the look-back; with the stays' own fields,
// the identity and when the person was identified.
func (db *DB) StatStayHistory(ctx context.Context, since, until time.Time, lookback time.Duration) ([]stats.StayFacts, error) {
	back := db.d.t(since.Add(-lookback))
	return list(ctx, db, db.r, "store.StatStayHistory", `WITH ids AS (
			SELECT DISTINCT COALESCE(p.merged_into, p.id) AS ident FROM stays s JOIN persons p ON p.id = s.person_id
			WHERE s.arrived_at >= ? AND s.arrived_at < ? AND `+notRefused+`),
		recs AS (
			SELECT ident AS id FROM ids
			UNION SELECT p.id FROM persons p JOIN ids ON p.merged_into = ids.ident)
		SELECT `+historyCols+` FROM stays s JOIN persons p ON p.id = s.person_id
		WHERE s.person_id IN (SELECT id FROM recs) AND `+notRefused+` AND s.arrived_at < ? AND (s.arrived_at >= ? OR s.exited_at >= ?)
		ORDER BY s.arrived_at, s.id`,
		scanHistory, db.d.t(since), db.d.t(until), db.d.t(until), back, back)
}

// ---- submitted monthly reports ----

func scanMonthly(r rowScanner) (*stats.MonthlyReport, error) {
	var m stats.MonthlyReport
	var fig string
	if err := r.Scan(&m.ID, &m.DepartmentID, &m.Month, &m.Version, &fig, &m.Note, &m.SubmittedBy, scanTime{&m.SubmittedAt}); err != nil {
		return nil, err
	}
	return &m, json.Unmarshal([]byte(fig), &m.Figures)
}

// MonthlyVersions implements stats.MonthlyStore.
func (db *DB) MonthlyVersions(ctx context.Context, departmentID, month string) ([]*stats.MonthlyReport, error) {
	return list(ctx, db, db.r, "store.MonthlyVersions", `SELECT id, department_id, month, version, figures, note, submitted_by, submitted_at
		FROM monthly_reports WHERE department_id = ? AND month = ? ORDER BY version`, scanMonthly, departmentID, month)
}

// AddMonthlyVersion implements stats.MonthlyStore. The version must be
// the next one: a version submitted meanwhile makes it a Conflict.
func (db *DB) AddMonthlyVersion(ctx context.Context, r *stats.MonthlyReport, e audit.Entry) error {
	const op = "store.AddMonthlyVersion"
	fig, err := r.FiguresJSON()
	if err != nil {
		return errs.Wrap(errs.Internal, op, err)
	}
	err = db.tx(ctx, op, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, db.d.q(`SELECT COUNT(*) FROM monthly_reports WHERE department_id = ? AND month = ?`),
			r.DepartmentID, r.Month).Scan(&n); err != nil {
			return err
		}
		if n != r.Version-1 {
			return errs.E(errs.Conflict, op, "err.monthly_changed")
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO monthly_reports (id, department_id, month, version, figures, note, submitted_by, submitted_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.DepartmentID, r.Month, r.Version, fig, r.Note, r.SubmittedBy, db.d.t(r.SubmittedAt)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
	if errs.Is(errs.Exists, err) {
		return errs.E(errs.Conflict, op, "err.monthly_changed")
	}
	return err
}

// MonthSubmitted implements stats.MonthlyStore.
func (db *DB) MonthSubmitted(ctx context.Context, departmentID, month string) (bool, error) {
	var n int
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT COUNT(*) FROM monthly_reports WHERE department_id = ? AND month = ? AND version = 1`),
		departmentID, month).Scan(&n)
	return n > 0, translate("store.MonthSubmitted", err)
}

// ---- outcome targets ----

// OutcomeTargets implements stats.OutcomeStore.
func (db *DB) OutcomeTargets(ctx context.Context) (map[string]*stats.OutcomeTarget, error) {
	ts, err := list(ctx, db, db.r, "store.OutcomeTargets", `SELECT measure, target, set_by, set_at FROM outcome_targets`,
		func(r rowScanner) (*stats.OutcomeTarget, error) {
			var t stats.OutcomeTarget
			return &t, r.Scan(&t.Measure, &t.Target, &t.SetBy, scanTime{&t.SetAt})
		})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*stats.OutcomeTarget, len(ts))
	for _, t := range ts {
		out[t.Measure] = t
	}
	return out, nil
}

// SetOutcomeTarget implements stats.OutcomeStore.
func (db *DB) SetOutcomeTarget(ctx context.Context, t *stats.OutcomeTarget, e audit.Entry) error {
	return db.tx(ctx, "store.SetOutcomeTarget", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO outcome_targets (measure, target, set_by, set_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (measure) DO UPDATE SET target = excluded.target, set_by = excluded.set_by, set_at = excluded.set_at`,
			t.Measure, t.Target, t.SetBy, db.d.t(t.SetAt)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

var (
	_ stats.MonthlyStore = (*DB)(nil)
	_ stats.OutcomeStore = (*DB)(nil)
)
