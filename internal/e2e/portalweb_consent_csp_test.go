package e2e

import (
	"fmt"
	"net/url"
	"testing"

	oidcmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenteroidc/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// The consent page's Content-Security-Policy lets its form end at the
// client's redirect URI (browsers check a form's redirects against
// form-action: with 'self' alone, Allow and Deny stop at the portal); every
// other page keeps form-action 'self'.
func TestPortalWebConsentFormAction(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clk := &clock{}
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clk.now})
		_, storeID := srv.EnableIdentityCenter(t)
		b := newBrowser(t, srv.URL)
		totpUser(t, srv, b, clk, srv.IdentityStore(t), storeID, "alice", "Consent-Passw0rd-2026!")
		cl, _ := registerOIDCClient(t, srv.OIDC(t), oidcmodel.GetRegisterClientReqBodyGrantTypesEnum().AUTHORIZATION_CODE)
		_, challenge := pkcePair("c")
		const policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'%s; frame-ancestors 'none'; base-uri 'none'"
		for redirect, extra := range map[string]string{
			"http://127.0.0.1:7777/callback": " http://127.0.0.1:7777",
			"http://[::1]:8123/cb?x=1":       " http://[::1]:8123",
			"http://localhost:9000/":         " http://localhost:9000",
		} {
			q := url.Values{"client_id": {cl.id}, "redirect_uri": {redirect}, "response_type": {"code"}, "code_challenge": {challenge},
				"code_challenge_method": {"S256"}, "state": {"s"}, "scope": {"openid"}}
			resp, page := b.get("/start/authorize?" + q.Encode())
			wantHTML(t, resp, page, 200, "Allow iic-cli to access your account?")
			if got, want := resp.Header.Get("Content-Security-Policy"), fmt.Sprintf(policy, extra); got != want {
				t.Errorf("%s: Content-Security-Policy\n%s\nwant\n%s", redirect, got, want)
			}
		}
		resp, page := b.get("/start/mfa")
		wantHTML(t, resp, page, 200, "Your MFA devices")
		if got, want := resp.Header.Get("Content-Security-Policy"), fmt.Sprintf(policy, ""); got != want {
			t.Errorf("the devices page: Content-Security-Policy %s", got)
		}
	})
}
