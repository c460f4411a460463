package e2e

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenter/v1/model"
	pmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterportalapi/v1/model"
	ismodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"
	"github.com/pquerna/otp/totp"

	"github.com/iic-project/iic/internal/testenv"
)

// browser is a browser-less client of the web portal: a cookie jar and
// form posts, redirects followed by hand so that tests see each one.
type browser struct {
	t    *testing.T
	base string
	jar  *cookiejar.Jar
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: t, base: base, jar: jar, c: c}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// follow follows the redirects of resp (GET, as a browser does after 303).
func (b *browser) follow(resp *http.Response, body string) (*http.Response, string) {
	b.t.Helper()
	for i := 0; resp.StatusCode/100 == 3; i++ {
		if i == 10 {
			b.t.Fatal("too many redirects")
		}
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, "/") {
			b.t.Fatalf("redirect off site: %q", loc)
		}
		resp, body = b.get(loc)
	}
	return resp, body
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.base + "/start")
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func (b *browser) setCookie(name, value string) {
	u, _ := url.Parse(b.base + "/start")
	b.jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/start"}})
}

var (
	csrfField   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	totpKeyElem = regexp.MustCompile(`id="totp-key"[^>]*>([A-Z2-7=]+)<`)
	alertElem   = regexp.MustCompile(`(?s)<div class="alert error" role="alert">(.*?)</div>`)
)

// csrf is the CSRF token of the page's first form.
func csrf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", page)
	}
	return html.UnescapeString(m[1])
}

func alertOf(page string) string {
	m := alertElem.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func valueOf(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `"[^>]*>([^<]+)<`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no #%s in the page:\n%s", id, page)
	}
	return html.UnescapeString(m[1])
}

func wantHTML(t *testing.T, resp *http.Response, body string, status int, contains ...string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s %s = %d, want %d:\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("%s: Content-Type %q", resp.Request.URL.Path, ct)
	}
	for _, s := range contains {
		if !strings.Contains(body, s) {
			t.Fatalf("%s %s: no %q in the page:\n%s", resp.Request.Method, resp.Request.URL.Path, s, body)
		}
	}
}

func wantRedirect(t *testing.T, resp *http.Response, body, location string) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != location {
		t.Fatalf("%s %s = %d → %q, want 303 → %q:\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, resp.Header.Get("Location"), location, body)
	}
}

// clock is the server's clock in these tests: real time plus an offset
// the test advances (a TOTP code is accepted once per 30-second step).
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }
func (c *clock) code(t *testing.T, secret string) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, c.now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// signInTOTP signs b in as user with password and a TOTP code from secret,
// from the sign-in page at path; it returns the last answer (the redirect
// after the MFA step).
func signInTOTP(t *testing.T, b *browser, clk *clock, path, user, password, secret string) (*http.Response, string) {
	t.Helper()
	resp, page := b.get(path)
	wantHTML(t, resp, page, 200, `name="password"`)
	form := url.Values{"csrf": {csrf(t, page)}, "username": {user}, "password": {password}}
	if m := regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(page); m != nil {
		form.Set("next", html.UnescapeString(m[1]))
	}
	if m := regexp.MustCompile(`name="store" value="([^"]*)"`).FindStringSubmatch(page); m != nil {
		form.Set("store", html.UnescapeString(m[1]))
	}
	resp, page = b.post("/start/signin", form)
	wantRedirect(t, resp, page, "/start/signin/mfa")
	resp, page = b.get("/start/signin/mfa")
	wantHTML(t, resp, page, 200, "authenticator app")
	clk.advance(30 * time.Second)
	return b.post("/start/signin/mfa", url.Values{"csrf": {csrf(t, page)}, "code": {clk.code(t, secret)}})
}

// The web portal end to end, browser-less: security headers, CSRF, the
// sign-in steps (one-time password → TOTP enrolment → new password), the
// home page, an account's permission sets, credentials that work on the
// admin API, MFA devices, sign-out, TOTP sign-in (wrong and replayed codes),
// session fixation, open redirects, the device-verification page ending in
// a token the portal API takes, and HTML error pages.
func TestPortalWeb(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clk := &clock{}
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clk.now})
		ins, storeID := srv.EnableIdentityCenter(t)
		c, sc := srv.Center(t), srv.IdentityStore(t)
		mgmt := srv.App.Root.AccountID
		alice, otpPassword := createUser(t, sc, storeID, "alice")
		createUser(t, sc, storeID, "bob")
		ro := createPS(t, c, ins, "ReadOnly")
		if _, err := c.AttachManagedPolicyToPermissionSet(&model.AttachManagedPolicyToPermissionSetRequest{InstanceId: ins, PermissionSetId: *ro.PermissionSetId,
			Body: &model.AttachManagedPolicyToPermissionSetReqBody{ManagedPolicyId: policyID(t, "IdentityCenter ReadOnlyAccess")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := assign(c, ins, *ro.PermissionSetId, "USER", alice, mgmt); err != nil {
			t.Fatal(err)
		}
		runJobs(t, srv)
		if _, err := c.UpdateSsoConfiguration(&model.UpdateSsoConfigurationRequest{InstanceId: ins, Body: &model.UpdateSsoConfigurationReqBody{
			ConfigurationType: enum[model.UpdateSsoConfigurationReqBodyConfigurationType]("APP_AUTHENTICATION_CONFIGURATION"),
			SsoConfiguration:  &model.SsoConfigurationDto{NoMfaSigninBehavior: ptr(enum[model.SsoConfigurationDtoNoMfaSigninBehavior]("ALLOWED_WITH_ENROLLMENT"))}}}); err != nil {
			t.Fatal(err)
		}
		const newPassword = "Portal-Passw0rd-2026!"

		b := newBrowser(t, srv.URL)
		resp, page := b.get("/start")
		wantHTML(t, resp, page, 200, `<html lang="en">`, `<label for="username">`, `<label for="password">`, "<h1>Sign in</h1>")
		for h, want := range map[string]string{"Cache-Control": "no-store", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"} {
			if got := resp.Header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("Content-Security-Policy = %q", csp)
		}
		if strings.Contains(page, "<script>") || strings.Contains(page, " style=") || strings.Contains(page, "onclick") {
			t.Error("inline script or style in the page")
		}
		token := csrf(t, page)

		// CSRF: missing and wrong tokens are a 403 page; nothing is checked.
		resp, page = b.post("/start/signin", url.Values{"username": {"alice"}, "password": {otpPassword}})
		wantHTML(t, resp, page, 403, "IIC.1001", "Access denied")
		resp, page = b.post("/start/signin", url.Values{"csrf": {token + "x"}, "username": {"alice"}, "password": {otpPassword}})
		wantHTML(t, resp, page, 403, "IIC.1001")

		// A wrong password and an unknown user: one answer.
		resp, page = b.post("/start/signin", url.Values{"csrf": {token}, "username": {"alice"}, "password": {"wrong"}})
		wantHTML(t, resp, page, 400, "Incorrect username, password, or identity source ID.", "IIC.1707")
		wrongAlert := alertOf(page)
		resp, page = b.post("/start/signin", url.Values{"csrf": {token}, "username": {"nobody"}, "password": {"wrong"}})
		wantHTML(t, resp, page, 400)
		if alertOf(page) != wrongAlert || wrongAlert == "" {
			t.Fatalf("unknown user %q, wrong password %q", alertOf(page), wrongAlert)
		}

		// Session fixation: a session id planted before sign-in is not the
		// one after; an open redirect in next is dropped.
		b.setCookie("iic_session", "planted-by-an-attacker")
		resp, page = b.post("/start/signin", url.Values{"csrf": {token}, "username": {"alice"}, "password": {otpPassword}, "next": {"https://evil.example/x"}})
		wantRedirect(t, resp, page, "/start/signin/enrol")
		for _, ck := range resp.Cookies() {
			if ck.Name == "iic_signin" && (!ck.HttpOnly || ck.Path != "/start" || ck.SameSite != http.SameSiteLaxMode) {
				t.Errorf("flow cookie %+v", ck)
			}
		}
		if strings.Contains(b.cookie("iic_signin"), otpPassword) {
			t.Error("the password is in the flow cookie")
		}

		// Enrolment of a first TOTP device.
		resp, page = b.get("/start/signin/enrol")
		wantHTML(t, resp, page, 200, "Register an MFA device")
		resp, page = b.post("/start/signin/enrol", url.Values{"csrf": {csrf(t, page)}})
		wantHTML(t, resp, page, 200, `src="data:image/png;base64,`, `href="otpauth://totp/`)
		secret := totpKeyElem.FindStringSubmatch(page)
		if secret == nil {
			t.Fatalf("no key on the set-up page:\n%s", page)
		}
		setup := page
		form := url.Values{"csrf": {csrf(t, page)}, "name": {"Work phone"}, "code": {"000000"}}
		for _, f := range []string{"secret", "otpauth"} {
			form.Set(f, html.UnescapeString(regexp.MustCompile(`name="` + f + `" value="([^"]*)"`).FindStringSubmatch(setup)[1]))
		}
		if clk.code(t, secret[1]) == "000000" {
			clk.advance(30 * time.Second)
		}
		resp, page = b.post("/start/signin/enrol/confirm", form)
		wantHTML(t, resp, page, 400, "Failed to verify the MFA code.", "IIC.1726", secret[1])
		form.Set("code", clk.code(t, secret[1]))
		resp, page = b.post("/start/signin/enrol/confirm", form)
		wantRedirect(t, resp, page, "/start/signin/password")

		// The one-time password is replaced.
		resp, page = b.get("/start/signin/password")
		wantHTML(t, resp, page, 200, "Choose a new password", `autocomplete="new-password"`)
		pw := url.Values{"csrf": {csrf(t, page)}, "password": {newPassword}, "confirm": {newPassword + "x"}}
		resp, page = b.post("/start/signin/password", pw)
		wantHTML(t, resp, page, 400, "IIC.1740")
		pw.Set("confirm", newPassword)
		resp, page = b.post("/start/signin/password", pw)
		wantRedirect(t, resp, page, "/start")
		var sessionCookie *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "iic_session" {
				sessionCookie = ck
			}
		}
		if sessionCookie == nil || !sessionCookie.HttpOnly || sessionCookie.SameSite != http.SameSiteLaxMode || sessionCookie.Path != "/start" || sessionCookie.Secure {
			t.Fatalf("session cookie %+v", sessionCookie)
		}
		first := b.cookie("iic_session")
		if first == "" || first == "planted-by-an-attacker" {
			t.Fatalf("session cookie after sign-in = %q", first)
		}

		// Home → account → credentials, which work on the admin API.
		resp, page = b.get("/start")
		wantHTML(t, resp, page, 200, "Your accounts", `href="/start/accounts/`+mgmt+`"`, "Signed in as Display alice")
		resp, page = b.get("/start/accounts/" + mgmt)
		wantHTML(t, resp, page, 200, "ReadOnly", "Get credentials", "1 hour")
		urn := html.UnescapeString(regexp.MustCompile(`name="agency_urn" value="([^"]+)"`).FindStringSubmatch(page)[1])
		resp, page = b.post("/start/credentials", url.Values{"csrf": {csrf(t, page)}, "account_id": {mgmt}, "agency_urn": {urn}})
		wantHTML(t, resp, page, 200, "Temporary credentials", "export HUAWEICLOUD_SDK_AK=", "HUAWEICLOUD_SDK_SECURITY_TOKEN", "--cli-security-token=", `data-copy="sk" hidden`)
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("credentials page Cache-Control %q", resp.Header.Get("Cache-Control"))
		}
		ak, sk, st := valueOf(t, page, "ak"), valueOf(t, page, "sk"), valueOf(t, page, "tok")
		tc := srv.CenterAs(t, ak, sk, st, nil)
		if _, err := tc.ListInstances(&model.ListInstancesRequest{}); err != nil {
			t.Fatalf("ListInstances with the portal's credentials: %v", err)
		}
		_, err := tc.CreatePermissionSet(&model.CreatePermissionSetRequest{InstanceId: ins, Body: &model.CreatePermissionSetReqBody{Name: "Nope"}})
		testenv.WantError(t, err, 403, "IIC.1000")
		resp, page = b.post("/start/credentials", url.Values{"csrf": {csrf(t, page)}, "account_id": {mgmt}, "agency_urn": {"iam::" + mgmt + ":agency:IdentityCenter_Other"}})
		wantHTML(t, resp, page, 403, "IIC.1269")

		// MFA devices: the one enrolled.
		resp, page = b.get("/start/mfa")
		wantHTML(t, resp, page, 200, "Work phone", "Authenticator app", "Add an authenticator app")

		// Sign-out ends the session and the credentials issued in it.
		resp, page = b.post("/start/signout", url.Values{"csrf": {csrf(t, page)}})
		wantRedirect(t, resp, page, "/start?signed_out=1")
		resp, page = b.follow(resp, page)
		wantHTML(t, resp, page, 200, "You have signed out.")
		b.setCookie("iic_session", first)
		resp, page = b.get("/start/mfa")
		wantRedirect(t, resp, page, "/start?next=%2Fstart%2Fmfa")
		_, err = tc.ListInstances(&model.ListInstancesRequest{})
		testenv.WantError(t, err, 401, "IIC.1410")

		// TOTP sign-in: a wrong code, then the right one; next is honoured
		// when it is a portal path and refused otherwise.
		resp, page = b.get("/start")
		resp, page = b.post("/start/signin", url.Values{"csrf": {csrf(t, page)}, "username": {"alice"}, "password": {newPassword}, "next": {"//evil.example/"}})
		wantRedirect(t, resp, page, "/start/signin/mfa")
		resp, page = b.get("/start/signin/mfa")
		wrong, _ := totp.GenerateCode(secret[1], clk.now().Add(time.Hour))
		resp, page = b.post("/start/signin/mfa", url.Values{"csrf": {csrf(t, page)}, "code": {wrong}})
		wantHTML(t, resp, page, 400, "Failed to verify the MFA code.", "IIC.1726")
		clk.advance(30 * time.Second)
		used := clk.code(t, secret[1])
		resp, page = b.post("/start/signin/mfa", url.Values{"csrf": {csrf(t, page)}, "code": {used}})
		wantRedirect(t, resp, page, "/start")
		second := b.cookie("iic_session")
		if second == first || second == "" {
			t.Fatal("the session id did not change at sign-in")
		}

		// Signing in again: the code just used is refused (replay), and the
		// earlier session ends when the new one starts.
		resp, page = b.get("/start/" + storeID)
		wantRedirect(t, resp, page, "/start")
		b2 := newBrowser(t, srv.URL)
		b2.setCookie("iic_session", second)
		resp, page = b2.get("/start/" + storeID + "?next=%2Fstart%2Fmfa")
		wantRedirect(t, resp, page, "/start/mfa")
		b2.setCookie("iic_session", "")
		resp, page = b2.get("/start/" + storeID)
		wantHTML(t, resp, page, 200, `name="store" value="`+storeID+`"`)
		b2.setCookie("iic_session", second)
		resp, page = b2.post("/start/signin", url.Values{"csrf": {csrf(t, page)}, "store": {storeID}, "username": {"alice"}, "password": {newPassword}})
		wantRedirect(t, resp, page, "/start/signin/mfa")
		resp, page = b2.get("/start/signin/mfa")
		resp, page = b2.post("/start/signin/mfa", url.Values{"csrf": {csrf(t, page)}, "code": {used}})
		wantHTML(t, resp, page, 400, "IIC.1726")
		clk.advance(30 * time.Second)
		resp, page = b2.post("/start/signin/mfa", url.Values{"csrf": {csrf(t, page)}, "code": {clk.code(t, secret[1])}})
		wantRedirect(t, resp, page, "/start")
		if b2.cookie("iic_session") == second {
			t.Fatal("the session id did not change at sign-in")
		}
		resp, page = b.get("/start/mfa")
		wantRedirect(t, resp, page, "/start?next=%2Fstart%2Fmfa")

		// The device grant: the verification page signs the user in, comes
		// back, shows the client and the code; approving ends in a token
		// the portal API takes.
		oc := srv.OIDC(t)
		cl, _ := registerOIDCClient(t, oc)
		d := startDevice(t, oc, cl, srv.App.Config.PublicURL+"/start")
		complete, err := url.Parse(*d.VerificationUriComplete)
		if err != nil || complete.Path != "/start/device" {
			t.Fatalf("verification_uri_complete %q", *d.VerificationUriComplete)
		}
		b3 := newBrowser(t, srv.URL)
		resp, page = b3.get(complete.RequestURI())
		wantRedirect(t, resp, page, "/start?next="+url.QueryEscape(complete.RequestURI()))
		resp, page = signInTOTP(t, b3, clk, resp.Header.Get("Location"), "alice", newPassword, secret[1])
		wantRedirect(t, resp, page, complete.RequestURI())
		resp, page = b3.get(complete.RequestURI())
		wantHTML(t, resp, page, 200, `value="`+*d.UserCode+`"`, "Authorize a device")
		resp, page = b3.post("/start/device", url.Values{"csrf": {csrf(t, page)}, "user_code": {*d.UserCode}})
		wantHTML(t, resp, page, 200, "Allow iic-cli to access your account?", *d.UserCode)
		decide := url.Values{"user_code": {*d.UserCode}, "decision": {"approve"}}
		resp, _ = b3.post("/start/device/decide", decide)
		if resp.StatusCode != 403 {
			t.Fatalf("approve without CSRF = %d", resp.StatusCode)
		}
		decide.Set("csrf", csrf(t, page))
		resp, page = b3.post("/start/device/decide", decide)
		wantHTML(t, resp, page, 200, "Device authorized")
		tok, err := pollDevice(oc, cl, *d.DeviceCode)
		if err != nil {
			t.Fatal(err)
		}
		accts, err := srv.Portal(t).ListAccounts(&pmodel.ListAccountsRequest{AccessToken: *tok.TokenInfo.AccessToken})
		if err != nil || len(*accts.AccountList) != 1 || *(*accts.AccountList)[0].AccountId != mgmt {
			t.Fatalf("ListAccounts with the approved token = %+v, %v", accts, err)
		}
		// Denied, and a wrong code shown on the page.
		d2 := startDevice(t, oc, cl, srv.App.Config.PublicURL+"/start")
		resp, page = b3.post("/start/device", url.Values{"csrf": {csrf(t, page)}, "user_code": {"BCDF-GHJK"}})
		wantHTML(t, resp, page, 400, "Approval code error.", "IIC.1704")
		resp, page = b3.post("/start/device", url.Values{"csrf": {csrf(t, page)}, "user_code": {strings.ToLower(*d2.UserCode)}})
		wantHTML(t, resp, page, 200, *d2.UserCode)
		resp, page = b3.post("/start/device/decide", url.Values{"csrf": {csrf(t, page)}, "user_code": {*d2.UserCode}, "decision": {"deny"}})
		wantHTML(t, resp, page, 200, "Request denied")
		_, err = pollDevice(oc, cl, *d2.DeviceCode)
		testenv.WantError(t, err, 404, "IIC.1613")

		// Read-only device management: the device stays, the page says so.
		resp, page = b3.get("/start/mfa")
		deviceID := hiddenField(t, page, "device_id")
		if _, err := c.PutMfaDeviceManagementForIdentityStore(&model.PutMfaDeviceManagementForIdentityStoreRequest{InstanceId: ins,
			Body: &model.PutMfaDeviceManagementForDirectoryReqBody{IdentityStoreId: storeID,
				UserPermission: enum[model.PutMfaDeviceManagementForDirectoryReqBodyUserPermission]("READ_ACTIONS")}}); err != nil {
			t.Fatal(err)
		}
		resp, page = b3.get("/start/mfa")
		wantHTML(t, resp, page, 200, "Work phone", "not change them")
		if strings.Contains(page, "Delete") {
			t.Error("a delete button under READ_ACTIONS")
		}
		for _, path := range []string{"/start/mfa/add", "/start/mfa/add/confirm", "/start/mfa/delete"} {
			resp, page = b3.post(path, url.Values{"csrf": {csrf(t, page)}, "device_id": {deviceID}, "token": {"x"}, "code": {"000000"}})
			wantHTML(t, resp, page, 403, "Read permission does not support MFA registration.", "IIC.1518", "Work phone")
		}

		// Errors are pages.
		resp, page = b3.get("/start/")
		wantHTML(t, resp, page, 200, "Your accounts")
		resp, page = b3.get("/start/no/such/page")
		wantHTML(t, resp, page, 404, "Page not found", "IIC.404")
		resp, page = b3.get("/start/d-0000000000")
		wantHTML(t, resp, page, 404, "Page not found")
		resp, page = b3.post("/start/mfa", url.Values{})
		wantHTML(t, resp, page, 405, "Page not found")
		resp, page = b3.get("/start/assets/portal.css")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
			t.Fatalf("portal.css = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
}

// The other ways in: an administrator's device-registration link, the
// e-mailed sign-in code, and lockout (the same page for a real and an
// unknown user name).
func TestPortalWebLinksAndLockout(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clk := &clock{}
		mail := testenv.StartSMTP(t)
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clk.now, SMTPURL: mail.URL()})
		ins, storeID := srv.EnableIdentityCenter(t)
		c, sc := srv.Center(t), srv.IdentityStore(t)
		bob, bobPassword := createUser(t, sc, storeID, "bob")
		_, davePassword := createUser(t, sc, storeID, "dave")

		// The registration link opens the portal's set-up page; no sign-in.
		reg, err := sc.RegisterMfaDeviceForUser(&ismodel.RegisterMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: bob})
		if err != nil {
			t.Fatal(err)
		}
		link, err := url.Parse(*reg.RedirectUrl)
		if err != nil || link.Path != "/start/mfa/register" {
			t.Fatalf("redirect_url %q", *reg.RedirectUrl)
		}
		b := newBrowser(t, srv.URL)
		resp, page := b.get(link.RequestURI())
		wantHTML(t, resp, page, 200, "Register an MFA device")
		resp, page = b.post("/start/mfa/register", url.Values{"csrf": {csrf(t, page)}, "token": {*reg.WorkFlow}})
		wantHTML(t, resp, page, 200, "Set up your authenticator app")
		secret := totpKeyElem.FindStringSubmatch(page)[1]
		preToken := csrf(t, page)
		resp, page = b.post("/start/mfa/register/confirm", url.Values{"csrf": {preToken}, "token": {*reg.WorkFlow}, "name": {"Laptop"}, "code": {clk.code(t, secret)}})
		wantHTML(t, resp, page, 200, "Your MFA device is registered")
		if ds := listDevices(t, sc, storeID, bob); len(ds) != 1 || len(ds[0].MfaDevices) != 1 || ds[0].MfaDevices[0].DisplayName != "Laptop" {
			t.Fatalf("bob's devices = %+v", ds)
		}
		resp, page = b.post("/start/mfa/register", url.Values{"csrf": {preToken}, "token": {*reg.WorkFlow}})
		wantHTML(t, resp, page, 400, "Session timed out or stopped working. Restart your workflow.", "IIC.1721")

		// Bob signs in with the new device, then sets his own password.
		resp, page = signInTOTP(t, b, clk, "/start", "bob", bobPassword, secret)
		wantRedirect(t, resp, page, "/start/signin/password")
		resp, page = b.follow(resp, page)
		wantHTML(t, resp, page, 200, "Choose a new password")

		// A user without a device under EMAIL_OTP gets a code by e-mail.
		if _, err := c.UpdateSsoConfiguration(&model.UpdateSsoConfigurationRequest{InstanceId: ins, Body: &model.UpdateSsoConfigurationReqBody{
			ConfigurationType: enum[model.UpdateSsoConfigurationReqBodyConfigurationType]("APP_AUTHENTICATION_CONFIGURATION"),
			SsoConfiguration:  &model.SsoConfigurationDto{NoMfaSigninBehavior: ptr(enum[model.SsoConfigurationDtoNoMfaSigninBehavior]("EMAIL_OTP"))}}}); err != nil {
			t.Fatal(err)
		}
		d := newBrowser(t, srv.URL)
		resp, page = d.get("/start")
		resp, page = d.post("/start/signin", url.Values{"csrf": {csrf(t, page)}, "username": {"dave"}, "password": {davePassword}})
		wantRedirect(t, resp, page, "/start/signin/email")
		resp, page = d.follow(resp, page)
		wantHTML(t, resp, page, 200, "Check your e-mail", `autocomplete="one-time-code"`)
		msg, _ := mail.WaitFor(t, "dave@example.com", 0)
		code := regexp.MustCompile(`code is (\d{6})`).FindStringSubmatch(msg.Data)
		if code == nil {
			t.Fatalf("no code in %q", msg.Data)
		}
		wrong := "000000"
		if code[1] == wrong {
			wrong = "111111"
		}
		resp, page = d.post("/start/signin/email", url.Values{"csrf": {csrf(t, page)}, "code": {wrong}})
		wantHTML(t, resp, page, 400, "Invalid one-time password.", "IIC.1741")
		resp, page = d.post("/start/signin/email", url.Values{"csrf": {csrf(t, page)}, "code": {code[1]}})
		wantRedirect(t, resp, page, "/start/signin/password")

		// Lockout: after 5 failures a real name and an unknown one answer
		// the same locked page.
		l := newBrowser(t, srv.URL)
		resp, page = l.get("/start")
		token := csrf(t, page)
		alerts := map[string]string{}
		for _, name := range []string{"bob", "nobody"} {
			for i := 0; i < 5; i++ {
				resp, page = l.post("/start/signin", url.Values{"csrf": {token}, "username": {name}, "password": {"wrong"}})
				wantHTML(t, resp, page, 400, "IIC.1707")
			}
			resp, page = l.post("/start/signin", url.Values{"csrf": {token}, "username": {name}, "password": {bobPassword}})
			wantHTML(t, resp, page, 423, "User locked.", "IIC.1705")
			alerts[name] = alertOf(page)
		}
		if alerts["bob"] != alerts["nobody"] {
			t.Fatalf("locked pages differ: %q, %q", alerts["bob"], alerts["nobody"])
		}

		// MFA required, no device, BLOCKED: the page says why.
		if _, err := c.UpdateSsoConfiguration(&model.UpdateSsoConfigurationRequest{InstanceId: ins, Body: &model.UpdateSsoConfigurationReqBody{
			ConfigurationType: enum[model.UpdateSsoConfigurationReqBodyConfigurationType]("APP_AUTHENTICATION_CONFIGURATION"),
			SsoConfiguration:  &model.SsoConfigurationDto{NoMfaSigninBehavior: ptr(enum[model.SsoConfigurationDtoNoMfaSigninBehavior]("BLOCKED"))}}}); err != nil {
			t.Fatal(err)
		}
		_, erinPassword := createUser(t, sc, storeID, "erin")
		resp, page = l.post("/start/signin", url.Values{"csrf": {token}, "username": {"erin"}, "password": {erinPassword}})
		wantHTML(t, resp, page, 403, "Login failed. Contact the administrator to add an MFA device.", "IIC.1739")
	})
}
