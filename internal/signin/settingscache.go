package signin

import (
	"context"
	"sync"
	"time"

	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/ttlcache"
)

// SettingsTTL is how long the session check (Session, run on every
// signed-in portal request) reuses an instance's SSO configuration instead
// of reading it again: a change made through the admin API (a shorter
// max_authentication_age, an instance deleted) reaches every session check
// within SettingsTTL, on each replica. The sign-in steps always read it
// afresh.
const SettingsTTL = 5 * time.Second

// settingsCacheSize bounds the cache; when full it is emptied.
const settingsCacheSize = 1024

// settingsCache holds SSO configurations by identity store id, each fresh
// until its time (the service's clock), at most settingsCacheSize of them.
// Its zero value is ready to use (a Service is built as a struct literal).
type settingsCache struct {
	once  sync.Once
	cache ttlcache.Cache[string, center.SSOConfiguration]
}

// get returns the cache, bounded by settingsCacheSize from its first use.
func (c *settingsCache) get() *ttlcache.Cache[string, center.SSOConfiguration] {
	c.once.Do(func() { c.cache.Max = settingsCacheSize })
	return &c.cache
}

// sessionSSOConfig is ssoConfig through the cache. Errors (IIC.1730: no
// instance) are not cached.
func (s *Service) sessionSSOConfig(ctx context.Context, storeID string) (center.SSOConfiguration, error) {
	now := s.now()
	c := s.settings.get()
	if cfg, ok := c.Get(storeID, now); ok {
		return cfg, nil
	}
	cfg, err := s.ssoConfig(ctx, storeID)
	if err != nil {
		return cfg, err
	}
	c.Put(storeID, cfg, now.Add(SettingsTTL))
	return cfg, nil
}
