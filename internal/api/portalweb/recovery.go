package portalweb

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/signin"
)

// Password recovery by e-mail: /start/forgot asks for a link (the answer is
// the same whether or not the name is a user's), /start/reset is the page
// the link opens. A reset ends every portal session of the user and the
// credentials issued in them; the user then signs in (MFA included) with
// the new password.

// ResetPath is the page a reset link opens.
const ResetPath = Prefix + "/reset"

// recoveryView is the data of the recovery pages.
type recoveryView struct {
	Store, Token string
	Sent         bool
}

// resetStore is the identity store a recovery form names ("" = the
// default one), checked.
func (a *API) resetStore(r *http.Request, id string) (string, error) {
	if id == "" {
		return a.Stores.Default(r.Context())
	}
	if !storeIDPattern.MatchString(id) {
		return "", apierr.IIC404.New("no identity store " + quote(id))
	}
	ok, err := a.Stores.Exists(r.Context(), id)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", apierr.IIC404.New("no identity store " + quote(id))
	}
	return id, nil
}

func (a *API) forgotPage(w http.ResponseWriter, r *http.Request, status int, rv recoveryView, userName string, e *apierr.Error) {
	a.render(w, r, status, "forgot", &view{Title: "Forgot password", Narrow: true, CSRF: a.preCSRF(w, r), UserName: userName, Error: e, Data: rv})
}

// forgot is GET /start/forgot: the request form.
func (a *API) forgot(w http.ResponseWriter, r *http.Request) error {
	id := r.URL.Query().Get("store")
	if _, err := a.resetStore(r, id); err != nil {
		return a.notSetUp(w, r, err)
	}
	a.forgotPage(w, r, http.StatusOK, recoveryView{Store: id}, "", nil)
	return nil
}

// ForgotAnswerFloor is the least time a reset request takes to be
// answered: the request runs the same statements for every name, but a
// link's token and mail job are stored while another request's inserts are
// refused, which costs less (a write not flushed); the floor keeps that
// difference out of the answer's time.
const ForgotAnswerFloor = 200 * time.Millisecond

// waitUntil returns at t, or sooner when ctx ends.
func waitUntil(ctx context.Context, t time.Time) {
	d := time.Until(t)
	if d <= 0 {
		return
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}

// postForgot mails a reset link when the name is a user's; the page says
// the same either way.
func (a *API) postForgot(w http.ResponseWriter, r *http.Request) error {
	form := r.PostForm
	rv := recoveryView{Store: form.Get("store")}
	id, err := a.resetStore(r, rv.Store)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(form.Get("username"))
	if name == "" || len(name) > 128 {
		a.forgotPage(w, r, http.StatusBadRequest, rv, name, apierr.IIC1740.New("user name: enter the user name you sign in with."))
		return nil
	}
	req := signin.ResetRequest{IdentityStoreID: id, UserName: name, LinkURL: strings.TrimRight(a.PublicURL, "/") + ResetPath}
	if ip := httpx.SourceIP(r); ip.IsValid() {
		req.ClientAddress = ip.String()
	}
	start := time.Now()
	if err := a.SignIn.RequestPasswordReset(r.Context(), req); err != nil {
		return err
	}
	waitUntil(r.Context(), start.Add(ForgotAnswerFloor))
	rv.Sent = true
	a.forgotPage(w, r, http.StatusOK, rv, name, nil)
	return nil
}

// resetForm is GET /start/reset?token=…: the new-password form (the
// token is checked when the form is sent).
func (a *API) resetForm(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > 256 {
		return apierr.IIC1718.New()
	}
	a.renderPasswordPage(w, r, http.StatusOK, resetLinkPage, token, nil)
	return nil
}

// postReset sets the new password; the password policy's refusals show on
// the form, whose link stays usable.
func (a *API) postReset(w http.ResponseWriter, r *http.Request) error {
	form := r.PostForm
	token, pw := form.Get("token"), form.Get("password")
	retry := func(status int, e *apierr.Error) error {
		a.renderPasswordPage(w, r, status, resetLinkPage, token, e)
		return nil
	}
	if pw != form.Get("confirm") {
		return retry(http.StatusBadRequest, apierr.IIC1740.New("password confirmation: the two passwords differ."))
	}
	res, err := a.SignIn.ResetPassword(r.Context(), token, pw)
	if err != nil {
		e, ok := apierr.From(err)
		if !ok || e.Status() >= 500 || apierr.IIC1718.Is(err) {
			return err
		}
		return retry(e.Status(), e)
	}
	// The temporary credentials issued in the ended sign-ins die with
	// them: the web sessions' and those issued through the portal API
	// under the user's OIDC access tokens (their session is the grant).
	for _, session := range append(WebSessions(res.Sessions), res.Grants...) {
		if err := a.Portal.EndSession(r.Context(), session); err != nil {
			return err
		}
	}
	a.clearCookie(w, FlowCookie)
	a.render(w, r, http.StatusOK, "message", &view{Title: "Password changed", Heading: "Your password was changed", Narrow: true, OK: true,
		Notice: "Your new password is set, and every session of your account was signed out.", Body: "Sign in with your new password.",
		Link: Prefix + "/" + res.IdentityStoreID, LinkText: "Sign in"})
	return nil
}

// forgotLink is the sign-in page's "Forgot password?" link for store id
// ("" = the default one); "" when the server sends no e-mail.
func (a *API) forgotLink(id string) string {
	if a.Identity.Mailer == nil {
		return ""
	}
	if id == "" {
		return Prefix + "/forgot"
	}
	return Prefix + "/forgot?store=" + id
}
