package store

// Every difference between SQLite and PostgreSQL that the queries see lives
// in this file. Queries are written once, with '?' placeholders.

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

type dialect int

const (
	sqliteDialect dialect = iota
	postgresDialect
)

func (d dialect) String() string {
	if d == postgresDialect {
		return "postgres"
	}
	return "sqlite"
}

// q rewrites '?' placeholders to PostgreSQL's $1, $2 … Queries never
// contain a literal '?' in a string.
func (d dialect) q(query string) string {
	if d != postgresDialect {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// joinComma aggregates expr over a group into one comma-separated text.
func (d dialect) joinComma(expr string) string {
	if d == postgresDialect {
		return "string_agg(" + expr + ", ',')"
	}
	return "group_concat(" + expr + ", ',')"
}

// forUpdate locks the selected rows until the transaction ends. SQLite
// needs nothing: its writers hold the database's write lock from BEGIN.
func (d dialect) forUpdate() string {
	if d == postgresDialect {
		return " FOR UPDATE"
	}
	return ""
}

// lockTable is the statement that makes other writers of table wait
// until the current transaction ends (a check-then-insert that must not
// run twice at once). SQLite needs nothing: a writer holds the database's
// write lock from BEGIN.
func (d dialect) lockTable(table string) string {
	if d == postgresDialect {
		return "LOCK TABLE " + table + " IN SHARE ROW EXCLUSIVE MODE"
	}
	return ""
}

// noWaitCommit is the statement that lets the current transaction commit
// without waiting for its log to reach the disk, for writes a crash may
// lose (a PostgreSQL crash loses at most the last few hundred
// milliseconds of them). SQLite needs nothing: the writer connection
// commits without an fsync unless the store asks for one (db.syncWAL).
func (d dialect) noWaitCommit() string {
	if d == postgresDialect {
		return "SET LOCAL synchronous_commit TO OFF"
	}
	return ""
}

// timeLayout is the fixed-width UTC text form of timestamps in SQLite,
// chosen so that text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// t converts a time for a query argument: UTC, microsecond precision (what
// both databases keep), and NULL for the zero time.
func (d dialect) t(v time.Time) any {
	if v.IsZero() {
		return nil
	}
	v = v.UTC().Truncate(time.Microsecond)
	if d == postgresDialect {
		return v
	}
	return v.Format(timeLayout)
}

// scanTime reads a timestamp column of either dialect; NULL becomes the
// zero time.
type scanTime struct{ t *time.Time }

func (s scanTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.t = time.Time{}
	case time.Time:
		*s.t = v.UTC()
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("store: cannot read %T as a time", src)
	}
	return nil
}

func (s scanTime) parse(v string) error {
	if len(v) == len(timeLayout) && v[len(v)-1] == 'Z' {
		if t, err := time.Parse(timeLayout, v); err == nil {
			*s.t = t
			return nil
		}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("store: bad time %q: %w", v, err)
	}
	*s.t = t.UTC()
	return nil
}

var _ interface{ Scan(any) error } = scanTime{}

// sqliteDSN returns the DSN for the SQLite file: busy_timeout first (the
// driver applies it before other pragmas), then WAL and foreign keys.
// Every commit is made durable against power loss, not only a crash of the
// process, by an fsync of the WAL file after it (db.syncWAL): the same
// guarantee as synchronous=FULL, but done by Haven, so that the group
// committer can file the next batch of signals while the previous one's
// fsync is in flight (intake.go). Writers take the write lock at BEGIN so
// that transactions never fail half-way with SQLITE_BUSY.
func sqliteDSN(path string, readOnly bool, walLimit int64) string {
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	if readOnly {
		return dsn + "&_pragma=query_only(1)"
	}
	// The writer never checkpoints the WAL itself (a checkpoint inside a
	// commit stalls every signal waiting for it); a background connection
	// does (db.go, checkpointer).
	// journal_size_limit: when a checkpoint lets the WAL start over, the
	// file is cut back to the limit rather than kept at its high-water mark.
	return dsn + "&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)&_pragma=wal_autocheckpoint(0)" +
		fmt.Sprintf("&_pragma=journal_size_limit(%d)", walLimit) + "&_txlock=immediate"
}

// sqliteCheckpointDSN is the connection that checkpoints the WAL.
func sqliteCheckpointDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)"
}

// plusHours is the timestamp expression col plus a number of hours given
// as the next argument; it compares with other timestamps of the dialect
// (SQLite: the fixed-width text form, the fraction kept as it is).
func (d dialect) plusHours(col string) string {
	if d == postgresDialect {
		return "(" + col + " + make_interval(hours => CAST(? AS INTEGER)))"
	}
	return "(strftime('%Y-%m-%dT%H:%M:%S', substr(" + col + ", 1, 19), '+' || ? || ' hours') || substr(" + col + ", 20))"
}

// plusMonthsCST is col plus a number of calendar months (the next
// argument) counted in China Standard Time, overflowing into the next
// month as Go's AddDate does (31 January + 1 month = 3 March).
func (d dialect) plusMonthsCST(col string) string {
	if d == postgresDialect {
		l := "(" + col + " AT TIME ZONE 'UTC' + interval '8 hours')"
		return "((date_trunc('month', " + l + ") + make_interval(months => CAST(? AS INTEGER)) + (" + l + " - date_trunc('month', " + l + ")) - interval '8 hours') AT TIME ZONE 'UTC')"
	}
	return "(strftime('%Y-%m-%dT%H:%M:%S', substr(" + col + ", 1, 19), '+8 hours', '+' || ? || ' months', '-8 hours') || substr(" + col + ", 20))"
}

// dateCST is the date (YYYY-MM-DD text) of the timestamp col in China
// Standard Time.
func (d dialect) dateCST(col string) string {
	if d == postgresDialect {
		return "to_char(" + col + " AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY-MM-DD')"
	}
	return "date(substr(" + col + ", 1, 19), '+8 hours')"
}

// midnightCST is the instant the China-time day col (YYYY-MM-DD text, as
// publicity_log.on_date) begins, as a timestamp of the dialect, so that a
// record kept by date is placed in periods and on days like one kept by
// instant (dateCST of it gives col back).
func (d dialect) midnightCST(col string) string {
	if d == postgresDialect {
		return "CAST(" + col + " || ' 00:00:00+08' AS TIMESTAMPTZ)"
	}
	return "(strftime('%Y-%m-%dT%H:%M:%S', " + col + ", '-8 hours') || '.000000Z')"
}

// timeArg is a placeholder for a timestamp argument where the query gives
// it no type (a VALUES list).
func (d dialect) timeArg() string {
	if d == postgresDialect {
		return "CAST(? AS TIMESTAMPTZ)"
	}
	return "?"
}

// secondsBetween is the whole seconds from timestamp a to timestamp b
// (fractions of a second dropped from each first).
func (d dialect) secondsBetween(a, b string) string {
	if d == postgresDialect {
		return "CAST(EXTRACT(EPOCH FROM (date_trunc('second', " + b + ") - date_trunc('second', " + a + "))) AS BIGINT)"
	}
	return "CAST(ROUND((julianday(substr(" + b + ", 1, 19)) - julianday(substr(" + a + ", 1, 19))) * 86400) AS INTEGER)"
}

// dayKeyCST is a cheap grouping key for the China-time day of the
// timestamp col, which cstDayOfKey turns into YYYY-MM-DD: on SQLite the
// UTC date, marked "+" from 16:00 UTC (midnight in China) on, so that
// no date function runs per row; on PostgreSQL the date itself. Two
// keys can name one day: sums grouped by it are added up by day after.
func (d dialect) dayKeyCST(col string) string {
	if d == postgresDialect {
		return d.dateCST(col)
	}
	return "substr(" + col + ", 1, 10) || CASE WHEN substr(" + col + ", 12, 2) >= '16' THEN '+' ELSE '' END"
}

// cstDayOfKey is the China-time day of a dayKeyCST key.
func cstDayOfKey(k string) string {
	day, late := strings.CutSuffix(k, "+")
	if !late {
		return day
	}
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return k
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

// indexedBy makes SQLite read table through the named index (a covering
// one it would pass over for the table's unique key); PostgreSQL chooses
// for itself.
func (d dialect) indexedBy(index string) string {
	if d == postgresDialect {
		return ""
	}
	return " INDEXED BY " + index
}
