package e2e

import (
	"net/url"
	"testing"
	"time"

	ismodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// An expired password (IIC.1706) through the pages: after the MFA step the
// sign-in asks for a new one, which the store's policy checks (no reuse);
// then the session opens, and the old password is dead.
func TestPortalWebExpiredPassword(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clk := &clock{}
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clk.now})
		_, storeID := srv.EnableIdentityCenter(t)
		sc := srv.IdentityStore(t)
		const oldPassword, newPassword = "Aging-Passw0rd-2026!", "Fresh-Passw0rd-2026!"
		_, secret := totpUser(t, srv, newBrowser(t, srv.URL), clk, sc, storeID, "erin", oldPassword)
		if _, err := sc.UpdatePasswordPolicy(&ismodel.UpdatePasswordPolicyRequest{IdentityStoreId: storeID, Body: &ismodel.UpdatePasswordPolicyReqBody{
			PasswordPolicy: &ismodel.PasswordPolicyDto{MaxPasswordAge: ptr(int32(1))}}}); err != nil {
			t.Fatal(err)
		}
		// Within the day the password still signs in.
		resp, page := signInTOTP(t, newBrowser(t, srv.URL), clk, "/start", "erin", oldPassword, secret)
		wantRedirect(t, resp, page, "/start")

		clk.advance(25 * time.Hour)
		b := newBrowser(t, srv.URL)
		resp, page = signInTOTP(t, b, clk, "/start", "erin", oldPassword, secret)
		wantRedirect(t, resp, page, "/start/signin/password")
		if b.cookie("iic_session") != "" {
			t.Fatal("a session before the expired password was replaced")
		}
		resp, page = b.follow(resp, page)
		wantHTML(t, resp, page, 200, "Your password has expired", "User expired.", "IIC.1706", `autocomplete="new-password"`)
		resp, page = b.get("/start/mfa")
		wantRedirect(t, resp, page, "/start?next=%2Fstart%2Fmfa")
		resp, page = b.get("/start/signin/password")
		form := url.Values{"csrf": {csrf(t, page)}, "password": {oldPassword}, "confirm": {oldPassword}}
		resp, page = b.post("/start/signin/password", form)
		wantHTML(t, resp, page, 400, "IIC.1315")
		form.Set("password", newPassword)
		form.Set("confirm", newPassword)
		resp, page = b.post("/start/signin/password", form)
		wantRedirect(t, resp, page, "/start")
		resp, page = b.get("/start")
		wantHTML(t, resp, page, 200, "Your accounts", "Signed in as")

		// The old password is refused; the new one signs in without a
		// change.
		o := newBrowser(t, srv.URL)
		resp, page = o.get("/start")
		resp, page = o.post("/start/signin", url.Values{"csrf": {csrf(t, page)}, "username": {"erin"}, "password": {oldPassword}})
		wantHTML(t, resp, page, 400, "IIC.1707")
		resp, page = signInTOTP(t, o, clk, "/start", "erin", newPassword, secret)
		wantRedirect(t, resp, page, "/start")
	})
}
