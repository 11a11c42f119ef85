package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/havenrescue/haven/internal/errs"
)

// Monthly partitions of the event log on PostgreSQL (docs/scale.md). The
// log grows with time and is read by id from a recent point; at a
// province's volume one table a month keeps each index small, and
// retention drops a whole month instead of deleting rows. SQLite keeps
// one table.

// PartitionEvents makes the event log a table partitioned by month, if it
// is not one yet, with a partition for every month from the oldest event
// to ahead months after now, and returns how many partitions it created.
// Converting copies the log in one transaction (events are short rows;
// a province's log of a few months copies in seconds); ids go on from
// the same sequence, so readers following "id > last seen" miss nothing.
func (db *DB) PartitionEvents(ctx context.Context, now time.Time, ahead int) (int, error) {
	const op = "store.PartitionEvents"
	if db.d != postgresDialect {
		return 0, errs.E(errs.Invalid, op, "partitions are for PostgreSQL")
	}
	n := 0
	err := db.tx(ctx, op, func(tx *sql.Tx) error {
		// The log is locked against appends while it changes shape.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, eventLockKey); err != nil {
			return err
		}
		var kind string
		if err := tx.QueryRowContext(ctx, `SELECT c.relkind FROM pg_class c WHERE c.oid = 'events'::regclass`).Scan(&kind); err != nil {
			return err
		}
		var oldest sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT MIN(at) FROM events`).Scan(&oldest); err != nil {
			return err
		}
		from := now
		if oldest.Valid && oldest.Time.Before(from) {
			from = oldest.Time
		}
		if kind != "p" {
			for _, q := range []string{
				`ALTER TABLE events RENAME TO events_plain`,
				`ALTER SEQUENCE events_id_seq OWNED BY NONE`,
				`CREATE TABLE events (id BIGINT NOT NULL DEFAULT nextval('events_id_seq'), at TIMESTAMPTZ NOT NULL,
					topic TEXT NOT NULL, record_id TEXT NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)`,
				`ALTER SEQUENCE events_id_seq OWNED BY events.id`,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
		}
		for m := monthOf(from); !m.After(monthOf(now).AddDate(0, ahead, 0)); m = m.AddDate(0, 1, 0) {
			name := "events_" + m.Format("2006_01")
			var exists bool
			if err := tx.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, name).Scan(&exists); err != nil {
				return err
			}
			if exists {
				continue
			}
			q := fmt.Sprintf(`CREATE TABLE %s PARTITION OF events FOR VALUES FROM ('%s') TO ('%s')`, name,
				m.Format(time.RFC3339), m.AddDate(0, 1, 0).Format(time.RFC3339))
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
			n++
		}
		if kind != "p" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO events (id, at, topic, record_id) SELECT id, at, topic, record_id FROM events_plain`); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DROP TABLE events_plain`); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, translate(op, err)
	}
	db.resetReadStmts()
	return n, nil
}

// DropEventMonthsBefore drops the partitions of months wholly before
// before (retention of the log by month) and returns how many.
func (db *DB) DropEventMonthsBefore(ctx context.Context, before time.Time) (int, error) {
	const op = "store.DropEventMonthsBefore"
	rows, err := db.w.QueryContext(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'events'::regclass ORDER BY c.relname`)
	if err != nil {
		return 0, translate(op, err)
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return 0, translate(op, err)
		}
		names = append(names, name)
	}
	rows.Close()
	limit := "events_" + monthOf(before).Format("2006_01")
	n := 0
	for _, name := range names {
		if len(name) != len(limit) || name >= limit { // this month and later, or not a month
			continue
		}
		if _, err := db.w.ExecContext(ctx, `DROP TABLE `+name); err != nil {
			return n, translate(op, err)
		}
		n++
	}
	db.resetReadStmts()
	return n, nil
}

func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
