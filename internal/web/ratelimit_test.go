package web

import (
	"context"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	l := newLimiter(60, 3) // one a second, burst 3
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if ok, _ := allow(l, "10.0.0.1"); !ok {
			t.Fatalf("burst request %d refused", i)
		}
	}
	ok, wait := allow(l, "10.0.0.1")
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("4th request: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := allow(l, "10.0.0.2"); !ok {
		t.Fatal("another address was limited")
	}
	now = now.Add(1100 * time.Millisecond)
	if ok, _ := allow(l, "10.0.0.1"); !ok {
		t.Fatal("token not refilled after a second")
	}
	now = now.Add(time.Hour)
	l.Allow(context.Background(), "10.0.0.3")
	if _, kept := l.buckets["10.0.0.1"]; kept {
		t.Fatal("idle bucket not swept")
	}
}

func allow(l *limiter, key string) (bool, time.Duration) {
	ok, wait, _ := l.Allow(context.Background(), key)
	return ok, wait
}
