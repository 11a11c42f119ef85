package secret

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSealOpenRotate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "field.keys")
	now := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	k, err := LoadOrCreate(path, now)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi.Mode(), err)
	}
	c1, err := k.Seal("users.phone", "13812345678")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c1, "13812345678") {
		t.Fatal("ciphertext contains plaintext")
	}
	if got, err := k.Open("users.phone", c1); err != nil || got != "13812345678" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := k.Open("people.id_number", c1); !errors.Is(err, ErrCiphertext) {
		t.Fatalf("open under another context: %v, want ErrCiphertext", err)
	}
	tampered := c1[:len(c1)-2] + "AA"
	if _, err := k.Open("users.phone", tampered); !errors.Is(err, ErrCiphertext) {
		t.Fatalf("tampered: %v", err)
	}

	newID, err := k.Rotate(now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if k.Active() != newID || len(k.KeyIDs()) != 2 {
		t.Fatalf("after rotate: active %s, keys %v", k.Active(), k.KeyIDs())
	}
	// A fresh load from the file sees both keys and opens the old value.
	k2, err := LoadOrCreate(path, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k2.Open("users.phone", c1); err != nil || got != "13812345678" {
		t.Fatalf("old value after rotation: %q %v", got, err)
	}
	c2, changed, err := k2.Reseal("users.phone", c1)
	if err != nil || !changed {
		t.Fatalf("Reseal: %v %v", changed, err)
	}
	if id, _ := KeyOf(c2); id != newID {
		t.Fatalf("resealed with %s, want %s", id, newID)
	}
	if _, changed, _ := k2.Reseal("users.phone", c2); changed {
		t.Fatal("resealing a current value changed it")
	}
}

func TestParseKeyringErrors(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"empty", "# nothing\n", "no key"},
		{"fields", "k1\n", "want"},
		{"short key", "k1 AAAA\n", "32 random bytes"},
		{"bad id", "K_1 " + strings.Repeat("A", 43) + "=\n", "key id"},
		{"dup", "k1 " + strings.Repeat("A", 43) + "=\nk1 " + strings.Repeat("B", 43) + "=\n", "twice"},
	} {
		_, err := ParseKeyring([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want containing %q", tc.name, err, tc.want)
		}
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{
		"410702199001011234": "**************1234",
		"4107**********1234": "**************1234", // a value masked the old way
		"410702900101123":    "***********1123",    // the 15-digit form
		"13812345678":        "138****5678",
		"5089797":            "50***97",
		"123":                "***",
		"":                   "",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzOpen(f *testing.F) {
	k, err := ParseKeyring([]byte("k1 " + strings.Repeat("A", 43) + "=\n"))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := k.Seal("c", "hello")
	f.Add(good)
	f.Add("hv1.k1.")
	f.Add("hv1..x")
	f.Fuzz(func(t *testing.T, v string) {
		pt, err := k.Open("c", v)
		if err == nil && v != "" && v != good && pt == "hello" {
			// Only a genuine ciphertext may open.
			if _, err := KeyOf(v); err != nil {
				t.Fatalf("opened a value with no key id: %q", v)
			}
		}
	})
}

func FuzzParseKeyring(f *testing.F) {
	f.Add([]byte("k1 " + strings.Repeat("A", 43) + "=\n"))
	f.Add([]byte("# c\n\nk2 xyz\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKeyring(data)
		if err != nil {
			return
		}
		c, err := k.Seal("x", "v")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := k.Open("x", c); err != nil || got != "v" {
			t.Fatalf("round trip failed: %q %v", got, err)
		}
	})
}

func TestReveal(t *testing.T) {
	k, err := LoadOrCreate(filepath.Join(t.TempDir(), "keys"), time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := k.Seal("persons.id_number", "410702198001010015")
	if got, err := k.Reveal("persons.id_number", c, true); err != nil || got != "410702198001010015" {
		t.Fatalf("full: %q %v", got, err)
	}
	if got, err := k.Reveal("persons.id_number", c, false); err != nil || got != "**************0015" {
		t.Fatalf("masked: %q %v", got, err)
	}
	if got, err := k.Reveal("persons.id_number", "", false); err != nil || got != "" {
		t.Fatalf("nothing sealed: %q %v", got, err)
	}
	if _, err := k.Reveal("users.phone", c, false); err == nil {
		t.Fatal("opened under another context")
	}
}
