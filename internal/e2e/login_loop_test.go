package e2e

import (
	"context"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	pmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterportalapi/v1/model"
	stsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sts/v1/model"

	"github.com/iic-project/iic/internal/oidc"
	"github.com/iic-project/iic/internal/testenv"
)

// The loop a CLI user lives in, through the real SDKs and the server's own
// OIDC service: register a client, start the device grant, the user
// approves (what the portal's verification page calls once the user signed
// in; TestPortalWeb drives that page), CreateToken, the
// portal API lists the assigned account and agency, GetAgencyCredentials,
// the credentials work where the permission set allows and are 403
// IIC.1000 where it does not, GetCallerIdentity shows the agency session,
// and Logout kills the token, its refresh token and the credentials.
func TestLoginLoopThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		ins, storeID := srv.EnableIdentityCenter(t)
		c, sc, p, oc := srv.Center(t), srv.IdentityStore(t), srv.Portal(t), srv.OIDC(t)
		mgmt := srv.App.Root.AccountID

		alice := readOnlyUser(t, srv, c, sc, ins, storeID)

		cl, _ := registerOIDCClient(t, oc)
		d := startDevice(t, oc, cl, srv.App.Config.PublicURL+"/start")
		_, err := pollDevice(oc, cl, *d.DeviceCode)
		testenv.WantError(t, err, 400, "IIC.1608")
		if err := srv.App.OIDC.ApproveDevice(ctx, *d.UserCode, oidc.UserRef{IdentityStoreID: storeID, UserID: alice}, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		tok, err := pollDevice(oc, cl, *d.DeviceCode)
		if err != nil {
			t.Fatal(err)
		}
		access, refreshTok := *tok.TokenInfo.AccessToken, *tok.TokenInfo.RefreshToken

		accts, err := p.ListAccounts(&pmodel.ListAccountsRequest{AccessToken: access})
		if err != nil || len(*accts.AccountList) != 1 || *(*accts.AccountList)[0].AccountId != mgmt {
			t.Fatalf("ListAccounts = %+v, %v", accts, err)
		}
		ags, err := p.ListAccountAgencies(&pmodel.ListAccountAgenciesRequest{AccessToken: access, AccountId: mgmt})
		if err != nil || len(*ags.AgencyList) != 1 {
			t.Fatalf("ListAccountAgencies = %+v, %v", ags, err)
		}
		urn := *(*ags.AgencyList)[0].AgencyUrn
		cr, err := p.GetAgencyCredentials(&pmodel.GetAgencyCredentialsRequest{AccessToken: access, TargetAccountId: mgmt, AgencyUrn: urn})
		if err != nil {
			t.Fatal(err)
		}
		ak, sk, st := *cr.AgencyCredentials.AccessKeyId, *cr.AgencyCredentials.SecretAccessKey, *cr.AgencyCredentials.SessionToken
		tc := srv.CenterAs(t, ak, sk, st, nil)
		if _, err := tc.ListInstances(&model.ListInstancesRequest{}); err != nil {
			t.Errorf("ListInstances with the ReadOnly agency: %v", err)
		}
		_, err = tc.CreatePermissionSet(&model.CreatePermissionSetRequest{InstanceId: ins, Body: &model.CreatePermissionSetReqBody{Name: "Nope"}})
		testenv.WantError(t, err, 403, "IIC.1000")
		who, err := srv.STSAs(t, ak, sk, st).GetCallerIdentity(&stsmodel.GetCallerIdentityRequest{})
		if err != nil || *who.PrincipalUrn != "sts::"+mgmt+":assumed-agency:IdentityCenter_ReadOnly/alice" {
			t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
		}

		if _, err := p.Logout(&pmodel.LogoutRequest{AccessToken: access}); err != nil {
			t.Fatal(err)
		}
		_, err = p.ListAccounts(&pmodel.ListAccountsRequest{AccessToken: access})
		testenv.WantError(t, err, 401, "IIC.1604")
		_, err = tc.ListInstances(&model.ListInstancesRequest{})
		testenv.WantError(t, err, 401, "IIC.1410")
		_, err = refresh(t, oc, cl, refreshTok)
		testenv.WantError(t, err, 401, "IIC.1604")
	})
}
