package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/errs"
)

// Monthly partitions on PostgreSQL (docs/scale.md). The event log and the
// audit log grow with time and are read from a recent point; at a
// province's volume one table a month keeps each index small, and
// retention can drop a whole month instead of deleting rows. SQLite keeps
// one table.

// monthly is how one table is partitioned by month on its at column.
type monthly struct {
	table string
	// lock, when not zero, is an advisory lock its appends take; the
	// conversion takes it too, so no append runs while the table changes
	// shape.
	lock int64
	// before are run after the plain table is renamed away (name clashes
	// with the partitioned table it becomes: indexes).
	before []string
	// create makes the partitioned table, its primary key (id, at).
	create string
	// columns are copied from the plain table.
	columns string
	// after are run once on the new partitioned table (indexes, triggers).
	after []string
	// each is run for every partition made, %[1]s its name (statement
	// triggers, which partitions do not inherit).
	each []string
}

var (
	eventsMonthly = monthly{
		table: "events",
		lock:  eventLockKey,
		before: []string{
			`ALTER SEQUENCE events_id_seq OWNED BY NONE`,
		},
		create: `CREATE TABLE events (id BIGINT NOT NULL DEFAULT nextval('events_id_seq'), at TIMESTAMPTZ NOT NULL,
			topic TEXT NOT NULL, record_id TEXT NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)`,
		columns: "id, at, topic, record_id",
		after:   []string{`ALTER SEQUENCE events_id_seq OWNED BY events.id`},
	}
	// The audit log stays append-only partitioned: the row trigger on the
	// parent is cloned to every partition, and each partition refuses
	// TRUNCATE on its own. Only dropping a whole month (retention, by the
	// database's owner) removes entries.
	auditMonthly = monthly{
		table: "audit_log",
		before: []string{
			`DROP INDEX audit_log_at`, `DROP INDEX audit_log_record`, `DROP INDEX audit_log_actor`,
		},
		create: `CREATE TABLE audit_log (id TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, actor_id TEXT NOT NULL DEFAULT '',
			actor_name TEXT NOT NULL DEFAULT '', action TEXT NOT NULL, record_type TEXT NOT NULL DEFAULT '',
			record_id TEXT NOT NULL DEFAULT '', ip TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '',
			PRIMARY KEY (id, at)) PARTITION BY RANGE (at)`,
		columns: "id, at, actor_id, actor_name, action, record_type, record_id, ip, detail",
		after: []string{
			`CREATE INDEX audit_log_at ON audit_log(at)`,
			`CREATE INDEX audit_log_record ON audit_log(record_type, record_id)`,
			`CREATE INDEX audit_log_actor ON audit_log(actor_name, at)`,
			`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
				FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
			`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
				FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
		},
		each: []string{
			`CREATE TRIGGER %[1]s_no_truncate BEFORE TRUNCATE ON %[1]s
				FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`,
		},
	}
	// partitionable are the tables PartitionByMonth converts, by name.
	partitionable = map[string]monthly{"events": eventsMonthly, "audit_log": auditMonthly}
)

// PartitionableTables names the tables PartitionByMonth can convert.
func PartitionableTables() []string { return []string{"audit_log", "events"} }

// PartitionEvents makes the event log partitioned by month (see
// PartitionByMonth).
func (db *DB) PartitionEvents(ctx context.Context, now time.Time, ahead int) (int, error) {
	return db.PartitionByMonth(ctx, "events", now, ahead)
}

// PartitionByMonth makes table (one of PartitionableTables) partitioned by
// month, if it is not yet, with a partition for every month from its
// oldest row to ahead months after now and a default partition that
// catches a row no month holds (so an append never fails for want of a
// month); it returns how many partitions it created. Converting copies
// the rows in one transaction, keeping their ids (a log's sequence goes
// on), so readers following "id after the last seen" miss nothing.
// Running it again on a partitioned table only adds months.
func (db *DB) PartitionByMonth(ctx context.Context, table string, now time.Time, ahead int) (int, error) {
	const op = "store.PartitionByMonth"
	m, ok := partitionable[table]
	if !ok {
		return 0, errs.E(errs.Invalid, op, "no monthly partitions for "+table)
	}
	if db.d != postgresDialect {
		return 0, errs.E(errs.Invalid, op, "partitions are for PostgreSQL")
	}
	n := 0
	err := db.tx(ctx, op, func(tx *sql.Tx) error {
		if m.lock != 0 {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, m.lock); err != nil {
				return err
			}
		}
		// Appends wait while the table changes shape.
		if _, err := tx.ExecContext(ctx, `LOCK TABLE `+m.table+` IN EXCLUSIVE MODE`); err != nil {
			return err
		}
		var kind string
		if err := tx.QueryRowContext(ctx, `SELECT c.relkind FROM pg_class c WHERE c.oid = $1::regclass`, m.table).Scan(&kind); err != nil {
			return err
		}
		var oldest sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT MIN(at) FROM `+m.table).Scan(&oldest); err != nil {
			return err
		}
		from := now
		if oldest.Valid && oldest.Time.Before(from) {
			from = oldest.Time
		}
		plain := m.table + "_plain"
		if kind != "p" {
			steps := append([]string{`ALTER TABLE ` + m.table + ` RENAME TO ` + plain}, m.before...)
			steps = append(append(steps, m.create), m.after...)
			for _, q := range steps {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			if err := db.makePartition(ctx, tx, m, m.table+"_default", "DEFAULT"); err != nil {
				return err
			}
		}
		made, err := db.monthsAhead(ctx, tx, m, from, now, ahead)
		if err != nil {
			return err
		}
		n = made
		if kind != "p" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+m.table+` (`+m.columns+`) SELECT `+m.columns+` FROM `+plain); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DROP TABLE `+plain); err != nil {
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

// EnsureMonthsAhead creates, for every table already partitioned by
// month, the partitions up to ahead months after now that are missing,
// and returns how many it made. It does nothing on SQLite or on tables
// still plain. The server calls it daily.
func (db *DB) EnsureMonthsAhead(ctx context.Context, now time.Time, ahead int) (int, error) {
	const op = "store.EnsureMonthsAhead"
	if db.d != postgresDialect {
		return 0, nil
	}
	n := 0
	for _, name := range PartitionableTables() {
		m := partitionable[name]
		err := db.tx(ctx, op, func(tx *sql.Tx) error {
			var kind string
			if err := tx.QueryRowContext(ctx, `SELECT c.relkind FROM pg_class c WHERE c.oid = $1::regclass`, m.table).Scan(&kind); err != nil || kind != "p" {
				return err
			}
			made, err := db.monthsAhead(ctx, tx, m, now, now, ahead)
			n += made
			return err
		})
		if err != nil {
			return n, translate(op, err)
		}
	}
	return n, nil
}

// monthsAhead makes the missing month partitions of m from from's month
// to ahead months after now's.
func (db *DB) monthsAhead(ctx context.Context, tx *sql.Tx, m monthly, from, now time.Time, ahead int) (int, error) {
	n := 0
	for mo := monthOf(from); !mo.After(monthOf(now).AddDate(0, ahead, 0)); mo = mo.AddDate(0, 1, 0) {
		name := m.table + "_" + mo.Format("2006_01")
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, name).Scan(&exists); err != nil {
			return n, err
		}
		if exists {
			continue
		}
		bounds := fmt.Sprintf(`FOR VALUES FROM ('%s') TO ('%s')`, mo.Format(time.RFC3339), mo.AddDate(0, 1, 0).Format(time.RFC3339))
		if err := db.makePartition(ctx, tx, m, name, bounds); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (db *DB) makePartition(ctx context.Context, tx *sql.Tx, m monthly, name, bounds string) error {
	if _, err := tx.ExecContext(ctx, `CREATE TABLE `+name+` PARTITION OF `+m.table+` `+bounds); err != nil {
		return err
	}
	for _, q := range m.each {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(q, name)); err != nil {
			return err
		}
	}
	return nil
}

// DropEventMonthsBefore drops the partitions of the event log's months
// wholly before before (retention of the log by month) and returns how
// many.
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
	if err := rows.Err(); err != nil {
		return 0, translate(op, err)
	}
	limit := monthOf(before)
	n := 0
	for _, name := range names {
		mo, err := time.Parse("2006_01", strings.TrimPrefix(name, "events_"))
		if err != nil || !mo.Before(limit) { // the default partition, or this month and later
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
