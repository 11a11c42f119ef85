package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
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
