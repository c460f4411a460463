// Package ttlcache is a bounded map whose entries go stale at a time of
// their own: the servers' short-lived caches of credentials, tokens and
// policies. When full it is emptied (cheap, and refilled by live traffic).
package ttlcache

import (
	"sync"
	"time"
)

// DefaultMax is the bound of a Cache whose Max is zero.
const DefaultMax = 10_000

// Cache maps K to V, each entry fresh until its time. The zero value is
// ready to use; it is safe for concurrent use.
type Cache[K comparable, V any] struct {
	// Max bounds the number of entries (DefaultMax when zero); a Put into a
	// full cache empties it first. Set it before first use.
	Max int

	mu sync.RWMutex
	m  map[K]entry[V]
}

type entry[V any] struct {
	v     V
	until time.Time
}

// Get returns k's value when it is still fresh at now.
func (c *Cache[K, V]) Get(k K, now time.Time) (V, bool) {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Put stores v for k until until.
func (c *Cache[K, V]) Put(k K, v V, until time.Time) {
	max := c.Max
	if max <= 0 {
		max = DefaultMax
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= max {
		c.m = map[K]entry[V]{}
	}
	c.m[k] = entry[V]{v, until}
	c.mu.Unlock()
}

// Delete forgets k.
func (c *Cache[K, V]) Delete(k K) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}

// Clear forgets every entry.
func (c *Cache[K, V]) Clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
