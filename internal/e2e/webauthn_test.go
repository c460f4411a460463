package e2e

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	ic "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// setSSO sets the instance's mfa_mode, allowed_mfa_types and
// no_mfa_signin_behavior.
func setSSO(t *testing.T, c *ic.IdentityCenterClient, ins, mode string, types []string, noMFA string) {
	t.Helper()
	allowed := []model.SsoConfigurationDtoAllowedMfaTypes{}
	for _, v := range types {
		allowed = append(allowed, enum[model.SsoConfigurationDtoAllowedMfaTypes](v))
	}
	if _, err := c.UpdateSsoConfiguration(&model.UpdateSsoConfigurationRequest{InstanceId: ins, Body: &model.UpdateSsoConfigurationReqBody{
		ConfigurationType: enum[model.UpdateSsoConfigurationReqBodyConfigurationType]("APP_AUTHENTICATION_CONFIGURATION"),
		SsoConfiguration: &model.SsoConfigurationDto{MfaMode: ptr(enum[model.SsoConfigurationDtoMfaMode](mode)), AllowedMfaTypes: &allowed,
			NoMfaSigninBehavior: ptr(enum[model.SsoConfigurationDtoNoMfaSigninBehavior](noMFA))}}}); err != nil {
		t.Fatal(err)
	}
}

func devicePermission(t *testing.T, c *ic.IdentityCenterClient, ins, storeID, perm string) {
	t.Helper()
	if _, err := c.PutMfaDeviceManagementForIdentityStore(&model.PutMfaDeviceManagementForIdentityStoreRequest{InstanceId: ins,
		Body: &model.PutMfaDeviceManagementForDirectoryReqBody{IdentityStoreId: storeID,
			UserPermission: enum[model.PutMfaDeviceManagementForDirectoryReqBodyUserPermission](perm)}}); err != nil {
		t.Fatal(err)
	}
}

var webauthnOptionsElem = regexp.MustCompile(`id="webauthn-options" value="([^"]*)"`)

// webauthnOptions are the ceremony options a WebAuthn page carries.
func webauthnOptions(t *testing.T, page string) string {
	t.Helper()
	m := webauthnOptionsElem.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no #webauthn-options in the page:\n%s", page)
	}
	return html.UnescapeString(m[1])
}

func hiddenField(t *testing.T, page, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + name + `" value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no field %s in the page:\n%s", name, page)
	}
	return html.UnescapeString(m[1])
}

// toKeyStep signs b in with a password up to the security-key page and
// returns it.
func toKeyStep(t *testing.T, b *browser, user, password string) string {
	t.Helper()
	resp, page := b.get("/start")
	resp, page = b.post("/start/signin", url.Values{"csrf": {csrf(t, page)}, "username": {user}, "password": {password}})
	wantRedirect(t, resp, page, "/start/signin/mfa")
	resp, page = b.get("/start/signin/mfa")
	wantHTML(t, resp, page, 200, "Use your security key or passkey", `id="webauthn-start"`, `data-webauthn="get"`)
	return page
}

// The portal with security keys and passkeys, driven over HTTP with a
// software authenticator: enrolment at sign-in, a second key from the
// devices page (listed through the SDK), sign-in with a key, and what is
// refused: a replayed assertion, another origin, another RP ID, a counter
// that goes back, a kind of key the instance does not allow; a user whose
// only device is a key under WEBAUTHN and under TOTP only.
func TestPortalWebAuthn(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clk := &clock{}
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clk.now, PublicHost: "localhost"})
		origin := srv.App.Config.PublicURL
		ins, storeID := srv.EnableIdentityCenter(t)
		c, sc := srv.Center(t), srv.IdentityStore(t)
		alice, otp := createUser(t, sc, storeID, "alice")
		setSSO(t, c, ins, "ALWAYS_ON", []string{"WEBAUTHN"}, "ALLOWED_WITH_ENROLLMENT")
		const password = "Portal-Passw0rd-2026!"

		// Enrolment at sign-in: the page needs JavaScript and says so; no
		// authenticator app is offered (not allowed).
		b := newBrowser(t, srv.URL)
		resp, page := b.get("/start")
		resp, page = b.post("/start/signin", url.Values{"csrf": {csrf(t, page)}, "username": {"alice"}, "password": {otp}})
		wantRedirect(t, resp, page, "/start/signin/enrol")
		resp, page = b.get("/start/signin/enrol")
		wantHTML(t, resp, page, 200, "Add a security key or passkey", `id="webauthn-start"`, `id="webauthn-name"`, `data-webauthn="create"`,
			"needs JavaScript", `src="/start/assets/webauthn.js?v=`)
		if strings.Contains(page, "authenticator app") || strings.Contains(page, "<script>") {
			t.Fatalf("enrolment page offers an app or has inline script:\n%s", page)
		}
		key := testenv.NewAuthenticator(t, origin)
		form := url.Values{"csrf": {csrf(t, page)}, "credential": {key.Register(t, webauthnOptions(t, page))}, "name": {"Blue key"}}
		resp, page = b.post("/start/signin/enrol/webauthn", form)
		wantRedirect(t, resp, page, "/start/signin/password")
		resp, page = b.post("/start/signin/enrol/webauthn", form)
		wantRedirect(t, resp, page, "/start/signin/password") // the flow is at the next step
		resp, page = b.get("/start/signin/password")
		resp, page = b.post("/start/signin/password", url.Values{"csrf": {csrf(t, page)}, "password": {password}, "confirm": {password}})
		wantRedirect(t, resp, page, "/start")

		// The devices page: the key, and a second one (a passkey) added.
		resp, page = b.get("/start/mfa")
		wantHTML(t, resp, page, 200, "Blue key", "Security key", `id="webauthn-add"`)
		resp, page = b.post("/start/mfa/webauthn", url.Values{"csrf": {csrf(t, page)}})
		wantHTML(t, resp, page, 200, "Add a security key or passkey", `id="webauthn-name"`)
		passkey := testenv.NewAuthenticator(t, origin)
		passkey.Attachment, passkey.Discoverable, passkey.UV = "platform", true, true
		add := url.Values{"csrf": {csrf(t, page)}, "token": {hiddenField(t, page, "token")}, "name": {"Laptop"}}
		add.Set("credential", key.Register(t, webauthnOptions(t, page)))
		resp, page = b.post("/start/mfa/webauthn/confirm", add)
		wantHTML(t, resp, page, 400, "IIC.1729", `id="webauthn-start"`) // the same key again
		add.Set("credential", passkey.Register(t, webauthnOptions(t, page)))
		resp, page = b.post("/start/mfa/webauthn/confirm", add)
		wantRedirect(t, resp, page, "/start/mfa?added=1")
		resp, page = b.follow(resp, page)
		wantHTML(t, resp, page, 200, "The device was added.", "Laptop", "Passkey")
		ds := listDevices(t, sc, storeID, alice)
		if len(ds) != 1 || len(ds[0].MfaDevices) != 2 {
			t.Fatalf("alice's devices = %+v", ds)
		}
		for i, want := range [][2]string{{"Security key", "Blue key"}, {"Passkey", "Laptop"}} {
			d := ds[0].MfaDevices[i]
			if d.MfaType != "WEBAUTHN" || d.DeviceName != want[0] || d.DisplayName != want[1] || d.DeviceId == "" || d.RegisteredDate == 0 {
				t.Fatalf("device %d = %+v, want %v", i, d, want)
			}
		}
		// Read-only device management: no key can be added.
		devicePermission(t, c, ins, storeID, "READ_ACTIONS")
		resp, page = b.get("/start/mfa")
		if strings.Contains(page, `id="webauthn-add"`) {
			t.Fatal("an add button under READ_ACTIONS")
		}
		for _, path := range []string{"/start/mfa/webauthn", "/start/mfa/webauthn/confirm"} {
			resp, page = b.post(path, url.Values{"csrf": {csrf(t, page)}, "token": {"x"}, "credential": {"{}"}, "name": {"Green key"}})
			wantHTML(t, resp, page, 403, "IIC.1518")
		}
		devicePermission(t, c, ins, storeID, "ALL_ACTIONS")
		resp, page = b.post("/start/signout", url.Values{"csrf": {csrf(t, page)}})
		wantRedirect(t, resp, page, "/start?signed_out=1")

		// Sign-in with the key; the answer used again on the same sign-in,
		// then on another one.
		page = toKeyStep(t, b, "alice", password)
		if !strings.Contains(page, key.CredentialID()) || !strings.Contains(page, passkey.CredentialID()) {
			t.Fatalf("allowCredentials without alice's keys:\n%s", page)
		}
		flow, csrfCookie, token := b.cookie("iic_signin"), b.cookie("iic_csrf"), csrf(t, page)
		answer := key.Assert(t, webauthnOptions(t, page))
		resp, page = b.post("/start/signin/webauthn", url.Values{"csrf": {token}, "credential": {answer}})
		wantRedirect(t, resp, page, "/start")
		resp, page = b.get("/start")
		wantHTML(t, resp, page, 200, "Signed in as Display alice")
		replay := newBrowser(t, srv.URL)
		replay.setCookie("iic_signin", flow)
		replay.setCookie("iic_csrf", csrfCookie)
		resp, page = replay.post("/start/signin/webauthn", url.Values{"csrf": {token}, "credential": {answer}})
		wantHTML(t, resp, page, 400, "IIC.1721")

		b2 := newBrowser(t, srv.URL)
		page = toKeyStep(t, b2, "alice", password)
		opts := webauthnOptions(t, page)
		post := func(credential string) (int, string) {
			resp, page := b2.post("/start/signin/webauthn", url.Values{"csrf": {csrf(t, page)}, "credential": {credential}})
			return resp.StatusCode, page
		}
		wrongOrigin, wrongRP := *key, *key
		wrongOrigin.Origin = "http://evil.localhost:1"
		wrongRP.RPID = "evil.localhost"
		for what, cred := range map[string]string{
			"replayed":      answer,
			"wrong origin":  wrongOrigin.Assert(t, opts),
			"wrong RP ID":   wrongRP.Assert(t, opts),
			"counter again": key.AssertAt(t, challengeOf(t, opts), key.Count),
		} {
			status, page := post(cred)
			if status != 400 || !strings.Contains(page, "Failed to verify the MFA code.") || !strings.Contains(page, "IIC.1726") || !strings.Contains(page, `id="webauthn-start"`) {
				t.Fatalf("%s: %d\n%s", what, status, page)
			}
		}
		if status, page := post(passkey.Assert(t, opts)); status != 303 {
			t.Fatalf("the passkey: %d\n%s", status, page)
		}

		// Security keys only: the passkey is not offered (nor accepted),
		// and a new user cannot enrol one.
		setSSO(t, c, ins, "ALWAYS_ON", []string{"WEBAUTHN_SECURITY_KEY"}, "ALLOWED_WITH_ENROLLMENT")
		b3 := newBrowser(t, srv.URL)
		page = toKeyStep(t, b3, "alice", password)
		if strings.Contains(page, passkey.CredentialID()) || !strings.Contains(page, key.CredentialID()) {
			t.Fatalf("security keys only: allowCredentials\n%s", page)
		}
		resp, page = b3.post("/start/signin/webauthn", url.Values{"csrf": {csrf(t, page)}, "credential": {passkey.Assert(t, webauthnOptions(t, page))}})
		wantHTML(t, resp, page, 400, "IIC.1726")
		resp, page = b3.post("/start/signin/webauthn", url.Values{"csrf": {csrf(t, page)}, "credential": {key.Assert(t, webauthnOptions(t, page))}})
		wantRedirect(t, resp, page, "/start")

		_, bobOTP := createUser(t, sc, storeID, "bob")
		b4 := newBrowser(t, srv.URL)
		resp, page = b4.get("/start")
		resp, page = b4.post("/start/signin", url.Values{"csrf": {csrf(t, page)}, "username": {"bob"}, "password": {bobOTP}})
		wantRedirect(t, resp, page, "/start/signin/enrol")
		resp, page = b4.get("/start/signin/enrol")
		wantHTML(t, resp, page, 200, "passkeys built into a device are not allowed")
		bobKey := testenv.NewAuthenticator(t, origin)
		bobKey.Attachment = "platform"
		resp, page = b4.post("/start/signin/enrol/webauthn", url.Values{"csrf": {csrf(t, page)}, "credential": {bobKey.Register(t, webauthnOptions(t, page))}})
		wantHTML(t, resp, page, 400, "IIC.1727", "your organization allows only security keys", `id="webauthn-start"`)

		// Alice's only devices are keys. With WEBAUTHN and TOTP allowed
		// the key is asked for, with no app to fall back on (she has
		// none); with TOTP only the keys count as none: enrolment, or
		// IIC.1739 when enrolment is not allowed.
		setSSO(t, c, ins, "ALWAYS_ON", []string{"WEBAUTHN", "TOTP"}, "BLOCKED")
		page = toKeyStep(t, newBrowser(t, srv.URL), "alice", password)
		if strings.Contains(page, `id="webauthn-use-totp"`) || !strings.Contains(page, "ask your administrator for another way") {
			t.Fatalf("an app offered to a user without one:\n%s", page)
		}
		// (With two keys she is at the device quota: enrolment would be
		// IIC.1388. She deletes the passkey on the devices page.)
		resp, page = b3.get("/start/mfa")
		wantHTML(t, resp, page, 200, "Laptop", `value="`+ds[0].MfaDevices[1].DeviceId+`"`)
		resp, page = b3.post("/start/mfa/delete", url.Values{"csrf": {csrf(t, page)}, "device_id": {ds[0].MfaDevices[1].DeviceId}})
		wantRedirect(t, resp, page, "/start/mfa?deleted=1")
		if ds := listDevices(t, sc, storeID, alice); len(ds[0].MfaDevices) != 1 || ds[0].MfaDevices[0].DisplayName != "Blue key" {
			t.Fatalf("after the delete: %+v", ds)
		}
		b5 := newBrowser(t, srv.URL)
		setSSO(t, c, ins, "ALWAYS_ON", []string{"TOTP"}, "BLOCKED")
		resp, page = b5.get("/start")
		token = csrf(t, page)
		resp, page = b5.post("/start/signin", url.Values{"csrf": {token}, "username": {"alice"}, "password": {password}})
		wantHTML(t, resp, page, 403, "IIC.1739")
		setSSO(t, c, ins, "ALWAYS_ON", []string{"TOTP"}, "ALLOWED_WITH_ENROLLMENT")
		resp, page = b5.post("/start/signin", url.Values{"csrf": {token}, "username": {"alice"}, "password": {password}})
		wantRedirect(t, resp, page, "/start/signin/enrol")
		resp, page = b5.get("/start/signin/enrol")
		wantHTML(t, resp, page, 200, "Set up an authenticator app")
		if strings.Contains(page, "webauthn") {
			t.Fatal("a key offered where only TOTP is allowed")
		}
		resp, page = b5.post("/start/signin/enrol", url.Values{"csrf": {csrf(t, page)}})
		secret := totpKeyElem.FindStringSubmatch(page)
		if secret == nil {
			t.Fatalf("no TOTP key:\n%s", page)
		}
		resp, page = b5.post("/start/signin/enrol/confirm", url.Values{"csrf": {csrf(t, page)}, "code": {clk.code(t, secret[1])}})
		wantRedirect(t, resp, page, "/start")

		// A key and an app, both allowed: the key page links to the code
		// page and back (and says what to do without JavaScript).
		setSSO(t, c, ins, "ALWAYS_ON", []string{"WEBAUTHN", "TOTP"}, "BLOCKED")
		b6 := newBrowser(t, srv.URL)
		page = toKeyStep(t, b6, "alice", password)
		for _, want := range []string{`href="/start/signin/mfa?use=totp" id="webauthn-use-totp"`, "or use a code from your authenticator app instead"} {
			if !strings.Contains(page, want) {
				t.Fatalf("no %s in the key page:\n%s", want, page)
			}
		}
		resp, page = b6.get("/start/signin/mfa?use=totp")
		wantHTML(t, resp, page, 200, "authenticator app", `id="webauthn-use-key"`, `name="code"`)
		clk.advance(30 * time.Second)
		resp, page = b6.post("/start/signin/mfa", url.Values{"csrf": {csrf(t, page)}, "code": {"000000"}})
		wantHTML(t, resp, page, 400, "IIC.1726", `name="code"`) // the code page again, not the key's
		resp, page = b6.post("/start/signin/mfa", url.Values{"csrf": {csrf(t, page)}, "code": {clk.code(t, secret[1])}})
		wantRedirect(t, resp, page, "/start")
	})
}

func challengeOf(t *testing.T, optionsJSON string) string {
	t.Helper()
	m := regexp.MustCompile(`"challenge":"([^"]+)"`).FindStringSubmatch(optionsJSON)
	if m == nil {
		t.Fatalf("no challenge in %s", optionsJSON)
	}
	return m[1]
}
