package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
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

// ParseAPIKey returns the prefix of a presented key, or false if the key is
// not shaped like a Haven API key.
func ParseAPIKey(key string) (prefix string, ok bool) {
	rest, ok := strings.CutPrefix(key, apiKeyTag)
	if !ok || len(rest) < 10 || len(rest) > 80 || rest[8] != '_' {
		return "", false
	}
	for _, c := range rest {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return "", false
		}
	}
	return rest[:8], true
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
