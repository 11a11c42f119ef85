package store

import "context"

// TamperLedgerForTest runs a statement that changes the funds tables
// directly, past the store; the database must refuse it.
func TamperLedgerForTest(ctx context.Context, db *DB, stmt string) error {
	_, err := db.w.ExecContext(ctx, stmt)
	return translate("tamper", err)
}
