package store

import (
	"context"
	"database/sql"
	"encoding/json"

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
	{"encounters", "id", "name_enc", "encounters.name"},
	{"persons", "id", "id_enc", "persons.id_number"},
	{"person_contacts", "id", "phone_enc", "persons.contact_phone"},
	{"missing_reports", "id", "id_enc", "reports.id_number"},
	{"missing_reports", "id", "contact_phone_enc", "reports.contact_phone"},
	{"volunteers", "id", "id_enc", "volunteers.id_number"},
}

// sealedInJSON lists sealed values kept inside a JSON column: the exit
// record's collector ID number (亲属接回).
var sealedInJSON = []struct{ table, key, column, context string }{
	{"stays", "id", "exit", "persons.collector_id"},
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
	n, err := db.resealJSON(ctx, k)
	total += n
	if err != nil {
		return total, err
	}
	e.Detail = "resealed"
	if err := db.AppendAudit(ctx, e); err != nil {
		return total, err
	}
	return total, nil
}

// resealJSON re-encrypts the sealed collector ID number inside exit
// records. The JSON is edited as a generic object so fields this package
// does not know survive.
func (db *DB) resealJSON(ctx context.Context, k *secret.Keyring) (int, error) {
	total := 0
	for _, c := range sealedInJSON {
		type row struct{ key, val string }
		var todo []row
		rows, err := db.r.QueryContext(ctx, `SELECT `+c.key+`, `+c.column+` FROM `+c.table+` WHERE `+c.column+` LIKE '%id_sealed%'`)
		if err != nil {
			return total, translate("store.Reseal", err)
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.key, &r.val); err != nil {
				rows.Close()
				return total, translate("store.Reseal", err)
			}
			todo = append(todo, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, translate("store.Reseal", err)
		}
		for _, r := range todo {
			var doc map[string]any
			if json.Unmarshal([]byte(r.val), &doc) != nil {
				continue
			}
			col, _ := doc["collector"].(map[string]any)
			old, _ := col["id_sealed"].(string)
			if old == "" {
				continue
			}
			if kid, err := secret.KeyOf(old); err != nil || kid == k.Active() {
				continue
			}
			nv, changed, err := k.Reseal(c.context, old)
			if err != nil {
				return total, err
			}
			if !changed {
				continue
			}
			col["id_sealed"] = nv
			b, err := json.Marshal(doc)
			if err != nil {
				return total, err
			}
			err = db.tx(ctx, "store.Reseal", func(tx *sql.Tx) error {
				_, err := db.exec(ctx, tx, `UPDATE `+c.table+` SET `+c.column+` = ? WHERE `+c.key+` = ? AND `+c.column+` = ?`, string(b), r.key, r.val)
				return err
			})
			if err != nil {
				return total, err
			}
			total++
		}
	}
	return total, nil
}

// SealedColumns names every "table.column" that key rotation re-encrypts,
// for the test that checks no sealed column of the schema is missed.
func SealedColumns() []string {
	var out []string
	for _, c := range sealedColumns {
		out = append(out, c.table+"."+c.column)
	}
	return out
}
