package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// The database keeps uploaded files: Put, Get, replace, Delete, and the
// limits on names and sizes, on both databases.
func TestFilesPutGetDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fs := db.Files()
		const name = "signals/202611/abc123.jpg"
		if _, err := fs.Get(ctx, name); !errs.Is(errs.NotFound, err) {
			t.Fatalf("missing file: %v", err)
		}
		data := append([]byte{0xff, 0xd8, 0xff, 0x00}, bytes.Repeat([]byte{1, 2, 3, 0}, 1000)...) // NULs survive
		if err := fs.Put(ctx, name, data); err != nil {
			t.Fatal(err)
		}
		got, err := fs.Get(ctx, name)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("get: %d bytes, %v", len(got), err)
		}
		// A second store on the same database (another node) sees it.
		if got, err := db.Files().Get(ctx, name); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("second handle: %v", err)
		}
		// Put replaces.
		if err := fs.Put(ctx, name, []byte("second")); err != nil {
			t.Fatal(err)
		}
		if got, _ := fs.Get(ctx, name); string(got) != "second" {
			t.Fatalf("after replace: %q", got)
		}
		if err := fs.Delete(ctx, name); err != nil {
			t.Fatal(err)
		}
		if _, err := fs.Get(ctx, name); !errs.Is(errs.NotFound, err) {
			t.Fatalf("after delete: %v", err)
		}
		if err := fs.Delete(ctx, name); err != nil {
			t.Fatalf("deleting a missing file: %v", err)
		}
		// The limits.
		if err := fs.Put(ctx, "big/x.jpg", make([]byte, files.MaxSize+1)); !errs.Is(errs.Invalid, err) {
			t.Fatalf("oversized file: %v", err)
		}
		if err := fs.Put(ctx, "big/x.jpg", make([]byte, files.MaxSize)); err != nil {
			t.Fatalf("file of the largest size: %v", err)
		}
		if err := fs.Put(ctx, "empty/x.jpg", nil); !errs.Is(errs.Invalid, err) {
			t.Fatalf("empty file: %v", err)
		}
		for _, bad := range []string{"", "../x.jpg", "a/../x.jpg", "/x.jpg", "a//x.jpg", "X.jpg", "a/x.exe", "a/x.jpg/"} {
			if err := fs.Put(ctx, bad, []byte("x")); !errs.Is(errs.Invalid, err) {
				t.Errorf("name %q: %v", bad, err)
			}
			if _, err := fs.Get(ctx, bad); !errs.Is(errs.Invalid, err) {
				t.Errorf("get %q: %v", bad, err)
			}
		}
	})
}

// A backup is readable by its owner only and carries the uploaded files.
func TestBackupSQLiteKeepsFilesAndIsPrivate(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	const name = "people/202611/p1.jpg"
	if err := db.Files().Put(ctx, name, []byte("photo bytes")); err != nil {
		t.Fatal(err)
	}
	old := umask(0) // the most permissive umask: the mode must not depend on it
	defer umask(old)
	out := filepath.Join(t.TempDir(), "b.db")
	if err := db.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %04o, want 0600", st.Mode().Perm())
	}
	if leftovers, _ := filepath.Glob(out + "-*"); len(leftovers) != 0 {
		t.Fatalf("backup left files beside it: %v", leftovers)
	}
	dir := t.TempDir()
	if _, err := store.Restore(ctx, out, dir, t0); err != nil {
		t.Fatal(err)
	}
	restored, err := store.Open(ctx, store.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if got, err := restored.Files().Get(ctx, name); err != nil || string(got) != "photo bytes" {
		t.Fatalf("file in restored backup: %q %v", got, err)
	}
}
