package portalweb

import "github.com/iic-project/iic/internal/api/httpx"

// morePages are the templates of the pages defined in files of their own.
var morePages = []string{"consent", "forgot", "password_form", "verify_email"}

func init() { pageNames = append(pageNames, morePages...) }

// mountMore registers the routes of the pages defined in files of their
// own (the OIDC authorization page, password recovery, a new e-mailed code,
// the identity store's e-mailed links).
func (a *API) mountMore(rt *httpx.Router) {
	rt.Handle("GET "+Prefix+"/authorize", a.page(a.authorize))
	rt.Handle("POST "+Prefix+"/authorize", a.authedForm(a.authorizeDecide))
	rt.Handle("POST "+Prefix+"/signin/email/resend", a.form(a.postResend))
	rt.Handle("GET "+Prefix+"/forgot", a.page(a.forgot))
	rt.Handle("POST "+Prefix+"/forgot", a.form(a.postForgot))
	rt.Handle("GET "+ResetPath, a.page(a.resetForm))
	rt.Handle("POST "+ResetPath, a.form(a.postReset))
	a.mountEmailLinks(rt)
}
