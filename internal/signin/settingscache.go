package signin

import (
	"context"
	"sync"
	"time"

	"github.com/iic-project/iic/internal/center"
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
// until its time (the service's clock).
type settingsCache struct {
	mu sync.Mutex
	m  map[string]cachedSettings
}

type cachedSettings struct {
	cfg   center.SSOConfiguration
	until time.Time
}

// sessionSSOConfig is ssoConfig through the cache. Errors (IIC.1730: no
// instance) are not cached.
func (s *Service) sessionSSOConfig(ctx context.Context, storeID string) (center.SSOConfiguration, error) {
	now := s.now()
	c := &s.settings
	c.mu.Lock()
	e, ok := c.m[storeID]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.cfg, nil
	}
	cfg, err := s.ssoConfig(ctx, storeID)
	if err != nil {
		return cfg, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= settingsCacheSize {
		c.m = map[string]cachedSettings{}
	}
	c.m[storeID] = cachedSettings{cfg: cfg, until: now.Add(SettingsTTL)}
	c.mu.Unlock()
	return cfg, nil
}
