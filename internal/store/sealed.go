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
// record's collector ID number (亲属接回), at collector.id_sealed.
var sealedInJSON = []struct{ table, key, column, context string }{
	{"stays", "id", "exit", "persons.collector_id"},
}

// Reseal re-encrypts every sealed value that an older key sealed under the
// keyring's active key, and returns how many changed. It is safe to run
// while the server runs and to run again after an interruption.
func (db *DB) Reseal(ctx context.Context, k *secret.Keyring, e audit.Entry) (int, error) {
	total := 0
	for _, c := range sealedColumns {
		n, err := db.resealColumn(ctx, c.table, c.key, c.column, c.column+` <> ''`, func(v string) (string, bool, error) {
			return resealValue(k, c.context, v)
		})
		total += n
		if err != nil {
			return total, err
		}
	}
	for _, c := range sealedInJSON {
		n, err := db.resealColumn(ctx, c.table, c.key, c.column, c.column+` LIKE '%id_sealed%'`, func(v string) (string, bool, error) {
			// Edited as a generic object so fields this package does not
			// know survive.
			var doc map[string]any
			if json.Unmarshal([]byte(v), &doc) != nil {
				return v, false, nil
			}
			col, _ := doc["collector"].(map[string]any)
			old, _ := col["id_sealed"].(string)
			nv, changed, err := resealValue(k, c.context, old)
			if err != nil || !changed {
				return v, false, err
			}
			col["id_sealed"] = nv
			b, err := json.Marshal(doc)
			return string(b), err == nil, err
		})
		total += n
		if err != nil {
			return total, err
		}
	}
	e.Detail = "resealed"
	if err := db.AppendAudit(ctx, e); err != nil {
		return total, err
	}
	return total, nil
}

// resealValue re-encrypts one sealed value when an older key sealed it.
func resealValue(k *secret.Keyring, context, v string) (string, bool, error) {
	if v == "" {
		return v, false, nil
	}
	if kid, err := secret.KeyOf(v); err != nil || kid == k.Active() {
		return v, false, nil
	}
	return k.Reseal(context, v)
}

// resealColumn rewrites the rows of one column that change reports
// changed, each only if it still holds the value read, so a concurrent
// edit wins.
func (db *DB) resealColumn(ctx context.Context, table, key, column, where string, change func(string) (string, bool, error)) (int, error) {
	type row struct{ key, val string }
	var todo []row
	rows, err := db.r.QueryContext(ctx, `SELECT `+key+`, `+column+` FROM `+table+` WHERE `+where)
	if err != nil {
		return 0, translate("store.Reseal", err)
	}
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.key, &r.val); err != nil {
			rows.Close()
			return 0, translate("store.Reseal", err)
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, translate("store.Reseal", err)
	}
	n := 0
	for _, r := range todo {
		nv, changed, err := change(r.val)
		if err != nil {
			return n, err
		}
		if !changed {
			continue
		}
		err = db.tx(ctx, "store.Reseal", func(tx *sql.Tx) error {
			_, err := db.exec(ctx, tx, `UPDATE `+table+` SET `+column+` = ? WHERE `+key+` = ? AND `+column+` = ?`, nv, r.key, r.val)
			return err
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
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
