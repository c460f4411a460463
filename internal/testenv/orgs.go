package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	org "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/organizations/v1"
	orgmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/organizations/v1/model"

	"github.com/iic-project/iic/internal/authn"
	"github.com/iic-project/iic/internal/ids"
	"github.com/iic-project/iic/internal/store"
)

// Orgs returns an organizations client signing with the root keys (global
// credentials, X-Domain-Id of the root account).
func (s *Server) Orgs(t testing.TB) *org.OrganizationsClient {
	return s.OrgsAs(t, s.App.Root.AccessKey, s.App.Root.SecretKey, s.App.Root.AccountID)
}

// OrgsAs returns an organizations client signing with ak/sk as account
// accountID.
func (s *Server) OrgsAs(t testing.TB, ak, sk, accountID string) *org.OrganizationsClient {
	t.Helper()
	cred, err := global.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithDomainId(accountID).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := org.OrganizationsClientBuilder().WithEndpoints([]string{s.URL}).WithCredential(cred).WithHttpConfig(HTTPConfig()).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return org.NewOrganizationsClient(hc)
}

// AccountKeys gives account accountID (e.g. a member account created by
// CreateAccount) a root access key, written straight to the store: iic has
// no API that issues an account's first key yet. Tests only.
func (s *Server) AccountKeys(t testing.TB, accountID string) (ak, sk string) {
	t.Helper()
	gen := ids.Generator{}
	ak, sk = gen.AccessKey(), gen.SecretKey()
	err := s.App.Store.Credentials().Create(context.Background(), store.Credential{AccessKey: ak, AccountID: accountID, Kind: store.KindRoot,
		SecretSealed: s.App.Keys.Seal([]byte(sk), authn.SecretAAD(ak)), Description: "test root key", CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return ak, sk
}

// CreateMemberAccount creates a member account through the SDK with the
// root keys and waits until its request succeeded; it returns the
// account id.
func (s *Server) CreateMemberAccount(t testing.TB, name string) string {
	t.Helper()
	c := s.Orgs(t)
	resp, err := c.CreateAccount(&orgmodel.CreateAccountRequest{Body: &orgmodel.CreateAccountReqBody{Name: name}})
	if err != nil {
		t.Fatalf("CreateAccount %s: %v", name, err)
	}
	st := s.WaitCreateAccount(t, resp.CreateAccountStatus.Id)
	if st.State != "succeeded" {
		t.Fatalf("CreateAccount %s: %+v", name, st)
	}
	return st.AccountId
}

// WaitCreateAccount polls ShowCreateAccountStatus until the request is no
// longer in progress (10 s at most) and returns its last status.
func (s *Server) WaitCreateAccount(t testing.TB, id string) orgmodel.CreateAccountStatusDto {
	t.Helper()
	c := s.Orgs(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := c.ShowCreateAccountStatus(&orgmodel.ShowCreateAccountStatusRequest{CreateAccountStatusId: id})
		if err != nil {
			t.Fatalf("ShowCreateAccountStatus: %v", err)
		}
		if st := *resp.CreateAccountStatus; st.State != "in_progress" || time.Now().After(deadline) {
			return st
		}
		time.Sleep(20 * time.Millisecond)
	}
}
