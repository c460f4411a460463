package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	icoidc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenteroidc/v1"
	oidcmodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/identitycenteroidc/v1/model"

	"github.com/iic-project/iic/internal/oidc"
	"github.com/iic-project/iic/internal/secrets"
	"github.com/iic-project/iic/internal/store"
	"github.com/iic-project/iic/internal/testenv"
)

// oidcClient is a registered client as a CLI would keep it.
type oidcClient struct{ id, secret string }

func registerOIDCClient(t *testing.T, c *icoidc.IdentityCenterOIDCClient, grants ...oidcmodel.RegisterClientReqBodyGrantTypes) (oidcClient, *oidcmodel.ClientInfoDto) {
	t.Helper()
	if len(grants) == 0 {
		grants = []oidcmodel.RegisterClientReqBodyGrantTypes{oidcmodel.GetRegisterClientReqBodyGrantTypesEnum().URNIETFPARAMSOAUTHGRANT_TYPEDEVICE_CODE}
	}
	scopes := []string{"openid", "sso:account:access"}
	resp, err := c.RegisterClient(&oidcmodel.RegisterClientRequest{Body: &oidcmodel.RegisterClientReqBody{
		ClientName: "iic-cli", ClientType: oidcmodel.GetRegisterClientReqBodyClientTypeEnum().PUBLIC,
		TokenEndpointAuthMethod: oidcmodel.GetRegisterClientReqBodyTokenEndpointAuthMethodEnum().CLIENT_SECRET_POST,
		Scopes:                  &scopes, GrantTypes: grants,
		ResponseTypes: []oidcmodel.RegisterClientReqBodyResponseTypes{oidcmodel.GetRegisterClientReqBodyResponseTypesEnum().CODE},
	}})
	if err != nil {
		t.Fatalf("RegisterClient: %v", err)
	}
	if resp.ClientInfo == nil || resp.ClientInfo.ClientId == "" || resp.ClientInfo.ClientSecret == "" {
		t.Fatalf("RegisterClient = %+v", resp)
	}
	return oidcClient{resp.ClientInfo.ClientId, resp.ClientInfo.ClientSecret}, resp.ClientInfo
}

func startDevice(t *testing.T, c *icoidc.IdentityCenterOIDCClient, cl oidcClient, startURL string) *oidcmodel.StartDeviceAuthorizationResponse {
	t.Helper()
	resp, err := c.StartDeviceAuthorization(&oidcmodel.StartDeviceAuthorizationRequest{Body: &oidcmodel.StartDeviceAuthorizationReqBody{
		ClientId: cl.id, ClientSecret: cl.secret, StartUrl: startURL}})
	if err != nil {
		t.Fatalf("StartDeviceAuthorization: %v", err)
	}
	return resp
}

func grantType(t *testing.T, v string) oidcmodel.CreateTokenReqBodyGrantType {
	t.Helper()
	var g oidcmodel.CreateTokenReqBodyGrantType
	if err := json.Unmarshal([]byte(`"`+v+`"`), &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func pollDevice(c *icoidc.IdentityCenterOIDCClient, cl oidcClient, deviceCode string) (*oidcmodel.CreateTokenResponse, error) {
	return c.CreateToken(&oidcmodel.CreateTokenRequest{Body: &oidcmodel.CreateTokenReqBody{ClientId: cl.id, ClientSecret: cl.secret,
		GrantType: oidcmodel.GetCreateTokenReqBodyGrantTypeEnum().URNIETFPARAMSOAUTHGRANT_TYPEDEVICE_CODE, DeviceCode: &deviceCode}})
}

func refresh(t *testing.T, c *icoidc.IdentityCenterOIDCClient, cl oidcClient, token string) (*oidcmodel.CreateTokenResponse, error) {
	return c.CreateToken(&oidcmodel.CreateTokenRequest{Body: &oidcmodel.CreateTokenReqBody{ClientId: cl.id, ClientSecret: cl.secret,
		GrantType: grantType(t, "refresh_token"), RefreshToken: &token}})
}

// oauthError posts body to path and returns the status and the decoded
// error answer.
func oauthError(t *testing.T, srv *testenv.Server, path string, body any) (int, map[string]string) {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	resp, out := srv.Do(t, "POST", path, raw, nil, false)
	var m map[string]string
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, out)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("POST %s: Cache-Control %q", path, resp.Header.Get("Cache-Control"))
	}
	return resp.StatusCode, m
}

func wantOAuth(t *testing.T, status int, m map[string]string, wantStatus int, code, oauthCode string) {
	t.Helper()
	if status != wantStatus || m["error_code"] != code || m["error"] != oauthCode || m["error_msg"] == "" || m["error_description"] != m["error_msg"] || m["request_id"] == "" {
		t.Fatalf("got %d %v, want %d %s %s", status, m, wantStatus, code, oauthCode)
	}
}

// The device grant end to end through the SDK: register, start, pending,
// slow_down, approve (the portal's call), tokens, refresh with rotation,
// reuse detection, deny, expiry, logout.
func TestOIDCDeviceGrant(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		var skew atomic.Int64
		now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: now})
		_, sid := srv.EnableIdentityCenter(t)
		uid, _ := createUser(t, srv.IdentityStore(t), sid, "alice")
		alice := oidc.UserRef{IdentityStoreID: sid, UserID: uid}
		c := srv.OIDC(t)
		public := srv.App.Config.PublicURL

		cl, info := registerOIDCClient(t, c)
		if info.TokenEndpoint != public+"/v1/tokens" || info.AuthorizationEndpoint != public+"/start/authorize" {
			t.Fatalf("endpoints: %+v", info)
		}
		issued := time.Unix(info.ClientIdIssuedAt, 0)
		if d := time.Since(issued); d < -time.Minute || d > time.Minute || time.Unix(info.ClientSecretExpiresAt, 0).Sub(issued) != 90*24*time.Hour {
			t.Fatalf("issued %d, secret expires %d", info.ClientIdIssuedAt, info.ClientSecretExpiresAt)
		}
		if info.Scopes == nil || strings.Join(*info.Scopes, " ") != "openid sso:account:access" {
			t.Fatalf("scopes %v", info.Scopes)
		}

		d := startDevice(t, c, cl, public+"/start")
		if !regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`).MatchString(*d.UserCode) {
			t.Fatalf("user code %q", *d.UserCode)
		}
		if *d.VerificationUri != public+"/start/device" || *d.VerificationUriComplete != public+"/start/device?user_code="+*d.UserCode ||
			*d.ExpiresIn != 600 || *d.Interval != 5 || len(*d.DeviceCode) < 40 {
			t.Fatalf("StartDeviceAuthorization = %+v", d)
		}

		_, err := pollDevice(c, cl, *d.DeviceCode)
		testenv.WantError(t, err, 400, "IIC.1608")
		// Polled again at once: slow_down, and the interval grows to 10 s.
		poll := map[string]string{"client_id": cl.id, "client_secret": cl.secret, "grant_type": oidc.GrantDeviceCode, "device_code": *d.DeviceCode}
		status, m := oauthError(t, srv, "/v1/tokens", poll)
		wantOAuth(t, status, m, 400, "IIC.1608", "slow_down")
		skew.Store(int64(6 * time.Second))
		status, m = oauthError(t, srv, "/v1/tokens", poll)
		wantOAuth(t, status, m, 400, "IIC.1608", "slow_down") // 6 s < 10 s
		skew.Store(int64(6*time.Second + 16*time.Second))
		status, m = oauthError(t, srv, "/v1/tokens", poll)
		wantOAuth(t, status, m, 400, "IIC.1608", "authorization_pending")

		// The portal approves: lower case and no dash are the same code.
		typed := strings.ToLower(strings.ReplaceAll(*d.UserCode, "-", ""))
		if err := srv.App.OIDC.ApproveDevice(ctx, typed, alice, "127.0.0.1"); err != nil {
			t.Fatalf("ApproveDevice: %v", err)
		}
		if err := srv.App.OIDC.DenyDevice(ctx, *d.UserCode, alice, "127.0.0.1"); err == nil {
			t.Fatal("a decided code was denied again")
		}
		tok, err := pollDevice(c, cl, *d.DeviceCode)
		if err != nil {
			t.Fatalf("CreateToken after approval: %v", err)
		}
		ti := tok.TokenInfo
		if ti == nil || ti.AccessToken == nil || ti.RefreshToken == nil || *ti.TokenType != "Bearer" || *ti.ExpiresIn != 3600 || ti.IdToken != nil {
			t.Fatalf("token_info = %+v", ti)
		}
		who, err := srv.App.OIDC.Authenticate(ctx, *ti.AccessToken)
		if err != nil || who.User != alice || who.ClientID != cl.id || strings.Join(who.Scopes, " ") != "openid sso:account:access" {
			t.Fatalf("Authenticate = %+v, %v", who, err)
		}
		if _, err := srv.App.OIDC.Authenticate(ctx, *ti.RefreshToken); err == nil {
			t.Fatal("a refresh token authenticated as an access token")
		}
		// The device code is spent.
		_, err = pollDevice(c, cl, *d.DeviceCode)
		testenv.WantError(t, err, 401, "IIC.1604")

		// Refresh rotates both tokens.
		r1, err := refresh(t, c, cl, *ti.RefreshToken)
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if *r1.TokenInfo.RefreshToken == *ti.RefreshToken || *r1.TokenInfo.AccessToken == *ti.AccessToken {
			t.Fatal("refresh did not rotate")
		}
		if _, err := srv.App.OIDC.Authenticate(ctx, *r1.TokenInfo.AccessToken); err != nil {
			t.Fatalf("the refreshed access token: %v", err)
		}
		// Reusing the old refresh token fails and kills the new one too.
		_, err = refresh(t, c, cl, *ti.RefreshToken)
		testenv.WantError(t, err, 401, "IIC.1604")
		_, err = refresh(t, c, cl, *r1.TokenInfo.RefreshToken)
		testenv.WantError(t, err, 401, "IIC.1604")
		if _, err := srv.App.OIDC.Authenticate(ctx, *r1.TokenInfo.AccessToken); err == nil {
			t.Fatal("the family's access token survived the reuse")
		}

		// Deny: access_denied.
		d2 := startDevice(t, c, cl, public+"/start")
		if err := srv.App.OIDC.DenyDevice(ctx, *d2.UserCode, alice, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		_, err = pollDevice(c, cl, *d2.DeviceCode)
		testenv.WantError(t, err, 404, "IIC.1613")
		status, m = oauthError(t, srv, "/v1/tokens", map[string]string{"client_id": cl.id, "client_secret": cl.secret, "grant_type": oidc.GrantDeviceCode, "device_code": *d2.DeviceCode})
		wantOAuth(t, status, m, 401, "IIC.1604", "invalid_grant") // answered once, then gone

		// Logout (Revoke) kills the access token and its refresh token.
		d3 := startDevice(t, c, cl, public+"/start")
		if err := srv.App.OIDC.ApproveDevice(ctx, *d3.UserCode, alice, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		tok3, err := pollDevice(c, cl, *d3.DeviceCode)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.App.OIDC.Revoke(ctx, *tok3.TokenInfo.AccessToken); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.App.OIDC.Authenticate(ctx, *tok3.TokenInfo.AccessToken); err == nil {
			t.Fatal("a revoked access token authenticated")
		}
		_, err = refresh(t, c, cl, *tok3.TokenInfo.RefreshToken)
		testenv.WantError(t, err, 401, "IIC.1604")

		// Expiry: past expires_in the code is expired_token, and the sweep
		// removes it.
		d4 := startDevice(t, c, cl, public+"/start")
		skew.Add(int64(11 * time.Minute))
		status, m = oauthError(t, srv, "/v1/tokens", map[string]string{"client_id": cl.id, "client_secret": cl.secret, "grant_type": oidc.GrantDeviceCode, "device_code": *d4.DeviceCode})
		wantOAuth(t, status, m, 401, "IIC.1604", "expired_token")
		if err := srv.App.OIDC.ApproveDevice(ctx, *d4.UserCode, alice, "127.0.0.1"); err == nil {
			t.Fatal("an expired code was approved")
		}
		skew.Add(int64(2 * time.Minute)) // past the sweep's interval
		waitForJobs(t, "the expired device authorization to be swept", func() bool {
			_, err := srv.App.Store.OIDC().GetDeviceAuth(ctx, hashOf(*d4.UserCode))
			return errors.Is(err, store.ErrNotFound)
		}, srv)

		// An access token expires after an hour; the session ends at 8 h.
		d5 := startDevice(t, c, cl, public+"/start")
		if err := srv.App.OIDC.ApproveDevice(ctx, *d5.UserCode, alice, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		tok5, err := pollDevice(c, cl, *d5.DeviceCode)
		if err != nil {
			t.Fatal(err)
		}
		skew.Add(int64(time.Hour))
		if _, err := srv.App.OIDC.Authenticate(ctx, *tok5.TokenInfo.AccessToken); err == nil {
			t.Fatal("an access token outlived its hour")
		}
		r5, err := refresh(t, c, cl, *tok5.TokenInfo.RefreshToken)
		if err != nil {
			t.Fatalf("refresh after the access token expired: %v", err)
		}
		skew.Add(int64(7*time.Hour + time.Minute))
		_, err = refresh(t, c, cl, *r5.TokenInfo.RefreshToken)
		testenv.WantError(t, err, 401, "IIC.1604")
	})
}

func hashOf(userCode string) []byte {
	code, _ := oidc.NormalizeUserCode(userCode)
	return secrets.TokenHash(code)
}

// Bad input to the OIDC surface: every answer is the envelope with OAuth's
// error, and a wrong secret is answered exactly as an unknown client.
func TestOIDCBadInput(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect string) {
		var skew atomic.Int64
		now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
		srv := testenv.Start(t, testenv.Options{Dialect: dialect, Now: now})
		c := srv.OIDC(t)
		cl, _ := registerOIDCClient(t, c)
		public := srv.App.Config.PublicURL

		for _, path := range []string{"/v1/clients", "/v1/device/authorize", "/v1/tokens"} {
			for _, body := range []string{`{`, `[]`, `{"client_id": 5}`, `{} {}`, ``} {
				status, m := oauthError(t, srv, path, body)
				wantOAuth(t, status, m, 400, "IIC.1606", "invalid_request")
			}
		}
		resp, out := srv.Do(t, "GET", "/v1/tokens", nil, nil, false)
		if resp.StatusCode != 404 || resp.Header.Get("Allow") != "POST" || !strings.Contains(string(out), `"error":"invalid_request"`) {
			t.Fatalf("GET /v1/tokens = %d %s (Allow %q)", resp.StatusCode, out, resp.Header.Get("Allow"))
		}

		tokenReq := func(id, secret, grant string) map[string]string {
			return map[string]string{"client_id": id, "client_secret": secret, "grant_type": grant, "device_code": "x"}
		}
		status, m := oauthError(t, srv, "/v1/tokens", tokenReq(cl.id, cl.secret, "foo"))
		wantOAuth(t, status, m, 401, "IIC.1612", "unsupported_grant_type")
		status, m = oauthError(t, srv, "/v1/tokens", tokenReq(cl.id, cl.secret, "client_credentials"))
		wantOAuth(t, status, m, 400, "IIC.1615", "unsupported_grant_type")
		status, m = oauthError(t, srv, "/v1/tokens", tokenReq(cl.id, cl.secret, ""))
		wantOAuth(t, status, m, 400, "IIC.1606", "invalid_request")
		status, m = oauthError(t, srv, "/v1/tokens", tokenReq(cl.id, cl.secret, "authorization_code"))
		wantOAuth(t, status, m, 400, "IIC.1609", "unauthorized_client") // registered for the device grant only
		status, m = oauthError(t, srv, "/v1/tokens", tokenReq(cl.id, cl.secret, oidc.GrantDeviceCode))
		wantOAuth(t, status, m, 401, "IIC.1604", "invalid_grant") // an unknown device code

		// A wrong secret and an unknown client: one answer.
		status, wrong := oauthError(t, srv, "/v1/tokens", tokenReq(cl.id, cl.secret+"x", oidc.GrantDeviceCode))
		wantOAuth(t, status, wrong, 404, "IIC.1600", "invalid_client")
		status, unknown := oauthError(t, srv, "/v1/tokens", tokenReq("0123456789abcdef0123456789abcdef", cl.secret, oidc.GrantDeviceCode))
		wantOAuth(t, status, unknown, 404, "IIC.1600", "invalid_client")
		if wrong["error_msg"] != unknown["error_msg"] {
			t.Fatalf("wrong secret %v, unknown client %v", wrong, unknown)
		}
		_, err := c.StartDeviceAuthorization(&oidcmodel.StartDeviceAuthorizationRequest{Body: &oidcmodel.StartDeviceAuthorizationReqBody{
			ClientId: cl.id, ClientSecret: "nope", StartUrl: public + "/start"}})
		testenv.WantError(t, err, 404, "IIC.1600")
		_, err = c.StartDeviceAuthorization(&oidcmodel.StartDeviceAuthorizationRequest{Body: &oidcmodel.StartDeviceAuthorizationReqBody{
			ClientId: cl.id, ClientSecret: cl.secret, StartUrl: "not a url"}})
		testenv.WantError(t, err, 400, "IIC.1606")

		for what, body := range map[string]map[string]any{
			"no name":         {"client_name": "", "client_type": "public", "token_endpoint_auth_method": "client_secret_post", "grant_types": []string{oidc.GrantDeviceCode}},
			"confidential":    {"client_name": "x", "client_type": "confidential", "token_endpoint_auth_method": "client_secret_post", "grant_types": []string{oidc.GrantDeviceCode}},
			"basic auth":      {"client_name": "x", "client_type": "public", "token_endpoint_auth_method": "client_secret_basic", "grant_types": []string{oidc.GrantDeviceCode}},
			"no grant":        {"client_name": "x", "client_type": "public", "token_endpoint_auth_method": "client_secret_post"},
			"unknown grant":   {"client_name": "x", "client_type": "public", "token_endpoint_auth_method": "client_secret_post", "grant_types": []string{"implicit"}},
			"token response":  {"client_name": "x", "client_type": "public", "token_endpoint_auth_method": "client_secret_post", "grant_types": []string{oidc.GrantDeviceCode}, "response_types": []string{"token"}},
			"scope with a \"": {"client_name": "x", "client_type": "public", "token_endpoint_auth_method": "client_secret_post", "grant_types": []string{oidc.GrantDeviceCode}, "scopes": []string{`a"b`}},
		} {
			raw, _ := json.Marshal(body)
			status, m := oauthError(t, srv, "/v1/clients", string(raw))
			if status != 400 || m["error_code"] != "IIC.1606" {
				t.Errorf("%s: %d %v", what, status, m)
			}
		}
		// Only the client holding the secret learns that it expired.
		skew.Store(int64(91 * 24 * time.Hour))
		_, err = c.StartDeviceAuthorization(&oidcmodel.StartDeviceAuthorizationRequest{Body: &oidcmodel.StartDeviceAuthorizationReqBody{
			ClientId: cl.id, ClientSecret: cl.secret, StartUrl: public + "/start"}})
		testenv.WantError(t, err, 403, "IIC.1602")
		status, m = oauthError(t, srv, "/v1/tokens", tokenReq(cl.id, cl.secret+"x", oidc.GrantDeviceCode))
		wantOAuth(t, status, m, 404, "IIC.1600", "invalid_client")
	})
}

// A registration that ends before its secret: 403 IIC.1601.
func TestOIDCClientExpiry(t *testing.T) {
	var skew atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	srv := testenv.Start(t, testenv.Options{Now: now, OIDC: oidc.Config{ClientTTL: time.Hour, SecretTTL: 2 * time.Hour, ClientGrace: 2 * time.Hour}})
	c := srv.OIDC(t)
	cl, _ := registerOIDCClient(t, c)
	skew.Store(int64(90 * time.Minute))
	_, err := pollDevice(c, cl, "x")
	testenv.WantError(t, err, 403, "IIC.1601")
	skew.Store(int64(150 * time.Minute))
	_, err = pollDevice(c, cl, "x")
	testenv.WantError(t, err, 403, "IIC.1602")
	// Past the grace period (the client's end + 2 h; the sweep runs in the
	// background, so the checks above stay inside it) the sweep deletes it.
	skew.Store(int64(4 * time.Hour))
	waitForJobs(t, "the expired client to be swept", func() bool {
		_, err := srv.App.Store.OIDC().GetClient(context.Background(), cl.id)
		return errors.Is(err, store.ErrNotFound)
	}, srv)
	_, err = pollDevice(c, cl, "x")
	testenv.WantError(t, err, 404, "IIC.1600")
}
