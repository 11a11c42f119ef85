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
	return db.CountRequests(ctx, limiter, key, start, 1)
}

// CountRequests counts add requests at once (CountRequest).
func (db *DB) CountRequests(ctx context.Context, limiter, key string, start time.Time, add int) (int, error) {
	const op = "store.CountRequest"
	const q = `INSERT INTO rate_windows (limiter, key, window_start, count) VALUES (?, ?, ?, ?)
		ON CONFLICT (limiter, key, window_start) DO UPDATE SET count = rate_windows.count + excluded.count
		RETURNING count`
	var n int
	// Counters need no durable commit: losing the last few after a crash
	// only gives a client a little more budget, while waiting for the log
	// to reach the disk would add a flush to every limited request.
	nowait := db.d.noWaitCommit()
	if nowait == "" {
		err := db.w.QueryRowContext(ctx, db.d.q(q), limiter, key, db.d.t(start), add).Scan(&n)
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
	if err := tx.QueryRowContext(ctx, db.d.q(q), limiter, key, db.d.t(start), add).Scan(&n); err != nil {
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
//
// A large budget is not counted one request a write: a node takes a block
// of up to Limit/64 requests (at most 256) from the shared count at once
// and spends it in memory, so a partner sending 1,000 work orders a second
// costs a few writes a second, not a thousand on one hot row. Budgets
// under 128 a window are counted one by one, exactly. What a node took and
// did not spend by the end of the window is lost to that window: with n
// nodes a client may be refused up to n/64 of its budget early, never
// allowed more than its budget.
type RateLimiter struct {
	DB     *DB
	Name   string // tells limiters apart in the shared table
	Limit  int
	Window time.Duration
	Now    func() time.Time

	mu        sync.Mutex
	lastSweep time.Time
	taken     map[string]*rateBlock // key → requests taken from the shared count, not yet spent
}

type rateBlock struct {
	start time.Time // the window
	left  int
	spent bool // the window's budget is spent: refuse without asking the database
}

// block is how many requests one write takes from the shared count.
func (l *RateLimiter) block() int {
	return max(1, min(l.Limit/64, 256))
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
	if b := l.taken[key]; b != nil && b.start.Equal(start) {
		if b.left > 0 {
			b.left--
			l.mu.Unlock()
			return true, 0, nil
		}
		if b.spent {
			l.mu.Unlock()
			return false, start.Add(l.Window).Sub(now), nil
		}
	}
	sweep := now.Sub(l.lastSweep) > l.Window
	if sweep {
		l.lastSweep = now
		for k, b := range l.taken {
			if b.start.Before(start) {
				delete(l.taken, k)
			}
		}
	}
	l.mu.Unlock()
	if sweep {
		if _, err := l.DB.SweepRateWindows(ctx, start.Add(-l.Window)); err != nil {
			return true, 0, err
		}
	}
	k := l.block()
	n, err := l.DB.CountRequests(ctx, l.Name, key, start, k)
	if err != nil {
		return true, 0, err
	}
	// Of the k requests counted, those within the budget are granted:
	// this one, and the rest kept for the next requests on this node.
	// Once the count is past the budget no request of this window can
	// pass any more, here or on another node: with blocks, refusals are
	// then answered from memory too.
	granted := min(k, l.Limit-(n-k))
	if granted > 1 || (k > 1 && n >= l.Limit) {
		l.mu.Lock()
		if l.taken == nil {
			l.taken = map[string]*rateBlock{}
		}
		b := l.taken[key]
		if b == nil || !b.start.Equal(start) {
			b = &rateBlock{start: start}
			l.taken[key] = b
		}
		b.left += max(granted-1, 0)
		b.spent = n >= l.Limit
		l.mu.Unlock()
	}
	if granted <= 0 {
		return false, start.Add(l.Window).Sub(now), nil
	}
	return true, 0, nil
}
