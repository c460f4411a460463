package e2e

import (
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

var mailedCode = regexp.MustCompile(`code is (\d{6})`)

// "Send a new code" on the e-mailed-code step: CSRF, not at once, a new
// mail whose code works while the old one does not.
func TestPortalWebResendEmailCode(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clk := &clock{}
		mail := testenv.StartSMTP(t)
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clk.now, SMTPURL: mail.URL()})
		ins, storeID := srv.EnableIdentityCenter(t)
		c, sc := srv.Center(t), srv.IdentityStore(t)
		_, davePassword := createUser(t, sc, storeID, "dave")
		if _, err := c.UpdateSsoConfiguration(&model.UpdateSsoConfigurationRequest{InstanceId: ins, Body: &model.UpdateSsoConfigurationReqBody{
			ConfigurationType: enum[model.UpdateSsoConfigurationReqBodyConfigurationType]("APP_AUTHENTICATION_CONFIGURATION"),
			SsoConfiguration:  &model.SsoConfigurationDto{NoMfaSigninBehavior: ptr(enum[model.SsoConfigurationDtoNoMfaSigninBehavior]("EMAIL_OTP"))}}}); err != nil {
			t.Fatal(err)
		}
		d := newBrowser(t, srv.URL)
		resp, page := d.get("/start")
		resp, page = d.post("/start/signin", url.Values{"csrf": {csrf(t, page)}, "username": {"dave"}, "password": {davePassword}})
		wantRedirect(t, resp, page, "/start/signin/email")
		resp, page = d.follow(resp, page)
		wantHTML(t, resp, page, 200, "Check your e-mail", `action="/start/signin/email/resend"`, "Send a new code")
		m, n := mail.WaitFor(t, "dave@example.com", 0)
		first := mailedCode.FindStringSubmatch(m.Data)[1]
		token := csrf(t, page)

		resp, _ = d.post("/start/signin/email/resend", url.Values{})
		if resp.StatusCode != 403 {
			t.Fatalf("resend without CSRF = %d", resp.StatusCode)
		}
		resp, page = d.post("/start/signin/email/resend", url.Values{"csrf": {token}})
		wantHTML(t, resp, page, 400, "Try again later.", "IIC.1722")
		clk.advance(30 * time.Second)
		resp, page = d.post("/start/signin/email/resend", url.Values{"csrf": {token}})
		wantRedirect(t, resp, page, "/start/signin/email?resent=1")
		resp, page = d.follow(resp, page)
		wantHTML(t, resp, page, 200, "We sent a new code. The earlier one no longer works.")
		m, _ = mail.WaitFor(t, "dave@example.com", n+1)
		second := mailedCode.FindStringSubmatch(m.Data)[1]
		if second != first {
			resp, page = d.post("/start/signin/email", url.Values{"csrf": {token}, "code": {first}})
			wantHTML(t, resp, page, 400, "IIC.1741")
		}
		resp, page = d.post("/start/signin/email", url.Values{"csrf": {token}, "code": {second}})
		wantRedirect(t, resp, page, "/start/signin/password")
	})
}
