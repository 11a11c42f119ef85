package auth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Requests that miss at once share one read of the store; an error is
// not kept (the next miss reads again); a read that a revocation's clear
// overtook is not kept either.
func TestKeyCacheReadsOnceForConcurrentMisses(t *testing.T) {
	var c keyCache
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	var reads atomic.Int32
	release := make(chan struct{})
	read := func() (*APIKey, error) {
		reads.Add(1)
		<-release
		return &APIKey{ID: "k1"}, nil
	}
	const n = 32
	var wg sync.WaitGroup
	got := make([]*APIKey, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = c.load(context.Background(), "h", now, read)
		}()
	}
	for { // every caller is waiting on the one read
		c.mu.Lock()
		l := c.loading["h"]
		c.mu.Unlock()
		if l != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if r := reads.Load(); r != 1 {
		t.Errorf("%d concurrent misses read the store %d times, want once", n, r)
	}
	for i, k := range got {
		if k == nil || k.ID != "k1" {
			t.Fatalf("caller %d got %+v", i, k)
		}
	}
	// Cached now: no read until it expires.
	if _, err := c.load(context.Background(), "h", now.Add(keyCacheTTL), func() (*APIKey, error) { t.Fatal("read while cached"); return nil, nil }); err != nil {
		t.Fatal(err)
	}
	// After expiry, an error is returned and not kept.
	later := now.Add(keyCacheTTL + time.Second)
	boom := errors.New("store down")
	if _, err := c.load(context.Background(), "h", later, func() (*APIKey, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	reads.Store(0)
	if k, err := c.load(context.Background(), "h", later, func() (*APIKey, error) { reads.Add(1); return &APIKey{ID: "k2"}, nil }); err != nil || k.ID != "k2" || reads.Load() != 1 {
		t.Fatalf("after an error: %+v %v, %d reads", k, err, reads.Load())
	}
	// A clear (a revocation) during a read: that read is not kept.
	muchLater := later.Add(time.Hour)
	if _, err := c.load(context.Background(), "h", muchLater, func() (*APIKey, error) { c.clear(); return &APIKey{ID: "stale"}, nil }); err != nil {
		t.Fatal(err)
	}
	if k, _ := c.load(context.Background(), "h", muchLater, func() (*APIKey, error) { return &APIKey{ID: "fresh"}, nil }); k.ID != "fresh" {
		t.Errorf("a read overtaken by a clear was kept: %q", k.ID)
	}
}
