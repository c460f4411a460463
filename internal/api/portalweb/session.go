package portalweb

import (
	"net/http"

	"github.com/iic-project/iic/internal/api/httpx"
	"github.com/iic-project/iic/internal/apierr"
	"github.com/iic-project/iic/internal/authz"
	"github.com/iic-project/iic/internal/signin"
)

// maxSessionToken is the longest session cookie value looked up.
const maxSessionToken = 256

// Sessions is the portal's Authenticator: the session cookie (iic_session,
// at most 256 characters) naming a live session of signIn, whose idle
// expiry it slides. The principal is the session's user
// (authz.KindPortalUser) with Store.Session = WebSession(id). No cookie, or one
// of no live session, is 400 IIC.1717 (pages then send the browser to sign
// in). The CSRF check is the forms' concern (authedForm), not this one's.
func Sessions(signIn *signin.Service) httpx.Authenticator { return sessions{signIn} }

type sessions struct{ signIn *signin.Service }

func (sessions) Credential() string { return "a portal session (cookie " + SessionCookie + ")" }

func (sessions) Presented(r *http.Request) bool { return len(r.CookiesNamed(SessionCookie)) > 0 }

func (s sessions) Authenticate(r *http.Request, _ []byte, _ httpx.AuthOp) (*authz.Principal, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > maxSessionToken {
		return nil, apierr.IIC1717.New()
	}
	sess, err := s.signIn.Session(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	return &authz.Principal{Kind: authz.KindPortalUser, UserID: sess.UserID, ExpiresAt: sess.ExpiresAt,
		Store: &authz.StoreCaller{IdentityStoreID: sess.IdentityStoreID, Session: WebSession(sess.ID)}}, nil
}
