package portalweb

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/oidc"
)

// The OIDC authorization endpoint (oidc.AuthorizationPath): the
// authorization-code grant's consent page (RFC 6749 §4.1).
//
// A request whose client or redirect_uri is not valid is answered with an
// error page and never redirected to (§4.1.2.1); every other refusal —
// response_type other than code, a missing or non-S256 PKCE challenge, an
// unregistered scope, the user's denial — goes back to the redirect URI as
// error=… with the request's state. A browser without a session signs in
// first (MFA included) and comes back to this page through the sign-in's
// local return path. Approving issues a single-use code bound to the
// client, the redirect URI and the challenge.

// maxState bounds the state echoed back.
const maxState = 1024

// consentView is the consent page's data: what it shows and the request's
// parameters, carried in hidden fields to the decision.
type consentView struct {
	ClientID, ClientName, RedirectURI, Challenge, Method, State, Scope string
	Scopes                                                             []string
	RedirectHost                                                       string
}

// codeRequestOf reads an authorization request from v (the query of the
// GET, the form of the POST).
func codeRequestOf(v url.Values, s *sessionInfo) oidc.CodeRequest {
	in := oidc.CodeRequest{ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"),
		CodeChallenge: v.Get("code_challenge"), CodeChallengeMethod: v.Get("code_challenge_method"), Scopes: strings.Fields(v.Get("scope"))}
	if s != nil {
		in.User = s.ref()
	}
	return in
}

// authorize is GET /start/authorize.
func (a *API) authorize(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in := codeRequestOf(q, nil)
	auth, err := a.OIDC.CheckAuthorization(r.Context(), in)
	if err != nil && oidc.OAuthCode(err) == "" {
		return err // the client or the redirect URI: an error page
	}
	state := q.Get("state")
	switch {
	case len(state) > maxState:
		return a.redirectError(w, r, in.RedirectURI, "", "invalid_request", "state is longer than 1024 characters")
	case q.Get("response_type") != "code":
		return a.redirectError(w, r, in.RedirectURI, state, "unsupported_response_type", `response_type must be "code"`)
	case err != nil:
		return a.redirectError(w, r, in.RedirectURI, state, oidc.OAuthCode(err), errorOf(err).Message)
	}
	s, err := a.currentSession(r)
	if err != nil {
		return err
	}
	if s == nil {
		a.signInThenBack(w, r)
		return nil
	}
	ru, _ := url.Parse(in.RedirectURI)
	v := a.signedInView(s, "Authorize "+auth.ClientName, "")
	v.Narrow = true
	v.Data = consentView{ClientID: auth.ClientID, ClientName: auth.ClientName, RedirectURI: in.RedirectURI, Challenge: in.CodeChallenge,
		Method: in.CodeChallengeMethod, State: state, Scope: q.Get("scope"), Scopes: auth.Scopes, RedirectHost: ru.Host}
	v.FormOrigin = ru.Scheme + "://" + ru.Host
	a.render(w, r, http.StatusOK, "consent", v)
	return nil
}

// cspOrigin is what allowFormRedirect puts in a policy: a scheme and a
// host (a loopback name or address) with its port, nothing else.
var cspOrigin = regexp.MustCompile(`^https?://[0-9A-Za-z.\-\[\]:]+$`)

// allowFormRedirect adds origin (the consent page's: its client's
// redirect URI's) to the page's form-action: browsers check the redirects
// a form's answer makes against it, so with 'self' alone the Allow and
// Deny buttons would stop at the portal.
func allowFormRedirect(h http.Header, origin string) {
	if !cspOrigin.MatchString(origin) {
		return
	}
	h.Set("Content-Security-Policy", strings.Replace(h.Get("Content-Security-Policy"), "form-action 'self'", "form-action 'self' "+origin, 1))
}

// authorizeDecide is the consent form's POST: the request is checked again
// (its fields came back from the page), then approve redirects with a code
// and deny with access_denied.
func (a *API) authorizeDecide(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	f := r.PostForm
	in := codeRequestOf(f, s)
	state := f.Get("state")
	if len(state) > maxState {
		state = ""
	}
	if _, err := a.OIDC.CheckAuthorization(r.Context(), in); err != nil {
		if oidc.OAuthCode(err) == "" {
			return err
		}
		return a.redirectError(w, r, in.RedirectURI, state, oidc.OAuthCode(err), errorOf(err).Message)
	}
	switch f.Get("decision") {
	case "approve":
	case "deny":
		return a.redirectError(w, r, in.RedirectURI, state, "access_denied", "the user denied the request")
	default:
		return apierr.IIC1606_400.New("decision must be approve or deny")
	}
	code, err := a.OIDC.IssueAuthorizationCode(r.Context(), in)
	if err != nil {
		if oidc.OAuthCode(err) != "" {
			return a.redirectError(w, r, in.RedirectURI, state, oidc.OAuthCode(err), errorOf(err).Message)
		}
		return err
	}
	p := url.Values{"code": {code}}
	if state != "" {
		p.Set("state", state)
	}
	http.Redirect(w, r, withQuery(in.RedirectURI, p), http.StatusSeeOther)
	return nil
}

// redirectError sends the browser back to the client's (validated)
// redirect URI with an OAuth error (RFC 6749 §4.1.2.1).
func (a *API) redirectError(w http.ResponseWriter, r *http.Request, redirectURI, state, code, description string) error {
	p := url.Values{"error": {code}}
	if description != "" {
		p.Set("error_description", description)
	}
	if state != "" {
		p.Set("state", state)
	}
	http.Redirect(w, r, withQuery(redirectURI, p), http.StatusSeeOther)
	return nil
}

// withQuery adds p to the query of raw, a redirect URI CheckAuthorization
// accepted (its own query parameters stay).
func withQuery(raw string, p url.Values) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for k, v := range p {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String()
}
