package scim

import (
	"sync"
	"time"
)

// cursorCache remembers where pages of a collection ended: position
// (the store's creation-order seq) of the resource before startIndex, per
// collection. It is bounded: past maxCursors entries it starts over, which
// only costs the next deep page a skip. A cursor is a position, not an
// offset, so a resource deleted between two pages shifts nothing: the next
// page starts after the last resource the client saw. A cursor lives
// cursorTTL: a paging client asks for the next page at once, and another
// client asking for the same startIndex much later gets the offset's
// resources as they are then.
type cursorCache struct {
	mu sync.Mutex
	m  map[cursorKey]cursor
}

type cursor struct {
	pos int64
	at  time.Time
}

const cursorTTL = 5 * time.Minute

type cursorKey struct {
	collection string
	startIndex int
}

const maxCursors = 10_000

func (c *cursorCache) get(collection string, startIndex int) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, ok := c.m[cursorKey{collection, startIndex}]
	if !ok || time.Since(cur.at) > cursorTTL {
		return 0, false
	}
	return cur.pos, true
}

func (c *cursorCache) put(collection string, startIndex int, pos int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCursors {
		c.m = make(map[cursorKey]cursor)
	}
	c.m[cursorKey{collection, startIndex}] = cursor{pos, time.Now()}
}
