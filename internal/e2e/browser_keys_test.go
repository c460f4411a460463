package e2e

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	oidcmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenteroidc/v1/model"
	pmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterportalapi/v1/model"
	ismodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterstore/v1/model"

	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/testenv"
)

// Security keys and passkeys, the consent page, password recovery and the
// registration link in Debian's Chromium (browser/keys.mjs) with virtual
// WebAuthn authenticators, against a server at http://localhost:<port>
// that sends mail: the enrolment page without JavaScript says a key needs
// it and its authenticator-app choice works; a passkey enrolled at first
// sign-in (listed through the SDK as a WEBAUTHN Passkey) signs in, its
// signature counter advancing; a security key added on the devices page
// signs in after an authenticator without the credential (the page's
// error) and an answer without user presence (IIC.1726; the stored counter stays)
// were refused; the consent page's Allow brings a code and the state to the
// application's loopback listener, and the code with its PKCE verifier
// gives a token the portal API takes; forgot → mail → reset → sign-in with
// the new password (the old one refused); a key registered through an
// administrator's link. The SQLite run takes the README's screenshots of
// these pages.
func TestPortalBrowserKeys(t *testing.T) {
	node, chromium := browserTools(t)
	forEachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		mail := testenv.StartSMTP(t)
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, PublicHost: "localhost", SMTPURL: mail.URL()})
		ins, storeID := srv.EnableIdentityCenter(t)
		c, sc, oc := srv.Center(t), srv.IdentityStore(t), srv.OIDC(t)
		setSSO(t, c, ins, "ALWAYS_ON", []string{"WEBAUTHN", "TOTP"}, "ALLOWED_WITH_ENROLLMENT")
		const password, newPassword = "Keys-Passw0rd-2026!", "Reset-Passw0rd-2026!"
		carol, _ := createUser(t, sc, storeID, "carol")
		if err := srv.App.Identity.SetPassword(ctx, storeID, carol, password); err != nil {
			t.Fatal(err)
		}
		dave, _ := createUser(t, sc, storeID, "dave")
		if err := srv.App.Identity.SetPassword(ctx, storeID, dave, password); err != nil {
			t.Fatal(err)
		}
		erin, _ := createUser(t, sc, storeID, "erin")
		reg, err := sc.RegisterMfaDeviceForUser(&ismodel.RegisterMfaDeviceForUserRequest{IdentityStoreId: storeID, UserId: erin})
		if err != nil {
			t.Fatal(err)
		}

		// The application of the authorization-code grant: a loopback
		// listener that receives the redirect.
		cl, _ := registerOIDCClient(t, oc, oidcmodel.GetRegisterClientReqBodyGrantTypesEnum().AUTHORIZATION_CODE)
		redirects := make(chan url.Values, 1)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		app := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/callback" {
				select {
				case redirects <- r.URL.Query():
				default:
				}
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte("Signed in: you may close this window."))
		}), ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = app.Serve(ln) }()
		t.Cleanup(func() { _ = app.Close() })
		redirectURI := "http://" + ln.Addr().String() + "/callback"
		verifier, challenge := pkcePair("k")
		authorize := "/start/authorize?" + url.Values{"client_id": {cl.id}, "redirect_uri": {redirectURI}, "response_type": {"code"},
			"code_challenge": {challenge}, "code_challenge_method": {"S256"}, "state": {"st-browser"}, "scope": {"openid"}}.Encode()

		// The WebAuthn devices of a user, as the store holds them.
		keys := func(t *testing.T, userID string) []struct {
			Name    string
			Counter int64
		} {
			t.Helper()
			ds, err := srv.App.Store.Devices().ListDevices(ctx, storeID, userID)
			if err != nil {
				t.Fatal(err)
			}
			var out []struct {
				Name    string
				Counter int64
			}
			for _, d := range ds {
				if d.Type == identity.MFATypeWebAuthn {
					out = append(out, struct {
						Name    string
						Counter int64
					}{d.DisplayName, d.LastStep})
				}
			}
			return out
		}
		// sdkDevices are a user's devices through the SDK: type, kind, name.
		sdkDevices := func(t *testing.T, userID string) [][3]string {
			t.Helper()
			var out [][3]string
			for _, d := range listDevices(t, sc, storeID, userID)[0].MfaDevices {
				out = append(out, [3]string{d.MfaType, d.DeviceName, d.DisplayName})
			}
			return out
		}

		env := map[string]string{
			"IIC_CHROMIUM": chromium, "IIC_URL": srv.App.Config.PublicURL, "IIC_USER": "carol", "IIC_PASSWORD": password,
			"IIC_NOJS_USER": "dave", "IIC_NOJS_PASSWORD": password, "IIC_NEW_PASSWORD": newPassword,
			"IIC_AUTHORIZE_PATH": authorize, "IIC_REDIRECT_HOST": ln.Addr().String(), "IIC_REGISTER_LINK": *reg.RedirectUrl,
		}
		if dialect == "sqlite" {
			dir, err := filepath.Abs(screenshotDir)
			if err != nil {
				t.Fatal(err)
			}
			env["IIC_SCREENSHOTS"] = dir
		}
		var counter int64
		runBrowser(t, node, "keys.mjs", env,
			browserStep{"nojs", func(t *testing.T, data json.RawMessage) {
				var s struct {
					NojsText, Then string
					StartHidden    bool
				}
				decodeStep(t, data, &s)
				if !strings.HasPrefix(s.NojsText, "A security key or passkey needs JavaScript") || !strings.HasSuffix(s.NojsText, "or set up an authenticator app instead.") ||
					!s.StartHidden || s.Then != "Set up your authenticator app" {
					t.Fatalf("the enrolment page without JavaScript: %+v", s)
				}
				if ds := sdkDevices(t, dave); len(ds) != 0 {
					t.Fatalf("dave's devices = %v", ds)
				}
			}, nil},
			browserStep{"passkey-enrolled", func(t *testing.T, data json.RawMessage) {
				var s struct {
					Stored   int
					Resident bool
					Who      string
				}
				decodeStep(t, data, &s)
				if s.Stored != 1 || !s.Resident || s.Who != "Signed in as Display carol" {
					t.Fatalf("after the passkey's enrolment: %+v", s)
				}
				if ds := sdkDevices(t, carol); !reflect.DeepEqual(ds, [][3]string{{"WEBAUTHN", "Passkey", "Laptop"}}) {
					t.Fatalf("carol's devices = %v", ds)
				}
				counter = keys(t, carol)[0].Counter
			}, nil},
			browserStep{"passkey-signin", func(t *testing.T, data json.RawMessage) {
				var s struct {
					SignCount int64
					Who       string
				}
				decodeStep(t, data, &s)
				k := keys(t, carol)
				if s.Who != "Signed in as Display carol" || len(k) != 1 || k[0].Counter <= counter || k[0].Counter != s.SignCount {
					t.Fatalf("after the passkey's sign-in: %+v, stored %+v (was %d)", s, k, counter)
				}
			}, nil},
			browserStep{"key-added", func(t *testing.T, data json.RawMessage) {
				var s struct {
					Devices  [][]string
					Stored   int
					Resident bool
					Notice   string
				}
				decodeStep(t, data, &s)
				if !reflect.DeepEqual(s.Devices, [][]string{{"Laptop", "Passkey"}, {"Blue key", "Security key"}}) || s.Stored != 1 || s.Resident ||
					s.Notice != "The device was added. You will be asked for it when you sign in." {
					t.Fatalf("the devices page after adding a key: %+v", s)
				}
				if ds := sdkDevices(t, carol); !reflect.DeepEqual(ds, [][3]string{{"WEBAUTHN", "Passkey", "Laptop"}, {"WEBAUTHN", "Security key", "Blue key"}}) {
					t.Fatalf("carol's devices = %v", ds)
				}
				counter = keys(t, carol)[1].Counter
			}, nil},
			browserStep{"browser-refused", func(t *testing.T, data json.RawMessage) {
				var s struct {
					URL, Refusal string
					StartEnabled bool
				}
				decodeStep(t, data, &s)
				if !strings.HasSuffix(s.URL, "/start/signin/mfa") || !strings.HasPrefix(s.Refusal, "The security key or passkey did not answer (NotAllowedError") || !s.StartEnabled {
					t.Fatalf("an authenticator without the credential: %+v", s)
				}
			}, nil},
			browserStep{"server-refused", func(t *testing.T, data json.RawMessage) {
				var s struct {
					URL, Alert string
					Start      bool
				}
				decodeStep(t, data, &s)
				if !strings.Contains(s.Alert, "(IIC.1726)") || !s.Start {
					t.Fatalf("an answer without user presence: %+v", s)
				}
				if k := keys(t, carol); k[1].Counter != counter {
					t.Fatalf("the refused answer moved the counter: %+v (was %d)", k, counter)
				}
			}, nil},
			browserStep{"key-signin", func(t *testing.T, data json.RawMessage) {
				var s struct {
					SignCount int64
					Who       string
				}
				decodeStep(t, data, &s)
				k := keys(t, carol)
				if s.Who != "Signed in as Display carol" || k[1].Counter <= counter || k[1].Counter != s.SignCount {
					t.Fatalf("after the key's sign-in: %+v, stored %+v (was %d)", s, k, counter)
				}
			}, nil},
			browserStep{"authorized", func(t *testing.T, data json.RawMessage) {
				var s struct{ URL, Body, Question string }
				decodeStep(t, data, &s)
				if s.Question != "Allow iic-cli to access your account?" || s.Body != "Signed in: you may close this window." {
					t.Fatalf("the consent page and the redirect: %+v", s)
				}
				var q url.Values
				select {
				case q = <-redirects:
				case <-time.After(5 * time.Second):
					t.Fatal("the application received no redirect")
				}
				if q.Get("state") != "st-browser" || q.Get("code") == "" {
					t.Fatalf("the redirect's query: %v", q)
				}
				tok, err := exchangeCode(oc, cl, q.Get("code"), redirectURI, verifier)
				if err != nil {
					t.Fatalf("CreateToken with the browser's code: %v", err)
				}
				if _, err := srv.Portal(t).ListAccounts(&pmodel.ListAccountsRequest{AccessToken: *tok.TokenInfo.AccessToken}); err != nil {
					t.Fatalf("ListAccounts with the code's token: %v", err)
				}
			}, nil},
			browserStep{"forgot-sent", func(t *testing.T, data json.RawMessage) {
				var s struct{ Notice string }
				decodeStep(t, data, &s)
				if !strings.Contains(s.Notice, "a link to reset its password is on its way") {
					t.Fatalf("the forgot page's answer: %+v", s)
				}
			}, func(t *testing.T) any {
				m, _ := mail.WaitFor(t, "carol@example.com", 0)
				path, token := linkIn(t, m)
				return map[string]string{"link": srv.App.Config.PublicURL + path + "?token=" + url.QueryEscape(token)}
			}},
			browserStep{"reset-signin", func(t *testing.T, data json.RawMessage) {
				var s struct{ Changed, Who string }
				decodeStep(t, data, &s)
				if s.Changed != "Your password was changed" || s.Who != "Signed in as Display carol" {
					t.Fatalf("after the reset: %+v", s)
				}
				b := newBrowser(t, srv.URL)
				resp, page := b.get("/start")
				resp, page = b.post("/start/signin", url.Values{"csrf": {csrf(t, page)}, "username": {"carol"}, "password": {password}})
				wantHTML(t, resp, page, 400, "IIC.1707")
			}, nil},
			browserStep{"link-registered", func(t *testing.T, data json.RawMessage) {
				var s struct {
					Registered string
					Stored     int
				}
				decodeStep(t, data, &s)
				if s.Registered != "Your MFA device is registered" || s.Stored != 1 {
					t.Fatalf("the registration link: %+v", s)
				}
				if ds := sdkDevices(t, erin); !reflect.DeepEqual(ds, [][3]string{{"WEBAUTHN", "Security key", "Erin key"}}) {
					t.Fatalf("erin's devices = %v", ds)
				}
			}, nil},
		)
	})
}
