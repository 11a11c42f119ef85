// Package files keeps uploaded files (photos) in the data folder, written
// durably (fsync) before the record that names them is committed.
package files

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// Dir stores files under a folder.
type Dir struct{ root string }

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9/_-]{0,120}\.(jpg|png)$`)

// Open returns a Dir rooted at root, creating it.
func Open(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("uploads folder: %v", errors.Unwrap(err))
	}
	return &Dir{root: root}, nil
}

func (d *Dir) path(name string) (string, error) {
	if !namePattern.MatchString(name) || filepath.Clean(name) != name {
		return "", fmt.Errorf("files: bad name %q", name)
	}
	return filepath.Join(d.root, filepath.FromSlash(name)), nil
}

// Put writes data under name atomically and durably.
func (d *Dir) Put(name string, data []byte) error {
	p, err := d.path(name)
	if err != nil {
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
func (d *Dir) Get(name string) ([]byte, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// Delete removes a file; a file already gone is not an error.
func (d *Dir) Delete(name string) error {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
