package testenv

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	sts "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sts/v1"
)

// STSAs returns an sts client signing with ak/sk (and token, for
// temporary credentials); the SDK wants project-scoped credentials and finds
// the project the way IdentityStoreAs does.
func (s *Server) STSAs(t testing.TB, ak, sk, token string) *sts.StsClient {
	t.Helper()
	b := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithIamEndpointOverride(s.URL)
	if token != "" {
		b = b.WithSecurityToken(token)
	}
	cred, err := b.SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := sts.StsClientBuilder().WithRegion(regionAt("cn-north-4", s.URL)).WithCredential(cred).WithHttpConfig(HTTPConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return sts.NewStsClient(hc)
}
