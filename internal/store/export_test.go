package store

import (
	"context"
	"database/sql"
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

// ExplainIntakeLookupsForTest returns the query plans of the merge lookup
// and of the "already known" lookup, as the database would run them now
// (on PostgreSQL with sequential scans discouraged, so that the plan
// shows whether an index can serve at all, whatever the table's size).
func ExplainIntakeLookupsForTest(ctx context.Context, db *DB) (merge, known string, err error) {
	args := []any{}
	for i := 0; i < 9; i++ {
		args = append(args, int64(7060022760+i))
	}
	args = append(args, db.d.t(time.Now().Add(-time.Hour)), 35.30, 35.31, 113.86, 113.87)
	explain := func(q string) (string, error) {
		tx, err := db.r.BeginTx(ctx, nil)
		if err != nil {
			return "", err
		}
		defer tx.Rollback()
		prefix := "EXPLAIN QUERY PLAN "
		if db.d == postgresDialect {
			prefix = "EXPLAIN "
			if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
				return "", err
			}
		}
		rows, err := tx.QueryContext(ctx, prefix+db.d.q(q), args...)
		if err != nil {
			return "", err
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
				return "", err
			}
			for _, v := range vals {
				switch x := v.(type) {
				case string:
					out = append(out, x)
				case []byte:
					out = append(out, string(x))
				}
			}
		}
		return strings.Join(out, "\n"), rows.Err()
	}
	if merge, err = explain(hotQueries["candidates"]); err != nil {
		return "", "", err
	}
	known, err = explain(knownQuery)
	return merge, known, err
}
