package portalweb

import (
	"net/http"
	"slices"
	"strings"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/signin"
)

// An administrator's registration link with a security key or passkey:
// when the instance allows a WebAuthn type (and this server can be a
// relying party), /start/mfa/register?token= opens the "add a security key
// or passkey" page (an authenticator app as the other choice when TOTP is
// allowed), whose ceremony is bound to the link's registration and the
// browser's CSRF cookie; POST /start/mfa/register/webauthn finishes it.

func (a *API) mountLinkWebAuthn(rt *httpx.Router) {
	rt.Handle("POST "+Prefix+"/mfa/register/webauthn", a.form(a.registerWebAuthn))
}

// browserBinding is the value a link ceremony is bound to: the browser's
// CSRF cookie (preCSRF has set it when it was missing).
func browserBinding(r *http.Request) string {
	for _, c := range r.CookiesNamed(CSRFCookie) {
		if len(c.Value) >= 32 && len(c.Value) <= 64 {
			return c.Value
		}
	}
	return ""
}

// renderLinkWebAuthn renders the link's page as "add a security key or
// passkey" when a WebAuthn type is allowed, and reports whether it did.
func (a *API) renderLinkWebAuthn(w http.ResponseWriter, r *http.Request, status int, token, name string, e *apierr.Error) (bool, error) {
	allowed, err := a.SignIn.LinkMFATypes(r.Context(), token)
	methods := signin.WebAuthnMethods(allowed)
	if err != nil || len(methods) == 0 {
		return false, err
	}
	v := &view{Title: "Register an MFA device", Narrow: true, CSRF: a.preCSRF(w, r), RegToken: token, Link: Prefix, Error: e}
	opts, err := a.SignIn.BeginWebAuthnLinkRegistration(r.Context(), token, browserBinding(r))
	if err != nil {
		return false, err
	}
	v.WebAuthn = &webauthnView{Action: Prefix + "/mfa/register/webauthn", Options: opts.JSON, Name: name, Kinds: kindsOf(methods),
		TOTP: slices.Contains(allowed, center.MFATypeTOTP), TOTPAction: Prefix + "/mfa/register"}
	a.render(w, r, status, "webauthn_add", v)
	return true, nil
}

func (a *API) registerWebAuthn(w http.ResponseWriter, r *http.Request) error {
	pf := r.PostForm
	token, name := pf.Get("token"), strings.TrimSpace(pf.Get("name"))
	_, err := a.SignIn.CompleteWebAuthnLinkRegistration(r.Context(), token, browserBinding(r), pf.Get("credential"), name)
	if err != nil {
		e, ok := apierr.From(err)
		if !ok || e.Status() >= 500 || apierr.IIC1721.Is(err) || apierr.IIC1388.Is(err) {
			return err
		}
		if done, rerr := a.renderLinkWebAuthn(w, r, e.Status(), token, name, e); done || rerr != nil {
			return rerr
		}
		return err
	}
	a.render(w, r, http.StatusOK, "message", &view{Title: "Device registered", Heading: "Your MFA device is registered", Narrow: true, OK: true,
		Notice: "The security key or passkey is now an MFA device of your account.", Body: "You will be asked for it when you sign in.", LinkText: "Sign in"})
	return nil
}
