package e2e

import (
	"testing"

	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"

	"github.com/iic-project/iic/internal/testenv"
)

// identityStore starts a server on dialect, enables Identity Center and
// returns the server, a root identitycenterstore client and the store id.
func identityStore(t *testing.T, dialect string) (*testenv.Server, *ics.IdentityCenterStoreClient, string) {
	t.Helper()
	srv := testenv.Start(t, testenv.Options{Dialect: dialect})
	_, storeID := srv.EnableIdentityCenter(t)
	return srv, srv.IdentityStore(t), storeID
}

// ptr returns a pointer to v (SDK models take optional fields by pointer).
func ptr[T any](v T) *T { return &v }
