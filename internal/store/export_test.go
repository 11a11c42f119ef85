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
