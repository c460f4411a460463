package e2e

import (
	"net/url"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	pmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterportalapi/v1/model"
	stsmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/sts/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// A password reset by e-mail ends the temporary credentials the user got
// through the portal API under its terminal sign-in (an OIDC access token
// of the device grant), not only its web sessions' and the tokens: after
// the reset a signed call with them is 401 IIC.1410 on the server that
// issued them, at once. Another user's credentials live on.
func TestPasswordResetEndsPortalAPICredentials(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		mail := testenv.StartSMTP(t)
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, SMTPURL: mail.URL()})
		ins, storeID := srv.EnableIdentityCenter(t)
		c, sc, p := srv.Center(t), srv.IdentityStore(t), srv.Portal(t)
		mgmt := srv.App.Root.AccountID
		carol, _ := createUser(t, sc, storeID, "carol")
		dave, _ := createUser(t, sc, storeID, "dave")
		ps := createPS(t, c, ins, "ResetReader")
		if _, err := c.AttachManagedPolicyToPermissionSet(&model.AttachManagedPolicyToPermissionSetRequest{InstanceId: ins, PermissionSetId: *ps.PermissionSetId,
			Body: &model.AttachManagedPolicyToPermissionSetReqBody{ManagedPolicyId: policyID(t, "IdentityCenter ReadOnlyAccess")}}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{carol, dave} {
			if _, err := assign(c, ins, *ps.PermissionSetId, "USER", u, mgmt); err != nil {
				t.Fatal(err)
			}
			runJobs(t, srv)
		}
		urn := "iam::" + mgmt + ":agency:IdentityCenter_ResetReader"
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
		// Two terminal sign-ins of carol (two grants), one of dave.
		carol1, carol2, daves := login(t, srv, storeID, carol), login(t, srv, storeID, carol), login(t, srv, storeID, dave)
		mine := []held{issue(carol1.access), issue(carol1.access), issue(carol2.access)}
		theirs := issue(daves.access)
		for _, h := range append(mine, theirs) {
			if err := caller(h); err != nil {
				t.Fatalf("before the reset: %v", err)
			}
		}

		// Carol resets her password by e-mail.
		b := newBrowser(t, srv.URL)
		resp, page := b.get("/start/forgot?store=" + storeID)
		wantHTML(t, resp, page, 200, `name="username"`)
		resp, page = b.post("/start/forgot", url.Values{"csrf": {csrf(t, page)}, "store": {storeID}, "username": {"carol"}})
		wantHTML(t, resp, page, 200, "a link to reset its password is on its way")
		m, _ := mail.WaitFor(t, "carol@example.com", 0)
		_, link := linkIn(t, m)
		resp, page = b.get("/start/reset?token=" + url.QueryEscape(link))
		wantHTML(t, resp, page, 200, "Choose a new password")
		const pw = "Reset-Passw0rd-2026!"
		resp, page = b.post("/start/reset", url.Values{"csrf": {csrf(t, page)}, "token": {link}, "password": {pw}, "confirm": {pw}})
		wantHTML(t, resp, page, 200, "Your password was changed")

		for i, h := range mine {
			if err := caller(h); err == nil {
				t.Fatalf("carol's credentials %d still work after the reset", i)
			} else {
				testenv.WantError(t, err, 401, "IIC.1410")
			}
		}
		for _, lt := range []loginTokens{carol1, carol2} {
			_, err := p.GetAgencyCredentials(&pmodel.GetAgencyCredentialsRequest{AccessToken: lt.access, TargetAccountId: mgmt, AgencyUrn: urn})
			testenv.WantError(t, err, 401, "IIC.1604")
		}
		if err := caller(theirs); err != nil {
			t.Fatalf("dave's credentials after carol's reset: %v", err)
		}
	})
}
