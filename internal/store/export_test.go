package store

import (
	"context"
	"testing"

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
