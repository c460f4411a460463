// Package portalweb is the web portal at <public-url>/start: sign-in (the
// sign-in service's steps: password, a security key or passkey, TOTP or
// e-mailed code, enrolment of a first device, a new password for a
// one-time or expired one), the
// user's accounts, their permission sets and temporary credentials, the
// user's own MFA devices, the OIDC device-verification page, the OIDC
// authorization endpoint's consent page (consent.go) and password recovery
// by e-mail (recovery.go).
//
// Pages are rendered on the server (html/template) and work without
// JavaScript, except security keys and passkeys, whose ceremonies only the
// browser can run (webauthn.go, assets/webauthn.js); portal.js only adds
// copy buttons. Every answer
// under /start, errors included (unknown paths, wrong methods, refused
// bodies, panics), is an HTML page: the surface claims /start in
// httpx.Dialects.
//
// Which identity store a sign-in is for: /start signs in to the identity
// store of the management account's instance; /start/<identity store id>
// to that store. Once signed in, the session says whose store it is.
//
// Security properties (see also the README's portal section):
//   - the session cookie (iic_session) is HttpOnly, SameSite=Lax,
//     Path=/start, and Secure when the public URL is https; a sign-in always
//     issues a new session token and ends the one the browser held;
//   - every form carries a CSRF token: an HMAC of the session token (signed
//     in) or of a per-browser random cookie (signing in), compared in
//     constant time; a missing or wrong one is a 403 page;
//   - the in-progress sign-in (the sign-in service's challenge) travels in
//     an HttpOnly cookie, never in a URL or a page;
//   - after sign-in the browser returns only to a same-origin path under
//     /start (anything else goes to the portal home);
//   - every page is Cache-Control: no-store, and the Content-Security-Policy
//     allows no inline script, no framing and no foreign origin.
package portalweb

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/oidc"
	"github.com/iic-project/iic/internal/portal"
	"github.com/iic-project/iic/internal/signin"
)

//go:embed assets templates
var files embed.FS

// Prefix is the path every page of the portal is under.
const Prefix = "/start"

// Cookie names. All are Path=/start, HttpOnly, SameSite=Lax.
const (
	SessionCookie = "iic_session" // the portal session token
	CSRFCookie    = "iic_csrf"    // random; binds the CSRF token of forms shown before sign-in
	FlowCookie    = "iic_signin"  // the sign-in in progress (step, challenge, return path)
	DeviceCookie  = "iic_device"  // the long-lived device id CONTEXT_AWARE MFA recognises
)

// Stores answers the portal's questions about identity stores.
type Stores interface {
	// Default is the identity store /start signs in to: the management
	// account's instance's. IIC.1730 when there is no instance.
	Default(ctx context.Context) (string, error)
	// Exists reports whether an instance owns identity store id.
	Exists(ctx context.Context, id string) (bool, error)
	// DevicePermission is what the store's users may do with their own MFA
	// devices (center.MFADevicesReadActions or MFADevicesAllActions).
	DevicePermission(ctx context.Context, id string) (string, error)
}

// API serves the portal's pages.
type API struct {
	SignIn   *signin.Service
	OIDC     *oidc.Service
	Portal   *portal.Service
	Identity *identity.Service
	Stores   Stores
	// PublicURL is the server's external base URL: https makes the
	// cookies Secure.
	PublicURL string
	// Key keys the CSRF tokens (at least 32 bytes).
	Key []byte

	pages    map[string]*pageTemplate
	sessions httpx.Authenticator
}

func (a *API) secure() bool { return strings.HasPrefix(strings.ToLower(a.PublicURL), "https://") }

func (a *API) log(ctx context.Context) *slog.Logger { return httpx.Logger(ctx) }

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// authedFunc is a handler for a signed-in user.
type authedFunc func(w http.ResponseWriter, r *http.Request, s *sessionInfo) error

// Mount registers the pages on rt, their signed-in users authenticated by
// sessions (Sessions), and claims /start's errors.
func (a *API) Mount(rt *httpx.Router, d *httpx.Dialects, sessions httpx.Authenticator) {
	a.sessions = sessions
	a.pages = mustParsePages()
	d.Claim(httpx.SegmentsMatch(Prefix), a.writeError)
	assets, err := fs.Sub(files, "assets")
	if err != nil {
		panic(err)
	}
	static := http.StripPrefix(Prefix+"/assets/", http.FileServerFS(assets))
	rt.Handle("GET "+Prefix+"/assets/{file}", a.page(func(w http.ResponseWriter, r *http.Request) error {
		if _, err := fs.Stat(assets, r.PathValue("file")); err != nil {
			return apierr.IIC404.New("no page at " + r.URL.Path)
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		static.ServeHTTP(w, r)
		return nil
	}))

	rt.Handle("GET "+Prefix, a.page(a.start))
	rt.Handle("GET "+Prefix+"/{$}", a.page(a.start))
	rt.Handle("GET "+Prefix+"/{store}", a.page(a.storeSignIn))
	rt.Handle("POST "+Prefix+"/signin", a.form(a.postPassword))
	rt.Handle("GET "+Prefix+"/signin/restart", a.page(a.restart))
	rt.Handle("GET "+Prefix+"/signin/mfa", a.page(a.showStep(stepMFA)))
	rt.Handle("POST "+Prefix+"/signin/mfa", a.form(a.postMFA))
	rt.Handle("GET "+Prefix+"/signin/email", a.page(a.showStep(stepEmail)))
	rt.Handle("POST "+Prefix+"/signin/email", a.form(a.postEmail))
	rt.Handle("GET "+Prefix+"/signin/password", a.page(a.showStep(stepPassword)))
	rt.Handle("POST "+Prefix+"/signin/password", a.form(a.postNewPassword))
	rt.Handle("GET "+Prefix+"/signin/enrol", a.page(a.showStep(stepEnrol)))
	rt.Handle("POST "+Prefix+"/signin/enrol", a.form(a.postEnrolBegin))
	rt.Handle("POST "+Prefix+"/signin/enrol/confirm", a.form(a.postEnrolConfirm))
	a.mountWebAuthn(rt)

	rt.Handle("GET "+Prefix+"/accounts/{account_id}", a.authed(a.account))
	rt.Handle("POST "+Prefix+"/credentials", a.authedForm(a.credentials))
	rt.Handle("GET "+Prefix+"/mfa", a.authed(a.mfa))
	rt.Handle("POST "+Prefix+"/mfa/add", a.authedForm(a.deviceChange(a.mfaAdd)))
	rt.Handle("POST "+Prefix+"/mfa/add/confirm", a.authedForm(a.deviceChange(a.mfaAddConfirm)))
	rt.Handle("POST "+Prefix+"/mfa/delete", a.authedForm(a.deviceChange(a.mfaDelete)))
	rt.Handle("GET "+Prefix+"/mfa/register", a.page(a.registerLink))
	rt.Handle("POST "+Prefix+"/mfa/register", a.form(a.registerBegin))
	rt.Handle("POST "+Prefix+"/mfa/register/confirm", a.form(a.registerConfirm))
	rt.Handle("POST "+Prefix+"/signout", a.authedForm(a.signOut))

	rt.Handle("GET "+Prefix+"/device", a.authed(a.device))
	rt.Handle("POST "+Prefix+"/device", a.authedForm(a.deviceDescribe))
	rt.Handle("POST "+Prefix+"/device/decide", a.authedForm(a.deviceDecide))
	a.mountMore(rt)
}

// securityHeaders are set on every answer of the portal.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// page wraps a handler: security headers, and errors as pages.
func (a *API) page(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		if err := h(w, r); err != nil {
			httpx.WriteError(w, r, err)
		}
	})
}

// errCSRF is the answer to a form without its right CSRF token.
func errCSRF() error {
	return apierr.IIC1001.New("the form has expired or did not come from this portal. Go back, reload the page and try again.")
}

// form is a POST handler of the sign-in flow: the form's CSRF token must
// be the one bound to the browser's CSRF cookie.
func (a *API) form(h handlerFunc) http.Handler {
	return a.page(func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return apierr.IIC400_400.New("the form could not be read")
		}
		ok := false
		for _, c := range r.CookiesNamed(CSRFCookie) {
			ok = ok || (c.Value != "" && a.csrfOK(r.PostForm.Get("csrf"), "pre:"+c.Value))
		}
		if !ok {
			return errCSRF()
		}
		return h(w, r)
	})
}

// sessionInfo is the signed-in user of a request.
type sessionInfo struct {
	token   string
	session signin.SessionRef // whose session it is, as its principal says
	csrf    string
	name    string
}

func (s *sessionInfo) user() portal.User {
	return portal.User{IdentityStoreID: s.session.IdentityStoreID, UserID: s.session.UserID, Session: WebSession(s.session.ID)}
}

func (s *sessionInfo) ref() oidc.UserRef {
	return oidc.UserRef{IdentityStoreID: s.session.IdentityStoreID, UserID: s.session.UserID}
}

// webSessionPrefix starts the portal.User.Session of a web session.
const webSessionPrefix = "web:"

// WebSession is the portal.User.Session of the credentials issued in the
// web session id: signing out deletes them.
func WebSession(id string) string { return webSessionPrefix + id }

// WebSessions is WebSession of each id.
func WebSessions(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = WebSession(id)
	}
	return out
}

// currentSession returns the signed-in user of the request (authenticated
// by the mount's sessions), or nil when there is none.
func (a *API) currentSession(r *http.Request) (*sessionInfo, error) {
	p, err := a.sessions.Authenticate(r, nil, httpx.AuthOp{})
	if apierr.IIC1717.Is(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c, cerr := r.Cookie(SessionCookie) // the token binds the forms' CSRF token
	if p.Kind != authz.KindPortalUser || p.Store == nil || cerr != nil {
		return nil, nil
	}
	id, web := strings.CutPrefix(p.Store.Session, webSessionPrefix)
	if !web {
		return nil, nil
	}
	storeID := p.Store.IdentityStoreID
	name := ""
	if u, err := a.Identity.GetUser(r.Context(), storeID, p.UserID); err == nil {
		name = u.UserName
		if u.DisplayName != "" {
			name = u.DisplayName
		}
	}
	return &sessionInfo{token: c.Value, session: signin.SessionRef{ID: id, IdentityStoreID: storeID, UserID: p.UserID},
		csrf: a.csrfToken("session:" + c.Value), name: name}, nil
}

// authed is a GET page for a signed-in user: without a session it sends the
// browser to sign in, then back here.
func (a *API) authed(h authedFunc) http.Handler {
	return a.page(func(w http.ResponseWriter, r *http.Request) error {
		s, err := a.currentSession(r)
		if err != nil {
			return err
		}
		if s == nil {
			a.signInThenBack(w, r)
			return nil
		}
		return h(w, r, s)
	})
}

// signInThenBack ends a browser's dead session cookie and sends it to sign
// in, then back to the page it asked for.
func (a *API) signInThenBack(w http.ResponseWriter, r *http.Request) {
	a.clearCookie(w, SessionCookie)
	http.Redirect(w, r, Prefix+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

// authedForm is a POST handler for a signed-in user: the CSRF token must be
// the session's. Without a session the browser is sent to sign in.
func (a *API) authedForm(h authedFunc) http.Handler {
	return a.page(func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return apierr.IIC400_400.New("the form could not be read")
		}
		s, err := a.currentSession(r)
		if err != nil {
			return err
		}
		if s == nil {
			a.clearCookie(w, SessionCookie)
			http.Redirect(w, r, Prefix+"?expired=1", http.StatusSeeOther)
			return nil
		}
		if !a.csrfOK(r.PostForm.Get("csrf"), "session:"+s.token) {
			return errCSRF()
		}
		return h(w, r, s)
	})
}

// ---- CSRF

func (a *API) csrfToken(binding string) string {
	m := hmac.New(sha256.New, a.Key)
	m.Write([]byte("portal-csrf\x00"))
	m.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfOK compares a form's token with the binding's in constant time.
func (a *API) csrfOK(got, binding string) bool {
	want := a.csrfToken(binding)
	return len(got) == len(want) && hmac.Equal([]byte(got), []byte(want))
}

// preCSRF returns the CSRF token for a form shown before sign-in, setting
// the browser's CSRF cookie when it has none.
func (a *API) preCSRF(w http.ResponseWriter, r *http.Request) string {
	for _, c := range r.CookiesNamed(CSRFCookie) {
		if len(c.Value) >= 32 && len(c.Value) <= 64 {
			return a.csrfToken("pre:" + c.Value)
		}
	}
	v := a.SignIn.IDs.Token(43)
	a.setCookie(w, CSRFCookie, v, 0)
	// Later calls while answering this request see the same value.
	r.AddCookie(&http.Cookie{Name: CSRFCookie, Value: v})
	return a.csrfToken("pre:" + v)
}

// ---- cookies

func (a *API) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: Prefix, HttpOnly: true, Secure: a.secure(), SameSite: http.SameSiteLaxMode}
	if maxAge > 0 {
		c.MaxAge = int(maxAge.Seconds())
	}
	http.SetCookie(w, c)
}

func (a *API) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: Prefix, MaxAge: -1, HttpOnly: true, Secure: a.secure(), SameSite: http.SameSiteLaxMode})
}

// ---- return paths

// SafeNext returns next when it is a same-origin path under /start that a
// browser may be sent to after sign-in, else "". Absolute URLs,
// scheme-relative ones (//host), backslashes (browsers read /\host as
// //host) and control characters are refused.
func SafeNext(next string) string {
	if next == "" || len(next) > 2048 || next[0] != '/' {
		return ""
	}
	if strings.ContainsAny(next, "\\\r\n\t") || strings.HasPrefix(next, "//") {
		return ""
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	if u.Path != Prefix && !strings.HasPrefix(u.Path, Prefix+"/") {
		return ""
	}
	// Dot segments could climb out of /start.
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return ""
		}
	}
	if strings.HasPrefix(u.Path, Prefix+"/signin") || strings.HasPrefix(u.Path, Prefix+"/signout") {
		return ""
	}
	return next
}

// ---- errors

func errorOf(err error) *apierr.Error {
	if e, ok := apierr.From(err); ok {
		return e
	}
	return apierr.IIC1260.New()
}

// writeError answers every error of a /start request as a page.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	securityHeaders(w.Header())
	e, ok := apierr.From(err)
	status := http.StatusInternalServerError
	var mna *httpx.MethodNotAllowedError
	switch {
	case errors.As(err, &mna):
		w.Header().Set("Allow", strings.Join(mna.Allow, ", "))
		status, e = http.StatusMethodNotAllowed, apierr.IIC404.New("no page at "+r.Method+" "+quote(r.URL.Path))
	case errors.Is(err, httpx.ErrBodyTooLarge):
		status = http.StatusRequestEntityTooLarge
	case !ok:
		a.log(r.Context()).Error("internal error", "err", err.Error())
		e = apierr.IIC1260.New()
	default:
		status = e.Status()
		if status >= 500 {
			a.log(r.Context()).Error("server error", "code", e.Def.Code, "err", err.Error())
		}
	}
	if e == nil {
		e = apierr.IIC1260.New()
	}
	heading := "Something went wrong"
	switch status {
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		heading = "Page not found"
		if e.Def.Code == apierr.IIC404.Code {
			e = apierr.IIC404.New("no page at " + quote(r.URL.Path))
		}
	case http.StatusForbidden:
		heading = "Access denied"
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		heading = "The request could not be completed"
	}
	a.render(w, r, status, "message", &view{Title: heading, Heading: heading, Error: e, RequestID: httpx.RequestID(r.Context()), Narrow: true})
}

func quote(p string) string {
	if len(p) > 200 {
		p = p[:200] + "…"
	}
	return strings.ToValidUTF8(p, "?")
}
