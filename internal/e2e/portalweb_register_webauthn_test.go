package e2e

import (
	"net/url"
	"strings"
	"testing"

	ismodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// An administrator's registration link when a WebAuthn type is allowed:
// the page adds a security key or passkey (an authenticator app as the
// other choice when TOTP is allowed too), the ceremony cannot be finished
// from another browser, the link works once, and the new key signs in.
// With TOTP only, the link's page is the authenticator app's.
func TestPortalWebRegisterLinkWebAuthn(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clk := &clock{}
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clk.now, PublicHost: "localhost"})
		origin := srv.App.Config.PublicURL
		ins, storeID := srv.EnableIdentityCenter(t)
		c, sc := srv.Center(t), srv.IdentityStore(t)
		bob, otp := createUser(t, sc, storeID, "bob")
		setSSO(t, c, ins, "ALWAYS_ON", []string{"WEBAUTHN", "TOTP"}, "BLOCKED")
		link := func() (path, token string) {
			t.Helper()
			reg, err := sc.RegisterMfaDeviceForUser(&ismodel.RegisterMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: bob})
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(*reg.RedirectUrl)
			if err != nil {
				t.Fatal(err)
			}
			return u.RequestURI(), *reg.WorkFlow
		}

		path, token := link()
		b := newBrowser(t, srv.URL)
		resp, page := b.get(path)
		wantHTML(t, resp, page, 200, "Add a security key or passkey", `data-webauthn="create"`, `action="/start/mfa/register/webauthn"`,
			`id="webauthn-use-totp"`, `action="/start/mfa/register"`, "needs JavaScript", `href="/start">Cancel`)
		if hiddenField(t, page, "token") != token {
			t.Fatalf("the page's token is not the link's:\n%s", page)
		}
		opts := webauthnOptions(t, page)
		key := testenv.NewAuthenticator(t, origin)
		answer := key.Register(t, opts)

		// The same answer from another browser (another CSRF cookie) is
		// not its ceremony.
		other := newBrowser(t, srv.URL)
		resp, page = other.get(path)
		resp, page = other.post("/start/mfa/register/webauthn", url.Values{"csrf": {csrf(t, page)}, "token": {token}, "credential": {answer}, "name": {"Blue key"}})
		wantHTML(t, resp, page, 400, "IIC.1727", `id="webauthn-start"`)
		if ds := listDevices(t, sc, storeID, bob); len(ds[0].MfaDevices) != 0 {
			t.Fatalf("a device from another browser's answer: %+v", ds)
		}

		resp, page = b.get(path)
		preToken := csrf(t, page)
		resp, page = b.post("/start/mfa/register/webauthn", url.Values{"csrf": {preToken}, "token": {token}, "credential": {answer}, "name": {"Blue key"}})
		wantHTML(t, resp, page, 200, "Your MFA device is registered", "The security key or passkey is now an MFA device of your account.")
		ds := listDevices(t, sc, storeID, bob)
		if len(ds) != 1 || len(ds[0].MfaDevices) != 1 {
			t.Fatalf("bob's devices = %+v", ds)
		}
		if d := ds[0].MfaDevices[0]; d.MfaType != "WEBAUTHN" || d.DeviceName != "Security key" || d.DisplayName != "Blue key" {
			t.Fatalf("bob's device = %+v", d)
		}
		// The link is used up.
		resp, page = b.post("/start/mfa/register/webauthn", url.Values{"csrf": {preToken}, "token": {token}, "credential": {answer}})
		wantHTML(t, resp, page, 400, "IIC.1721")

		// The key signs bob in.
		page = toKeyStep(t, b, "bob", otp)
		resp, page = b.post("/start/signin/webauthn", url.Values{"csrf": {csrf(t, page)}, "credential": {key.Assert(t, webauthnOptions(t, page))}})
		wantRedirect(t, resp, page, "/start/signin/password")

		// A second link: the authenticator app instead, from the key page.
		path, token = link()
		b2 := newBrowser(t, srv.URL)
		resp, page = b2.get(path)
		resp, page = b2.post("/start/mfa/register", url.Values{"csrf": {csrf(t, page)}, "token": {token}})
		wantHTML(t, resp, page, 200, "Set up your authenticator app")

		// TOTP only: the app's page, no key; WebAuthn only: no app.
		setSSO(t, c, ins, "ALWAYS_ON", []string{"TOTP"}, "BLOCKED")
		resp, page = b2.get(path)
		wantHTML(t, resp, page, 200, "Register an MFA device", "Set up an authenticator app")
		if strings.Contains(page, "webauthn") {
			t.Fatalf("a key offered where only TOTP is allowed:\n%s", page)
		}
		setSSO(t, c, ins, "ALWAYS_ON", []string{"WEBAUTHN_SECURITY_KEY"}, "BLOCKED")
		resp, page = b2.get(path)
		wantHTML(t, resp, page, 200, "Add a security key or passkey", "passkeys built into a device are not allowed")
		if strings.Contains(page, `id="webauthn-use-totp"`) {
			t.Fatalf("an app offered where only security keys are allowed:\n%s", page)
		}
		// A dead token: the app's page, whose form says so.
		resp, page = b2.get("/start/mfa/register?token=no-such-token")
		wantHTML(t, resp, page, 200, "Set up an authenticator app")
	})
}
