package files_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
)

func write(t *testing.T, root, name string, data []byte) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// An old installation's uploads folder is copied into the store once: the
// files come across, a file the store already has is not overwritten, an
// interrupted write is ignored, and the folder is kept under a new name so
// the next start has nothing to do.
func TestMigrateFolder(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "uploads")
	write(t, root, "signals/202611/a1.jpg", []byte("signal photo"))
	write(t, root, "people/202611/p1.jpg", []byte("old bytes"))
	write(t, root, "reports/202611/r1.jpg.tmp", []byte("half written"))
	dst, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := dst.Put(ctx, "people/202611/p1.jpg", []byte("newer bytes")); err != nil {
		t.Fatal(err)
	}
	m, err := files.MigrateFolder(ctx, root, dst)
	if err != nil || m.Copied != 1 || m.Present != 1 || len(m.Skipped) != 0 || m.Renamed != root+".migrated" {
		t.Fatalf("migrate: %+v %v", m, err)
	}
	if b, _ := dst.Get(ctx, "signals/202611/a1.jpg"); string(b) != "signal photo" {
		t.Fatalf("copied file: %q", b)
	}
	if b, _ := dst.Get(ctx, "people/202611/p1.jpg"); string(b) != "newer bytes" {
		t.Fatalf("a file already in the store was overwritten: %q", b)
	}
	if _, err := dst.Get(ctx, "reports/202611/r1.jpg"); !errs.Is(errs.NotFound, err) {
		t.Fatalf("half-written file copied: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root+".migrated", "signals", "202611", "a1.jpg")); err != nil {
		t.Fatalf("the old folder was not kept: %v", err)
	}
	// Again: nothing to do.
	if m, err := files.MigrateFolder(ctx, root, dst); err != nil || m.Copied != 0 || m.Renamed != "" {
		t.Fatalf("second run: %+v %v", m, err)
	}
}

// A folder with a file Haven did not write is copied as far as possible
// and left in place, so nothing is lost; a re-run after fixing it finishes.
func TestMigrateFolderLeavesUnknownFiles(t *testing.T) {
	ctx := context.Background()
	root := filepath.Join(t.TempDir(), "uploads")
	write(t, root, "signals/202611/a1.jpg", []byte("signal photo"))
	write(t, root, "notes.txt", []byte("operator's note"))
	dst, _ := files.Open(t.TempDir())
	m, err := files.MigrateFolder(ctx, root, dst)
	if err != nil || m.Copied != 1 || len(m.Skipped) != 1 || m.Renamed != "" {
		t.Fatalf("migrate: %+v %v", m, err)
	}
	if _, err := os.Stat(root); err != nil {
		t.Fatal("folder with a skipped file was moved")
	}
	os.Remove(filepath.Join(root, "notes.txt"))
	if m, err := files.MigrateFolder(ctx, root, dst); err != nil || m.Copied != 0 || m.Present != 1 || m.Renamed == "" {
		t.Fatalf("re-run: %+v %v", m, err)
	}
}

func TestDirPutGetDelete(t *testing.T) {
	ctx := context.Background()
	d, _ := files.Open(t.TempDir())
	if err := d.Put(ctx, "a/b.jpg", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if b, err := d.Get(ctx, "a/b.jpg"); err != nil || !bytes.Equal(b, []byte("x")) {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, "a/b.jpg"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get(ctx, "a/b.jpg"); !errs.Is(errs.NotFound, err) {
		t.Fatalf("after delete: %v", err)
	}
	if err := d.Put(ctx, "a/c.jpg", make([]byte, files.MaxSize+1)); !errs.Is(errs.Invalid, err) {
		t.Fatalf("oversized: %v", err)
	}
}

// Any name CheckName accepts stays inside the folder it is joined to.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"signals/202611/a.jpg", "../a.jpg", "a/../../b.jpg", "/etc/passwd.jpg", "a//b.png", "a/./b.jpg", "a\\b.jpg", ""} {
		f.Add(s)
	}
	root := filepath.FromSlash("/srv/haven/uploads")
	f.Fuzz(func(t *testing.T, name string) {
		if files.CheckName(name) != nil {
			return
		}
		p := filepath.Join(root, filepath.FromSlash(name))
		if !strings.HasPrefix(p, root+string(filepath.Separator)) || strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
			t.Fatalf("accepted %q -> %s", name, p)
		}
		if files.ContentType(name) != "image/jpeg" && files.ContentType(name) != "image/png" {
			t.Fatalf("content type of %q", name)
		}
	})
}
