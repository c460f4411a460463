package scim

import (
	"testing"
	"time"
)

func TestCursorCache(t *testing.T) {
	var c cursorCache
	if _, ok := c.get("Users d-1", 101); ok {
		t.Fatal("an empty cache has a cursor")
	}
	c.put("Users d-1", 101, 4242)
	if pos, ok := c.get("Users d-1", 101); !ok || pos != 4242 {
		t.Fatalf("get = %d, %v", pos, ok)
	}
	for _, k := range []struct {
		coll string
		at   int
	}{{"Users d-2", 101}, {"Groups d-1", 101}, {"Users d-1", 201}} {
		if _, ok := c.get(k.coll, k.at); ok {
			t.Errorf("cursor of another collection or index: %v", k)
		}
	}
	// Stale cursors are not used.
	c.m[cursorKey{"Users d-1", 101}] = cursor{4242, time.Now().Add(-cursorTTL - time.Second)}
	if _, ok := c.get("Users d-1", 101); ok {
		t.Error("a stale cursor is used")
	}
	// The cache is bounded.
	for i := range maxCursors + 10 {
		c.put("Users d-1", i, int64(i))
	}
	if len(c.m) > maxCursors {
		t.Errorf("%d cursors kept", len(c.m))
	}
}
