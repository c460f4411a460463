package portalweb

import (
	"net/http"
)

// postResend is "Send a new code" on the e-mailed-code step: the new
// challenge replaces the flow's (the old code is dead), and the step's
// page says a new code was sent.
func (a *API) postResend(w http.ResponseWriter, r *http.Request) error {
	f, ok := a.stepFlow(w, r, stepEmail)
	if !ok {
		return nil
	}
	res, err := a.SignIn.ResendEmailOTP(r.Context(), f.challenge)
	if err != nil {
		return a.stepFailed(w, r, f, err)
	}
	f.challenge = res.Challenge
	a.setCookie(w, FlowCookie, f.encode(), flowAge)
	http.Redirect(w, r, Prefix+"/signin/"+stepEmail+"?resent=1", http.StatusSeeOther)
	return nil
}
