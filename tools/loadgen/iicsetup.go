package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
)

// iicState is what --scenario setup made in an iic server, for the OAuth
// scenarios to use (written to and read from --state).
type iicState struct {
	InstanceID      string `json:"instance_id"`
	IdentityStoreID string `json:"identity_store_id"`
	AccountID       string `json:"account_id"`
	UserName        string `json:"user_name"`
	Password        string `json:"password"`
	ClientID        string `json:"client_id"`
	ClientSecret    string `json:"client_secret"`
	AgencyURN       string `json:"agency_urn"`
}

// benchPassword is the password the set-up user chooses at its first
// sign-in (the policy's rules: length, classes).
const benchPassword = "Bench-Passw0rd-2026!"

// browserAgent is the User-Agent of the portal requests.
const browserAgent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0 iic-loadgen"

// setupIIC makes, through the server's signed admin API with the root
// credentials (a fresh data dir), what the OAuth scenarios need: Identity
// Center started, MFA off (so a password sign-in ends in a session), a
// user with a password (created with a one-time password, changed through
// the portal's sign-in form), a permission set assigned to it in the
// management account and provisioned, and a registered OIDC client.
func setupIIC(h httpc, base string, cr creds) (*iicState, error) {
	s := signer{client: h.c, base: base, ak: cr.AccessKey, sk: cr.SecretKey, account: cr.AccountID, header: "X-Domain-Id"}
	st := &iicState{AccountID: cr.AccountID, UserName: "bench"}
	if _, err := s.do("POST", "/v1/register-regions", `{"region_id":"cn-north-4"}`); err != nil {
		return nil, err
	}
	if _, err := s.do("POST", "/v1/service/start", ""); err != nil {
		return nil, err
	}
	list, err := s.do("GET", "/v1/instances", "")
	if err != nil {
		return nil, err
	}
	if ins, _ := list["instances"].([]any); len(ins) == 1 {
		m, _ := ins[0].(map[string]any)
		st.InstanceID, _ = m["instance_id"].(string)
		st.IdentityStoreID, _ = m["identity_store_id"].(string)
	}
	if st.InstanceID == "" || st.IdentityStoreID == "" {
		return nil, fmt.Errorf("ListInstances: %v", list)
	}
	ins := "/v1/instances/" + st.InstanceID
	if _, err := s.do("POST", ins+"/sso-configuration", `{"configuration_type":"APP_AUTHENTICATION_CONFIGURATION",`+
		`"sso_configuration":{"mfa_mode":"DISABLED","no_mfa_signin_behavior":"ALLOWED"}}`); err != nil {
		return nil, err
	}
	is := s
	is.header = "none"
	u, err := is.do("POST", "/v1/identity-stores/"+st.IdentityStoreID+"/users", `{"user_name":"bench","display_name":"Bench User",`+
		`"password_mode":"OTP","name":{"given_name":"Bench","family_name":"User"},"emails":[{"value":"bench@example.test","type":"work","primary":true}]}`)
	if err != nil {
		return nil, err
	}
	userID, _ := u["user_id"].(string)
	otp, _ := u["password"].(string)
	if userID == "" || otp == "" {
		return nil, fmt.Errorf("CreateUser: %v", u)
	}
	ps, err := s.do("POST", ins+"/permission-sets", `{"name":"Bench"}`)
	if err != nil {
		return nil, err
	}
	psm, _ := ps["permission_set"].(map[string]any)
	psID, _ := psm["permission_set_id"].(string)
	if psID == "" {
		return nil, fmt.Errorf("CreatePermissionSet: %v", ps)
	}
	if _, err := s.do("PUT", ins+"/permission-sets/"+psID+"/custom-policy",
		`{"custom_policy":"{\"Version\":\"5.0\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"IdentityCenter:*:list*\"]}]}"}`); err != nil {
		return nil, err
	}
	if _, err := s.do("POST", ins+"/account-assignments/create", fmt.Sprintf(`{"permission_set_id":%q,"principal_id":%q,`+
		`"principal_type":"USER","target_id":%q,"target_type":"ACCOUNT"}`, psID, userID, cr.AccountID)); err != nil {
		return nil, err
	}
	st.AgencyURN = "iam::" + cr.AccountID + ":agency:IdentityCenter_Bench"
	var cl struct {
		ClientInfo struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
		} `json:"client_info"`
	}
	if _, err := h.postJSON(base+"/v1/clients", map[string]any{"client_name": "loadgen", "client_type": "public",
		"token_endpoint_auth_method": "client_secret_post",
		"grant_types":                []string{"urn:ietf:params:oauth:grant-type:device_code", "refresh_token"}}, 200, &cl); err != nil {
		return nil, err
	}
	st.ClientID, st.ClientSecret = cl.ClientInfo.ClientID, cl.ClientInfo.ClientSecret

	// The first sign-in, with the one-time password, asks for a new one.
	b, err := newPortalBrowser(base)
	if err != nil {
		return nil, err
	}
	loc, err := b.signIn(st.IdentityStoreID, st.UserName, otp)
	if err != nil {
		return nil, err
	}
	if loc != "/start/signin/password" {
		return nil, fmt.Errorf("first sign-in went to %q, want the new-password step", loc)
	}
	page, err := b.page("/start/signin/password")
	if err != nil {
		return nil, err
	}
	token, err := csrfOf(page)
	if err != nil {
		return nil, err
	}
	if loc, err = b.post("/start/signin/password", url.Values{"csrf": {token}, "password": {benchPassword}, "confirm": {benchPassword}}); err != nil {
		return nil, err
	} else if loc != "/start" {
		return nil, fmt.Errorf("new password: went to %q, want /start", loc)
	}
	st.Password = benchPassword

	// The assignment provisions the agency in the background: wait for
	// the credentials to be issued.
	run := &oauthRun{h: h, peer: PeerIIC, base: base, state: st}
	p := &portalSession{run: run, b: b}
	t, err := p.deviceLogin()
	if err != nil {
		return nil, err
	}
	target := base + "/v1/credentials?" + url.Values{"target_account_id": {st.AccountID}, "agency_urn": {st.AgencyURN}}.Encode()
	for deadline := time.Now().Add(60 * time.Second); ; {
		req, _ := http.NewRequest("GET", target, nil)
		req.Header.Set("access-token", t.AccessToken)
		_, err := h.send(req, 200, nil)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the agency was not provisioned within 60 s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return st, nil
}

func readState(path string) *iicState {
	b, err := os.ReadFile(path)
	if err != nil {
		fail("--state: " + err.Error())
	}
	var st iicState
	if err := json.Unmarshal(b, &st); err != nil || st.ClientID == "" {
		fail("--state: not a loadgen state file")
	}
	return &st
}

// ---- the portal, as a browser uses it

// portalBrowser is a cookie jar and form posts; redirects are returned,
// not followed.
type portalBrowser struct {
	base string
	c    *http.Client
}

func newPortalBrowser(base string) (*portalBrowser, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	return &portalBrowser{base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

func (b *portalBrowser) do(req *http.Request) (*http.Response, string, error) {
	req.Header.Set("User-Agent", browserAgent)
	resp, err := b.c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, string(body), err
}

// page GETs a page that must answer 200.
func (b *portalBrowser) page(path string) (string, error) {
	req, _ := http.NewRequest("GET", b.base+path, nil)
	resp, body, err := b.do(req)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, alertIn(body))
	}
	return body, nil
}

// post sends a form that must answer a redirect; it returns its Location.
func (b *portalBrowser) post(path string, form url.Values) (string, error) {
	resp, body, err := b.postPage(path, form)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("POST %s: %d %s", path, resp.StatusCode, alertIn(body))
	}
	return resp.Header.Get("Location"), nil
}

func (b *portalBrowser) postPage(path string, form url.Values) (*http.Response, string, error) {
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// signIn submits the store's sign-in form; it returns where it leads.
func (b *portalBrowser) signIn(storeID, user, password string) (string, error) {
	page, err := b.page("/start/" + storeID)
	if err != nil {
		return "", err
	}
	token, err := csrfOf(page)
	if err != nil {
		return "", err
	}
	return b.post("/start/signin", url.Values{"csrf": {token}, "username": {user}, "password": {password}, "store": {storeID}})
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	alertElem = regexp.MustCompile(`(?s)<div class="alert error" role="alert">(.*?)</div>`)
)

func csrfOf(page string) (string, error) {
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		return "", errors.New("no CSRF token in the page")
	}
	return html.UnescapeString(m[1]), nil
}

func alertIn(page string) string {
	if m := alertElem.FindStringSubmatch(page); m != nil {
		return strings.TrimSpace(html.UnescapeString(m[1]))
	}
	if len(page) > 200 {
		page = page[:200]
	}
	return page
}

// signInForm is the sign-in form as a browser holds it: the CSRF cookie
// and the token bound to it.
type signInForm struct {
	cookie *http.Cookie
	token  string
}

func loadSignInForm(h httpc, base, storeID string) (signInForm, error) {
	req, _ := http.NewRequest("GET", base+"/start/"+storeID, nil)
	req.Header.Set("User-Agent", browserAgent)
	resp, err := h.c.Do(req)
	if err != nil {
		return signInForm{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != 200 {
		return signInForm{}, fmt.Errorf("GET /start/%s: %d", storeID, resp.StatusCode)
	}
	token, err := csrfOf(string(body))
	if err != nil {
		return signInForm{}, err
	}
	for _, c := range resp.Cookies() {
		if c.Name == "iic_csrf" {
			return signInForm{cookie: &http.Cookie{Name: c.Name, Value: c.Value}, token: token}, nil
		}
	}
	return signInForm{}, errors.New("the sign-in form set no iic_csrf cookie")
}

// portalSession is a signed-in portal browser that approves device
// authorizations.
type portalSession struct {
	run *oauthRun
	b   *portalBrowser
}

// portal signs the state's user in to the portal.
func (r *oauthRun) portal() (*portalSession, error) {
	b, err := newPortalBrowser(r.base)
	if err != nil {
		return nil, err
	}
	loc, err := b.signIn(r.state.IdentityStoreID, r.state.UserName, r.state.Password)
	if err != nil {
		return nil, err
	}
	if loc != "/start" {
		return nil, fmt.Errorf("sign-in went to %q, want /start", loc)
	}
	return &portalSession{run: r, b: b}, nil
}

// deviceLogin is a device authorization of the state's client, approved
// on the verification page by the signed-in user, and its tokens.
func (p *portalSession) deviceLogin() (oauthToken, error) {
	r, s := p.run, p.run.state
	var d struct {
		DeviceCode string `json:"device_code"`
		UserCode   string `json:"user_code"`
	}
	if _, err := r.h.postJSON(r.base+"/v1/device/authorize", map[string]string{"client_id": s.ClientID,
		"client_secret": s.ClientSecret, "start_url": r.base + "/start"}, 200, &d); err != nil {
		return oauthToken{}, err
	}
	page, err := p.b.page("/start/device?user_code=" + url.QueryEscape(d.UserCode))
	if err != nil {
		return oauthToken{}, err
	}
	token, err := csrfOf(page)
	if err != nil {
		return oauthToken{}, err
	}
	resp, body, err := p.b.postPage("/start/device/decide", url.Values{"csrf": {token}, "user_code": {d.UserCode}, "decision": {"approve"}})
	if err != nil {
		return oauthToken{}, err
	}
	if resp.StatusCode != 200 || !strings.Contains(body, "Device authorized") {
		return oauthToken{}, fmt.Errorf("approving the device: %d %s", resp.StatusCode, alertIn(body))
	}
	var out struct {
		TokenInfo oauthToken `json:"token_info"`
	}
	if _, err := r.h.postJSON(r.base+"/v1/tokens", map[string]string{"client_id": s.ClientID, "client_secret": s.ClientSecret,
		"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": d.DeviceCode}, 200, &out); err != nil {
		return oauthToken{}, err
	}
	if out.TokenInfo.AccessToken == "" || out.TokenInfo.RefreshToken == "" {
		return oauthToken{}, errors.New("device grant: no tokens")
	}
	return out.TokenInfo, nil
}

func jsonIndent(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }
