package authz

import (
	"sync"
	"time"
)

// ttlCache is a bounded map whose entries go stale at a time; when full it
// is emptied (the authorizer's caches of custom policies and agencies).
type ttlCache[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v     V
	until time.Time
}

// get returns k's value when it is still fresh at now.
func (c *ttlCache[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// put stores v for k until until.
func (c *ttlCache[K, V]) put(k K, v V, until time.Time) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= customCacheSize {
		c.m = map[K]ttlEntry[V]{}
	}
	c.m[k] = ttlEntry[V]{v, until}
	c.mu.Unlock()
}

// forget drops k.
func (c *ttlCache[K, V]) forget(k K) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}
