package authn

import (
	"sync"
	"time"

	"github.com/iic-project/iic/internal/aksk"

	"github.com/iic-project/iic/internal/store"
)

// DefaultCacheTTL bounds how long a credential read from the store is
// reused, unless SetCacheTTL says otherwise. A key deleted or disabled on
// another replica stops working within the TTL; on this replica,
// Invalidate makes it immediate.
const DefaultCacheTTL = 5 * time.Second

// cacheSize bounds the number of cached credentials; when full the cache is
// emptied (cheap, and refilled by live traffic).
const cacheSize = 10_000

type cachedCredential struct {
	cred  store.Credential
	key   *aksk.Key // the opened secret, ready to verify with
	until time.Time
}

type credentialCache struct {
	mu sync.RWMutex
	m  map[string]*cachedCredential
}

func (c *credentialCache) get(ak string, now time.Time) *cachedCredential {
	c.mu.RLock()
	e := c.m[ak]
	c.mu.RUnlock()
	if e == nil || !now.Before(e.until) {
		return nil
	}
	return e
}

func (c *credentialCache) put(ak string, e *cachedCredential) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= cacheSize {
		c.m = make(map[string]*cachedCredential)
	}
	c.m[ak] = e
	c.mu.Unlock()
}

func (c *credentialCache) drop(ak string) {
	c.mu.Lock()
	delete(c.m, ak)
	c.mu.Unlock()
}

// Invalidate forgets the cached copy of ak; call it after changing or
// deleting a credential.
func (a *Authenticator) Invalidate(ak string) { a.cache.drop(ak) }
