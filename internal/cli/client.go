package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// API is a client of a server's OIDC and portal API surfaces (unsigned
// JSON: client credentials in the OIDC bodies, the access token in the
// portal API's access-token header).
type API struct {
	URL  string // base URL, no trailing slash
	HTTP *http.Client
}

// NewAPI is an API for the server at base.
func NewAPI(base string, hc *http.Client) *API {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &API{URL: strings.TrimRight(base, "/"), HTTP: hc}
}

// Error is an error answer of the server: the envelope's code and message
// and, from the OIDC surface, OAuth's error member.
type Error struct {
	Status  int
	Code    string // error_code, e.g. IIC.1608
	Message string // error_msg
	OAuth   string // error, e.g. authorization_pending
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.OAuth != "" {
		msg += " (" + e.OAuth + ")"
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

func (a *API) do(ctx context.Context, method, path string, header http.Header, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.URL+path, body)
	if err != nil {
		return err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Code    string `json:"error_code"`
			Message string `json:"error_msg"`
			OAuth   string `json:"error"`
		}
		if json.Unmarshal(raw, &e) != nil || e.Code == "" && e.OAuth == "" {
			e.Message = strings.TrimSpace(string(raw))
			if len(e.Message) > 200 {
				e.Message = e.Message[:200] + "…"
			}
		}
		return &Error{Status: resp.StatusCode, Code: e.Code, Message: e.Message, OAuth: e.OAuth}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: unexpected answer: %w", method, path, err)
	}
	return nil
}

// OAuth grant types the CLI uses.
const (
	GrantDeviceCode   = "urn:ietf:params:oauth:grant-type:device_code"
	GrantRefreshToken = "refresh_token"
)

// RegisterClient registers a public client for the device and refresh
// grants (POST /v1/clients).
func (a *API) RegisterClient(ctx context.Context, name string) (Client, error) {
	var out struct {
		ClientInfo struct {
			ClientID              string `json:"client_id"`
			ClientSecret          string `json:"client_secret"`
			ClientSecretExpiresAt int64  `json:"client_secret_expires_at"`
		} `json:"client_info"`
	}
	err := a.do(ctx, "POST", "/v1/clients", nil, map[string]any{
		"client_name": name, "client_type": "public", "token_endpoint_auth_method": "client_secret_post",
		"grant_types": []string{GrantDeviceCode, GrantRefreshToken},
	}, &out)
	if err != nil {
		return Client{}, err
	}
	ci := out.ClientInfo
	if ci.ClientID == "" || ci.ClientSecret == "" {
		return Client{}, fmt.Errorf("RegisterClient answered no client_id or client_secret")
	}
	return Client{ID: ci.ClientID, Secret: ci.ClientSecret, SecretExpiresAt: time.Unix(ci.ClientSecretExpiresAt, 0)}, nil
}

// Device is a started device authorization (RFC 8628 §3.2).
type Device struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int    `json:"expires_in"`
	Interval                int    `json:"interval"`
}

// StartDeviceAuthorization starts the device grant (POST
// /v1/device/authorize) for the portal at startURL.
func (a *API) StartDeviceAuthorization(ctx context.Context, c Client, startURL string) (Device, error) {
	var d Device
	err := a.do(ctx, "POST", "/v1/device/authorize", nil, map[string]string{
		"client_id": c.ID, "client_secret": c.Secret, "start_url": startURL}, &d)
	if err == nil && (d.DeviceCode == "" || d.UserCode == "") {
		err = fmt.Errorf("StartDeviceAuthorization answered no device_code or user_code")
	}
	return d, err
}

// CreateToken calls POST /v1/tokens: grant is GrantDeviceCode with code
// the device code, or GrantRefreshToken with code the refresh token. now
// dates the answer's expires_in.
func (a *API) CreateToken(ctx context.Context, c Client, grant, code string, now time.Time) (Token, error) {
	body := map[string]string{"client_id": c.ID, "client_secret": c.Secret, "grant_type": grant}
	if grant == GrantDeviceCode {
		body["device_code"] = code
	} else {
		body["refresh_token"] = code
	}
	var out struct {
		TokenInfo struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
			ExpiresIn    int    `json:"expires_in"`
		} `json:"token_info"`
	}
	if err := a.do(ctx, "POST", "/v1/tokens", nil, body, &out); err != nil {
		return Token{}, err
	}
	ti := out.TokenInfo
	if ti.AccessToken == "" {
		return Token{}, fmt.Errorf("CreateToken answered no access_token")
	}
	return Token{AccessToken: ti.AccessToken, RefreshToken: ti.RefreshToken, ExpiresAt: now.Add(time.Duration(ti.ExpiresIn) * time.Second)}, nil
}

// Account is an account assigned to the signed-in user.
type Account struct {
	ID    string `json:"account_id"`
	Name  string `json:"account_name"`
	Email string `json:"email_address"`
}

// Agency is an agency assigned to the user in an account: the permission
// set provisioned there.
type Agency struct {
	AccountID         string `json:"account_id"`
	Name              string `json:"agency_name"`
	PermissionSetName string `json:"permission_set_name"`
	URN               string `json:"agency_urn"`
	Description       string `json:"description"`
}

type pageInfo struct {
	NextMarker *string `json:"next_marker"`
}

func tokenHeader(access string) http.Header {
	return http.Header{"Access-Token": {access}}
}

// Accounts lists every account assigned to the token's user (GET
// /v1/assigned-accounts, all pages).
func (a *API) Accounts(ctx context.Context, access string) ([]Account, error) {
	var all []Account
	marker := ""
	for {
		q := url.Values{"limit": {"100"}}
		if marker != "" {
			q.Set("marker", marker)
		}
		var out struct {
			AccountList []Account `json:"account_list"`
			PageInfo    pageInfo  `json:"page_info"`
		}
		if err := a.do(ctx, "GET", "/v1/assigned-accounts?"+q.Encode(), tokenHeader(access), nil, &out); err != nil {
			return nil, err
		}
		all = append(all, out.AccountList...)
		if out.PageInfo.NextMarker == nil || *out.PageInfo.NextMarker == "" || len(out.AccountList) == 0 {
			return all, nil
		}
		marker = *out.PageInfo.NextMarker
	}
}

// Agencies lists the agencies assigned to the token's user in account
// (GET /v1/assigned-agencies, all pages).
func (a *API) Agencies(ctx context.Context, access, account string) ([]Agency, error) {
	var all []Agency
	marker := ""
	for {
		q := url.Values{"account_id": {account}, "limit": {"100"}}
		if marker != "" {
			q.Set("marker", marker)
		}
		var out struct {
			AgencyList []Agency `json:"agency_list"`
			PageInfo   pageInfo `json:"page_info"`
		}
		if err := a.do(ctx, "GET", "/v1/assigned-agencies?"+q.Encode(), tokenHeader(access), nil, &out); err != nil {
			return nil, err
		}
		all = append(all, out.AgencyList...)
		if out.PageInfo.NextMarker == nil || *out.PageInfo.NextMarker == "" || len(out.AgencyList) == 0 {
			return all, nil
		}
		marker = *out.PageInfo.NextMarker
	}
}

// Credentials are temporary credentials of an agency.
type Credentials struct {
	AccessKey     string    `json:"access_key"`
	SecretKey     string    `json:"secret_key"`
	SecurityToken string    `json:"security_token"`
	AccountID     string    `json:"account_id"`
	Expiration    time.Time `json:"expiration"`
}

// AgencyCredentials gets temporary credentials of agency urn in account
// (GET /v1/credentials).
func (a *API) AgencyCredentials(ctx context.Context, access, account, urn string) (Credentials, error) {
	q := url.Values{"target_account_id": {account}, "agency_urn": {urn}}
	var out struct {
		AgencyCredentials struct {
			AccessKeyID     string `json:"access_key_id"`
			SecretAccessKey string `json:"secret_access_key"`
			SessionToken    string `json:"session_token"`
			Expiration      int64  `json:"expiration"`
		} `json:"agency_credentials"`
	}
	if err := a.do(ctx, "GET", "/v1/credentials?"+q.Encode(), tokenHeader(access), nil, &out); err != nil {
		return Credentials{}, err
	}
	c := out.AgencyCredentials
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return Credentials{}, fmt.Errorf("GetAgencyCredentials answered no access key")
	}
	return Credentials{AccessKey: c.AccessKeyID, SecretKey: c.SecretAccessKey, SecurityToken: c.SessionToken,
		AccountID: account, Expiration: time.Unix(c.Expiration, 0).UTC()}, nil
}

// Logout revokes the access token, its refresh token and the credentials
// issued with them (POST /v1/logout).
func (a *API) Logout(ctx context.Context, access string) error {
	return a.do(ctx, "POST", "/v1/logout", tokenHeader(access), nil, nil)
}
