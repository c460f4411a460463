package e2e

import (
	"html"
	"net/url"
	"regexp"
	"testing"

	ics "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1"
	ismodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// totpUser creates user name with a TOTP device (registered through the
// administrator's link) and a password of its own (set at a first sign-in,
// which b stays signed in from); it returns the user id, the password and
// the device's key.
func totpUser(t *testing.T, srv *testenv.Server, b *browser, clk *clock, sc *ics.IdentityCenterStoreClient, storeID, name, password string) (string, string) {
	t.Helper()
	id, otp := createUser(t, sc, storeID, name)
	reg, err := sc.RegisterMfaDeviceForUser(&ismodel.RegisterMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: id})
	if err != nil {
		t.Fatal(err)
	}
	link, err := url.Parse(*reg.RedirectUrl)
	if err != nil {
		t.Fatal(err)
	}
	resp, page := b.get(link.RequestURI())
	wantHTML(t, resp, page, 200, "Register an MFA device")
	resp, page = b.post("/start/mfa/register", url.Values{"csrf": {csrf(t, page)}, "token": {*reg.WorkFlow}})
	wantHTML(t, resp, page, 200, "Set up your authenticator app")
	secret := totpKeyElem.FindStringSubmatch(page)[1]
	resp, page = b.post("/start/mfa/register/confirm", url.Values{"csrf": {csrf(t, page)}, "token": {*reg.WorkFlow}, "name": {"Phone"}, "code": {clk.code(t, secret)}})
	wantHTML(t, resp, page, 200, "Your MFA device is registered")
	resp, page = signInTOTP(t, b, clk, "/start", name, otp, secret)
	wantRedirect(t, resp, page, "/start/signin/password")
	resp, page = b.follow(resp, page)
	resp, page = b.post("/start/signin/password", url.Values{"csrf": {csrf(t, page)}, "password": {password}, "confirm": {password}})
	wantRedirect(t, resp, page, "/start")
	return id, secret
}

func regexpField(name string) *regexp.Regexp {
	return regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`)
}

func unescape(s string) string { return html.UnescapeString(s) }
