package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/points"
)

const pointCols = `id, name, kind, address, lat, lng, hours, capacity, liaison, liaison_phone, services, season_from, season_to, active,
	by_campaign, directions, version, updated_at`

func scanPoint(r rowScanner) (*points.Point, error) {
	var p points.Point
	var services string
	var active, byCampaign int
	err := r.Scan(&p.ID, &p.Name, &p.Kind, &p.Address, &p.Lat, &p.Lng, &p.HoursText, &p.Capacity, &p.Liaison, &p.LiaisonPhone, &services,
		&p.Season.From, &p.Season.To, &active, &byCampaign, &p.Directions, &p.Version, scanTime{&p.UpdatedAt})
	if err != nil {
		return nil, err
	}
	p.Active, p.ByCampaign = active == 1, byCampaign == 1
	if services != "" {
		p.Services = strings.Split(services, ",")
	}
	// Stored hours were valid when saved; a parse failure leaves the point
	// closed rather than open at the wrong time.
	p.Hours, _ = points.ParseHours(p.HoursText)
	return &p, nil
}

// AddPoint implements points.Store.
func (db *DB) AddPoint(ctx context.Context, p *points.Point, e audit.Entry) error {
	return db.tx(ctx, "store.AddPoint", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO rescue_points (`+pointCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.Name, p.Kind, p.Address, p.Lat, p.Lng, p.HoursText, p.Capacity, p.Liaison, p.LiaisonPhone, strings.Join(p.Services, ","),
			p.Season.From, p.Season.To, boolInt(p.Active), boolInt(p.ByCampaign), p.Directions, p.Version, db.d.t(p.UpdatedAt)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// UpdatePoint implements points.Store.
func (db *DB) UpdatePoint(ctx context.Context, p *points.Point, e audit.Entry) error {
	const op = "store.UpdatePoint"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE rescue_points SET name = ?, kind = ?, address = ?, lat = ?, lng = ?, hours = ?, capacity = ?, liaison = ?,
			liaison_phone = ?, services = ?, season_from = ?, season_to = ?, active = ?, by_campaign = ?, directions = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, p.Name, p.Kind, p.Address, p.Lat, p.Lng, p.HoursText, p.Capacity, p.Liaison, p.LiaisonPhone,
			strings.Join(p.Services, ","), p.Season.From, p.Season.To, boolInt(p.Active), boolInt(p.ByCampaign), p.Directions, db.d.t(p.UpdatedAt), p.ID, p.Version)
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.Conflict, op, "err.changed_meanwhile")
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// PointByID implements points.Store.
func (db *DB) PointByID(ctx context.Context, id string) (*points.Point, error) {
	p, err := scanPoint(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+pointCols+` FROM rescue_points WHERE id = ?`), id))
	return p, translate("store.PointByID", err)
}

// Points implements points.Store.
func (db *DB) Points(ctx context.Context) ([]*points.Point, error) {
	return list(ctx, db, db.r, "store.Points", `SELECT `+pointCols+` FROM rescue_points ORDER BY kind, name`, scanPoint)
}

// AddPointLog implements points.Store.
func (db *DB) AddPointLog(ctx context.Context, l *points.LogEntry, e audit.Entry) error {
	return db.tx(ctx, "store.AddPointLog", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO point_log (id, point_id, at, kind, people, note, signal_ref, by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			l.ID, l.PointID, db.d.t(l.At), l.Kind, l.People, l.Note, l.SignalRef, l.ByName); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// PointLog implements points.Store.
func (db *DB) PointLog(ctx context.Context, pointID string, limit int) ([]*points.LogEntry, error) {
	return list(ctx, db, db.r, "store.PointLog", `SELECT id, point_id, at, kind, people, note, signal_ref, by_name FROM point_log
		WHERE point_id = ? ORDER BY at DESC, id DESC LIMIT ?`, func(r rowScanner) (*points.LogEntry, error) {
		var l points.LogEntry
		err := r.Scan(&l.ID, &l.PointID, scanTime{&l.At}, &l.Kind, &l.People, &l.Note, &l.SignalRef, &l.ByName)
		return &l, err
	}, pointID, limit)
}

var _ points.Store = (*DB)(nil)
