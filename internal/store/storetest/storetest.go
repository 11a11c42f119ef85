// Package storetest opens real databases for tests: SQLite always, and
// PostgreSQL when HAVEN_TEST_POSTGRES_URL is set, each test in its own
// schema so that runs never collide.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/store"
)

// PostgresEnv names the variable that enables the PostgreSQL suite.
const PostgresEnv = "HAVEN_TEST_POSTGRES_URL"

// Each runs fn as a subtest once per available database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	if os.Getenv(PostgresEnv) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
	}
}

// OpenSQLite returns a migrated SQLite database in a temporary folder.
// The migrations run once per test binary; each test gets a copy of the
// migrated file (Migrate then finds nothing to do).
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	dir := t.TempDir()
	migrated.once.Do(func() {
		tmp, err := os.MkdirTemp("", "haven-migrated-")
		if err != nil {
			migrated.err = err
			return
		}
		defer os.RemoveAll(tmp)
		db, err := store.Open(context.Background(), store.Options{Dir: tmp})
		if err != nil {
			migrated.err = err
			return
		}
		if _, err := db.Migrate(context.Background()); err != nil {
			db.Close()
			migrated.err = err
			return
		}
		if err := db.Close(); err != nil { // checkpoints the WAL into the file
			migrated.err = err
			return
		}
		migrated.file, migrated.err = os.ReadFile(filepath.Join(tmp, store.SQLiteFile))
	})
	if migrated.err != nil {
		t.Fatal(migrated.err)
	}
	if err := os.WriteFile(filepath.Join(dir, store.SQLiteFile), migrated.file, 0o600); err != nil {
		t.Fatal(err)
	}
	return open(t, store.Options{Dir: dir, CountStatements: true})
}

// migrated is a freshly migrated SQLite file, made once.
var migrated struct {
	once sync.Once
	file []byte
	err  error
}

// OpenPostgres returns a migrated PostgreSQL database in a fresh schema,
// dropped when the test ends.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	u, _ := PostgresSchema(t)
	return open(t, store.Options{URL: u, MaxOpen: 4, CountStatements: true})
}

// PostgresSchema creates an empty schema and returns a URL whose
// search_path selects it. It skips the test when PostgreSQL is not
// configured.
func PostgresSchema(t testing.TB) (dsn, schema string) {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip(PostgresEnv + " is not set")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema = "haven_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema on %s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema
}

func open(t testing.TB, o store.Options) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}
