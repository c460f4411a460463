package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The OAuth scenarios, spoken to iic and to the peers it is measured
// beside (Dex, Ory Hydra). Each scenario's op is one request of the grant
// it names; what a request needs (a registered client, refresh tokens, an
// access token) is prepared before the timed part.
const (
	ScenarioDevice            = "device"             // POST device authorization (RFC 8628 §3.1)
	ScenarioRefresh           = "refresh"            // refresh_token grant, each worker its own rotating chain
	ScenarioClientCredentials = "client-credentials" // client_credentials grant
	ScenarioPassword          = "password"           // a password sign-in
	ScenarioAgency            = "agency-credentials" // iic's portal API GetAgencyCredentials
)

// Peers.
const (
	PeerIIC   = "iic"
	PeerDex   = "dex"
	PeerHydra = "hydra"
)

// errNA is a scenario a peer does not offer by design: loadgen prints
// "rps=n/a" and why.
type errNA struct{ why string }

func (e errNA) Error() string { return e.why }

// httpc sends the scenarios' requests.
type httpc struct{ c *http.Client }

// postForm posts an application/x-www-form-urlencoded body and decodes a
// JSON answer of status want into out (when out is not nil).
func (h httpc) postForm(u string, form url.Values, want int, out any) (bool, error) {
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.send(req, want, out)
}

// postJSON posts body as JSON.
func (h httpc) postJSON(u string, body any, want int, out any) (bool, error) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", u, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return h.send(req, want, out)
}

func (h httpc) send(req *http.Request, want int, out any) (bool, error) {
	req.Header.Set("User-Agent", "iic-loadgen")
	resp, err := h.c.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != want {
		if len(b) > 300 {
			b = b[:300]
		}
		return true, fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return true, fmt.Errorf("%s %s: %v", req.Method, req.URL.Path, err)
		}
	}
	return true, nil
}

// oauthRun is one scenario against one peer.
type oauthRun struct {
	h        httpc
	peer     string
	scenario string
	base     string // iic: the server; Dex: the issuer (…/dex); Hydra: the public URL
	admin    string // Hydra: the admin URL
	state    *iicState
	user     string // Dex: the password grant's user
}

// prepare returns the scenario's per-worker op factory.
func (r *oauthRun) prepare(conc int) (func(w int) op, error) {
	switch r.peer + "/" + r.scenario {
	case PeerIIC + "/" + ScenarioDevice:
		return r.iicDevice(), nil
	case PeerIIC + "/" + ScenarioRefresh:
		return r.iicRefresh(conc)
	case PeerIIC + "/" + ScenarioPassword:
		return r.iicPassword(conc)
	case PeerIIC + "/" + ScenarioAgency:
		return r.iicAgency()
	case PeerIIC + "/" + ScenarioClientCredentials:
		return nil, r.iicClientCredentials()
	case PeerDex + "/" + ScenarioDevice:
		return r.dexDevice(), nil
	case PeerDex + "/" + ScenarioRefresh:
		return r.dexRefresh(conc)
	case PeerDex + "/" + ScenarioPassword:
		return r.dexPassword(), nil
	case PeerHydra + "/" + ScenarioClientCredentials:
		return r.hydraClientCredentials()
	}
	return nil, errNA{fmt.Sprintf("%s does not offer %s (or loadgen does not speak it to %s)", r.peer, r.scenario, r.peer)}
}

// ---- Dex

func (r *oauthRun) dexDevice() func(int) op {
	body := []byte(url.Values{"client_id": {"bench-cli"}, "scope": {"openid"}}.Encode())
	return func(int) op {
		p := newTimedPoster(r.h.c, r.base+"/device/code", "application/x-www-form-urlencoded")
		return func() (bool, error) {
			ok, b, err := p.post(body, 200)
			if err == nil && jsonString(b, "device_code") == "" {
				err = fmt.Errorf("no device_code")
			}
			return ok, err
		}
	}
}

type oauthToken struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

// dexPasswordGrant is Dex's password grant for user (password "password").
func (r *oauthRun) dexPasswordGrant(user, scope string) (oauthToken, bool, error) {
	var t oauthToken
	ok, err := r.h.postForm(r.base+"/token", url.Values{"grant_type": {"password"}, "client_id": {"bench-cli"},
		"username": {user}, "password": {"password"}, "scope": {scope}}, 200, &t)
	return t, ok, err
}

func (r *oauthRun) dexPassword() func(int) op {
	return func(int) op {
		return func() (bool, error) {
			t, ok, err := r.dexPasswordGrant(r.user, "openid")
			if err == nil && t.AccessToken == "" {
				err = fmt.Errorf("no access_token")
			}
			return ok, err
		}
	}
}

// dexRefresh: Dex keeps one refresh token per user and client, so worker
// w signs in as r<w>@example.com (the bench config has r0…r31).
func (r *oauthRun) dexRefresh(conc int) (func(int) op, error) {
	tokens := make([]string, conc)
	for w := range tokens {
		t, _, err := r.dexPasswordGrant("r"+strconv.Itoa(w)+"@example.com", "openid offline_access")
		if err != nil {
			return nil, err
		}
		if t.RefreshToken == "" {
			return nil, fmt.Errorf("dex: no refresh token for r%d", w)
		}
		tokens[w] = t.RefreshToken
	}
	return func(w int) op {
		p := newTimedPoster(r.h.c, r.base+"/token", "application/x-www-form-urlencoded")
		prefix := "grant_type=refresh_token&client_id=bench-cli&refresh_token="
		var body []byte
		return func() (bool, error) {
			body = append(append(body[:0], prefix...), url.QueryEscape(tokens[w])...)
			ok, b, err := p.post(body, 200)
			if err == nil {
				t := jsonString(b, "refresh_token")
				if t == "" {
					return ok, fmt.Errorf("no refresh_token")
				}
				tokens[w] = t
			}
			return ok, err
		}
	}, nil
}

// ---- Hydra

func (r *oauthRun) hydraClientCredentials() (func(int) op, error) {
	var cl struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if _, err := r.h.postJSON(r.admin+"/admin/clients", map[string]any{"grant_types": []string{"client_credentials"},
		"token_endpoint_auth_method": "client_secret_post", "scope": "bench"}, 201, &cl); err != nil {
		return nil, err
	}
	return func(int) op {
		return func() (bool, error) {
			var t oauthToken
			ok, err := r.h.postForm(r.base+"/oauth2/token", url.Values{"grant_type": {"client_credentials"},
				"client_id": {cl.ClientID}, "client_secret": {cl.ClientSecret}, "scope": {"bench"}}, 200, &t)
			if err == nil && t.AccessToken == "" {
				err = fmt.Errorf("no access_token")
			}
			return ok, err
		}
	}, nil
}

// ---- iic

func (r *oauthRun) iicDevice() func(int) op {
	s := r.state
	body, _ := json.Marshal(map[string]string{"client_id": s.ClientID, "client_secret": s.ClientSecret, "start_url": r.base + "/start"})
	return func(int) op {
		p := newTimedPoster(r.h.c, r.base+"/v1/device/authorize", "application/json")
		return func() (bool, error) {
			ok, b, err := p.post(body, 200)
			if err == nil && jsonString(b, "device_code") == "" {
				err = fmt.Errorf("no device_code")
			}
			return ok, err
		}
	}
}

// iicRefresh gives each worker a sign-in of its own (a device
// authorization approved through the portal), whose refresh token it
// rotates: each answer's refresh token is the next request's.
func (r *oauthRun) iicRefresh(conc int) (func(int) op, error) {
	p, err := r.portal()
	if err != nil {
		return nil, err
	}
	tokens := make([]string, conc)
	for w := range tokens {
		t, err := p.deviceLogin()
		if err != nil {
			return nil, err
		}
		tokens[w] = t.RefreshToken
	}
	s := r.state
	// The body is this prefix, the token as a JSON string, and "}".
	prefix := appendJSONString([]byte(`{"client_id":`), s.ClientID)
	prefix = appendJSONString(append(prefix, `,"client_secret":`...), s.ClientSecret)
	prefix = append(prefix, `,"grant_type":"refresh_token","refresh_token":`...)
	return func(w int) op {
		p := newTimedPoster(r.h.c, r.base+"/v1/tokens", "application/json")
		var body []byte
		return func() (bool, error) {
			body = append(appendJSONString(append(body[:0], prefix...), tokens[w]), '}')
			ok, b, err := p.post(body, 200)
			if err == nil {
				t := jsonString(b, "refresh_token")
				if t == "" {
					return ok, fmt.Errorf("no refresh_token")
				}
				tokens[w] = t
			}
			return ok, err
		}
	}, nil
}

// iicClientCredentials checks that iic refuses the grant (it has no
// client-only tokens by design) and reports it as not applicable.
func (r *oauthRun) iicClientCredentials() error {
	s := r.state
	_, err := r.h.postJSON(r.base+"/v1/tokens", map[string]string{"client_id": s.ClientID, "client_secret": s.ClientSecret,
		"grant_type": "client_credentials"}, 400, nil)
	if err != nil {
		return fmt.Errorf("client_credentials: want 400 unsupported_grant_type: %v", err)
	}
	return errNA{"iic refuses client_credentials by design (400 IIC.1615 unsupported_grant_type: a token always stands for a signed-in user)"}
}

// iicAgency is GetAgencyCredentials (GET /v1/credentials, header
// access-token) for the state's agency, every worker with the access
// token of one sign-in, as the CLI and the SDK use it.
func (r *oauthRun) iicAgency() (func(int) op, error) {
	p, err := r.portal()
	if err != nil {
		return nil, err
	}
	t, err := p.deviceLogin()
	if err != nil {
		return nil, err
	}
	s := r.state
	target := r.base + "/v1/credentials?" + url.Values{"target_account_id": {s.AccountID}, "agency_urn": {s.AgencyURN}}.Encode()
	return func(int) op {
		return func() (bool, error) {
			req, _ := http.NewRequest("GET", target, nil)
			req.Header.Set("access-token", t.AccessToken)
			var out struct {
				AgencyCredentials struct {
					AccessKeyID string `json:"access_key_id"`
				} `json:"agency_credentials"`
			}
			ok, err := r.h.send(req, 200, &out)
			if err == nil && out.AgencyCredentials.AccessKeyID == "" {
				err = fmt.Errorf("no agency_credentials.access_key_id")
			}
			return ok, err
		}
	}, nil
}

// iicPassword signs in through the portal's sign-in form: each worker
// loads the form once (its CSRF cookie and token, as a browser holds
// them), then every op is one POST /start/signin with the user's password
// that ends in a session (MFA is off in the set-up instance).
func (r *oauthRun) iicPassword(conc int) (func(int) op, error) {
	forms := make([]signInForm, conc)
	for w := range forms {
		f, err := loadSignInForm(r.h, r.base, r.state.IdentityStoreID)
		if err != nil {
			return nil, err
		}
		forms[w] = f
	}
	s := r.state
	return func(w int) op {
		f := forms[w]
		body := url.Values{"csrf": {f.token}, "username": {s.UserName}, "password": {s.Password}, "store": {s.IdentityStoreID}}.Encode()
		return func() (bool, error) {
			req, _ := http.NewRequest("POST", r.base+"/start/signin", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("User-Agent", browserAgent)
			req.AddCookie(f.cookie)
			resp, err := r.h.c.Do(req)
			if err != nil {
				return false, err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/start" || !hasCookie(resp, "iic_session") {
				return true, fmt.Errorf("POST /start/signin: %d → %q, want 303 → /start with a session", resp.StatusCode, resp.Header.Get("Location"))
			}
			return true, nil
		}
	}, nil
}

func hasCookie(resp *http.Response, name string) bool {
	for _, c := range resp.Cookies() {
		if c.Name == name && c.Value != "" {
			return true
		}
	}
	return false
}

// noRedirectClient is an HTTP client that follows no redirects (the portal's
// 303s are checked, not followed).
func noRedirectClient(conc int) *http.Client {
	// Keep-alive connections, one per worker; no gzip (nothing to save on
	// loopback, and a decompressor's CPU would count against the run).
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc, DisableCompression: true}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
