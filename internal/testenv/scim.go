package testenv

import (
	"testing"

	scim "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterscim/v1"
	icsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"
)

// SCIM returns an identitycenterscim client for the server: no signature
// (the SDK's credentials type for SCIM is empty); each request carries its
// Authorization header.
func (s *Server) SCIM(t testing.TB) *scim.IdentityCenterSCIMClient {
	t.Helper()
	hc, err := scim.IdentityCenterSCIMClientBuilder().WithEndpoints([]string{s.URL}).
		WithCredential(scim.NewIdentityCenterSCIMCredentialsBuilder().Build()).WithHttpConfig(HTTPConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return scim.NewIdentityCenterSCIMClient(hc)
}

// SCIMTenant enables SCIM provisioning for identity store storeID through
// the identity-store API and returns the tenant id and the Authorization
// header value of a new bearer token.
func (s *Server) SCIMTenant(t testing.TB, storeID string) (tenantID, authorization string) {
	t.Helper()
	c := s.IdentityStore(t)
	tn, err := c.CreateProvisioningTenant(&icsmodel.CreateProvisioningTenantRequest{IdentityStoreId: storeID})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.CreateBearerToken(&icsmodel.CreateBearerTokenRequest{IdentityStoreId: storeID, TenantId: *tn.TenantId})
	if err != nil {
		t.Fatal(err)
	}
	return *tn.TenantId, "Bearer " + *tok.Token
}
