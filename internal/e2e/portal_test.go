package e2e

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	pmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterportalapi/v1/model"
	stsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sts/v1/model"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/portal"
	"github.com/iic-project/iic/internal/testenv"
)

// testTokens stands in for the OIDC service behind the portal API: a table
// of access tokens, emptied of a token by logout.
type testTokens struct{ m sync.Map }

func (tt *testTokens) issue(token string, u portal.User) { tt.m.Store(token, u) }

func (tt *testTokens) authenticate(_ context.Context, token string) (portal.User, error) {
	if u, ok := tt.m.Load(token); ok {
		return u.(portal.User), nil
	}
	return portal.User{}, apierr.IIC1604.New()
}

func (tt *testTokens) revoke(_ context.Context, token string) error {
	tt.m.Delete(token)
	return nil
}

// The portal API through the real SDK: a user sees the accounts and
// agencies assigned to it directly or through a group, gets temporary
// credentials, and those work on the admin API through the real SDK with
// exactly the permission set's policies (a principal-tag condition decided
// by the user's department); GetCallerIdentity shows the agency session;
// logout kills the token and the credentials issued with it.
func TestPortalAPIThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		tokens := &testTokens{}
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, PortalTokens: tokens.authenticate, PortalLogout: tokens.revoke})
		ins, storeID := srv.EnableIdentityCenter(t)
		c, sc, p := srv.Center(t), srv.IdentityStore(t), srv.Portal(t)
		mgmt := srv.App.Root.AccountID

		alice, _ := createUser(t, sc, storeID, "alice")
		bob, _ := createUser(t, sc, storeID, "bob")
		for id, dept := range map[string]string{alice: "engineering", bob: "sales"} {
			if err := update(sc, storeID, id, ptr("enterprise.department"), ptr(dept)); err != nil {
				t.Fatal(err)
			}
		}
		group := createGroup(t, sc, storeID, "portal-ops")
		for _, u := range []string{alice, bob} {
			if _, err := addMember(sc, storeID, group, u); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.CreateInstanceAccessControlAttributeConfiguration(&model.CreateInstanceAccessControlAttributeConfigurationRequest{InstanceId: ins,
			Body: &model.CreateInstanceAccessControlAttributeConfigurationReqBody{InstanceAccessControlAttributeConfiguration: abacBody(
				[2]string{"department", "${path:enterprise.department}"})}}); err != nil {
			t.Fatal(err)
		}

		// PortalOps (the group, in the management account): read-only, and
		// creating permission sets for engineering only. Member (alice
		// directly, in a member account), 2-hour sessions.
		ops := createPS(t, c, ins, "PortalOps")
		opsID := *ops.PermissionSetId
		if _, err := c.AttachManagedPolicyToPermissionSet(&model.AttachManagedPolicyToPermissionSetRequest{InstanceId: ins, PermissionSetId: opsID,
			Body: &model.AttachManagedPolicyToPermissionSetReqBody{ManagedPolicyId: policyID(t, "IdentityCenter ReadOnlyAccess")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutCustomPolicyToPermissionSet(&model.PutCustomPolicyToPermissionSetRequest{InstanceId: ins, PermissionSetId: opsID,
			Body: &model.PutCustomPolicyToPermissionSetReqBody{CustomPolicy: `{"Version":"5.0","Statement":[{"Effect":"Allow",
				"Action":["IdentityCenter:permissionSet:create"],"Condition":{"StringEquals":{"g:PrincipalTag/department":["engineering"]}}}]}`}}); err != nil {
			t.Fatal(err)
		}
		member := memberAccount(t, srv, 1)
		mps := createPS(t, c, ins, "Member")
		if _, err := c.UpdatePermissionSet(&model.UpdatePermissionSetRequest{InstanceId: ins, PermissionSetId: *mps.PermissionSetId,
			Body: &model.UpdatePermissionSetReqBody{SessionDuration: ptr("PT2H")}}); err != nil {
			t.Fatal(err)
		}
		for _, a := range []struct{ ps, typ, principal, account string }{
			{opsID, "GROUP", group, mgmt}, {*mps.PermissionSetId, "USER", alice, member},
		} {
			if _, err := assign(c, ins, a.ps, a.typ, a.principal, a.account); err != nil {
				t.Fatal(err)
			}
			// One at a time: accounts list in the order their first agency
			// was provisioned, and queued jobs may run in any order.
			runJobs(t, srv)
		}

		tokens.issue("token-alice", portal.User{IdentityStoreID: storeID, UserID: alice, Session: "grant-alice"})
		tokens.issue("token-bob", portal.User{IdentityStoreID: storeID, UserID: bob}) // the token is the session

		// Accounts, page by page.
		var accounts []pmodel.AccountInfo
		var marker *string
		for {
			out, err := p.ListAccounts(&pmodel.ListAccountsRequest{AccessToken: "token-alice", Limit: ptr(int32(1)), Marker: marker})
			if err != nil {
				t.Fatal(err)
			}
			accounts = append(accounts, *out.AccountList...)
			if out.PageInfo.NextMarker == "" {
				break
			}
			marker = ptr(out.PageInfo.NextMarker)
		}
		if len(accounts) != 2 || *accounts[0].AccountId != mgmt || *accounts[1].AccountId != member || *accounts[1].AccountName != "member-"+member {
			t.Fatalf("alice's accounts = %+v", accounts)
		}
		out, err := p.ListAccounts(&pmodel.ListAccountsRequest{AccessToken: "token-bob"})
		if err != nil || len(*out.AccountList) != 1 || *(*out.AccountList)[0].AccountId != mgmt {
			t.Fatalf("bob's accounts = %+v, %v", out, err)
		}
		_, err = p.ListAccounts(&pmodel.ListAccountsRequest{AccessToken: "no-such-token"})
		testenv.WantError(t, err, 401, "IIC.1604")

		// Agencies.
		ag, err := p.ListAccountAgencies(&pmodel.ListAccountAgenciesRequest{AccessToken: "token-alice", AccountId: mgmt})
		if err != nil || len(*ag.AgencyList) != 1 {
			t.Fatalf("ListAccountAgencies = %+v, %v", ag, err)
		}
		a := (*ag.AgencyList)[0]
		opsURN := "iam::" + mgmt + ":agency:IdentityCenter_PortalOps"
		if *a.AgencyUrn != opsURN || *a.AgencyName != "IdentityCenter_PortalOps" || *a.PermissionSetName != "PortalOps" || *a.AccountId != mgmt {
			t.Fatalf("agency = %+v", a)
		}
		if ag, err := p.ListAccountAgencies(&pmodel.ListAccountAgenciesRequest{AccessToken: "token-bob", AccountId: member}); err != nil || len(*ag.AgencyList) != 0 {
			t.Fatalf("bob in the member account = %+v, %v", ag, err)
		}

		// Credentials.
		creds := func(token, account, urn string) (string, string, string, time.Time) {
			t.Helper()
			out, err := p.GetAgencyCredentials(&pmodel.GetAgencyCredentialsRequest{AccessToken: token, TargetAccountId: account, AgencyUrn: urn})
			if err != nil {
				t.Fatalf("GetAgencyCredentials: %v", err)
			}
			cr := out.AgencyCredentials
			return *cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken, time.Unix(*cr.Expiration, 0)
		}
		before := time.Now()
		_, _, _, exp := creds("token-alice", member, "iam::"+member+":agency:IdentityCenter_Member")
		if d := exp.Sub(before); d < 2*time.Hour-time.Minute || d > 2*time.Hour+time.Minute {
			t.Errorf("Member credentials last %v, want PT2H", d)
		}
		_, err = p.GetAgencyCredentials(&pmodel.GetAgencyCredentialsRequest{AccessToken: "token-bob", TargetAccountId: member,
			AgencyUrn: "iam::" + member + ":agency:IdentityCenter_Member"})
		testenv.WantError(t, err, 403, "IIC.1269")
		_, err = p.GetAgencyCredentials(&pmodel.GetAgencyCredentialsRequest{AccessToken: "token-alice", TargetAccountId: "nope", AgencyUrn: opsURN})
		testenv.WantError(t, err, 400, "IIC.1606")

		aak, ask, atok, _ := creds("token-alice", mgmt, opsURN)
		bak, bsk, btok, _ := creds("token-bob", mgmt, opsURN)
		ac, bc := srv.CenterAs(t, aak, ask, atok, nil), srv.CenterAs(t, bak, bsk, btok, nil)
		for _, cl := range []struct {
			name string
			c    interface {
				ListInstances(*model.ListInstancesRequest) (*model.ListInstancesResponse, error)
			}
		}{{"alice", ac}, {"bob", bc}} {
			if _, err := cl.c.ListInstances(&model.ListInstancesRequest{}); err != nil {
				t.Errorf("%s: ListInstances with IdentityCenter ReadOnlyAccess: %v", cl.name, err)
			}
		}
		_, err = ac.StartIdentityCenter(&model.StartIdentityCenterRequest{})
		testenv.WantError(t, err, 403, "IIC.1000")
		if _, err := ac.CreatePermissionSet(&model.CreatePermissionSetRequest{InstanceId: ins, Body: &model.CreatePermissionSetReqBody{Name: "ByAlice"}}); err != nil {
			t.Errorf("alice (engineering) CreatePermissionSet: %v", err)
		}
		_, err = bc.CreatePermissionSet(&model.CreatePermissionSetRequest{InstanceId: ins, Body: &model.CreatePermissionSetReqBody{Name: "ByBob"}})
		testenv.WantError(t, err, 403, "IIC.1000") // bob is in sales

		who, err := srv.STSAs(t, aak, ask, atok).GetCallerIdentity(&stsmodel.GetCallerIdentityRequest{})
		if err != nil {
			t.Fatal(err)
		}
		if *who.AccountId != mgmt || *who.PrincipalUrn != "sts::"+mgmt+":assumed-agency:IdentityCenter_PortalOps/alice" ||
			*who.PrincipalId != "IdentityCenter_PortalOps:alice" {
			t.Errorf("GetCallerIdentity = %s %s %s", *who.AccountId, *who.PrincipalUrn, *who.PrincipalId)
		}

		// Logout: the token and the credentials issued in its session die;
		// bob's live on.
		if _, err := p.Logout(&pmodel.LogoutRequest{AccessToken: "token-alice"}); err != nil {
			t.Fatal(err)
		}
		_, err = p.ListAccounts(&pmodel.ListAccountsRequest{AccessToken: "token-alice"})
		testenv.WantError(t, err, 401, "IIC.1604")
		_, err = ac.ListInstances(&model.ListInstancesRequest{})
		testenv.WantError(t, err, 401, "IIC.1410")
		if _, err := bc.ListInstances(&model.ListInstancesRequest{}); err != nil {
			t.Errorf("bob after alice's logout: %v", err)
		}
		if _, err := p.Logout(&pmodel.LogoutRequest{AccessToken: "token-bob"}); err != nil {
			t.Fatal(err)
		}
		_, err = bc.ListInstances(&model.ListInstancesRequest{})
		testenv.WantError(t, err, 401, "IIC.1410")
	})
}

// The portal API's tokens are the OIDC service's: a token it never issued
// is refused on every operation.
func TestPortalAPIRefusesUnknownTokens(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	p := srv.Portal(t)
	_, err := p.ListAccounts(&pmodel.ListAccountsRequest{AccessToken: "anything"})
	testenv.WantError(t, err, 401, "IIC.1604")
	_, err = p.Logout(&pmodel.LogoutRequest{AccessToken: "anything"})
	testenv.WantError(t, err, 401, "IIC.1604")
	if resp, _ := srv.Do(t, "GET", "/v1/credentials?target_account_id=x&agency_urn=y", nil, nil, false); resp.StatusCode != 401 {
		t.Errorf("no token: %d", resp.StatusCode)
	}
}
