package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/havenrescue/haven/internal/events"
)

// eventLockKey is the PostgreSQL advisory lock that orders event inserts:
// held from a transaction's first event insert to its commit, so that
// event ids become visible in id order on every node and a reader that
// has seen id n never sees a smaller id later.
const eventLockKey = 7_340_020

// notifyChannel is the PostgreSQL channel that tells other nodes to read
// the event log.
const notifyChannel = "haven_events"

// appendEvents adds events to the log inside tx; call it as the last
// statement before the commit (on PostgreSQL it takes the ordering lock).
func (db *DB) appendEvents(ctx context.Context, tx *sql.Tx, at time.Time, topic string, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	if at.IsZero() {
		at = db.now()
	}
	if db.d == postgresDialect {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, eventLockKey); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, notifyChannel); err != nil {
			return err
		}
	}
	args := make([]any, 0, 3*len(ids))
	for _, id := range ids {
		args = append(args, db.d.t(at), topic, id)
	}
	_, err := db.execRows(ctx, tx, `INSERT INTO events (at, topic, record_id) VALUES `, 3, "", args)
	return err
}

// wakeEvents tells this node's readers of the log that events were
// committed.
func (db *DB) wakeEvents() {
	wake(db.eventWake)
	db.wakeMu.Lock()
	for _, c := range db.wakes {
		wake(c)
	}
	db.wakeMu.Unlock()
}

func wake(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// EventWake fires after commits that appended events on this node and,
// once Listen runs, on every NOTIFY from another node.
func (db *DB) EventWake() <-chan struct{} { return db.eventWake }

// Wake returns a channel of its own that fires as EventWake does, for
// another reader of the log (family search's index).
func (db *DB) Wake() <-chan struct{} {
	c := make(chan struct{}, 1)
	db.wakeMu.Lock()
	db.wakes = append(db.wakes, c)
	db.wakeMu.Unlock()
	return c
}

// EventsAfter implements events.Store.
func (db *DB) EventsAfter(ctx context.Context, after int64, limit int) ([]events.Event, error) {
	return readList(ctx, db, "store.EventsAfter", `SELECT id, at, topic, record_id FROM events WHERE id > ? ORDER BY id LIMIT ?`,
		func(r rowScanner) (events.Event, error) {
			var e events.Event
			err := r.Scan(&e.ID, scanTime{&e.At}, &e.Topic, &e.RecordID)
			return e, err
		}, after, limit)
}

// LastEventID implements events.Store.
func (db *DB) LastEventID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	err := db.readRow(ctx, `SELECT MAX(id) FROM events`).Scan(&id)
	return id.Int64, translate("store.LastEventID", err)
}

// PruneEvents deletes events older than before and returns how many.
func (db *DB) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.execDurable(ctx, `DELETE FROM events WHERE at < ?`, db.d.t(before))
	if err != nil {
		return 0, translate("store.PruneEvents", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// TryLease takes or renews the named lease for holder until now+ttl. It
// returns false while another holder's lease runs.
func (db *DB) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := db.now()
	res, err := db.execDurable(ctx, `INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.until < ? OR leases.holder = excluded.holder`, name, holder, db.d.t(now.Add(ttl)), db.d.t(now))
	if err != nil {
		return false, translate("store.TryLease", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Listen relays PostgreSQL notifications of other nodes' events to
// EventWake until ctx ends, reconnecting after errors. On SQLite (one node)
// it returns at once.
func (db *DB) Listen(ctx context.Context, onError func(error)) {
	if db.d != postgresDialect {
		return
	}
	backoff := time.Second
	for ctx.Err() == nil {
		err := db.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (db *DB) listenOnce(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, db.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	db.wakeEvents() // catch up on what was missed while not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		db.wakeEvents()
	}
}
