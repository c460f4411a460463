package testenv

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
)

// IAM returns an iam v3 client (the OS-FEDERATION operations) signing
// with the root account's keys as global credentials.
func (s *Server) IAM(t testing.TB) *iam.IamClient {
	return s.IAMAs(t, s.App.Root.AccessKey, s.App.Root.SecretKey)
}

// IAMAs is IAM with other keys.
func (s *Server) IAMAs(t testing.TB, ak, sk string) *iam.IamClient {
	t.Helper()
	cred, err := global.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithDomainId(s.App.Root.AccountID).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := iam.IamClientBuilder().WithEndpoints([]string{s.URL}).WithCredential(cred).WithHttpConfig(HTTPConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return iam.NewIamClient(hc)
}

// IAMToken returns an iam v3 client that authenticates with a Keystone
// token (v3.IamCredentials: the X-Auth-Token header).
func (s *Server) IAMToken(t testing.TB, token string) *iam.IamClient {
	t.Helper()
	hc, err := iam.IamClientBuilder().WithEndpoints([]string{s.URL}).
		WithCredential(iam.NewIamCredentialsBuilder().WithXAuthToken(token).Build()).WithHttpConfig(HTTPConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return iam.NewIamClient(hc)
}
