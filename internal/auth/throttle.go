package auth

import (
	"fmt"
	"time"
)

// Failed sign-ins slow further attempts instead of locking the account, so
// that nobody can hold an account shut by guessing its password. Failures
// are counted under three keys, kept in the database so that every node
// sees them:
//
//   - the account from one address: after a few free failures each further
//     failure doubles the wait before the next attempt (1 s, 2 s, 4 s …)
//     up to LoginBackoffMax;
//   - the address alone, whatever the account, with four times as many free
//     failures and the same back-off: one address trying many names;
//   - the account alone, whatever the address, with ten times as many free
//     failures and a back-off capped at LoginAccountBackoffMax (short): a
//     guesser spread over many addresses. This is the only limit that an
//     attempt from an address without failures meets, so an outsider can
//     keep the owner out for at most that long at a time. One address adds
//     at most its free failures to this counter, so it takes many
//     addresses to start this back-off at all, and it spares the addresses
//     the account signed in from in the last KnownAddressFor: the owner at
//     a usual place is not kept out at all.
//
// While a key is in back-off its attempts are refused without looking at
// the password, and refused attempts are not counted, so they never extend
// the wait. "Account" is the normalised username as typed, whether or not
// it names a user: unknown names are throttled exactly like real ones.

// Throttle scopes.
const (
	ScopeAccountAddress = "account_address"
	ScopeAddress        = "address"
	ScopeAccount        = "account"
)

// Throttle defaults, used where the Service's fields are zero.
const (
	DefaultLoginFreeFailures      = 5
	DefaultLoginBackoffMax        = 15 * time.Minute
	DefaultLoginAccountBackoffMax = time.Minute
	// ThrottleForget is how long a counter must stay quiet to start again
	// from zero; rows quiet for longer may be deleted.
	ThrottleForget = 24 * time.Hour
	// KnownAddressFor is how long an address the account signed in from
	// stays exempt from the account-wide back-off.
	KnownAddressFor = 30 * 24 * time.Hour
)

// ThrottleKey names one counter of failed sign-ins.
type ThrottleKey struct {
	Scope   string
	Account string // "" for ScopeAddress
	Address string // "" for ScopeAccount
}

func (k ThrottleKey) String() string { return k.Scope }

// ThrottleState is a counter after a failure was recorded.
type ThrottleState struct {
	Key          ThrottleKey
	Failures     int
	BlockedUntil time.Time // zero when this failure started no back-off
}

// LoginFailure is one failed sign-in to record.
type LoginFailure struct {
	UserID  string // "" for an unknown username
	Keys    []ThrottleKey
	At      time.Time
	Forget  time.Duration                        // a counter quiet this long starts again
	Backoff func(ThrottleKey, int) time.Duration // wait after the n-th failure under a key
	// AddressShare, if positive, is the most failures one address adds to
	// the ScopeAccount counter: once the ScopeAccountAddress counter (listed
	// before it in Keys) is past it, the account's counter is left alone,
	// so a single address can never start the account-wide back-off.
	AddressShare int
}

func throttleKeys(account, address string) []ThrottleKey {
	return []ThrottleKey{
		{Scope: ScopeAccountAddress, Account: account, Address: address},
		{Scope: ScopeAddress, Address: address},
		{Scope: ScopeAccount, Account: account},
	}
}

func (s *Service) freeFailures() int {
	if s.LoginFreeFailures > 0 {
		return s.LoginFreeFailures
	}
	return DefaultLoginFreeFailures
}

func (s *Service) backoffMax() time.Duration {
	if s.LoginBackoffMax > 0 {
		return s.LoginBackoffMax
	}
	return DefaultLoginBackoffMax
}

func (s *Service) accountBackoffMax() time.Duration {
	if s.LoginAccountBackoffMax > 0 {
		return s.LoginAccountBackoffMax
	}
	return DefaultLoginAccountBackoffMax
}

// Backoff is the wait after the n-th failure counted under key: none for
// the free failures, then 1 s doubling per failure up to the scope's cap.
func (s *Service) Backoff(key ThrottleKey, n int) time.Duration {
	free, limit := s.freeFailures(), s.backoffMax()
	switch key.Scope {
	case ScopeAddress:
		free *= 4
	case ScopeAccount:
		free *= 10
		limit = s.accountBackoffMax()
	}
	if n <= free {
		return 0
	}
	steps := n - free - 1
	if steps >= 30 { // past any sensible cap, and 1 s << 34 overflows
		return limit
	}
	return min(time.Second<<steps, limit)
}

func throttleDetail(st ThrottleState, now time.Time) string {
	return fmt.Sprintf("%s: %d failures, next attempt in %s", st.Key.Scope, st.Failures, st.BlockedUntil.Sub(now).Round(time.Second))
}
