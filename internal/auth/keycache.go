package auth

import (
	"context"
	"sync"
	"time"
)

// keyCacheTTL bounds how long a key read from the store is trusted without
// reading it again. A revocation made on this node takes effect at once
// (the cache is cleared); one made on another node of a cluster within
// this time.
const keyCacheTTL = 5 * time.Second

// keyCache keeps API keys by hash for the partner endpoints, which
// otherwise read the same row on every request. Unknown hashes are not
// cached, so a flood of wrong keys cannot fill it. Requests that miss at
// once share one read: at 1,000 signals a second a partner has dozens in
// flight when its entry expires, and each read would otherwise go to the
// store, and each stale "last used" time to the writer.
type keyCache struct {
	mu      sync.Mutex
	keys    map[string]cachedKey
	loading map[string]*keyLoad
	gen     uint64 // counts clears: a read begun before one is not kept
}

type cachedKey struct {
	key     *APIKey
	expires time.Time
}

type keyLoad struct {
	done chan struct{}
	key  *APIKey
	err  error
}

// load returns the key cached for hash or, on a miss, what read returns,
// read once for every caller that misses meanwhile. An error is not
// cached; a caller whose ctx ends stops waiting.
func (c *keyCache) load(ctx context.Context, hash string, now time.Time, read func() (*APIKey, error)) (*APIKey, error) {
	c.mu.Lock()
	if e, ok := c.keys[hash]; ok && !now.After(e.expires) {
		c.mu.Unlock()
		return e.key, nil
	}
	if l, ok := c.loading[hash]; ok {
		c.mu.Unlock()
		select {
		case <-l.done:
			return l.key, l.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	l := &keyLoad{done: make(chan struct{})}
	if c.loading == nil {
		c.loading = map[string]*keyLoad{}
	}
	c.loading[hash] = l
	gen := c.gen
	c.mu.Unlock()

	l.key, l.err = read()

	c.mu.Lock()
	delete(c.loading, hash)
	if l.err == nil && gen == c.gen {
		if c.keys == nil || len(c.keys) >= 1024 {
			c.keys = make(map[string]cachedKey)
		}
		c.keys[hash] = cachedKey{key: l.key, expires: now.Add(keyCacheTTL)}
	}
	c.mu.Unlock()
	close(l.done)
	return l.key, l.err
}

func (c *keyCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys = nil
	c.gen++
}
