package e2e

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	pmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterportalapi/v1/model"
	smodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"
	stsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sts/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// An administrator's one-time-password reset (ResetPwdMode OTP) signs the
// user out everywhere, and the temporary credentials the user got through
// the portal API under its terminal sign-ins die with those sign-ins: a
// signed call with them is 401 IIC.1410 at once. Another user's live on,
// until that user is deleted or disabled.
func TestAdminPasswordResetEndsPortalAPICredentials(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		srv := testenv.Start(t, testenv.Options{Dialect: dialect})
		ins, storeID := srv.EnableIdentityCenter(t)
		c, sc, p := srv.Center(t), srv.IdentityStore(t), srv.Portal(t)
		mgmt := srv.App.Root.AccountID
		erin, _ := createUser(t, sc, storeID, "erin")
		frank, _ := createUser(t, sc, storeID, "frank")
		ps := createPS(t, c, ins, "AdminResetReader")
		if _, err := c.AttachManagedPolicyToPermissionSet(&model.AttachManagedPolicyToPermissionSetRequest{InstanceId: ins, PermissionSetId: *ps.PermissionSetId,
			Body: &model.AttachManagedPolicyToPermissionSetReqBody{ManagedPolicyId: policyID(t, "IdentityCenter ReadOnlyAccess")}}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{erin, frank} {
			if _, err := assign(c, ins, *ps.PermissionSetId, "USER", u, mgmt); err != nil {
				t.Fatal(err)
			}
			runJobs(t, srv)
		}
		urn := "iam::" + mgmt + ":agency:IdentityCenter_AdminResetReader"
		type held struct{ ak, sk, token string }
		issue := func(access string) held {
			t.Helper()
			out, err := p.GetAgencyCredentials(&pmodel.GetAgencyCredentialsRequest{AccessToken: access, TargetAccountId: mgmt, AgencyUrn: urn})
			if err != nil {
				t.Fatalf("GetAgencyCredentials: %v", err)
			}
			cr := out.AgencyCredentials
			return held{*cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken}
		}
		caller := func(h held) error {
			_, err := srv.STSAs(t, h.ak, h.sk, h.token).GetCallerIdentity(&stsmodel.GetCallerIdentityRequest{})
			return err
		}
		erin1, erin2, franks := login(t, srv, storeID, erin), login(t, srv, storeID, erin), login(t, srv, storeID, frank)
		mine := []held{issue(erin1.access), issue(erin2.access)}
		theirs := issue(franks.access)
		for _, h := range append(mine, theirs) {
			if err := caller(h); err != nil {
				t.Fatalf("before the reset: %v", err)
			}
		}

		out, err := sc.ResetPwdMode(&smodel.ResetPwdModeRequest{IdentityStoreId: storeID, UserId: erin,
			Body: &smodel.UpdatePwdModeReqBody{Mode: smodel.GetUpdatePwdModeReqBodyModeEnum().OTP}})
		if err != nil {
			t.Fatalf("ResetPwdMode(OTP) = %+v, %v", out, err)
		}
		for i, h := range mine {
			if err := caller(h); err == nil {
				t.Fatalf("erin's credentials %d still work after the administrator's reset", i)
			} else {
				testenv.WantError(t, err, 401, "IIC.1410")
			}
		}
		_, err = p.GetAgencyCredentials(&pmodel.GetAgencyCredentialsRequest{AccessToken: erin1.access, TargetAccountId: mgmt, AgencyUrn: urn})
		testenv.WantError(t, err, 401, "IIC.1604")
		if err := caller(theirs); err != nil {
			t.Fatalf("frank's credentials after erin's reset: %v", err)
		}

		// Deleting a user (its access through a group, so that no account
		// assignment names it) ends its sign-ins and their credentials.
		gina, _ := createUser(t, sc, storeID, "gina")
		readers := createGroup(t, sc, storeID, "admin-reset-readers")
		if _, err := addMember(sc, storeID, readers, gina); err != nil {
			t.Fatal(err)
		}
		if _, err := assign(c, ins, *ps.PermissionSetId, "GROUP", readers, mgmt); err != nil {
			t.Fatal(err)
		}
		runJobs(t, srv)
		ginas := issue(login(t, srv, storeID, gina).access)
		if err := caller(ginas); err != nil {
			t.Fatalf("gina's credentials: %v", err)
		}
		if _, err := sc.DeleteUser(&smodel.DeleteUserRequest{IdentityStoreId: storeID, UserId: gina}); err != nil {
			t.Fatal(err)
		}
		if err := caller(ginas); err == nil {
			t.Fatal("gina's credentials still work after DeleteUser")
		} else {
			testenv.WantError(t, err, 401, "IIC.1410")
		}

		// Disabling frank ends his sign-ins and their credentials too.
		if _, err := sc.DisableUser(&smodel.DisableUserRequest{IdentityStoreId: storeID, UserId: frank}); err != nil {
			t.Fatal(err)
		}
		if err := caller(theirs); err == nil {
			t.Fatal("frank's credentials still work after DisableUser")
		} else {
			testenv.WantError(t, err, 401, "IIC.1410")
		}
	})
}
