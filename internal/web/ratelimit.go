package web

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limiter decides whether one more request under key (a client address
// or an API key) may pass now, and if not, how long to wait. An error
// lets the request pass: a limiter that cannot count must not take the
// public pages down with it.
type Limiter interface {
	Allow(ctx context.Context, key string) (ok bool, wait time.Duration, err error)
}

// NewLimiterFunc makes the named limiter allowing about perMinute requests
// a minute per key, burst at once.
type NewLimiterFunc func(name string, perMinute, burst int) Limiter

// NewMemoryLimiter is the limiter of a single node: token buckets in this
// process's memory.
func NewMemoryLimiter(_ string, perMinute, burst int) Limiter { return newLimiter(perMinute, burst) }

// limiter is a token bucket per key (a client address or an API key):
// rate tokens a second, up to burst. It forgets idle keys.
type limiter struct {
	rate, burst float64
	mu          sync.Mutex
	buckets     map[string]*bucket
	lastSweep   time.Time
	now         func() time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(perMinute, burst int) *limiter {
	return &limiter{rate: float64(perMinute) / 60, burst: float64(burst), buckets: map[string]*bucket{}, now: time.Now}
}

// Allow takes a token for key; when none is left it returns how long to
// wait.
func (l *limiter) Allow(_ context.Context, key string) (bool, time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastSweep) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.at) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0, nil
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), nil
}

// limited wraps a handler with a limiter keyed by client address.
func (s *Server) limited(l Limiter, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.allow(w, r, l, info(r).ip) {
			return
		}
		h.ServeHTTP(w, r)
	})
}

// allow counts the request under key; when the budget is spent it answers
// 429 with Retry-After and returns false.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, l Limiter, key string) bool {
	ok, wait, err := l.Allow(r.Context(), key)
	if err != nil {
		s.Logger.Warn("rate limiter", "request_id", info(r).id, "err", err)
		return true
	}
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
		info(r).pattern = r.Pattern
		s.tooMany(w, r)
	}
	return ok
}
