package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// Two limiters of one name (two nodes) share one budget per key and
// window; other keys, other names and the next window start afresh.
func TestSharedRateLimiter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 8, 0, 10, 0, time.UTC)
		clock := func() time.Time { return now }
		a := &store.RateLimiter{DB: db, Name: "report", Limit: 3, Window: time.Minute, Now: clock}
		b := &store.RateLimiter{DB: db, Name: "report", Limit: 3, Window: time.Minute, Now: clock}
		for i, l := range []*store.RateLimiter{a, b, a} {
			if ok, _, err := l.Allow(ctx, "10.0.0.1"); !ok || err != nil {
				t.Fatalf("request %d refused: %v", i, err)
			}
		}
		ok, wait, err := b.Allow(ctx, "10.0.0.1")
		if ok || err != nil || wait != 50*time.Second {
			t.Fatalf("4th request on the other node: ok=%v wait=%v err=%v", ok, wait, err)
		}
		if ok, _, _ := a.Allow(ctx, "10.0.0.2"); !ok {
			t.Fatal("another key was limited")
		}
		other := &store.RateLimiter{DB: db, Name: "status", Limit: 1, Window: time.Minute, Now: clock}
		if ok, _, _ := other.Allow(ctx, "10.0.0.1"); !ok {
			t.Fatal("another limiter shared the budget")
		}
		now = now.Add(time.Minute)
		if ok, _, _ := b.Allow(ctx, "10.0.0.1"); !ok {
			t.Fatal("next window still limited")
		}
		// Windows two minutes old are swept.
		now = now.Add(3 * time.Minute)
		a.Allow(ctx, "10.0.0.9")
		if n, err := db.SweepRateWindows(ctx, now.Truncate(time.Minute)); err != nil || n != 0 {
			t.Fatalf("old windows were not swept: %d left (%v)", n, err)
		}
	})
}

// Concurrent requests never overshoot the budget: the count is one atomic
// upsert.
func TestSharedRateLimiterConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		l := &store.RateLimiter{DB: db, Name: "open311", Limit: 10, Window: time.Hour}
		var allowed atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, _, err := l.Allow(context.Background(), "k")
				if err != nil {
					t.Error(err)
				}
				if ok {
					allowed.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := allowed.Load(); n != 10 {
			t.Fatalf("%d of 30 concurrent requests allowed, want 10", n)
		}
	})
}

// A large budget is taken from the shared count in blocks, spent in
// memory: two nodes together still allow exactly the budget, and a block
// taken in one window is not spent in the next.
func TestSharedRateLimiterLargeBudget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 8, 0, 10, 0, time.UTC)
		clock := func() time.Time { return now }
		a := &store.RateLimiter{DB: db, Name: "partner", Limit: 640, Window: time.Minute, Now: clock}
		b := &store.RateLimiter{DB: db, Name: "partner", Limit: 640, Window: time.Minute, Now: clock}
		allowed := 0
		for i := 0; i < 700; i++ {
			l := a
			if i%3 == 0 {
				l = b
			}
			ok, _, err := l.Allow(ctx, "key-12345")
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				allowed++
			}
		}
		if allowed != 640 {
			t.Fatalf("%d of 700 requests allowed on two nodes, want the budget of 640", allowed)
		}
		// Once the budget is spent each node asks the database once more,
		// then refuses from memory.
		n, err := db.CountRequests(ctx, "partner", "key-12345", now.Truncate(time.Minute), 0)
		if err != nil {
			t.Fatal(err)
		}
		if n > 640+2*10 {
			t.Fatalf("shared count %d after 700 requests: refusals still write", n)
		}
		// Next window: a fresh budget; a block left over from the last
		// window is not spent in it.
		now = now.Add(59 * time.Second)
		if ok, _, _ := a.Allow(ctx, "other-key"); !ok {
			t.Fatal("other key refused")
		}
		now = now.Add(time.Second)
		if ok, _, _ := a.Allow(ctx, "other-key"); !ok {
			t.Fatal("next window refused")
		}
		m, _ := db.CountRequests(ctx, "partner", "other-key", now.Truncate(time.Minute), 0)
		if m != 10 {
			t.Fatalf("next window counted %d, want one block of 10 taken anew", m)
		}
	})
}
