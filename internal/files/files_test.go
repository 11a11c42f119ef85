package files

import "testing"

func TestDelete(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Put("people/202603/a.jpg", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete("people/202603/a.jpg"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get("people/202603/a.jpg"); err == nil {
		t.Error("file still there after Delete")
	}
	if err := d.Delete("people/202603/a.jpg"); err != nil {
		t.Errorf("deleting a file already gone: %v", err)
	}
	if err := d.Delete("../keys/field.keys"); err == nil {
		t.Error("Delete outside the folder accepted")
	}
}
