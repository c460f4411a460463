package portalweb

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/center"
	"github.com/iic-project/iic/internal/signin"
)

// The pages of the sign-in steps (below /start/signin/).
const (
	stepMFA      = "mfa"
	stepEmail    = "email"
	stepPassword = "password"
	stepEnrol    = "enrol"
)

var stepOf = map[signin.Step]string{
	signin.StepMFA: stepMFA, signin.StepEmailOTP: stepEmail, signin.StepNewPassword: stepPassword, signin.StepEnrolMFA: stepEnrol,
}

// deviceCookieAge is how long the device cookie lives (browsers cap
// cookies at 400 days).
const deviceCookieAge = 400 * 24 * time.Hour

// flowAge bounds the flow cookie; the challenge inside expires sooner.
const flowAge = 20 * time.Minute

var storeIDPattern = regexp.MustCompile(`^d-[0-9a-f]{10}$`)

// flow is the sign-in in progress, kept in the FlowCookie.
type flow struct {
	step      string
	challenge string
	regToken  string // device-registration token (enrol)
	methods   []string
	pwChange  string
	next      string
	store     string
}

func (f flow) encode() string {
	v := url.Values{"s": {f.step}, "c": {f.challenge}, "n": {f.next}, "i": {f.store}}
	if f.regToken != "" {
		v.Set("r", f.regToken)
	}
	if len(f.methods) > 0 {
		v.Set("m", strings.Join(f.methods, ","))
	}
	if f.pwChange != "" {
		v.Set("p", f.pwChange)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(v.Encode()))
}

func (a *API) readFlow(r *http.Request) (flow, bool) {
	c, err := r.Cookie(FlowCookie)
	if err != nil || len(c.Value) > 3000 {
		return flow{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return flow{}, false
	}
	v, err := url.ParseQuery(string(raw))
	if err != nil || v.Get("c") == "" {
		return flow{}, false
	}
	f := flow{step: v.Get("s"), challenge: v.Get("c"), regToken: v.Get("r"), pwChange: v.Get("p"), next: SafeNext(v.Get("n")), store: v.Get("i")}
	if m := v.Get("m"); m != "" {
		f.methods = strings.Split(m, ",")
	}
	return f, true
}

func (a *API) client(r *http.Request) signin.Client {
	c := signin.Client{Address: httpx.SourceIP(r).String(), UserAgent: r.UserAgent()}
	if d, err := r.Cookie(DeviceCookie); err == nil && len(d.Value) <= 128 {
		c.DeviceID = d.Value
	}
	return c
}

// signInPage renders the sign-in form for store (the default one when "").
func (a *API) signInPage(w http.ResponseWriter, r *http.Request, status int, storeID, next, userName string, e *apierr.Error, notice string) {
	a.render(w, r, status, "signin", &view{Title: "Sign in", Narrow: true, CSRF: a.preCSRF(w, r), Store: storeID, Next: next, UserName: userName, Error: e, Notice: notice,
		Forgot: a.forgotLink(storeID)})
}

// start is GET /start: the portal home when signed in, else the sign-in
// form of the default identity store.
func (a *API) start(w http.ResponseWriter, r *http.Request) error {
	s, err := a.currentSession(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	next := SafeNext(q.Get("next"))
	if s != nil {
		if next != "" {
			http.Redirect(w, r, next, http.StatusSeeOther)
			return nil
		}
		return a.home(w, r, s)
	}
	if _, err := a.Stores.Default(r.Context()); err != nil {
		return a.notSetUp(w, r, err)
	}
	if done, err := a.toRememberedStore(w, r); done || err != nil {
		return err
	}
	e, notice := signInNotice(q)
	a.signInPage(w, r, http.StatusOK, "", next, "", e, notice)
	return nil
}

// storeSignIn is GET /start/<identity store id>.
func (a *API) storeSignIn(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("store")
	if !storeIDPattern.MatchString(id) {
		return apierr.IIC404.New("no page at " + r.URL.Path)
	}
	ok, err := a.Stores.Exists(r.Context(), id)
	if err != nil {
		return err
	}
	if !ok {
		return apierr.IIC404.New("no page at " + r.URL.Path)
	}
	s, err := a.currentSession(r)
	if err != nil {
		return err
	}
	next := SafeNext(r.URL.Query().Get("next"))
	if s != nil && s.session.IdentityStoreID == id {
		http.Redirect(w, r, cmpOr(next, Prefix), http.StatusSeeOther)
		return nil
	}
	e, notice := signInNotice(r.URL.Query())
	a.signInPage(w, r, http.StatusOK, id, next, "", e, notice)
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// postPassword is the password step.
func (a *API) postPassword(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	storeID, next, name := f.Get("store"), SafeNext(f.Get("next")), f.Get("username")
	id := storeID
	if id == "" {
		var err error
		if id, err = a.Stores.Default(r.Context()); err != nil {
			return a.notSetUp(w, r, err)
		}
	} else if !storeIDPattern.MatchString(id) {
		return apierr.IIC404.New("no identity store " + quote(id))
	}
	res, err := a.SignIn.Password(r.Context(), signin.PasswordInput{IdentityStoreID: id, UserName: name, Password: f.Get("password"), Client: a.client(r)})
	if err != nil {
		e, ok := apierr.From(err)
		if !ok {
			return err
		}
		a.signInPage(w, r, e.Status(), storeID, next, name, e, "")
		return nil
	}
	return a.advance(w, r, res, flow{next: next, store: storeID})
}

// advance moves the browser to the step res names, or signs it in.
func (a *API) advance(w http.ResponseWriter, r *http.Request, res signin.Result, prev flow) error {
	if res.DeviceID != "" {
		a.setCookie(w, DeviceCookie, res.DeviceID, deviceCookieAge)
	}
	if res.Step == signin.StepDone {
		a.rememberStore(w, prev.store)
		return a.signedIn(w, r, res, prev.next)
	}
	step, ok := stepOf[res.Step]
	if !ok {
		return apierr.IIC1710.New()
	}
	nf := flow{step: step, challenge: res.Challenge, methods: res.Methods, pwChange: res.PasswordChange, next: prev.next, store: prev.store, regToken: res.RegistrationToken}
	if nf.regToken == "" && step == stepEnrol {
		nf.regToken = prev.regToken
	}
	a.setCookie(w, FlowCookie, nf.encode(), flowAge)
	http.Redirect(w, r, Prefix+"/signin/"+step, http.StatusSeeOther)
	return nil
}

// signedIn ends a sign-in: the session the browser held before (if any)
// ends, the new session token becomes the cookie (never the old one: no
// fixation), the CSRF cookie is renewed, and the browser goes where it was
// going.
func (a *API) signedIn(w http.ResponseWriter, r *http.Request, res signin.Result, next string) error {
	if old, err := r.Cookie(SessionCookie); err == nil && old.Value != "" && old.Value != res.Token && len(old.Value) <= 256 {
		if sess, err := a.SignIn.Session(r.Context(), old.Value); err == nil {
			if err := a.Portal.EndSession(r.Context(), WebSession(sess.ID)); err != nil {
				return err
			}
		}
		if err := a.SignIn.SignOut(r.Context(), old.Value); err != nil {
			return err
		}
	}
	a.setCookie(w, SessionCookie, res.Token, 0)
	a.setCookie(w, CSRFCookie, a.SignIn.IDs.Token(43), 0)
	a.clearCookie(w, FlowCookie)
	http.Redirect(w, r, cmpOr(next, Prefix), http.StatusSeeOther)
	return nil
}

// restart drops the sign-in in progress.
func (a *API) restart(w http.ResponseWriter, r *http.Request) error {
	f, _ := a.readFlow(r)
	a.clearCookie(w, FlowCookie)
	to := Prefix
	if storeIDPattern.MatchString(f.store) {
		to += "/" + f.store
	}
	if f.next != "" {
		to += "?next=" + url.QueryEscape(f.next)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// stepFlow returns the flow when it is at step; otherwise it has answered
// (sent the browser to the step the flow is at, or to sign in).
func (a *API) stepFlow(w http.ResponseWriter, r *http.Request, step string) (flow, bool) {
	f, ok := a.readFlow(r)
	switch {
	case !ok:
		a.signInPage(w, r, apierr.IIC1721.Status, "", "", "", apierr.IIC1721.New(), "")
		return f, false
	case f.step != step:
		if _, known := pageOfStep[f.step]; known {
			http.Redirect(w, r, Prefix+"/signin/"+f.step, http.StatusSeeOther)
			return f, false
		}
		a.clearCookie(w, FlowCookie)
		a.signInPage(w, r, apierr.IIC1721.Status, "", "", "", apierr.IIC1721.New(), "")
		return f, false
	}
	return f, true
}

var pageOfStep = map[string]bool{stepMFA: true, stepEmail: true, stepPassword: true, stepEnrol: true}

// showStep is the GET page of a step.
func (a *API) showStep(step string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, ok := a.stepFlow(w, r, step)
		if !ok {
			return nil
		}
		a.renderStep(w, r, http.StatusOK, f, nil)
		return nil
	}
}

func (a *API) renderStep(w http.ResponseWriter, r *http.Request, status int, f flow, e *apierr.Error) {
	v := &view{Narrow: true, CSRF: a.preCSRF(w, r), Error: e}
	switch f.step {
	case stepMFA:
		v.Title, v.Action = "Multi-factor authentication", Prefix+"/signin/mfa"
		if a.renderWebAuthnStep(w, r, status, f, v) {
			return
		}
		if !slices.Contains(f.methods, center.MFATypeTOTP) {
			a.render(w, r, apierr.IIC1710.Status, "message", &view{Title: "Sign in", Heading: "Sign-in method not available", Narrow: true, Error: apierr.IIC1710.New(),
				Body: "None of your MFA devices is of a kind this sign-in allows. Ask your administrator.", Link: Prefix + "/signin/restart", LinkText: "Start over"})
			return
		}
		a.render(w, r, status, "mfa_code", v)
	case stepEmail:
		v.Title, v.Action, v.Email = "Check your e-mail", Prefix+"/signin/email", true
		if r.URL.Query().Get("resent") != "" && e == nil {
			v.Notice = "We sent a new code. The earlier one no longer works."
		}
		a.render(w, r, status, "mfa_code", v)
	case stepPassword:
		v.Title, v.Expired = "New password", f.pwChange == signin.PasswordExpired
		if v.Expired && e == nil {
			v.Error = apierr.IIC1706.New()
		}
		a.render(w, r, status, "new_password", v)
	case stepEnrol:
		v.Title, v.Action, v.Signin = "Register an MFA device", Prefix+"/signin/enrol", true
		if a.renderWebAuthnEnrol(w, r, status, f, v) {
			return
		}
		if !slices.Contains(f.methods, center.MFATypeTOTP) {
			v.Error = apierr.IIC1710.New()
		}
		a.render(w, r, status, "enrol_intro", v)
	}
}

// stepFailed answers a step's error: a challenge that ended (IIC.1721) or
// a name locked meanwhile (IIC.1705) restarts the sign-in; anything else
// the service answered shows on the step's page.
func (a *API) stepFailed(w http.ResponseWriter, r *http.Request, f flow, err error) error {
	e, ok := apierr.From(err)
	if !ok {
		return err
	}
	if apierr.IIC1721.Is(err) || apierr.IIC1705.Is(err) || e.Status() >= 500 {
		a.clearCookie(w, FlowCookie)
		a.signInPage(w, r, e.Status(), f.store, f.next, "", e, "")
		return nil
	}
	a.renderStep(w, r, e.Status(), f, e)
	return nil
}

func (a *API) postMFA(w http.ResponseWriter, r *http.Request) error {
	f, ok := a.stepFlow(w, r, stepMFA)
	if !ok {
		return nil
	}
	res, err := a.SignIn.VerifyTOTP(r.Context(), f.challenge, strings.TrimSpace(r.PostForm.Get("code")))
	if err != nil {
		return a.stepFailed(w, r, f, err)
	}
	return a.advance(w, r, res, f)
}

func (a *API) postEmail(w http.ResponseWriter, r *http.Request) error {
	f, ok := a.stepFlow(w, r, stepEmail)
	if !ok {
		return nil
	}
	res, err := a.SignIn.VerifyEmailOTP(r.Context(), f.challenge, strings.TrimSpace(r.PostForm.Get("code")))
	if err != nil {
		return a.stepFailed(w, r, f, err)
	}
	return a.advance(w, r, res, f)
}

func (a *API) postNewPassword(w http.ResponseWriter, r *http.Request) error {
	f, ok := a.stepFlow(w, r, stepPassword)
	if !ok {
		return nil
	}
	pw := r.PostForm.Get("password")
	if pw != r.PostForm.Get("confirm") {
		a.renderStep(w, r, http.StatusBadRequest, f, apierr.IIC1740.New("password confirmation: the two passwords differ."))
		return nil
	}
	res, err := a.SignIn.SetNewPassword(r.Context(), f.challenge, pw)
	if err != nil {
		return a.stepFailed(w, r, f, err)
	}
	return a.advance(w, r, res, f)
}

// postEnrolBegin generates the new device's key and shows it.
func (a *API) postEnrolBegin(w http.ResponseWriter, r *http.Request) error {
	f, ok := a.stepFlow(w, r, stepEnrol)
	if !ok {
		return nil
	}
	if !slices.Contains(f.methods, center.MFATypeTOTP) {
		a.renderStep(w, r, apierr.IIC1710.Status, f, apierr.IIC1710.New())
		return nil
	}
	setup, err := a.Identity.BeginTOTPRegistration(r.Context(), f.regToken)
	if err != nil {
		return a.stepFailed(w, r, f, err)
	}
	a.renderTOTPSetup(w, r, http.StatusOK, &view{CSRF: a.preCSRF(w, r), Action: Prefix + "/signin/enrol/confirm", Narrow: true}, setup.Secret, setup.URL, nil)
	return nil
}

func (a *API) postEnrolConfirm(w http.ResponseWriter, r *http.Request) error {
	f, ok := a.stepFlow(w, r, stepEnrol)
	if !ok {
		return nil
	}
	pf := r.PostForm
	_, err := a.Identity.CompleteTOTPRegistration(r.Context(), f.regToken, strings.TrimSpace(pf.Get("code")), strings.TrimSpace(pf.Get("name")))
	if err != nil {
		e, ok := apierr.From(err)
		if !ok || apierr.IIC1721.Is(err) || e.Status() >= 500 {
			return a.stepFailed(w, r, f, err)
		}
		v := &view{CSRF: a.preCSRF(w, r), Action: Prefix + "/signin/enrol/confirm", Narrow: true, DeviceName: pf.Get("name")}
		a.renderTOTPSetup(w, r, e.Status(), v, pf.Get("secret"), pf.Get("otpauth"), e)
		return nil
	}
	res, err := a.SignIn.CompleteEnrolment(r.Context(), f.challenge)
	if err != nil {
		return a.stepFailed(w, r, f, err)
	}
	return a.advance(w, r, res, f)
}

var base32Key = regexp.MustCompile(`^[A-Z2-7]{16,128}=*$`)

// renderTOTPSetup shows a TOTP key: as a QR code, the otpauth URI and the
// key itself. secret and otpURL may come back from the page's own form
// (to show the same key again after a wrong code); they are only shown,
// never trusted: the key that counts is the one the identity service
// keeps.
func (a *API) renderTOTPSetup(w http.ResponseWriter, r *http.Request, status int, v *view, secret, otpURL string, e *apierr.Error) {
	v.Title, v.Error = "Set up your authenticator app", e
	if base32Key.MatchString(secret) {
		v.Secret = secret
	}
	if strings.HasPrefix(otpURL, "otpauth://totp/") && len(otpURL) < 1024 {
		v.OTPURL = template.URL(otpURL)
		v.QR = qrDataURL(otpURL)
	}
	if v.DeviceName == "" {
		v.DeviceName = "Authenticator app"
	}
	a.render(w, r, status, "enrol_totp", v)
}

// qrDataURL is the QR code of an otpauth URI as a PNG data: URL ("" when
// it cannot be drawn: the page then offers the key alone).
func qrDataURL(otpURL string) template.URL {
	key, err := otp.NewKeyFromURL(otpURL)
	if err != nil {
		return ""
	}
	img, err := key.Image(220, 220)
	if err != nil {
		return ""
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return ""
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
}
