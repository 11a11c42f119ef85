// Package files keeps uploaded files (photos). Domains see only Store. The
// default Store is the database (store.Files): every node of a
// several-node installation sees every file, and backups include them.
// Dir keeps files in a folder on one node's disk; it remains for reading
// the uploads folder of older installations (MigrateFolder) and for tests.
//
// A Put returns only once the file is durable, so a record naming it can
// be committed right after.
package files

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/havenrescue/haven/internal/errs"
)

// Store keeps files by name.
type Store interface {
	// Put stores data under name, replacing a file of that name, durably.
	Put(ctx context.Context, name string, data []byte) error
	// Get returns a file; errs.NotFound when there is none.
	Get(ctx context.Context, name string) ([]byte, error)
	// Delete erases a file; deleting a missing file is not an error.
	Delete(ctx context.Context, name string) error
}

// MaxSize is the largest file any Store keeps. Photos are cleaned to at
// most 2048 px JPEG (internal/photo), well under it.
const MaxSize = 8 << 20

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9/_-]{0,120}\.(jpg|png)$`)

// CheckName rejects names that are not a file Haven writes: lower-case
// folders and a .jpg or .png file, no "..", no empty or absolute parts.
func CheckName(name string) error {
	if !namePattern.MatchString(name) || path.Clean(name) != name || strings.Contains(name, "//") {
		return errs.Wrap(errs.Invalid, "files", fmt.Errorf("bad file name %q", name))
	}
	return nil
}

// CheckSize rejects empty and oversized files.
func CheckSize(data []byte) error {
	if len(data) == 0 {
		return errs.Wrap(errs.Invalid, "files", errors.New("empty file"))
	}
	if len(data) > MaxSize {
		return errs.Wrap(errs.Invalid, "files", fmt.Errorf("file of %d bytes is larger than %d", len(data), MaxSize))
	}
	return nil
}

// ContentType is the media type of a file Haven keeps, by its name.
func ContentType(name string) string {
	if strings.HasSuffix(name, ".png") {
		return "image/png"
	}
	return "image/jpeg"
}

// Dir stores files under a folder of one node's disk.
type Dir struct{ root string }

// Open returns a Dir rooted at root, creating it.
func Open(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("uploads folder: %v", errors.Unwrap(err))
	}
	return &Dir{root: root}, nil
}

func (d *Dir) path(name string) (string, error) {
	if err := CheckName(name); err != nil {
		return "", err
	}
	return filepath.Join(d.root, filepath.FromSlash(name)), nil
}

// Put writes data under name atomically and durably.
func (d *Dir) Put(_ context.Context, name string, data []byte) error {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	if err := CheckSize(data); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp := p + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// Get reads a file.
func (d *Dir) Get(_ context.Context, name string) ([]byte, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errs.E(errs.NotFound, "files.Get", "err.not_found")
	}
	return b, err
}

// Delete removes a file.
func (d *Dir) Delete(_ context.Context, name string) error {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Migrated is what MigrateFolder did.
type Migrated struct {
	Copied  int      // files written to the store
	Present int      // files the store already had
	Skipped []string // files left behind: not a name Haven writes, or too large
	Renamed string   // the folder's new name, once everything was copied
}

// MigrateFolder copies the files of an old uploads folder (root) into dst,
// for installations that kept photos on disk. It is idempotent: a file
// the store already has is left as it is, and a run interrupted half-way
// is finished by the next. When every file is in the store the folder is
// renamed root+".migrated" (kept, not deleted), so later starts skip it.
// A missing folder is not an error.
func MigrateFolder(ctx context.Context, root string, dst Store) (Migrated, error) {
	m, err := CopyFolder(ctx, root, dst)
	if err != nil || len(m.Skipped) > 0 {
		return m, err
	}
	if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	to := root + ".migrated"
	if _, err := os.Stat(to); err == nil {
		return m, nil // an earlier migrated folder is in the way; leave both
	}
	if err := os.Rename(root, to); err != nil {
		return m, err
	}
	m.Renamed = to
	return m, nil
}

// CopyFolder copies the files of a folder into dst, leaving alone the
// files dst already has, and leaves the folder as it is. A missing folder
// is not an error.
func CopyFolder(ctx context.Context, root string, dst Store) (Migrated, error) {
	var m Migrated
	if st, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		return m, nil
	} else if err != nil {
		return m, err
	} else if !st.IsDir() {
		return m, fmt.Errorf("uploads folder %s is not a folder", root)
	}
	err := filepath.WalkDir(root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if de.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if strings.HasSuffix(name, ".tmp") { // an interrupted Dir.Put: no record names it
			return nil
		}
		if !de.Type().IsRegular() || CheckName(name) != nil {
			m.Skipped = append(m.Skipped, name)
			return nil
		}
		if _, err := dst.Get(ctx, name); err == nil {
			m.Present++
			return nil
		} else if !errs.Is(errs.NotFound, err) {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if CheckSize(data) != nil {
			m.Skipped = append(m.Skipped, name)
			return nil
		}
		if err := dst.Put(ctx, name, data); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		m.Copied++
		return nil
	})
	return m, err
}
