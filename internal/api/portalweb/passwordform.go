package portalweb

import (
	"net/http"

	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/identity"
)

// passwordForm is the data of the one-time-link password form
// (password_form.html): its texts and the link's token, sent back with the
// new password.
type passwordForm struct {
	Heading, Body, Button string
	Token                 string
}

// passwordPage is a password form: its title, where it is sent, its texts.
type passwordPage struct {
	title, action string
	texts         passwordForm
}

var (
	// resetLinkPage is the page a password-reset link opens.
	resetLinkPage = passwordPage{title: "Reset your password", action: ResetPath, texts: passwordForm{
		Heading: "Choose a new password",
		Body:    "Your new password replaces the old one, and every session of your account is signed out.",
		Button:  "Set password"}}
	// setPasswordLinkPage is the page of the identity store's set-password
	// link (an invitation, an administrator's reset).
	setPasswordLinkPage = passwordPage{title: "Set your password", action: identity.SetPasswordPath, texts: passwordForm{
		Heading: "Set your password",
		Body:    "Choose the password you will sign in with. It replaces any earlier one, and every session of your account is signed out.",
		Button:  "Set password"}}
)

// view is p's page for token, e shown above the form.
func (p passwordPage) view(csrf, token string, e *apierr.Error) *view {
	d := p.texts
	d.Token = token
	return &view{Title: p.title, Narrow: true, CSRF: csrf, Error: e, Action: p.action, Data: d}
}

// renderPasswordPage writes p's page for token with status.
func (a *API) renderPasswordPage(w http.ResponseWriter, r *http.Request, status int, p passwordPage, token string, e *apierr.Error) {
	a.render(w, r, status, "password_form", p.view(a.preCSRF(w, r), token, e))
}
