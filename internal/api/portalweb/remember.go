package portalweb

import (
	"net/http"
	"net/url"
	"time"

	"github.com/iic-project/iic/internal/apierr"
)

// StoreCookie remembers the identity store a browser last signed in to
// through /start/<identity store id>, so that /start (where an ended
// session sends the browser) shows that store's sign-in again rather than
// the default one. It is no secret: only an identity store id, checked
// (its form, and that an instance owns it) before it is used. A sign-in
// to the default store clears it; /start?default=1 ignores it.
const StoreCookie = "iic_store"

// storeCookieAge is how long a browser remembers its identity store.
const storeCookieAge = 90 * 24 * time.Hour

// rememberStore sets or clears the StoreCookie at the end of a sign-in to
// store id ("" = the default store).
func (a *API) rememberStore(w http.ResponseWriter, id string) {
	if storeIDPattern.MatchString(id) {
		a.setCookie(w, StoreCookie, id, storeCookieAge)
		return
	}
	a.clearCookie(w, StoreCookie)
}

// rememberedStore returns the browser's remembered identity store when it
// is valid and /start may go there; a cookie naming no store is cleared.
func (a *API) rememberedStore(w http.ResponseWriter, r *http.Request) (string, error) {
	if r.URL.Query().Get("default") != "" {
		return "", nil
	}
	c, err := r.Cookie(StoreCookie)
	if err != nil || c.Value == "" {
		return "", nil
	}
	if !storeIDPattern.MatchString(c.Value) {
		a.clearCookie(w, StoreCookie)
		return "", nil
	}
	ok, err := a.Stores.Exists(r.Context(), c.Value)
	if err != nil {
		return "", err
	}
	if !ok {
		a.clearCookie(w, StoreCookie)
		return "", nil
	}
	return c.Value, nil
}

// toRememberedStore sends a browser without a session from /start to its
// remembered store's sign-in, keeping the query (next, expired,
// signed_out); it reports whether it did.
func (a *API) toRememberedStore(w http.ResponseWriter, r *http.Request) (bool, error) {
	id, err := a.rememberedStore(w, r)
	if err != nil || id == "" {
		return false, err
	}
	to := Prefix + "/" + id
	if q := r.URL.Query(); len(q) > 0 {
		to += "?" + q.Encode()
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return true, nil
}

// signInNotice is what the sign-in page says after an ended session or a
// sign-out (the query /start was sent with).
func signInNotice(q url.Values) (*apierr.Error, string) {
	switch {
	case q.Get("expired") != "":
		return apierr.IIC1717.New(), ""
	case q.Get("signed_out") != "":
		return nil, "You have signed out."
	}
	return nil, ""
}
