package ttlcache

import (
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	c := &Cache[string, int]{Max: 2}
	c.Put("a", 1, now.Add(time.Second))
	if v, ok := c.Get("a", now); !ok || v != 1 {
		t.Fatalf("fresh Get = %v, %v", v, ok)
	}
	if _, ok := c.Get("a", now.Add(time.Second)); ok {
		t.Fatal("an entry is stale at its time")
	}
	c.Put("b", 2, now.Add(time.Hour))
	c.Put("c", 3, now.Add(time.Hour)) // full (2): emptied first
	if _, ok := c.Get("a", now); ok {
		t.Fatal("a full cache was not emptied")
	}
	if v, ok := c.Get("c", now); !ok || v != 3 {
		t.Fatalf("Get after emptying = %v, %v", v, ok)
	}
	c.Delete("c")
	if _, ok := c.Get("c", now); ok {
		t.Fatal("Delete kept the entry")
	}
	c.Put("d", 4, now.Add(time.Hour))
	c.Clear()
	if _, ok := c.Get("d", now); ok {
		t.Fatal("Clear kept the entry")
	}
	var zero Cache[int, int] // the zero value works, bounded by DefaultMax
	for i := range DefaultMax + 1 {
		zero.Put(i, i, now.Add(time.Hour))
	}
	if _, ok := zero.Get(0, now); ok {
		t.Fatal("the zero value's cache grew past DefaultMax")
	}
}
