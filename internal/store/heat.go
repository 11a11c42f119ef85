package store

import (
	"context"

	"github.com/havenrescue/haven/internal/stats"
)

// HeatGrid counts the help signals (by when they were received) or the
// street encounters (by when they happened) of a period per square of
// 1/stats.GridScale degree; unlocated signals (0, 0) are left out. The
// period's rows are found through signals_received / encounters_at, and
// what is returned is bounded by the area covered.
func (db *DB) HeatGrid(ctx context.Context, q stats.HeatQuery) ([]stats.GridCount, error) {
	const op = "store.HeatGrid"
	cell := func(col string) string { return "CAST(ROUND(" + col + " * 1000) AS INTEGER)" }
	var from string
	var w filter
	switch q.Layer {
	case stats.LayerEncounters:
		from = `SELECT ` + cell("e.lat") + `, ` + cell("e.lng") + `, COUNT(*) FROM encounters e`
		w.add("e.at >= ? AND e.at < ?", db.d.t(q.Period.Since()), db.d.t(q.Period.Until()))
		w.add("NOT (e.lat = 0 AND e.lng = 0)")
		if q.DepartmentID != "" {
			from += ` JOIN teams tm ON tm.id = e.team_id`
			w.add("tm.department_id = ?", q.DepartmentID)
		}
	default:
		from = `SELECT ` + cell("s.lat") + `, ` + cell("s.lng") + `, COUNT(*) FROM signals s`
		w.add("s.received_at >= ? AND s.received_at < ?", db.d.t(q.Period.Since()), db.d.t(q.Period.Until()))
		w.add("NOT (s.lat = 0 AND s.lng = 0)")
		if q.ServiceCode != "" {
			w.add("s.service_code = ?", q.ServiceCode)
		}
		if q.DepartmentID != "" {
			from += ` JOIN incidents i ON i.id = s.incident_id`
			w.add("i.department_id = ?", q.DepartmentID)
		}
	}
	rows, err := db.r.QueryContext(ctx, db.d.q(from+w.sql()+` GROUP BY 1, 2`), w.args...)
	if err != nil {
		return nil, translate(op, err)
	}
	defer rows.Close()
	var out []stats.GridCount
	for rows.Next() {
		var c stats.GridCount
		if err := rows.Scan(&c.Lat, &c.Lng, &c.N); err != nil {
			return nil, translate(op, err)
		}
		out = append(out, c)
	}
	return out, translate(op, rows.Err())
}
