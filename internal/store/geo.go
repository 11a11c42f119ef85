package store

import (
	"context"

	"github.com/havenrescue/haven/internal/geo"
)

// GazetteerPlaces lists the named places the database knows, for the
// geocoder (geo.Live): departments with a location, active rescue points
// and active hotspots, in that order, so that a hotspot wins over a point
// of the same name.
func (db *DB) GazetteerPlaces(ctx context.Context) ([]geo.Entry, error) {
	return list(ctx, db, db.r, "store.GazetteerPlaces", `SELECT name, lat, lng FROM (
		SELECT 1 AS ord, name, lat, lng FROM departments WHERE lat <> 0 OR lng <> 0
		UNION ALL SELECT 2, name, lat, lng FROM rescue_points WHERE active = 1
		UNION ALL SELECT 3, name, lat, lng FROM hotspots WHERE active = 1) p ORDER BY ord, name`,
		func(r rowScanner) (geo.Entry, error) {
			e := geo.Entry{Kind: geo.KindPlace, Points: make([]geo.Point, 1)}
			return e, r.Scan(&e.Name, &e.Points[0].Lat, &e.Points[0].Lng)
		})
}
