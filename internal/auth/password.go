package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106's second recommended option, memory-light
// enough for a small server): 64 MiB, 3 passes, 2 lanes.
type argonParams struct {
	memory  uint32
	time    uint32
	threads uint8
}

var defaultArgon = argonParams{memory: 64 * 1024, time: 3, threads: 2}

// errHashFormat is returned for a stored hash Haven cannot read.
var errHashFormat = errors.New("auth: malformed password hash")

// LightHashesForTests makes the hashes of new passwords cheap (8 MiB, one
// pass) instead of the default's 64 MiB and three passes. It is for test
// binaries only, which make hundreds of accounts; call it from TestMain
// before any test runs. A hash records its own parameters, so every hash
// still verifies as it was made.
func LightHashesForTests() { defaultArgon = argonParams{memory: 8 * 1024, time: 1, threads: 1} }

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	return hashWith(password, defaultArgon)
}

func hashWith(password string, p argonParams) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// parseHash reads a PHC argon2id string.
func parseHash(s string) (p argonParams, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" {
		return p, nil, nil, errHashFormat
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, nil, nil, errHashFormat
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, errHashFormat
		}
		switch k {
		case "m":
			p.memory = uint32(n)
		case "t":
			p.time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, errHashFormat
			}
			p.threads = uint8(n)
		default:
			return p, nil, nil, errHashFormat
		}
	}
	// Bounds keep a corrupt row from making one login take minutes or GiBs.
	if p.memory < 8 || p.memory > 256*1024 || p.time < 1 || p.time > 10 || p.threads < 1 || p.threads > 16 {
		return p, nil, nil, errHashFormat
	}
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, errHashFormat
	}
	if key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errHashFormat
	}
	return p, salt, key, nil
}

// CheckPassword reports whether password matches the stored hash.
func CheckPassword(hash, password string) (bool, error) {
	p, salt, key, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// dummyHash is checked when a username does not exist, so that a failed
// login takes as long whether or not the account exists.
var dummyHash, _ = HashPassword("haven-no-such-user")

// PasswordProblem returns the translation key of what is wrong with a new
// password, or "".
func PasswordProblem(pw, username string) string {
	switch {
	case len([]rune(pw)) < 10:
		return "err.password_short"
	case len(pw) > 256:
		return "err.password_long"
	case strings.EqualFold(pw, username):
		return "err.password_is_username"
	}
	return ""
}
