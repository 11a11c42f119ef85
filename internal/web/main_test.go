package web_test

import (
	"os"
	"testing"

	"github.com/havenrescue/haven/internal/auth"
)

// TestMain makes password hashing cheap: every harness seeds a dozen
// demo accounts, and the default argon2id cost (64 MiB, three passes)
// made hashing most of this package's time.
func TestMain(m *testing.M) {
	auth.LightHashesForTests()
	os.Exit(m.Run())
}
