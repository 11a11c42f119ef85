// Package secret encrypts personal identifiers (ID numbers, phone numbers)
// at rest with AES-256-GCM under a rotating keyring, and masks them for
// display.
package secret

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

const prefix = "hv1."

var keyIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// ErrCiphertext is returned for a value that is not a Haven ciphertext, was
// sealed for another context, or was tampered with.
var ErrCiphertext = errors.New("secret: not a valid ciphertext")

// ErrUnknownKey is returned when a value was sealed with a key that is no
// longer in the keyring.
var ErrUnknownKey = errors.New("secret: sealed with a key not in the keyring")

// Keyring holds every key that may have sealed a stored value; the last one
// is active and seals new values.
type Keyring struct {
	mu    sync.RWMutex
	keys  map[string]cipher.AEAD
	order []string
	path  string
}

// Active returns the id of the key that seals new values.
func (k *Keyring) Active() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.order[len(k.order)-1]
}

// KeyIDs returns every key id, oldest first.
func (k *Keyring) KeyIDs() []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return append([]string(nil), k.order...)
}

// ParseKeyring reads a key file: one key a line, "<id> <base64 of 32 bytes>",
// '#' comments and blank lines ignored, the last key active.
func ParseKeyring(data []byte) (*Keyring, error) {
	k := &Keyring{keys: map[string]cipher.AEAD{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("key file line %d: want \"<id> <base64 key>\"", n)
		}
		if !keyIDPattern.MatchString(f[0]) {
			return nil, fmt.Errorf("key file line %d: key id %q: use lower-case letters, digits and '-'", n, f[0])
		}
		if _, dup := k.keys[f[0]]; dup {
			return nil, fmt.Errorf("key file line %d: key id %q appears twice", n, f[0])
		}
		raw, err := base64.StdEncoding.DecodeString(f[1])
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("key file line %d: want the base64 of exactly 32 random bytes", n)
		}
		aead, err := newAEAD(raw)
		if err != nil {
			return nil, err
		}
		k.keys[f[0]] = aead
		k.order = append(k.order, f[0])
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("key file: %v", err)
	}
	if len(k.order) == 0 {
		return nil, errors.New("key file holds no key")
	}
	return k, nil
}

func newAEAD(raw []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// LoadOrCreate reads the key file at path, creating it with one fresh key
// (mode 0600, folder 0700) when it does not exist.
func LoadOrCreate(path string, now time.Time) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("cannot create key folder: %v", err)
		}
		line, err := newKeyLine(now)
		if err != nil {
			return nil, err
		}
		data = []byte("# Haven field-encryption keys. Keep a copy with your backups; the last key is active.\n" + line)
		if err := writeFileAtomic(path, data); err != nil {
			return nil, fmt.Errorf("cannot write key file %s: %v", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("cannot read key file %s: %v", path, err)
	}
	k, err := ParseKeyring(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	k.path = path
	return k, nil
}

func newKeyLine(now time.Time) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	suffix := make([]byte, 2)
	if _, err := rand.Read(suffix); err != nil {
		return "", err
	}
	id := fmt.Sprintf("k%s-%x", now.UTC().Format("20060102-150405"), suffix)
	return id + " " + base64.StdEncoding.EncodeToString(raw) + "\n", nil
}

// Rotate appends a new active key to the key file and keyring. Values sealed
// with older keys still open; re-seal them with Reseal.
func (k *Keyring) Rotate(now time.Time) (string, error) {
	if k.path == "" {
		return "", errors.New("secret: keyring was not loaded from a file")
	}
	line, err := newKeyLine(now)
	if err != nil {
		return "", err
	}
	id := strings.Fields(line)[0]
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, dup := k.keys[id]; dup {
		return "", fmt.Errorf("secret: key %s exists; retry", id)
	}
	old, err := os.ReadFile(k.path)
	if err != nil {
		return "", err
	}
	if len(old) > 0 && old[len(old)-1] != '\n' {
		old = append(old, '\n')
	}
	if err := writeFileAtomic(k.path, append(old, line...)); err != nil {
		return "", err
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.Fields(line)[1])
	aead, err := newAEAD(raw)
	if err != nil {
		return "", err
	}
	k.keys[id] = aead
	k.order = append(k.order, id)
	return id, nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Seal encrypts plaintext for the given context (for example "users.phone"),
// which binds the ciphertext to its column. The empty string seals to "".
func (k *Keyring) Seal(context, plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	k.mu.RLock()
	id := k.order[len(k.order)-1]
	aead := k.keys[id]
	k.mu.RUnlock()
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return prefix + id + "." + base64.RawURLEncoding.EncodeToString(out), nil
}

// KeyOf returns the id of the key that sealed value.
func KeyOf(value string) (string, error) {
	rest, ok := strings.CutPrefix(value, prefix)
	if !ok {
		return "", ErrCiphertext
	}
	id, _, ok := strings.Cut(rest, ".")
	if !ok || !keyIDPattern.MatchString(id) {
		return "", ErrCiphertext
	}
	return id, nil
}

// Open decrypts a value sealed by Seal for the same context.
func (k *Keyring) Open(context, value string) (string, error) {
	if value == "" {
		return "", nil
	}
	id, err := KeyOf(value)
	if err != nil {
		return "", err
	}
	k.mu.RLock()
	aead, ok := k.keys[id]
	k.mu.RUnlock()
	if !ok {
		return "", ErrUnknownKey
	}
	raw, err := base64.RawURLEncoding.DecodeString(value[len(prefix)+len(id)+1:])
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return "", ErrCiphertext
	}
	pt, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(context))
	if err != nil {
		return "", ErrCiphertext
	}
	return string(pt), nil
}

// Reseal re-encrypts value under the active key if another key sealed it.
// It reports whether the value changed.
func (k *Keyring) Reseal(context, value string) (string, bool, error) {
	if value == "" {
		return value, false, nil
	}
	id, err := KeyOf(value)
	if err != nil {
		return "", false, err
	}
	if id == k.Active() {
		return value, false, nil
	}
	pt, err := k.Open(context, value)
	if err != nil {
		return "", false, err
	}
	out, err := k.Seal(context, pt)
	return out, err == nil, err
}

// Reveal opens a sealed identifier for display: in full for a reader
// allowed to see it (full), masked for others; "" stays "".
func (k *Keyring) Reveal(context, sealed string, full bool) (string, error) {
	plain, err := k.Open(context, sealed)
	if err != nil || full {
		return plain, err
	}
	return Mask(plain), nil
}

// Mask hides an identifier for display. Of an ID number only the last
// four characters stay visible (**************1234): its leading digits
// are the region and the birth date, which a reader could otherwise fill
// in from what else a page shows, so none of them is shown. A phone
// number keeps its first three and last four (138****5678). Short values
// are masked whole. Masking a masked value changes nothing.
func Mask(s string) string {
	n := utf8.RuneCountInString(s)
	r := []rune(s)
	switch {
	case n >= 15:
		return strings.Repeat("*", n-4) + string(r[n-4:])
	case n >= 11:
		return string(r[:3]) + strings.Repeat("*", n-7) + string(r[n-4:])
	case n >= 7:
		return string(r[:2]) + strings.Repeat("*", n-4) + string(r[n-2:])
	default:
		return strings.Repeat("*", n)
	}
}
