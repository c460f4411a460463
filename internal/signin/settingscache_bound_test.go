package signin

import (
	"fmt"
	"testing"
	"time"

	"github.com/iic-project/iic/internal/center"
)

// The session check's settings cache holds at most settingsCacheSize
// instances, from the zero value on: one more empties it.
func TestSettingsCacheBound(t *testing.T) {
	var s Service
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c := s.settings.get()
	for i := range settingsCacheSize {
		c.Put(fmt.Sprint(i), center.SSOConfiguration{}, now.Add(time.Hour))
	}
	if _, ok := c.Get("0", now); !ok {
		t.Fatalf("a cache of %d entries lost its first", settingsCacheSize)
	}
	c.Put("one more", center.SSOConfiguration{}, now.Add(time.Hour))
	if _, ok := c.Get("0", now); ok {
		t.Fatalf("the cache grew past %d entries", settingsCacheSize)
	}
	if _, ok := s.settings.get().Get("one more", now); !ok {
		t.Fatal("the entry put into the emptied cache is missing")
	}
}
