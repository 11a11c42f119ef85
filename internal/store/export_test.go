package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
)

func CreateDepartmentForTest(t *testing.T, db *DB, d *auth.Department) error {
	return db.CreateDepartment(context.Background(), d, audit.Entry{Action: audit.ActionDeptCreate, RecordType: "department", RecordID: d.ID})
}

// TamperAuditForTest tries to change and delete audit rows directly.
func TamperAuditForTest(ctx context.Context, db *DB) error {
	if _, err := db.w.ExecContext(ctx, "UPDATE audit_log SET actor_name = 'x'"); err != nil {
		return translate("tamper", err)
	}
	if _, err := db.w.ExecContext(ctx, "DELETE FROM audit_log"); err != nil {
		return translate("tamper", err)
	}
	return nil
}

// EncColumnsForTest lists every "table.column" of the schema whose name
// ends in _enc: the columns that hold sealed values.
func EncColumnsForTest(ctx context.Context, db *DB) ([]string, error) {
	q := `SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
	       WHERE m.type = 'table' AND p.name LIKE '%_enc'`
	if db.d == postgresDialect {
		q = `SELECT table_name || '.' || column_name FROM information_schema.columns
		      WHERE table_schema = current_schema() AND column_name LIKE '%_enc'`
	}
	rows, err := db.r.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// BulkInsertForTest inserts n rows into table in one transaction, in
// multi-row statements, for benchmarks that need a big table quickly.
// row(i) returns the i-th row's values in the order of cols; times are
// converted for the dialect. On PostgreSQL the table is analysed after,
// as autovacuum would soon do; SQLite is never analysed in production.
func BulkInsertForTest(ctx context.Context, db *DB, table string, cols []string, n int, row func(i int) []any) error {
	const batch = 500
	one := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
	err := db.tx(ctx, "store.BulkInsertForTest", func(tx *sql.Tx) error {
		for start := 0; start < n; start += batch {
			m := min(batch, n-start)
			args := make([]any, 0, m*len(cols))
			for i := start; i < start+m; i++ {
				for _, v := range row(i) {
					if t, ok := v.(time.Time); ok {
						v = db.d.t(t)
					}
					args = append(args, v)
				}
			}
			q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + one + strings.Repeat(", "+one, m-1)
			if _, err := tx.ExecContext(ctx, db.d.q(q), args...); err != nil {
				return translate("store.BulkInsertForTest", err)
			}
		}
		return nil
	})
	if err != nil || db.d != postgresDialect {
		return err
	}
	_, err = db.w.ExecContext(ctx, "ANALYZE "+table)
	return translate("store.BulkInsertForTest", err)
}

// RedoMigrationForTest rolls the schema back to before version and
// migrates up again, as an installation upgrading across it would.
func RedoMigrationForTest(ctx context.Context, db *DB, version int64) error {
	if _, err := db.migrate.DownTo(ctx, version-1); err != nil {
		return err
	}
	_, err := db.Migrate(ctx)
	return err
}

// ExplainForTest returns the plan of a recorded statement, a line per
// node: EXPLAIN QUERY PLAN on SQLite; on PostgreSQL EXPLAIN with
// sequential scans disabled, so that a "Seq Scan" left in the plan is one
// no index could replace, however large the table.
func ExplainForTest(ctx context.Context, db *DB, st Statement) ([]string, error) {
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	q := "EXPLAIN QUERY PLAN " + st.Query
	if db.d == postgresDialect {
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			return nil, err
		}
		defer conn.ExecContext(ctx, "RESET enable_seqscan")
		q = "EXPLAIN " + st.Query
	}
	rows, err := conn.QueryContext(ctx, q, st.Args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, strings.TrimSpace(fmt.Sprint(vals[len(vals)-1])))
	}
	return out, rows.Err()
}

// BulkSeedForTest fills the database quickly for benchmarks of the pages
// at scale: a decade of history and the same current work whatever n is.
// n people, each with a closed stay over the last ten years, 30 of them
// also in care now; statutory tasks for half the stays; n closed
// incidents of two signals each and 30 open ones; n/10 review candidates. Rows go in with multi-row inserts in one
// transaction; the invariants the pages rely on hold (one open stay per
// person, person_names filled).
func BulkSeedForTest(ctx context.Context, db *DB, n int, now time.Time, newID func() string) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	t := db.d.t
	type batch struct {
		head string
		cols int
		args []any
	}
	flush := func(b *batch) error {
		if len(b.args) == 0 {
			return nil
		}
		rows := len(b.args) / b.cols
		one := "(?" + strings.Repeat(", ?", b.cols-1) + ")"
		q := b.head + " VALUES " + one + strings.Repeat(", "+one, rows-1)
		_, err := tx.ExecContext(ctx, db.d.q(q), b.args...)
		b.args = b.args[:0]
		return err
	}
	add := func(b *batch, vals ...any) error {
		b.args = append(b.args, vals...)
		return nil
	}
	persons := &batch{head: "INSERT INTO persons (id, ref, name, aliases, sex, age_min, age_max, identified, version, created_at, updated_at)", cols: 11}
	names := &batch{head: "INSERT INTO person_names (name, person_id)", cols: 2}
	stays := &batch{head: "INSERT INTO stays (id, ref, person_id, state, arrived_at, entered_at, entered_by, source, unidentified, exited_at, version, updated_at)", cols: 12}
	tasks := &batch{head: "INSERT INTO case_tasks (stay_id, rule, done_at, done_by)", cols: 4}
	incidents := &batch{head: "INSERT INTO incidents (id, ref, service_code, state, lat, lng, opened_at, last_signal_at, due_at, closed_at, signal_count, updated_at)", cols: 12}
	signals := &batch{head: "INSERT INTO signals (id, ref, channel, external_id, incident_id, service_code, reported_at, received_at)", cols: 8}
	cands := &batch{head: "INSERT INTO match_candidates (id, person_id, target, other_id, score, probability, label, levels, state, created_at, updated_at)", cols: 11}
	span := 10 * 365 * 24 * time.Hour
	every := max(n/30, 1) // one record in every so many is current work
	var prev string
	for i := 0; i < n; i++ {
		pid := newID()
		at := now.Add(-time.Duration(int64(span) / int64(n) * int64(i+1))).Truncate(time.Microsecond)
		name := fmt.Sprintf("人%d", i)
		if err := add(persons, pid, fmt.Sprintf("B%08d", i), name, "", "male", 20+i%50, 30+i%50, i%3, 1, t(at), t(at)); err != nil {
			return err
		}
		if err := add(names, name, pid); err != nil {
			return err
		}
		sid := newID()
		if err := add(stays, sid, fmt.Sprintf("B%08da", i), pid, "closed", t(at), t(at.Add(time.Hour)), "seed", "walk_in", i%2, t(at.Add(10*24*time.Hour)), 1, t(at)); err != nil {
			return err
		}
		if i%2 == 0 {
			if err := add(tasks, sid, "notice_24h", t(at.Add(20*time.Hour)), "seed"); err != nil {
				return err
			}
		}
		if i%every == 0 {
			oat := now.Add(-time.Duration(i%2000) * time.Hour).Truncate(time.Microsecond)
			if err := add(stays, newID(), fmt.Sprintf("B%08db", i), pid, "open", t(oat), t(oat), "seed", "walk_in", i%2, nil, 1, t(oat)); err != nil {
				return err
			}
		}
		iid, state, closed := newID(), "closed", t(at.Add(2*time.Hour))
		if i%every == 0 {
			state, closed = "accepted", nil
		}
		if err := add(incidents, iid, fmt.Sprintf("I%08d", i), "begging", state, 35.2+float64(i%1000)*0.0001, 113.8, t(at), t(at), t(at.Add(time.Hour)), closed, 2, t(at)); err != nil {
			return err
		}
		for j, ch := range []string{"public", "hotline"} {
			if err := add(signals, newID(), fmt.Sprintf("S%08d%d", i, j), ch, fmt.Sprintf("e%d-%d", i, j), iid, "begging", t(at), t(at)); err != nil {
				return err
			}
		}
		if i%10 == 1 {
			if err := add(cands, newID(), pid, "p:"+prev, prev, 3.0, float64(i%97)/100, "probable", "[]", "proposed", t(at), t(at)); err != nil {
				return err
			}
		}
		prev = pid
		if len(persons.args) >= 200*persons.cols || i == n-1 {
			// referenced rows first
			for _, b := range []*batch{persons, names, stays, tasks, incidents, signals, cands} {
				if err := flush(b); err != nil {
					return err
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if db.d == postgresDialect {
		_, err = db.w.ExecContext(ctx, "ANALYZE")
	} else {
		_, err = db.w.ExecContext(ctx, "PRAGMA optimize")
	}
	return err
}

// RunForTest runs a recorded statement and reads its rows.
func RunForTest(ctx context.Context, db *DB, st Statement) error {
	rows, err := db.r.QueryContext(ctx, st.Query, st.Args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// ExplainIntakeLookupsForTest returns the query plans of the merge lookup
// (the batch's, as each dialect runs it: sqliteCandidates, pgCandidates)
// and of the "already known" lookup, as the database would run them now
// (on PostgreSQL with sequential scans discouraged, so that the plan
// shows whether an index can serve at all, whatever the table's size).
func ExplainIntakeLookupsForTest(ctx context.Context, db *DB) (merge, known string, err error) {
	args := []any{}
	for i := 0; i < 9; i++ {
		args = append(args, int64(7060022760+i))
	}
	since := time.Now().Add(-time.Hour)
	args = append(args, db.d.t(since), 35.30, 35.31, 113.86, 113.87)
	explain := func(q string, args ...any) (string, error) {
		plan, err := ExplainForTest(ctx, db, Statement{Query: db.d.q(q), Args: args})
		return strings.Join(plan, "\n"), err
	}
	if db.d == postgresDialect {
		// The planner's choice for a join depends on the table's size: give
		// it the open incidents of a busy city (20,000 over 5,000 cells).
		if _, err := db.w.ExecContext(ctx, `INSERT INTO incidents (id, ref, service_code, state, lat, lng, cell,
				opened_at, last_signal_at, due_at, updated_at, loc_precision)
			SELECT 'explain-' || g, 'EXPLAIN-' || g, 'rough_sleeping', 'accepted', 35.2 + (g % 200) * 0.001, 113.8 + (g / 200) * 0.001,
				7060020000 + g % 5000, now(), now(), now(), now(), 'exact' FROM generate_series(1, 20000) AS g`); err != nil {
			return "", "", err
		}
		if _, err := db.w.ExecContext(ctx, `ANALYZE incidents`); err != nil {
			return "", "", err
		}
		var cells []int64
		var minLats, maxLats, minLngs, maxLngs []float64
		var sinces []time.Time
		for _, c := range args[:9] {
			cells = append(cells, c.(int64))
			minLats, maxLats, minLngs, maxLngs = append(minLats, 35.30), append(maxLats, 35.31), append(minLngs, 113.86), append(maxLngs, 113.87)
			sinces = append(sinces, since)
		}
		merge, err = explain(pgCandidates, cells, minLats, maxLats, minLngs, maxLngs, sinces)
	} else {
		merge, err = explain(sqliteCandidates, args...)
	}
	if err != nil {
		return "", "", err
	}
	known, err = explain(knownQuery, args...)
	return merge, known, err
}

// PoolSettingForTest takes n connections of the pool at once and returns
// the value of the PostgreSQL setting name on each.
func PoolSettingForTest(ctx context.Context, db *DB, n int, name string) ([]string, error) {
	var out []string
	for range n {
		c, err := db.r.Conn(ctx)
		if err != nil {
			return out, err
		}
		defer c.Close()
		var v string
		if err := c.QueryRowContext(ctx, `SELECT current_setting($1)`, name).Scan(&v); err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}
