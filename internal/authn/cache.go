package authn

import (
	"time"

	"github.com/iic-project/iic/internal/aksk"
	"github.com/iic-project/iic/internal/store"
)

// DefaultCacheTTL bounds how long a credential read from the store is
// reused, unless SetCacheTTL says otherwise. A key deleted or disabled on
// another replica stops working within the TTL; on this replica,
// Invalidate makes it immediate. The cache holds at most
// ttlcache.DefaultMax credentials.
const DefaultCacheTTL = 5 * time.Second

type cachedCredential struct {
	cred store.Credential
	key  *aksk.Key // the opened secret, ready to verify with
}

// Invalidate forgets the cached copy of ak; call it after changing or
// deleting a credential.
func (a *Authenticator) Invalidate(ak string) { a.cache.Delete(ak) }
