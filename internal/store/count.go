package store

// Statement counting, for tests and benchmarks that check that a page
// runs the same number of statements whatever the data (issue 16). A DB
// opened with Options.CountStatements wraps its driver; each statement
// run under a context from CountStatements adds one to that counter.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync/atomic"
)

type countKey struct{}

// CountStatements returns a context under which the statements the store
// runs (on a DB opened with Options.CountStatements) are counted into n.
func CountStatements(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, countKey{}, n)
}

type recordKey struct{}

// Statement is a statement as the driver ran it: the dialect's text and
// the arguments.
type Statement struct {
	Query string
	Args  []any
}

// RecordStatements returns a context under which the statements the store
// runs (on a DB opened with Options.CountStatements) are passed to rec.
func RecordStatements(ctx context.Context, rec func(Statement)) context.Context {
	return context.WithValue(ctx, recordKey{}, rec)
}

func countStatement(ctx context.Context, query string, args []driver.NamedValue) {
	if n, ok := ctx.Value(countKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
	if rec, ok := ctx.Value(recordKey{}).(func(Statement)); ok {
		st := Statement{Query: query}
		for _, a := range args {
			st.Args = append(st.Args, a.Value)
		}
		rec(st)
	}
}

// openPool opens a pool of driverName on dsn, counting statements when
// count is set.
func openPool(driverName, dsn string, count bool) (*sql.DB, error) {
	if !count {
		return sql.Open(driverName, dsn)
	}
	probe, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	probe.Close()
	return sql.OpenDB(countConnector{dsn: dsn, drv: drv}), nil
}

type countConnector struct {
	dsn string
	drv driver.Driver
}

func (c countConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return countConn{conn}, nil
}

func (c countConnector) Driver() driver.Driver { return c.drv }

type countConn struct{ driver.Conn }

func (c countConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return countStmt{st, query}, nil
}

func (c countConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c countConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // drivers without BeginTx
}

func (c countConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	rows, err := q.QueryContext(ctx, query, args)
	if err != driver.ErrSkip {
		countStatement(ctx, query, args)
	}
	return rows, err
}

func (c countConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	x, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	res, err := x.ExecContext(ctx, query, args)
	if err != driver.ErrSkip {
		countStatement(ctx, query, args)
	}
	return res, err
}

func (c countConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func (c countConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c countConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c countConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

type countStmt struct {
	driver.Stmt
	query string
}

func (s countStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	countStatement(ctx, s.query, args)
	if x, ok := s.Stmt.(driver.StmtExecContext); ok {
		return x.ExecContext(ctx, args)
	}
	vals, err := namedToValues(args)
	if err != nil {
		return nil, err
	}
	return s.Stmt.Exec(vals) //nolint:staticcheck // drivers without ExecContext
}

func (s countStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	countStatement(ctx, s.query, args)
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	vals, err := namedToValues(args)
	if err != nil {
		return nil, err
	}
	return s.Stmt.Query(vals) //nolint:staticcheck // drivers without QueryContext
}

func (s countStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func namedToValues(args []driver.NamedValue) ([]driver.Value, error) {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out, nil
}
