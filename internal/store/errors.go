package store

// Driver errors become neutral store errors here, in one place.

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/havenrescue/haven/internal/errs"
)

// translate maps a driver error to an errs.Kind. op names the operation.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) && e.Kind != errs.Other {
		return err
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return errs.Wrap(errs.NotFound, op, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return errs.Wrap(errs.Unavailable, op, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return errs.Wrap(errs.Exists, op, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return errs.Wrap(errs.Invalid, op, err)
		case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
			return errs.Wrap(errs.Forbidden, op, err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_BUSY_SNAPSHOT:
			return errs.Wrap(errs.Unavailable, op, err)
		}
		return errs.Wrap(errs.Internal, op, err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return errs.Wrap(errs.Exists, op, err)
		case "23503", "23514", "23502", "22P02":
			return errs.Wrap(errs.Invalid, op, err)
		case "40001", "40P01", "55P03", "57P01", "53300":
			return errs.Wrap(errs.Unavailable, op, err)
		case "P0001":
			return errs.Wrap(errs.Forbidden, op, err)
		}
		return errs.Wrap(errs.Internal, op, err)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return errs.Wrap(errs.Unavailable, op, err)
	}
	return errs.Wrap(errs.Internal, op, err)
}
