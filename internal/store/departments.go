package store

import (
	"context"
	"database/sql"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
)

const deptColumns = `id, name, name_en, kind, address, lat, lng, created_at`

func scanDept(r rowScanner) (*auth.Department, error) {
	var d auth.Department
	err := r.Scan(&d.ID, &d.Name, &d.NameEn, &d.Kind, &d.Address, &d.Lat, &d.Lng, scanTime{&d.CreatedAt})
	return &d, err
}

// CreateDepartment implements auth.Store.
func (db *DB) CreateDepartment(ctx context.Context, d *auth.Department, e audit.Entry) error {
	return db.tx(ctx, "store.CreateDepartment", func(tx *sql.Tx) error {
		_, err := db.exec(ctx, tx, `INSERT INTO departments (`+deptColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.Name, d.NameEn, d.Kind, d.Address, d.Lat, d.Lng, db.d.t(d.CreatedAt))
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// DepartmentByID implements auth.Store.
func (db *DB) DepartmentByID(ctx context.Context, id string) (*auth.Department, error) {
	d, err := scanDept(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+deptColumns+` FROM departments WHERE id = ?`), id))
	return d, translate("store.DepartmentByID", err)
}

// ListDepartments implements auth.Store.
func (db *DB) ListDepartments(ctx context.Context) ([]*auth.Department, error) {
	return list(ctx, db, db.r, "store.ListDepartments", `SELECT `+deptColumns+` FROM departments ORDER BY id`, scanDept)
}
