package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/organizations/v1/model"

	"github.com/iic-project/iic/internal/api/orgs"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/organization"
	"github.com/iic-project/iic/internal/testenv"
)

// Member accounts through the SDK: CreateAccount is asynchronous and makes
// a real account (with its projects); members are listed, moved, updated,
// closed and removed; delegated administration of Identity Center is what
// Administrator answers; CheckMember tells members from strangers.
func TestMemberAccountsThroughSDK(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		c := srv.Orgs(t)
		ctx := context.Background()
		root := srv.App.Root.AccountID
		rootID := listRoot(t, c)

		resp, err := c.CreateAccount(&model.CreateAccountRequest{Body: &model.CreateAccountReqBody{Name: "dev", Email: ptr("dev@example.com"),
			Tags: &[]model.TagDto{{Key: "env", Value: "dev"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if st := resp.CreateAccountStatus; st.State != "in_progress" || !strings.HasPrefix(st.Id, "cas-") || st.AccountName != "dev" {
			t.Fatalf("CreateAccount = %+v", st)
		}
		st := srv.WaitCreateAccount(t, resp.CreateAccountStatus.Id)
		if st.State != "succeeded" || len(st.AccountId) != 32 || st.CompletedAt == nil {
			t.Fatalf("status = %+v", st)
		}
		dev := st.AccountId
		if ps, err := srv.App.Store.Projects().ListByAccount(ctx, dev); err != nil || len(ps) != len(srv.App.Config.Regions) {
			t.Fatalf("projects of the new account = %d, %v", len(ps), err)
		}
		_, err = c.CreateAccount(&model.CreateAccountRequest{Body: &model.CreateAccountReqBody{Name: "dev"}})
		testenv.WantError(t, err, 409, "IIC.1257")
		for _, bad := range []string{"", "1abc", "has space", strings.Repeat("a", 65)} {
			_, err = c.CreateAccount(&model.CreateAccountRequest{Body: &model.CreateAccountReqBody{Name: bad}})
			testenv.WantError(t, err, 400, "IIC.400")
		}
		// A name taken outside the organization fails asynchronously.
		qa := srv.CreateMemberAccount(t, "qa")
		if _, err := c.RemoveAccount(&model.RemoveAccountRequest{AccountId: qa}); err != nil {
			t.Fatal(err)
		}
		again, err := c.CreateAccount(&model.CreateAccountRequest{Body: &model.CreateAccountReqBody{Name: "qa"}})
		if err != nil {
			t.Fatal(err)
		}
		if st := srv.WaitCreateAccount(t, again.CreateAccountStatus.Id); st.State != "failed" || st.FailureReason == nil || *st.FailureReason != organization.FailureNameExists {
			t.Fatalf("status of a taken name = %+v", st)
		}
		failed, err := c.ListCreateAccountStatuses(&model.ListCreateAccountStatusesRequest{States: &[]model.ListCreateAccountStatusesRequestStates{
			model.GetListCreateAccountStatusesRequestStatesEnum().FAILED}})
		if err != nil || len(*failed.CreateAccountStatuses) != 1 || (*failed.CreateAccountStatuses)[0].AccountName != "qa" {
			t.Fatalf("failed statuses = %+v, %v", failed, err)
		}
		_, err = c.ShowCreateAccountStatus(&model.ShowCreateAccountStatusRequest{CreateAccountStatusId: "cas-missing"})
		testenv.WantError(t, err, 404, "IIC.404")

		shown, err := c.ShowAccount(&model.ShowAccountRequest{AccountId: dev, WithRegisterContactInfo: ptr(true)})
		if err != nil || shown.Account.Name != "dev" || shown.Account.Email == nil || *shown.Account.Email != "dev@example.com" || shown.Account.JoinMethod != "created" {
			t.Fatalf("ShowAccount = %+v, %v", shown, err)
		}
		_, err = c.ShowAccount(&model.ShowAccountRequest{AccountId: qa})
		testenv.WantError(t, err, 400, "IIC.1210")
		upd, err := c.UpdateAccount(&model.UpdateAccountRequest{AccountId: dev, Body: &model.UpdateAccountReqBody{Description: ptr("developers")}})
		if err != nil || upd.Account.Description == nil || *upd.Account.Description != "developers" {
			t.Fatalf("UpdateAccount = %+v, %v", upd, err)
		}
		ou, err := c.CreateOrganizationalUnit(&model.CreateOrganizationalUnitRequest{Body: &model.CreateOrganizationalUnitReqBody{Name: "eng", ParentId: rootID}})
		if err != nil {
			t.Fatal(err)
		}
		move := func(src, dst string) error {
			_, err := c.MoveAccount(&model.MoveAccountRequest{AccountId: dev, Body: &model.MoveAccountReqBody{SourceParentId: src, DestinationParentId: dst}})
			return err
		}
		testenv.WantError(t, move(ou.OrganizationalUnit.Id, rootID), 400, "IIC.400")
		testenv.WantError(t, move(rootID, "ou-missing"), 404, "IIC.404")
		if err := move(rootID, ou.OrganizationalUnit.Id); err != nil {
			t.Fatal(err)
		}
		under, err := c.ListAccounts(&model.ListAccountsRequest{ParentId: &ou.OrganizationalUnit.Id})
		if err != nil || len(*under.Accounts) != 1 || (*under.Accounts)[0].Id != dev || (*under.Accounts)[0].Email != nil {
			t.Fatalf("ListAccounts(eng) = %+v, %v", under, err)
		}
		_, err = c.DeleteOrganizationalUnit(&model.DeleteOrganizationalUnitRequest{OrganizationalUnitId: ou.OrganizationalUnit.Id})
		testenv.WantError(t, err, 400, "IIC.400")

		// Identity Center administration: a plain member is refused; its
		// registration as delegated administrator makes it pass.
		if _, err := srv.App.Organizations.Administrator(ctx, dev); !apierr.IIC1215.Is(err) {
			t.Fatalf("Administrator(member) = %v", err)
		}
		ak, sk := srv.AccountKeys(t, dev)
		member := srv.OrgsAs(t, ak, sk, dev)
		_, err = member.ListAccounts(&model.ListAccountsRequest{})
		testenv.WantError(t, err, 403, "IIC.1215")
		_, err = member.CreateOrganizationalUnit(&model.CreateOrganizationalUnitRequest{Body: &model.CreateOrganizationalUnitReqBody{Name: "x", ParentId: rootID}})
		testenv.WantError(t, err, 403, "IIC.1215")
		if o, err := member.ShowOrganization(&model.ShowOrganizationRequest{}); err != nil || o.Organization.ManagementAccountId != root {
			t.Fatalf("a member's ShowOrganization = %+v, %v", o, err)
		}
		reg := func(account, svc string) error {
			_, err := c.RegisterDelegatedAdministrator(&model.RegisterDelegatedAdministratorRequest{Body: &model.DelegatedAdministratorReqBody{AccountId: account, ServicePrincipal: svc}})
			return err
		}
		testenv.WantError(t, reg(root, organization.IdentityCenterPrincipal), 400, "IIC.400")
		testenv.WantError(t, reg(dev, "service.Other"), 400, "IIC.400")
		testenv.WantError(t, reg(qa, organization.IdentityCenterPrincipal), 400, "IIC.1210")
		if err := reg(dev, organization.IdentityCenterPrincipal); err != nil {
			t.Fatal(err)
		}
		testenv.WantError(t, reg(dev, organization.IdentityCenterPrincipal), 409, "IIC.1257")
		if got, err := srv.App.Organizations.Administrator(ctx, dev); err != nil || got != root {
			t.Fatalf("Administrator(delegate) = %q, %v", got, err)
		}
		if _, err := member.ListAccounts(&model.ListAccountsRequest{}); err != nil {
			t.Fatalf("a delegated administrator reads: %v", err)
		}
		das, err := c.ListDelegatedAdministrators(&model.ListDelegatedAdministratorsRequest{ServicePrincipal: ptr(organization.IdentityCenterPrincipal)})
		if err != nil || len(*das.DelegatedAdministrators) != 1 || (*das.DelegatedAdministrators)[0].AccountName != "dev" {
			t.Fatalf("ListDelegatedAdministrators = %+v, %v", das, err)
		}
		dss, err := c.ListDelegatedServices(&model.ListDelegatedServicesRequest{AccountId: dev})
		if err != nil || len(*dss.DelegatedServices) != 1 || (*dss.DelegatedServices)[0].ServicePrincipal != organization.IdentityCenterPrincipal {
			t.Fatalf("ListDelegatedServices = %+v, %v", dss, err)
		}
		// CheckMember: members, strangers, nobody.
		if err := srv.App.Organizations.CheckMember(ctx, root, dev); err != nil {
			t.Fatalf("CheckMember(dev) = %v", err)
		}
		if err := srv.App.Organizations.CheckMember(ctx, root, qa); !apierr.IIC1291.Is(err) {
			t.Fatalf("CheckMember(removed) = %v", err)
		}
		if err := srv.App.Organizations.CheckMember(ctx, root, strings.Repeat("0", 32)); !apierr.IIC1210_400.Is(err) {
			t.Fatalf("CheckMember(nobody) = %v", err)
		}
		// Disabling Identity Center as a trusted service ends it all.
		if _, err := c.EnableTrustedService(&model.EnableTrustedServiceRequest{Body: &model.TrustedServiceReqBody{ServicePrincipal: organization.IdentityCenterPrincipal}}); err != nil {
			t.Fatalf("enabling an enabled service: %v", err)
		}
		if _, err := c.DisableTrustedService(&model.DisableTrustedServiceRequest{Body: &model.TrustedServiceReqBody{ServicePrincipal: organization.IdentityCenterPrincipal}}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DisableTrustedService(&model.DisableTrustedServiceRequest{Body: &model.TrustedServiceReqBody{ServicePrincipal: organization.IdentityCenterPrincipal}})
		testenv.WantError(t, err, 404, "IIC.404")
		if _, err := srv.App.Organizations.Administrator(ctx, root); !apierr.IIC1221.Is(err) {
			t.Fatalf("Administrator(root) without the trusted service = %v", err)
		}
		if _, err := srv.App.Organizations.Administrator(ctx, dev); !apierr.IIC1215.Is(err) {
			t.Fatalf("Administrator(former delegate) = %v", err)
		}
		_, err = c.DeregisterDelegatedAdministrator(&model.DeregisterDelegatedAdministratorRequest{Body: &model.DelegatedAdministratorReqBody{AccountId: dev, ServicePrincipal: organization.IdentityCenterPrincipal}})
		testenv.WantError(t, err, 404, "IIC.404")

		// Tags on accounts.
		if _, err := c.TagResource(&model.TagResourceRequest{ResourceId: dev, Body: &model.TagResourceReqBody{Tags: []model.TagDto{{Key: "team", Value: "a"}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UntagResource(&model.UntagResourceRequest{ResourceId: dev, Body: &model.UntagResourceReqBody{TagKeys: []string{"env"}}}); err != nil {
			t.Fatal(err)
		}
		tags, err := c.ListTagsForResource(&model.ListTagsForResourceRequest{ResourceId: dev})
		if err != nil || len(*tags.Tags) != 1 || (*tags.Tags)[0].Key != "team" {
			t.Fatalf("ListTagsForResource = %+v, %v", tags, err)
		}
		_, err = c.TagResource(&model.TagResourceRequest{ResourceId: qa, Body: &model.TagResourceReqBody{Tags: []model.TagDto{{Key: "k", Value: "v"}}}})
		testenv.WantError(t, err, 404, "IIC.404")

		// Closing.
		if _, err := c.CloseAccount(&model.CloseAccountRequest{AccountId: dev}); err != nil {
			t.Fatal(err)
		}
		_, err = c.CloseAccount(&model.CloseAccountRequest{AccountId: dev})
		testenv.WantError(t, err, 400, "IIC.400")
		_, err = c.CloseAccount(&model.CloseAccountRequest{AccountId: root})
		testenv.WantError(t, err, 400, "IIC.400")
		cl, err := c.ListCloseAccountStatuses(&model.ListCloseAccountStatusesRequest{})
		if err != nil || len(*cl.CloseAccountStatuses) != 1 || (*cl.CloseAccountStatuses)[0].State != "pending_closure" {
			t.Fatalf("ListCloseAccountStatuses = %+v, %v", cl, err)
		}
		if err := srv.App.Organizations.CheckMember(ctx, root, dev); !apierr.IIC1210_400.Is(err) {
			t.Fatalf("CheckMember(closing) = %v", err)
		}
		_, err = c.DeleteOrganization(&model.DeleteOrganizationRequest{})
		testenv.WantError(t, err, 400, "IIC.400")
	})
}

// Every organizations operation of the SDK that iic does not implement
// answers 400 IIC.400 naming it.
func TestUnsupportedOrganizationsOperations(t *testing.T) {
	srv := testenv.Start(t, testenv.Options{})
	if len(orgs.Unsupported) != 39 {
		t.Fatalf("%d unsupported operations, want 39", len(orgs.Unsupported))
	}
	for _, op := range orgs.Unsupported {
		method, path, _ := strings.Cut(op.Pattern, " ")
		path = sdkPathVar.ReplaceAllString(path, "x-1")
		resp, body := srv.Do(t, method, path, []byte(`{}`), nil, true)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"IIC.400"`) || !strings.Contains(string(body), op.Name) {
			t.Errorf("%s %s: %d %s", method, path, resp.StatusCode, body)
		}
	}
	// A path the SDK does not have stays a 404.
	if resp, _ := srv.Do(t, "GET", "/v1/organizations/no/such/thing", nil, nil, true); resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
}
