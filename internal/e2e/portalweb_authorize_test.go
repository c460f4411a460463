package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	icoidc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenteroidc/v1"
	oidcmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenteroidc/v1/model"
	pmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenterportalapi/v1/model"

	"github.com/iic-project/iic/internal/testenv"
)

// pkceTokenRequest is the SDK's CreateToken request with the PKCE
// code_verifier its model lacks, sent through the SDK's own client and
// request definition.
type pkceTokenRequest struct {
	Body *pkceTokenBody `json:"body,omitempty"`
}

type pkceTokenBody struct {
	oidcmodel.CreateTokenReqBody
	CodeVerifier string `json:"code_verifier,omitempty"`
}

// exchangeCode is the SDK's CreateToken for an authorization code.
func exchangeCode(c *icoidc.IdentityCenterOIDCClient, cl oidcClient, code, redirectURI, verifier string) (*oidcmodel.CreateTokenResponse, error) {
	req := &pkceTokenRequest{Body: &pkceTokenBody{CreateTokenReqBody: oidcmodel.CreateTokenReqBody{ClientId: cl.id, ClientSecret: cl.secret,
		GrantType: oidcmodel.GetCreateTokenReqBodyGrantTypeEnum().AUTHORIZATION_CODE, Code: &code, RedirectUri: &redirectURI}, CodeVerifier: verifier}}
	resp, err := c.HcClient.Sync(req, icoidc.GenReqDefForCreateToken())
	if err != nil {
		return nil, err
	}
	return resp.(*oidcmodel.CreateTokenResponse), nil
}

func pkcePair(seed string) (verifier, challenge string) {
	verifier = strings.Repeat(seed, 50)[:50]
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// The authorization-code grant through the portal's consent page: sign-in
// (with MFA) on the way, approve → a code the SDK exchanges with its PKCE
// verifier for a token the portal API takes; deny → access_denied; the
// refusals that are pages (an unknown client, a redirect_uri it may not
// use) and those that go back to the client (no PKCE, a response_type
// other than code); a wrong verifier and a reused code.
func TestPortalWebAuthorizationCode(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		clk := &clock{}
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: clk.now})
		_, storeID := srv.EnableIdentityCenter(t)
		sc := srv.IdentityStore(t)
		const password = "Consent-Passw0rd-2026!"
		_, secret := totpUser(t, srv, newBrowser(t, srv.URL), clk, sc, storeID, "alice", password)

		oc := srv.OIDC(t)
		cl, _ := registerOIDCClient(t, oc, oidcmodel.GetRegisterClientReqBodyGrantTypesEnum().AUTHORIZATION_CODE)
		deviceOnly, _ := registerOIDCClient(t, oc)
		const redirect = "http://127.0.0.1:7777/callback?app=1"
		verifier, challenge := pkcePair("v")
		authorizeURL := func(mod func(url.Values)) string {
			q := url.Values{"client_id": {cl.id}, "redirect_uri": {redirect}, "response_type": {"code"}, "code_challenge": {challenge},
				"code_challenge_method": {"S256"}, "state": {"st-42"}, "scope": {"openid"}}
			if mod != nil {
				mod(q)
			}
			return "/start/authorize?" + q.Encode()
		}
		// backToClient checks that loc is the client's redirect URI and
		// returns its query.
		backToClient := func(t *testing.T, loc string) url.Values {
			t.Helper()
			u, err := url.Parse(loc)
			if err != nil || u.Scheme != "http" || u.Host != "127.0.0.1:7777" || u.Path != "/callback" {
				t.Fatalf("redirect to %q, want the client's redirect URI", loc)
			}
			if u.Query().Get("app") != "1" {
				t.Fatalf("the redirect URI's own query was lost: %q", loc)
			}
			return u.Query()
		}

		// Not signed in: sign in (password + TOTP), then back to the page.
		b := newBrowser(t, srv.URL)
		start := authorizeURL(nil)
		resp, page := b.get(start)
		wantRedirect(t, resp, page, "/start?next="+url.QueryEscape(start))
		resp, page = signInTOTP(t, b, clk, resp.Header.Get("Location"), "alice", password, secret)
		wantRedirect(t, resp, page, start)
		resp, page = b.get(start)
		wantHTML(t, resp, page, 200, "Allow iic-cli to access your account?", "127.0.0.1:7777", `<span class="mono">openid</span>`, `name="state" value="st-42"`)
		decision := url.Values{}
		for _, f := range []string{"client_id", "redirect_uri", "code_challenge", "code_challenge_method", "state", "scope"} {
			m := regexpField(f).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no %s field on the consent page", f)
			}
			decision.Set(f, unescape(m[1]))
		}
		decision.Set("decision", "approve")
		resp, _ = b.post("/start/authorize", decision)
		if resp.StatusCode != 403 {
			t.Fatalf("approve without CSRF = %d", resp.StatusCode)
		}
		token := csrf(t, page)
		decision.Set("csrf", token)
		resp, page = b.post("/start/authorize", decision)
		if resp.StatusCode != 303 {
			t.Fatalf("approve = %d:\n%s", resp.StatusCode, page)
		}
		q := backToClient(t, resp.Header.Get("Location"))
		code := q.Get("code")
		if code == "" || q.Get("state") != "st-42" {
			t.Fatalf("approve → %q", resp.Header.Get("Location"))
		}

		// The SDK exchanges it with the verifier; the token works on the
		// portal API. The code works once.
		tok, err := exchangeCode(oc, cl, code, redirect, verifier)
		if err != nil {
			t.Fatalf("CreateToken: %v", err)
		}
		if _, err := srv.Portal(t).ListAccounts(&pmodel.ListAccountsRequest{AccessToken: *tok.TokenInfo.AccessToken}); err != nil {
			t.Fatalf("ListAccounts with the code's token: %v", err)
		}
		_, err = srv.Portal(t).ListAccounts(&pmodel.ListAccountsRequest{AccessToken: *tok.TokenInfo.AccessToken + "x"})
		testenv.WantError(t, err, 401, "IIC.1604")
		_, err = exchangeCode(oc, cl, code, redirect, verifier)
		testenv.WantError(t, err, 401, "IIC.1604")

		// A wrong verifier, and then the right one: the code is spent by
		// the first attempt.
		resp, page = b.post("/start/authorize", decision)
		code = backToClient(t, resp.Header.Get("Location")).Get("code")
		wrong, _ := pkcePair("w")
		_, err = exchangeCode(oc, cl, code, redirect, wrong)
		testenv.WantError(t, err, 401, "IIC.1604")
		_, err = exchangeCode(oc, cl, code, redirect, verifier)
		testenv.WantError(t, err, 401, "IIC.1604")
		// No verifier for a code with a challenge; another redirect_uri.
		resp, _ = b.post("/start/authorize", decision)
		code = backToClient(t, resp.Header.Get("Location")).Get("code")
		_, err = exchangeCode(oc, cl, code, redirect, "")
		testenv.WantError(t, err, 401, "IIC.1604")
		resp, _ = b.post("/start/authorize", decision)
		code = backToClient(t, resp.Header.Get("Location")).Get("code")
		_, err = exchangeCode(oc, cl, code, "http://127.0.0.1:7778/callback?app=1", verifier)
		testenv.WantError(t, err, 401, "IIC.1604")

		// Deny: access_denied with the state.
		deny := url.Values{}
		for k, v := range decision {
			deny[k] = v
		}
		deny.Set("decision", "deny")
		resp, page = b.post("/start/authorize", deny)
		q = backToClient(t, resp.Header.Get("Location"))
		if q.Get("error") != "access_denied" || q.Get("state") != "st-42" || q.Get("code") != "" {
			t.Fatalf("deny → %q", resp.Header.Get("Location"))
		}

		// Refusals shown as pages, never redirected: an unknown client, a
		// client without the grant, a redirect_uri that is not loopback
		// (also when it comes back in a tampered decision).
		for what, mod := range map[string]func(url.Values){
			"unknown client":      func(q url.Values) { q.Set("client_id", "0123456789abcdef0123456789abcdef") },
			"no client":           func(q url.Values) { q.Del("client_id") },
			"device-only client":  func(q url.Values) { q.Set("client_id", deviceOnly.id) },
			"foreign redirect":    func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") },
			"no redirect":         func(q url.Values) { q.Del("redirect_uri") },
			"look-alike redirect": func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1.evil.example/cb") },
		} {
			resp, page = b.get(authorizeURL(mod))
			if resp.StatusCode/100 != 4 || resp.Header.Get("Location") != "" {
				t.Fatalf("%s: %d → %q", what, resp.StatusCode, resp.Header.Get("Location"))
			}
			wantHTML(t, resp, page, resp.StatusCode, "IIC.16")
		}
		tampered := url.Values{}
		for k, v := range decision {
			tampered[k] = v
		}
		tampered.Set("redirect_uri", "https://evil.example/cb")
		resp, page = b.post("/start/authorize", tampered)
		wantHTML(t, resp, page, 400, "IIC.1606")
		if resp.Header.Get("Location") != "" {
			t.Fatal("a tampered redirect_uri was redirected to")
		}

		// Refusals sent back to the client, with the state.
		for what, want := range map[string]struct {
			mod   func(url.Values)
			error string
		}{
			"no PKCE":       {func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, "invalid_request"},
			"plain PKCE":    {func(q url.Values) { q.Set("code_challenge_method", "plain") }, "invalid_request"},
			"short PKCE":    {func(q url.Values) { q.Set("code_challenge", "abc") }, "invalid_request"},
			"token":         {func(q url.Values) { q.Set("response_type", "token") }, "unsupported_response_type"},
			"foreign scope": {func(q url.Values) { q.Set("scope", "openid admin") }, "invalid_scope"},
		} {
			resp, page = b.get(authorizeURL(want.mod))
			if resp.StatusCode != 303 {
				t.Fatalf("%s: %d:\n%s", what, resp.StatusCode, page)
			}
			q := backToClient(t, resp.Header.Get("Location"))
			if q.Get("error") != want.error || q.Get("state") != "st-42" || q.Get("code") != "" {
				t.Fatalf("%s → %q, want error=%s", what, resp.Header.Get("Location"), want.error)
			}
		}
		// A decision without PKCE gets no code either.
		nopkce := url.Values{}
		for k, v := range decision {
			nopkce[k] = v
		}
		nopkce.Del("code_challenge")
		resp, _ = b.post("/start/authorize", nopkce)
		if q := backToClient(t, resp.Header.Get("Location")); q.Get("error") != "invalid_request" || q.Get("code") != "" {
			t.Fatalf("decision without PKCE → %q", resp.Header.Get("Location"))
		}
	})
}
