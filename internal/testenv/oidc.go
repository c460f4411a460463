package testenv

import (
	"testing"

	icoidc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenteroidc/v1"
)

// OIDC returns an identitycenteroidc client for the server: no signature
// (the SDK's credentials type for the service is empty); clients
// authenticate with client_id and client_secret in each body.
func (s *Server) OIDC(t testing.TB) *icoidc.IdentityCenterOIDCClient {
	t.Helper()
	hc, err := icoidc.IdentityCenterOIDCClientBuilder().WithEndpoints([]string{s.URL}).
		WithCredential(icoidc.NewIdentityCenterOIDCCredentialsBuilder().Build()).WithHttpConfig(HTTPConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return icoidc.NewIdentityCenterOIDCClient(hc)
}
