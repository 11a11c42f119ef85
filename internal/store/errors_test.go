package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/havenrescue/haven/internal/errs"
)

// A database that cannot be reached is Unavailable (retry later), never
// Internal, NotFound or anything a caller could take for a final answer.
func TestTranslateConnectionFailures(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &net.AddrError{Err: "connect: connection refused", Addr: "127.0.0.1:5432"}}
	for name, err := range map[string]error{
		"dial refused":       refused,
		"errno refused":      fmt.Errorf("dial: %w", syscall.ECONNREFUSED),
		"reset":              fmt.Errorf("read: %w", syscall.ECONNRESET),
		"broken pipe":        fmt.Errorf("write: %w", syscall.EPIPE),
		"EOF mid-message":    fmt.Errorf("failed to receive message: %w", io.ErrUnexpectedEOF),
		"bad conn":           driver.ErrBadConn,
		"conn done":          sql.ErrConnDone,
		"admin shutdown":     &pgconn.PgError{Code: "57P01"},
		"cannot connect now": &pgconn.PgError{Code: "57P03"},
		"connection failure": &pgconn.PgError{Code: "08006"},
	} {
		if k := errs.KindOf(translate("store.X", err)); k != errs.Unavailable {
			t.Errorf("%s: %v, want unavailable", name, k)
		}
	}
	if k := errs.KindOf(translate("store.X", errors.New("syntax error"))); k != errs.Internal {
		t.Errorf("a plain error is %v, want internal", k)
	}
	if k := errs.KindOf(translate("store.X", sql.ErrNoRows)); k != errs.NotFound {
		t.Errorf("no rows is %v", k)
	}
}

// The error of a PostgreSQL server that cannot be reached keeps its cause
// (host, port, "connection refused") when it is put on one line: pgx puts
// each address it tried on a line of its own.
func TestOpenSaysWhyPostgresCannotBeReached(t *testing.T) {
	_, err := Open(t.Context(), Options{URL: "postgres://nobody@localhost:1/none?connect_timeout=2"})
	if err == nil {
		t.Fatal("opened a database on port 1")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, ":1 (localhost)") || !strings.Contains(msg, "connection refused") {
		t.Fatalf("the error lost its cause or is not one line: %q", msg)
	}
	two := errors.New("failed to connect to `user=u database=x`:\n\t127.0.0.1:1 (localhost): dial error: connection refused\n\t127.0.0.1:1 (localhost): dial error: connection refused")
	if got := oneLine(two); got != "failed to connect to `user=u database=x`: 127.0.0.1:1 (localhost): dial error: connection refused" {
		t.Fatalf("oneLine: %q", got)
	}
}
