package e2e

import (
	"testing"

	smodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

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
		sc := srv.IdentityStore(t)
		erin, _ := createUser(t, sc, storeID, "erin")
		frank, _ := createUser(t, sc, storeID, "frank")
		a := newAgencyReader(t, srv, ins, "AdminResetReader", erin, frank)
		erin1, erin2, franks := login(t, srv, storeID, erin), login(t, srv, storeID, erin), login(t, srv, storeID, frank)
		mine := []heldCredentials{a.issue(erin1.access), a.issue(erin2.access)}
		theirs := a.issue(franks.access)
		for _, h := range append(mine, theirs) {
			if err := a.call(h); err != nil {
				t.Fatalf("before the reset: %v", err)
			}
		}

		out, err := sc.ResetPwdMode(&smodel.ResetPwdModeRequest{IdentityStoreId: storeID, UserId: erin,
			Body: &smodel.UpdatePwdModeReqBody{Mode: smodel.GetUpdatePwdModeReqBodyModeEnum().OTP}})
		if err != nil {
			t.Fatalf("ResetPwdMode(OTP) = %+v, %v", out, err)
		}
		for _, h := range mine {
			a.wantDead(h, "erin's credentials after the administrator's reset")
		}
		_, err = a.getCredentials(erin1.access)
		testenv.WantError(t, err, 401, "IIC.1604")
		if err := a.call(theirs); err != nil {
			t.Fatalf("frank's credentials after erin's reset: %v", err)
		}

		// Deleting a user (its access through a group, so that no account
		// assignment names it) ends its sign-ins and their credentials.
		gina, _ := createUser(t, sc, storeID, "gina")
		readers := createGroup(t, sc, storeID, "admin-reset-readers")
		if _, err := addMember(sc, storeID, readers, gina); err != nil {
			t.Fatal(err)
		}
		a.assign("GROUP", readers)
		ginas := a.issue(login(t, srv, storeID, gina).access)
		if err := a.call(ginas); err != nil {
			t.Fatalf("gina's credentials: %v", err)
		}
		if _, err := sc.DeleteUser(&smodel.DeleteUserRequest{IdentityStoreId: storeID, UserId: gina}); err != nil {
			t.Fatal(err)
		}
		a.wantDead(ginas, "gina's credentials after DeleteUser")

		// Disabling frank ends his sign-ins and their credentials too.
		if _, err := sc.DisableUser(&smodel.DisableUserRequest{IdentityStoreId: storeID, UserId: frank}); err != nil {
			t.Fatal(err)
		}
		a.wantDead(theirs, "frank's credentials after DisableUser")
	})
}
