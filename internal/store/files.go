package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"

	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
)

// Files keeps uploaded files (photos) in the database's files table, so
// that every node serves them and backups include them. It implements
// files.Store.
type Files struct{ db *DB }

var _ files.Store = (*Files)(nil)

// Files returns the database's file store.
func (db *DB) Files() *Files { return &Files{db: db} }

// Put stores data under name, replacing a file of that name. It returns
// once the write is committed and durable, so that the record naming the
// file can be committed after it.
func (f *Files) Put(ctx context.Context, name string, data []byte) error {
	const op = "store.PutFile"
	if err := files.CheckName(name); err != nil {
		return err
	}
	if err := files.CheckSize(data); err != nil {
		return err
	}
	return f.db.tx(ctx, op, func(tx *sql.Tx) error {
		return f.db.putFile(ctx, tx, name, data)
	})
}

// putFile writes a file inside a transaction (for store methods that file
// it with the record naming it).
func (db *DB) putFile(ctx context.Context, x execer, name string, data []byte) error {
	sum := sha256.Sum256(data)
	_, err := db.exec(ctx, x, `INSERT INTO files (name, content_type, size, sha256, created_at, data) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET content_type = excluded.content_type, size = excluded.size, sha256 = excluded.sha256,
		created_at = excluded.created_at, data = excluded.data`,
		name, files.ContentType(name), len(data), hex.EncodeToString(sum[:]), db.d.t(db.now()), data)
	return err
}

// Get returns a file, checking it against its stored SHA-256.
func (f *Files) Get(ctx context.Context, name string) ([]byte, error) {
	const op = "store.File"
	if err := files.CheckName(name); err != nil {
		return nil, err
	}
	var (
		data []byte
		size int64
		sum  string
	)
	err := f.db.r.QueryRowContext(ctx, f.db.d.q(`SELECT data, size, sha256 FROM files WHERE name = ?`), name).Scan(&data, &size, &sum)
	if err != nil {
		return nil, translate(op, err)
	}
	got := sha256.Sum256(data)
	if int64(len(data)) != size || hex.EncodeToString(got[:]) != sum {
		return nil, errs.Wrap(errs.Internal, op, fmt.Errorf("file %s does not match its checksum", name))
	}
	return data, nil
}

// Delete erases a file; a missing file is not an error.
func (f *Files) Delete(ctx context.Context, name string) error {
	const op = "store.DeleteFile"
	if err := files.CheckName(name); err != nil {
		return err
	}
	return f.db.tx(ctx, op, func(tx *sql.Tx) error {
		_, err := f.db.exec(ctx, tx, `DELETE FROM files WHERE name = ?`, name)
		return err
	})
}
