package store

import (
	"context"

	"github.com/havenrescue/haven/internal/stats"
)

// Occupancy counts what the station's daily number of people in care is
// made of over a period: those in care when it began (open now and
// arrived before it, or left during or after it: through stays_state and
// stays_exited, never the whole history), and the admissions and exits of
// each day (CST) of the period. Refused stays (不予救助) were never in
// care. stats.Occupancy turns these into the daily figure.
func (db *DB) Occupancy(ctx context.Context, p stats.Period) (stats.OccupancyCounts, error) {
	const op = "store.Occupancy"
	var oc stats.OccupancyCounts
	since, until := db.d.t(p.Since()), db.d.t(p.Until())
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT
		(SELECT COUNT(*) FROM stays WHERE state = 'open' AND arrived_at < ?) +
		(SELECT COUNT(*) FROM stays WHERE exited_at >= ? AND state = 'closed' AND arrived_at < ?)`), since, since, since).Scan(&oc.Start)
	if err != nil {
		return oc, translate(op, err)
	}
	day := func(col, where string, into map[string]int64) error {
		rows, err := db.r.QueryContext(ctx, db.d.q(`SELECT `+db.d.dateCST(col)+`, COUNT(*) FROM stays WHERE `+where+` GROUP BY 1`), since, until)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d string
			var n int64
			if err := rows.Scan(&d, &n); err != nil {
				return err
			}
			into[d] += n
		}
		return rows.Err()
	}
	oc.Arrived, oc.Left = map[string]int64{}, map[string]int64{}
	if err := day("arrived_at", "arrived_at >= ? AND arrived_at < ? AND state <> 'refused'", oc.Arrived); err != nil {
		return oc, translate(op, err)
	}
	if err := day("exited_at", "exited_at >= ? AND exited_at < ? AND state = 'closed'", oc.Left); err != nil {
		return oc, translate(op, err)
	}
	return oc, nil
}
