// Package store implements every domain's Store interface on SQLite (the
// embedded default) and PostgreSQL. All SQL lives in this package.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers "sqlite"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
)

//go:embed migrations
var migrations embed.FS

// DB is Haven's database: a single writer connection and a reader pool on
// SQLite, one pool on PostgreSQL.
type DB struct {
	w, r   *sql.DB
	ckpt   *sql.DB  // SQLite: checkpoints the WAL in the background
	wal    *os.File // SQLite: the WAL file, fsynced after every commit
	walMax int64    // SQLite: the WAL starts over once it holds more than this (wal.go)
	// walSyncs counts the commits made durable (DurableSyncs); on SQLite the WAL is idle
	// when a checkpoint tick finds it unchanged. Its size cannot tell:
	// after a checkpoint SQLite writes the log again from its start, in a
	// file of the same size.
	walSyncs, walSyncsSeen atomic.Int64
	walFrame               atomic.Int64 // SQLite: bytes of one WAL frame (wal.go)
	d                      dialect
	path                   string // SQLite file, empty on PostgreSQL
	now                    func() time.Time
	migrate                *goose.Provider

	// group commit of help signals (intake.go)
	readers     sync.Map // query text -> *sql.Stmt prepared on the reader pool
	shapes      sync.Map // multi-row statement texts by shape
	shapeStmts  sync.Map // small multi-row statements prepared on the writer (execShape)
	shapeWanted sync.Map // shapes met unprepared, to prepare after the commit
	hotMu       sync.RWMutex
	hot         map[string]*sql.Stmt // hot-path statements prepared once on the writer
	signalQ     chan *pendingSignal
	syncQ       chan []*pendingSignal // committed batches waiting to be made durable
	intakeConn  heldConn              // PostgreSQL: the committer's connection (intake_pg.go)
	flushConn   heldConn              // PostgreSQL: the syncer's
	stopping    chan struct{}
	stopped     chan struct{}
	stopOnce    sync.Once

	url       string        // PostgreSQL URL, for LISTEN (events.go)
	eventWake chan struct{} // events committed (events.go)
	wakeMu    sync.Mutex
	wakes     []chan struct{} // more readers of the log (Wake)
}

// Options selects the database.
type Options struct {
	URL     string // postgres:// URL; empty for SQLite in Dir
	Dir     string // data folder for the SQLite file
	Now     func() time.Time
	MaxOpen int // PostgreSQL pool size; default 10
	// WALLimit bounds the SQLite WAL file (default DefaultWALLimit): past
	// it the background checkpointer starts the WAL over even under load,
	// and cuts it to nothing when the database is idle.
	WALLimit int64
	// CountStatements wraps the driver so that CountStatements contexts
	// count the statements run under them (tests and benchmarks).
	CountStatements bool
}

// SQLiteFile is the database file's name inside the data folder.
const SQLiteFile = "haven.db"

// Open connects to the database and checks that it answers. It does not
// migrate; call Migrate.
func Open(ctx context.Context, o Options) (*DB, error) {
	db := &DB{now: o.Now, url: o.URL, eventWake: make(chan struct{}, 1), walMax: o.WALLimit}
	if db.walMax <= 0 {
		db.walMax = DefaultWALLimit
	}
	if db.now == nil {
		db.now = time.Now
	}
	if o.URL != "" {
		db.d = postgresDialect
		p, err := openPool("pgx", o.URL, o.CountStatements)
		if err != nil {
			return nil, fmt.Errorf("database URL: %v", err)
		}
		if o.MaxOpen == 0 {
			o.MaxOpen = 10
		}
		// Two more for the intake's committer and syncer, which keep one
		// each (intake_pg.go).
		p.SetMaxOpenConns(o.MaxOpen + 2)
		p.SetMaxIdleConns(o.MaxOpen + 2)
		p.SetConnMaxIdleTime(5 * time.Minute)
		db.w, db.r = p, p
	} else {
		db.d = sqliteDialect
		if err := os.MkdirAll(o.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("data folder %s: %v", o.Dir, errors.Unwrap(err))
		}
		db.path = filepath.Join(o.Dir, SQLiteFile)
		w, err := openPool("sqlite", sqliteDSN(db.path, false, db.walMax), o.CountStatements)
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1) // SQLite has one writer; queue in Go, not in busy retries
		w.SetConnMaxIdleTime(0)
		r, err := openPool("sqlite", sqliteDSN(db.path, true, db.walMax), o.CountStatements)
		if err != nil {
			w.Close()
			return nil, err
		}
		n := max(4, runtime.NumCPU())
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		c, err := sql.Open("sqlite", sqliteCheckpointDSN(db.path))
		if err != nil {
			w.Close()
			r.Close()
			return nil, err
		}
		c.SetMaxOpenConns(1)
		db.w, db.r, db.ckpt = w, r, c
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.w.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot reach the %s database: %v", db.d, oneLine(err))
	}
	if db.path != "" {
		// The first writer connection creates the file and sets WAL; check
		// that we can actually write there (a read-only folder fails here,
		// not on the first request).
		if _, err := db.w.ExecContext(pctx, "CREATE TABLE IF NOT EXISTS haven_probe (x INTEGER); DROP TABLE haven_probe"); err != nil {
			db.Close()
			return nil, fmt.Errorf("cannot write the database file %s: %v", db.path, oneLine(err))
		}
		wal, err := os.Open(db.path + "-wal")
		if err != nil {
			// Without the WAL file to fsync, let SQLite fsync each commit.
			if _, err := db.w.ExecContext(pctx, "PRAGMA synchronous=FULL"); err != nil {
				db.Close()
				return nil, err
			}
		} else {
			db.wal = wal
		}
	}
	if err := db.initMigrations(); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.prepareHot(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.d == postgresDialect {
		db.fillPool(pctx, o.MaxOpen)
	}
	db.signalQ = make(chan *pendingSignal, 4*maxBatch)
	db.stopping = make(chan struct{})
	db.stopped = make(chan struct{})
	if db.wal != nil || db.d == postgresDialect {
		db.syncQ = make(chan []*pendingSignal, 64)
		go db.syncer()
	}
	if db.d == postgresDialect {
		db.setupIntakePG(pctx)
	}
	go db.committer()
	if db.ckpt != nil {
		go db.checkpointer()
	}
	return db, nil
}

// oneLine puts a driver's multi-line error on one line without losing its
// cause: pgx names the user and database on the first line and each
// address it tried (host, port, "connection refused") on the next ones.
// Repeated lines are kept once, and a very long message (a migration's SQL)
// is cut.
func oneLine(err error) string {
	const max = 600
	var b strings.Builder
	seen := map[string]bool{}
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || seen[l] {
			continue
		}
		seen[l] = true
		if b.Len() > 0 {
			if strings.HasSuffix(b.String(), ":") {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(l)
	}
	s := b.String()
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + " …"
	}
	return s
}

func (db *DB) initMigrations() error {
	sub, err := fs.Sub(migrations, "migrations/"+db.d.String())
	if err != nil {
		return err
	}
	var opts []goose.ProviderOption
	gd := goose.DialectSQLite3
	if db.d == postgresDialect {
		gd = goose.DialectPostgres
		// Several nodes starting at once: one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, db.w, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %v", err)
	}
	db.migrate = p
	return nil
}

// personNamesVersion is the migration that creates person_names; the
// store fills in the aliases of the records on file after it runs.
const personNamesVersion = 21

// Dialect names the database in use: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.String() }

// Path is the SQLite file, or "" on PostgreSQL.
func (db *DB) Path() string { return db.path }

// Migrate applies pending migrations and returns how many ran.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	res, err := db.migrate.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrations: %v", oneLine(err))
	}
	for _, r := range res {
		if r.Source != nil && r.Source.Version == personNamesVersion && r.Direction == "up" {
			if err := db.fillPersonNames(ctx); err != nil {
				return len(res), fmt.Errorf("migrations: person names: %v", oneLine(err))
			}
		}
	}
	if len(res) > 0 || db.hot == nil {
		err = db.prepareHot(ctx)
	}
	return len(res), err
}

// Ready reports an error unless the database answers and every migration
// has been applied.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.r.PingContext(ctx); err != nil {
		return errs.Wrap(errs.Unavailable, "store.Ready", err)
	}
	pending, err := db.migrate.HasPending(ctx)
	if err != nil {
		return errs.Wrap(errs.Unavailable, "store.Ready", err)
	}
	if pending {
		return errs.E(errs.Unavailable, "store.Ready", "migrations pending")
	}
	return nil
}

// Version returns the applied and the latest known schema versions.
func (db *DB) Version(ctx context.Context) (current, target int64, err error) {
	return db.migrate.GetVersions(ctx)
}

// Stats returns connection-pool statistics of the writer and reader pools.
func (db *DB) Stats() (writer, reader sql.DBStats) { return db.w.Stats(), db.r.Stats() }

// Close closes the pools; on SQLite it checkpoints the WAL first so the
// file is complete on its own.
func (db *DB) Close() error {
	if db.stopping != nil {
		db.stopOnce.Do(func() { close(db.stopping) })
		<-db.stopped
	}
	db.hotMu.Lock()
	for _, st := range db.hot {
		st.Close()
	}
	db.hot = nil
	db.hotMu.Unlock()
	db.resetReadStmts()
	db.shapeStmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		db.shapeStmts.Delete(k)
		return true
	})
	var err error
	if db.path != "" && db.w != nil {
		_, _ = db.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if db.r != nil && db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	if db.ckpt != nil {
		err = errors.Join(err, db.ckpt.Close())
	}
	if db.wal != nil {
		err = errors.Join(err, db.wal.Close())
	}
	if db.w != nil {
		err = errors.Join(err, db.w.Close())
	}
	return err
}

// syncWAL makes every committed transaction durable: an fsync of the WAL
// file (SQLite). PostgreSQL commits are durable by themselves, but for the
// intake's, which the syncer makes durable (flushPG).
func (db *DB) syncWAL() error {
	if db.wal == nil {
		return nil
	}
	db.walSyncs.Add(1)
	return db.wal.Sync()
}

// DurableSyncs counts the syncs that made committed writes durable: fsyncs
// of the WAL on SQLite, the intake syncer's durable commits on PostgreSQL.
// Help signals are answered only after one.
func (db *DB) DurableSyncs() int64 { return db.walSyncs.Load() }

// tx runs fn in a write transaction, makes the commit durable and
// translates errors.
func (db *DB) tx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return translate(op, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return translate(op, err)
	}
	if err := tx.Commit(); err != nil {
		return translate(op, err)
	}
	if err := db.syncWAL(); err != nil {
		return translate(op, err)
	}
	db.wakeEvents() // cheap; the hub reads the log only once per wake-up
	return nil
}

// execDurable runs one write outside a transaction and makes it durable.
func (db *DB) execDurable(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := db.w.ExecContext(ctx, db.d.q(query), args...)
	if err != nil {
		return nil, err
	}
	return res, db.syncWAL()
}

// fillPool opens n connections of the pool at once, so that the first
// burst of requests after a start does not wait for the server to start a
// backend for each (several milliseconds each, and more on a busy
// machine). Errors are left to the first requests to meet.
func (db *DB) fillPool(ctx context.Context, n int) {
	conns := make([]*sql.Conn, 0, n)
	for range n {
		c, err := db.r.Conn(ctx)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		_ = c.Close()
	}
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// prepareHot prepares the statements that every help signal runs, once,
// on the SQLite writer connection (none on PostgreSQL). On a database
// whose migrations have not run yet it prepares nothing; Migrate calls it
// again.
func (db *DB) prepareHot(ctx context.Context) error {
	hot := map[string]*sql.Stmt{}
	queries := hotQueries
	if db.d == postgresDialect {
		queries = nil // its intake sends fixed statements that pgx prepares
	}
	for name, q := range queries {
		st, err := db.w.PrepareContext(ctx, db.d.q(q))
		if err != nil {
			for _, s := range hot {
				s.Close()
			}
			if pending, perr := db.migrate.HasPending(ctx); perr == nil && !pending {
				return fmt.Errorf("prepare %s: %v", name, oneLine(err))
			}
			return nil // not migrated yet: Migrate prepares them
		}
		hot[name] = st
	}
	db.hotMu.Lock()
	old := db.hot
	db.hot = hot
	db.hotMu.Unlock()
	for _, s := range old {
		s.Close()
	}
	return nil
}

// readStmt returns a statement for query prepared once on the reader pool
// (database/sql prepares it again on each connection that runs it). The
// frequent reads of every request (session, API key, duplicate checks)
// skip SQL parsing this way.
func (db *DB) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	q := db.d.q(query)
	if st, ok := db.readers.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.r.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.readers.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// resetReadStmts closes and forgets the prepared reads: at Close, and
// after the schema changed shape (they are prepared again at next use).
func (db *DB) resetReadStmts() {
	db.readers.Range(func(k, v any) bool {
		db.readers.Delete(k)
		v.(*sql.Stmt).Close()
		return true
	})
}

// readRow runs a prepared single-row read.
func (db *DB) readRow(ctx context.Context, query string, args ...any) rowScanner {
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

type errRow struct{ err error }

func (e errRow) Scan(...any) error { return e.err }

// hotExec runs a hot statement inside tx, prepared if possible.
func (db *DB) hotExec(ctx context.Context, tx *sql.Tx, name string, args ...any) (sql.Result, error) {
	db.hotMu.RLock()
	st := db.hot[name]
	db.hotMu.RUnlock()
	if st != nil {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, db.d.q(hotQueries[name]), args...)
}

// hotQuery is hotExec for queries.
func (db *DB) hotQuery(ctx context.Context, tx *sql.Tx, name string, args ...any) (*sql.Rows, error) {
	db.hotMu.RLock()
	st := db.hot[name]
	db.hotMu.RUnlock()
	if st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, db.d.q(hotQueries[name]), args...)
}

// exec runs a statement with rebinding.
func (db *DB) exec(ctx context.Context, x execer, query string, args ...any) (sql.Result, error) {
	return x.ExecContext(ctx, db.d.q(query), args...)
}

// mustAffect turns "no row changed" into NotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

// appendAudit writes one audit row inside a transaction. An entry without
// an action writes nothing (internal bookkeeping such as a lockout reset).
func (db *DB) appendAudit(ctx context.Context, x execer, e audit.Entry) error {
	if e.Action == "" {
		return nil
	}
	_, err := db.exec(ctx, x, `INSERT INTO audit_log (`+auditCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, db.auditArgs(e)...)
	return err
}

const auditCols = `id, at, actor_id, actor_name, action, record_type, record_id, ip, detail`

// auditArgs is an audit row (auditCols), its id and time filled in.
func (db *DB) auditArgs(e audit.Entry) []any {
	e = db.stamped(e)
	return []any{e.ID, db.d.t(e.At), e.ActorID, e.ActorName, e.Action, e.RecordType, e.RecordID, e.IP, e.Detail}
}

// stamped gives an audit entry its id and time when it has none.
func (db *DB) stamped(e audit.Entry) audit.Entry {
	if e.ID == "" {
		e.ID = id.New()
	}
	if e.At.IsZero() {
		e.At = db.now()
	}
	return e
}

// batchAudits are the audit entries of a group-commit batch, stamped; a
// signal without an action has none.
func (db *DB) batchAudits(batch []*pendingSignal) []audit.Entry {
	var out []audit.Entry
	for _, p := range batch {
		if p.sub.Audit.Action != "" {
			out = append(out, db.stamped(p.sub.Audit))
		}
	}
	return out
}

// Backup writes a consistent copy of the SQLite database to path while the
// server keeps running (VACUUM INTO), then checks the copy's integrity.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.path == "" {
		return errors.New("backup: on PostgreSQL use pg_dump, e.g. pg_dump --format=custom --file=haven.dump \"$HAVEN_DATABASE_URL\"")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	// The copy holds personal data (and every uploaded photo): it is
	// created empty, readable by this user only, before VACUUM INTO fills
	// it (SQLite writes into an existing empty file and keeps its mode),
	// so it is never readable by others, whatever the umask.
	f, err := os.OpenFile(abs, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("backup: %s exists; choose a new file name", path)
	} else if err != nil {
		return fmt.Errorf("backup: %v", err)
	}
	err = f.Chmod(0o600)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		_, err = db.w.ExecContext(ctx, "VACUUM INTO ?", abs)
	}
	if err != nil {
		os.Remove(abs)
		return fmt.Errorf("backup: %v", oneLine(err))
	}
	return VerifySQLite(ctx, abs)
}

// BackupMode is the file mode of a backup written by Backup.
const BackupMode os.FileMode = 0o600

// VerifySQLite opens a SQLite file read-only and runs an integrity check and
// a sanity query on Haven's tables.
func VerifySQLite(ctx context.Context, path string) error {
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer c.Close()
	var res string
	if err := c.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("verify %s: %v", path, oneLine(err))
	}
	if res != "ok" {
		return fmt.Errorf("verify %s: integrity check says %q", path, res)
	}
	var n int
	if err := c.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
		return fmt.Errorf("verify %s: not a Haven database (%v)", path, oneLine(err))
	}
	return nil
}

// Restore replaces the SQLite database in dir with a verified copy of the
// backup file. The server must be stopped. The previous database, if any,
// is kept beside it as haven.db.before-restore-<time>.
func Restore(ctx context.Context, backup, dir string, now time.Time) (kept string, err error) {
	if err := VerifySQLite(ctx, backup); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, SQLiteFile)
	tmp := dst + ".restoring"
	data, err := os.ReadFile(backup)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return "", err
	}
	if err := VerifySQLite(ctx, tmp); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if _, err := os.Stat(dst); err == nil {
		kept = dst + ".before-restore-" + now.UTC().Format("20060102T150405Z")
		if err := os.Rename(dst, kept); err != nil {
			os.Remove(tmp)
			return "", err
		}
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return kept, err
		}
	}
	return kept, os.Rename(tmp, dst)
}

// list runs a query and scans every row with scan. The query uses '?'
// placeholders; op names the operation for errors.
func list[T any](ctx context.Context, db *DB, q querier, op, query string, scan func(rowScanner) (T, error), args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, db.d.q(query), args...)
	return scanAll(op, rows, err, scan)
}

// readList is list over a statement prepared once on the reader pool
// (readStmt), for reads that run on every event or request.
func readList[T any](ctx context.Context, db *DB, op, query string, scan func(rowScanner) (T, error), args ...any) ([]T, error) {
	st, err := db.readStmt(ctx, query)
	if err != nil {
		return nil, translate(op, err)
	}
	rows, err := st.QueryContext(ctx, args...)
	return scanAll(op, rows, err, scan)
}

// scanAll scans every row of a query's result with scan.
func scanAll[T any](op string, rows *sql.Rows, err error, scan func(rowScanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, translate(op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, translate(op, err)
		}
		out = append(out, v)
	}
	return out, translate(op, rows.Err())
}

// filter builds the WHERE clause of a list query from optional conditions.
type filter struct {
	where []string
	args  []any
}

// add appends a condition with its arguments.
func (f *filter) add(cond string, args ...any) {
	f.where = append(f.where, cond)
	f.args = append(f.args, args...)
}

// in appends "col IN (?, …)" for the values.
func (f *filter) in(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	f.add(col+" IN (?"+strings.Repeat(", ?", len(vals)-1)+")", args...)
}

// sql returns " WHERE …" or "".
func (f *filter) sql() string {
	if len(f.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.where, " AND ")
}
