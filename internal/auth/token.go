package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// NewToken returns n random bytes, base64url encoded.
func NewToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("auth: random source failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the hex SHA-256 of a high-entropy token. Session tokens
// and API keys are stored only as this hash; a slow hash is not needed
// because the tokens are random, not chosen by people.
func HashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// API keys look like "hvn_<8-char prefix>_<secret>". The prefix is stored in
// clear to find the key and to show which key is which.
const apiKeyTag = "hvn_"

func newAPIKey() (full, prefix string) {
	prefix = strings.ToLower(NewToken(6))[:8]
	prefix = strings.NewReplacer("-", "x", "_", "y").Replace(prefix)
	return apiKeyTag + prefix + "_" + NewToken(32), prefix
}

// validKeyText reports whether a presented key could be a key at all:
// 16 to 200 visible ASCII characters. Keys are found by their hash, so
// their shape matters only to refuse junk early.
func validKeyText(key string) bool {
	if len(key) < 16 || len(key) > 200 {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return false
		}
	}
	return true
}
