package portalweb

import (
	"net/http"

	"github.com/iic-project/iic/internal/apierr"
)

// ownRegistration checks that a device-registration token posted by the
// MFA page's form was issued for the signed-in user: another user's token
// is refused like a dead one (400 IIC.1721), and nothing is registered.
func (a *API) ownRegistration(r *http.Request, s *sessionInfo, token string) error {
	if token == "" || len(token) > 128 {
		return apierr.IIC1721.New()
	}
	storeID, userID, err := a.Identity.RegistrationOwner(r.Context(), token)
	if err != nil {
		return err
	}
	if storeID != s.session.IdentityStoreID || userID != s.session.UserID {
		return apierr.IIC1721.New()
	}
	return nil
}
