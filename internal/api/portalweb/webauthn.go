package portalweb

import (
	"net/http"
	"slices"
	"strings"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/identity"
	"github.com/iic-project/iic/internal/signin"
)

// Security keys and passkeys (WebAuthn). The ceremonies need the
// browser's navigator.credentials, so assets/webauthn.js drives them: it
// reads the options the server rendered into #webauthn-options, asks the
// authenticator when the user presses #webauthn-start, and posts the
// answer (the PublicKeyCredential as JSON, binary members base64url) in
// the form field "credential" of #webauthn-form, with the form's CSRF
// token: the handlers below are plain form handlers. Without JavaScript
// the pages say so and offer the other allowed methods.
//
// Element ids a browser test may rely on: #webauthn-form, #webauthn-start,
// #webauthn-options, #webauthn-credential, #webauthn-name (registration),
// #webauthn-error (what the browser answered when it refused),
// #webauthn-nojs, #webauthn-use-totp and #webauthn-use-key (switching
// between a key and an authenticator-app code), #webauthn-add (the
// devices page's button).

func init() { pageNames = append(pageNames, "webauthn_signin", "webauthn_add") }

// webauthnView is what the WebAuthn pages (and the links to them) need.
type webauthnView struct {
	Action  string // where the form posts
	Options string // the ceremony's options (JSON)
	Name    string // the device name typed so far (registration)
	// Kinds says which kinds of authenticator the instance allows.
	Kinds string
	// TOTP: an authenticator app is another method here; TOTPAction is
	// the form that sets one up (registration) or "" (the MFA step links
	// to the code page).
	TOTP       bool
	TOTPAction string
}

func (a *API) mountWebAuthn(rt *httpx.Router) {
	rt.Handle("POST "+Prefix+"/signin/webauthn", a.form(a.postWebAuthn))
	rt.Handle("POST "+Prefix+"/signin/enrol/webauthn", a.form(a.postEnrolWebAuthn))
	rt.Handle("POST "+Prefix+"/mfa/webauthn", a.authedForm(a.deviceChange(a.mfaAddWebAuthn)))
	rt.Handle("POST "+Prefix+"/mfa/webauthn/confirm", a.authedForm(a.deviceChange(a.mfaAddWebAuthnConfirm)))
	a.mountLinkWebAuthn(rt)
}

func kindsOf(methods []string) string {
	if slices.Contains(methods, center.MFATypeWebAuthn) {
		return "a security key or a passkey (for example Windows Hello, Touch ID, Android or a password manager)"
	}
	return "a security key (a USB, NFC or Bluetooth key such as a YubiKey); passkeys built into a device are not allowed"
}

// webauthnFailed answers an error of a WebAuthn begin while a step page is
// rendered: the sign-in restarts with the error.
func (a *API) webauthnFailed(w http.ResponseWriter, r *http.Request, f flow, err error) {
	e, ok := apierr.From(err)
	if !ok {
		a.log(r.Context()).Error("webauthn", "err", err.Error())
		e = apierr.IIC1260.New()
	}
	a.clearCookie(w, FlowCookie)
	a.signInPage(w, r, e.Status(), f.store, f.next, "", e, "")
}

// renderWebAuthnStep renders the MFA step as "use your security key or
// passkey" when the step allows a WebAuthn type, and reports whether it
// did; otherwise (no such type, or the user chose the authenticator app:
// ?use=totp, or a TOTP code was posted) the TOTP page is shown, with v
// linking back here when a key is a method too.
func (a *API) renderWebAuthnStep(w http.ResponseWriter, r *http.Request, status int, f flow, v *view) bool {
	methods := signin.WebAuthnMethods(f.methods)
	if len(methods) == 0 {
		return false
	}
	hasTOTP := slices.Contains(f.methods, center.MFATypeTOTP)
	if !a.SignIn.WebAuthnAvailable() {
		if hasTOTP {
			return false
		}
		a.render(w, r, apierr.IIC1710.Status, "message", &view{Title: "Sign in", Heading: "Sign-in method not available", Narrow: true, Error: apierr.IIC1710.New(),
			Body: "Your MFA device is a security key or passkey, which works only when the portal is reached under a domain name (not an IP address). Ask your administrator.",
			Link: Prefix + "/signin/restart", LinkText: "Start over"})
		return true
	}
	wantsTOTP := r.URL.Query().Get("use") == "totp" || (r.Method == http.MethodPost && r.URL.Path == Prefix+"/signin/mfa")
	if hasTOTP && wantsTOTP {
		v.WebAuthn = &webauthnView{}
		return false
	}
	opts, err := a.SignIn.BeginWebAuthn(r.Context(), f.challenge)
	if err != nil {
		if hasTOTP && apierr.IIC1725.Is(err) {
			return false // no key of an allowed kind any more: the app
		}
		a.webauthnFailed(w, r, f, err)
		return true
	}
	v.Title = "Use your security key or passkey"
	v.WebAuthn = &webauthnView{Action: Prefix + "/signin/webauthn", Options: opts.JSON, Kinds: kindsOf(methods), TOTP: hasTOTP}
	a.render(w, r, status, "webauthn_signin", v)
	return true
}

// renderWebAuthnEnrol renders the enrolment step as "add a security key or
// passkey" (with an authenticator app as the other choice when TOTP is
// allowed) when the step allows a WebAuthn type and this server can be a
// relying party, and reports whether it did.
func (a *API) renderWebAuthnEnrol(w http.ResponseWriter, r *http.Request, status int, f flow, v *view) bool {
	methods := signin.WebAuthnMethods(f.methods)
	if len(methods) == 0 || !a.SignIn.WebAuthnAvailable() {
		return false
	}
	opts, err := a.SignIn.BeginWebAuthnEnrolment(r.Context(), f.challenge, f.regToken)
	if err != nil {
		a.webauthnFailed(w, r, f, err)
		return true
	}
	v.Title, v.Signin = "Register an MFA device", true
	v.WebAuthn = &webauthnView{Action: Prefix + "/signin/enrol/webauthn", Options: opts.JSON, Kinds: kindsOf(methods), Name: r.PostForm.Get("name"),
		TOTP: slices.Contains(f.methods, center.MFATypeTOTP), TOTPAction: Prefix + "/signin/enrol"}
	a.render(w, r, status, "webauthn_add", v)
	return true
}

// postWebAuthn is the MFA step with a security key or passkey.
func (a *API) postWebAuthn(w http.ResponseWriter, r *http.Request) error {
	f, ok := a.stepFlow(w, r, stepMFA)
	if !ok {
		return nil
	}
	res, err := a.SignIn.VerifyWebAuthn(r.Context(), f.challenge, r.PostForm.Get("credential"))
	if err != nil {
		return a.stepFailed(w, r, f, err)
	}
	return a.advance(w, r, res, f)
}

// postEnrolWebAuthn registers the first device during sign-in.
func (a *API) postEnrolWebAuthn(w http.ResponseWriter, r *http.Request) error {
	f, ok := a.stepFlow(w, r, stepEnrol)
	if !ok {
		return nil
	}
	res, err := a.SignIn.CompleteWebAuthnEnrolment(r.Context(), f.challenge, f.regToken, r.PostForm.Get("credential"), strings.TrimSpace(r.PostForm.Get("name")))
	if err != nil {
		return a.stepFailed(w, r, f, err)
	}
	return a.advance(w, r, res, f)
}

// webauthnOffer is the devices page's "add a security key or passkey"
// when the user may add one (nil otherwise).
func (a *API) webauthnOffer(r *http.Request, s *sessionInfo, canManage bool) (*webauthnView, error) {
	if !canManage {
		return nil, nil
	}
	methods, err := a.SignIn.WebAuthnAllowed(r.Context(), s.session.IdentityStoreID)
	if err != nil || len(methods) == 0 {
		return nil, err
	}
	return &webauthnView{Kinds: kindsOf(methods)}, nil
}

// mfaAddWebAuthn starts adding a security key or passkey from the devices
// page.
func (a *API) mfaAddWebAuthn(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	link, err := a.Identity.RegisterMfaDevice(r.Context(), identity.Caller{Actor: "portal"}, s.session.IdentityStoreID, s.session.UserID)
	if err != nil {
		return a.mfaFailed(w, r, s, err)
	}
	return a.renderWebAuthnAdd(w, r, s, http.StatusOK, link.Token, "", nil)
}

func (a *API) renderWebAuthnAdd(w http.ResponseWriter, r *http.Request, s *sessionInfo, status int, token, name string, e *apierr.Error) error {
	opts, err := a.SignIn.BeginWebAuthnRegistration(r.Context(), s.session, token)
	if err != nil {
		return a.mfaFailed(w, r, s, err)
	}
	methods, err := a.SignIn.WebAuthnAllowed(r.Context(), s.session.IdentityStoreID)
	if err != nil {
		return err
	}
	v := a.signedInView(s, "Add a security key or passkey", "mfa")
	v.Narrow, v.RegToken, v.Error = true, token, e
	v.WebAuthn = &webauthnView{Action: Prefix + "/mfa/webauthn/confirm", Options: opts.JSON, Name: name, Kinds: kindsOf(methods)}
	a.render(w, r, status, "webauthn_add", v)
	return nil
}

func (a *API) mfaAddWebAuthnConfirm(w http.ResponseWriter, r *http.Request, s *sessionInfo) error {
	pf := r.PostForm
	name := strings.TrimSpace(pf.Get("name"))
	_, err := a.SignIn.CompleteWebAuthnRegistration(r.Context(), s.session, pf.Get("token"), pf.Get("credential"), name)
	if err != nil {
		e, ok := apierr.From(err)
		if !ok || e.Status() >= 500 || apierr.IIC1721.Is(err) || apierr.IIC1388.Is(err) || apierr.IIC1518.Is(err) {
			return a.mfaFailed(w, r, s, err)
		}
		return a.renderWebAuthnAdd(w, r, s, e.Status(), pf.Get("token"), name, e)
	}
	http.Redirect(w, r, Prefix+"/mfa?added=1", http.StatusSeeOther)
	return nil
}
