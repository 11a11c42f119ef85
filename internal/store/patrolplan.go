package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/patrolplan"
)

// SaveForecast implements patrolplan.Store: one row a night, replaced by
// a later forecast of the same night.
func (db *DB) SaveForecast(ctx context.Context, f *patrolplan.Forecast, e audit.Entry) error {
	return db.tx(ctx, "store.SaveForecast", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO weather_forecasts (night, min_c, max_c, warning, level, source, entered_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (night) DO UPDATE SET min_c = excluded.min_c, max_c = excluded.max_c, warning = excluded.warning,
				level = excluded.level, source = excluded.source, entered_by = excluded.entered_by, updated_at = excluded.updated_at`,
			f.Night, f.MinC, f.MaxC, f.Warning, f.Level, f.Source, f.EnteredBy, db.d.t(f.UpdatedAt)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Forecast implements patrolplan.Store.
func (db *DB) Forecast(ctx context.Context, night string) (*patrolplan.Forecast, error) {
	const op = "store.Forecast"
	var f patrolplan.Forecast
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT night, min_c, max_c, warning, level, source, entered_by, updated_at
		FROM weather_forecasts WHERE night = ?`), night).
		Scan(&f.Night, &f.MinC, &f.MaxC, &f.Warning, &f.Level, &f.Source, &f.EnteredBy, scanTime{&f.UpdatedAt})
	if err == sql.ErrNoRows {
		return nil, errs.E(errs.NotFound, op, "err.not_found")
	}
	if err != nil {
		return nil, translate(op, err)
	}
	return &f, nil
}

// Sightings implements patrolplan.Store: the window's encounters through
// encounters_at, without names or descriptions.
func (db *DB) Sightings(ctx context.Context, since time.Time) ([]patrolplan.Sighting, error) {
	return list(ctx, db, db.r, "store.Sightings", `SELECT at, lat, lng, states, outcome FROM encounters WHERE at >= ? ORDER BY at`,
		func(r rowScanner) (patrolplan.Sighting, error) {
			var s patrolplan.Sighting
			var states, outcome string
			err := r.Scan(scanTime{&s.At}, &s.Lat, &s.Lng, &states, &outcome)
			if states != "" {
				s.States = strings.Split(states, ",")
			}
			s.Outcome = dispatch.Outcome(outcome)
			return s, err
		}, db.d.t(since))
}

// LastVisits implements patrolplan.Store: per active hotspot, the latest
// visit, each found at the end of its run in patrol_hotspots_hotspot.
func (db *DB) LastVisits(ctx context.Context) (map[string]time.Time, error) {
	type visit struct {
		id string
		at time.Time
	}
	vs, err := list(ctx, db, db.r, "store.LastVisits", `SELECT h.id, (SELECT MAX(v.visited_at) FROM patrol_hotspots v WHERE v.hotspot_id = h.id)
		FROM hotspots h WHERE h.active = 1`, func(r rowScanner) (visit, error) {
		var v visit
		err := r.Scan(&v.id, scanTime{&v.at})
		return v, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]time.Time, len(vs))
	for _, v := range vs {
		if !v.at.IsZero() {
			out[v.id] = v.at
		}
	}
	return out, nil
}

var _ patrolplan.Store = (*DB)(nil)
