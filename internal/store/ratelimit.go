package store

import (
	"context"
	"sync"
	"time"
)

// CountRequest counts one request for key in the named limiter's window
// that starts at start, and returns the window's count, this request
// included. It is one atomic upsert, so nodes sharing the database share
// the count.
func (db *DB) CountRequest(ctx context.Context, limiter, key string, start time.Time) (int, error) {
	const op = "store.CountRequest"
	const q = `INSERT INTO rate_windows (limiter, key, window_start, count) VALUES (?, ?, ?, 1)
		ON CONFLICT (limiter, key, window_start) DO UPDATE SET count = rate_windows.count + 1
		RETURNING count`
	var n int
	// Counters need no durable commit: losing the last few after a crash
	// only gives a client a little more budget, while waiting for the log
	// to reach the disk would add a flush to every limited request.
	nowait := db.d.noWaitCommit()
	if nowait == "" {
		err := db.w.QueryRowContext(ctx, db.d.q(q), limiter, key, db.d.t(start)).Scan(&n)
		return n, translate(op, err)
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, translate(op, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, nowait); err != nil {
		return 0, translate(op, err)
	}
	if err := tx.QueryRowContext(ctx, db.d.q(q), limiter, key, db.d.t(start)).Scan(&n); err != nil {
		return 0, translate(op, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, translate(op, err)
	}
	return n, nil
}

// SweepRateWindows deletes the windows that started before t.
func (db *DB) SweepRateWindows(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, db.d.q(`DELETE FROM rate_windows WHERE window_start < ?`), db.d.t(before))
	if err != nil {
		return 0, translate("store.SweepRateWindows", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// RateLimiter allows Limit requests per key in each fixed Window, counted
// in the database so that every node sees the same budget. Each node
// sweeps windows older than two windows about once a Window.
type RateLimiter struct {
	DB     *DB
	Name   string // tells limiters apart in the shared table
	Limit  int
	Window time.Duration
	Now    func() time.Time

	mu        sync.Mutex
	lastSweep time.Time
}

// Allow counts a request for key. When the window's budget is spent it
// returns false and how long until the next window starts.
func (l *RateLimiter) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	start := now.UTC().Truncate(l.Window)
	l.mu.Lock()
	sweep := now.Sub(l.lastSweep) > l.Window
	if sweep {
		l.lastSweep = now
	}
	l.mu.Unlock()
	if sweep {
		if _, err := l.DB.SweepRateWindows(ctx, start.Add(-l.Window)); err != nil {
			return true, 0, err
		}
	}
	n, err := l.DB.CountRequest(ctx, l.Name, key, start)
	if err != nil {
		return true, 0, err
	}
	if n <= l.Limit {
		return true, 0, nil
	}
	return false, start.Add(l.Window).Sub(now), nil
}
