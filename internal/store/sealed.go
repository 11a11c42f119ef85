package store

import (
	"context"
	"database/sql"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/secret"
)

// sealedColumns lists every column that holds values sealed by
// secret.Keyring, with the context they were sealed for. Capabilities that
// add sealed columns add them here, so key rotation reaches them all.
var sealedColumns = []struct{ table, key, column, context string }{
	{"users", "id", "phone_enc", "users.phone"},
	{"signals", "id", "phone_enc", "signals.phone"},
	{"partners", "code", "secret_enc", "partners.secret"},
}

// Reseal re-encrypts every sealed value that an older key sealed under the
// keyring's active key, and returns how many changed. It is safe to run
// while the server runs and to run again after an interruption.
func (db *DB) Reseal(ctx context.Context, k *secret.Keyring, e audit.Entry) (int, error) {
	total := 0
	for _, c := range sealedColumns {
		type row struct{ key, val string }
		var todo []row
		rows, err := db.r.QueryContext(ctx, `SELECT `+c.key+`, `+c.column+` FROM `+c.table+` WHERE `+c.column+` <> ''`)
		if err != nil {
			return total, translate("store.Reseal", err)
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.key, &r.val); err != nil {
				rows.Close()
				return total, translate("store.Reseal", err)
			}
			if kid, err := secret.KeyOf(r.val); err == nil && kid != k.Active() {
				todo = append(todo, r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, translate("store.Reseal", err)
		}
		for _, r := range todo {
			nv, changed, err := k.Reseal(c.context, r.val)
			if err != nil {
				return total, err
			}
			if !changed {
				continue
			}
			// Only replace the value we read, so a concurrent edit wins.
			err = db.tx(ctx, "store.Reseal", func(tx *sql.Tx) error {
				_, err := db.exec(ctx, tx, `UPDATE `+c.table+` SET `+c.column+` = ? WHERE `+c.key+` = ? AND `+c.column+` = ?`, nv, r.key, r.val)
				return err
			})
			if err != nil {
				return total, err
			}
			total++
		}
	}
	e.Detail = "resealed"
	if err := db.AppendAudit(ctx, e); err != nil {
		return total, err
	}
	return total, nil
}
