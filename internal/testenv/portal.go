package testenv

import (
	"testing"

	portalapi "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterportalapi/v1"
)

// Portal returns an identitycenterportalapi client of the server. The
// portal API is not signed: each request carries the access token its
// request model names (AccessToken, sent as the access-token header).
func (s *Server) Portal(t testing.TB) *portalapi.IdentityCenterPortalAPIClient {
	t.Helper()
	hc, err := portalapi.IdentityCenterPortalAPIClientBuilder().WithEndpoints([]string{s.URL}).
		WithCredential(portalapi.NewIdentityCenterPortalAPICredentialsBuilder().Build()).WithHttpConfig(HTTPConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return portalapi.NewIdentityCenterPortalAPIClient(hc)
}
