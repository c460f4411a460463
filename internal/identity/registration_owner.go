package identity

import "context"

// RegistrationOwner returns the user a live device-registration token was
// issued for; a missing, used or expired token is 400 IIC.1721.
func (s *Service) RegistrationOwner(ctx context.Context, token string) (storeID, userID string, err error) {
	r, err := s.openRegistration(ctx, token)
	if err != nil {
		return "", "", err
	}
	return r.IdentityStoreID, r.UserID, nil
}
