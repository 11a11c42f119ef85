package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/intake"
)

// SQLite files a group-commit batch in one transaction on the writer, as
// PostgreSQL does (intake_pg.go): one read of every open incident near any
// of the batch's signals, the merges decided in Go (planBatch), then one
// update for each stored incident the batch joins however many of its
// signals join it, and the batch's signals, audit rows and events as
// multi-row inserts of prepared shapes (execRows). Every statement is
// prepared once on the writer; none runs once a signal but the "already
// known" hint of an incident the batch opens.

// sqliteCandidates is one signal's merge lookup: the open incidents in
// the nine grid cells around it, inside its box, heard of within its
// window; nine index ranges of incidents_open_cell (cell, lat, lng).
const sqliteCandidates = `SELECT id, ref, service_code, state, lat, lng, last_signal_at, due_at, outcome, status_notes, signal_count, version, cell
	FROM incidents WHERE cell IN (?, ?, ?, ?, ?, ?, ?, ?, ?) AND last_signal_at >= ?
	AND lat BETWEEN ? AND ? AND lng BETWEEN ? AND ? AND state NOT IN ('closed', 'merged') AND loc_precision IN ('exact', 'placed')`

// sqliteJoinIncident adds a batch's signals to a stored incident: the
// latest report, the earliest due time, and their count. Timestamps are
// text of one fixed layout, so text order is time order.
const sqliteJoinIncident = `UPDATE incidents SET
	last_signal_at = MAX(last_signal_at, ?), due_at = MIN(due_at, ?),
	signal_count = signal_count + ?, version = version + ?, updated_at = ? WHERE id = ?`

// fileAllSQLite is fileAll on SQLite.
func (db *DB) fileAllSQLite(ctx context.Context, batch []*pendingSignal) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.failAll(batch, err)
	}
	plan, err := db.planSQLite(ctx, tx, batch)
	if err == nil {
		err = db.writePlanSQLite(ctx, tx, batch, plan)
	}
	if err != nil {
		_ = tx.Rollback()
		if errors.Is(err, errDuplicateRace) && len(batch) == 1 {
			return err // fileAll answers it with the stored result
		}
		return db.failAll(batch, err)
	}
	if err := tx.Commit(); err != nil {
		return db.failAll(batch, err)
	}
	for i, p := range batch {
		p.res = plan.results[i]
	}
	return nil
}

// planSQLite reads the batch's merge candidates, decides the merges and
// looks up the "already known" hint of each incident the batch opens.
func (db *DB) planSQLite(ctx context.Context, tx *sql.Tx, batch []*pendingSignal) (*batchPlan, error) {
	var stored []*candidate
	read := map[string]bool{}
	args := make([]any, 0, 14)
	for _, p := range batch {
		a, ok := areaOf(p.sub)
		if !ok {
			continue
		}
		args = args[:0]
		for _, c := range a.cells {
			args = append(args, c)
		}
		args = append(args, db.d.t(a.since), a.minLat, a.maxLat, a.minLng, a.maxLng)
		rows, err := db.hotQuery(ctx, tx, "candidates", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var inc intake.Incident
			var state, outcome string
			var cell int64
			if err := rows.Scan(&inc.ID, &inc.Ref, &inc.ServiceCode, &state, &inc.Lat, &inc.Lng, scanTime{&inc.LastSignalAt}, scanTime{&inc.DueAt},
				&outcome, &inc.StatusNotes, &inc.SignalCount, &inc.Version, &cell); err != nil {
				rows.Close()
				return nil, err
			}
			if read[inc.ID] {
				continue
			}
			read[inc.ID] = true
			inc.State, inc.Outcome, inc.Precision = intake.State(state), intake.Outcome(outcome), intake.PrecisionExact
			stored = append(stored, &candidate{inc: &inc, cell: cell})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	plan := planBatch(batch, stored)
	for k, sub := range plan.openers {
		if sub.Known == nil {
			continue
		}
		i := plan.opened[k]
		pt := intake.Point{Lat: i.Lat, Lng: i.Lng}
		rows, err := db.hotQuery(ctx, tx, "known", knownArgs(db, pt, sub.Known)...)
		if err != nil {
			return nil, err
		}
		list, err := scanKnown(rows, pt, sub.Known.RadiusM)
		rows.Close()
		if err != nil {
			return nil, err
		}
		i.Known = sub.Known.Pick(i, list)
		sub.NewIncident.Known = i.Known
	}
	return plan, nil
}

// writePlanSQLite writes a planned batch inside tx: the incidents it
// opens and joins, its signals (a duplicate among them fails the batch
// with errDuplicateRace), its audit rows and its events.
func (db *DB) writePlanSQLite(ctx context.Context, tx *sql.Tx, batch []*pendingSignal, plan *batchPlan) error {
	for _, i := range plan.opened {
		if _, err := db.hotExec(ctx, tx, "insertIncident", db.incidentArgs(i)...); err != nil {
			return err
		}
	}
	for _, j := range plan.joined {
		if _, err := db.hotExec(ctx, tx, "joinIncident", db.d.t(j.last), db.d.t(j.due), j.count, j.count, db.d.t(j.at), j.id); err != nil {
			return err
		}
	}
	const signalCols = 17
	args := make([]any, 0, len(batch)*signalCols)
	for _, p := range batch {
		args = append(args, db.signalArgs(p.sub.Signal)...)
	}
	n, err := db.execRows(ctx, tx, `INSERT INTO signals (`+signalInsertCols+`) VALUES `, signalCols, ` ON CONFLICT (channel, external_id) DO NOTHING`, args)
	if err != nil {
		return err
	}
	if n != int64(len(batch)) {
		return errDuplicateRace
	}
	args = args[:0]
	for _, e := range db.batchAudits(batch) {
		args = append(args, db.auditArgs(e)...)
	}
	if len(args) > 0 {
		if _, err := db.execRows(ctx, tx, `INSERT INTO audit_log (`+auditCols+`) VALUES `, 9, "", args); err != nil {
			return err
		}
	}
	return db.appendEvents(ctx, tx, batch[0].sub.Now, events.TopicIncident, plan.changed...)
}
