package policy

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"sync/atomic"
)

// Cache memoises [Parse] + [Compile] by the SHA-256 of the raw document
// text. It holds at most a fixed number of compiled policies and evicts the
// least recently used one. Failed compilations are not cached. A Cache is
// safe for concurrent use.
type Cache struct {
	max    int
	mu     sync.Mutex
	items  map[[sha256.Size]byte]*list.Element
	lru    *list.List // front = most recently used; values are *cacheEntry
	hits   atomic.Uint64
	misses atomic.Uint64
}

type cacheEntry struct {
	sum [sha256.Size]byte
	c   *Compiled
}

// NewCache returns a cache holding at most maxEntries compiled policies
// (at least 1).
func NewCache(maxEntries int) *Cache {
	if maxEntries < 1 {
		maxEntries = 1
	}
	return &Cache{max: maxEntries, items: make(map[[sha256.Size]byte]*list.Element), lru: list.New()}
}

// Get returns the compiled form of raw, parsing and compiling it on a miss.
// Errors are those of [Parse]. Concurrent misses on the same text may
// compile it more than once; all callers get an equivalent result.
func (c *Cache) Get(raw []byte) (*Compiled, error) {
	sum := sha256.Sum256(raw)
	c.mu.Lock()
	if el, ok := c.items[sum]; ok {
		c.lru.MoveToFront(el)
		compiled := el.Value.(*cacheEntry).c
		c.mu.Unlock()
		c.hits.Add(1)
		return compiled, nil
	}
	c.mu.Unlock()
	c.misses.Add(1)

	_, compiled, err := parseCompile(raw)
	if err != nil {
		return nil, err
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[sum]; ok { // another goroutine won the race
		c.lru.MoveToFront(el)
		return el.Value.(*cacheEntry).c, nil
	}
	c.items[sum] = c.lru.PushFront(&cacheEntry{sum: sum, c: compiled})
	for c.lru.Len() > c.max {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.items, oldest.Value.(*cacheEntry).sum)
	}
	return compiled, nil
}

// Hits returns how many Get calls were served from the cache.
func (c *Cache) Hits() uint64 { return c.hits.Load() }

// Misses returns how many Get calls had to parse and compile.
func (c *Cache) Misses() uint64 { return c.misses.Load() }

// Len returns the number of cached policies.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
