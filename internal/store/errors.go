package store

// Driver errors become neutral store errors here, in one place.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

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
		}
		// Busy or locked beyond the busy timeout, in any extended form
		// (SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_TIMEOUT, SQLITE_LOCKED_SHAREDCACHE…).
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
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
		case "40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53300", "08000", "08001", "08003", "08004", "08006":
			// serialization, deadlock, lock timeout, shutdown, cannot
			// connect now, too many connections, connection exceptions
			return errs.Wrap(errs.Unavailable, op, err)
		case "P0001":
			return errs.Wrap(errs.Forbidden, op, err)
		}
		return errs.Wrap(errs.Internal, op, err)
	}
	if connectionLost(err) {
		return errs.Wrap(errs.Unavailable, op, err)
	}
	return errs.Wrap(errs.Internal, op, err)
}

// connectionLost reports whether err says the database could not be
// reached or the connection broke: the database is down or restarting, not
// a fault of the request, so the caller may retry later.
func connectionLost(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), // dial or startup failed
		errors.As(err, &ne),                  // refused, reset, timeout on a socket
		errors.Is(err, driver.ErrBadConn),    // database/sql gave up on its connections
		errors.Is(err, sql.ErrConnDone),      // the connection was closed under us
		errors.Is(err, io.ErrUnexpectedEOF),  // the server went away mid-message
		errors.Is(err, io.EOF),               // … or between messages
		errors.Is(err, syscall.ECONNREFUSED), // nothing listens
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		pgconn.Timeout(err), // connect or read deadline
		pgconn.SafeToRetry(err):
		// pgx marks as safe to retry the errors where nothing reached the
		// server, e.g. "conn closed" on a connection it found broken.
		return true
	}
	return false
}
