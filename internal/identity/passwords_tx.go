package identity

import (
	"context"

	"github.com/iic-project/iic/internal/store"
)

// SetPasswordIn is SetPassword through tx: password (checked against every
// rule of the store's policy) becomes the user's, in the caller's
// transaction (the sign-in service's password reset).
func (s *Service) SetPasswordIn(ctx context.Context, tx store.Store, storeID, userID, password string) error {
	return s.setPassword(ctx, tx, storeID, userID, password, false)
}

// TokenDigest is how an e-mailed one-time token is stored (the hex
// SHA-256 of store.UserToken.Hash).
func TokenDigest(token string) string { return hashTokenHex(token) }
