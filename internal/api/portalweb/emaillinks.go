package portalweb

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
)

// The pages of the identity store's e-mailed links (identity.SetPasswordPath
// and identity.VerifyEmailPath, under /start): setting a password through an
// invitation or an administrator's e-mailed reset, and confirming an e-mail
// address. Each link's page is a form (GET changes nothing, so a mail
// scanner opening the link does not spend it); the token is checked when the
// form is sent, and an unknown, used or expired token gets one page whatever
// the reason. Links mailed before the pages moved under /start
// (legacyLinks) redirect to them.

// legacyLinks are the paths earlier links opened, and the pages they are now.
var legacyLinks = map[string]string{
	"/portal/set-password": identity.SetPasswordPath,
	"/portal/verify-email": identity.VerifyEmailPath,
}

func (a *API) mountEmailLinks(rt *httpx.Router) {
	rt.Handle("GET "+identity.SetPasswordPath, a.page(a.setPasswordForm))
	rt.Handle("POST "+identity.SetPasswordPath, a.form(a.postSetPassword))
	rt.Handle("GET "+identity.VerifyEmailPath, a.page(a.verifyEmailForm))
	rt.Handle("POST "+identity.VerifyEmailPath, a.form(a.postVerifyEmail))
	for from, to := range legacyLinks {
		rt.Handle("GET "+from, a.page(func(w http.ResponseWriter, r *http.Request) error {
			target := to
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return nil
		}))
	}
}

// linkToken is the token of a link's page ("" when it cannot be one).
func linkToken(v string) string {
	if len(v) > 256 {
		return ""
	}
	return v
}

// deadLink is the one page of a link whose token is unknown, used or
// expired (or missing): nothing tells these apart.
func (a *API) deadLink(w http.ResponseWriter, r *http.Request, e *apierr.Error, what string) error {
	a.render(w, r, http.StatusBadRequest, "message", &view{Title: "Link not valid", Heading: "This link no longer works", Narrow: true, Error: e,
		Body: "The link is not valid: it was used already, it has expired, or a newer one replaced it. Ask your administrator for a new " + what + "."})
	return nil
}

func (a *API) setPasswordPage(w http.ResponseWriter, r *http.Request, status int, token string, e *apierr.Error) error {
	a.renderPasswordPage(w, r, status, setPasswordLinkPage, token, e)
	return nil
}

// setPasswordForm is GET /start/set-password?token=…: the password form.
func (a *API) setPasswordForm(w http.ResponseWriter, r *http.Request) error {
	token := linkToken(r.URL.Query().Get("token"))
	if token == "" {
		return a.deadLink(w, r, apierr.IIC1718.New(), "link")
	}
	return a.setPasswordPage(w, r, http.StatusOK, token, nil)
}

// postSetPassword sets the password the form names, under the store's
// password policy, whose refusals show on the form (the link stays usable).
// The user's sessions end (identity.SetPasswordWithToken); the page then
// leads to the sign-in of the user's identity store.
func (a *API) postSetPassword(w http.ResponseWriter, r *http.Request) error {
	form := r.PostForm
	token, pw := linkToken(form.Get("token")), form.Get("password")
	if token == "" {
		return a.deadLink(w, r, apierr.IIC1718.New(), "link")
	}
	if pw != form.Get("confirm") {
		return a.setPasswordPage(w, r, http.StatusBadRequest, token, apierr.IIC1740.New("password confirmation: the two passwords differ."))
	}
	u, err := a.Identity.SetPasswordWithToken(r.Context(), token, pw)
	if apierr.IIC1718.Is(err) {
		return a.deadLink(w, r, errorOf(err), "link")
	}
	if err != nil {
		e, ok := apierr.From(err)
		if !ok || e.Status() >= 500 {
			return err
		}
		return a.setPasswordPage(w, r, e.Status(), token, e)
	}
	a.clearCookie(w, FlowCookie)
	a.render(w, r, http.StatusOK, "message", &view{Title: "Password set", Heading: "Your password is set", Narrow: true, OK: true,
		Notice: "Your password is set and your e-mail address is confirmed.", Body: "Sign in with your user name " + quote(u.UserName) + " and the new password.",
		Link: Prefix + "/" + u.IdentityStoreID, LinkText: "Sign in"})
	return nil
}

// verifyEmailForm is GET /start/verify-email?token=…: the confirmation.
func (a *API) verifyEmailForm(w http.ResponseWriter, r *http.Request) error {
	token := linkToken(r.URL.Query().Get("token"))
	if token == "" {
		return a.deadLink(w, r, apierr.IIC1516_400.New("the link is invalid, used or expired"), "verification e-mail")
	}
	a.render(w, r, http.StatusOK, "verify_email", &view{Title: "Confirm your e-mail address", Narrow: true, CSRF: a.preCSRF(w, r),
		Action: identity.VerifyEmailPath, Data: recoveryView{Token: token}})
	return nil
}

// postVerifyEmail spends the link and marks the address verified.
func (a *API) postVerifyEmail(w http.ResponseWriter, r *http.Request) error {
	token := linkToken(r.PostForm.Get("token"))
	if token == "" {
		return a.deadLink(w, r, apierr.IIC1516_400.New("the link is invalid, used or expired"), "verification e-mail")
	}
	u, err := a.Identity.ConfirmEmail(r.Context(), token)
	if apierr.IIC1516_400.Is(err) {
		return a.deadLink(w, r, errorOf(err), "verification e-mail")
	}
	if err != nil {
		return err
	}
	a.render(w, r, http.StatusOK, "message", &view{Title: "E-mail address confirmed", Heading: "Your e-mail address is confirmed", Narrow: true, OK: true,
		Notice: quote(u.Email) + " is confirmed as the address of your account.", Link: Prefix + "/" + u.IdentityStoreID, LinkText: "Go to the sign-in page"})
	return nil
}
