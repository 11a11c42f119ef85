package auth

import (
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
// cached, so a flood of wrong keys cannot fill it.
type keyCache struct {
	mu   sync.Mutex
	keys map[string]cachedKey
}

type cachedKey struct {
	key     *APIKey
	expires time.Time
}

func (c *keyCache) get(hash string, now time.Time) *APIKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.keys[hash]
	if !ok || now.After(e.expires) {
		return nil
	}
	return e.key
}

func (c *keyCache) put(hash string, k *APIKey, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil || len(c.keys) >= 1024 {
		c.keys = make(map[string]cachedKey)
	}
	c.keys[hash] = cachedKey{key: k, expires: now.Add(keyCacheTTL)}
}

func (c *keyCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys = nil
}
